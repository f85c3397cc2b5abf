"""Email (email-validator, syntax only) and phone (phonenumbers) as CONTRACT section 7 has
them, through the rules the API and the import share."""

import pytest

from orgimport.imports.csv_reader import CsvRecord
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.contact_rules import is_possible_phone, is_valid_email
from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from tests.unit.judging import judge_rows
from tests.vats import it_vat

MALFORMED_EMAILS = ["a..b@x.it", ".a@x.it", "a@x..it", "Mario <m@x.it>", "a@b"]
VALID_EMAILS = [
    "nome.cognome+tag@example.co.uk",
    "m@x.it",
    "mario.rossi@example.com",
    "o'brien@example.ie",
    "mario@città.it",
]
# `+39 02 123` is five digits of a Milan number: too short for Italy, so not possible
INVALID_PHONES = [
    "+1 (((((((",
    "+39 02 123",
    "02 1234 5678",  # no `+`, no country code
    "0039 02 1234 5678",
    "+39 02 ABCD 5678",  # letters
    "+1 800 FLOWERS",  # a vanity number phonenumbers would read as digits
    "+1 555 1234",  # possible only dialled locally, never after a `+`
    "+999 1234 5678",  # no such country code
    "+39 02.1234.5678",  # a character the contract does not list
    "+",
]
VALID_PHONES = ["+39 02 1234 5678", "+39 (02) 1234-5678", "+39 333 123 4567", "+44 20 7946 0958"]


@pytest.mark.parametrize("email", MALFORMED_EMAILS)
def test_malformed_emails_are_refused(email):
    assert not is_valid_email(email)


@pytest.mark.parametrize("email", VALID_EMAILS)
def test_plain_addresses_are_accepted(email):
    assert is_valid_email(email)


@pytest.mark.parametrize("phone", INVALID_PHONES)
def test_a_phone_needs_a_plus_a_country_code_and_a_possible_number(phone):
    assert not is_possible_phone(phone)


@pytest.mark.parametrize("phone", VALID_PHONES)
def test_possible_international_numbers_are_accepted(phone):
    assert is_possible_phone(phone)


def api_codes(**fields: str) -> list[tuple[str, str, object]]:
    data = DistributorFields(name="Acme", vat=it_vat(1), **fields).cleaned()
    return [(e.key, e.message, e.value) for e in field_errors(data)]


@pytest.mark.parametrize("email", MALFORMED_EMAILS)
def test_the_api_reports_a_malformed_email_as_invalid_format(email):
    assert api_codes(email=email) == [("custom_data.email", "invalid_format", email)]


@pytest.mark.parametrize("phone", INVALID_PHONES)
def test_the_api_reports_an_impossible_phone_as_invalid_format(phone):
    assert api_codes(phone=phone) == [("custom_data.phone", "invalid_format", phone)]


@pytest.mark.parametrize(
    ("column", "value"),
    [("email", e) for e in MALFORMED_EMAILS] + [("phone", p) for p in INVALID_PHONES],
)
def test_the_import_reports_the_same_code_with_the_value(column, value):
    cells = dict.fromkeys(DISTRIBUTOR_COLUMNS, "")
    cells.update(company_name="Acme", vat_number=it_vat(1), **{column: value})
    (verdict,) = judge_rows(
        DISTRIBUTORS, [CsvRecord(row_number=2, cells=cells, extra_cells=())], {}
    )
    assert [(d.field, d.message, d.values) for d in verdict.errors] == [
        (column, "invalid_format", (value,))
    ]


def test_what_is_stored_is_what_was_entered_trimmed():
    data = DistributorFields(
        name="Acme", vat=it_vat(1), email=" Nome.Cognome@Example.COM ", phone=" +39 (02) 1234-5678 "
    ).cleaned()
    assert field_errors(data) == []
    assert (data.email, data.phone) == ("Nome.Cognome@Example.COM", "+39 (02) 1234-5678")


def test_an_over_long_phone_is_too_long_only():
    phone = "+39 " + "1" * 252  # 256 characters
    assert api_codes(phone=phone) == [("custom_data.phone", "too_long", phone)]
