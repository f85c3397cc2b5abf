"""The import bucket as the S3-triggered import sees it: the uploaded object version
(HEAD for its size and metadata, then a bounded ranged GET) and the report files.

The report's JSON carries its import's marker in its object metadata
(`import-id`, `import-status`, `sequencer`), so a redelivered event learns from one
HEAD whether its import was already reported.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from orgimport.imports.ports import ObjectHead, ReportFile, ReportMarker, S3ObjectRef
from orgimport.storage.s3_client import HIDDEN_CODES, MISSING_CODES, LazyS3, error_code

MARKER_IMPORT_ID = "import-id"
MARKER_STATUS = "import-status"
MARKER_SEQUENCER = "sequencer"


class S3ImportBucket(LazyS3):
    @staticmethod
    def _version(obj: S3ObjectRef) -> dict[str, str]:
        return {"VersionId": obj.version_id} if obj.version_id else {}

    def head(self, obj: S3ObjectRef) -> ObjectHead | None:
        try:
            found = self.client.head_object(Bucket=obj.bucket, Key=obj.key, **self._version(obj))
        except ClientError as exc:
            if error_code(exc) in MISSING_CODES | HIDDEN_CODES:
                return None
            raise
        metadata = {str(k).lower(): str(v) for k, v in (found.get("Metadata") or {}).items()}
        return ObjectHead(size=int(found["ContentLength"]), metadata=metadata)

    def read(self, obj: S3ObjectRef, max_bytes: int) -> bytes:
        """At most max_bytes + 1 bytes of exactly this version: never more in memory."""
        found = self.client.get_object(
            Bucket=obj.bucket, Key=obj.key, Range=f"bytes=0-{max_bytes}", **self._version(obj)
        )
        body: bytes = found["Body"].read()
        return body

    def report_marker(self, bucket: str, key: str) -> ReportMarker | None:
        try:
            found = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in MISSING_CODES | HIDDEN_CODES:
                return None
            raise
        metadata = {str(k).lower(): str(v) for k, v in (found.get("Metadata") or {}).items()}
        if not metadata.get(MARKER_IMPORT_ID):
            return None  # not written by the import function
        return ReportMarker(
            import_id=metadata[MARKER_IMPORT_ID],
            status=metadata.get(MARKER_STATUS, ""),
            sequencer=metadata.get(MARKER_SEQUENCER) or None,
        )

    def put_report(self, bucket: str, files: list[ReportFile], marker: ReportMarker) -> None:
        """Each file in order, all with the marker; the last one written is the JSON."""
        metadata = {MARKER_IMPORT_ID: marker.import_id, MARKER_STATUS: marker.status}
        if marker.sequencer:
            metadata[MARKER_SEQUENCER] = marker.sequencer
        for report in files:
            self.client.put_object(
                Bucket=bucket,
                Key=report.key,
                Body=report.body,
                ContentType=report.content_type,
                Metadata=metadata,
            )
