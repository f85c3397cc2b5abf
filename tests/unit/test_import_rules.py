"""Row rules of the import, one table per rule: records and holders in, verdicts out."""

from __future__ import annotations

from typing import Any

import pytest

from orgimport.imports.csv_reader import CsvRecord
from orgimport.imports.judge import keys_of
from orgimport.imports.session import RowVerdict
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.rules import changes_against, lookup_key
from tests.unit.judging import judge_rows
from tests.vats import DE_VAT, it_vat

HELD = it_vat(555)  # the VAT a stored distributor holds, and other spellings of it
HELD_SPACED = f"it {HELD[2:7]} {HELD[7:]}"
HELD_UPPER_SPACED = f"IT {HELD[2:]}"
HELD_HYPHENED = f"it-{HELD[2:]}"
DUP = it_vat(123455)
NINE = it_vat(9)
ONE = it_vat(1)


def record(row_number: int = 2, extra: tuple[str, ...] = (), **cells: str) -> CsvRecord:
    full = dict.fromkeys(DISTRIBUTOR_COLUMNS, "")
    full.update({"company_name": "Acme", "vat_number": it_vat(row_number)})
    full.update(cells)
    return CsvRecord(row_number=row_number, cells=full, extra_cells=extra)


def holder(vat: str, *, archived: bool = False, id: str = "d1", **fields: Any) -> Organization:
    values = {"name": "Stored", "vat": vat, **fields}
    return Organization(
        id=id,
        fields=DistributorFields(**values).cleaned(),
        created_at="2026-01-01T00:00:00.000Z",
        updated_at="2026-01-01T00:00:00.000Z",
        created_by_user="u0",
        created_by_org="o0",
        deleted_at="2026-02-01T00:00:00.000Z" if archived else None,
    )


def judge_one(rec: CsvRecord, holders: dict[str, Organization] | None = None) -> RowVerdict:
    (verdict,) = judge_rows(DISTRIBUTORS, [rec], holders or {})
    return verdict


def diagnostics(verdict: RowVerdict) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(d.field, d.message, d.values) for d in verdict.errors]


# --- field rules: (cells, expected errors as (field, code, values)) ----------------------------

FIELD_CASES = [
    pytest.param({}, [], id="a plain row is valid"),
    pytest.param({"company_name": "  "}, [("company_name", "required", ())], id="blank name"),
    pytest.param({"vat_number": ""}, [("vat_number", "required", ())], id="blank vat"),
    pytest.param(
        {"company_name": "", "vat_number": " "},
        [("company_name", "required", ()), ("vat_number", "required", ())],
        id="both required, in column order",
    ),
    pytest.param(
        {"email": "Mario Rossi <mario@example.com>"},
        [("email", "invalid_format", ("Mario Rossi <mario@example.com>",))],
        id="email with a display name",
    ),
    pytest.param({"email": "mario@example"}, [("email", "invalid_format", ("mario@example",))]),
    pytest.param({"email": "mario.rossi@example.co.uk"}, [], id="plain email"),
    pytest.param(
        {"phone": "0212345678"},
        [("phone", "invalid_format", ("0212345678",))],
        id="phone without plus",
    ),
    pytest.param({"phone": "+39 (02) 123-4567"}, [], id="phone with spaces, dashes, brackets"),
    pytest.param({"phone": "+123456"}, [("phone", "invalid_format", ("+123456",))], id="6 digits"),
    pytest.param({"language": "EN"}, [], id="language EN is en"),
    pytest.param({"language": " It "}, [], id="language It trimmed"),
    pytest.param({"language": ""}, [], id="empty language defaults to it"),
    pytest.param({"language": "fr"}, [("language", "invalid_format", ("fr",))], id="language fr"),
    pytest.param({"company_name": "è" * 255}, [], id="255 multibyte chars fit"),
    pytest.param({"company_name": "😀" * 255}, [], id="255 emoji (1020 bytes) fit"),
    pytest.param(
        {"company_name": "è" * 256},
        [("company_name", "too_long", ("è" * 256,))],
        id="256 multibyte chars",
    ),
    pytest.param({"description": "é" * 500}, [], id="description at 500"),
    pytest.param(
        {"description": "é" * 501}, [("description", "too_long", ("é" * 501,))], id="desc 501"
    ),
    pytest.param({"notes": "ß" * 1000}, [], id="notes at 1000"),
    pytest.param({"notes": "ß" * 1001}, [("notes", "too_long", ("ß" * 1001,))], id="notes 1001"),
    pytest.param({"city": "ü" * 256}, [("city", "too_long", ("ü" * 256,))], id="city 256"),
    pytest.param(
        {"address": "a" * 256, "main_contact": "m" * 256},
        [("address", "too_long", ("a" * 256,)), ("main_contact", "too_long", ("m" * 256,))],
        id="two long columns",
    ),
    pytest.param(
        {"vat_number": "I" * 256}, [("vat_number", "too_long", ("I" * 256,))], id="vat 256"
    ),
    pytest.param(
        {"email": "a" * 250 + "@x.com"},
        [("email", "too_long", ("a" * 250 + "@x.com",))],
        id="an over-long email is too_long only",
    ),
]


