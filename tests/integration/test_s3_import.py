"""S3-triggered imports through their handler, with S3's notification event shape
(events/s3_put_distributors.json filled in for each upload), against in-process moto:
the object is really put in the versioned import bucket, the report really written."""

from __future__ import annotations

import copy
import csv
import io
import json
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from pynamodb.exceptions import PutError

from local.cfn_yaml import load_yaml, referenced_resources
from local.template import load_template
from orgimport import wiring
from orgimport.core.limits import MAX_DATA_ROWS, MAX_FILE_BYTES
from orgimport.imports.ports import S3ObjectRef
from orgimport.imports.s3 import import_id_for, s3_caller
from orgimport.imports.validate import validate_csv
from orgimport.storage.sessions_repo import SessionRepository
from tests.integration.conftest import (
    ORGANIZATION_KINDS,
    build_event,
    call_handler,
    envelope,
    kind_named,
    load_handler,
    records_of,
)
from tests.vats import DE_VAT, it_vat

FN = "s3_import"
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EVENT_FILE = ROOT / "events" / "s3_put_distributors.json"
TRIGGER = load_template().s3_triggers[0]
BUCKET = TRIGGER.bucket_name
PRINCIPAL = "AWS:AIDAJDPLRKLG7UEXAMPLE"
HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"
# VATs of the fixtures: s3_warnings.csv writes its rows' VATs with province office 004
WARNED = {k: it_vat(k - 1, office="004") for k in range(1, 6)}


class Crash(BaseException):
    """The function dying mid-confirm (timeout, out of memory): nothing catches it."""


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


@pytest.fixture(autouse=True)
def _log_everything():
    """Every log line the handler writes is built (the tests' level would skip INFO)."""
    logger = load_handler(FN).logger
    level = logger.log_level
    logger.setLevel("DEBUG")
    yield
    logger.setLevel(level)


@pytest.fixture
def s3() -> Any:
    return boto3.client("s3", region_name="eu-west-1")


_sequence = [0x0065642A0B00000000]


def s3_event(
    key: str,
    *,
    version_id: str | None,
    size: int,
    etag: str = "d41d8cd98f00b204e9800998ecf8427e",
    event_name: str = "ObjectCreated:Put",
    principal: str = PRINCIPAL,
) -> dict[str, Any]:
    """The notification S3 sends for a put: the key URL-encoded, a growing sequencer."""
    _sequence[0] += 1
    event = copy.deepcopy(json.loads(EVENT_FILE.read_text()))
    record = event["Records"][0]
    record["eventName"] = event_name
    record["userIdentity"]["principalId"] = principal
    record["s3"]["bucket"]["name"] = BUCKET
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{BUCKET}"
    obj = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag}
    if version_id:
        obj["versionId"] = version_id
    obj["sequencer"] = f"{_sequence[0]:018X}"
    record["s3"]["object"] = obj
    return event


def upload(
    s3: Any,
    name: str,
    body: bytes,
    metadata: dict[str, str] | None = None,
    kind: str = "distributors",
):
    """Put the object under incoming/<kind>/; returns its key and S3's event for it."""
    key = f"incoming/{kind}/{name}"
    put = s3.put_object(Bucket=BUCKET, Key=key, Body=body, Metadata=metadata or {})
    return key, s3_event(key, version_id=put["VersionId"], size=len(body), etag=put["ETag"])


def deliver(event: dict[str, Any], **context: Any) -> dict[str, Any]:
    return call_handler(FN, event, **context)


def report_key(key: str, ext: str = "json") -> str:
    """reports/<kind>/<name>.<ext> for incoming/<kind>/<name>.csv"""
    return "reports/" + key[len("incoming/") : -len(".csv")] + f".{ext}"


def report(s3: Any, key: str) -> dict[str, Any]:
    found = s3.get_object(Bucket=BUCKET, Key=report_key(key))
    return json.loads(found["Body"].read())


