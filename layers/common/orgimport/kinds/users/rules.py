"""The rules of one users row (CONTRACT section 10): its cells and what the store holds
in, findings out.

The field rules are the CRUD API's (`users.fields.field_errors`). Against the store: the
company named (`not_found`, one match, or `ambiguous` with its candidates), who may
grant the roles (`insufficient_privileges`), the holder of the email (`archived`,
`held_elsewhere`, or the warning `already_exists` that an override updates) and of
the phone (`already_used`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orgimport.core.limits import TEXT_MAX
from orgimport.imports.kind import Column, RowFindings, UpdateTarget
from orgimport.imports.session import AMBIGUOUS, Diagnostic
from orgimport.kinds.users.fields import UserFields, email_key, field_errors, phone_digits
from orgimport.kinds.users.record import OrgRef, User, user_id_of
from orgimport.kinds.users.roles import read_roles, roles_text

COLUMNS: tuple[Column, ...] = (
    Column(
        "email",
        "email",
        guide=(
            "E-mail della persona: obbligatoria, unica tra tutti gli utenti; non cambia mai.",
            "The person's email: required, unique among all users; it never changes.",
        ),
        required=True,
        aliases=("E-mail", "Mail", "Email address"),
    ),
    Column(
        "name",
        "name",
        guide=(
            "Nome e cognome: obbligatorio, da 1 a 255 caratteri.",
            "Full name: required, 1 to 255 characters.",
        ),
        required=True,
        aliases=("Nome", "Nome e cognome", "Full name"),
    ),
    Column(
        "phone",
        "phone",
        guide=(
            "Telefono, facoltativo: + e il prefisso del paese; unico tra gli utenti attivi.",
            "Phone, optional: + and the country code; unique among active users.",
        ),
        as_text=True,
        aliases=("Telefono", "Tel", "Cellulare", "Mobile", "Phone"),
    ),
    Column(
        "company_name",
        "organization_id",
        guide=(
            "Nome dell'organizzazione, come nel vostro elenco: obbligatorio; se più "
            "organizzazioni hanno lo stesso nome, la conferma chiede quale.",
            "The organization's name as in your lists: required; when several share it, "
            "confirm asks which one.",
        ),
        required=True,
        aliases=("Azienda", "Società", "Ragione sociale", "Organizzazione", "Company"),
    ),
    Column(
        "roles",
        "roles",
        guide=(
            "Ruoli separati da ; tra Super Admin, Admin, Support, Reader: almeno uno.",
            "Roles separated by ; among Super Admin, Admin, Support, Reader: at least one.",
        ),
        required=True,
        aliases=("Ruoli", "Ruolo", "Roles", "Role"),
    ),
)
KEY_COLUMN = "email"
# the row's data key its organization is resolved into (one match, or a resolution)
ORGANIZATION_KEY = "organization_id"


def name_key(name: str) -> str:
    """What company names are matched by: any case, spaces collapsed."""
    return " ".join(name.split()).casefold()


def identity_key(data: Mapping[str, str]) -> str | None:
    """A row's email identity; None for a blank or over-long email (an error anyway)."""
    text = data.get("email", "").strip()
    return email_key(text) if text and len(text) <= TEXT_MAX else None


def row_fields(data: Mapping[str, str]) -> UserFields:
    """A row's cells as user fields (not yet cleaned); a phone column the file lacks
    reads as empty (`keeps_phone` tells an update to keep the stored one)."""
    return UserFields(
        email=data.get("email", ""),
        name=data.get("name", ""),
        phone=data.get("phone", ""),
        roles=data.get("roles", ""),
    )


def keeps_phone(data: Mapping[str, str]) -> bool:
    """The file has no phone column: an update keeps the user's phone."""
    return "phone" not in data


@dataclass(frozen=True)
class StoreView:
    """What the store holds for one file, read in batches, as one caller sees it."""

    holders: Mapping[str, User]  # email identity -> its user (archived ones included)
    phones: Mapping[str, str]  # phone digits -> the active user holding them
    organizations: Mapping[str, list[OrgRef]]  # name key -> the organizations in scope
    sees: Callable[[User], bool]  # whether the caller's scope holds a user
    may_grant: Callable[[tuple[str, ...]], bool]
    # the organizations in scope by id (a held user's current organization, for `changes`)
    by_id: Mapping[str, OrgRef] = field(default_factory=dict)


