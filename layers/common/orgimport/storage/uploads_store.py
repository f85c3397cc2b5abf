"""Uploaded CSVs in the import bucket, under `uploads/<upload_id>.csv`.

The client puts the file with a presigned URL; validate checks its size and owner
with a HEAD, then reads it. The bucket's lifecycle rule deletes uploads after a day.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from orgimport.config import settings
from orgimport.storage.s3_client import HIDDEN_CODES, MISSING_CODES, LazyS3, error_code
from orgimport.uploads import StoredUpload

UPLOAD_PREFIX = "uploads/"


def upload_key(upload_id: str) -> str:
    return f"{UPLOAD_PREFIX}{upload_id}.csv"


class S3UploadStore(LazyS3):
    def __init__(self, bucket: str | None = None, client: Any = None):
        super().__init__(client)
        self.bucket = bucket or settings().import_bucket

    def presign_put(self, upload_id: str, metadata: dict[str, str], expires_in: int) -> str:
        url: str = self.client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": upload_key(upload_id), "Metadata": metadata},
            ExpiresIn=expires_in,
            HttpMethod="PUT",
        )
        return url

    def head(self, upload_id: str) -> StoredUpload | None:
        try:
            found = self.client.head_object(Bucket=self.bucket, Key=upload_key(upload_id))
        except ClientError as exc:
            if error_code(exc) in MISSING_CODES | HIDDEN_CODES:
                return None
            raise
        return StoredUpload(size=int(found["ContentLength"]), metadata=dict(found["Metadata"]))

    def read(self, upload_id: str, max_bytes: int) -> bytes:
        """At most max_bytes + 1 bytes: a file re-put larger since the HEAD is still refused
        by the reader's size check, without ever holding more in memory."""
        found = self.client.get_object(
            Bucket=self.bucket, Key=upload_key(upload_id), Range=f"bytes=0-{max_bytes}"
        )
        body: bytes = found["Body"].read()
        return body
