"""The rules of one organizations row (distributors, resellers, customers): its cells
and the store's VAT holder in, findings out.

The field rules are the CRUD API's (`organizations.fields.field_errors`), reported
under the file's column names, so the API and the import speak the same codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from orgimport.core.limits import TEXT_MAX
from orgimport.imports.kind import RowFindings, UpdateTarget
from orgimport.imports.session import Diagnostic
from orgimport.kinds.organizations.columns import COLUMN_OF_ATTRIBUTE, COLUMN_OF_ERROR_KEY
from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.vat import vat_identity

# the distributor attributes an override may change: every one but the VAT, the lookup key
_CHANGEABLE: tuple[str, ...] = (
    "name",
    "description",
    "address",
    "city",
    "main_contact",
    "email",
    "phone",
    "language",
    "notes",
)


class HeldElsewhere(NamedTuple):
    """The holder of a row's VAT lies outside the caller's scope: the row names nobody."""

    record: Organization


def row_fields(data: Mapping[str, str]) -> DistributorFields:
    """A row's cells as distributor fields (not yet cleaned)."""
    return DistributorFields(
        **{attr: data.get(column, "") for attr, column in COLUMN_OF_ATTRIBUTE.items()}
    )


def lookup_key(vat: str) -> str | None:
    """The VAT identity worth asking the store about: None for a blank, over-long or
    non-ASCII VAT (an error anyway, and an over-long key could exceed what DynamoDB
    accepts)."""
    text = vat.strip()
    if not text or len(text) > TEXT_MAX:
        return None
    return vat_identity(text)


def identity_key(data: Mapping[str, str]) -> str | None:
    return lookup_key(data.get("vat_number", ""))


def absent_attributes(data: Mapping[str, str]) -> tuple[str, ...]:
    """The attributes whose column the file lacks: an update keeps them as stored."""
    return tuple(a for a in _CHANGEABLE if COLUMN_OF_ATTRIBUTE[a] not in data)


def changes_against(
    fields: DistributorFields, stored: Organization, keep: tuple[str, ...] = ()
) -> dict[str, dict[str, Any]]:
    """What an override would overwrite: {column: {"from": stored, "to": csv}} for each
    field whose cleaned CSV value differs (empty -> None, empty language -> `it`); the
    attributes in `keep` (their column absent) are left as they are."""
    out: dict[str, dict[str, Any]] = {}
    for attr in _CHANGEABLE:
        if attr in keep:
            continue
        new, old = getattr(fields, attr), getattr(stored.fields, attr)
        if new != old:
            out[COLUMN_OF_ATTRIBUTE[attr]] = {"from": old, "to": new}
    return out


def _field_diagnostics(fields: DistributorFields, vat_held: bool) -> tuple[Diagnostic, ...]:
    found = []
    # a VAT a stored distributor holds predates the rules: its check digits are not re-judged
    for err in field_errors(fields, vat_unchanged=vat_held):
        values: tuple[str, ...] = () if err.message == "required" else (str(err.value),)
        found.append(Diagnostic(COLUMN_OF_ERROR_KEY[err.key], err.message, values))
    return tuple(found)


def judge_row(data: Mapping[str, str], holder: Organization | HeldElsewhere | None) -> RowFindings:
    """A row against the record holding its VAT in the kind's uniqueness scope: held
    outside the caller's scope is an error that names nobody, an archived holder is an
    error, an active one a warning (override updates it)."""
    fields = row_fields(data).cleaned()
    errors = _field_diagnostics(fields, vat_held=holder is not None)
    vat = data.get("vat_number", "")
    key = identity_key(data)
    if holder is None or key is None:
        return RowFindings(errors=errors)
    if isinstance(holder, HeldElsewhere):
        return RowFindings(
            errors=errors, conflicts=(Diagnostic("vat_number", "held_elsewhere", (vat,)),)
        )
    if holder.archived:
        return RowFindings(errors=errors, conflicts=(Diagnostic("vat_number", "archived", (vat,)),))
    return RowFindings(
        errors=errors,
        warnings=(Diagnostic("vat_number", "already_exists", (vat,)),),
        target=UpdateTarget(
            holder.id, key, changes_against(fields, holder, absent_attributes(data))
        ),
    )
