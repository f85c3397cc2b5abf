"""Turn the bytes of an uploaded Excel workbook (`.xlsx`) into records, as the CSV
reader does (CONTRACT section 11): the first worksheet, the header on its first
non-empty row, each cell as the user sees it.

- Text as is; a whole number without `.0` (a VAT typed as a number, `1234567890`, is
  that text); a date as `YYYY-MM-DD`; a formula's value as last calculated (the one
  the file stores); `TRUE`/`FALSE`. Merged cells hold their value in the first cell
  only; hidden rows and columns are read like any other (the data is there).
- Limits while reading, before anything is held: the archive's declared expanded size
  (50 MiB; zip reads no more than it declares), and 1000 data rows (the reading stops
  at the first row past it).
- openpyxl is imported here, on the first workbook: a CSV import never loads it.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from orgimport.core.errors import FileRejected
from orgimport.core.limits import MAX_DATA_ROWS, MAX_FILE_BYTES
from orgimport.imports.csv_reader import CsvRecord, CsvTable, check_size, make_record
from orgimport.imports.headers import match_header

ZIP_MAGIC = b"PK\x03\x04"
# an OLE compound file: an old binary .xls, or an OOXML workbook encrypted by a password
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
MAX_EXPANDED_BYTES = 50 * 1024 * 1024
XLSX_FORMAT = "xlsx"


def is_workbook(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def refuse_ole(data: bytes) -> FileRejected:
    """What to say of an OLE file: a password-protected workbook, or an old `.xls`."""
    if _ENCRYPTION_INFO in data[:1_000_000]:
        return FileRejected(
            "encrypted_workbook",
            "the workbook is protected by a password: remove the password in Excel "
            "(File > Info > Protect Workbook) and upload it again",
        )
    return FileRejected(
        "xls_not_supported",
        "old Excel .xls files are not read: save the sheet as .xlsx (Excel Workbook) or "
        "as CSV UTF-8 and upload that",
    )


def _not_workbook() -> FileRejected:
    return FileRejected(
        "not_xlsx", "file is not a readable .xlsx workbook: save it again as Excel Workbook"
    )


def _open(data: bytes) -> Any:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise _not_workbook() from None
    with archive:
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    if "xl/workbook.xml" not in names:
        raise _not_workbook()
    if expanded > MAX_EXPANDED_BYTES:
        raise FileRejected(
            "workbook_too_large",
            "the workbook expands to more than 50 MiB: keep one sheet of at most "
            f"{MAX_DATA_ROWS} rows and upload it again",
            {"limit_bytes": MAX_EXPANDED_BYTES, "actual_bytes": expanded},
        )
    import openpyxl  # on the first workbook only: the CSV cold start never pays for it

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise _not_workbook() from None


def cell_text(value: Any) -> str:
    """A cell as the user sees it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        yield number, [cell_text(v) for v in values]


def read_xlsx(
    data: bytes,
    *,
    expected_columns: Sequence[str],
    required_columns: Sequence[str],
    aliases: Mapping[str, str] | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_DATA_ROWS,
) -> CsvTable:
    """The first worksheet's records; FileRejected for file-level problems."""
    check_size(data, max_bytes)
    book = _open(data)
    try:
        if not book.worksheets:
            raise FileRejected("empty_file", "file is empty")
        rows = _rows(book.worksheets[0])
        header_cells = next((cells for _, cells in rows if "".join(cells).strip()), None)
        if header_cells is None:
            raise FileRejected("empty_file", "the first sheet of the workbook is empty")
        header = match_header(header_cells, expected_columns, required_columns, aliases)
        columns = tuple(h.column for h in header)
        records = _records(rows, columns, max_rows)
    finally:
        book.close()
    return CsvTable(columns, records, XLSX_FORMAT, "", header)


def _records(
    rows: Iterator[tuple[int, list[str]]], columns: tuple[str, ...], max_rows: int
) -> tuple[CsvRecord, ...]:
    kept: list[CsvRecord] = []
    for number, cells in rows:
        if not "".join(cells).strip():
            continue
        if len(kept) == max_rows:
            raise FileRejected(
                "too_many_rows",
                f"the sheet has more than {max_rows} data rows; the limit is {max_rows}",
                {"limit_rows": max_rows, "actual_rows": max_rows + 1},
            )
        while cells and not cells[-1]:
            cells.pop()  # a sheet's row is as wide as its widest row
        kept.append(make_record(number, cells, columns))
    if not kept:
        raise FileRejected("no_data_rows", "file has a header but no data rows")
    return tuple(kept)
