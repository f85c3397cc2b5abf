"""POST /distributors/import/confirm and GET /distributors/import/{import_id} through
their handler, with API Gateway's event shape, against in-process moto: validate
first (its own handler), then confirm."""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from typing import Any

import boto3
import pytest
from pynamodb.exceptions import PutError

from orgimport import wiring
from tests.integration.conftest import build_event, call_handler, envelope, load_handler
from tests.vats import it_vat

FN = "import_confirm"
HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"


class Crash(BaseException):
    """The function dying mid-confirm (timeout, out of memory): nothing catches it."""


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(fn: str, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    context = {k: kwargs.pop(k) for k in ("timeout_ms",) if k in kwargs}
    result = call_handler(fn, build_event(method, path, **kwargs), **context)
    return result["statusCode"], envelope(result)


def confirm(body: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    return call(FN, "POST", "/distributors/import/confirm", body=body, **kwargs)


def status_of(import_id: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    return call(
        FN,
        "GET",
        f"/distributors/import/{import_id}",
        path_params={"import_id": import_id},
        route="/distributors/import/{import_id}",
        **kwargs,
    )


def other_vat(n: int) -> str:
    """A VAT outside `many_lines`' series (another province office)."""
    return it_vat(n, office="002")


def spaced(vat: str) -> str:
    """The same VAT identity written otherwise."""
    return f"{vat[:2]} {vat[2:7]}.{vat[7:]}"


def line(name: str, vat: str, email: str = "", city: str = "") -> str:
    return f"{name},,{vat},,{city},,{email},,,"


def validate(lines: list[str], user: str = "u1") -> dict[str, Any]:
    status, body = call(
        "import_validate",
        "POST",
        "/distributors/import/validate",
        body="\n".join([HEADER, *lines]) + "\n",
        headers={"content-type": "text/csv"},
        user=user,
    )
    assert status == 200, body
    return body["data"]


def create_distributor(name: str, vat: str, **custom: Any) -> dict[str, Any]:
    status, body = call(
        "distributors",
        "POST",
        "/distributors",
        body={"name": name, "custom_data": {"vat": vat, **custom}},
    )
    assert status == 201, body
    return body["data"]


def scan(table: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def distributors() -> list[dict[str, Any]]:
    return [i for i in scan("DistributorsTable") if i["pk"]["S"].startswith("DIST#")]


def assert_no_duplicates() -> None:
    per_vat = Counter(i["vat_key"]["S"] for i in distributors())
    assert max(per_vat.values(), default=1) == 1


def assert_counters_add_up(data: dict[str, Any]) -> None:
    counted = Counter(r["status"] for r in data["results"])
    assert {s: data[s] for s in ("created", "updated", "skipped", "failed")} == {
        s: counted.get(s, 0) for s in ("created", "updated", "skipped", "failed")
    }
    assert sum(counted.values()) == data["total_rows"] == len(data["results"])
    rows = [r["row_number"] for r in data["results"]]
    assert rows == sorted(rows)


def expire_lease(import_id: str) -> None:
    """What time does to a dead confirm's lease: it runs out."""
    boto3.client("dynamodb").update_item(
        TableName="ImportSessionsTable",
        Key={"pk": {"S": import_id}, "sk": {"S": "META"}},
        UpdateExpression="SET lease_until = :zero",
        ExpressionAttributeValues={":zero": {"N": "0"}},
    )


def many_lines(count: int, start: int = 0) -> list[str]:
    return [line(f"Company {n}", it_vat(n)) for n in range(start, start + count)]


# --- the seed's table, through validate and confirm ------------------------------------------


@pytest.mark.parametrize("override", [False, True])
def test_every_status_gets_the_seeds_action_for_each_value_of_override(override):
    held = create_distributor(
        "Old Name Srl", spaced(other_vat(222)), city="Roma", notes="old notes"
    )
    report = validate(
        [
            line("New Co", other_vat(111), email="a@example.com", city="Milano"),
            line("Renamed Srl", f"it-{other_vat(222)[2:]}", city="Torino"),
            line("Bad Co", other_vat(333), email="not-an-email"),
        ]
    )
    assert [r["status"] for r in report["rows"]] == ["valid", "warning", "error"]

    status, body = confirm({"import_id": report["import_id"], "override": override})

    assert status == 200 and body["code"] == 200 and body["message"] == "import confirmed"
    data = body["data"]
    assert data["import_id"] == report["import_id"]
    created, warned, erred = data["results"]
    assert created["row_number"] == 2 and created["status"] == "created" and created["id"]
    assert erred == {"row_number": 4, "status": "skipped", "reason": "error"}
    if override:
        assert warned == {
            "row_number": 3,
            "status": "updated",
            "id": held["id"],
            "changed_fields": ["company_name", "city", "notes"],
        }
    else:
        assert warned == {"row_number": 3, "status": "skipped", "reason": "warning_not_overridden"}
    assert_counters_add_up(data)

    _, got = call("distributors", "GET", f"/distributors/{held['id']}")
    stored = got["data"]
    if override:  # every field but the VAT overwritten from the CSV, empty cells included
        assert stored["name"] == "Renamed Srl"
        assert stored["custom_data"]["city"] == "Torino"
        assert stored["custom_data"]["notes"] is None
        assert stored["custom_data"]["vat"] == spaced(other_vat(222))
    else:
        assert stored == held
    _, new = call("distributors", "GET", f"/distributors/{created['id']}")
    assert new["data"]["name"] == "New Co"
    assert new["data"]["created_by"] == {"user_id": "u1", "org_id": "o1"}
    assert_no_duplicates()


def test_confirm_answers_within_the_envelope_with_every_row_in_order_for_many_rows():
    report = validate(many_lines(450))
    status, body = confirm({"import_id": report["import_id"]})
    assert status == 200
    assert body["data"]["created"] == 450
    assert_counters_add_up(body["data"])
    assert len(distributors()) == 450


# --- exactly once ------------------------------------------------------------------------------


def test_the_same_confirm_twice_returns_the_identical_result_and_writes_nothing():
    create_distributor("Held", other_vat(9))
    report = validate([*many_lines(30), line("Held again", other_vat(9))])
    body = {"import_id": report["import_id"], "override": True, "resolutions": {}}
    first = confirm(body)
    before = (scan("DistributorsTable"), scan("ImportSessionsTable"))

    second = confirm(body)

    assert second == first
    assert (scan("DistributorsTable"), scan("ImportSessionsTable")) == before


def test_a_different_body_after_confirm_is_409():
    report = validate(many_lines(3))
    assert confirm({"import_id": report["import_id"]})[0] == 200
    count = len(distributors())

    status, body = confirm({"import_id": report["import_id"], "override": True})

    assert status == 409 and body["code"] == 409
    assert body["message"] == "import already confirmed with a different request"
    assert len(distributors()) == count


def test_a_confirm_racing_another_on_the_same_session_gets_409_and_writes_nothing():
    report = validate(many_lines(60))
    body = {"import_id": report["import_id"]}
    real_claim = wiring.distributor_store().claim_vat
    racer: dict[str, Any] = {}
    lock = threading.Lock()

    def claim_after_a_racer(vat: str, distributor_id: str, **scope: Any) -> bool:
        with lock:  # the first write of the first confirm lets a second one run to its end
            if not racer:
                thread = threading.Thread(target=lambda: racer.update(answer=confirm(body)))
                racer["started"] = True
                thread.start()
                thread.join()
        return real_claim(vat, distributor_id, **scope)

    wiring.distributor_store().claim_vat = claim_after_a_racer
    try:
        first = confirm(body)
    finally:
        del wiring.distributor_store().claim_vat

    status, answer = racer["answer"]
    assert status == 409 and answer["message"].startswith("import confirm in progress")
    assert answer["data"]["status"] == "confirming"
    assert answer["data"]["retry_after_seconds"] > 0
    assert first[0] == 200 and first[1]["data"]["created"] == 60
    assert confirm(body) == first
    assert len(distributors()) == 60
    assert_no_duplicates()


def test_a_confirm_cut_off_midway_then_repeated_ends_as_an_uninterrupted_one():
    held = create_distributor("Held", spaced(other_vat(9)))
    lines = many_lines(430)
    lines[5] = line("Held update", other_vat(9))
    lines[7] = line("Broken", spaced(other_vat(123)), email="nope")
    report = validate(lines)
    body = {"import_id": report["import_id"], "override": True}
    real_insert_many = wiring.distributor_store().insert_many
    batches = 0

    def die_in_the_second_chunk(items):
        nonlocal batches
        batches += 1
        if batches == 10:  # the first chunk (8 batches) is stored, the second half-written
            raise Crash()
        real_insert_many(items)

    wiring.distributor_store().insert_many = die_in_the_second_chunk
    try:
        with pytest.raises(Crash):
            confirm(body)
    finally:
        del wiring.distributor_store().insert_many
    assert status_of(report["import_id"])[1]["data"]["status"] == "confirming"
    assert confirm(body)[0] == 409  # the dead run's lease still holds
    expire_lease(report["import_id"])

    status, resumed = confirm(body)

    assert status == 200
    data = resumed["data"]
    assert (data["created"], data["updated"], data["skipped"], data["failed"]) == (428, 1, 1, 0)
    assert data["results"][5] == {
        "row_number": 7,
        "status": "updated",
        "id": held["id"],
        "changed_fields": ["company_name"],
    }
    assert_counters_add_up(data)
    assert len(distributors()) == 429
    assert_no_duplicates()
    assert confirm(body) == (status, resumed)


def test_a_confirm_short_of_time_answers_202_and_the_same_request_finishes_it():
    report = validate(many_lines(450))
    body = {"import_id": report["import_id"]}

    status, partial = confirm(body, timeout_ms=5_000)

    assert status == 202 and partial["code"] == 202
    assert partial["data"]["status"] == "confirming"
    assert partial["data"]["processed_rows"] == 200 and partial["data"]["created"] == 200
    status, done = confirm(body)  # at once: the stopped run released its lease
    assert status == 200 and done["data"]["created"] == 450
    assert_counters_add_up(done["data"])
    assert len(distributors()) == 450
    assert_no_duplicates()


# --- the world changed after validate ------------------------------------------------------------


def test_a_valid_row_whose_vat_was_taken_meanwhile_fails_and_is_never_duplicated():
    report = validate([line("Mine", spaced(other_vat(444))), line("Other", other_vat(555))])
    create_distributor("Quicker", other_vat(444).lower())

    status, body = confirm({"import_id": report["import_id"]})

    assert status == 200
    assert body["data"]["results"][0] == {
        "row_number": 2,
        "status": "failed",
        "error": f"VAT {spaced(other_vat(444))} is already held by another distributor",
    }
    assert body["data"]["created"] == 1 and body["data"]["failed"] == 1
    assert_no_duplicates()


def test_a_warning_row_whose_distributor_was_archived_meanwhile_fails():
    held = create_distributor("Held", other_vat(600))
    report = validate([line("Update me", other_vat(600)), line("Fresh", other_vat(601))])
    assert call("distributors", "DELETE", f"/distributors/{held['id']}")[0] == 200

    _, body = confirm({"import_id": report["import_id"], "override": True})

    assert body["data"]["results"][0] == {
        "row_number": 2,
        "status": "failed",
        "error": "the distributor holding this VAT was archived after validation",
    }
    assert body["data"]["results"][1]["status"] == "created"
    _, got = call("distributors", "GET", f"/distributors/{held['id']}")
    assert got["data"]["name"] == "Held"


def test_a_warning_row_whose_distributor_was_removed_meanwhile_fails():
    held = create_distributor("Held", other_vat(700))
    report = validate([line("Update me", other_vat(700))])
    boto3.client("dynamodb").delete_item(
        TableName="DistributorsTable", Key={"pk": {"S": f"DIST#{held['id']}"}}
    )

    _, body = confirm({"import_id": report["import_id"], "override": True})

    assert body["data"]["results"] == [
        {
            "row_number": 2,
            "status": "failed",
            "error": "the distributor holding this VAT no longer exists",
        }
    ]
    assert distributors() == []


def test_a_dynamodb_error_on_one_row_fails_that_row_while_the_rest_succeed():
    report = validate(many_lines(40))
    real_claim = wiring.distributor_store().claim_vat

    def throttled_once(vat: str, distributor_id: str, **scope: Any) -> bool:
        if vat == it_vat(7):
            raise PutError("Failed to put item: ProvisionedThroughputExceededException")
        return real_claim(vat, distributor_id, **scope)

    wiring.distributor_store().claim_vat = throttled_once
    try:
        status, body = confirm({"import_id": report["import_id"]})
    finally:
        del wiring.distributor_store().claim_vat

    assert status == 200
    data = body["data"]
    failed = [r for r in data["results"] if r["status"] == "failed"]
    assert failed == [
        {
            "row_number": 9,
            "status": "failed",
            "error": "the distributor could not be saved because of a storage error; "
            "this row was not imported",
        }
    ]
    assert data["created"] == 39
    assert len(distributors()) == 39


# --- status --------------------------------------------------------------------------------------


def test_status_shows_a_session_validated_then_confirmed_with_its_result():
    report = validate([line("A", other_vat(1)), line("B", other_vat(2), email="bad")])
    status, before = status_of(report["import_id"])
    assert status == 200 and before["message"] == "import status"
    assert before["data"]["status"] == "validated"
    assert {k: before["data"][k] for k in ("total_rows", "valid_rows", "error_rows")} == {
        "total_rows": 2,
        "valid_rows": 1,
        "error_rows": 1,
    }
    assert "results" not in before["data"]

    _, confirmed = confirm({"import_id": report["import_id"]})
    _, after = status_of(report["import_id"])

    assert after["data"]["status"] == "confirmed"
    assert after["data"]["results"] == confirmed["data"]["results"]
    assert (after["data"]["created"], after["data"]["skipped"]) == (1, 1)


def test_the_confirmed_result_stays_readable_after_the_validated_sessions_lifetime():
    report = validate([line("A", other_vat(1))])
    confirm({"import_id": report["import_id"]})
    meta = boto3.client("dynamodb").get_item(
        TableName="ImportSessionsTable",
        Key={"pk": {"S": report["import_id"]}, "sk": {"S": "META"}},
    )["Item"]
    created_at = int(meta["created_at"]["N"])
    assert int(meta["expires_at"]["N"]) >= created_at + 86400


# --- audit ---------------------------------------------------------------------------------------


def test_one_audit_line_per_created_or_updated_distributor_says_who_which_import_row_and_id():
    held = create_distributor("Held", other_vat(800))
    report = validate(
        [line("New", other_vat(801)), line("Held again", other_vat(800)), line("Bad", "")]
    )
    stream = io.StringIO()
    module = load_handler(FN)
    handler = module.logger.registered_handler
    previous_stream, previous_level = handler.stream, module.logger.log_level
    handler.setStream(stream)
    module.logger.setLevel("INFO")
    try:
        _, body = confirm({"import_id": report["import_id"], "override": True})
    finally:
        handler.setStream(previous_stream)
        module.logger.setLevel(previous_level)

    lines = [json.loads(x) for x in stream.getvalue().splitlines() if x.strip()]
    audit = [x for x in lines if x.get("audit")]
    assert [(a["action"], a["row_number"], a["distributor_id"]) for a in audit] == [
        ("created", 2, body["data"]["results"][0]["id"]),
        ("updated", 3, held["id"]),
    ]
    assert all(
        a["import_id"] == report["import_id"] and a["user_id"] == "u1" and a["org_id"] == "o1"
        for a in audit
    )
    summary = [x for x in lines if x["message"] == "import confirm answered"]
    assert summary[0]["row_counts"] == {"created": 1, "updated": 1, "skipped": 1, "failed": 0}


def test_confirm_publishes_row_and_duration_metrics(capsys):
    create_distributor("Held", other_vat(900))
    report = validate(
        [line("New", other_vat(901)), line("Held again", other_vat(900)), line("Bad", "")]
    )
    capsys.readouterr()

    confirm({"import_id": report["import_id"]})

    blobs = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    (emf,) = blobs
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "PartnerPlatform"
    assert (
        emf["ImportRowsCreated"],
        emf["ImportRowsUpdated"],
        emf["ImportRowsSkipped"],
        emf["ImportRowsFailed"],
    ) == ([1.0], [0.0], [2.0], [0.0])
    assert emf["ImportConfirmDuration"][0] > 0
