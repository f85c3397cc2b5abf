"""Judge a file's rows: records and the store's holders in, verdicts out.

The kind's rules judge each row; the pipeline adds what holds for every kind:
a key repeated within the file (`duplicate_in_csv`), cells beyond the header
(`too_many_cells`), the status, and the update target of a warning row.
Pure functions: the kind's records read what the rules need (in batched reads for
the whole file) and judge each row (`KindRecords.findings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from orgimport.imports.csv_reader import CsvRecord
from orgimport.imports.kind import Kind, RowFindings
from orgimport.imports.session import AMBIGUOUS, Diagnostic, RowStatus, RowVerdict

# Row-level finding: cells beyond the header's columns (a stray delimiter, a shifted row).
TOO_MANY_CELLS = "too_many_cells"
DUPLICATE_IN_FILE = "duplicate_in_csv"
ROW_FIELD = "row"


def row_data(kind: Kind, record: CsvRecord) -> dict[str, str]:
    """The kind's columns the file has, as typed, trimmed; a column the header lacks is
    left out (on update it keeps the stored value; an empty cell clears it)."""
    return {c: record.cells[c].strip() for c in kind.column_names if c in record.cells}


def keys_of(kind: Kind, records: Iterable[CsvRecord]) -> set[str]:
    """Every distinct identity key of a file: what one batched store read must cover."""
    keys = (kind.identity_key(record.cells) for record in records)
    return {k for k in keys if k}


def _status(errors: Sequence[Diagnostic], warnings: Sequence[Diagnostic]) -> RowStatus:
    """error > ambiguous > warning > valid (an ambiguity is listed among the warnings)."""
    if errors:
        return "error"
    if any(w.message == AMBIGUOUS for w in warnings):
        return "ambiguous"
    return "warning" if warnings else "valid"


class _FileJudge:
    """The verdicts of one file, row after row: it remembers each key's first row."""

    def __init__(self, kind: Kind):
        self.kind = kind
        self.first_row_of: dict[str, int] = {}
        self.order = {c: i for i, c in enumerate(kind.column_names)}

    def _repeated(self, key: str | None, data: Mapping[str, str], row: int) -> list[Diagnostic]:
        if not key:
            return []
        first = self.first_row_of.setdefault(key, row)
        if first == row:
            return []
        return [
            Diagnostic(
                self.kind.key_column, DUPLICATE_IN_FILE, (data[self.kind.key_column], str(first))
            )
        ]

    def _errors(
        self, found: RowFindings, record: CsvRecord, repeated: list[Diagnostic]
    ) -> list[Diagnostic]:
        errors = [*found.errors, *repeated, *found.conflicts]
        errors.sort(key=lambda d: self.order.get(d.field, len(self.order)))
        if record.extra_cells:
            # values: the header's column count, how many non-blank cells lie beyond it
            extra = (str(len(self.order)), str(len(record.extra_cells)))
            errors.append(Diagnostic(ROW_FIELD, TOO_MANY_CELLS, extra))
        return errors

    def verdict(self, record: CsvRecord, found: RowFindings) -> RowVerdict:
        data = row_data(self.kind, record)
        key = self.kind.identity_key(data)
        errors = self._errors(found, record, self._repeated(key, data, record.row_number))
        warnings = (found.ambiguity, *found.warnings) if found.ambiguity else found.warnings
        status = _status(errors, warnings)
        # an ambiguous row that is also a warning keeps its target for after its resolution
        target = found.target if status in ("warning", "ambiguous") else None
        return RowVerdict(
            cells=record.raw,
            row_number=record.row_number,
            status=status,
            data={**data, **found.resolved},
            errors=tuple(errors),
            warnings=warnings,
            existing_id=target.record_id if target else None,
            existing_key=target.key if target else None,
            changes=target.changes if target else None,
        )


def judge_found(
    kind: Kind, records: Sequence[CsvRecord], findings: Sequence[RowFindings]
) -> list[RowVerdict]:
    """A verdict per record, in file order, from what the kind's rules found on each."""
    judge = _FileJudge(kind)
    return [judge.verdict(r, f) for r, f in zip(records, findings, strict=True)]
