"""Excel workbooks as people have them (CONTRACT section 11): workbooks saved by
LibreOffice (tests/fixtures/workbooks/make.py) read row for row as their CSV twins,
cells as the user sees them, the files that are not workbooks refused with a sentence
that says what to do, and the limits enforced while reading."""

from __future__ import annotations

import datetime
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from orgimport.core.errors import FileRejected
from orgimport.imports.file_reader import read_file
from orgimport.imports.template_xlsx import template_workbook
from orgimport.imports.xlsx_reader import cell_text
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.users.kind import USERS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WORKBOOKS = FIXTURES / "workbooks"


def read(data: bytes, kind=DISTRIBUTORS):
    return read_file(
        data,
        expected_columns=kind.column_names,
        required_columns=kind.required_columns,
        aliases=kind.header_table,
    )


def refused(data: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        read(data)
    return info.value


@pytest.mark.parametrize("name", ["messy", "semicolon_bom"])
def test_a_workbook_saved_by_libreoffice_reads_as_its_csv_twin(name):
    book = read((WORKBOOKS / f"{name}.xlsx").read_bytes())
    text = read((FIXTURES / f"{name}.csv").read_bytes())
    assert book.columns == text.columns
    assert [(r.row_number, r.cells, r.extra_cells) for r in book.records] == [
        (r.row_number, r.cells, r.extra_cells) for r in text.records
    ]
    assert book.encoding == "xlsx"


def test_cells_read_as_the_user_sees_them():
    table = read((WORKBOOKS / "features.xlsx").read_bytes())
    # blank rows above an Italian header: the header is row 3, the data from row 4
    assert table.columns == ("company_name", "vat_number", "city", "notes", "phone")
    rows = {r.row_number: r.cells for r in table.records}
    assert rows[4]["company_name"] == "Alfa S.r.l."  # a formula's calculated value
    assert rows[5]["vat_number"] == "1234567890"  # typed as a number: no .0
    assert rows[5]["notes"] == "2026-03-01"  # a date
    assert (rows[6]["notes"], rows[6]["phone"]) == ("unita", "")  # merged: the first cell
    assert rows[7]["company_name"] == "Nascosta S.r.l."  # a hidden row is read
    assert rows[8]["notes"] == "42"
    assert sorted(rows) == [4, 5, 6, 7, 8]  # the second sheet is not read


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (1234567890, "1234567890"),
        (3.0, "3"),
        (1.5, "1.5"),
        (True, "TRUE"),
        (datetime.datetime(2026, 3, 1, 9, 30), "2026-03-01"),
        (datetime.date(2026, 3, 1), "2026-03-01"),
        ("  keeps its spaces ", "  keeps its spaces "),
        ("007", "007"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("name", "reason", "says"),
    [
        ("old.xls", "xls_not_supported", "save the sheet as .xlsx"),
        ("protected.xlsx", "encrypted_workbook", "remove the password"),
        ("empty_first_sheet.xlsx", "empty_file", "first sheet"),
    ],
)
def test_what_is_not_a_readable_workbook_says_what_to_do(name, reason, says):
    error = refused((WORKBOOKS / name).read_bytes())
    assert error.reason == reason and says in error.message


def test_the_content_decides_not_the_name():
    # the same bytes whatever the file was called: a workbook is a workbook
    assert read((WORKBOOKS / "messy.xlsx").read_bytes()).encoding == "xlsx"
    assert read((FIXTURES / "messy.csv").read_bytes()).encoding != "xlsx"
    a_zip = io.BytesIO()
    with zipfile.ZipFile(a_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert refused(a_zip.getvalue()).reason == "not_xlsx"


def _sheet_xml(rows: int) -> str:
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Company {n}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>IT{n:011d}</t></is></c></row>'
        for n in range(2, rows + 2)
    )
    head = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>company_name</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>vat_number</t></is></c></row>'
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{head}{cells}</sheetData></worksheet>"
    )


def _workbook(rows: int, padding_bytes: int = 0) -> bytes:
    """A minimal workbook with `rows` data rows; `padding_bytes` of zeros in an extra
    part make it a zip bomb."""
    out = io.BytesIO()
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="r1" '
            f'Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/'
            '2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="r1" '
            f'Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", _sheet_xml(rows))
        if padding_bytes:
            with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
                chunk = b"\0" * (1 << 20)
                for _ in range(padding_bytes >> 20):
                    part.write(chunk)
    return out.getvalue()


def test_1000_rows_are_read_and_1001_refused_while_reading():
    assert len(read(_workbook(1000)).records) == 1000
    error = refused(_workbook(1001))
    assert error.reason == "too_many_rows" and error.details["limit_rows"] == 1000


def test_a_zip_bomb_is_refused_from_its_directory_without_expanding_it():
    bomb = _workbook(1, padding_bytes=256 << 20)
    assert len(bomb) < 1 << 20  # under 1 MiB on the wire, 256 MiB expanded
    tracemalloc.start()
    try:
        error = refused(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "workbook_too_large"
    assert peak < 8 << 20  # the bomb never expanded in memory


def test_two_headers_that_alias_one_column_in_a_workbook_are_duplicated():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Ragione sociale", "Company", "P.IVA"])
    book.active.append(["A", "B", "IT00000010017"])
    out = io.BytesIO()
    book.save(out)
    error = refused(out.getvalue())
    assert error.reason == "invalid_columns" and error.details["duplicated"] == ["company_name"]


@pytest.mark.parametrize("kind", [DISTRIBUTORS, USERS], ids=lambda k: k.name)
def test_the_workbook_template_reads_back_as_its_rows_and_explains_its_columns(kind):
    from openpyxl import load_workbook

    data = template_workbook(kind)
    table = read(data, kind)
    assert table.columns == kind.column_names
    assert [r.cells for r in table.records] == [
        {c: row.get(c, "") for c in kind.column_names} for row in kind.template_rows
    ]
    book = load_workbook(io.BytesIO(data))
    sheet, guide = book.worksheets
    for index, column in enumerate(kind.columns, start=1):
        assert (sheet.cell(2, index).number_format == "@") is column.as_text
    rows = list(guide.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(kind.column_names)
    assert all(r[2] and r[3] for r in rows)  # Italian and English for every column
