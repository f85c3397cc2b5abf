"""Search does bounded work (CONTRACT section 7): against 5,000 stored records of a kind,
each `GET /<kind>` call sends one Query of the by_name index (at most DynamoDB's 1 MB page)
and answers with what that page held and a cursor; an exact VAT is found with one read of
the by_vat index and comes first. The module runs once per organization kind."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from orgimport import wiring
from tests.integration.conftest import (
    ORGANIZATION_KINDS,
    build_event,
    call_handler,
    emulated_aws,
    envelope,
    tier_of,
)
from tests.vats import it_vat

STORED = 5_000
MATCH_EVERY = 100  # every 100th name carries "zebra": 50 matches spread over the index
FIRST_VAT = 7_300_000


# a key of the right shape that the by_name index could never have given: a 400 too
FORGED_KEY = base64.urlsafe_b64encode(
    json.dumps(
        {"k": {"pk": {"S": "VAT#IT1"}, "gsi1pk": {"S": "OTHER"}, "gsi1sk": {"S": "a#1"}}}
    ).encode()
).decode()


def name_of(n: int) -> str:
    return f"Distributor {n:05d}" + (" Zebra" if n % MATCH_EVERY == 37 else "")


@pytest.fixture(scope="module", autouse=True, params=ORGANIZATION_KINDS)
def kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """5,000 records of the kind written in batches (no guards: search reads only the
    indexes), each with a description long enough that the index spans several 1 MB
    pages; the owner lists them."""
    from orgimport.kinds.organizations.fields import DistributorFields
    from orgimport.kinds.organizations.record import Organization

    now = "2026-01-01T00:00:00.000Z"
    tier = tier_of(request.param)
    with emulated_aws():
        wiring.organization_store(tier).insert_many(
            [
                Organization(
                    id=f"seed-{n:05d}",
                    fields=DistributorFields(
                        name=name_of(n),
                        description="x" * 300,
                        vat=it_vat(FIRST_VAT + n),
                        city="Roma",
                        language="it",
                    ),
                    created_at=now,
                    updated_at=now,
                    created_by_user="u0",
                    created_by_org="o0",
                )
                for n in range(STORED)
            ]
        )
        yield tier.name


@pytest.fixture
def requests(monkeypatch) -> Iterator[list[tuple[str, str | None]]]:
    """Every DynamoDB request while the test runs: (operation, index name)."""
    sent: list[tuple[str, str | None]] = []
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            sent.append((operation, params.get("IndexName")))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    yield sent


def listing(kind: str, **query: str) -> tuple[int, dict[str, Any]]:
    result = call_handler("distributors", build_event("GET", f"/{kind}", query=query))
    return result["statusCode"], envelope(result)


def page(kind: str, **query: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The records of one page, and its pagination."""
    status, body = listing(kind, **query)
    assert status == 200, body
    return body["data"][kind], body["data"]["pagination"]


def test_a_search_matching_nothing_sends_one_query_and_answers_a_cursor(kind, requests):
    records, pagination = page(kind, search="no such distributor")

    assert requests == [("Query", "by_name")]
    assert records == []
    assert pagination["has_more"] is True and pagination["next_cursor"]


def test_following_cursors_finds_every_spread_match_once_with_one_query_per_call(kind, requests):
    found: list[str] = []
    calls = 0
    cursor: str | None = None
    while True:
        requests.clear()
        more = {"cursor": cursor} if cursor else {}
        records, pagination = page(kind, search="zebra", page_size="100", **more)
        calls += 1
        assert requests == [("Query", "by_name")]
        found += [d["name"] for d in records]
        cursor = pagination["next_cursor"]
        assert pagination["has_more"] is (cursor is not None)
        if cursor is None:
            break
        assert calls < 20

    expected = [name_of(n) for n in range(STORED) if n % MATCH_EVERY == 37]
    assert len(expected) == 50
    assert found == expected  # each once, in name order
    assert calls > 1  # the index is larger than one page: no call read it all


def test_an_exact_vat_is_found_first_with_one_read_and_never_repeated(kind, requests):
    wanted = 4_321
    vat = it_vat(FIRST_VAT + wanted)
    spaced = f"{vat[:2]} {vat[2:7]} {vat[7:]}"

    records, pagination = page(kind, search=spaced, page_size="5")

    assert requests == [("Query", "by_vat"), ("Query", "by_name")]
    assert records[0]["name"] == name_of(wanted)
    seen = [d["id"] for d in records]
    cursor = pagination["next_cursor"]
    while cursor:
        requests.clear()
        records, pagination = page(kind, search=spaced, page_size="5", cursor=cursor)
        assert requests == [("Query", "by_name")]
        seen += [d["id"] for d in records]
        cursor = pagination["next_cursor"]
    assert seen == [f"seed-{wanted:05d}"]


def test_page_size_is_honoured_and_pages_continue_without_gaps(kind, requests):
    names: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        requests.clear()
        more = {"cursor": cursor} if cursor else {}
        records, pagination = page(kind, search="distributor", page_size="7", **more)
        assert requests == [("Query", "by_name")]
        assert pagination["count"] == len(records) == 7
        names += [d["name"] for d in records]
        cursor = pagination["next_cursor"]
        assert cursor
    assert names == [name_of(n) for n in range(21)]


def test_a_listing_without_search_sends_one_query_per_page(kind, requests):
    records, pagination = page(kind, page_size="50")
    assert requests == [("Query", "by_name")]
    assert [d["name"] for d in records] == [name_of(n) for n in range(50)]

    requests.clear()
    records, _ = page(kind, page_size="50", cursor=pagination["next_cursor"])
    assert requests == [("Query", "by_name")]
    assert [d["name"] for d in records] == [name_of(n) for n in range(50, 100)]


@pytest.mark.parametrize(
    "cursor",
    [
        "eyJrIjogMX0=",  # {"k": 1}
        "eyJ4IjogWzFdfQ==",  # {"x": [1]}
        "e30=",  # {}
        "not base64 at all",
        FORGED_KEY,
    ],
)
def test_a_malformed_cursor_is_a_400_on_cursor(kind, cursor):
    status, body = listing(kind, search="zebra", cursor=cursor)
    assert status == 400
    assert body["data"]["errors"][0]["key"] == "cursor"


def test_a_cursor_of_one_kind_is_a_400_on_another_kinds_listing(kind):
    """A cursor names a key of its kind's partition of the by_name index: handed to the
    listing of another kind it would start that Query in a foreign partition."""
    _, pagination = page(kind, page_size="5")
    for other in ORGANIZATION_KINDS:
        if other != kind:
            status, body = listing(other, cursor=pagination["next_cursor"])
            assert status == 400, body
            assert body["data"]["errors"][0]["key"] == "cursor"
