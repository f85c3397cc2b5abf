"""The VAT identity of CONTRACT section 7: Unicode variants of one stored VAT are that
VAT or `invalid_format`, never a second identity; check digits by python-stdnum."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orgimport.core.config import settings
from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from orgimport.kinds.organizations.rules import lookup_key
from orgimport.kinds.organizations.vat import EU_PREFIXES, vat_identity, vat_key, vat_problem
from tests.vats import CH_VAT, DE_VAT, FR_VAT, GB_VAT, NO_VAT, it_vat

ROOT = Path(__file__).resolve().parents[2]
STORED = it_vat(4242)  # IT00042430017
DIGITS = STORED[2:]


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def digits_in(zero: int, text: str = DIGITS) -> str:
    """`text` written with the decimal digits of another script (`zero` is its 0)."""
    return "".join(chr(zero + int(c)) for c in text)


SAME = "same"
INVALID = "invalid_format"

# (how the stored VAT is written, what it must be)
VARIANTS = [
    pytest.param(f"IT\u200b{DIGITS}", SAME, id="zero-width space"),
    pytest.param(f"IT{DIGITS[:5]}\u00ad{DIGITS[5:]}", SAME, id="soft hyphen"),
    pytest.param(f"IT\u2011{DIGITS}", SAME, id="non-breaking hyphen U+2011"),
    pytest.param(f"IT\u2010{DIGITS}", SAME, id="hyphen U+2010"),
    pytest.param(f"IT\u2013{DIGITS}", SAME, id="en dash"),
    pytest.param(f"IT\u2014{DIGITS}", SAME, id="em dash"),
    pytest.param(f"IT\uff0d{DIGITS}", SAME, id="fullwidth hyphen-minus"),
    pytest.param(f"IT\u00a0{DIGITS}", SAME, id="no-break space"),
    pytest.param(f"IT\u2009{DIGITS[:5]}\u2009{DIGITS[5:]}", SAME, id="thin spaces"),
    pytest.param(f"IT\u202f{DIGITS}", SAME, id="narrow no-break space"),
    pytest.param(f"IT\u3000{DIGITS}", SAME, id="ideographic space"),
    pytest.param(f"\ufeff{STORED}", SAME, id="byte order mark"),
    pytest.param(f"IT\u2060{DIGITS}", SAME, id="word joiner"),
    pytest.param(f"IT\t{DIGITS}", SAME, id="tab"),
    pytest.param(fullwidth(STORED), SAME, id="fullwidth letters and digits"),
    pytest.param("IT" + digits_in(0x1D7CE), SAME, id="mathematical bold digits"),
    pytest.param(STORED.lower(), SAME, id="lower case"),
    pytest.param(f"it {DIGITS[:3]}.{DIGITS[3:6]}-{DIGITS[6:]}", SAME, id="dots spaces hyphens"),
    pytest.param("\u0406T" + DIGITS, INVALID, id="Cyrillic I"),
    pytest.param("I\u0422" + DIGITS, INVALID, id="Cyrillic T"),
    pytest.param("\u0399T" + DIGITS, INVALID, id="Greek iota"),
    pytest.param("\u0131t" + DIGITS, INVALID, id="dotless i upper-cases to I"),
    pytest.param("IT" + digits_in(0x0660), INVALID, id="Arabic-Indic digits"),
    pytest.param("IT" + digits_in(0x06F0), INVALID, id="Extended Arabic-Indic digits"),
    pytest.param("IT" + digits_in(0x0966), INVALID, id="Devanagari digits"),
    pytest.param(f"IT{DIGITS[:-1]}" + digits_in(0x0660, DIGITS[-1]), INVALID, id="one Arabic"),
    pytest.param(f"IT\x00{DIGITS}", INVALID, id="NUL"),
    pytest.param(f"IT\u2212{DIGITS}", INVALID, id="minus sign U+2212"),
    pytest.param(f"IT{DIGITS[:5]}/{DIGITS[5:]}", INVALID, id="slash"),
]


@pytest.mark.parametrize(("written", "expected"), VARIANTS)
def test_a_variant_of_a_stored_vat_is_that_vat_or_invalid_never_another(written, expected):
    if expected == SAME:
        assert vat_identity(written) == STORED
        assert vat_key(written) == STORED
        assert vat_problem(written, check_digits=True) is None
    else:
        assert vat_identity(written) is None
        assert vat_problem(written, check_digits=True) == INVALID
        assert vat_problem(written, check_digits=False) == INVALID  # VAT_CHECK=none too


def test_there_are_at_least_26_variants():
    assert len(VARIANTS) >= 26


@pytest.mark.parametrize(("written", "expected"), VARIANTS)
def test_the_api_rules_give_each_variant_its_code(written, expected):
    errors = field_errors(DistributorFields(name="Acme", vat=written).cleaned())
    codes = [(e.key, e.message) for e in errors]
    assert codes == ([] if expected == SAME else [("custom_data.vat", INVALID)])


@pytest.mark.parametrize(
    "written", ["", " ", "\u200b", "\u00ad\u2060", " . - ", "\u3000\ufeff"], ids=repr
)
def test_nothing_but_separators_is_required(written):
    assert vat_problem(written, check_digits=True) == "required"


def test_a_non_ascii_vat_is_never_looked_up_in_the_store():
    assert lookup_key("\u0406T" + DIGITS) is None
    assert lookup_key(f" IT\u200b{DIGITS} ") == STORED


# --- check digits ---------------------------------------------------------------------------


def wrong_last_digit(vat: str) -> str:
    last = vat[-1]
    return vat[:-1] + str((int(last) + 1) % 10)


CHECKED = [
    pytest.param(STORED, id="IT"),
    pytest.param(DE_VAT, id="DE"),
    pytest.param(FR_VAT, id="FR"),
    pytest.param("EL094259216", id="EL"),
    pytest.param("GR094259216", id="GR, which stdnum takes for Greece too"),
    pytest.param("XI980780684", id="XI"),
    pytest.param(GB_VAT, id="GB"),
    pytest.param(CH_VAT, id="CH UID"),
    pytest.param("CHE-107.787.577 MWST", id="CH with MWST"),
    pytest.param(NO_VAT, id="NO with MVA"),
    pytest.param("NO 995 525 828", id="NO organisation number"),
]


@pytest.mark.parametrize("vat", CHECKED)
def test_valid_check_digits_pass(vat):
    assert vat_problem(vat, check_digits=True) is None


@pytest.mark.parametrize(
    "vat",
    [
        pytest.param(wrong_last_digit(STORED), id="IT"),
        pytest.param("IT01234567890", id="IT, the old README example"),
        pytest.param(wrong_last_digit(DE_VAT), id="DE"),
        pytest.param("FR41303265045", id="FR"),
        pytest.param("EL094259217", id="EL"),
        pytest.param("GR094259217", id="GR"),
        pytest.param("XI980780685", id="XI"),
        pytest.param(wrong_last_digit(GB_VAT), id="GB"),
        pytest.param(wrong_last_digit(CH_VAT), id="CH UID"),
        pytest.param("CHE-107.787.578 MWST", id="CH with MWST"),
        pytest.param("NO995525829MVA", id="NO with MVA"),
        pytest.param("NO995525829", id="NO organisation number"),
        pytest.param("ITALIA", id="IT and letters"),
    ],
)
def test_wrong_check_digits_are_invalid_format_unless_checking_is_off(vat):
    assert vat_problem(vat, check_digits=True) == INVALID
    assert vat_problem(vat, check_digits=False) is None


@pytest.mark.parametrize("vat", ["US123456", "123456", "us-12.34", "ZZ0000", "VAT1"])
def test_a_prefix_stdnum_cannot_check_is_only_normalised(vat):
    assert vat_problem(vat, check_digits=True) is None
    assert vat_identity(vat) == vat.upper().replace("-", "").replace(".", "")


def test_the_eu_prefixes_are_stdnums_member_states_with_el():
    from stdnum.eu.vat import MEMBER_STATES

    assert {code.upper() for code in MEMBER_STATES} | {"EL"} == EU_PREFIXES


# --- VAT_CHECK --------------------------------------------------------------------------------


@pytest.fixture
def vat_check(monkeypatch):
    def set_to(value: str) -> None:
        monkeypatch.setenv("VAT_CHECK", value)
        settings.cache_clear()

    yield set_to
    monkeypatch.delenv("VAT_CHECK", raising=False)
    settings.cache_clear()


def codes_for(vat: str, **kwargs) -> list[tuple[str, str]]:
    fields = DistributorFields(name="Acme", vat=vat).cleaned()
    return [(e.key, e.message) for e in field_errors(fields, **kwargs)]


def test_the_rules_verify_check_digits_by_default(vat_check):
    vat_check("checksum")
    assert codes_for(wrong_last_digit(STORED)) == [("custom_data.vat", INVALID)]
    assert codes_for(STORED) == []


def test_vat_check_none_only_normalises_but_still_refuses_non_ascii(vat_check):
    vat_check("none")
    assert codes_for(wrong_last_digit(STORED)) == []
    assert codes_for("\u0406T" + DIGITS) == [("custom_data.vat", INVALID)]


def test_a_vat_the_record_already_holds_is_not_checked_again(vat_check):
    vat_check("checksum")
    legacy = wrong_last_digit(STORED)
    assert codes_for(legacy, vat_unchanged=True) == []
    assert codes_for("\u0406T" + DIGITS, vat_unchanged=True) == [("custom_data.vat", INVALID)]


def test_importing_the_vat_module_loads_no_stdnum():
    code = (
        "import sys, orgimport.kinds.organizations.vat, orgimport.kinds.organizations.fields; "
        + (
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('stdnum', 'phonenumbers', 'email_validator')))"
        )
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "layers" / "common")},
    )
    assert done.stdout.strip() == "[]"
