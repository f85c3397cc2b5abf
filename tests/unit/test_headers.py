"""Headers as people write them (CONTRACT section 11): aliases in English and Italian,
absent optional columns, the report's own columns ignored, Excel's `sep=;` line."""

from __future__ import annotations

import pytest

from orgimport.core.errors import FileRejected
from orgimport.imports.csv_reader import read_csv
from orgimport.imports.headers import header_key
from orgimport.imports.judge import row_data
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.users.kind import USERS
from tests.unit.fakes import FakeOrganizations
from tests.unit.judging import judge_rows
from tests.vats import it_vat


def read(text: str, kind=DISTRIBUTORS):
    return read_csv(
        text.encode("utf-8"),
        expected_columns=kind.column_names,
        required_columns=kind.required_columns,
        aliases=kind.header_table,
    )


@pytest.mark.parametrize(
    ("written", "key"),
    [("Città ", "citta"), ("P.IVA", "p iva"), ("vat_number", "vat number"), ("E-Mail", "e mail")],
)
def test_header_keys_fold_case_accents_and_separators(written, key):
    assert header_key(written) == key


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        ("Ragione sociale;Partita IVA", ("company_name", "vat_number")),
        ("Denominazione,P.IVA,Città,Telefono", ("company_name", "vat_number", "city", "phone")),
        (
            "COMPANY,vat id,E-mail,Referente,Note",
            ("company_name", "vat_number", "email", "main_contact", "notes"),
        ),
        (
            "company-name,VAT_NUMBER,lingua,descrizione,indirizzo,comune",
            ("company_name", "vat_number", "language", "description", "address", "city"),
        ),
    ],
)
def test_columns_are_found_by_their_aliases_and_optional_ones_may_be_absent(header, columns):
    table = read(f"{header}\nAcme,{it_vat(1)}\n")
    assert table.columns == columns
    assert [h.header for h in table.header] == [
        h.strip() for h in header.replace(";", ",").split(",")
    ]


def test_users_columns_have_their_own_aliases():
    table = read("E-mail,Nome,Azienda,Ruoli\na@example.com,Ada,Alfa,Reader\n", USERS)
    assert table.columns == ("email", "name", "company_name", "roles")


def test_two_headers_that_reach_one_column_are_duplicated():
    with pytest.raises(FileRejected) as info:
        read(f"Ragione sociale,Denominazione,Partita IVA\nA,B,{it_vat(1)}\n")
    assert info.value.details["duplicated"] == ["company_name"]


def test_the_report_columns_are_ignored_and_never_unexpected():
    table = read(
        f"import_status,company_name,vat_number,Import Messages\nerror,Acme,{it_vat(1)},x\n"
    )
    assert table.columns == ("", "company_name", "vat_number", "")
    (record,) = table.records
    assert record.cells == {"company_name": "Acme", "vat_number": it_vat(1)}
    assert record.raw == ("error", "Acme", it_vat(1), "x")


def test_excels_sep_line_sets_the_delimiter_and_is_not_the_header():
    table = read(f'"sep=;"\r\ncompany_name;vat_number;notes\r\nAcme, Inc;{it_vat(1)};a,b\r\n')
    assert table.delimiter == ";" and table.sep_line
    (record,) = table.records
    assert record.row_number == 2
    assert record.cells["company_name"] == "Acme, Inc" and record.cells["notes"] == "a,b"


def test_an_absent_column_is_left_out_of_the_row_and_changes_show_only_the_present_ones():
    holders = FakeOrganizations()
    held = holders.seed("Old Name", it_vat(1))
    table = read(f"company_name,vat_number,city\nNew Name,{it_vat(1)},\n")
    (record,) = table.records
    assert row_data(DISTRIBUTORS, record) == {
        "company_name": "New Name",
        "vat_number": it_vat(1),
        "city": "",
    }
    (verdict,) = judge_rows(DISTRIBUTORS, table.records, {held.vat_key: held})
    # notes, email... are absent: kept; city is present and empty: it clears (already None)
    assert verdict.changes == {"company_name": {"from": "Old Name", "to": "New Name"}}
