"""One delivery of an uploaded object, run to its end: the steps of an S3 import.

Exactly once per object version: the import id is derived from (bucket, key, version
id, or the event's sequencer when the bucket keeps no versions), so a redelivered event
finds its own session and its own report:

- a final report of this import already stands -> nothing is done;
- no session -> validate (size checked before the file is read) and confirm;
- a `validated` session (a run cut off after validate) -> confirm it;
- a `confirming` session (a run cut off mid-confirm) -> the same confirm request
  resumes it (confirm_import's lease and stored chunks);
- a `confirmed` session whose report is missing -> its stored result is reported.

A file-level problem writes an error report and returns (retrying cannot help); a
confirm that did not finish writes what it did and raises `ImportIncomplete`, so
the asynchronous invocation fails and Lambda's retry resumes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from orgimport.core.errors import FileRejected, SessionExpired, SessionNotFound
from orgimport.core.limits import MAX_FILE_BYTES
from orgimport.imports.confirm import (
    ConfirmInProgress,
    ConfirmOptions,
    ConfirmRequest,
    confirm_import,
)
from orgimport.imports.kind import Kind, KindRecords
from orgimport.imports.ports import (
    ImportBucket,
    ObjectHead,
    S3ObjectRef,
    SessionExists,
    SessionStore,
)
from orgimport.imports.report import ReportStatus, file_error
from orgimport.imports.s3.keys import import_id_for, override_from, s3_caller
from orgimport.imports.s3.publish import DeliveryReport, expired_error, interrupted_error
from orgimport.imports.session import ImportSession, RowOutcome
from orgimport.imports.validate import validate_csv

log = logging.getLogger(__name__)

ImportState = Literal[
    "confirmed",  # imported now (or its stored result reported again)
    "rejected",  # a file-level problem: an error report, nothing imported
    "expired",  # its session outlived its life unconfirmed: nothing imported
    "already_reported",  # a redelivery: the import's final report stands, nothing done
    "superseded",  # imported, but a newer upload of the key already owns the report
]


class ImportIncomplete(Exception):
    """The import did not finish in this run; raised so that Lambda's asynchronous retry
    resumes it (the report written so far says how far it got)."""


@dataclass(frozen=True)
class S3ImportOutcome:
    import_id: str
    state: ImportState
    report_key: str
    counters: dict[str, int]  # created/updated/skipped/failed, or empty
    done_now: dict[str, int]  # outcomes this run produced

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "state": self.state,
            "report_key": self.report_key,
            **self.counters,
        }


def _read_checked(bucket: ImportBucket, obj: S3ObjectRef, head: ObjectHead) -> bytes:
    """The object's bytes; its size is checked before any is read."""
    if head.size > MAX_FILE_BYTES:
        raise FileRejected(
            "file_too_large",
            "file exceeds the 10 MiB limit",
            {"limit_bytes": MAX_FILE_BYTES, "actual_bytes": head.size},
        )
    if head.size == 0:
        return b""  # S3 refuses a ranged GET of an empty object; the reader reports it empty
    return bucket.read(obj, MAX_FILE_BYTES)


def _object_missing(obj: S3ObjectRef) -> FileRejected:
    return FileRejected(
        "object_not_found",
        "the uploaded object could not be read: it was deleted, or its version is gone",
        {"key": obj.key, "version_id": obj.version_id},
    )


