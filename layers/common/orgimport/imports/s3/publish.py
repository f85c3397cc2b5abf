"""The report of one delivery: an ImportReport built for this import, written under the
key's report keys, and the rule that keeps a newer upload's report.

Events arrive unordered: an older upload of a key, delivered late, must not overwrite
the report of a newer one. The JSON report's metadata (a ReportMarker) names the import
that wrote it and its upload's sequencer, so a run reads it first and compares.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from orgimport.core.identity import Caller
from orgimport.imports.kind import Kind
from orgimport.imports.ports import ImportBucket, ReportFile, ReportMarker, S3ObjectRef
from orgimport.imports.report import (
    CSV_CONTENT_TYPE,
    FINAL_STATUSES,
    JSON_CONTENT_TYPE,
    ImportReport,
    ReportStatus,
)
from orgimport.imports.s3.keys import report_keys, sequencer_newer
from orgimport.imports.session import ImportSession, RowOutcome

log = logging.getLogger(__name__)


def expired_error() -> dict[str, Any]:
    return {
        "type": "session_expired",
        "message": "the import session expired before it was confirmed;"
        " put the file again to import it",
    }


def interrupted_error(exc: Exception | None) -> dict[str, Any]:
    """A confirm cut off by a storage error (exc) or by the deadline (None)."""
    cause = "a storage error" if exc is not None else "the function's deadline"
    return {
        "type": "confirm_interrupted",
        "message": f"the confirm was interrupted by {cause}; the import is retried and"
        " resumes where it stopped, and this report is rewritten when it completes",
    }


def newer_upload_reported(marker: ReportMarker, import_id: str, sequencer: str | None) -> bool:
    """The report in place is another import's, of an upload newer than this one."""
    return marker.import_id != import_id and sequencer_newer(marker.sequencer, sequencer)


class DeliveryReport:
    """The report of one delivery of one object, and what the report in place says."""

    def __init__(
        self,
        kind: Kind,
        obj: S3ObjectRef,
        bucket: ImportBucket,
        import_id: str,
        caller: Caller,
        now: Callable[[], int],
    ):
        self.kind = kind
        self.obj = obj
        self.bucket = bucket
        self.import_id = import_id
        self.caller = caller
        self.now = now
        self.json_key, self.csv_key = report_keys(obj.key, kind)
        self.marker: ReportMarker | None = None

    def already_reported(self) -> bool:
        """Read the report in place; True when it is this import's final report."""
        self.marker = self.bucket.report_marker(self.obj.bucket, self.json_key)
        return (
            self.marker is not None
            and self.marker.import_id == self.import_id
            and self.marker.status in FINAL_STATUSES
        )

    def build(
        self,
        status: ReportStatus,
        override: bool,
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
            override=override,
            generated_at=self.now(),
            session=session,
            outcomes=list(outcomes or []),
            error=error,
        )

    def publish(self, report: ImportReport) -> bool:
        """Write the CSV, then the JSON (whose metadata marks the import); False when a
        newer upload of the same key already owns the report."""
        current = self.marker
        if current is not None and newer_upload_reported(
            current, self.import_id, self.obj.sequencer
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
