"""Template, uploads and validate through the local stack, as a client calls them."""

from __future__ import annotations

import gzip
import json
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.vats import it_vat

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALIDATE = "/distributors/import/validate"
BOUNDARY = "----e2eBoundary9f8e7d"
MIB = 1024 * 1024
# the archived holder the fixtures meet, written with dots
ARCHIVED_VAT = f"IT {it_vat(2222)[2:5]}.{it_vat(2222)[5:8]}.{it_vat(2222)[8:]}"
EMOJI = "".join(chr(c) for c in range(0x1F600, 0x1F640))  # 4 bytes each in UTF-8


@pytest.fixture(scope="module")
def own_stack(stack_factory: Callable[..., Any]) -> Any:
    """A stack of this module's own: the fixture reports assume a store holding only the
    distributors seeded here."""
    stack = stack_factory()
    owner = stack.token("owner", "seed-user", "o1")
    for name, vat, extra in (
        ("Grossisti Bianchi SpA", it_vat(1111), {"city": "Milano", "email": "old@bianchi.it"}),
        ("Verdi Forniture", it_vat(7777), {"phone": "+39 06 7654321"}),
        ("Vecchia Ditta", ARCHIVED_VAT, {}),
    ):
        reply = stack.request(
            "POST",
            "/distributors",
            token=owner,
            json={"name": name, "custom_data": {"vat": vat, **extra}},
        )
        assert reply.status == 201, reply.text
        if name == "Vecchia Ditta":
            archived = stack.request(
                "DELETE", f"/distributors/{reply.json()['data']['id']}", token=owner
            )
            assert archived.status == 200, archived.text
    return stack


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(DISTRIBUTOR_COLUMNS)]
    lines += [",".join(row.get(c, "") for c in DISTRIBUTOR_COLUMNS) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


SMALL_DUP = f"it {it_vat(900)[2:]}"  # row 2's VAT, written otherwise
SMALL = csv_bytes(
    [
        {"company_name": "Alfa", "vat_number": it_vat(900)},
        {"company_name": "Beta", "vat_number": SMALL_DUP, "phone": "0212345678"},
    ]
)


def multipart(content: bytes) -> tuple[bytes, dict[str, str]]:
    body = (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="distributors.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def upload(stack: Any, token: str, content: bytes) -> str:
    """The presigned path: ask for a form, POST it with the file to S3, answer the upload_id."""
    reply = stack.request("POST", "/distributors/import/uploads", token=token)
    assert reply.status == 201, reply.text
    ticket = reply.json()["data"]
    assert ticket["method"] == "POST"
    files = {"file": ("distributors.csv", content, "text/csv")}
    answer = requests.post(ticket["upload_url"], data=ticket["fields"], files=files, timeout=60)
    assert answer.status_code == 204, answer.text
    return str(ticket["upload_id"])


def assert_small_report(reply: Any) -> None:
    assert reply.status == 200, reply.text
    data = reply.json()["data"]
    uuid.UUID(data["import_id"])
    assert (data["total_rows"], data["valid_rows"], data["error_rows"]) == (2, 1, 1)
    assert data["rows"][1]["errors"] == [
        {"field": "vat_number", "message": "duplicate_in_csv", "values": [SMALL_DUP, "2"]},
        {"field": "phone", "message": "invalid_format", "values": ["0212345678"]},
    ]


def test_template_downloads_as_a_csv_attachment(own_stack):
    reply = own_stack.request(
        "GET", "/distributors/import/template", token=own_stack.token("owner")
    )
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert 'filename="distributors_import_template.csv"' in reply.headers["Content-Disposition"]
    lines = reply.body.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(DISTRIBUTOR_COLUMNS) and len(lines) == 3


def test_validate_a_multipart_form(own_stack):
    body, headers = multipart(SMALL)
    token = own_stack.token("owner")
    assert_small_report(
        own_stack.request("POST", VALIDATE, token=token, body=body, headers=headers)
    )


def test_validate_a_raw_text_csv_body(own_stack):
    reply = own_stack.request(
        "POST",
        VALIDATE,
        token=own_stack.token("owner"),
        body=SMALL,
        headers={"Content-Type": "text/csv"},
    )
    assert_small_report(reply)


def test_validate_an_upload_named_by_upload_id(own_stack):
    token = own_stack.token("owner")
    upload_id = upload(own_stack, token, SMALL)
    assert_small_report(
        own_stack.request("POST", VALIDATE, token=token, json={"upload_id": upload_id})
    )


def test_another_users_upload_is_forbidden(own_stack):
    upload_id = upload(own_stack, own_stack.token("owner", "alice"), SMALL)
    reply = own_stack.request(
        "POST", VALIDATE, token=own_stack.token("owner", "bob"), json={"upload_id": upload_id}
    )
    assert reply.status == 403 and reply.json()["code"] == 403


def test_a_9_mib_file_arrives_through_the_presigned_path_and_validates(own_stack):
    rng = random.Random(11)

    def text(n: int, alphabet: str = EMOJI) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    rows = [
        {
            "company_name": f"Ditta {i:04d} " + text(240, "àèéìòùçñöüß"),
            "description": text(500),
            "vat_number": it_vat(10_000 + i),
            "address": text(255),
            "city": text(255),
            "main_contact": text(255),
            "email": f"info{i}@example.com",
            "language": "it",
            "notes": text(1000),
        }
        for i in range(1000)
    ]
    rows[3]["email"] = "not an email"
    content = csv_bytes(rows)
    assert 9 * MIB <= len(content) < 10 * MIB
    token = own_stack.token("owner")
    upload_id = upload(own_stack, token, content)
    reply = own_stack.request(
        "POST",
        VALIDATE,
        token=token,
        json={"upload_id": upload_id},
        headers={"Accept-Encoding": "gzip"},
    )
    assert reply.status == 200, reply.body[:500]
    # the report echoes 9 MiB of cells: only gzipped does it fit Lambda's 6 MB response
    assert reply.headers["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(reply.body))["data"]
    assert (data["total_rows"], data["valid_rows"], data["error_rows"]) == (1000, 999, 1)
    assert data["rows"][3]["errors"] == [
        {"field": "email", "message": "invalid_format", "values": ["not an email"]}
    ]


@pytest.mark.parametrize("name", ["messy", "latin1", "semicolon_bom"])
def test_fixture_reports_match_the_contract_row_by_row(own_stack, name):
    body, headers = multipart((FIXTURES / f"{name}.csv").read_bytes())
    reply = own_stack.request(
        "POST", VALIDATE, token=own_stack.token("owner"), body=body, headers=headers
    )
    assert reply.status == 200, reply.text
    data = reply.json()["data"]
    uuid.UUID(data.pop("import_id"))
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert data == expected


def test_a_non_owner_may_not_validate(own_stack):
    body, headers = multipart(SMALL)
    reply = own_stack.request(
        "POST", VALIDATE, token=own_stack.token("reseller"), body=body, headers=headers
    )
    assert reply.status == 403