class _Run:
    """One delivery of one object: its identity, its report, its collaborators."""

    def __init__(
        self,
        obj: S3ObjectRef,
        bucket: ImportBucket,
        kind: Kind,
        records: KindRecords,
        sessions: SessionStore,
        ttl_seconds: int,
        options: ConfirmOptions,
    ):
        self.obj = obj
        self.bucket = bucket
        self.kind = kind
        self.records = records
        self.sessions = sessions
        self.ttl_seconds = ttl_seconds
        self.options = options
        self.import_id = import_id_for(obj)
        self.caller = s3_caller(obj.principal_id)
        self.report = DeliveryReport(kind, obj, bucket, self.import_id, self.caller, self.now)
        self.override = False

    def now(self) -> int:
        return int(self.options.clock())

    def publish(
        self,
        status: ReportStatus,
        session: ImportSession | None = None,
        outcomes: list[RowOutcome] | None = None,
        error: dict[str, Any] | None = None,
    ) -> bool:
        built = self.report.build(status, self.override, session, outcomes, error)
        return self.report.publish(built)

    def outcome(
        self,
        state: ImportState,
        counters: dict[str, int] | None = None,
        done_now: dict[str, int] | None = None,
    ) -> S3ImportOutcome:
        return S3ImportOutcome(
            self.import_id, state, self.report.json_key, dict(counters or {}), dict(done_now or {})
        )

    def reject(self, exc: FileRejected) -> S3ImportOutcome:
        published = self.publish("rejected", error=file_error(exc))
        return self.outcome("rejected" if published else "superseded")

    # -- the steps ----------------------------------------------------------------------

    def run(self) -> S3ImportOutcome:
        if self.report.already_reported():
            return self.outcome("already_reported")
        session: ImportSession | None
        try:
            session = self.sessions.load(self.import_id, self.now())
        except SessionExpired:
            published = self.publish("expired", error=expired_error())
            return self.outcome("expired" if published else "superseded")
        except SessionNotFound:
            session = None
        head = self.bucket.head(self.obj)
        if not self.take_override(head, session):
            return self.reject(_object_missing(self.obj))
        if session is None:
            try:
                session = self.validate(head)
            except FileRejected as exc:
                return self.reject(exc)
        return self.confirm(session)

    def take_override(self, head: ObjectHead | None, session: ImportSession | None) -> bool:
        """The override from the object's metadata, or, when the object went, from the
        confirm its session started; False when neither says."""
        if head is not None:
            self.override = override_from(head.metadata)
            return True
        started = self.override_of(session) if session is not None else None
        if started is None:
            return False
        self.override = started  # the object went, its confirm did not
        return True

    def override_of(self, session: ImportSession) -> bool | None:
        """The override a started confirm was asked with (its request hash says which)."""
        for candidate in (False, True):
            if session.request_hash == ConfirmRequest(self.import_id, candidate).request_hash:
                return candidate
        return None

    def validate(self, head: ObjectHead | None) -> ImportSession:
        if head is None:
            raise _object_missing(self.obj)
        data = _read_checked(self.bucket, self.obj, head)
        try:
            return validate_csv(
                data,
                self.caller,
                self.kind,
                self.records,
                self.sessions,
                now=self.now(),
                ttl_seconds=self.ttl_seconds,
                source=self.obj.uri,
                import_id=self.import_id,
            )
        except SessionExists:
            # a concurrent delivery of the same object validated it first
            return self.sessions.load(self.import_id, self.now())

    def confirm(self, session: ImportSession) -> S3ImportOutcome:
        request = ConfirmRequest(self.import_id, self.override)
        try:
            result = confirm_import(
                self.sessions, self.kind, self.records, self.caller, request, self.options
            )
        except ConfirmInProgress as exc:
            # another delivery holds it, or a cut-off run's lease has not run out yet:
            # fail this invocation so that its retry looks again
            raise ImportIncomplete(f"{self.import_id}: {exc.message}") from exc
        except Exception as exc:
            self.report_interrupted(request, exc)
            raise
        if not result.complete:
            self.publish("incomplete", session, result.outcomes, error=interrupted_error(None))
            raise ImportIncomplete(
                f"{self.import_id}: {len(result.outcomes)} of {result.total_rows} rows confirmed"
                " before the deadline; the retry resumes"
            )
        published = self.publish("confirmed", session, result.outcomes)
        state: ImportState = "confirmed" if published else "superseded"
        return self.outcome(state, result.counters(), result.done_now)

    def report_interrupted(self, request: ConfirmRequest, exc: Exception) -> None:
        """A storage error cut the confirm off: report the rows it stored and free the
        session for the retry at once. Best effort: the store may still be failing."""
        try:
            self.sessions.release_lease(self.import_id, request.request_hash)
            session = self.sessions.load(self.import_id, self.now())
            stored = session.outcomes
            done = [stored[r.row_number] for r in session.rows if r.row_number in stored]
            self.publish("incomplete", session, done, error=interrupted_error(exc))
        except Exception:
            log.warning("no report of the interrupted import", exc_info=True)


def import_s3_object(
    obj: S3ObjectRef,
    bucket: ImportBucket,
    kind: Kind,
    records: KindRecords,
    sessions: SessionStore,
    *,
    ttl_seconds: int,
    options: ConfirmOptions,
) -> S3ImportOutcome:
    """Import one uploaded object version, once; see the module's docstring."""
    return _Run(obj, bucket, kind, records, sessions, ttl_seconds, options).run()
