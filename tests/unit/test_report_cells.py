"""Report cells a spreadsheet never evaluates, and phones it shows as text (CONTRACT 7).

The LibreOffice test converts a real report with Calc (`make unit` installs it; run bare,
pytest skips it where `soffice` is missing).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from orgimport.imports.report import ImportReport, csv_columns, neutralise
from orgimport.imports.session import ImportSession, RowOutcome, RowVerdict
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from tests.vats import it_vat


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "x;=1+1",
        "a,=b",
        "a\t=b",
        "Rossi;-2",
        "nota,@x",
        "+39 02 123; =1",  # not a phone: a formula in the making
        "+" + "1" * 21,  # past the phone's 20 characters
    ],
)
def test_a_cell_a_spreadsheet_could_evaluate_gets_a_leading_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("\r=1", "' =1"),
        ("\r\n@x", "' @x"),
        ("a;\r=1", "'a; =1"),
        ("riga uno\r\nriga due\n=1+1", "riga uno riga due =1+1"),
    ],
)
def test_a_line_break_in_a_cell_is_written_as_a_space_after_the_quote_rule(cell, written):
    # measured: one line break in a cell made Calc, splitting on `;`, evaluate the rest
    assert neutralise(cell) == written


@pytest.mark.parametrize("phone", ["+39 02 123", "+39 (02) 123-45", "+1 (555) 010-9999"])
def test_a_phone_becomes_a_text_formula_of_its_own_characters(phone):
    assert neutralise(phone) == f'="{phone}"'


@pytest.mark.parametrize(
    "cell", ["", "Alfa", "Caffè Rossi & C.", "IT 123", "a=b", "3-2", "42", "3.5", "2026-11-27"]
)
def test_plain_text_and_numbers_are_left_as_they_are(cell):
    assert neutralise(cell) == cell


# --- the CSV report --------------------------------------------------------------------------

CELLS = {
    "company_name": "x;=1+1",
    "description": "@SUM(A1)",
    "vat_number": it_vat(7),
    "address": "a,=b",
    "city": "\t=1",
    "main_contact": "-1",
    "email": "mario@example.com",
    "phone": "+39 02 123",
    "language": "it",
    "notes": "riga uno\r\n=1+1",
}


def report(**cells: str) -> ImportReport:
    row = RowVerdict(2, "valid", {**CELLS, **cells}, (), ())
    session = ImportSession(
        import_id="imp-1",
        entity_type=DISTRIBUTORS.name,
        user_id="s3:AWS:X",
        org_id="system",
        created_at=0,
        expires_at=1800,
        rows=[row],
    )
    return ImportReport(
        kind=DISTRIBUTORS,
        import_id="imp-1",
        status="confirmed",
        source={"bucket": "b", "key": "incoming/distributors/a.csv"},
        created_by={"user_id": "s3:AWS:X", "org_id": "system"},
        override=False,
        generated_at=1_790_000_000,
        session=session,
        outcomes=[RowOutcome(2, "created", id="d1")],
    )


def test_the_csv_report_parses_back_to_the_neutralised_cells():
    text = report().csv_bytes().decode("utf-8-sig")

    header, line = list(csv.reader(io.StringIO(text, newline="")))

    assert header == list(csv_columns(DISTRIBUTORS))
    got = dict(zip(header, line, strict=True))
    assert got["row_number"] == "2" and got["outcome"] == "created"
    assert got["company_name"] == "'x;=1+1"
    assert got["address"] == "'a,=b"
    assert got["city"] == "'\t=1"
    assert got["main_contact"] == "'-1"
    assert got["description"] == "'@SUM(A1)"
    assert got["notes"] == "riga uno =1+1"
    assert got["phone"] == '="+39 02 123"'
    assert (got["vat_number"], got["email"]) == (CELLS["vat_number"], "mario@example.com")


def test_every_cell_is_quoted_so_a_semicolon_inside_one_starts_no_cell():
    data = report().csv_bytes().decode("utf-8-sig")
    first_line = data.split("\r\n", 1)[0]
    assert first_line.startswith('"row_number","validation"')
    assert '"\'x;=1+1"' in data and '"=""+39 02 123"""' in data
    assert data.split("\r\n")[1].startswith('"2","valid"')


# --- what a spreadsheet makes of it (LibreOffice Calc, headless) -------------------------------

COMMA, SEMICOLON = "44", "59"


def calc_cells(tmp_path: Path, data: bytes, separator: str) -> list[list[tuple[object, str]]]:
    """The first sheet as Calc opens the CSV with that separator: (shown value, cell type)."""
    from openpyxl import load_workbook

    source = tmp_path / "report.csv"
    source.write_bytes(data)
    out = tmp_path / f"out-{separator}"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            f"--infilter=CSV:{separator},34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    book = out / "report.xlsx"
    shown = load_workbook(book, data_only=True).active
    raw = load_workbook(book).active
    return [
        [(s.value, r.data_type) for s, r in zip(srow, rrow, strict=True)]
        for srow, rrow in zip(shown.iter_rows(), raw.iter_rows(), strict=True)
    ]


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("ORGIMPORT_REQUIRE_TOOLS"),
    reason="LibreOffice Calc is not installed (make unit installs it)",
)
def test_calc_shows_the_phone_as_text_and_evaluates_nothing_the_user_wrote(tmp_path):
    data = report().csv_bytes()

    header, line = calc_cells(tmp_path, data, COMMA)
    cells = dict(zip((value for value, _ in header), line, strict=True))
    assert cells["phone"] == ("+39 02 123", "f")  # our text formula, shown as the phone
    assert cells["company_name"] == ("'x;=1+1", "s")
    assert cells["address"] == ("'a,=b", "s")
    assert cells["main_contact"] == ("'-1", "s")
    formulas = [name for name, (_, kind) in cells.items() if kind == "f"]
    assert formulas == ["phone"]

    # as an Italian spreadsheet opens it, splitting on `;`: nothing starts a formula
    rows = calc_cells(tmp_path, data, SEMICOLON)
    assert all(kind != "f" for row in rows for _, kind in row)
    assert any("x;=1+1" in str(value) for row in rows for value, _ in row)
