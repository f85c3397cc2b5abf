"""The field rules of a distributor, shared by the CRUD API and the import.

Lengths are counted in characters (Python `len` on text), never bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from orgimport.core.config import VAT_CHECKSUM, settings
from orgimport.core.errors import FieldError
from orgimport.core.limits import DESCRIPTION_MAX, NAME_MAX, NOTES_MAX, TEXT_MAX
from orgimport.kinds.organizations.contact_rules import is_possible_phone, is_valid_email
from orgimport.kinds.organizations.vat import vat_problem

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"

# field attribute -> (error key, max length)
_LIMITS: dict[str, tuple[str, int]] = {
    "name": ("name", NAME_MAX),
    "description": ("description", DESCRIPTION_MAX),
    "vat": ("custom_data.vat", TEXT_MAX),
    "address": ("custom_data.address", TEXT_MAX),
    "city": ("custom_data.city", TEXT_MAX),
    "main_contact": ("custom_data.main_contact", TEXT_MAX),
    "email": ("custom_data.email", TEXT_MAX),
    "phone": ("custom_data.phone", TEXT_MAX),
    "notes": ("custom_data.notes", NOTES_MAX),
}


@dataclass(frozen=True)
class DistributorFields:
    """What a client or a CSV row says a distributor is; `None` means empty."""

    name: str | None = None
    description: str | None = None
    vat: str | None = None
    address: str | None = None
    city: str | None = None
    main_contact: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    notes: str | None = None

    def cleaned(self) -> DistributorFields:
        """Trimmed, blanks as None, language lower-cased and defaulted to `it`."""
        values: dict[str, str | None] = {}
        for f in fields(self):
            raw = getattr(self, f.name)
            text = raw.strip() if isinstance(raw, str) else raw
            values[f.name] = text or None
        language = values["language"]
        # known languages are stored lower-case; an unknown one is kept as typed for the report
        if not language:
            values["language"] = DEFAULT_LANGUAGE
        elif language.lower() in LANGUAGES:
            values["language"] = language.lower()
        return replace(self, **values)


def field_errors(data: DistributorFields, *, vat_unchanged: bool = False) -> list[FieldError]:
    """Every rule the (cleaned) fields break, in field order.

    `vat_unchanged`: the VAT is the identity the record already holds, so its check
    digits are not verified again (a VAT stored before the rule stays usable); the
    ASCII rule still applies.
    """
    errors: list[FieldError] = []
    if not data.name:
        errors.append(FieldError("name", "required", data.name))
    vat_code = _vat_code(data.vat, vat_unchanged)
    if vat_code == "required":
        errors.append(FieldError("custom_data.vat", "required", data.vat))
    for attr, (key, limit) in _LIMITS.items():
        value = getattr(data, attr)
        if value is not None and len(value) > limit:
            errors.append(FieldError(key, "too_long", value))
    if vat_code == "invalid_format":
        errors.append(FieldError("custom_data.vat", "invalid_format", data.vat))
    if _within_limit(data.email) and not is_valid_email(data.email or ""):
        errors.append(FieldError("custom_data.email", "invalid_format", data.email))
    if _within_limit(data.phone) and not is_possible_phone(data.phone or ""):
        errors.append(FieldError("custom_data.phone", "invalid_format", data.phone))
    if data.language and data.language not in LANGUAGES:
        errors.append(
            FieldError("custom_data.language", "invalid_format", data.language, LANGUAGES)
        )
    return errors


def _within_limit(value: str | None) -> bool:
    """A present value short enough to judge its format (a longer one is `too_long`)."""
    return bool(value) and len(value or "") <= TEXT_MAX


def _vat_code(vat: str | None, vat_unchanged: bool) -> str | None:
    if not vat:
        return "required"
    if len(vat) > TEXT_MAX:
        return None  # too_long says it; its format is not worth judging
    check_digits = not vat_unchanged and settings().vat_check == VAT_CHECKSUM
    return vat_problem(vat, check_digits=check_digits)
