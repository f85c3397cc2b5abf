"""S3-triggered imports: a CSV put under `incoming/distributors/` is validated and
confirmed by the same pipeline as the API, as the system actor, and reported under
`reports/distributors/`.

Plain functions over a bucket (orgimport.storage.import_bucket hides S3) and the
repositories. Exactly once per object version: the import id is derived from
(bucket, key, version id, or the event's sequencer when the bucket keeps no
versions), so a redelivered event finds its own session and its own report:

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
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from orgimport.core.errors import FileRejected, SessionExpired, SessionNotFound
from orgimport.core.identity import Caller, system_caller
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
    ReportFile,
    ReportMarker,
    S3ObjectRef,
    SessionExists,
    SessionStore,
)
from orgimport.imports.report import (
    CSV_CONTENT_TYPE,
    FINAL_STATUSES,
    JSON_CONTENT_TYPE,
    ImportReport,
    ReportStatus,
    file_error,
)
from orgimport.imports.session import ImportSession, RowOutcome
from orgimport.imports.validate import validate_csv

log = logging.getLogger(__name__)

INCOMING_PREFIX = "incoming/distributors/"
REPORTS_PREFIX = "reports/distributors/"
CSV_SUFFIX = ".csv"
# object metadata (x-amz-meta-override): "true", any case -> override; anything else -> not
OVERRIDE_METADATA = "override"
# created_by.user_id of an S3 import: this prefix and the event's userIdentity.principalId
PRINCIPAL_PREFIX = "s3:"
UNKNOWN_PRINCIPAL = "unknown"
# uuid5 namespace of S3 import ids
IMPORT_ID_NAMESPACE = uuid.UUID("0c6b7f2e-5d0a-5b8e-9e61-3a9f4c2d7b15")

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


# --- keys and identities -----------------------------------------------------------------


def is_import_key(key: str) -> bool:
    """A key the pipeline imports: under the prefix, ending in .csv, with a name."""
    return (
        key.startswith(INCOMING_PREFIX)
        and key.endswith(CSV_SUFFIX)
        and len(key) > len(INCOMING_PREFIX) + len(CSV_SUFFIX)
    )


def report_keys(key: str) -> tuple[str, str]:
    """incoming/distributors/<name>.csv -> reports/distributors/<name>.json and .csv."""
    if not is_import_key(key):
        raise ValueError(f"{key} is not an import key")
    name = key[len(INCOMING_PREFIX) : -len(CSV_SUFFIX)]
    return f"{REPORTS_PREFIX}{name}.json", f"{REPORTS_PREFIX}{name}.csv"


def import_id_for(obj: S3ObjectRef) -> str:
    """The same id for every delivery of one object version, another for a new upload."""
    return str(uuid.uuid5(IMPORT_ID_NAMESPACE, f"{obj.bucket}\n{obj.key}\n{obj.revision}"))


def s3_caller(principal_id: str | None) -> Caller:
    """The system actor, recorded as `s3:<principalId>` in created_by (org `system`)."""
    return system_caller(f"{PRINCIPAL_PREFIX}{(principal_id or '').strip() or UNKNOWN_PRINCIPAL}")


def override_from(metadata: dict[str, str]) -> bool:
    return str(metadata.get(OVERRIDE_METADATA, "")).strip().lower() == "true"


def sequencer_newer(candidate: str | None, than: str | None) -> bool:
    """S3's rule: left-pad the shorter sequencer with zeros, then compare as text."""
    if not candidate or not than:
        return False
    width = max(len(candidate), len(than))
    return candidate.upper().rjust(width, "0") > than.upper().rjust(width, "0")


