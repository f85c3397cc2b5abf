"""In-memory implementations of the ports, with the conditions DynamoDB's writes carry,
for the unit tests. `make typecheck` checks them against the protocols (the last lines
of this file), so a port that changes breaks its fake at once.

They keep what a test asserts on: how many writes, which lookups, what was presigned
or read. A test injects a fault with `fail` (organizations) or the `on_*` hooks
(sessions): a callable that raises where the real store would.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from orgimport.core.errors import Conflict, NotFound, SessionExpired, SessionNotFound, VatTaken
from orgimport.imports.ports import (
    PresignedForm,
    SessionExists,
    SessionStore,
    StoredUpload,
    UploadStore,
)
from orgimport.imports.session import ImportSession, RowOutcome
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.ports import OrganizationStore, StaleWrite, VatClaim
from orgimport.kinds.organizations.record import (
    DistributorPage,
    Organization,
    Overwritten,
    changed_fields,
)
from orgimport.kinds.organizations.tier import DISTRIBUTOR_TIER, Tier
from orgimport.kinds.organizations.vat import vat_key
from orgimport.kinds.organizations.viewer import Viewer
from orgimport.kinds.users.ports import (
    AccountDirectory,
    AccountRefused,
    EmailTaken,
    OrganizationDirectory,
    UserStore,
)
from orgimport.kinds.users.record import OrgRef, User, UserPage, user_id_of

SEEDED_AT = "2026-01-01T00:00:00.000Z"


class FakeOrganizations:
    """OrganizationStore of one tier: records by id and one guard per guard key. A guard
    is never stale here (no clock): the takeover of a dead request's guard is storage's
    own test."""

    def __init__(self, records: Iterable[Organization] = (), tier: Tier = DISTRIBUTOR_TIER):
        self.tier = tier
        self.items: dict[str, Organization] = {}
        self.guards: dict[str, VatClaim] = {}  # guard key -> its guard
        self.writes = 0
        self.holder_lookups: list[set[str]] = []  # the keys of each holders_of call
        self.fail: Callable[[str, str], None] | None = None  # (operation, vat or id)
        self._lock = threading.Lock()
        for record in records:
            self._keep(record)

    def _guard_key(self, record: Organization) -> str:
        return self.tier.guard_key(record.vat_key, record.parent_id)

    def _keep(self, record: Organization) -> Organization:
        self.items[record.id] = record
        key = self._guard_key(record)
        self.guards[key] = VatClaim(key, record.id, None)
        return record

    def _hook(self, op: str, what: str) -> None:
        if self.fail is not None:
            self.fail(op, what)

    def seed(
        self,
        name: str,
        vat: str,
        archived: bool = False,
        path: tuple[str, ...] = (),
        parent: str = "o0",
    ) -> Organization:
        """A record stored before the test, with its guard (`path`: its ancestors, the
        parent last; `parent`, when it has no path: the owner organization)."""
        return self._keep(
            Organization(
                id=f"seed-{vat_key(vat)}" + (f"-{path[-1]}" if path else ""),
                fields=DistributorFields(name=name, vat=vat, language="it"),
                created_at=SEEDED_AT,
                updated_at=SEEDED_AT,
                created_by_user="someone",
                created_by_org=path[-1] if path else parent,
                deleted_at="2026-02-01T00:00:00.000Z" if archived else None,
                path=path,
            )
        )

    def by_vat(self, vat: str) -> list[Organization]:
        return [d for d in self.items.values() if d.vat_key == vat_key(vat)]

    # --- reads ---------------------------------------------------------------------

    def get(self, distributor_id: str) -> Organization | None:
        return self.items.get(distributor_id)

    def holders_of(self, vat_keys: Iterable[str]) -> dict[str, Organization]:
        keys = set(vat_keys)
        self.holder_lookups.append(keys)
        return {self._guard_key(d): d for d in self.items.values() if self._guard_key(d) in keys}

    def page(
        self,
        page_size: int,
        cursor: str | None,
        search: str | None,
        include_archived: bool,
        within: tuple[str, ...] | None = None,
        children_only: bool = False,
    ) -> DistributorPage:
        """By path, then name, then id; the cursor is the offset of the next page."""
        term = (search or "").casefold()

        def in_scope(d: Organization) -> bool:
            if within is None:
                return True
            return d.path == within if children_only else d.path[: len(within)] == within

        found = sorted(
            (
                d
                for d in self.items.values()
                if in_scope(d)
                and (include_archived or not d.archived)
                and (term in (d.fields.name or "").casefold() or term in d.vat_key.casefold())
            ),
            key=lambda d: (d.path, (d.fields.name or "").casefold(), d.id),
        )
        start = int(cursor or 0)
        end = start + page_size
        return DistributorPage(
            distributors=found[start:end],
            next_cursor=str(end) if end < len(found) else None,
            page_size=page_size,
        )

    # --- VAT guards ------------------------------------------------------------------

    def claim_vat(
        self, vat: str, distributor_id: str, *, resume: bool = True, scope: str = ""
    ) -> VatClaim | None:
        self._hook("claim", vat)
        key = scope + vat_key(vat)
        with self._lock:
            self.writes += 1
            held = self.guards.get(key)
            if held is None:
                mine = VatClaim(key, distributor_id, uuid.uuid4().hex)
                self.guards[key] = mine
                return mine
            if held.distributor_id != distributor_id:
                raise VatTaken(vat, held.distributor_id)
            if resume:
                return None
            raise StaleWrite("vat_changed")  # another write of this record holds it

    def vat_guard(self, key: str) -> VatClaim | None:
        return self.guards.get(key)

    def release_vat(self, claim: VatClaim) -> None:
        with self._lock:
            if self.guards.get(claim.key) == claim:
                del self.guards[claim.key]

    # --- record writes ---------------------------------------------------------------

    def insert(self, distributor: Organization) -> bool:
        self._hook("insert", distributor.id)
        with self._lock:
            self.writes += 1
            if distributor.id in self.items:
                return False
            self.items[distributor.id] = distributor
            return True

    def insert_many(self, distributors: list[Organization]) -> None:
        self._hook("insert_many", distributors[0].id)
        with self._lock:
            self.writes += 1
            for d in distributors:
                self.items[d.id] = d

    def overwrite(
        self,
        distributor_id: str,
        fields: DistributorFields,
        updated_at: str,
        expected_vat_key: str,
        require_active: bool,
        keep_vat: bool = False,
        read_first: bool = False,
        path: tuple[str, ...] | None = None,
        keep: tuple[str, ...] = (),
    ) -> Overwritten:
        self._hook("overwrite", distributor_id)
        with self._lock:
            self.writes += 1
            current = self.items.get(distributor_id)
            if current is None:
                raise StaleWrite("not_found")
            if current.vat_key != expected_vat_key:
                raise StaleWrite("vat_changed")
            if require_active and current.archived:
                raise StaleWrite("archived")
            kept = (("vat",) if keep_vat else ()) + keep
            fields = replace(fields, **{a: getattr(current.fields, a) for a in kept})
            changed = changed_fields(current.fields, fields)
            if not changed:
                return Overwritten(current, changed)
            updated = replace(current, fields=fields, updated_at=updated_at)
            self.items[distributor_id] = updated
            return Overwritten(updated, changed)

    def set_deleted_at(
        self, distributor_id: str, deleted_at: str | None, updated_at: str
    ) -> Organization:
        with self._lock:
            self.writes += 1
            current = self.items.get(distributor_id)
            if current is None:
                raise NotFound(f"{self.tier.noun} not found")
            updated = replace(current, deleted_at=deleted_at, updated_at=updated_at)
            self.items[distributor_id] = updated
            return updated


class FakeSessions:
    """SessionStore: the META item's conditions under a lock, the outcomes per chunk."""

    def __init__(self) -> None:
        self.sessions: dict[str, ImportSession] = {}
        self.parts: dict[str, dict[int, list[RowOutcome]]] = {}
        self.saved: list[ImportSession] = []  # every session save_new stored, in order
        self.writes = 0
        self.on_begin: Callable[[], None] | None = None
        self.on_save: Callable[[int], None] | None = None
        self._lock = threading.Lock()

    def save_new(self, session: ImportSession) -> None:
        with self._lock:
            if session.import_id in self.sessions:
                raise SessionExists()
            self.saved.append(session)
            self.sessions[session.import_id] = copy.deepcopy(session)
            self.parts[session.import_id] = {}

    def load(self, import_id: str, now: int) -> ImportSession:
        if import_id not in self.sessions:
            raise SessionNotFound()
        session = copy.deepcopy(self.sessions[import_id])
        if now >= session.expires_at:
            raise SessionExpired()
        session.outcomes = {
            o.row_number: o for part in self.parts[import_id].values() for o in part
        }
        return session

    def begin_confirm(
        self, import_id: str, request_hash: str, now: int, lease_seconds: int, keep_until: int
    ) -> bool:
        if self.on_begin is not None:
            self.on_begin()
        with self._lock:
            self.writes += 1
            s = self.sessions[import_id]
            fresh = s.status == "validated" and s.expires_at > now
            takeover = (
                s.status == "confirming"
                and s.request_hash == request_hash
                and (s.lease_until or 0) < now
            )
            if not (fresh or takeover):
                return False
            s.status, s.request_hash = "confirming", request_hash
            s.lease_until, s.expires_at = now + lease_seconds, keep_until
            return True

    def save_outcomes(
        self, import_id: str, chunk_index: int, outcomes: list[RowOutcome], expires_at: int
    ) -> None:
        if self.on_save is not None:
            self.on_save(chunk_index)
        with self._lock:
            self.writes += 1
            self.parts[import_id][chunk_index] = list(outcomes)

    def finish_confirm(self, import_id: str, request_hash: str, now: int) -> None:
        with self._lock:
            self.writes += 1
            s = self.sessions[import_id]
            if s.status != "confirming" or s.request_hash != request_hash:
                raise Conflict("import session was confirmed by another request")
            s.status, s.lease_until = "confirmed", now

    def release_lease(self, import_id: str, request_hash: str) -> None:
        with self._lock:
            self.writes += 1
            s = self.sessions[import_id]
            if s.status == "confirming" and s.request_hash == request_hash:
                s.lease_until = 0