def report_rows(s3: Any, key: str) -> list[dict[str, str]]:
    found = s3.get_object(Bucket=BUCKET, Key=report_key(key, "csv"))
    text = found["Body"].read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def report_version(s3: Any, key: str) -> str:
    return s3.head_object(Bucket=BUCKET, Key=report_key(key))["VersionId"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def create_record(kind: str, name: str, vat: str, **custom: Any) -> dict[str, Any]:
    """A record created through the API by the owner (the S3 actor's organization)."""
    body = {"name": name, "custom_data": {"vat": vat, **custom}}
    result = call_handler("distributors", build_event("POST", f"/{kind}", body=body, org="owner"))
    assert result["statusCode"] == 201, result
    return envelope(result)["data"]


def get_record(kind: str, record_id: str) -> dict[str, Any]:
    event = build_event(
        "GET",
        f"/{kind}/{record_id}",
        path_params={"id": record_id},
        route=f"/{kind}/{{id}}",
    )
    result = call_handler("distributors", event)
    assert result["statusCode"] == 200, result
    return envelope(result)["data"]


def assert_no_duplicate_vats(kind: str) -> None:
    per_vat = Counter(i["vat_key"]["S"] for i in records_of(kind))
    assert max(per_vat.values(), default=1) == 1


def many_rows(count: int) -> bytes:
    lines = [f"Company {n},,IT {it_vat(n, office='006')[2:]},,,,,,," for n in range(count)]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def expire_lease(import_id: str) -> None:
    """What time does to a dead confirm's lease: it runs out."""
    boto3.client("dynamodb", region_name="eu-west-1").update_item(
        TableName="ImportSessionsTable",
        Key={"pk": {"S": import_id}, "sk": {"S": "META"}},
        UpdateExpression="SET lease_until = :zero",
        ExpressionAttributeValues={":zero": {"N": "0"}},
    )


def confirm_counters(data: dict[str, Any]) -> dict[str, int]:
    return {k: data[k] for k in ("created", "updated", "skipped", "failed")}


# --- a clean file ----------------------------------------------------------------------------


def test_a_clean_file_is_imported_by_the_s3_principal_and_reported(kind, s3):
    key, event = upload(s3, "clean.csv", fixture("s3_clean.csv"), kind=kind)

    deliver(event)

    got = report(s3, key)
    assert got["status"] == "confirmed"
    assert got["import_id"] == import_id_for(
        S3ObjectRef(BUCKET, key, version_id=event["Records"][0]["s3"]["object"]["versionId"])
    )
    assert got["source"]["key"] == key
    assert got["override"] is False
    assert got["created_by"] == {"user_id": f"s3:{PRINCIPAL}", "org_id": "owner"}
    assert got["validation"] == {
        "total_rows": 3,
        "valid_rows": 3,
        "error_rows": 0,
        "warning_rows": 0,
        "ambiguous_rows": 0,
        "rows": [],
    }
    assert confirm_counters(got["confirm"]) == {
        "created": 3,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert got["confirm"]["total_rows"] == 3
    assert [r["status"] for r in got["confirm"]["results"]] == ["created"] * 3
    assert got["error"] is None
    created = get_record(kind, got["confirm"]["results"][0]["id"])
    assert created["name"] == "Alfa Distribuzione S.r.l."
    assert created["created_by"] == {"user_id": f"s3:{PRINCIPAL}", "org_id": "owner"}
    rows = report_rows(s3, key)
    assert [(r["row_number"], r["validation"], r["outcome"]) for r in rows] == [
        ("2", "valid", "created"),
        ("3", "valid", "created"),
        ("4", "valid", "created"),
    ]
    assert rows[1]["vat_number"] == f"DE {DE_VAT[2:]}"
    assert rows[0][kind_named(kind).noun + "_id"] == got["confirm"]["results"][0]["id"]


def test_a_key_with_spaces_arrives_url_encoded_and_is_read_decoded(kind, s3):
    key, event = upload(s3, "nightly export (1).csv", fixture("s3_clean.csv"), kind=kind)
    assert event["Records"][0]["s3"]["object"]["key"].endswith("nightly+export+%281%29.csv")

    deliver(event)

    assert report(s3, key)["confirm"]["created"] == 3


# --- warnings and the override metadata --------------------------------------------------------


def seed_warning_holders(kind: str) -> dict[str, dict[str, Any]]:
    return {
        "0002": create_record(kind, "Epsilon Srl", f"IT {WARNED[2][2:]}", city="Salerno"),
        "0003": create_record(kind, "Zeta", f"IT {WARNED[3][2:]}"),
    }


def test_a_file_with_warnings_and_override_true_metadata_updates_the_holders(kind, s3):
    held = seed_warning_holders(kind)
    key, event = upload(
        s3, "warnings.csv", fixture("s3_warnings.csv"), {"override": "true"}, kind=kind
    )

    deliver(event)

    got = report(s3, key)
    assert got["status"] == "confirmed"
    assert got["override"] is True
    validation = got["validation"]
    assert {
        k: validation[k] for k in ("total_rows", "valid_rows", "warning_rows", "error_rows")
    } == {
        "total_rows": 6,
        "valid_rows": 1,
        "warning_rows": 2,
        "error_rows": 3,
    }
    # only the rows with errors or warnings, each with its diagnostics
    assert [(r["row_number"], r["status"]) for r in validation["rows"]] == [
        (3, "warning"),
        (4, "warning"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
    ]
    assert validation["rows"][0]["warnings"] == [
        {
            "field": "vat_number",
            "message": "already_exists",
            "values": [f"IT-{WARNED[2][2:7]}-{WARNED[2][7:]}"],
        }
    ]
    assert {
        "field": "vat_number",
        "message": "duplicate_in_csv",
        "values": [f"IT {WARNED[1][2:]}", "2"],
    } in (validation["rows"][3]["errors"])
    assert confirm_counters(got["confirm"]) == {
        "created": 1,
        "updated": 2,
        "skipped": 3,
        "failed": 0,
    }
    results = got["confirm"]["results"]
    assert [(r["row_number"], r["status"]) for r in results] == [
        (2, "created"),
        (3, "updated"),
        (4, "updated"),
        (5, "skipped"),
        (6, "skipped"),
        (7, "skipped"),
    ]
    assert results[1]["id"] == held["0002"]["id"]
    updated = get_record(kind, held["0002"]["id"])
    assert updated["name"] == "Epsilon Rinominata Srl"
    assert updated["custom_data"]["vat"] == f"IT {WARNED[2][2:]}"  # the VAT is never changed
    rows = report_rows(s3, key)
    assert rows[1]["outcome"] == "updated"
    assert rows[3]["problems"] == "error company_name: required"


@pytest.mark.parametrize(
    ("metadata", "override"),
    [({"override": "TRUE"}, True), ({"override": "yes"}, False), ({}, False)],
    ids=["TRUE", "yes", "none"],
)
def test_only_override_true_metadata_overrides(kind, s3, metadata, override):
    seed_warning_holders(kind)
    key, event = upload(s3, "warnings.csv", fixture("s3_warnings.csv"), metadata, kind=kind)

    deliver(event)

    got = report(s3, key)
    assert got["override"] is override
    statuses = [(r["status"], r.get("reason")) for r in got["confirm"]["results"][1:3]]
    if override:
        assert statuses == [("updated", None)] * 2
    else:
        assert statuses == [("skipped", "warning_not_overridden")] * 2


# --- bad files -------------------------------------------------------------------------------


BAD_FILES = {
    "wrong_columns": (fixture("s3_bad_columns.csv"), "invalid_columns"),
    "empty": (b"", "empty_file"),
    "header_only": ((HEADER + "\n").encode(), "no_data_rows"),
    "not_csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" * 8, "not_csv"),
    "over_1000_rows": (many_rows(MAX_DATA_ROWS + 1), "too_many_rows"),
    "over_10_mib": (b"x" * (MAX_FILE_BYTES + 1), "file_too_large"),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_a_bad_file_gets_an_error_report_imports_nothing_and_does_not_fail(kind, s3, case):
    body, reason = BAD_FILES[case]
    key, event = upload(s3, f"{case}.csv", body, kind=kind)

    result = deliver(event)  # returns: a retry could not help

    assert result["imports"][0]["state"] == "rejected"
    got = report(s3, key)
    assert got["status"] == "rejected"
    assert got["error"]["type"] == "file_error"
    assert got["error"]["reason"] == reason
    assert got["error"]["message"]
    assert got["validation"] is None and got["confirm"] is None
    assert records_of(kind) == []
    rows = report_rows(s3, key)
    assert len(rows) == 1 and rows[0]["validation"] == "rejected"
    assert rows[0]["problems"] == got["error"]["message"]


def test_the_column_error_names_missing_unexpected_and_expected_columns(kind, s3):
    key, event = upload(s3, "columns.csv", fixture("s3_bad_columns.csv"), kind=kind)

    deliver(event)

    error = report(s3, key)["error"]
    assert "company_name" in error["missing"]
    assert "nome_ditta" in error["unexpected"]
    assert "vat_number" in error["expected"]


def test_an_oversized_file_is_refused_before_it_is_read(kind, s3, monkeypatch):
    def never(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("the object was read")

    monkeypatch.setattr(wiring.import_bucket(), "read", never)
    key, event = upload(s3, "big.csv", b"x" * (MAX_FILE_BYTES + 1), kind=kind)

    deliver(event)

    error = report(s3, key)["error"]
    assert (error["reason"], error["actual_bytes"], error["limit_bytes"]) == (
        "file_too_large",
        MAX_FILE_BYTES + 1,
        MAX_FILE_BYTES,
    )


def test_a_deleted_object_version_gets_an_error_report(kind, s3):
    key, event = upload(s3, "gone.csv", fixture("s3_clean.csv"), kind=kind)
    version = event["Records"][0]["s3"]["object"]["versionId"]
    s3.delete_object(Bucket=BUCKET, Key=key, VersionId=version)

    deliver(event)

    assert report(s3, key)["error"]["reason"] == "object_not_found"
    assert records_of(kind) == []


# --- keys the function ignores ---------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "incoming/partners/list.csv",
        "incoming/distributors/list.txt",
        "incoming/distributors/list.CSV.bak",
        "reports/distributors/list.csv",
        "incoming/distributors/.csv",
        "incoming/resellers/list.txt",
        "reports/customers/list.csv",
        "incoming/customers/.csv",
        "distributors.csv",
    ],
)
def test_a_key_outside_the_prefix_or_without_csv_is_ignored(s3, key):
    s3.put_object(Bucket=BUCKET, Key=key, Body=fixture("s3_clean.csv"))

    result = deliver(s3_event(key, version_id="v1", size=1))

    assert result["imports"] == [{"key": key, "state": "ignored"}]
    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [o["Key"] for o in listed] == [key]  # no report
    assert all(records_of(kind) == [] for kind in ORGANIZATION_KINDS)


def test_an_event_other_than_object_created_is_ignored(kind, s3):
    key, _ = upload(s3, "clean.csv", fixture("s3_clean.csv"), kind=kind)

    result = deliver(s3_event(key, version_id="v1", size=1, event_name="ObjectRemoved:Delete"))

    assert result["imports"][0]["state"] == "ignored"
    assert records_of(kind) == []


# --- exactly once ------------------------------------------------------------------------------


def test_the_same_event_delivered_twice_imports_once_and_leaves_the_report(kind, s3):
    key, event = upload(s3, "twice.csv", fixture("s3_clean.csv"), kind=kind)
    deliver(event)
    first = report(s3, key)
    first_version = report_version(s3, key)

    again = deliver(copy.deepcopy(event))

    assert again["imports"][0]["state"] == "already_reported"
    assert report_version(s3, key) == first_version
    assert report(s3, key) == first
    assert len(records_of(kind)) == 3
    assert_no_duplicate_vats(kind)


def test_a_redelivery_after_the_report_was_lost_reports_the_stored_result_and_writes_nothing(
    kind, s3
):
    key, event = upload(s3, "lost.csv", fixture("s3_clean.csv"), kind=kind)
    deliver(event)
    first = report(s3, key)
    for ext in ("json", "csv"):
        s3.delete_object(Bucket=BUCKET, Key=report_key(key, ext))

    again = deliver(event)

    assert again["imports"][0]["state"] == "confirmed"
    assert report(s3, key)["confirm"] == first["confirm"]
    assert len(records_of(kind)) == 3


def test_the_same_key_uploaded_twice_is_two_imports(kind, s3):
    key, first_event = upload(s3, "daily.csv", fixture("s3_clean.csv"), kind=kind)
    deliver(first_event)
    first = report(s3, key)

    _, second_event = upload(s3, "daily.csv", fixture("s3_clean.csv"), kind=kind)
    deliver(second_event)

    second = report(s3, key)
    assert second["import_id"] != first["import_id"]
    assert second["source"]["version_id"] != first["source"]["version_id"]
    # the second upload is judged against what the first imported
    assert second["validation"]["warning_rows"] == 3
    assert confirm_counters(second["confirm"]) == {
        "created": 0,
        "updated": 0,
        "skipped": 3,
        "failed": 0,
    }
    assert len(records_of(kind)) == 3


def test_a_late_redelivery_of_an_older_upload_keeps_the_newer_report(kind, s3):
    key, first_event = upload(s3, "daily.csv", fixture("s3_clean.csv"), kind=kind)
    deliver(first_event)
    _, second_event = upload(s3, "daily.csv", fixture("s3_clean.csv"), kind=kind)
    deliver(second_event)
    newest = report(s3, key)

    late = deliver(first_event)

    assert late["imports"][0]["state"] == "superseded"
    assert report(s3, key) == newest
    assert len(records_of(kind)) == 3


def test_a_validated_session_left_by_a_cut_off_run_is_confirmed_by_the_retry(kind, s3):
    key, event = upload(s3, "halfway.csv", fixture("s3_clean.csv"), kind=kind)
    version = event["Records"][0]["s3"]["object"]["versionId"]
    obj = S3ObjectRef(BUCKET, key, version_id=version)
    validate_csv(
        fixture("s3_clean.csv"),
        s3_caller(PRINCIPAL),
        kind_named(kind),
        wiring.records(kind_named(kind)),
        wiring.session_store(),
        now=int(time.time()),
        ttl_seconds=1800,
        import_id=import_id_for(obj),
    )

    deliver(event)

    got = report(s3, key)
    assert got["import_id"] == import_id_for(obj)
    assert got["confirm"]["created"] == 3


# --- faults during confirm ---------------------------------------------------------------------


def test_a_storage_error_mid_confirm_is_reported_and_the_retry_completes_without_duplicates(
    kind, s3, monkeypatch
):
    total = 250  # two chunks of outcomes
    key, event = upload(s3, "flaky.csv", many_rows(total), kind=kind)
    real_save = SessionRepository.save_outcomes
    failed: list[int] = []

    def flaky(self, import_id, chunk_index, outcomes, expires_at):
        if chunk_index == 1 and not failed:
            failed.append(chunk_index)
            raise PutError("ProvisionedThroughputExceededException")
        return real_save(self, import_id, chunk_index, outcomes, expires_at)

    monkeypatch.setattr(SessionRepository, "save_outcomes", flaky)

    with pytest.raises(PutError):
        deliver(event)  # the invocation fails: Lambda retries it

    partial = report(s3, key)
    assert partial["status"] == "incomplete"
    assert partial["error"]["type"] == "confirm_interrupted"
    assert partial["confirm"]["processed_rows"] == 200
    assert [r["status"] for r in partial["confirm"]["results"]] == ["created"] * 200

    deliver(event)  # Lambda's retry

    done = report(s3, key)
    assert done["status"] == "confirmed"
    assert confirm_counters(done["confirm"]) == {
        "created": total,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert [r["id"] for r in done["confirm"]["results"][:200]] == [
        r["id"] for r in partial["confirm"]["results"]
    ]
    assert len(records_of(kind)) == total
    assert_no_duplicate_vats(kind)


def test_a_run_that_died_mid_confirm_is_resumed_once_its_lease_ran_out(kind, s3, monkeypatch):
    total = 250
    key, event = upload(s3, "crash.csv", many_rows(total), kind=kind)
    real_save = SessionRepository.save_outcomes
    crashed: list[int] = []

    def crash_once(self, import_id, chunk_index, outcomes, expires_at):
        if chunk_index == 1 and not crashed:
            crashed.append(chunk_index)
            raise Crash()
        return real_save(self, import_id, chunk_index, outcomes, expires_at)

    monkeypatch.setattr(SessionRepository, "save_outcomes", crash_once)
    with pytest.raises(Crash):
        deliver(event)

    # a retry while the dead run's lease holds the session fails again (and is retried)
    with pytest.raises(Exception, match="in progress"):
        deliver(event)

    import_id = import_id_for(
        S3ObjectRef(BUCKET, key, version_id=event["Records"][0]["s3"]["object"]["versionId"])
    )
    expire_lease(import_id)
    deliver(event)

    done = report(s3, key)
    assert done["status"] == "confirmed"
    assert done["confirm"]["created"] == total
    assert len(records_of(kind)) == total
    assert_no_duplicate_vats(kind)


def test_a_confirm_stopped_by_the_deadline_fails_the_invocation_and_the_retry_finishes(kind, s3):
    total = 250
    key, event = upload(s3, "slow.csv", many_rows(total), kind=kind)

    # under 8 s left after the first chunk: confirm stops and says how far it got
    with pytest.raises(Exception, match="before the deadline"):
        deliver(event, timeout_ms=7_000)

    partial = report(s3, key)
    assert partial["status"] == "incomplete"
    assert partial["confirm"]["processed_rows"] == 200

    deliver(event)

    done = report(s3, key)
    assert done["status"] == "confirmed"
    assert done["confirm"]["created"] == total
    assert len(records_of(kind)) == total


# --- the CSV report ----------------------------------------------------------------------------


def test_formula_cells_are_neutralised_in_the_csv_report(kind, s3):
    key, event = upload(s3, "formula.csv", fixture("s3_formula.csv"), kind=kind)

    deliver(event)

    (row,) = report_rows(s3, key)
    assert row["company_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["description"] == "'+cmd|calc"
    assert row["address"] == "'-2+3"
    assert row["city"] == "'@SUM(A1:A9)"
    assert row["main_contact"] == "'=1+1"
    assert row["phone"] == '="+39 02 1234567"'  # a text formula: shown with no '
    assert row["vat_number"] == f"IT {it_vat(0, office='005')[2:]}"  # harmless cells are left alone
    # the data itself is imported as typed; only the spreadsheet view is neutralised
    created = get_record(kind, report(s3, key)["confirm"]["results"][0]["id"])
    assert created["name"] == '=HYPERLINK("http://evil.example","click")'


# --- the template --------------------------------------------------------------------------------


def test_a_function_the_bucket_notifies_does_not_reference_the_bucket():
    """CloudFormation would find a circular dependency (sam validate does not)."""
    doc = load_yaml(ROOT / "template.yaml")
    resources = doc["Resources"]
    globals_ = (doc.get("Globals") or {}).get("Function") or {}
    for trigger in load_template().s3_triggers:
        props = {
            k: v for k, v in resources[trigger.function]["Properties"].items() if k != "Events"
        }
        assert trigger.bucket not in referenced_resources([globals_, props], resources)


def test_the_s3_function_retries_a_bounded_number_of_times_then_parks_the_event():
    doc = load_yaml(ROOT / "template.yaml")
    config = doc["Resources"][TRIGGER.function]["Properties"]["EventInvokeConfig"]
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    on_failure = config["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS"
    queue = referenced_resources(on_failure["Destination"], doc["Resources"])
    (queue_id,) = queue
    assert doc["Resources"][queue_id]["Properties"]["SqsManagedSseEnabled"] is True
    ttl = doc["Resources"][TRIGGER.function]["Properties"]["Environment"]["Variables"][
        "IMPORT_SESSION_TTL_SECONDS"
    ]
    assert config["MaximumEventAgeInSeconds"] <= int(ttl)


def test_the_s3_put_event_file_has_s3s_shape():
    record = json.loads(EVENT_FILE.read_text())["Records"][0]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["object"]["key"].startswith(TRIGGER.prefix)
    assert record["s3"]["bucket"]["name"] == BUCKET
    assert uuid.UUID(import_id_for(S3ObjectRef(BUCKET, "k", sequencer="01")))