def _field_diagnostics(fields: UserFields) -> list[Diagnostic]:
    found = []
    for err in field_errors(fields):
        if err.message in ("required", "at_least_one_required"):
            values: tuple[str, ...] = ()
        elif isinstance(err.value, list):
            values = tuple(err.value)
        else:
            values = (str(err.value),)
        found.append(Diagnostic(err.key, err.message, values))
    return found


def _company(
    cell: str, view: StoreView
) -> tuple[list[Diagnostic], Diagnostic | None, OrgRef | None]:
    """(errors, ambiguity, the one organization) of a company_name cell."""
    if not cell:
        return [Diagnostic("company_name", "required")], None, None
    if len(cell) > TEXT_MAX:
        return [Diagnostic("company_name", "too_long", (cell,))], None, None
    matches = view.organizations.get(name_key(cell), [])
    if not matches:
        return [Diagnostic("company_name", "not_found", (cell,))], None, None
    if len(matches) > 1:
        candidates = tuple(o.candidate() for o in sorted(matches, key=lambda o: (o.path, o.id)))
        return [], Diagnostic("company_name", AMBIGUOUS, (cell,), candidates), None
    return [], None, matches[0]


def _changes(
    fields: UserFields,
    roles: tuple[str, ...],
    org: OrgRef | None,
    held: User,
    view: StoreView,
    keep_phone: bool,
) -> dict[str, dict[str, Any]]:
    """What an override would change, by column (the email never changes; a phone whose
    column the file lacks is kept)."""
    out: dict[str, dict[str, Any]] = {}
    if fields.name != held.name:
        out["name"] = {"from": held.name, "to": fields.name}
    if not keep_phone and fields.phone != held.phone:
        out["phone"] = {"from": held.phone, "to": fields.phone}
    if roles != held.roles:
        out["roles"] = {"from": roles_text(held.roles), "to": roles_text(roles)}
    if org is not None and org.id != held.organization_id:
        before = view.by_id.get(held.organization_id)
        out["company_name"] = {"from": before.name if before else None, "to": org.name}
    return out


def judge_user_row(data: Mapping[str, str], view: StoreView) -> RowFindings:
    fields = row_fields(data).cleaned()
    errors = _field_diagnostics(fields)
    company_errors, ambiguity, org = _company(data.get("company_name", ""), view)
    errors.extend(company_errors)
    roles = read_roles(fields.roles or "").roles
    if roles and not any(e.field == "roles" for e in errors) and not view.may_grant(roles):
        errors.append(Diagnostic("roles", "insufficient_privileges", ((fields.roles or ""),)))
    key = identity_key(data)
    held = view.holders.get(key) if key else None
    conflicts: list[Diagnostic] = []
    digits = phone_digits(fields.phone or "")
    own_id = held.id if held else (user_id_of(key) if key else "")
    if digits and view.phones.get(digits, own_id) != own_id:
        conflicts.append(Diagnostic("phone", "already_used", (fields.phone or "",)))
    resolved = {ORGANIZATION_KEY: org.id} if org else {}
    email = fields.email or ""
    if held is None or key is None:
        return RowFindings(tuple(errors), tuple(conflicts), ambiguity=ambiguity, resolved=resolved)
    if not view.sees(held):
        conflicts.insert(0, Diagnostic("email", "held_elsewhere", (email,)))
    elif held.archived:
        conflicts.insert(0, Diagnostic("email", "archived", (email,)))
    else:
        return RowFindings(
            tuple(errors),
            tuple(conflicts),
            warnings=(Diagnostic("email", "already_exists", (email,)),),
            target=UpdateTarget(
                held.id, key, _changes(fields, roles, org, held, view, keeps_phone(data))
            ),
            ambiguity=ambiguity,
            resolved=resolved,
        )
    return RowFindings(tuple(errors), tuple(conflicts), ambiguity=ambiguity, resolved=resolved)
