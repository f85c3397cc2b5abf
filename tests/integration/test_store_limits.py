"""A record of every organization kind within the documented limits always fits the
store, whatever its characters: 255 emoji are a valid name (1020 bytes of UTF-8), and the
by_name index key built from it must still fit DynamoDB's 1024 bytes for an index sort
key."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from orgimport import wiring
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import Organization
from tests.integration.conftest import build_event, call_handler, envelope, records_of, tier_of
from tests.vats import it_vat

EMOJI_NAME = "😀" * 255  # 255 characters, 4 bytes each
HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(fn: str, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(fn, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def post(kind: str, name: str, vat: str) -> tuple[int, dict[str, Any]]:
    body = {"name": name, "custom_data": {"vat": vat}}
    return call("distributors", "POST", f"/{kind}", body=body)


def stored_guards() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName="DistributorsTable")["Items"]
    return [i for i in items if i["pk"]["S"].startswith("VAT#")]


def listed(kind: str, **query: str) -> list[dict[str, Any]]:
    status, body = call("distributors", "GET", f"/{kind}", query=query)
    assert status == 200, body
    return body["data"][kind]


def test_a_name_of_255_emoji_is_created_listed_and_found_by_search(kind):
    status, body = post(kind, EMOJI_NAME, it_vat(7_100_001))

    assert status == 201, body
    created = body["data"]
    assert created["name"] == EMOJI_NAME
    assert [d["id"] for d in listed(kind)] == [created["id"]]
    assert [d["name"] for d in listed(kind, search="😀😀😀")] == [EMOJI_NAME]
    (item,) = records_of(kind)
    assert item["name_lc"]["S"] == EMOJI_NAME  # whole: the search filters on it
    assert len(item["gsi1sk"]["S"].encode()) <= 1024
    assert item["gsi1sk"]["S"].endswith("#" + created["id"])


def test_a_put_to_a_255_emoji_name_answers_200_and_keeps_name_order(kind):
    _, first = post(kind, "Alfa", it_vat(7_100_002))
    _, other = post(kind, "zeta", it_vat(7_100_003))
    did = first["data"]["id"]

    status, body = call(
        "distributors",
        "PUT",
        f"/{kind}/{did}",
        path_params={"id": did},
        route=f"/{kind}/{{id}}",
        body={"name": EMOJI_NAME, "custom_data": {"vat": it_vat(7_100_002)}},
    )

    assert status == 200, body
    assert body["data"]["name"] == EMOJI_NAME
    # moto checks key sizes on PutItem only; DynamoDB refuses an UpdateItem past 1024 too
    (item,) = [i for i in records_of(kind) if i["id"]["S"] == did]
    assert len(item["gsi1sk"]["S"].encode()) <= 1024
    # an emoji sorts after ASCII letters: the cut key keeps the name's order
    assert [d["id"] for d in listed(kind)] == [other["data"]["id"], did]


def test_an_import_with_one_255_emoji_name_creates_every_row_of_its_batch(kind):
    lines = [f"Company {n},,{it_vat(7_100_100 + n)},,,,,,," for n in range(30)]
    lines[12] = f"{EMOJI_NAME},,{it_vat(7_100_100 + 12)},,,,,,,"
    status, body = call(
        "import_validate",
        "POST",
        f"/{kind}/import/validate",
        body="\n".join([HEADER, *lines]) + "\n",
        headers={"content-type": "text/csv"},
    )
    assert status == 200, body
    assert body["data"]["valid_rows"] == 30

    status, body = call(
        "import_confirm",
        "POST",
        f"/{kind}/import/confirm",
        body={"import_id": body["data"]["import_id"]},
    )

    assert status == 200, body
    data = body["data"]
    assert (data["created"], data["failed"]) == (30, 0), data["results"]
    assert len(records_of(kind)) == 30
    assert EMOJI_NAME in {d["name"] for d in listed(kind, page_size="100")}


def test_every_key_of_a_255_character_vat_of_4_byte_characters_fits(kind):
    """The guard's pk (VAT#<tier and scope><identity>, a table hash key: 2048 bytes) and the
    by_vat index's hash key (`vat_key`, 2048 bytes) hold the identity whole: 255 4-byte
    characters are 1020 bytes. The field rules refuse such a VAT at the door; one stored
    before them must still fit every key, and be read and found."""
    vat = "🧾" * 255
    status, body = post(kind, "Keys", vat)
    assert status == 400 and body["data"]["errors"][0]["key"] == "custom_data.vat"

    tier = tier_of(kind)
    store = wiring.organization_store(tier)
    record = Organization(
        id="legacy-1",
        fields=DistributorFields(name="Keys", vat=vat, language="it"),
        created_at="2026-01-01T00:00:00.000Z",
        updated_at="2026-01-01T00:00:00.000Z",
        created_by_user="u1",
        created_by_org="o1",
    )
    assert store.claim_vat(vat, record.id, scope=tier.vat_scope("o1"))
    assert store.insert(record)

    (item,) = records_of(kind)
    assert len(item["vat_key"]["S"].encode()) <= 2048
    (guard,) = stored_guards()
    assert guard["pk"]["S"].endswith(item["vat_key"]["S"])
    assert len(guard["pk"]["S"].encode()) <= 2048
    status, body = call("distributors", "GET", f"/{kind}/legacy-1", path_params={"id": "legacy-1"})
    assert (status, body["data"]["custom_data"]["vat"]) == (200, vat)
    assert [d["id"] for d in listed(kind, search="🧾🧾")] == ["legacy-1"]
