"""The field rules of a distributor, shared by the CRUD API and the import.

Lengths are counted in characters (Python `len` on text), never bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from orgimport.errors import FieldError
from orgimport.limits import DESCRIPTION_MAX, NAME_MAX, NOTES_MAX, TEXT_MAX
from orgimport.vat import vat_key

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"

# A plain address: no display name, no spaces, a dotted domain.
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")
_PHONE = re.compile(r"^\+[0-9 \-()]{7,20}$")

# field attribute -> (error key, max length)
_LIMITS: dict[str, tuple[str, int]] = {
    "name": ("name", NAME_MAX),
    "description": ("description", DESCRIPTION_MAX),
    "vat": ("custom_data.vat", TEXT_MAX),
    "address": ("custom_data.address", TEXT_MAX),
    "city": ("custom_data.city", TEXT_MAX),
    "main_contact": ("custom_data.main_contact", TEXT_MAX),
    "email": ("custom_data.email", TEXT_MAX),
    "notes": ("custom_data.notes", NOTES_MAX),
}
FIELD_KEYS: dict[str, str] = {
    **{attr: key for attr, (key, _) in _LIMITS.items()},
    "phone": "custom_data.phone",
    "language": "custom_data.language",
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


def field_errors(data: DistributorFields) -> list[FieldError]:
    """Every rule the (cleaned) fields break, in field order."""
    errors: list[FieldError] = []
    if not data.name:
        errors.append(FieldError("name", "required", data.name))
    if not data.vat or not vat_key(data.vat):  # " . - " has no identity
        errors.append(FieldError("custom_data.vat", "required", data.vat))
    for attr, (key, limit) in _LIMITS.items():
        value = getattr(data, attr)
        if value is not None and len(value) > limit:
            errors.append(FieldError(key, "too_long", value))
    if data.email and len(data.email) <= TEXT_MAX and not _EMAIL.match(data.email):
        errors.append(FieldError("custom_data.email", "invalid_format", data.email))
    if data.phone and not _PHONE.match(data.phone):
        errors.append(FieldError("custom_data.phone", "invalid_format", data.phone))
    if data.language and data.language not in LANGUAGES:
        errors.append(FieldError("custom_data.language", "invalid_format", data.language))
    return errors
