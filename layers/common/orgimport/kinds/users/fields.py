"""The field rules of a user (CONTRACT section 10), shared by the CRUD API and the import.

A user's email is its identity: unique among all users, archived ones included,
compared after trimming and lower-casing (`email_key`). A phone is compared by its
digits (`phone_digits`) among active users. Lengths are counted in characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgimport.core.errors import FieldError
from orgimport.core.limits import NAME_MAX, TEXT_MAX
from orgimport.kinds.organizations.contact_rules import is_possible_phone, is_valid_email
from orgimport.kinds.users.roles import USER_ROLES, read_roles


@dataclass(frozen=True)
class UserFields:
    """What a client or a file row says a user is; `None` means empty. `roles` is the
    text of the cell (names separated by `;`)."""

    email: str | None = None
    name: str | None = None
    phone: str | None = None
    roles: str | None = None

    def cleaned(self) -> UserFields:
        def clean(v: str | None) -> str | None:
            text = (v or "").strip()
            return text or None

        return UserFields(clean(self.email), clean(self.name), clean(self.phone), self.roles)

    @property
    def role_names(self) -> tuple[str, ...]:
        return read_roles(self.roles or "").roles


def email_key(email: str) -> str:
    """The identity of an email: trimmed and lower-cased."""
    return email.strip().lower()


def phone_digits(phone: str) -> str:
    """What two phones are compared by: their digits (`+39 02-123` is `3902123`)."""
    return "".join(c for c in phone if c.isascii() and c.isdigit())


def _text_errors(fields: UserFields) -> list[FieldError]:
    errors = []
    for key, value, limit in (("email", fields.email, TEXT_MAX), ("name", fields.name, NAME_MAX)):
        if value is None:
            errors.append(FieldError(key, "required"))
        elif len(value) > limit:
            errors.append(FieldError(key, "too_long", value))
    email = fields.email
    if email is not None and len(email) <= TEXT_MAX and not is_valid_email(email):
        errors.append(FieldError("email", "invalid_format", fields.email))
    if fields.phone is not None:
        if len(fields.phone) > TEXT_MAX:
            errors.append(FieldError("phone", "too_long", fields.phone))
        elif not is_possible_phone(fields.phone):
            errors.append(FieldError("phone", "invalid_format", fields.phone))
    return errors


def _role_errors(cell: str | None) -> list[FieldError]:
    if cell is None or not cell.strip():
        return [FieldError("roles", "required")]
    if len(cell) > TEXT_MAX:
        return [FieldError("roles", "too_long", cell)]
    read = read_roles(cell)
    if read.blank:
        return [FieldError("roles", "at_least_one_required")]
    if read.unknown:
        return [FieldError("roles", "unknown", list(read.unknown), allowed=USER_ROLES)]
    return []


def field_errors(fields: UserFields) -> list[FieldError]:
    """Every rule `fields` (cleaned) breaks, in field order; granting and uniqueness are
    judged against the caller and the store, elsewhere."""
    return [*_text_errors(fields), *_role_errors(fields.roles)]
