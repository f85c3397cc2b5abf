"""The error round-trip (CONTRACT section 11): `GET /<kind>/import/{import_id}/report`
gives the user's own rows back, as they wrote them, with two columns added:
`import_status` (the row's verdict; after confirm, its outcome) and `import_messages`
(its findings and outcome as sentences, Italian or English). The user fixes the rows in
the spreadsheet and uploads the file again; the two columns are then ignored.

- CSV: the upload's delimiter, encoding and `sep=` line, so that Excel opens it as the
  user's own file. A cell a spreadsheet would evaluate (`=`, `+`, `-`, `@` first) is
  written as the text formula `="..."`, which shows the cell exactly as written and
  evaluates nothing; the reader takes that form back as the text inside.
- xlsx: one sheet, every cell a text cell (never a formula).
- Each row stays on the row number it had (a blank line the upload skipped is a blank
  line here too), so the report's row numbers and the file's agree.
- Columns the upload already had as `import_status`/`import_messages` (a report sent
  again) are replaced, not repeated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from orgimport.imports.headers import REPORT_COLUMNS, header_key
from orgimport.imports.messages import finding, outcome
from orgimport.imports.report_cells import FORMULA_PREFIXES
from orgimport.imports.session import ImportSession, RowOutcome, RowVerdict, SourceFile

_REPORT_KEYS = {header_key(c) for c in REPORT_COLUMNS}


def _kept_positions(file: SourceFile) -> list[int]:
    """The header cells the report keeps (the old report columns left out)."""
    return [
        i
        for i, (written, column) in enumerate(file.header)
        if column or header_key(written) not in _REPORT_KEYS
    ]


def _status(row: RowVerdict, done: RowOutcome | None) -> str:
    return done.status if done is not None else row.status


def _messages(row: RowVerdict, done: RowOutcome | None, language: str) -> str:
    parts = [finding(d, language) for d in (*row.errors, *row.warnings)]
    if done is not None:
        parts.append(outcome(done, language))
    return "; ".join(parts)


def report_rows(session: ImportSession, language: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the report, every cell as text; a blank row is `[]`."""
    file = session.file or SourceFile()
    kept = _kept_positions(file)
    header = [file.header[i][0] for i in kept] + list(REPORT_COLUMNS)
    lines: list[list[str]] = []
    for row in session.rows:
        # the header is row 1: rows the upload left blank come back blank
        lines.extend([] for _ in range(row.row_number - 2 - len(lines)))
        cells = list(row.cells) + [""] * (len(file.header) - len(row.cells))
        extra = cells[len(file.header) :]  # cells beyond the header stay, after ours
        done = session.outcomes.get(row.row_number)
        lines.append(
            [cells[i] for i in kept] + [_status(row, done), _messages(row, done, language)] + extra
        )
    return header, lines


def text_formula(cell: str) -> str:
    """A cell a spreadsheet would evaluate, as a formula that shows it as written."""
    if cell.startswith(FORMULA_PREFIXES):
        return '="' + cell.replace('"', '""') + '"'
    return cell


def report_csv(session: ImportSession, language: str) -> bytes:
    file = session.file or SourceFile()
    header, lines = report_rows(session, language)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=file.delimiter or ",", lineterminator="\r\n")
    if file.sep_line:
        out.write(f"sep={file.delimiter}\r\n")
    writer.writerow(header)
    for line in lines:
        writer.writerow([text_formula(c) for c in line])
    encoding = file.encoding if file.format == "csv" else "utf-8-sig"
    return out.getvalue().encode(encoding, errors="replace")


def report_workbook(session: ImportSession, language: str) -> bytes:
    from openpyxl import Workbook

    header, lines = report_rows(session, language)
    book = Workbook()
    sheet = book.active
    sheet.title = session.entity_type[:31] or "report"
    for number, line in enumerate([header, *lines], start=1):
        _text_row(sheet, number, line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_row(sheet: object, number: int, line: Iterable[str]) -> None:
    for column, value in enumerate(line, start=1):
        cell = sheet.cell(number, column)  # type: ignore[attr-defined]
        cell.value = value
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
