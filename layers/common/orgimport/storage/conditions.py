"""Conditional writes: their conditions, and reading DynamoDB's answer to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pynamodb.expressions.condition import Condition

_CONDITION_FAILED = "ConditionalCheckFailedException"


def condition_failed(exc: Exception) -> bool:
    """True when a pynamodb write failed because its condition did not hold."""
    return getattr(exc, "cause_response_code", None) == _CONDITION_FAILED


class _Joined(Condition):
    """Conditions joined by one operator at one level, `(a OR b OR c)`, where pynamodb's
    `|` and `&` nest a pair at a time, `((a OR b) OR c)`. DynamoDB reads both alike; an
    emulator's parser (dynalite's) takes time exponential in the nesting."""

    def __init__(self, operator: str, conditions: Sequence[Condition]) -> None:
        super().__init__(operator, *conditions)
        self.format_string = (
            "(" + " {operator} ".join(f"{{{i}}}" for i in range(len(conditions))) + ")"
        )


def any_of(conditions: Iterable[Condition]) -> Condition:
    """True when one of `conditions` holds (at least one)."""
    return _joined("OR", list(conditions))


def all_of(conditions: Iterable[Condition]) -> Condition:
    """True when every one of `conditions` holds (at least one)."""
    return _joined("AND", list(conditions))


def _joined(operator: str, conditions: list[Condition]) -> Condition:
    if not conditions:
        raise ValueError("no condition to join")
    return conditions[0] if len(conditions) == 1 else _Joined(operator, conditions)
