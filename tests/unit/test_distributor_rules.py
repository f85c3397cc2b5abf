"""The distributor field rules and VAT identity, without AWS."""

import pytest

from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from orgimport.kinds.organizations.vat import vat_key
from tests.vats import it_vat

VAT = it_vat(1)


def codes(fields: DistributorFields) -> list[tuple[str, str]]:
    return [(e.key, e.message) for e in field_errors(fields.cleaned())]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("it 012.345.600.17", "IT01234560017"),
        (" IT-0123456 0017 ", "it01234560017"),
        ("de.136-695.976", "DE136695976"),
    ],
)
def test_vat_identity_ignores_case_spaces_dots_and_hyphens(a, b):
    assert vat_key(a) == vat_key(b)


def test_vat_identity_keeps_other_characters_apart():
    assert vat_key("IT012345/60017") != vat_key("IT01234560017")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (DistributorFields(name="Acme", vat=VAT), []),
        (DistributorFields(name="", vat=VAT), [("name", "required")]),
        (DistributorFields(name="Acme", vat="   "), [("custom_data.vat", "required")]),
        (DistributorFields(name="Acme", vat=" . - "), [("custom_data.vat", "required")]),
        (DistributorFields(name="x" * 255, vat=VAT), []),
        (DistributorFields(name="x" * 256, vat=VAT), [("name", "too_long")]),
        (DistributorFields(name="è" * 255, vat=VAT), []),  # characters, not bytes
        (
            DistributorFields(name="A", vat=VAT, description="d" * 501),
            [("description", "too_long")],
        ),
        (DistributorFields(name="A", vat=VAT, notes="n" * 1000), []),
        (
            DistributorFields(name="A", vat=VAT, notes="n" * 1001),
            [("custom_data.notes", "too_long")],
        ),
        (
            DistributorFields(name="A", vat=VAT, city="c" * 256),
            [("custom_data.city", "too_long")],
        ),
        (DistributorFields(name="A", vat=VAT, email="a@b.it"), []),
        (
            DistributorFields(name="A", vat=VAT, email="Mario Rossi <m@b.it>"),
            [("custom_data.email", "invalid_format")],
        ),
        (
            DistributorFields(name="A", vat=VAT, email="nope"),
            [("custom_data.email", "invalid_format")],
        ),
        (DistributorFields(name="A", vat=VAT, phone="+39 (02) 123-4567"), []),
        (
            DistributorFields(name="A", vat=VAT, phone="02 1234567"),
            [("custom_data.phone", "invalid_format")],
        ),
        (
            DistributorFields(name="A", vat=VAT, phone="+123"),
            [("custom_data.phone", "invalid_format")],
        ),
        (DistributorFields(name="A", vat=VAT, language="EN"), []),
        (
            DistributorFields(name="A", vat=VAT, language="fr"),
            [("custom_data.language", "invalid_format")],
        ),
    ],
)
def test_field_rules_give_the_contract_codes(fields, expected):
    assert sorted(codes(fields)) == sorted(expected)


def test_cleaning_trims_blanks_to_none_and_defaults_language():
    cleaned = DistributorFields(name="  Acme ", vat=f" {VAT} ", city="  ", language="").cleaned()
    assert (cleaned.name, cleaned.vat, cleaned.city, cleaned.language) == (
        "Acme",
        VAT,
        None,
        "it",
    )


def test_known_language_is_stored_lower_case():
    assert DistributorFields(language=" EN ").cleaned().language == "en"
