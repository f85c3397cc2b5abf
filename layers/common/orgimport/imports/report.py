"""The report of an S3-triggered import: JSON for scripts, CSV for spreadsheets.

Plain data in, bytes out. The JSON carries what the API's validate and confirm
answer for the same file (their counters, the rows with errors or warnings, the
per-row results) or the file-level error; the CSV is one line per row.

The CSV's cells are formula-safe and phones show as text (orgimport.imports.report_cells).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from orgimport.core.errors import FileRejected
from orgimport.imports.confirm import ConfirmResult
from orgimport.imports.kind import Kind
from orgimport.imports.report_cells import neutralise, spreadsheet_csv
from orgimport.imports.session import Diagnostic, ImportSession, RowOutcome, RowVerdict

REPORT_VERSION = 1
ReportStatus = Literal["confirmed", "incomplete", "rejected", "expired"]
# A report in one of these states is the import's last word: a redelivered event leaves it.
FINAL_STATUSES: frozenset[str] = frozenset({"confirmed", "rejected", "expired"})

JSON_CONTENT_TYPE = "application/json"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_columns(kind: Kind) -> tuple[str, ...]:
    """The report's CSV header: what became of the row, then the row as the file had it."""
    outcome = ("row_number", "validation", "outcome", kind.id_column, "reason", "problems")
    return (*outcome, *kind.column_names)


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ImportReport:
    """What an S3-triggered import came to, ready to be written as JSON and CSV."""

    kind: Kind
    import_id: str
    status: ReportStatus
    source: Mapping[str, Any]  # bucket, key, version_id, sequencer, size, etag, event_time
    created_by: Mapping[str, str]
    override: bool
    generated_at: int  # epoch seconds
    session: ImportSession | None = None  # None: the file never became a session
    outcomes: list[RowOutcome] = field(default_factory=list)  # in row order; all when confirmed
    error: Mapping[str, Any] | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    def as_json(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "import_id": self.import_id,
            "status": self.status,
            "source": dict(self.source),
            "created_by": dict(self.created_by),
            "override": self.override,
            "generated_at": _iso(self.generated_at),
            "validation": self._validation(),
            "confirm": self._confirm(),
            "error": dict(self.error) if self.error is not None else None,
        }

    def _validation(self) -> dict[str, Any] | None:
        if self.session is None:
            return None
        summary = {k: v for k, v in self.session.summary().items() if k != "import_id"}
        summary["rows"] = [r.as_json() for r in self.session.rows if r.errors or r.warnings]
        return summary

    def _confirm(self) -> dict[str, Any] | None:
        if self.session is None or (self.status != "confirmed" and not self.outcomes):
            return None
        result = ConfirmResult(
            import_id=self.import_id,
            total_rows=self.session.total_rows,
            outcomes=list(self.outcomes),
            complete=self.status == "confirmed",
        )
        data = {k: v for k, v in result.as_json().items() if k != "import_id"}
        # an incomplete confirm still lists the rows it did, so a reader sees how far it got
        data["results"] = [o.as_json() for o in self.outcomes]
        return data

    def json_bytes(self) -> bytes:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2).encode("utf-8")

    def csv_bytes(self) -> bytes:
        """One line per row (or one line for a file-level error)."""
        return spreadsheet_csv(csv_columns(self.kind), self._csv_lines())

    def _csv_lines(self) -> Iterable[list[str]]:
        columns = self.kind.column_names
        if self.session is None:
            message = str((self.error or {}).get("message", ""))
            yield ["", self.status, "", "", "", message, *("" for _ in columns)]
            return
        outcomes = {o.row_number: o for o in self.outcomes}
        for row in self.session.rows:
            outcome = outcomes.get(row.row_number)
            yield [
                str(row.row_number),
                row.status,
                outcome.status if outcome else "",
                (outcome.id or "") if outcome else "",
                (outcome.reason or "") if outcome else "",
                _problems(row, outcome),
                *(row.data.get(column, "") for column in columns),
            ]


def _diagnostic_text(kind: str, d: Diagnostic) -> str:
    values = f" ({', '.join(d.values)})" if d.values else ""
    return f"{kind} {d.field}: {d.message}{values}"


def _problems(row: RowVerdict, outcome: RowOutcome | None) -> str:
    parts = [_diagnostic_text("error", d) for d in row.errors]
    parts += [_diagnostic_text("warning", d) for d in row.warnings]
    if outcome is not None and outcome.error:
        parts.append(f"failed: {outcome.error}")
    return "; ".join(parts)


def file_error(exc: FileRejected) -> dict[str, Any]:
    """A rejected file, as the API's 400 envelope describes it (message and data)."""
    return {"message": exc.message, **(exc.data or {})}


__all__ = [
    "CSV_CONTENT_TYPE",
    "FINAL_STATUSES",
    "JSON_CONTENT_TYPE",
    "REPORT_VERSION",
    "ImportReport",
    "ReportStatus",
    "csv_columns",
    "file_error",
    "neutralise",
]