@pytest.mark.parametrize(("cells", "expected"), FIELD_CASES)
def test_field_rules_report_the_column_code_and_value(cells, expected):
    verdict = judge_one(record(**cells))
    assert diagnostics(verdict) == expected
    assert verdict.status == ("error" if expected else "valid")


def test_data_echoes_the_cells_as_typed_and_trimmed():
    verdict = judge_one(record(language="EN", company_name="  Acme  ", city=" Forlì "))
    assert verdict.data["language"] == "EN"
    assert verdict.data["company_name"] == "Acme"
    assert verdict.data["city"] == "Forlì"
    assert list(verdict.data) == list(DISTRIBUTOR_COLUMNS)


def test_required_has_no_values_in_the_report():
    verdict = judge_one(record(company_name=""))
    assert verdict.as_json()["errors"] == [{"field": "company_name", "message": "required"}]


# --- duplicate_in_csv: VAT identity, first row number ------------------------------------------

DUPLICATE_CASES = [
    pytest.param([DUP, DUP], {3: (DUP, "2")}, id="same text"),
    pytest.param(
        [f"IT {DUP[2:6]}.{DUP[6:9]}.{DUP[9:]}", DUP.lower(), f"IT-{DUP[2:6]}-{DUP[6:]}"],
        {3: (DUP.lower(), "2"), 4: (f"IT-{DUP[2:6]}-{DUP[6:]}", "2")},
        id="same identity, spaces dots hyphens case",
    ),
    pytest.param([DUP, it_vat(123456)], {}, id="different identities"),
    pytest.param(["", ""], {}, id="blank VATs are required, not duplicates"),
]


@pytest.mark.parametrize(("vats", "expected"), DUPLICATE_CASES)
def test_duplicate_in_csv_compares_vat_identity_and_names_the_first_row(vats, expected):
    records = [record(row_number=i + 2, vat_number=v) for i, v in enumerate(vats)]
    verdicts = judge_rows(DISTRIBUTORS, records, {})
    found = {
        v.row_number: d.values
        for v in verdicts
        for d in v.errors
        if d.message == "duplicate_in_csv"
    }
    assert found == expected


def test_duplicate_names_the_first_row_even_when_that_row_has_errors():
    records = [
        record(row_number=2, vat_number=NINE, email="bad"),
        record(row_number=7, vat_number=f"it {NINE[2:]}"),
    ]
    first, second = judge_rows(DISTRIBUTORS, records, {})
    assert first.status == "error" and all(d.message != "duplicate_in_csv" for d in first.errors)
    assert diagnostics(second) == [("vat_number", "duplicate_in_csv", (f"it {NINE[2:]}", "2"))]


# --- against the store: archived (error) vs active (warning) -----------------------------------

HOLDER_CASES = [
    pytest.param(True, "error", [("vat_number", "archived", (HELD_SPACED,))], [], id="archived"),
    pytest.param(
        False, "warning", [], [("vat_number", "already_exists", (HELD_SPACED,))], id="active"
    ),
]


