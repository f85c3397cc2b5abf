"""VAT identity and check digits (CONTRACT sections 2 and 7).

Two VATs are the same when their identities are equal. The identity is the text
after Unicode NFKC with every separator removed (any space, any `Cf` format
character, any `Pd` dash, `.`), upper-cased; it must be ASCII letters and digits,
so a look-alike (Cyrillic `І`, Arabic-Indic digits) is refused rather than becoming
a second record. Only `unicodedata` is imported here: python-stdnum is loaded on the
first check, so a cold start that checks no VAT does not pay for it.
"""

from __future__ import annotations

import unicodedata
from importlib import import_module

_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Pd"})

# Prefixes python-stdnum checks, written out so that this module imports nothing heavy
# (tests/unit/test_vat_identity.py holds the list against stdnum's own): the EU member
# states (Greece as EL, and GR, which stdnum also takes), XI, then GB, CH and NO.
# fmt: off
EU_PREFIXES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
})
# fmt: on
# prefix -> (module for the VAT with its suffix, suffixes, module for the bare number):
# `CHE107787577` and `NO995525828` carry the same check digits as their `MWST`/`MVA` forms
_SUFFIXED: dict[str, tuple[str, tuple[str, ...], str]] = {
    "CH": ("stdnum.ch.vat", ("MWST", "TVA", "IVA", "TPV"), "stdnum.ch.uid"),
    "NO": ("stdnum.no.mva", ("MVA",), "stdnum.no.orgnr"),
}


def _is_separator(ch: str) -> bool:
    return ch == "." or ch.isspace() or unicodedata.category(ch) in _SEPARATOR_CATEGORIES


def _compact(vat: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", vat) if not _is_separator(ch))


def vat_key(vat: str) -> str:
    """`it 123.456`, `IT\\u200b123456`, fullwidth `ＩＴ１２３４５６` -> `IT123456`.

    Defined for any text (search terms and guards use it); `vat_identity` says whether
    the key is a usable identity.
    """
    return _compact(vat).upper()


def vat_identity(vat: str) -> str | None:
    """The VAT's identity, or None when it has none (blank) or is not ASCII letters and
    digits. ASCII is checked before upper-casing: `ß` -> `SS` or dotless `ı` -> `I`
    would otherwise slip a non-ASCII spelling in."""
    compact = _compact(vat)
    if not compact or not (compact.isascii() and compact.isalnum()):
        return None
    return compact.upper()


def check_digits_hold(identity: str) -> bool:
    """The check digits of an identity with a checked prefix; True for any other."""
    prefix = identity[:2]
    if prefix in EU_PREFIXES:
        module = "stdnum.eu.vat"
    elif prefix == "GB":
        module = "stdnum.gb.vat"
    elif prefix in _SUFFIXED:
        suffixed, suffixes, bare = _SUFFIXED[prefix]
        module = suffixed if identity.endswith(suffixes) else bare
        if prefix == "NO" and module == bare:
            identity = identity[2:]  # the organisation number has no prefix
    else:
        return True
    return bool(import_module(module).is_valid(identity))


def vat_problem(vat: str, *, check_digits: bool) -> str | None:
    """None for a usable VAT, else the error code: `required` (nothing but separators)
    or `invalid_format` (not ASCII letters and digits, or check digits that fail)."""
    compact = _compact(vat)
    if not compact:
        return "required"
    if not (compact.isascii() and compact.isalnum()):
        return "invalid_format"
    if check_digits and not check_digits_hold(compact.upper()):
        return "invalid_format"
    return None
