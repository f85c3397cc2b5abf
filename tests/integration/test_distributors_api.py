"""The distributors CRUD through its handler, with API Gateway's event shape."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import DE_VAT, it_vat

FN = "distributors"
VAT = it_vat(123455)
VAT_SPACED = f"IT {VAT[2:6]}.{VAT[6:9]}.{VAT[9:]}"  # the same identity, written otherwise


def call(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(FN, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def create(name: str = "Acme", vat: str = VAT, **custom: Any) -> dict[str, Any]:
    status, body = call(
        "POST", "/distributors", body={"name": name, "custom_data": {"vat": vat, **custom}}
    )
    assert status == 201, body
    return body["data"]


def stored_items() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName="DistributorsTable")["Items"]


def distributor_count() -> int:
    return sum(1 for i in stored_items() if i["pk"]["S"].startswith("DIST#"))


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def test_create_answers_201_with_the_distributor_in_the_envelope():
    status, body = call(
        "POST",
        "/distributors",
        body={
            "name": " Acme SpA ",
            "description": "d",
            "custom_data": {"vat": f" {VAT_SPACED} ", "language": "EN"},
        },
    )
    assert status == 201
    assert body["code"] == 201 and body["message"] == "distributor created"
    data = body["data"]
    assert data["name"] == "Acme SpA"
    assert data["custom_data"]["vat"] == VAT_SPACED  # stored as entered, trimmed
    assert data["custom_data"]["language"] == "en"
    assert data["created_by"] == {"user_id": "u1", "org_id": "o1"}
    assert data["deleted_at"] is None and data["id"]


def test_same_vat_identity_is_refused_with_already_exists():
    create(vat=VAT)
    spelled = VAT_SPACED.lower()
    status, body = call(
        "POST", "/distributors", body={"name": "B", "custom_data": {"vat": spelled}}
    )
    assert status == 400
    assert body["data"] == {
        "type": "validation_error",
        "errors": [{"key": "custom_data.vat", "message": "already_exists", "value": spelled}],
    }
    assert distributor_count() == 1


def test_archived_distributor_still_holds_its_vat():
    d = create(vat=it_vat(1))
    assert call("DELETE", f"/distributors/{d['id']}")[0] == 200
    status, body = call(
        "POST", "/distributors", body={"name": "B", "custom_data": {"vat": it_vat(1)}}
    )
    assert status == 400 and body["data"]["errors"][0]["message"] == "already_exists"


@pytest.mark.parametrize(
    ("payload", "key", "code"),
    [
        ({"name": "x" * 256, "custom_data": {"vat": it_vat(1)}}, "name", "too_long"),
        ({"name": "A", "custom_data": {"vat": "  "}}, "custom_data.vat", "required"),
        ({"name": "A"}, "custom_data.vat", "required"),
        ({"custom_data": {"vat": it_vat(1)}}, "name", "required"),
        (
            {"name": "A", "custom_data": {"vat": it_vat(1), "email": "bad@"}},
            "custom_data.email",
            "invalid_format",
        ),
        (
            {"name": "A", "custom_data": {"vat": it_vat(1), "phone": "12345678"}},
            "custom_data.phone",
            "invalid_format",
        ),
        ({"name": 5, "custom_data": {"vat": it_vat(1)}}, "name", "invalid_type"),
        ({"name": "A", "custom_data": it_vat(1)}, "custom_data", "invalid_type"),
    ],
)
def test_bad_fields_get_a_validation_error_and_change_nothing(payload, key, code):
    status, body = call("POST", "/distributors", body=payload)
    assert status == 400
    assert body["data"]["type"] == "validation_error"
    assert (key, code) in [(e["key"], e["message"]) for e in body["data"]["errors"]]
    assert stored_items() == []


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", ""])
def test_body_that_is_not_a_json_object_is_a_400(raw):
    status, body = call("POST", "/distributors", body=raw)
    assert status == 400 and body["code"] == 400
    assert stored_items() == []


def test_no_claims_is_401_and_a_reseller_is_403():
    status, body = call("GET", "/distributors", role=None)
    assert (status, body) == (401, {"code": 401, "message": "unauthorized", "data": None})
    status, body = call("POST", "/distributors", role="reseller", body={"name": "A"})
    assert status == 403 and body["data"] is None
    assert stored_items() == []


def test_role_is_compared_case_insensitively():
    assert call("GET", "/distributors", role="Owner")[0] == 200


def test_get_unknown_id_is_404():
    status, body = call("GET", "/distributors/nope", path_params={"id": "nope"})
    assert status == 404 and body["message"] == "distributor not found"


def test_update_overwrites_fields_and_can_move_to_a_free_vat():
    d = create(vat=it_vat(1), city="Roma")
    status, body = call(
        "PUT", f"/distributors/{d['id']}", body={"name": "New", "custom_data": {"vat": it_vat(2)}}
    )
    assert status == 200
    assert body["data"]["name"] == "New"
    assert body["data"]["custom_data"]["city"] is None  # PUT replaces every field
    assert body["data"]["created_at"] == d["created_at"]
    # the old VAT is free again, the new one is taken
    create(name="Other", vat=it_vat(1))
    status, body = call(
        "POST", "/distributors", body={"name": "X", "custom_data": {"vat": f"it-{it_vat(2)[2:]}"}}
    )
    assert status == 400


def test_update_to_a_taken_vat_is_refused_and_changes_nothing():
    a = create(name="A", vat=it_vat(1))
    create(name="B", vat=it_vat(2))
    status, body = call(
        "PUT",
        f"/distributors/{a['id']}",
        body={"name": "A2", "custom_data": {"vat": f"IT {it_vat(2)[2:]}"}},
    )
    assert status == 400 and body["data"]["errors"][0]["key"] == "custom_data.vat"
    assert call("GET", f"/distributors/{a['id']}")[1]["data"]["name"] == "A"


def test_update_unknown_id_is_404():
    status, _ = call(
        "PUT", "/distributors/nope", body={"name": "A", "custom_data": {"vat": it_vat(9)}}
    )
    assert status == 404


def test_archive_hides_from_list_and_restore_brings_back():
    d = create(vat=it_vat(1))
    status, body = call("DELETE", f"/distributors/{d['id']}")
    assert status == 200 and body["data"]["deleted_at"]
    assert call("GET", f"/distributors/{d['id']}")[1]["data"]["deleted_at"]  # get still shows it
    assert call("GET", "/distributors")[1]["data"]["distributors"] == []
    listed = call("GET", "/distributors", query={"include_archived": "true"})[1]["data"][
        "distributors"
    ]
    assert [x["id"] for x in listed] == [d["id"]]
    status, body = call("PATCH", f"/distributors/{d['id']}/restore")
    assert status == 200 and body["data"]["deleted_at"] is None
    assert len(call("GET", "/distributors")[1]["data"]["distributors"]) == 1


def test_list_pages_with_a_cursor_in_name_order():
    for i in range(5):
        create(name=f"Dist {i}", vat=it_vat(i))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"page_size": "2"} | ({"cursor": cursor} if cursor else {})
        status, body = call("GET", "/distributors", query=query)
        assert status == 200
        seen += [d["name"] for d in body["data"]["distributors"]]
        cursor = body["data"]["pagination"]["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert seen == [f"Dist {i}" for i in range(5)]
    assert pages == 3


def test_search_matches_name_or_vat_identity():
    create(name="Rossi Forniture", vat=it_vat(111))
    create(name="Bianchi", vat=f"{DE_VAT[:5]} {DE_VAT[5:]}")
    by_name = call("GET", "/distributors", query={"search": "rossi"})[1]["data"]["distributors"]
    by_vat = call("GET", "/distributors", query={"search": f"de-{DE_VAT[2:5]}-{DE_VAT[5:]}"})[1][
        "data"
    ]["distributors"]
    assert [d["name"] for d in by_name] == ["Rossi Forniture"]
    assert [d["name"] for d in by_vat] == ["Bianchi"]


@pytest.mark.parametrize("query", [{"page_size": "0"}, {"page_size": "abc"}, {"cursor": "garbage"}])
def test_bad_list_parameters_are_400(query):
    status, body = call("GET", "/distributors", query=query)
    assert status == 400 and body["data"]["type"] == "validation_error"


def test_stale_guard_of_a_dead_writer_is_taken_over():
    """A writer that died between its guard and its item must not block the VAT forever."""
    from orgimport.storage.distributors_repo import STALE_GUARD_SECONDS
    from orgimport.storage.models import VatGuardItem

    vat = it_vat(777)
    VatGuardItem(pk=f"VAT#{vat}", distributor_id="ghost", vat=vat, created_at=0).save()
    assert STALE_GUARD_SECONDS > 0
    d = create(vat=vat)
    assert VatGuardItem.get(f"VAT#{vat}").distributor_id == d["id"]


def test_recent_guard_without_its_item_still_blocks():
    import time

    from orgimport.storage.models import VatGuardItem

    vat = it_vat(778)
    VatGuardItem(
        pk=f"VAT#{vat}", distributor_id="inflight", vat=vat, created_at=int(time.time())
    ).save()
    status, body = call("POST", "/distributors", body={"name": "A", "custom_data": {"vat": vat}})
    assert status == 400 and body["data"]["errors"][0]["message"] == "already_exists"


def test_response_is_json_with_the_envelope_for_unknown_routes():
    result = call_handler(FN, build_event("GET", "/nothing/here"))
    assert result["statusCode"] == 404
    assert json.loads(result["body"])["code"] == 404
