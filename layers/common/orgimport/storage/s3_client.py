"""The one S3 client setup every bucket store uses."""

from __future__ import annotations

import os
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from orgimport.storage import aws_clients

# S3's answers for an object that is not there; without s3:ListBucket (not granted:
# least privilege) a HEAD of a missing key is a 403, not a 404.
MISSING_CODES = frozenset({"404", "NoSuchKey", "NoSuchVersion", "NotFound"})
HIDDEN_CODES = frozenset({"403", "AccessDenied", "Forbidden"})


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code"))


def new_s3_client() -> Any:
    custom_endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(
        signature_version="s3v4",
        # a local endpoint (an IP, localhost) has no bucket sub-domains
        s3={"addressing_style": "path" if custom_endpoint else "auto"},
        connect_timeout=2,
        read_timeout=10,
        retries={"mode": "standard", "max_attempts": 3},
    )
    return aws_clients.client("s3", config)


class LazyS3:
    """Holds an S3 client created on first use, so importing a handler stays cheap."""

    def __init__(self, client: Any = None):
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = new_s3_client()
        return self._client