# --- the pipeline --------------------------------------------------------------------------


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
        self.json_key, self.csv_key = report_keys(obj.key)
        self.caller = s3_caller(obj.principal_id)
        self.override = False
        self.marker: ReportMarker | None = None

    def now(self) -> int:
        return int(self.options.clock())

    def report(
        self,
        status: ReportStatus,
        session: ImportSession | None = None,
        outcomes: list[RowOutcome] | None = None,
        error: dict[str, Any] | None = None,
    ) -> ImportReport:
        return ImportReport(
            kind=self.kind,
            import_id=self.import_id,
            status=status,
            source=self.obj.describe(),
            created_by=self.caller.as_created_by(),
            override=self.override,
            generated_at=self.now(),
            session=session,
            outcomes=list(outcomes or []),
            error=error,
        )

    def publish(self, report: ImportReport) -> bool:
        """Write the CSV, then the JSON (whose metadata marks the import); False when a
        newer upload of the same key already owns the report (events arrive unordered)."""
        current = self.marker
        if (
            current is not None
            and current.import_id != self.import_id
            and sequencer_newer(current.sequencer, self.obj.sequencer)
        ):
            log.warning(
                "report of a newer upload kept",
                extra={"import_id": self.import_id, "report_import_id": current.import_id},
            )
            return False
        marker = ReportMarker(self.import_id, report.status, self.obj.sequencer)
        files = [
            ReportFile(self.csv_key, report.csv_bytes(), CSV_CONTENT_TYPE),
            ReportFile(self.json_key, report.json_bytes(), JSON_CONTENT_TYPE),
        ]
        self.bucket.put_report(self.obj.bucket, files, marker)
        self.marker = marker
        return True

    def outcome(
        self,
        state: ImportState,
        counters: dict[str, int] | None = None,
        done_now: dict[str, int] | None = None,
    ) -> S3ImportOutcome:
        return S3ImportOutcome(
            self.import_id, state, self.json_key, dict(counters or {}), dict(done_now or {})
        )

    def reject(self, exc: FileRejected) -> S3ImportOutcome:
        published = self.publish(self.report("rejected", error=file_error(exc)))
        return self.outcome("rejected" if published else "superseded")

    # -- the steps ----------------------------------------------------------------------

    def run(self) -> S3ImportOutcome:
        self.marker = self.bucket.report_marker(self.obj.bucket, self.json_key)
        if (
            self.marker is not None
            and self.marker.import_id == self.import_id
            and self.marker.status in FINAL_STATUSES
        ):
            return self.outcome("already_reported")
        session: ImportSession | None
        try:
            session = self.sessions.load(self.import_id, self.now())
        except SessionExpired:
            error = {
                "type": "session_expired",
                "message": "the import session expired before it was confirmed;"
                " put the file again to import it",
            }
            published = self.publish(self.report("expired", error=error))
            return self.outcome("expired" if published else "superseded")
        except SessionNotFound:
            session = None
        head = self.bucket.head(self.obj)
        if head is not None:
            self.override = override_from(head.metadata)
        elif session is not None and self.override_of(session) is not None:
            self.override = bool(self.override_of(session))  # the object went, its confirm did not
        else:
            return self.reject(_object_missing(self.obj))
        if session is None:
            try:
                session = self.validate(head)
            except FileRejected as exc:
                return self.reject(exc)
        return self.confirm(session)

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
            self.publish(
                self.report("incomplete", session, result.outcomes, error=_interrupted(None))
            )
            raise ImportIncomplete(
                f"{self.import_id}: {len(result.outcomes)} of {result.total_rows} rows confirmed"
                " before the deadline; the retry resumes"
            )
        published = self.publish(self.report("confirmed", session, result.outcomes))
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
            self.publish(self.report("incomplete", session, done, error=_interrupted(exc)))
        except Exception:
            log.warning("no report of the interrupted import", exc_info=True)


def _interrupted(exc: Exception | None) -> dict[str, Any]:
    cause = "a storage error" if exc is not None else "the function's deadline"
    return {
        "type": "confirm_interrupted",
        "message": f"the confirm was interrupted by {cause}; the import is retried and"
        " resumes where it stopped, and this report is rewritten when it completes",
    }


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


__all__ = [
    "CSV_SUFFIX",
    "INCOMING_PREFIX",
    "OVERRIDE_METADATA",
    "REPORTS_PREFIX",
    "ImportIncomplete",
    "S3ImportOutcome",
    "import_id_for",
    "import_s3_object",
    "is_import_key",
    "override_from",
    "report_keys",
    "s3_caller",
    "sequencer_newer",
]
