"""Template, uploads and validate through their handler, with API Gateway's event shapes."""

from __future__ import annotations

import base64
import gzip
import json
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.client import BaseClient

from orgimport import wiring
from orgimport.core.config import settings
from orgimport.core.errors import SessionExpired
from orgimport.core.identity import Caller
from orgimport.kinds.organizations import service as distributors
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.viewer import Viewer
from tests.integration.conftest import ROOT, build_event, call_handler, envelope
from tests.vats import it_vat

FN = "import_validate"
FIXTURES = ROOT / "tests" / "fixtures"
EVENTS = ROOT / "events"
BUCKET = "local-import-bucket"
VALIDATE = "/distributors/import/validate"
BOUNDARY = "----WebKitFormBoundaryp7MA4YWxkTrZu0gW"
GZIP_ACCEPTED = {"accept-encoding": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def answer(result: dict[str, Any]) -> dict[str, Any]:
    """The envelope of a proxy result, gunzipped when the client took gzip."""
    if result.get("headers", {}).get("Content-Encoding") == "gzip":
        return json.loads(gzip.decompress(base64.b64decode(result["body"])))
    return envelope(result)


def call(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(FN, build_event(method, path, **kwargs))
    return result["statusCode"], answer(result)


def multipart(content: bytes, field: str = "file") -> tuple[bytes, dict[str, str]]:
    body = (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="distributors.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return body, {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def validate_multipart(content: bytes, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    body, headers = multipart(content)
    return call("POST", VALIDATE, body=body, headers=headers, **kwargs)


def validate_csv_body(content: bytes, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    return call("POST", VALIDATE, body=content, headers={"content-type": "text/csv"}, **kwargs)


def new_upload(user: str = "u1") -> dict[str, Any]:
    status, body = call("POST", "/distributors/import/uploads", user=user)
    assert status == 201, body
    return body["data"]


def post_through_presigned_form(ticket: dict[str, Any], content: bytes) -> None:
    """The form a browser sends: the ticket's fields in order, then the file."""
    files = {"file": ("distributors.csv", content, "text/csv")}
    response = requests.post(ticket["upload_url"], data=ticket["fields"], files=files)
    assert response.status_code == 204, response.text


def validate_upload(upload_id: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    return call("POST", VALIDATE, body={"upload_id": upload_id}, **kwargs)


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(DISTRIBUTOR_COLUMNS)]
    for row in rows:
        lines.append(",".join(row.get(c, "") for c in DISTRIBUTOR_COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode()


def seed_store() -> None:
    """The distributors fixtures/messy.csv meets: two active holders, one archived."""
    repo, owner = wiring.distributor_store(), Viewer(Caller("seed", "o1", "owner"))
    for fields in (
        DistributorFields(
            name="Grossisti Bianchi SpA", vat=it_vat(1111), city="Milano", email="old@bianchi.it"
        ),
        DistributorFields(name="Verdi Forniture", vat=it_vat(7777), phone="+39 06 7654321"),
    ):
        distributors.create_organization(repo, owner, fields)
    archived = distributors.create_organization(
        repo,
        owner,
        DistributorFields(
            name="Vecchia Ditta",
            vat=f"IT {it_vat(2222)[2:5]}.{it_vat(2222)[5:8]}.{it_vat(2222)[8:]}",
        ),
    )
    distributors.archive_organization(repo, owner, archived.id)


def without_import_id(report: dict[str, Any]) -> dict[str, Any]:
    uuid.UUID(report["import_id"])
    return {k: v for k, v in report.items() if k != "import_id"}


def expected_report(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


# --- template ----------------------------------------------------------------------------------


def test_template_is_a_csv_attachment_with_header_and_two_examples():
    result = call_handler(FN, build_event("GET", "/distributors/import/template"))
    assert result["statusCode"] == 200
    headers = {k.lower(): v for k, v in result["headers"].items()}
    assert headers["content-type"].startswith("text/csv")
    assert headers["content-disposition"] == (
        'attachment; filename="distributors_import_template.csv"'
    )
    body = result["body"]
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(DISTRIBUTOR_COLUMNS)
    assert len(lines) == 3


def test_the_template_downloaded_validates_clean():
    result = call_handler(FN, build_event("GET", "/distributors/import/template"))
    status, body = validate_csv_body(result["body"].encode("utf-8"))
    assert status == 200
    assert body["data"]["valid_rows"] == 2 and body["data"]["total_rows"] == 2


# --- the three input forms -----------------------------------------------------------------------


SMALL_DUP = f"it {it_vat(100)[2:]}"  # row 2's VAT, written otherwise
SMALL = csv_bytes(
    [
        {"company_name": "Alfa", "vat_number": it_vat(100)},
        {"company_name": "Beta", "vat_number": SMALL_DUP, "email": "Beta <b@example.com>"},
    ]
)


def assert_small_report(status: int, body: dict[str, Any]) -> None:
    assert status == 200, body
    assert body["code"] == 200 and body["message"] == "import validated"
    data = body["data"]
    assert (data["total_rows"], data["valid_rows"], data["error_rows"]) == (2, 1, 1)
    assert data["rows"][1]["errors"] == [  # in column order
        {"field": "vat_number", "message": "duplicate_in_csv", "values": [SMALL_DUP, "2"]},
        {"field": "email", "message": "invalid_format", "values": ["Beta <b@example.com>"]},
    ]


def test_validate_accepts_a_base64_multipart_form():
    assert_small_report(*validate_multipart(SMALL))


def test_validate_accepts_a_raw_text_csv_body_base64_encoded():
    assert_small_report(*validate_csv_body(SMALL))


def test_validate_accepts_a_raw_text_csv_body_not_encoded():
    event = build_event("POST", VALIDATE, body=SMALL.decode(), headers={"content-type": "text/csv"})
    result = call_handler(FN, event)
    assert_small_report(result["statusCode"], answer(result))


def test_validate_reads_a_file_posted_through_the_presigned_form():
    ticket = new_upload()
    assert ticket["method"] == "POST" and ticket["max_bytes"] == 10 * 1024 * 1024
    assert ticket["expires_in"] == settings().upload_url_ttl_seconds
    post_through_presigned_form(ticket, SMALL)
    assert_small_report(*validate_upload(ticket["upload_id"]))


def test_an_upload_of_another_user_is_forbidden():
    ticket = new_upload(user="u1")
    post_through_presigned_form(ticket, SMALL)
    status, body = validate_upload(ticket["upload_id"], user="u2")
    assert status == 403 and body["code"] == 403


def test_an_upload_id_with_no_file_is_a_400_on_upload_id():
    ticket = new_upload()
    status, body = validate_upload(ticket["upload_id"])
    assert status == 400
    assert body["data"]["errors"][0]["key"] == "upload_id"
    assert body["data"]["errors"][0]["message"] == "not_found"


def test_an_upload_over_10_mib_is_refused_with_the_figures():
    ticket = new_upload()
    boto3.client("s3").put_object(
        Bucket=BUCKET,
        Key=f"uploads/{ticket['upload_id']}.csv",
        Body=b"a" * (10 * 1024 * 1024 + 5),
        Metadata={"user-id": "u1", "org-id": "o1"},
    )
    status, body = validate_upload(ticket["upload_id"])
    assert status == 400
    assert body["data"]["reason"] == "file_too_large"
    assert body["data"]["actual_bytes"] == 10 * 1024 * 1024 + 5


def test_multipart_without_the_file_field_is_a_400():
    body, headers = multipart(SMALL, field="upload")
    status, answer = call("POST", VALIDATE, body=body, headers=headers)
    assert status == 400
    assert answer["data"]["errors"] == [{"key": "file", "message": "required", "value": None}]


def test_an_unsupported_content_type_is_a_400():
    status, body = call("POST", VALIDATE, body=b"<xml/>", headers={"content-type": "text/xml"})
    assert status == 400 and body["data"]["type"] == "unsupported_content_type"


def test_a_json_body_without_upload_id_is_a_400():
    status, body = call("POST", VALIDATE, body={"file": "x"})
    assert status == 400
    assert body["data"]["errors"] == [{"key": "upload_id", "message": "required", "value": None}]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty_file"),
        (b"company_name,notes\r\n", "invalid_columns"),
        (",".join(DISTRIBUTOR_COLUMNS).encode() + b"\r\n", "no_data_rows"),
    ],
)
def test_file_level_problems_are_400_with_their_reason(content, reason):
    status, body = validate_csv_body(content)
    assert status == 400 and body["data"]["reason"] == reason


def test_more_than_1000_rows_is_a_400_with_the_actual_count():
    rows = [{"company_name": f"N{i}", "vat_number": it_vat(i)} for i in range(1001)]
    status, body = validate_csv_body(csv_bytes(rows))
    assert status == 400
    assert body["data"]["reason"] == "too_many_rows" and body["data"]["actual_rows"] == 1001


# --- identity -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/distributors/import/template"),
        ("POST", "/distributors/import/uploads"),
        ("POST", VALIDATE),
    ],
)
def test_no_claims_is_401_and_a_non_owner_is_403(method, path):
    assert call(method, path, role=None)[0] == 401
    assert call(method, path, role="reseller")[0] == 403


# --- the reports of the fixture files, row by row -------------------------------------------------


@pytest.mark.parametrize("name", ["messy", "latin1", "semicolon_bom"])
def test_fixture_report_matches_the_contract_row_by_row(name):
    seed_store()
    status, body = validate_multipart((FIXTURES / f"{name}.csv").read_bytes())
    assert status == 200, body
    assert without_import_id(body["data"]) == expected_report(name)


# --- the session --------------------------------------------------------------------------------


def test_the_session_holds_caller_entity_rows_and_lifetime_with_ttl():
    seed_store()
    before = int(time.time())
    status, body = validate_multipart((FIXTURES / "messy.csv").read_bytes(), user="u7", org="o7")
    assert status == 200
    import_id = body["data"]["import_id"]
    session = wiring.session_store().load(import_id, now=int(time.time()))
    assert (session.user_id, session.org_id, session.entity_type) == ("u7", "o7", "distributors")
    assert before <= session.created_at <= int(time.time())
    assert session.expires_at == session.created_at + 1800
    assert session.report() == body["data"]
    warning = next(r for r in session.rows if r.status == "warning")
    assert warning.existing_id and warning.existing_key == it_vat(1111)
    items = boto3.client("dynamodb").query(
        TableName="ImportSessionsTable",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": import_id}},
    )["Items"]
    assert items and all("expires_at" in item for item in items)


def test_the_session_lifetime_comes_from_configuration(monkeypatch):
    monkeypatch.setenv("IMPORT_SESSION_TTL_SECONDS", "5")
    settings.cache_clear()
    try:
        status, body = validate_csv_body(SMALL)
    finally:
        monkeypatch.delenv("IMPORT_SESSION_TTL_SECONDS")
        settings.cache_clear()
    assert status == 200
    import_id = body["data"]["import_id"]
    repo = wiring.session_store()
    session = repo.load(import_id, now=int(time.time()))
    assert session.expires_at - session.created_at == 5
    # past its lifetime: not found, although DynamoDB's TTL has not removed the item
    with pytest.raises(SessionExpired):
        repo.load(import_id, now=session.expires_at)
    assert repo.exists(import_id)


EMOJI = [chr(c) for c in range(0x1F600, 0x1F640)]  # 4 bytes each in UTF-8


def _max_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(EMOJI) for _ in range(n))


def _max_email(i: int) -> str:
    """254 characters, the longest address email-validator takes (a local part of 64, labels
    of at most 63)."""
    domain = f"{'b' * 63}.{'c' * 63}.{'d' * 57}.com"
    return f"{'a' * 60}{i:04d}@{domain}"


def test_a_9_mib_file_of_1000_rows_at_maximum_length_arrives_presigned_and_fits_the_session():
    """Every cell at its limit in characters, mostly 4-byte characters: the
    file is past Lambda's 6 MB payload limit, so it can only come through S3."""
    rng = random.Random(7)
    rows = [
        {
            "company_name": _max_text(rng, 255),
            "description": _max_text(rng, 500),
            # no country prefix: only normalised, so its identity stays 255 characters long
            "vat_number": f"ZZ{i:06d}" + "X" * 247,
            "address": _max_text(rng, 255),
            "city": _max_text(rng, 255),
            "main_contact": "m" * 255,
            "email": _max_email(i),
            "phone": "+39 (02) 1234 - 5678",
            "language": "en",
            "notes": _max_text(rng, 1000),
        }
        for i in range(1000)
    ]
    content = csv_bytes(rows)
    assert 9 * 1024 * 1024 <= len(content) < 10 * 1024 * 1024
    ticket = new_upload()
    post_through_presigned_form(ticket, content)
    event = build_event(
        "POST", VALIDATE, body={"upload_id": ticket["upload_id"]}, headers=GZIP_ACCEPTED
    )
    result = call_handler(FN, event)
    assert result["statusCode"] == 200
    assert result["headers"]["Content-Encoding"] == "gzip"
    assert len(json.dumps(result)) <= 6 * 1024 * 1024  # fits Lambda's response, escaped
    body = answer(result)
    assert body["data"]["total_rows"] == body["data"]["valid_rows"] == 1000
    session = wiring.session_store().load(body["data"]["import_id"], now=int(time.time()))
    assert session.report() == body["data"]

    # the same report uncompressed cannot leave Lambda: the counters and import_id come back
    status, plain = validate_upload(ticket["upload_id"])
    assert status == 200 and plain["data"]["rows_omitted"] is True
    assert "Accept-Encoding: gzip" in plain["message"]
    assert plain["data"]["total_rows"] == plain["data"]["valid_rows"] == 1000
    assert (
        wiring.session_store().load(plain["data"]["import_id"], now=int(time.time())).total_rows
        == 1000
    )


def test_a_client_taking_gzip_gets_the_report_gzipped():
    event = build_event(
        "POST", VALIDATE, body=SMALL, headers={"content-type": "text/csv", **GZIP_ACCEPTED}
    )
    result = call_handler(FN, event)
    assert result["isBase64Encoded"] is True
    assert result["headers"]["Content-Encoding"] == "gzip"
    assert_small_report(result["statusCode"], answer(result))


def test_1000_rows_are_judged_with_batched_lookups_never_a_request_per_row(monkeypatch):
    seed_store()
    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    rows = [{"company_name": f"N{i}", "vat_number": it_vat(50_000 + i)} for i in range(997)]
    rows += [{"company_name": "Held", "vat_number": v} for v in (it_vat(1111), it_vat(7777))]
    rows += [{"company_name": "Archived", "vat_number": it_vat(2222)}]
    status, body = validate_csv_body(csv_bytes(rows))
    assert status == 200
    assert (body["data"]["warning_rows"], body["data"]["error_rows"]) == (2, 1)
    # guards for 1000 VATs: 10 reads of 100; their 3 holders: 1; the session: 2 writes
    assert calls["BatchGetItem"] == 11
    assert sum(calls.values()) <= 15, calls


# --- the event files under events/ (what `sam local invoke -e` feeds) ---------------------------


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def test_event_file_template():
    result = call_handler(FN, load_event("import_template.json"))
    assert result["statusCode"] == 200
    assert "distributors_import_template.csv" in result["headers"]["Content-Disposition"]


def test_event_file_uploads():
    result = call_handler(FN, load_event("import_uploads.json"))
    assert result["statusCode"] == 201
    data = answer(result)["data"]
    assert data["upload_url"] and data["method"] == "POST"
    assert data["fields"]["key"] == f"uploads/{data['upload_id']}.csv"


@pytest.mark.parametrize("name", ["import_validate_multipart.json", "import_validate_csv.json"])
def test_event_files_with_an_inline_csv(name):
    result = call_handler(FN, load_event(name))
    body = answer(result)
    assert result["statusCode"] == 200, body
    data = body["data"]
    assert (data["total_rows"], data["valid_rows"], data["error_rows"]) == (3, 1, 2)


def test_event_file_validate_upload():
    event = load_event("import_validate_upload.json")
    upload_id = json.loads(event["body"])["upload_id"]
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    boto3.client("s3").put_object(
        Bucket=BUCKET,
        Key=f"uploads/{upload_id}.csv",
        Body=SMALL,
        Metadata={"user-id": claims["sub"], "org-id": claims["org_id"]},
    )
    result = call_handler(FN, event)
    assert_small_report(result["statusCode"], answer(result))


def test_every_event_file_of_this_function_is_tested():
    names = {p.name for p in Path(EVENTS).glob("import_*.json") if "confirm" not in p.name}
    assert names >= {
        "import_template.json",
        "import_uploads.json",
        "import_validate_multipart.json",
        "import_validate_csv.json",
        "import_validate_upload.json",
    }
