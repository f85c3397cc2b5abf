"""The races of the e2e suite, replayed deterministically: a second request runs in the
gap between the first one's VAT claim and its distributor write (CONTRACT section 7: a
request that loses a race never releases or takes over a guard another request holds),
for every organization kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from orgimport import wiring
from orgimport.kinds.organizations.ports import OrganizationStore
from orgimport.kinds.organizations.vat import vat_key
from orgimport.storage.models import TIER_KEYS
from tests.integration.conftest import build_event, call_handler, envelope, tier_of
from tests.vats import it_vat

FN = "distributors"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(FN, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def store_of(kind: str) -> OrganizationStore:
    return wiring.organization_store(tier_of(kind))


def post(kind: str, vat: str) -> tuple[int, dict[str, Any]]:
    return call("POST", f"/{kind}", body={"name": "Racer", "custom_data": {"vat": vat}})


def put(kind: str, did: str, vat: str) -> tuple[int, dict[str, Any]]:
    return call(
        "PUT",
        f"/{kind}/{did}",
        path_params={"id": did},
        route=f"/{kind}/{{id}}",
        body={"name": "Racer", "custom_data": {"vat": vat}},
    )


def vat_of(kind: str, did: str) -> str:
    status, body = call("GET", f"/{kind}/{did}", path_params={"id": did}, route=f"/{kind}/{{id}}")
    assert status == 200, body
    return str(body["data"]["custom_data"]["vat"])


def created(kind: str, vat: str) -> str:
    status, body = post(kind, vat)
    assert status == 201, body
    return str(body["data"]["id"])


@pytest.fixture
def before_first_write(kind: str) -> Iterator[Callable[[Callable[[], None]], None]]:
    """`before_first_write(other)`: `other` runs once, just before the next record
    overwrite of the handler's repository (after that request claimed its VAT)."""
    repo = store_of(kind)
    real = repo.overwrite
    pending: list[Callable[[], None]] = []

    def overwrite(*args: Any, **kwargs: Any) -> Any:
        if pending:
            pending.pop()()
        return real(*args, **kwargs)

    repo.overwrite = overwrite
    yield pending.append
    del repo.overwrite


def assert_taken(kind: str, vat: str) -> None:
    status, body = post(kind, vat)
    assert status == 400, body
    assert body["data"]["errors"][0]["message"] == "already_exists"


def test_a_put_losing_to_the_same_move_never_frees_the_winners_guard(kind, before_first_write):
    did, new = created(kind, it_vat(7_400_001)), it_vat(7_400_002)
    second: dict[str, Any] = {}
    before_first_write(lambda: second.update(answer=put(kind, did, new)))

    first = put(kind, did, new)

    # one move wins; the other finds a move of this distributor in flight (409)
    assert sorted([first[0], second["answer"][0]]) == [200, 409], (first, second)
    assert_taken(kind, new)
    assert vat_of(kind, did) == new
    assert post(kind, it_vat(7_400_001))[0] == 201  # the old VAT was freed


def test_a_move_overtaken_by_another_move_frees_only_its_own_claim(kind, before_first_write):
    did = created(kind, it_vat(7_400_011))
    meant, moved_to = it_vat(7_400_012), it_vat(7_400_013)
    other: dict[str, Any] = {}
    before_first_write(lambda: other.update(answer=put(kind, did, moved_to)))

    status, body = put(kind, did, meant)

    assert status == 409 and other["answer"][0] == 200, (body, other)
    assert vat_of(kind, did) == moved_to
    assert_taken(kind, moved_to)  # the winner's guard stands
    assert post(kind, meant)[0] == 201  # the loser's own claim was freed
    assert post(kind, it_vat(7_400_011))[0] == 201


def test_a_post_in_the_gap_of_a_move_is_refused_and_the_move_keeps_its_guard(
    kind,
    before_first_write,
):
    did, new = created(kind, it_vat(7_400_021)), it_vat(7_400_022)
    racer: dict[str, Any] = {}
    before_first_write(lambda: racer.update(answer=post(kind, new)))

    assert put(kind, did, new)[0] == 200

    status, body = racer["answer"]
    assert status == 400 and body["data"]["errors"][0]["message"] == "already_exists"
    assert_taken(kind, new)


def test_freeing_the_old_vat_never_drops_a_guard_retaken_meanwhile(kind):
    """D moves K0 -> V; between its write and its release of K0's guard (held for long, so
    stale once D left it) a second PUT moves D back to K0 and retakes that guard. The first
    request's release is conditional on the guard it read before moving: it drops nothing."""
    old, new = it_vat(7_400_031), it_vat(7_400_032)
    did = created(kind, old)
    repo = store_of(kind)
    guard = TIER_KEYS[kind].guard_prefix + repo.tier.guard_key(vat_key(old), "o1")
    boto3.client("dynamodb").update_item(
        TableName="DistributorsTable",
        Key={"pk": {"S": guard}},
        ConditionExpression="attribute_exists(pk)",
        UpdateExpression="SET created_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"N": "0"}},
    )
    real_release = repo.release_vat
    back: dict[str, Any] = {}

    def release_after_a_move_back(*args: Any, **kwargs: Any) -> None:
        if not back:
            back["answer"] = put(kind, did, old)
        real_release(*args, **kwargs)

    repo.release_vat = release_after_a_move_back
    try:
        moved = put(kind, did, new)
    finally:
        del repo.release_vat

    assert moved[0] == 200 and back["answer"][0] == 200, (moved, back)
    assert vat_of(kind, did) == old
    assert_taken(kind, old)
    assert post(kind, new)[0] == 201
