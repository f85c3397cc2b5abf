"""What a confirm asks for and what it answers."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from orgimport.core.errors import Conflict, FieldError, ValidationFailed
from orgimport.imports.kind import Kind
from orgimport.imports.session import (
    OutcomeStatus,
    RowOutcome,
    RowVerdict,
)

T = TypeVar("T")
R = TypeVar("R")

# Rows per stored RESULT part: the unit of durable progress. 200 keeps a 1000-row
# confirm at five outcome writes (the bookkeeping budget is ten requests).
CHUNK_ROWS = 200
# One create_distributors call per BatchWriteItem, so a failed batch fails only its rows.
BATCH_ROWS = 25
# A chunk is not started with less time than this left before the function's deadline.
STOP_BEFORE_DEADLINE_SECONDS = 8.0
# Chunks run at once (concurrency > 1): the next one's rows overlap this one's tail and save.
CHUNKS_IN_FLIGHT = 2
REASON_ERROR = "error"
REASON_WARNING_NOT_OVERRIDDEN = "warning_not_overridden"
REASON_AMBIGUOUS_UNRESOLVED = "ambiguous_unresolved"
# the one key of a resolution's object
RESOLUTION_FIELD = "organization_id"
OUTCOME_STATUSES: tuple[OutcomeStatus, ...] = ("created", "updated", "skipped", "failed")


class ConfirmInProgress(Conflict):
    """Another confirm of this session holds its lease (409)."""

    message = "import confirm in progress"


@dataclass(frozen=True)
class ConfirmRequest:
    """The normalised body of POST /<kind>/import/confirm: what makes two bodies the same
    request (the same result, replayed; another request after a confirm is a 409).

    `resolutions` are (row number, organization id) pairs, kept sorted by row; they are
    part of the hash only when there are any, so a request without them hashes as it
    always has.
    """

    import_id: str
    override: bool = False
    resolutions: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "resolutions", tuple(sorted(self.resolutions)))

    @property
    def request_hash(self) -> str:
        canonical: dict[str, Any] = {
            "import_id": str(self.import_id).lower(),
            "override": bool(self.override),
        }
        if self.resolutions:
            canonical["resolutions"] = [[row, org] for row, org in self.resolutions]
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _resolution(key: str, value: Any) -> tuple[int, str]:
    """One entry of `resolutions`: a row number as text -> {"organization_id": <id>}."""
    if not (key.isascii() and key.isdigit() and len(key) <= 9):
        raise ValidationFailed([FieldError(f"resolutions.{key}", "invalid_row_number", key)])
    ok = (
        isinstance(value, dict)
        and set(value) == {RESOLUTION_FIELD}
        and isinstance(value[RESOLUTION_FIELD], str)
        and 0 < len(value[RESOLUTION_FIELD]) <= 255
    )
    if not ok:
        raise ValidationFailed([FieldError(f"resolutions.{key}", "invalid_format", None)])
    return int(key), value[RESOLUTION_FIELD]


def confirm_request(
    kind: Kind, import_id: str, override: bool, resolutions: Mapping[str, Any] | None = None
) -> ConfirmRequest:
    """The request as `kind` reads it. A kind whose rows are never ambiguous ignores
    `resolutions` (accepted, and left out of the request's identity); for one that takes
    them each entry must be `"<row number>": {"organization_id": <id>}`, else a 400
    naming the key (`resolutions.<key>`)."""
    if not kind.takes_resolutions:
        return ConfirmRequest(import_id, override)
    pairs = tuple(_resolution(str(k), v) for k, v in (resolutions or {}).items())
    return ConfirmRequest(import_id, override, pairs)


def check_resolutions(request: ConfirmRequest, rows: Iterable[RowVerdict]) -> None:
    """Every resolution names an ambiguous row of the session (400 naming the key); an
    organization outside the row's candidates fails that row at confirm, as the contract's
    table says."""
    ambiguous = {r.row_number for r in rows if r.status == "ambiguous"}
    for row_number, _org in request.resolutions:
        if row_number not in ambiguous:
            raise ValidationFailed(
                [FieldError(f"resolutions.{row_number}", "not_ambiguous", str(row_number))],
                "resolutions name a row that is not ambiguous",
            )


@dataclass(frozen=True)
class ConfirmOptions:
    concurrency: int = 1  # rows written at once (1 = one after another)
    lease_seconds: int = 40  # longer than the function can run
    keep_seconds: int = 86400  # how long the confirmed result stays readable
    clock: Callable[[], float] = time.time
    # seconds left before the caller must answer; None = no deadline
    time_left: Callable[[], float] | None = None
    # called once per row this run completed, after its chunk was stored
    on_row: Callable[[RowVerdict, RowOutcome], None] | None = None


@dataclass(frozen=True)
class ConfirmResult:
    import_id: str
    total_rows: int
    outcomes: list[RowOutcome]  # rows done so far, in row order
    complete: bool = True  # False: stopped before the deadline, the same request resumes
    done_now: dict[str, int] = field(default_factory=dict)  # outcomes this run produced
    replayed: bool = False  # the stored result of an earlier confirm

    def counters(self) -> dict[str, int]:
        return count_outcomes(self.outcomes)

    def as_json(self) -> dict[str, Any]:
        """`data` of the 200 response (complete) or of the 202 (stopped early)."""
        out: dict[str, Any] = {"import_id": self.import_id, **self.counters()}
        out["total_rows"] = self.total_rows
        if self.complete:
            out["results"] = [o.as_json() for o in self.outcomes]
        else:
            out["status"] = "confirming"
            out["processed_rows"] = len(self.outcomes)
        return out


def count_outcomes(outcomes: Iterable[RowOutcome]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(OUTCOME_STATUSES, 0)
    for o in outcomes:
        counts[o.status] += 1
    return counts