class FakeUploads:
    """UploadStore: objects by upload id, each (bytes, metadata)."""

    def __init__(self, objects: dict[str, tuple[bytes, dict[str, str]]] | None = None):
        self.objects = objects or {}
        self.presigned: list[tuple[str, dict[str, Any]]] = []
        self.reads: list[str] = []

    def presign_post(
        self,
        upload_id: str,
        *,
        metadata: dict[str, str],
        content_type: str,
        max_bytes: int,
        expires_in: int,
    ) -> PresignedForm:
        form = {
            "metadata": metadata,
            "content_type": content_type,
            "max_bytes": max_bytes,
            "expires_in": expires_in,
        }
        self.presigned.append((upload_id, form))
        return PresignedForm("https://bucket.example/", {"key": upload_id, "policy": "p"})

    def head(self, upload_id: str) -> StoredUpload | None:
        if upload_id not in self.objects:
            return None
        data, meta = self.objects[upload_id]
        return StoredUpload(size=len(data), metadata=meta)

    def read(self, upload_id: str, max_bytes: int) -> bytes:
        self.reads.append(upload_id)
        return self.objects[upload_id][0][: max_bytes + 1]


class FakeUsers:
    """Users in memory: the email's identity keeps one user (as the conditional put does),
    phone marks as the repository keeps them; `reads` counts the batched reads."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.phones: dict[str, str] = {}
        self.reads = 0

    def add(self, user: User) -> User:
        self.users[user.id] = user
        if user.phone_key and not user.archived:
            self.phones[user.phone_key] = user.id
        return user

    def get(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def by_emails(self, keys: Iterable[str]) -> dict[str, User]:
        self.reads += 1
        found = (self.users.get(user_id_of(k)) for k in keys)
        return {u.email_key: u for u in found if u is not None}

    def phone_holders(self, digits: Iterable[str]) -> dict[str, str]:
        self.reads += 1
        return {d: self.phones[d] for d in digits if d in self.phones}

    def insert(self, user: User) -> User:
        held = self.users.get(user.id)
        if held is None:
            self.users[user.id] = user
            return user
        if held.created_for != user.created_for:
            raise EmailTaken(held)
        return held

    def remove(self, user: User) -> None:
        held = self.users.get(user.id)
        if held is not None and held.created_for == user.created_for:
            del self.users[user.id]

    def mark_phones(self, users: list[User]) -> None:
        for user in users:
            if user.phone_key:
                self.phones[user.phone_key] = user.id

    def overwrite(self, user: User, previous: User) -> User:
        current = self.users.get(user.id)
        if current is None or current.updated_at != previous.updated_at or current.archived:
            raise Conflict("user changed meanwhile, retry")
        if previous.phone_key and self.phones.get(previous.phone_key) == user.id:
            del self.phones[previous.phone_key]
        self.users[user.id] = user
        self.mark_phones([user])
        return user

    def set_deleted_at(self, user: User, deleted_at: str | None, updated_at: str) -> User:
        done = replace(self.users[user.id], deleted_at=deleted_at, updated_at=updated_at)
        self.users[user.id] = done
        if deleted_at and self.phones.get(user.phone_key) == user.id:
            del self.phones[user.phone_key]
        elif not deleted_at:
            self.mark_phones([done])
        return done

    def page(
        self,
        page_size: int,
        cursor: str | None,
        search: str | None,
        include_archived: bool,
        within: tuple[str, ...] | None,
    ) -> UserPage:
        found = [
            u
            for u in self.users.values()
            if (include_archived or not u.archived)
            and (within is None or u.path[: len(within)] == within)
        ]
        return UserPage(sorted(found, key=lambda u: (u.path, u.name))[:page_size], None, page_size)


class FakeDirectory:
    """The organizations users belong to, in memory; `scope_reads` counts in_scope calls."""

    def __init__(self, *orgs: OrgRef) -> None:
        self.orgs = {o.id: o for o in orgs}
        self.scope_reads = 0

    def in_scope(self, viewer: Viewer) -> list[OrgRef]:
        self.scope_reads += 1
        return [o for o in self.orgs.values() if viewer.sees(o)]

    def find(self, org_ids: Iterable[str]) -> dict[str, OrgRef]:
        return {i: self.orgs[i] for i in org_ids if i in self.orgs}


class FakeAccounts:
    """Sign-in accounts in memory: email -> the user its account was made for;
    `refuse` holds the emails the provider refuses; `calls` counts every call."""

    def __init__(self) -> None:
        self.accounts: dict[str, User] = {}
        self.enabled: dict[str, bool] = {}
        self.refuse: set[str] = set()
        self.calls = 0

    def create(self, user: User) -> bool:
        self.calls += 1
        if user.email in self.refuse:
            raise AccountRefused("Cognito answered InvalidParameterException: refused")
        held = self.accounts.get(user.email)
        if held is not None:
            if held.organization_id != user.organization_id:
                raise AccountRefused("a sign-in account with this email exists already")
            return False
        self.accounts[user.email] = user
        self.enabled[user.email] = True
        return True

    def update(self, user: User, previous: User) -> None:
        self.calls += 1
        self.accounts[user.email] = user

    def set_enabled(self, user: User, enabled: bool) -> None:
        self.calls += 1
        self.enabled[user.email] = enabled


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


# the fakes are the ports: mypy checks each against its protocol
_ORGANIZATIONS: OrganizationStore = FakeOrganizations()
_SESSIONS: SessionStore = FakeSessions()
_UPLOADS: UploadStore = FakeUploads()
_USERS: UserStore = FakeUsers()
_DIRECTORY: OrganizationDirectory = FakeDirectory()
_ACCOUNTS: AccountDirectory = FakeAccounts()
