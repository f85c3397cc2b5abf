"""A distributor within the documented limits always fits the store, whatever its
characters: 255 emoji are a valid name (1020 bytes of UTF-8), and the by_name index key
built from it must still fit DynamoDB's 1024 bytes for an index sort key."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

EMOJI_NAME = "😀" * 255  # 255 characters, 4 bytes each
HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(fn: str, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(fn, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def post(name: str, vat: str) -> tuple[int, dict[str, Any]]:
    return call(
        "distributors", "POST", "/distributors", body={"name": name, "custom_data": {"vat": vat}}
    )


def listed(**query: str) -> list[dict[str, Any]]:
    status, body = call("distributors", "GET", "/distributors", query=query)
    assert status == 200, body
    return body["data"]["distributors"]


def distributor_items() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName="DistributorsTable")["Items"]
    return [i for i in items if i["pk"]["S"].startswith("DIST#")]


def test_a_name_of_255_emoji_is_created_listed_and_found_by_search():
    status, body = post(EMOJI_NAME, it_vat(7_100_001))

    assert status == 201, body
    created = body["data"]
    assert created["name"] == EMOJI_NAME
    assert [d["id"] for d in listed()] == [created["id"]]
    assert [d["name"] for d in listed(search="😀😀😀")] == [EMOJI_NAME]
    (item,) = distributor_items()
    assert item["name_lc"]["S"] == EMOJI_NAME  # whole: the search filters on it
    assert len(item["gsi1sk"]["S"].encode()) <= 1024
    assert item["gsi1sk"]["S"].endswith("#" + created["id"])


def test_a_put_to_a_255_emoji_name_answers_200_and_keeps_name_order():
    _, first = post("Alfa", it_vat(7_100_002))
    _, other = post("zeta", it_vat(7_100_003))
    did = first["data"]["id"]

    status, body = call(
        "distributors",
        "PUT",
        f"/distributors/{did}",
        path_params={"distributor_id": did},
        route="/distributors/{distributor_id}",
        body={"name": EMOJI_NAME, "custom_data": {"vat": it_vat(7_100_002)}},
    )

    assert status == 200, body
    assert body["data"]["name"] == EMOJI_NAME
    # moto checks key sizes on PutItem only; DynamoDB refuses an UpdateItem past 1024 too
    (item,) = [i for i in distributor_items() if i["id"]["S"] == did]
    assert len(item["gsi1sk"]["S"].encode()) <= 1024
    # an emoji sorts after ASCII letters: the cut key keeps the name's order
    assert [d["id"] for d in listed()] == [other["data"]["id"], did]


def test_an_import_with_one_255_emoji_name_creates_every_row_of_its_batch():
    lines = [f"Company {n},,{it_vat(7_100_100 + n)},,,,,,," for n in range(30)]
    lines[12] = f"{EMOJI_NAME},,{it_vat(7_100_100 + 12)},,,,,,,"
    status, body = call(
        "import_validate",
        "POST",
        "/distributors/import/validate",
        body="\n".join([HEADER, *lines]) + "\n",
        headers={"content-type": "text/csv"},
    )
    assert status == 200, body
    assert body["data"]["valid_rows"] == 30

    status, body = call(
        "import_confirm",
        "POST",
        "/distributors/import/confirm",
        body={"import_id": body["data"]["import_id"]},
    )

    assert status == 200, body
    data = body["data"]
    assert (data["created"], data["failed"]) == (30, 0), data["results"]
    assert len(distributor_items()) == 30
    assert EMOJI_NAME in {d["name"] for d in listed(page_size="100")}


def test_every_key_of_a_255_character_vat_of_4_byte_characters_fits():
    """The guard's pk (VAT#<identity>, a table hash key: 2048 bytes) and the by_vat index's
    hash key (`vat_key`, 2048 bytes) hold the identity whole: 255 4-byte characters are 1020
    bytes. The field rules may refuse such a VAT; the store must never fail on it."""
    vat = "🧾" * 255

    status, body = post("Keys", vat)

    assert status in (201, 400), body
    if status == 201:
        (item,) = distributor_items()
        assert len(item["vat_key"]["S"].encode()) <= 2048
        assert len(("VAT#" + item["vat_key"]["S"]).encode()) <= 2048
        assert post("Again", vat)[1]["data"]["errors"][0]["message"] == "already_exists"
