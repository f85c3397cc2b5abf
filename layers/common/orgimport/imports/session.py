"""An import session: what validate found, row by row, and what confirm did.

Plain data, no storage: `orgimport.storage.sessions_repo` persists it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from orgimport.core.identity import ACTOR_USER, Caller

RowStatus = Literal["valid", "warning", "ambiguous", "error"]
SessionStatus = Literal["validated", "confirming", "confirmed"]
OutcomeStatus = Literal["created", "updated", "skipped", "failed"]
# the diagnostic of a row that names more than one record (among its warnings): the
# row's status is `ambiguous` until a confirm's `resolutions` picks one candidate
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Diagnostic:
    """One finding on a row: `message` is a stable code, `values` its parameters."""

    field: str
    message: str
    values: tuple[str, ...] = ()
    # `ambiguous`: the records the row may mean, each {"logto_id", "name", "type"}
    candidates: tuple[dict[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.values:
            out["values"] = list(self.values)
        if self.candidates:
            out["candidates"] = [dict(c) for c in self.candidates]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Diagnostic:
        candidates = tuple(dict(c) for c in raw.get("candidates") or ())
        return cls(raw["field"], raw["message"], tuple(raw.get("values") or ()), candidates)


@dataclass(frozen=True)
class RowVerdict:
    """Validate's verdict on one CSV row."""

    row_number: int
    status: RowStatus
    data: dict[str, str]  # the kind's columns as typed, trimmed
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    # warning rows: the active record holding this row's identity key, which `override`
    # updates, and that key (stored as `existing_vat_key`, the name sessions have kept)
    existing_id: str | None = None
    existing_key: str | None = None
    changes: dict[str, dict[str, Any]] | None = None  # field -> {"from": stored, "to": csv}
    # every cell of the row as the file holds it (the error report writes them back)
    cells: tuple[str, ...] = ()

    @property
    def candidate_ids(self) -> tuple[str, ...]:
        """The ids an ambiguous row may be resolved to (none for any other row)."""
        return tuple(
            c["logto_id"] for d in self.warnings if d.message == AMBIGUOUS for c in d.candidates
        )

    def resolved(self, data_key: str, record_id: str) -> RowVerdict:
        """The ambiguous row with `record_id` chosen: `data[data_key]` set, the ambiguity
        gone, and the status its other findings give (warning or valid)."""
        warnings = tuple(d for d in self.warnings if d.message != AMBIGUOUS)
        return replace(
            self,
            status="warning" if warnings else "valid",
            data={**self.data, data_key: record_id},
            warnings=warnings,
        )

    def as_json(self) -> dict[str, Any]:
        """The row as the validate report shows it."""
        out: dict[str, Any] = {
            "row_number": self.row_number,
            "status": self.status,
            "data": dict(self.data),
        }
        if self.errors:
            out["errors"] = [d.as_json() for d in self.errors]
        if self.warnings:
            out["warnings"] = [d.as_json() for d in self.warnings]
        if self.changes is not None:
            out["changes"] = self.changes
        return out

    def to_store(self) -> dict[str, Any]:
        out = self.as_json()
        if self.existing_id:
            out["existing_id"] = self.existing_id
            out["existing_vat_key"] = self.existing_key
        if self.cells:
            out["cells"] = list(self.cells)
        return out

    @classmethod
    def from_store(cls, raw: dict[str, Any]) -> RowVerdict:
        return cls(
            row_number=int(raw["row_number"]),
            status=raw["status"],
            data=dict(raw["data"]),
            errors=tuple(Diagnostic.from_json(d) for d in raw.get("errors") or ()),
            warnings=tuple(Diagnostic.from_json(d) for d in raw.get("warnings") or ()),
            existing_id=raw.get("existing_id"),
            existing_key=raw.get("existing_vat_key"),
            changes=raw.get("changes"),
            cells=tuple(raw.get("cells") or ()),
        )