@pytest.mark.parametrize(("archived", "status", "errors", "warnings"), HOLDER_CASES)
def test_a_vat_held_in_the_store_is_archived_error_or_already_exists_warning(
    archived, status, errors, warnings
):
    verdict = judge_one(record(vat_number=HELD_SPACED), {HELD: holder(HELD, archived=archived)})
    assert verdict.status == status
    assert diagnostics(verdict) == errors
    assert [(d.field, d.message, d.values) for d in verdict.warnings] == warnings


def test_warning_row_names_the_holder_to_update_and_what_would_change():
    stored = holder(HELD, name="Old Name", email="old@example.com", city="Roma", id="dist-1")
    verdict = judge_one(
        record(
            vat_number=HELD_UPPER_SPACED,
            company_name="New Name",
            email="new@example.com",
            city="Roma",
        ),
        {HELD: stored},
    )
    assert verdict.status == "warning"
    assert verdict.existing_id == "dist-1" and verdict.existing_key == HELD
    assert verdict.changes == {
        "company_name": {"from": "Old Name", "to": "New Name"},
        "email": {"from": "old@example.com", "to": "new@example.com"},
    }
    assert verdict.as_json()["changes"] == verdict.changes


def test_changes_show_cleared_cells_and_ignore_the_vat_and_a_defaulted_language():
    stored = holder(HELD, name="Same", notes="keep me?", language="it")
    fields = DistributorFields(name="Same", vat=HELD_HYPHENED, notes="  ", language="").cleaned()
    assert changes_against(fields, stored) == {"notes": {"from": "keep me?", "to": None}}


def test_an_identical_row_has_no_changes():
    stored = holder(HELD, name="Acme", language="en")
    verdict = judge_one(record(vat_number=HELD, language="EN"), {HELD: stored})
    assert verdict.status == "warning" and verdict.changes == {}


def test_an_error_row_lists_its_warning_but_targets_no_update():
    verdict = judge_one(record(vat_number=HELD, phone="123"), {HELD: holder(HELD)})
    assert verdict.status == "error"
    assert [d.message for d in verdict.warnings] == ["already_exists"]
    assert verdict.existing_id is None and verdict.changes is None


def test_a_duplicate_of_a_held_vat_is_an_error_with_the_warning():
    records = [record(row_number=2, vat_number=HELD), record(row_number=3, vat_number=HELD)]
    first, second = judge_rows(DISTRIBUTORS, records, {HELD: holder(HELD)})
    assert first.status == "warning"
    assert second.status == "error"
    assert diagnostics(second) == [("vat_number", "duplicate_in_csv", (HELD, "2"))]
    assert [d.message for d in second.warnings] == ["already_exists"]


# --- extra cells, status precedence, lookups ---------------------------------------------------


def test_non_blank_cells_beyond_the_header_make_an_error_row():
    verdict = judge_one(record(extra=("spilled", "over")))
    assert verdict.status == "error"
    assert diagnostics(verdict) == [("row", "too_many_cells", ("10", "2"))]


STATUS_CASES = [
    pytest.param({}, {}, "valid", id="nothing found"),
    pytest.param({}, {HELD: holder(HELD)}, "warning", id="warning only"),
    pytest.param({"email": "x"}, {}, "error", id="error only"),
    pytest.param({"email": "x"}, {HELD: holder(HELD)}, "error", id="error beats warning"),
]


@pytest.mark.parametrize(("cells", "holders", "status"), STATUS_CASES)
def test_status_precedence_is_error_then_warning_then_valid(cells, holders, status):
    assert judge_one(record(vat_number=HELD, **cells), holders).status == status


def test_lookup_keys_are_distinct_identities_without_blank_or_over_long_vats():
    records = [
        record(row_number=2, vat_number=f"IT {ONE[2:]}"),
        record(row_number=3, vat_number=f"it-{ONE[2:]}"),
        record(row_number=4, vat_number=DE_VAT),
        record(row_number=5, vat_number=""),
        record(row_number=6, vat_number="X" * 256),
    ]
    assert keys_of(DISTRIBUTORS, records) == {ONE, DE_VAT}
    assert lookup_key(" . - ") is None


def test_verdicts_keep_file_order_and_row_numbers():
    records = [record(row_number=n) for n in (2, 3, 5, 9)]
    assert [v.row_number for v in judge_rows(DISTRIBUTORS, records, {})] == [2, 3, 5, 9]
