"""The one place that builds the real adapters: once per process, on first use.

Importing this module reads no settings and makes no client; the first call of
each function does, and later calls get the same object (a warm Lambda reuses
it). Handlers ask for what they need here; the domain only sees the ports.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from orgimport.core.config import settings
from orgimport.imports.kind import Kind, KindRecords
from orgimport.imports.ports import ImportBucket, SessionStore, UploadStore
from orgimport.kinds.distributors.records import DistributorRecords
from orgimport.kinds.organizations.ports import OrganizationStore
from orgimport.storage.distributors_repo import DistributorRepository
from orgimport.storage.import_bucket import S3ImportBucket
from orgimport.storage.models import bind_tables
from orgimport.storage.sessions_repo import SessionRepository
from orgimport.storage.uploads_store import S3UploadStore


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
def distributor_store() -> OrganizationStore:
    bind_storage()
    return DistributorRepository()


@cache
def upload_store() -> UploadStore:
    return S3UploadStore()


@cache
def import_bucket() -> ImportBucket:
    return S3ImportBucket()


# a kind's name -> how its records are reached; a new kind adds its line here
_RECORDS: dict[str, Callable[[], KindRecords]] = {
    "distributors": lambda: DistributorRecords(distributor_store()),
}


@cache
def _records(kind_name: str) -> KindRecords:
    return _RECORDS[kind_name]()


def records(kind: Kind) -> KindRecords:
    """The records of `kind`, as validate and confirm reach them."""
    return _records(kind.name)
