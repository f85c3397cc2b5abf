"""Workbooks through the handlers (CONTRACT section 11): the LibreOffice-saved twins of the
CSV fixtures validate row for row as the CSVs do, by every way in (raw body, multipart,
presigned upload, S3 under incoming/<kind>/*.xlsx), whatever name or type they are
sent with; the workbook template; the validate handler never loads openpyxl for a CSV."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.integration.conftest import ROOT, build_event, call_handler, envelope
from tests.integration.test_import_validate import (
    multipart,
    new_upload,
    post_through_presigned_form,
    seed_store,
    without_import_id,
)
from tests.integration.test_s3_import import BUCKET, upload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALIDATE = "/distributors/import/validate"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def validate(body: bytes, content_type: str) -> dict[str, Any]:
    result = call_handler(
        "import_validate",
        build_event("POST", VALIDATE, body=body, headers={"content-type": content_type}),
    )
    data = envelope(result)
    assert result["statusCode"] == 200, data
    return dict(data["data"])


def rows_of(report_data: dict[str, Any]) -> list[Any]:
    return without_import_id(report_data)["rows"]


@pytest.mark.parametrize("name", ["messy", "semicolon_bom"])
def test_a_libreoffice_workbook_validates_row_for_row_as_its_csv_twin(name):
    seed_store()
    book = (FIXTURES / "workbooks" / f"{name}.xlsx").read_bytes()
    text = (FIXTURES / f"{name}.csv").read_bytes()
    from_csv = validate(text, "text/csv")
    as_xlsx = validate(book, XLSX)
    # an .xlsx sent as text/csv (a renamed file) is still read as a workbook
    renamed = validate(book, "text/csv")
    body, headers = multipart(book)
    by_form = envelope(
        call_handler("import_validate", build_event("POST", VALIDATE, body=body, headers=headers))
    )["data"]
    for data in (as_xlsx, renamed, by_form):
        assert rows_of(data) == rows_of(from_csv)
        assert data["columns"] == from_csv["columns"]


def test_a_workbook_arrives_through_the_presigned_upload():
    ticket = new_upload()
    post_through_presigned_form(ticket, (FIXTURES / "workbooks" / "features.xlsx").read_bytes())
    result = call_handler(
        "import_validate", build_event("POST", VALIDATE, body={"upload_id": ticket["upload_id"]})
    )
    data = envelope(result)["data"]
    assert result["statusCode"] == 200, data
    assert [r["row_number"] for r in data["rows"]] == [4, 5, 6, 7, 8]
    assert data["rows"][0]["data"]["company_name"] == "Alfa S.r.l."


def test_an_xlsx_put_under_incoming_is_imported():
    s3 = boto3.client("s3", region_name="eu-west-1")
    _, event = upload(s3, "partners.xlsx", (FIXTURES / "workbooks" / "features.xlsx").read_bytes())
    outcome = call_handler("s3_import", event)
    assert outcome["imports"][0]["state"] == "confirmed", outcome
    found = s3.get_object(Bucket=BUCKET, Key="reports/distributors/partners.json")
    got = json.loads(found["Body"].read())
    assert got["confirm"]["created"] >= 3


@pytest.mark.parametrize("name", ["old.xls", "protected.xlsx"])
def test_what_cannot_be_read_is_a_400_that_says_what_to_do(name):
    result = call_handler(
        "import_validate",
        build_event(
            "POST",
            VALIDATE,
            body=(FIXTURES / "workbooks" / name).read_bytes(),
            headers={"content-type": XLSX},
        ),
    )
    data = envelope(result)
    assert result["statusCode"] == 400
    assert data["data"]["reason"] in ("xls_not_supported", "encrypted_workbook")


def test_the_template_as_a_workbook():
    result = call_handler(
        "import_validate",
        build_event(
            "GET", "/users/import/template", query={"format": "xlsx"}, user_roles=["Super Admin"]
        ),
    )
    assert result["statusCode"] == 200
    assert result["headers"]["Content-Type"] == XLSX
    assert 'filename="users_import_template.xlsx"' in result["headers"]["Content-Disposition"]
    import base64

    assert result["isBase64Encoded"] and base64.b64decode(result["body"])[:2] == b"PK"


def test_the_validate_handler_does_not_load_openpyxl_until_a_workbook_arrives():
    probe = (
        "import sys; from local.handlers import function_module; "
        "function_module('import_validate'); print('openpyxl' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'common'}:{ROOT}", "AWS_REGION": "eu-west-1"},
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr
