"""The ports: what the import pipeline needs from the world, as protocols it owns.

Storage implements them (`orgimport.storage`), `orgimport.wiring` builds the real
ones once per process, and `tests/unit/fakes.py` holds in-memory ones typed
against these protocols. The value types that cross a port live here too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from orgimport.core.errors import Conflict
from orgimport.imports.session import ImportSession, RowOutcome


class Clock(Protocol):
    """Epoch seconds now (time.time)."""

    def __call__(self) -> float: ...


SYSTEM_CLOCK: Clock = time.time


# --- import sessions ------------------------------------------------------------


class SessionExists(Conflict):
    """`save_new` found a session with that import id already stored."""

    message = "import session already exists"


class SessionStore(Protocol):
    """Import sessions (orgimport.storage.sessions_repo): saved by validate, claimed,
    filled chunk by chunk and finished by confirm, read by the status view."""

    def save_new(self, session: ImportSession) -> None:
        """Store a new session; SessionExists when its import id is taken."""
        ...

    def load(self, import_id: str, now: int) -> ImportSession: ...

    def begin_confirm(
        self, import_id: str, request_hash: str, now: int, lease_seconds: int, keep_until: int
    ) -> bool: ...

    def save_outcomes(
        self, import_id: str, chunk_index: int, outcomes: list[RowOutcome], expires_at: int
    ) -> None: ...

    def finish_confirm(self, import_id: str, request_hash: str, now: int) -> None: ...

    def release_lease(self, import_id: str, request_hash: str) -> None: ...


# --- uploads through a presigned POST -------------------------------------------


# NamedTuples, not dataclasses: a tenth of the cost at import, which is cold-start time
class StoredUpload(NamedTuple):
    size: int
    metadata: dict[str, str]


class PresignedForm(NamedTuple):
    """Where to POST and the form fields to send before the file, in order."""

    url: str
    fields: dict[str, str]


class UploadStore(Protocol):
    def presign_post(
        self,
        upload_id: str,
        *,
        metadata: dict[str, str],
        content_type: str,
        max_bytes: int,
        expires_in: int,
    ) -> PresignedForm: ...

    def head(self, upload_id: str) -> StoredUpload | None: ...

    def read(self, upload_id: str, max_bytes: int) -> bytes: ...


# --- S3-triggered imports ------------------------------------------------------


@dataclass(frozen=True)
class S3ObjectRef:
    """The object an S3 event names (the key URL-decoded)."""

    bucket: str
    key: str
    version_id: str | None = None
    sequencer: str | None = None
    principal_id: str | None = None
    size: int | None = None
    etag: str | None = None
    event_time: str | None = None

    @property
    def revision(self) -> str:
        """What tells this upload of the key from another."""
        if self.version_id and self.version_id != "null":
            return f"version:{self.version_id}"
        if self.sequencer:
            return f"sequencer:{self.sequencer}"
        raise ValueError(f"s3://{self.bucket}/{self.key}: the event has no versionId or sequencer")

    @property
    def uri(self) -> str:
        version = f"?versionId={self.version_id}" if self.version_id else ""
        return f"s3://{self.bucket}/{self.key}{version}"

    def describe(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "version_id": self.version_id,
            "sequencer": self.sequencer,
            "size": self.size,
            "etag": self.etag,
            "event_time": self.event_time,
        }


@dataclass(frozen=True)
class ObjectHead:
    size: int
    metadata: dict[str, str]  # user metadata, keys lower case


@dataclass(frozen=True)
class ReportMarker:
    """What the JSON report in place says about itself (its object metadata)."""

    import_id: str
    status: str
    sequencer: str | None = None


@dataclass(frozen=True)
class ReportFile:
    key: str
    body: bytes
    content_type: str


class ImportBucket(Protocol):
    """What the pipeline needs from S3 (orgimport.storage.import_bucket)."""

    def head(self, obj: S3ObjectRef) -> ObjectHead | None: ...

    def read(self, obj: S3ObjectRef, max_bytes: int) -> bytes: ...

    def report_marker(self, bucket: str, key: str) -> ReportMarker | None: ...

    def put_report(self, bucket: str, files: list[ReportFile], marker: ReportMarker) -> None: ...
