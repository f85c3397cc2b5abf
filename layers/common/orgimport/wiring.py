"""The one place that builds the real adapters: once per process, on first use.

Importing this module reads no settings and makes no client; the first call of
each function does, and later calls get the same object (a warm Lambda reuses
it). Handlers ask for what they need here; the domain only sees the ports.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from typing import Any

from orgimport.core.config import settings
from orgimport.core.identity import Caller
from orgimport.core.policy import Action, Scope
from orgimport.imports.kind import Kind, KindRecords
from orgimport.imports.ports import ImportBucket, SessionStore, UploadStore
from orgimport.kinds.customers.kind import CUSTOMERS
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.ports import OrganizationStore
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.records import OrganizationRecords
from orgimport.kinds.organizations.tier import CUSTOMER_TIER, DISTRIBUTOR_TIER, RESELLER_TIER, Tier
from orgimport.kinds.organizations.viewer import Viewer, viewer_of
from orgimport.kinds.resellers.kind import RESELLERS
from orgimport.kinds.users.kind import USERS
from orgimport.kinds.users.ports import AccountDirectory, NoAccounts
from orgimport.kinds.users.records import UserRecords
from orgimport.kinds.users.service import Users
from orgimport.storage import aws_clients
from orgimport.storage.cognito_accounts import CognitoAccounts
from orgimport.storage.distributors_repo import OrganizationRepository
from orgimport.storage.import_bucket import S3ImportBucket
from orgimport.storage.models import bind_tables
from orgimport.storage.org_directory import OrganizationDirectoryRepository
from orgimport.storage.sessions_repo import SessionRepository
from orgimport.storage.uploads_store import S3UploadStore
from orgimport.storage.users_repo import UserRepository


@cache
def bind_storage() -> None:
    """Name the tables and the region from the settings (once; every store below does it)."""
    cfg = settings()
    bind_tables(cfg.distributors_table, cfg.sessions_table, cfg.aws_region)


@cache
def session_store() -> SessionStore:
    bind_storage()
    return SessionRepository()


@cache
def organization_store(tier: Tier) -> OrganizationStore:
    """The records of one organization tier."""
    bind_storage()
    return OrganizationRepository(tier)


def distributor_store() -> OrganizationStore:
    return organization_store(DISTRIBUTOR_TIER)


@cache
def upload_store() -> UploadStore:
    return S3UploadStore()


@cache
def import_bucket() -> ImportBucket:
    return S3ImportBucket()


# the caller's organization as this request's guard read it: (tier name, id) -> record
_admitted: ContextVar[tuple[tuple[str, str], Organization | None] | None] = ContextVar(
    "admitted", default=None
)


def _read_organization(tier: Tier, org_id: str) -> Organization | None:
    found = organization_store(tier).get(org_id)
    _admitted.set(((tier.name, org_id), found))
    return found


def organization_of(tier: Tier, org_id: str) -> Organization | None:
    """A caller's own organization, for its place in the hierarchy: the record this
    request's guard read (`admit`), else one read."""
    seen = _admitted.get()
    if seen is not None and seen[0] == (tier.name, org_id):
        return seen[1]
    return _read_organization(tier, org_id)


def admit(caller: Caller) -> None:
    """Refuse (403) a caller whose organization the service does not hold as an active
    record of its role's tier; the owner is always admitted. Always a fresh read: the
    rest of the request reuses it."""
    _admitted.set(None)
    viewer_of(caller, Scope(), _read_organization)


def viewer(caller: Caller, kind: Kind, action: Action) -> Viewer:
    """The caller as an organization kind's `action` sees it (403 when its policy says no)."""
    return viewer_of(caller, kind.policy.authorize(caller, action), organization_of)


@cache
def accounts() -> AccountDirectory:
    """Sign-in accounts: a Cognito user pool when USER_POOL_ID is set, else none."""
    pool = settings().user_pool_id
    return CognitoAccounts(pool) if pool else NoAccounts()


@cache
def users() -> Users:
    """Users: their records, the organizations they belong to, their accounts."""
    bind_storage()
    cfg = settings()
    return Users(
        UserRepository(),
        OrganizationDirectoryRepository(cfg.owner_org_id, cfg.owner_org_name, organization_of),
        accounts(),
    )


def _organizations(kind: Kind, tier: Tier) -> Callable[[], KindRecords]:
    return lambda: OrganizationRecords(organization_store(tier), kind.policy, organization_of)


# a kind's name -> how its records are reached; a new kind adds its line here
_RECORDS: dict[str, Callable[[], KindRecords]] = {
    "distributors": _organizations(DISTRIBUTORS, DISTRIBUTOR_TIER),
    "resellers": _organizations(RESELLERS, RESELLER_TIER),
    "customers": _organizations(CUSTOMERS, CUSTOMER_TIER),
    "users": lambda: UserRecords(users(), USERS.policy, organization_of),
}


@cache
def _records(kind_name: str) -> KindRecords:
    return _RECORDS[kind_name]()


def records(kind: Kind) -> KindRecords:
    """The records of `kind`, as validate and confirm reach them."""
    return _records(kind.name)


def forget() -> None:
    """Drop every adapter and client this process made, as if it had just started (the
    tests and the benchmark measure a cold start this way; a Lambda never calls it)."""
    made: tuple[Any, ...] = (bind_storage, session_store, organization_store, upload_store)
    for cached in (*made, import_bucket, accounts, users, _records):
        cached.cache_clear()
    aws_clients.forget()
