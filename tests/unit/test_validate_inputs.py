"""How a CSV reaches validate: multipart, raw body, or a presigned upload."""

from __future__ import annotations

import json

import pytest

from orgimport.core.errors import BadRequest, FileRejected, NotAllowed, ValidationFailed
from orgimport.core.identity import Caller
from orgimport.core.limits import MAX_FILE_BYTES
from orgimport.imports.uploads import (
    fetch_upload,
    form_file,
    incoming_csv,
    start_upload,
    upload_id_from_json,
)
from tests.unit.fakes import FakeUploads

CALLER = Caller(user_id="auth0|u1", org_id="o1", role="owner")
CSV = "company_name,vat_number\r\nCaffè,IT1\r\n".encode("cp1252")
UPLOAD_ID = "6f1c2a9e-3b7d-4c58-9a0e-2d4f6b8c1e3a"
OWN_META = {"user-id": "auth0%7Cu1", "org-id": "o1"}


def multipart(fields: dict[str, bytes], boundary: str = "----WebKitFormBoundaryX7z") -> bytes:
    parts = []
    for name, content in fields.items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"; filename="{name}.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# --- multipart ----------------------------------------------------------------------------------


def test_multipart_file_field_comes_back_byte_for_byte():
    body = multipart({"note": b"hello", "file": CSV})
    ct = "multipart/form-data; boundary=----WebKitFormBoundaryX7z"
    assert form_file(body, ct) == CSV


def test_multipart_with_a_quoted_boundary_and_crlf_inside_the_file():
    content = b"a,b\r\n\r\nc,d\r\n"
    body = multipart({"file": content}, boundary="abc def")
    assert form_file(body, 'multipart/form-data; boundary="abc def"') == content


def test_multipart_without_the_file_field_is_a_400_naming_it():
    body = multipart({"upload": CSV})
    with pytest.raises(ValidationFailed) as info:
        form_file(body, "multipart/form-data; boundary=----WebKitFormBoundaryX7z")
    assert info.value.data["errors"] == [{"key": "file", "message": "required", "value": None}]


def test_multipart_without_a_boundary_is_a_bad_request():
    with pytest.raises(BadRequest):
        form_file(b"whatever", "multipart/form-data")


def test_a_field_named_filename_is_not_taken_for_file():
    body = (
        b'--B\r\nContent-Disposition: form-data; name="filename"\r\n\r\nx\r\n'
        b"--B\r\nContent-Disposition: form-data; name=file\r\n\r\nreal\r\n--B--\r\n"
    )
    assert form_file(body, "multipart/form-data; boundary=B") == b"real"


# --- dispatch on the content type -------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/csv", "text/csv; charset=windows-1252", "application/vnd.ms-excel"]
)
def test_a_raw_csv_body_is_taken_as_is(content_type):
    assert incoming_csv(content_type, CSV, CALLER, FakeUploads()) == (CSV, "body")


@pytest.mark.parametrize("content_type", ["application/xml", None, ""])
def test_an_unsupported_content_type_is_a_400_listing_the_supported_ones(content_type):
    with pytest.raises(BadRequest) as info:
        incoming_csv(content_type, CSV, CALLER, FakeUploads())
    assert info.value.data["type"] == "unsupported_content_type"
    assert "multipart/form-data" in info.value.data["supported"]


def test_json_names_an_upload_of_the_caller():
    store = FakeUploads({UPLOAD_ID: (CSV, OWN_META)})
    body = json.dumps({"upload_id": UPLOAD_ID}).encode()
    assert incoming_csv("application/json", body, CALLER, store) == (CSV, f"upload:{UPLOAD_ID}")


@pytest.mark.parametrize(
    ("body", "key", "code"),
    [
        (b"{}", "upload_id", "required"),
        (b'{"upload_id": ""}', "upload_id", "required"),
        (b'{"upload_id": "not-a-uuid"}', "upload_id", "invalid_format"),
        (b'{"upload_id": 12}', "upload_id", "invalid_format"),
        (b"[1]", "body", "invalid_type"),
    ],
)
def test_a_bad_upload_reference_is_a_validation_error(body, key, code):
    with pytest.raises(ValidationFailed) as info:
        upload_id_from_json(body)
    assert [(e.key, e.message) for e in info.value.errors] == [(key, code)]


def test_a_body_that_is_not_json_is_a_bad_request():
    with pytest.raises(BadRequest, match="not valid json"):
        upload_id_from_json(b"{nope")


# --- presigned uploads --------------------------------------------------------------------------


def test_an_upload_ticket_binds_the_caller_and_states_expiry_and_limit():
    store = FakeUploads()
    ticket = start_upload(store, CALLER, now=1_700_000_000, ttl_seconds=900)
    ((upload_id, form),) = store.presigned
    assert upload_id == ticket.upload_id
    assert form == {
        "metadata": {"user-id": "auth0%7Cu1", "org-id": "o1"},
        "content_type": "text/csv",
        "max_bytes": MAX_FILE_BYTES,
        "expires_in": 900,
    }
    out = ticket.as_json()
    assert out["upload_url"].startswith("https://")
    assert out["method"] == "POST"
    assert out["fields"] == {"key": upload_id, "policy": "p"}
    assert "headers" not in out
    assert out["expires_in"] == 900 and out["expires_at"] == "2023-11-14T22:28:20Z"
    assert out["max_bytes"] == MAX_FILE_BYTES


def test_an_unknown_upload_is_a_400_on_upload_id():
    with pytest.raises(ValidationFailed) as info:
        fetch_upload(FakeUploads(), CALLER, UPLOAD_ID)
    assert [(e.key, e.message) for e in info.value.errors] == [("upload_id", "not_found")]


@pytest.mark.parametrize(
    "metadata",
    [{"user-id": "someone-else", "org-id": "o1"}, {}, {"user-id": "auth0%7Cu1", "org-id": "o2"}],
)
def test_another_users_upload_is_refused(metadata):
    store = FakeUploads({UPLOAD_ID: (CSV, metadata)})
    with pytest.raises(NotAllowed):
        fetch_upload(store, CALLER, UPLOAD_ID)
    assert store.reads == []


def test_an_upload_over_the_limit_is_refused_before_it_is_read():
    store = FakeUploads({UPLOAD_ID: (b"x" * (MAX_FILE_BYTES + 1), OWN_META)})
    with pytest.raises(FileRejected) as info:
        fetch_upload(store, CALLER, UPLOAD_ID)
    assert info.value.reason == "file_too_large"
    assert info.value.details == {"limit_bytes": MAX_FILE_BYTES, "actual_bytes": MAX_FILE_BYTES + 1}
    assert store.reads == []


def test_an_empty_upload_reads_as_empty_without_a_get():
    store = FakeUploads({UPLOAD_ID: (b"", OWN_META)})
    assert fetch_upload(store, CALLER, UPLOAD_ID) == b""
    assert store.reads == []
