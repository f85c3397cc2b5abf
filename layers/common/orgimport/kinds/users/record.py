"""The user as the domain sees it, and its JSON shape (CONTRACT section 10)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from orgimport.kinds.users.fields import email_key, phone_digits

# uuid5 namespace of user ids: a user's id follows from its email's identity, so the
# record is itself the guard that keeps an email unique
USER_ID_NAMESPACE = uuid.UUID("0b7c6f2e-4d1a-5e8b-9c3f-2a6d8e1b4c7a")


def user_id_of(email: str) -> str:
    """The id of the user holding `email` (any case, any surrounding spaces)."""
    return str(uuid.uuid5(USER_ID_NAMESPACE, email_key(email)))


@dataclass(frozen=True)
class User:
    """One stored user. Its organization's place in the hierarchy is `path`: the
    organization's ancestors and the organization itself (() for the owner's own users),
    which is what a caller's scope is compared with."""

    id: str
    email: str
    name: str
    organization_id: str
    roles: tuple[str, ...]  # canonical names, in the contract's order
    created_at: str
    updated_at: str
    created_by_user: str
    created_by_org: str
    phone: str | None = None
    deleted_at: str | None = None
    path: tuple[str, ...] = ()
    # the organization role its account signs in with (`custom:org_role`)
    org_role: str = ""
    # the token of the write that created it (an import row, or one API request): a
    # retried write recognises its own record by it
    created_for: str = ""

    @property
    def archived(self) -> bool:
        return self.deleted_at is not None

    @property
    def email_key(self) -> str:
        return email_key(self.email)

    @property
    def phone_key(self) -> str:
        """The digits the phone is unique by ("" without a phone)."""
        return phone_digits(self.phone or "")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "phone": self.phone,
            "organization_id": self.organization_id,
            "roles": list(self.roles),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "created_by": {"user_id": self.created_by_user, "org_id": self.created_by_org},
            "deleted_at": self.deleted_at,
        }


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    next_cursor: str | None
    page_size: int


@dataclass(frozen=True)
class OrgRef:
    """An organization a user may belong to, as a name in a file resolves to it."""

    id: str
    name: str
    type: str  # its organization role: owner, distributor, reseller, customer
    path: tuple[str, ...]  # its ancestors and itself: the path of its users

    def candidate(self) -> dict[str, str]:
        """As an `ambiguous` diagnostic lists it (the seed's `candidates[]`)."""
        return {"logto_id": self.id, "name": self.name, "type": self.type}
