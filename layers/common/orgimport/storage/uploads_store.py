"""Uploaded CSVs in the import bucket, under `uploads/<upload_id>.csv`.

The client posts the file as a form with a presigned POST: its signed policy fixes the key,
the content type, the uploader's metadata and the size range, so S3 refuses any other file
(moto does not check POST policies: validate still checks the size and owner with a HEAD,
then reads it). The bucket's lifecycle rule deletes uploads after a day.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from orgimport.core.config import settings
from orgimport.imports.ports import PresignedForm, StoredUpload
from orgimport.storage.s3_client import HIDDEN_CODES, MISSING_CODES, LazyS3, error_code

UPLOAD_PREFIX = "uploads/"
MIN_UPLOAD_BYTES = 1  # an empty file is no import: S3 refuses it with the rest


def upload_key(upload_id: str) -> str:
    return f"{UPLOAD_PREFIX}{upload_id}.csv"


class S3UploadStore(LazyS3):
    def __init__(self, bucket: str | None = None, client: Any = None):
        super().__init__(client)
        self.bucket = bucket or settings().import_bucket

    def presign_post(
        self,
        upload_id: str,
        *,
        metadata: dict[str, str],
        content_type: str,
        max_bytes: int,
        expires_in: int,
    ) -> PresignedForm:
        key = upload_key(upload_id)
        fixed = {
            "Content-Type": content_type,
            **{f"x-amz-meta-{k}": v for k, v in metadata.items()},
        }
        post: dict[str, Any] = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields=fixed,
            # exact matches: a form that changes any of them fails the policy
            Conditions=[
                *({name: value} for name, value in fixed.items()),
                ["content-length-range", MIN_UPLOAD_BYTES, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
        signed = {k: v for k, v in post["fields"].items() if k != "key" and k not in fixed}
        # sent in this order, all before the file: S3 ignores the fields that follow it
        return PresignedForm(url=post["url"], fields={"key": key, **fixed, **signed})

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
