"""An uploaded file, CSV or Excel workbook, as records: the format is decided by the
file's content, never by its name or declared type (an `.xlsx` renamed `.csv` is read
as a workbook, and the other way round)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orgimport.imports.csv_reader import CsvTable, read_csv
from orgimport.imports.xlsx_reader import OLE_MAGIC, is_workbook, read_xlsx, refuse_ole


def read_file(
    data: bytes,
    *,
    expected_columns: Sequence[str],
    required_columns: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> CsvTable:
    """The file's records (`CsvTable.encoding` is `xlsx` for a workbook), or
    FileRejected."""
    reader = read_xlsx if is_workbook(data) else read_csv
    if data.startswith(OLE_MAGIC):
        raise refuse_ole(data)
    return reader(
        data,
        expected_columns=expected_columns,
        required_columns=required_columns,
        aliases=aliases,
    )
