"""Presigned POST uploads (CONTRACT 7): the policy the service signs, and what in-process
moto does with forms that break it.

moto 5.2.5 checks nothing of a POST policy (not the size range, the content type, the key,
the metadata, the expiry or the signature): on AWS, S3 refuses such a form. These tests
therefore read the signed policy itself, and show validate's own size and owner checks,
for every organization kind.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests

from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

FN = "import_validate"
BUCKET = "local-import-bucket"
MAX = 10 * 1024 * 1024


def csv_of(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(DISTRIBUTOR_COLUMNS)]
    lines += [",".join(row.get(c, "") for c in DISTRIBUTOR_COLUMNS) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


CSV = csv_of(
    [
        {"company_name": "Alfa Srl", "vat_number": it_vat(1)},
        {"company_name": "Beta Spa", "vat_number": it_vat(2)},
    ]
)


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(FN, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def new_upload(kind: str, user: str = "u1", org: str = "o1") -> dict[str, Any]:
    status, body = call("POST", f"/{kind}/import/uploads", user=user, org=org)
    assert status == 201, body
    return body["data"]


def post_form(ticket: dict[str, Any], content: bytes, **changed: str) -> requests.Response:
    """The browser's form: the ticket's fields in order (some changed), then the file."""
    fields = {**ticket["fields"], **changed}
    files = {"file": ("partners.csv", content, fields.get("Content-Type", "text/csv"))}
    return requests.post(ticket["upload_url"], data=fields, files=files, timeout=60)


def validate(kind: str, upload_id: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    return call("POST", f"/{kind}/import/validate", body={"upload_id": upload_id}, **kwargs)


def policy_of(ticket: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    return decoded


def test_the_ticket_is_a_post_form_without_the_old_put_headers(kind):
    ticket = new_upload(kind, user="auth0|u1")
    key = f"uploads/{ticket['upload_id']}.csv"
    assert ticket["method"] == "POST" and "headers" not in ticket
    assert ticket["max_bytes"] == MAX
    assert list(ticket["fields"])[:4] == [
        "key",
        "Content-Type",
        "x-amz-meta-user-id",
        "x-amz-meta-org-id",
    ]
    assert ticket["fields"]["key"] == key
    assert ticket["fields"]["Content-Type"] == "text/csv"
    assert ticket["fields"]["x-amz-meta-user-id"] == "auth0%7Cu1"  # quoted, as S3 keeps it
    assert ticket["fields"]["x-amz-meta-org-id"] == "o1"
    assert {"policy", "x-amz-signature", "x-amz-credential"} <= set(ticket["fields"])


def test_the_signed_policy_fixes_key_type_size_identity_and_expiry(kind):
    ticket = new_upload(kind)
    policy = policy_of(ticket)
    conditions = policy["conditions"]

    assert {"bucket": BUCKET} in conditions
    assert {"key": f"uploads/{ticket['upload_id']}.csv"} in conditions
    assert {"Content-Type": "text/csv"} in conditions
    assert {"x-amz-meta-user-id": "u1"} in conditions
    assert {"x-amz-meta-org-id": "o1"} in conditions
    assert ["content-length-range", 1, MAX] in conditions
    # nothing loosens them: every other condition is an exact match, no starts-with
    exact = [c for c in conditions if isinstance(c, dict)]
    assert len(exact) == len(conditions) - 1 and all(len(c) == 1 for c in exact)
    # every field the client sends (but the policy and its signature) is pinned
    pinned = {name.lower() for c in exact for name in c}
    assert {f.lower() for f in ticket["fields"]} - pinned == {"policy", "x-amz-signature"}

    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    promised = datetime.fromisoformat(ticket["expires_at"].replace("Z", "+00:00"))
    assert abs((expires - promised).total_seconds()) <= 5
    assert ticket["expires_in"] == 900  # UPLOAD_URL_TTL_SECONDS' default


def test_a_file_posted_with_the_fields_is_stored_bound_to_its_uploader_and_validates(kind):
    ticket = new_upload(kind)

    response = post_form(ticket, CSV)

    assert response.status_code == 204, response.text
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key=ticket["fields"]["key"])
    assert head["Metadata"] == {"user-id": "u1", "org-id": "o1"}
    assert head["ContentType"] == "text/csv"
    status, body = validate(kind, ticket["upload_id"])
    assert status == 200, body
    assert (body["data"]["total_rows"], body["data"]["valid_rows"]) == (2, 2)


def test_moto_stores_10_mib_and_one_byte_and_validate_refuses_it_before_reading(kind):
    ticket = new_upload(kind)

    response = post_form(ticket, b"a" * (MAX + 1))

    # moto ignores content-length-range (AWS answers 400 EntityTooLarge): the file is there
    assert response.status_code == 204
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key=ticket["fields"]["key"])
    assert head["ContentLength"] == MAX + 1
    status, body = validate(kind, ticket["upload_id"])
    assert status == 400
    assert body["data"]["reason"] == "file_too_large"
    assert (body["data"]["limit_bytes"], body["data"]["actual_bytes"]) == (MAX, MAX + 1)


def test_moto_stores_a_form_of_another_content_type_the_policy_forbids(kind):
    ticket = new_upload(kind)

    response = post_form(ticket, CSV, **{"Content-Type": "application/pdf"})

    # moto ignores the policy's Content-Type condition (AWS answers 403 AccessDenied)
    assert response.status_code == 204
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key=ticket["fields"]["key"])
    assert head["ContentType"] == "application/pdf"
    assert {"Content-Type": "text/csv"} in policy_of(ticket)["conditions"]


@pytest.mark.parametrize(
    ("user", "org", "whose"), [("u2", "o1", "another user"), ("u1", "o2", "another organization")]
)
def test_an_upload_validated_by_another_user_or_organization_is_forbidden(kind, user, org, whose):
    ticket = new_upload(kind, user="u1", org="o1")
    assert post_form(ticket, CSV).status_code == 204

    status, body = validate(kind, ticket["upload_id"], user=user, org=org)

    assert status == 403 and body["code"] == 403
    assert body["message"] == f"forbidden: this upload belongs to {whose}"
    assert validate(kind, ticket["upload_id"])[0] == 200  # its uploader still may
