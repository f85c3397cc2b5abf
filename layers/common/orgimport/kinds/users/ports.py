"""What the users kind needs from outside: its records, the organizations a user may
belong to, and the sign-in accounts.

`orgimport.storage` implements the first two on DynamoDB and the third on Amazon
Cognito; `tests/unit/fakes.py` in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from orgimport.kinds.organizations.viewer import Viewer
from orgimport.kinds.users.record import OrgRef, User, UserPage


class EmailTaken(Exception):
    """Another user (active or archived) holds the email."""

    def __init__(self, holder: User):
        super().__init__(holder.email)
        self.holder = holder


class AccountRefused(Exception):
    """The identity provider refused an account; `sentence` says why, for the client."""

    def __init__(self, sentence: str):
        super().__init__(sentence)
        self.sentence = sentence


class UserStore(Protocol):
    def get(self, user_id: str) -> User | None: ...

    def by_emails(self, keys: Iterable[str]) -> dict[str, User]:
        """The user holding each email identity (archived ones included): batched reads."""
        ...

    def phone_holders(self, digits: Iterable[str]) -> dict[str, str]:
        """The active user holding each phone's digits: batched reads."""
        ...

    def insert(self, user: User) -> User:
        """Write a new user with one conditional write. A user already holding the email
        with the same `created_for` is this write's own earlier one and is returned;
        another is EmailTaken."""
        ...

    def remove(self, user: User) -> None:
        """Delete a user this write created (its `created_for`), whose account could not
        be made; a user another write holds is left alone."""
        ...

    def mark_phones(self, users: list[User]) -> None:
        """Record the phones of new users (batched writes)."""
        ...

    def overwrite(self, user: User, previous: User) -> User:
        """Replace the user's name, phone, roles and organization, if it is still as
        `previous` was (else Conflict); its phone mark moves with it."""
        ...

    def set_deleted_at(self, user: User, deleted_at: str | None, updated_at: str) -> User:
        """Archive (or restore) a user; an archived user's phone is free again."""
        ...

    def page(
        self,
        page_size: int,
        cursor: str | None,
        search: str | None,
        include_archived: bool,
        within: tuple[str, ...] | None,
    ) -> UserPage:
        """One page in order of organization path, then name; `within`: only the users of
        the organizations whose path starts with it."""
        ...


class OrganizationDirectory(Protocol):
    """The organizations users belong to, of every tier and the owner's own."""

    def in_scope(self, viewer: Viewer) -> list[OrgRef]:
        """Every active organization in the viewer's scope, its own included: one Query
        per page of each tier, never one request per record."""
        ...

    def find(self, org_ids: Iterable[str]) -> dict[str, OrgRef]:
        """The active organizations with those ids, of any tier (batched reads)."""
        ...


class AccountDirectory(Protocol):
    """Sign-in accounts (Amazon Cognito user pools), one per user, named by its email."""

    def create(self, user: User) -> bool:
        """The user's account with its attributes and one group per role. True: made by
        this call; False: an account of this user existed already (a retried write) or
        accounts are off. AccountRefused when the provider says no; an account this call
        made is not left half made."""
        ...

    def update(self, user: User, previous: User) -> None:
        """Bring the account's attributes and groups to `user`'s."""
        ...

    def set_enabled(self, user: User, enabled: bool) -> None: ...


class NoAccounts:
    """Accounts off (no user pool configured): users are records only."""

    def create(self, user: User) -> bool:
        return False

    def update(self, user: User, previous: User) -> None:
        return None

    def set_enabled(self, user: User, enabled: bool) -> None:
        return None
