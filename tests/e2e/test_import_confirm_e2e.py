"""Import, validate then confirm, over HTTP against the local stack, as a client would."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

from tests.e2e.unique_vats import fresh_vats

HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"


def unique() -> str:
    return uuid.uuid4().hex[:8].upper()


def csv_of(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def validate(stack, token: str, lines: list[str]) -> dict[str, Any]:
    reply = stack.request(
        "POST",
        "/distributors/import/validate",
        token=token,
        body=csv_of(lines),
        headers={"Content-Type": "text/csv"},
    )
    assert reply.status == 200, reply.text
    return reply.json()["data"]


def confirm(stack, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Confirm as a client should: a 202 (stopped before the deadline) is asked again."""
    for _ in range(10):
        reply = stack.request("POST", "/distributors/import/confirm", token=token, json=body)
        if reply.status != 202:
            return reply.status, reply.json()
    raise AssertionError("confirm did not finish in 10 requests")


def listed(stack, token: str, search: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        path = f"/distributors?page_size=100&search={search}"
        if cursor:
            path += f"&cursor={cursor}"
        reply = stack.request("GET", path, token=token)
        assert reply.status == 200, reply.text
        data = reply.json()["data"]
        found.extend(data["distributors"])
        cursor = data["pagination"]["next_cursor"]
        if not cursor:
            return found


def test_a_thousand_rows_validated_then_confirmed_are_listed(stack):
    token = stack.token()
    tag = unique()
    vats = fresh_vats(1000)
    lines = [f"{tag} Company {n},,{vats[n]},,Milano,,,,," for n in range(1000)]
    report = validate(stack, token, lines)
    assert report["valid_rows"] == 1000

    status, body = confirm(stack, token, {"import_id": report["import_id"]})

    assert status == 200, body
    data = body["data"]
    assert (data["created"], data["updated"], data["skipped"], data["failed"]) == (1000, 0, 0, 0)
    assert [r["row_number"] for r in data["results"]] == list(range(2, 1002))
    shown = listed(stack, token, tag)
    assert len(shown) == 1000
    assert {d["id"] for d in shown} == {r["id"] for r in data["results"]}


def test_the_seeds_table_holds_for_every_status_and_both_values_of_override(stack):
    token = stack.token()
    for override in (False, True):
        tag = unique()
        held_vat, new_vat, bad_vat = fresh_vats(3)
        held = stack.request(
            "POST",
            "/distributors",
            token=token,
            json={"name": f"{tag} Held", "custom_data": {"vat": held_vat, "city": "Roma"}},
        ).json()["data"]
        report = validate(
            stack,
            token,
            [
                f"{tag} New,,{new_vat},,,,,,,",
                f"{tag} Renamed,,{held_vat},,Torino,,,,,",
                f"{tag} Bad,,{bad_vat},,,,not-an-email,,,",
            ],
        )
        assert [r["status"] for r in report["rows"]] == ["valid", "warning", "error"]

        status, body = confirm(
            stack, token, {"import_id": report["import_id"], "override": override}
        )

        assert status == 200, body
        new, warned, bad = body["data"]["results"]
        assert new["status"] == "created"
        assert bad == {"row_number": 4, "status": "skipped", "reason": "error"}
        stored = stack.request("GET", f"/distributors/{held['id']}", token=token).json()["data"]
        if override:
            assert warned == {
                "row_number": 3,
                "status": "updated",
                "id": held["id"],
                "changed_fields": ["company_name", "city"],
            }
            assert (stored["name"], stored["custom_data"]["city"]) == (f"{tag} Renamed", "Torino")
        else:
            assert warned == {
                "row_number": 3,
                "status": "skipped",
                "reason": "warning_not_overridden",
            }
            assert stored["name"] == f"{tag} Held"
        again = confirm(stack, token, {"import_id": report["import_id"], "override": override})
        assert again == (status, body)
        other = confirm(stack, token, {"import_id": report["import_id"], "override": not override})
        assert other[0] == 409
        readable = stack.request("GET", f"/distributors/import/{report['import_id']}", token=token)
        assert readable.status == 200
        assert readable.json()["data"]["status"] == "confirmed"
        assert readable.json()["data"]["results"] == body["data"]["results"]


def test_two_confirms_at_once_never_write_twice(stack):
    token = stack.token()
    tag = unique()
    vats = fresh_vats(300)
    report = validate(stack, token, [f"{tag} C{n},,{vats[n]},,,,,,," for n in range(300)])
    body = {"import_id": report["import_id"]}
    answers: list[tuple[int, dict[str, Any]]] = []

    def one() -> None:
        reply = stack.request("POST", "/distributors/import/confirm", token=token, json=body)
        answers.append((reply.status, reply.json()))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    final = confirm(stack, token, body)
    assert final[0] == 200 and final[1]["data"]["created"] == 300
    for status, answer in answers:  # the loser is told to retry, or gets the same result
        if status == 409:
            assert answer["message"].startswith("import confirm in progress")
        elif status == 200:
            assert answer == final[1]
        else:
            assert status == 202
    assert any(status in (200, 202) for status, _ in answers)
    per_vat = Counter(d["custom_data"]["vat"] for d in listed(stack, token, tag))
    assert len(per_vat) == 300 and set(per_vat.values()) == {1}


def test_a_role_other_than_owner_is_refused_and_an_unknown_session_is_400(stack):
    status = stack.request(
        "POST",
        "/distributors/import/confirm",
        token=stack.token(role="reseller"),
        json={"import_id": str(uuid.uuid4())},
    ).status
    assert status == 403
    reply = stack.request(
        "POST",
        "/distributors/import/confirm",
        token=stack.token(),
        json={"import_id": str(uuid.uuid4())},
    )
    assert reply.status == 400 and reply.json()["code"] == 400
    assert (
        stack.request("GET", f"/distributors/import/{uuid.uuid4()}", token=stack.token()).status
        == 404
    )
