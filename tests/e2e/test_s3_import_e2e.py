"""S3-triggered imports through the local stack: a file put with boto3 into the stack's
moto, under incoming/distributors/, is imported as S3 would trigger it; its report
agrees with what validate and confirm answer through the API for the same file."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

from local.template import load_template
from tests.e2e.unique_vats import new_run, renumbered

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRIGGER = load_template().s3_triggers[0]
BUCKET = TRIGGER.bucket_name
REPORT_WAIT_S = 60


@pytest.fixture(scope="module")
def s3(stack: Any) -> Any:
    return stack.aws_client("s3")


def unique_file(name: str, run: int) -> bytes:
    """A fixture whose VATs are renumbered for `run`, so the session-wide store holds them
    once."""
    return renumbered((FIXTURES / name).read_text(), run).encode()


def fixture_vats(name: str) -> list[str]:
    """The VAT column of a fixture, as written, in row order."""
    lines = (FIXTURES / name).read_text().splitlines()
    column = lines[0].split(",").index("vat_number")
    return [line.split(",")[column] for line in lines[1:] if line]


def put(s3: Any, name: str, body: bytes, metadata: dict[str, str] | None = None) -> str:
    key = f"{TRIGGER.prefix}{name}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=body, Metadata=metadata or {})
    return key


def wait_for_report(s3: Any, key: str) -> dict[str, Any]:
    """The final JSON report of the object at `key` (bounded wait)."""
    json_key = "reports/distributors/" + key[len(TRIGGER.prefix) : -len(".csv")] + ".json"
    deadline = time.monotonic() + REPORT_WAIT_S
    while time.monotonic() < deadline:
        try:
            found = json.loads(s3.get_object(Bucket=BUCKET, Key=json_key)["Body"].read())
        except ClientError:
            found = None
        if found and found["status"] in ("confirmed", "rejected", "expired"):
            return found
        time.sleep(0.2)
    raise AssertionError(f"no final report at {json_key} within {REPORT_WAIT_S} s")


def seed(stack: Any, token: str, name: str, vat: str) -> None:
    reply = stack.request(
        "POST", "/distributors", token=token, json={"name": name, "custom_data": {"vat": vat}}
    )
    assert reply.status == 201, reply.text


def api_validate(stack: Any, token: str, body: bytes) -> Any:
    return stack.request(
        "POST",
        "/distributors/import/validate",
        token=token,
        body=body,
        headers={"Content-Type": "text/csv"},
    )


def without_ids(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "id"} for r in results]


def test_an_uploaded_clean_file_is_imported_and_its_report_appears(stack, s3):
    run = new_run()
    key = put(s3, f"clean-{run}.csv", unique_file("s3_clean.csv", run))

    report = wait_for_report(s3, key)

    assert report["status"] == "confirmed"
    assert report["confirm"]["created"] == 3
    assert report["created_by"]["org_id"] == "owner"  # the owner organization (OwnerOrgId)
    assert report["created_by"]["user_id"].startswith("s3:")
    token = stack.token()
    names = []
    for vat in fixture_vats("s3_clean.csv"):
        search = quote(renumbered(vat, run))
        listed = stack.request("GET", f"/distributors?search={search}", token=token)
        assert listed.status == 200, listed.text
        names += [d["name"] for d in listed.json()["data"]["distributors"]]
    assert names == ["Alfa Distribuzione S.r.l.", "Beta Trading GmbH", "Gamma Forniture"]


def test_the_report_agrees_with_validate_and_confirm_through_the_api(stack, s3):
    """The same rows, once through the API (VATs of one run) and once through S3 (of
    another), against the same kind of store: the same verdicts and the same outcomes."""
    token = stack.token()
    api_run, s3_run = new_run(), new_run()
    while s3_run == api_run:
        s3_run = new_run()
    held = fixture_vats("s3_warnings.csv")[1:3]  # rows 3 and 4, written there otherwise
    for run in (api_run, s3_run):
        seed(stack, token, "Epsilon Srl", renumbered(held[0].replace("-", " "), run))
        seed(stack, token, "Zeta", renumbered(held[1].upper(), run))

    validated = api_validate(stack, token, unique_file("s3_warnings.csv", api_run))
    assert validated.status == 200, validated.text
    api_validation = validated.json()["data"]
    confirmed = stack.request(
        "POST",
        "/distributors/import/confirm",
        token=token,
        json={"import_id": api_validation["import_id"], "override": True},
    )
    assert confirmed.status == 200, confirmed.text
    api_confirm = confirmed.json()["data"]

    key = put(
        s3,
        f"warnings-{s3_run}.csv",
        unique_file("s3_warnings.csv", s3_run),
        {"override": "true"},
    )
    report = wait_for_report(s3, key)

    assert report["status"] == "confirmed" and report["override"] is True
    # validation: the same counters, and the same verdicts for the rows with problems
    counters = ("total_rows", "valid_rows", "error_rows", "warning_rows", "ambiguous_rows")
    assert {k: report["validation"][k] for k in counters} == {
        k: api_validation[k] for k in counters
    }
    api_rows = [r for r in api_validation["rows"] if r.get("errors") or r.get("warnings")]
    as_api_text = json.dumps(report["validation"]["rows"])
    for vat in set(fixture_vats("s3_warnings.csv")):
        as_api_text = as_api_text.replace(renumbered(vat, s3_run), renumbered(vat, api_run))
    as_api = json.loads(as_api_text)
    assert as_api == api_rows
    # confirm: the same counters and per-row outcomes (the ids are each import's own)
    for k in ("created", "updated", "skipped", "failed", "total_rows"):
        assert report["confirm"][k] == api_confirm[k], k
    assert without_ids(report["confirm"]["results"]) == without_ids(api_confirm["results"])


def test_an_uploaded_bad_file_reports_the_error_validate_answers(stack, s3):
    body = (FIXTURES / "s3_bad_columns.csv").read_bytes()
    api = api_validate(stack, stack.token(), body)
    assert api.status == 400, api.text

    key = put(s3, f"bad-{uuid.uuid4().hex[:8]}.csv", body)
    report = wait_for_report(s3, key)

    assert report["status"] == "rejected"
    assert report["confirm"] is None
    assert report["error"] == {"message": api.json()["message"], **api.json()["data"]}