@dataclass(frozen=True)
class RowOutcome:
    """What confirm did with one row."""

    row_number: int
    status: OutcomeStatus
    id: str | None = None
    # skipped: "error" | "warning_not_overridden" | "ambiguous_unresolved"
    reason: str | None = None
    error: str | None = None  # failed: a readable sentence
    # updated: the CSV columns the update changed, in column order (empty: nothing written)
    changed_fields: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row_number": self.row_number, "status": self.status}
        if self.id is not None:
            out["id"] = self.id
        if self.reason is not None:
            out["reason"] = self.reason
        if self.error is not None:
            out["error"] = self.error
        if self.changed_fields is not None:
            out["changed_fields"] = list(self.changed_fields)
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RowOutcome:
        changed = raw.get("changed_fields")
        return cls(
            row_number=int(raw["row_number"]),
            status=raw["status"],
            id=raw.get("id"),
            reason=raw.get("reason"),
            error=raw.get("error"),
            changed_fields=None if changed is None else tuple(changed),
        )


@dataclass(frozen=True)
class SourceFile:
    """The uploaded file's shape, for the report that gives it back: its format, how a
    CSV was written, and its header (each cell as written, the column it was read as,
    "" when ignored)."""

    format: str = "csv"  # "csv" | "xlsx"
    encoding: str = "utf-8"
    delimiter: str = ","
    sep_line: bool = False
    header: tuple[tuple[str, str], ...] = ()

    def columns_json(self) -> list[dict[str, str | None]]:
        """`columns` of the validate response."""
        return [{"header": h, "column": c or None} for h, c in self.header]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sep_line": self.sep_line,
            "header": [list(h) for h in self.header],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SourceFile:
        return cls(
            format=str(raw.get("format", "csv")),
            encoding=str(raw.get("encoding", "utf-8")),
            delimiter=str(raw.get("delimiter", ",")),
            sep_line=bool(raw.get("sep_line")),
            header=tuple((str(h), str(c)) for h, c in raw.get("header") or ()),
        )


@dataclass
class ImportSession:
    import_id: str
    entity_type: str
    user_id: str
    org_id: str
    created_at: int  # epoch seconds
    expires_at: int  # epoch seconds; validated sessions die here (checked on every read)
    rows: list[RowVerdict]
    status: SessionStatus = "validated"
    source: str | None = None  # e.g. "s3://bucket/key#version" for S3-triggered imports
    # confirm bookkeeping
    request_hash: str | None = None
    lease_until: int | None = None
    outcomes: dict[int, RowOutcome] = field(default_factory=dict)  # row_number -> outcome
    # the owner's kind (with user_id and org_id): a token's user, or the S3 actor
    actor: str = ACTOR_USER
    file: SourceFile | None = None  # None: a session from before files were described

    def is_owned_by(self, caller: Caller) -> bool:
        """Bound to user and organization, and to the kind of actor that made it."""
        return caller.is_actor(self.actor, self.user_id, self.org_id)

    @property
    def total_rows(self) -> int:
        return len(self.rows)

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self) -> dict[str, Any]:
        """The validate report's counters."""
        return {
            "import_id": self.import_id,
            "total_rows": self.total_rows,
            "valid_rows": self.count("valid"),
            "error_rows": self.count("error"),
            "warning_rows": self.count("warning"),
            "ambiguous_rows": self.count("ambiguous"),
        }

    def report(self) -> dict[str, Any]:
        """`data` of the validate response."""
        columns = self.file.columns_json() if self.file else []
        return {**self.summary(), "columns": columns, "rows": [r.as_json() for r in self.rows]}


# uuid5 namespace of the ids of records created by an import row.
ROW_ID_NAMESPACE = uuid.UUID("6f1d3c9e-2b1a-5c4e-9f0d-8a7b6c5d4e3f")


def row_record_id(import_id: str, row_number: int) -> str:
    """The id a created row's record gets: the same on every retry of the import."""
    return str(uuid.uuid5(ROW_ID_NAMESPACE, f"{import_id.lower()}:{row_number}"))
