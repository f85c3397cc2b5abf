"""Typed errors that cross the layers upward.

The domain and storage raise these; `orgimport.api.http` is the one place that
turns them into HTTP status codes and envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One field-level problem: `key` is the field path, `message` a stable code.

    `allowed`, when set, lists the values the field accepts (a language, say), so a
    client can offer them without reading the documentation.
    """

    key: str
    message: str
    value: Any = None
    allowed: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"key": self.key, "message": self.message, "value": self.value}
        if self.allowed is not None:
            out["allowed"] = list(self.allowed)
        return out


class DomainError(Exception):
    """Base of every error the service reports to a client."""

    message = "error"

    def __init__(self, message: str | None = None, data: dict[str, Any] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.data = data


class BadRequest(DomainError):
    """The request itself is malformed (body not JSON, wrong types...)."""

    message = "bad request"


class ValidationFailed(DomainError):
    """One or more fields break the rules; carries every field error."""

    message = "validation failed"

    def __init__(self, errors: list[FieldError], message: str | None = None):
        self.errors = list(errors)
        super().__init__(
            message,
            {"type": "validation_error", "errors": [e.as_dict() for e in self.errors]},
        )


def rules_broken(exc: ValidationFailed, noun: str) -> str:
    """The sentence of a row whose record the rules refused (`the row breaks the user
    rules: email invalid format`)."""
    broken = ", ".join(f"{e.key} {e.message.replace('_', ' ')}" for e in exc.errors)
    return f"the row breaks the {noun} rules: {broken}"


class VatTaken(ValidationFailed):
    """Another distributor (active or archived) already holds this VAT identity."""

    def __init__(self, vat: str, holder_id: str | None = None):
        self.vat = vat
        self.holder_id = holder_id
        super().__init__([FieldError("custom_data.vat", "already_exists", vat)])


class FileRejected(DomainError):
    """A file-level problem with an uploaded CSV (empty, too large, bad columns...).

    `reason` is a stable code; `details` carries the figures the client needs
    (actual size, limit, missing and unexpected columns...).
    """

    message = "invalid file"

    def __init__(self, reason: str, message: str, details: dict[str, Any] | None = None):
        self.reason = reason
        self.details = dict(details or {})
        super().__init__(message, {"type": "file_error", "reason": reason, **self.details})


class Unauthenticated(DomainError):
    message = "unauthorized"


class NotAllowed(DomainError):
    message = "forbidden"


class NotFound(DomainError):
    message = "not found"


class Conflict(DomainError):
    message = "conflict"


class ProviderRefused(DomainError):
    """An identity provider refused what the request needed of it (a sign-in account):
    nothing was stored."""

    message = "the identity provider refused the request"


class SessionNotFound(BadRequest):
    """Unknown import session, or one past its lifetime (the contract makes both a 400)."""

    message = "import session not found or expired"


class SessionExpired(SessionNotFound):
    message = "import session expired"
