"""How a CSV reaches validate: a multipart form, a raw text/csv body, or a file posted to
S3 through a presigned POST first (the only way past Lambda's 6 MB payload limit).

Plain functions over bytes and an upload store; the store hides S3.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from orgimport.core.errors import (
    BadRequest,
    FieldError,
    FileRejected,
    NotAllowed,
    ValidationFailed,
)
from orgimport.core.identity import Caller
from orgimport.core.limits import MAX_FILE_BYTES
from orgimport.core.request_checks import parse_json, utf8_text
from orgimport.imports.ports import UploadStore

FORM_FIELD = "file"
MULTIPART = "multipart/form-data"
JSON_TYPE = "application/json"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What browsers and tools send for a .csv file (Windows labels CSV as an Excel type), and
# the OOXML type of a workbook: the content decides how the file is read.
RAW_CSV_TYPES = (
    "text/csv",
    XLSX_TYPE,
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
)
SUPPORTED_TYPES = (MULTIPART, *RAW_CSV_TYPES, JSON_TYPE)
# object metadata naming who asked for the upload (form fields x-amz-meta-*, in the policy)
OWNER_META = "user-id"
ORG_META = "org-id"
# the one content type the upload policy admits: S3 refuses a form that declares another
UPLOAD_CONTENT_TYPE = "text/csv"


class PresignedUpload(NamedTuple):
    """Where and how the client POSTs its file (the API's view: schemas.UploadTicket)."""

    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: int  # epoch seconds
    expires_in: int
    max_bytes: int

    def as_json(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "upload_url": self.url,
            "method": "POST",
            "fields": dict(self.fields),
            "expires_at": datetime.fromtimestamp(self.expires_at, UTC)
            .isoformat()
            .replace("+00:00", "Z"),
            "expires_in": self.expires_in,
            "max_bytes": self.max_bytes,
        }


def start_upload(
    store: UploadStore, caller: Caller, *, now: int, ttl_seconds: int
) -> PresignedUpload:
    """A presigned POST for a new upload whose signed policy fixes the key, the content type,
    the size range and the caller's identity: S3 refuses any other file."""
    upload_id = str(uuid.uuid4())
    metadata = {OWNER_META: quote(caller.user_id, safe=""), ORG_META: quote(caller.org_id, safe="")}
    form = store.presign_post(
        upload_id,
        metadata=metadata,
        content_type=UPLOAD_CONTENT_TYPE,
        max_bytes=MAX_FILE_BYTES,
        expires_in=ttl_seconds,
    )
    return PresignedUpload(
        upload_id=upload_id,
        url=form.url,
        fields=form.fields,
        expires_at=now + ttl_seconds,
        expires_in=ttl_seconds,
        max_bytes=MAX_FILE_BYTES,
    )


def fetch_upload(store: UploadStore, caller: Caller, upload_id: str) -> bytes:
    """The bytes of an upload the caller made in its own organization; its size is checked
    before it is read (S3 enforces the policy's range, an emulator may not)."""
    found = store.head(upload_id)
    if found is None:
        raise ValidationFailed(
            [FieldError("upload_id", "not_found", upload_id)],
            "no file was uploaded under this upload_id",
        )
    if unquote(found.metadata.get(OWNER_META, "")) != caller.user_id:
        raise NotAllowed("forbidden: this upload belongs to another user")
    if unquote(found.metadata.get(ORG_META, "")) != caller.org_id:
        raise NotAllowed("forbidden: this upload belongs to another organization")
    if found.size > MAX_FILE_BYTES:
        raise FileRejected(
            "file_too_large",
            f"file exceeds the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit",
            {"limit_bytes": MAX_FILE_BYTES, "actual_bytes": found.size},
        )
    if found.size == 0:
        return b""  # S3 refuses a ranged GET of an empty object; the reader reports it empty
    return store.read(upload_id, MAX_FILE_BYTES)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def upload_id_from_json(body: bytes) -> str:
    """`{"upload_id": "<uuid>"}` -> the id, or a 400 naming what is wrong (the body is
    checked as every JSON body is: UTF-8, depth, strings)."""
    payload = parse_json(utf8_text(body)) if body else None
    if not isinstance(payload, dict):
        raise ValidationFailed([FieldError("body", "invalid_type", None)])
    raw = payload.get("upload_id")
    if raw is None or raw == "":
        raise ValidationFailed([FieldError("upload_id", "required", None)])
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        shown = raw if isinstance(raw, (str, int, float, bool)) else None
        raise ValidationFailed([FieldError("upload_id", "invalid_format", shown)]) from None


_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_NAME = re.compile(r'(?:^|;)\s*name\s*=\s*(?:"([^"]*)"|([^;\s]*))', re.IGNORECASE)


def form_file(body: bytes, content_type: str, field: str = FORM_FIELD) -> bytes:
    """The bytes of one multipart/form-data field, exactly as sent (no decoding)."""
    match = _BOUNDARY.search(content_type)
    if not match:
        raise BadRequest("multipart body without a boundary")
    delimiter = b"--" + (match.group(1) or match.group(2)).encode("latin-1")
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        if _field_name(head) == field:
            # the CRLF before the next delimiter belongs to the delimiter
            return content[:-2] if content.endswith(b"\r\n") else content
    raise ValidationFailed(
        [FieldError(field, "required", None)], f"multipart form has no '{field}' field"
    )


def _field_name(head: bytes) -> str | None:
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-disposition":
            found = _NAME.search(value.split(";", 1)[1] if ";" in value else "")
            if found:
                return found.group(1) if found.group(1) is not None else found.group(2)
    return None


def incoming_csv(
    content_type: str | None, body: bytes, caller: Caller, store: UploadStore
) -> tuple[bytes, str]:
    """The CSV a validate request carries, and where it came from (for the session)."""
    kind = media_type(content_type)
    if kind == MULTIPART:
        return form_file(body, content_type or ""), "multipart"
    if kind in RAW_CSV_TYPES:
        return body, "body"
    if kind == JSON_TYPE:
        upload_id = upload_id_from_json(body)
        return fetch_upload(store, caller, upload_id), f"upload:{upload_id}"
    raise BadRequest(
        f"unsupported content type: {kind or '(none)'}",
        {
            "type": "unsupported_content_type",
            "content_type": kind or None,
            "supported": list(SUPPORTED_TYPES),
        },
    )
