"""Uploaded CSVs in the import bucket, under `uploads/<upload_id>.csv`.

The client puts the file with a presigned URL; validate checks its size and owner
with a HEAD, then reads it. The bucket's lifecycle rule deletes uploads after a day.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from orgimport.config import settings
from orgimport.uploads import StoredUpload

UPLOAD_PREFIX = "uploads/"
_MISSING = {"404", "NoSuchKey", "NotFound"}
# Without s3:ListBucket (not granted: least privilege) S3 answers a HEAD of a missing
# key with 403, not 404; the function only ever asks about keys it names itself.
_HIDDEN = {"403", "AccessDenied", "Forbidden"}


def upload_key(upload_id: str) -> str:
    return f"{UPLOAD_PREFIX}{upload_id}.csv"


class S3UploadStore:
    def __init__(self, bucket: str | None = None, client: Any = None):
        self.bucket = bucket or settings().import_bucket
        self._client = client

    @property
    def client(self) -> Any:
        # created on first use, so importing the handler stays cheap
        if self._client is None:
            custom_endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get(
                "AWS_ENDPOINT_URL"
            )
            config = Config(
                signature_version="s3v4",
                # a local endpoint (an IP, localhost) has no bucket sub-domains
                s3={"addressing_style": "path" if custom_endpoint else "auto"},
                connect_timeout=2,
                read_timeout=10,
                retries={"mode": "standard", "max_attempts": 3},
            )
            self._client = boto3.client("s3", region_name=settings().aws_region, config=config)
        return self._client

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
            code = str(exc.response.get("Error", {}).get("Code"))
            if code in _MISSING or code in _HIDDEN:
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
