"""User operations: the one code path for the CRUD API and the import.

A user is a record and, when accounts are on, a sign-in account. Creating one writes the
record first: it is the email's guard, so of racing creates only the one that wrote it
goes on to make an account. Then the account; a provider that refuses it (or any error
making it) removes the record again, so no user stays without its account. A retried
write (the same `created_for`) finds its own record, and its own account if one was
made, and makes neither twice.
Every operation sees users through a `Viewer`: outside its scope a user does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from orgimport.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    ProviderRefused,
    ValidationFailed,
)
from orgimport.kinds.organizations.record import utc_now
from orgimport.kinds.organizations.viewer import Viewer
from orgimport.kinds.users.fields import UserFields, field_errors, phone_digits
from orgimport.kinds.users.ports import (
    AccountDirectory,
    AccountRefused,
    EmailTaken,
    OrganizationDirectory,
    UserStore,
)
from orgimport.kinds.users.record import OrgRef, User, UserPage, user_id_of
from orgimport.kinds.users.roles import may_grant, read_roles

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class Users:
    """What user operations reach: the records, the organizations, the accounts."""

    store: UserStore
    organizations: OrganizationDirectory
    accounts: AccountDirectory


def checked(fields: UserFields, viewer: Viewer) -> tuple[UserFields, tuple[str, ...]]:
    """Cleaned fields and their roles, or ValidationFailed with every broken rule,
    granting included."""
    cleaned = fields.cleaned()
    errors = field_errors(cleaned)
    roles = read_roles(cleaned.roles or "").roles
    if not errors and not may_grant(viewer.caller, roles):
        errors.append(FieldError("roles", "insufficient_privileges", list(roles)))
    if errors:
        raise ValidationFailed(errors)
    return cleaned, roles


def organization_in_scope(users: Users, viewer: Viewer, org_id: str) -> OrgRef:
    found = users.organizations.find([org_id]).get(org_id) if org_id else None
    if found is None or not viewer.sees(found):
        raise ValidationFailed([FieldError("organization_id", "not_found", org_id)])
    return found


def new_user(
    fields: UserFields,
    roles: tuple[str, ...],
    org: OrgRef,
    viewer: Viewer,
    created_for: str,
    now: str | None = None,
) -> User:
    at = now or utc_now()
    email = fields.email or ""
    return User(
        id=user_id_of(email),
        email=email,
        name=fields.name or "",
        phone=fields.phone,
        organization_id=org.id,
        roles=roles,
        created_at=at,
        updated_at=at,
        created_by_user=viewer.caller.user_id,
        created_by_org=viewer.caller.org_id,
        path=org.path,
        org_role=org.type,
        created_for=created_for,
    )


def provision(users: Users, user: User) -> User:
    """The record, then its account. EmailTaken (another user holds the email) touches no
    account; AccountRefused or any other error making the account leaves no record."""
    stored = users.store.insert(user)
    try:
        users.accounts.create(stored)
    except Exception:
        users.store.remove(stored)
        raise
    return stored


def _phone_free(users: Users, user: User) -> None:
    digits = phone_digits(user.phone or "")
    holder = users.store.phone_holders([digits]).get(digits) if digits else None
    if holder is not None and holder != user.id:
        raise ValidationFailed([FieldError("phone", "already_used", user.phone)])


def create_user(users: Users, viewer: Viewer, fields: UserFields, org_id: str) -> User:
    """POST /users."""
    cleaned, roles = checked(fields, viewer)
    org = organization_in_scope(users, viewer, org_id)
    user = new_user(cleaned, roles, org, viewer, created_for=uuid.uuid4().hex)
    _phone_free(users, user)
    try:
        stored = provision(users, user)
    except EmailTaken:
        raise ValidationFailed(
            [FieldError("email", "already_exists", cleaned.email)], "user already exists"
        ) from None
    except AccountRefused as exc:
        raise ProviderRefused(exc.sentence) from None
    users.store.mark_phones([stored])
    return stored


def get_user(users: Users, viewer: Viewer, user_id: str) -> User:
    found = users.store.get(user_id)
    if found is None or not viewer.sees(found):
        raise NotFound("user not found")
    return found


def list_users(
    users: Users,
    viewer: Viewer,
    page_size: int = PAGE_SIZE_DEFAULT,
    cursor: str | None = None,
    search: str | None = None,
    include_archived: bool = False,
) -> UserPage:
    """One page of the users in the viewer's scope (one Query, never a Scan)."""
    return users.store.page(page_size, cursor, search, include_archived, viewer.within)


def changed(user: User, current: User) -> bool:
    return (user.name, user.phone, user.roles, user.organization_id) != (
        current.name,
        current.phone,
        current.roles,
        current.organization_id,
    )


def rewrite(users: Users, current: User, user: User) -> User:
    """Give `current` the name, phone, roles and organization of `user`: the account
    first, then the record (which must still be as read)."""
    if not changed(user, current):
        return current
    _phone_free(users, user)
    try:
        users.accounts.update(user, current)
    except AccountRefused as exc:
        raise ProviderRefused(exc.sentence) from None
    return users.store.overwrite(user, current)


def moved(current: User, fields: UserFields, roles: tuple[str, ...], org: OrgRef) -> User:
    """`current` with new fields, in `org` (the email never changes)."""
    return replace(
        current,
        name=fields.name or "",
        phone=fields.phone,
        roles=roles,
        organization_id=org.id,
        path=org.path,
        org_role=org.type,
        updated_at=utc_now(),
    )


def update_user(
    users: Users, viewer: Viewer, user_id: str, fields: UserFields, org_id: str
) -> User:
    """PUT /users/{id}: name, phone, roles and organization (within the caller's scope)."""
    current = get_user(users, viewer, user_id)
    cleaned, roles = checked(replace(fields, email=current.email), viewer)
    if not may_grant(viewer.caller, current.roles):
        raise ValidationFailed(
            [FieldError("roles", "insufficient_privileges", list(current.roles))],
            "your user roles may not change this user",
        )
    org = organization_in_scope(users, viewer, org_id)
    if current.archived:
        raise Conflict("user is archived")
    return rewrite(users, current, moved(current, cleaned, roles, org))


def archive_user(users: Users, viewer: Viewer, user_id: str) -> User:
    """DELETE /users/{id}: the record archived, its account disabled."""
    current = get_user(users, viewer, user_id)
    if current.archived:
        return current
    users.accounts.set_enabled(current, False)
    now = utc_now()
    return users.store.set_deleted_at(current, now, now)


def restore_user(users: Users, viewer: Viewer, user_id: str) -> User:
    current = get_user(users, viewer, user_id)
    if not current.archived:
        return current
    _phone_free(users, current)
    restored = users.store.set_deleted_at(current, None, utc_now())
    users.accounts.set_enabled(restored, True)
    return restored
