"""The races of the e2e suite, replayed deterministically: a second request runs in the
gap between the first one's VAT claim and its distributor write (CONTRACT section 7: a
request that loses a race never releases or takes over a guard another request holds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from orgimport import wiring
from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

FN = "distributors"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(FN, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def post(vat: str) -> tuple[int, dict[str, Any]]:
    return call("POST", "/distributors", body={"name": "Racer", "custom_data": {"vat": vat}})


def put(did: str, vat: str) -> tuple[int, dict[str, Any]]:
    return call(
        "PUT",
        f"/distributors/{did}",
        path_params={"distributor_id": did},
        route="/distributors/{distributor_id}",
        body={"name": "Racer", "custom_data": {"vat": vat}},
    )


def created(vat: str) -> str:
    status, body = post(vat)
    assert status == 201, body
    return str(body["data"]["id"])


@pytest.fixture
def before_first_write() -> Iterator[Callable[[Callable[[], None]], None]]:
    """`before_first_write(other)`: `other` runs once, just before the next distributor
    overwrite of the handler's repository (after that request claimed its VAT)."""
    repo = wiring.distributor_store()
    real = repo.overwrite
    pending: list[Callable[[], None]] = []

    def overwrite(*args: Any, **kwargs: Any) -> Any:
        if pending:
            pending.pop()()
        return real(*args, **kwargs)

    repo.overwrite = overwrite
    yield pending.append
    del repo.overwrite


def assert_taken(vat: str) -> None:
    status, body = post(vat)
    assert status == 400, body
    assert body["data"]["errors"][0]["message"] == "already_exists"


def test_a_put_losing_to_the_same_move_never_frees_the_winners_guard(before_first_write):
    did, new = created(it_vat(7_400_001)), it_vat(7_400_002)
    second: dict[str, Any] = {}
    before_first_write(lambda: second.update(answer=put(did, new)))

    first = put(did, new)

    # one move wins; the other finds a move of this distributor in flight (409)
    assert sorted([first[0], second["answer"][0]]) == [200, 409], (first, second)
    assert_taken(new)
    assert call("GET", f"/distributors/{did}")[1]["data"]["custom_data"]["vat"] == new
    assert post(it_vat(7_400_001))[0] == 201  # the old VAT was freed


def test_a_move_overtaken_by_another_move_frees_only_its_own_claim(before_first_write):
    did = created(it_vat(7_400_011))
    meant, moved_to = it_vat(7_400_012), it_vat(7_400_013)
    other: dict[str, Any] = {}
    before_first_write(lambda: other.update(answer=put(did, moved_to)))

    status, body = put(did, meant)

    assert status == 409 and other["answer"][0] == 200, (body, other)
    assert call("GET", f"/distributors/{did}")[1]["data"]["custom_data"]["vat"] == moved_to
    assert_taken(moved_to)  # the winner's guard stands
    assert post(meant)[0] == 201  # the loser's own claim was freed
    assert post(it_vat(7_400_011))[0] == 201


def test_a_post_in_the_gap_of_a_move_is_refused_and_the_move_keeps_its_guard(
    before_first_write,
):
    did, new = created(it_vat(7_400_021)), it_vat(7_400_022)
    racer: dict[str, Any] = {}
    before_first_write(lambda: racer.update(answer=post(new)))

    assert put(did, new)[0] == 200

    status, body = racer["answer"]
    assert status == 400 and body["data"]["errors"][0]["message"] == "already_exists"
    assert_taken(new)


def test_freeing_the_old_vat_never_drops_a_guard_retaken_meanwhile():
    """D moves K0 -> V; between its write and its release of K0's guard (held for long, so
    stale once D left it) a second PUT moves D back to K0 and retakes that guard. The first
    request's release is conditional on the guard it read before moving: it drops nothing."""
    old, new = it_vat(7_400_031), it_vat(7_400_032)
    did = created(old)
    boto3.client("dynamodb").update_item(
        TableName="DistributorsTable",
        Key={"pk": {"S": "VAT#" + old}},
        UpdateExpression="SET created_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"N": "0"}},
    )
    repo = wiring.distributor_store()
    real_release = repo.release_vat
    back: dict[str, Any] = {}

    def release_after_a_move_back(*args: Any, **kwargs: Any) -> None:
        if not back:
            back["answer"] = put(did, old)
        real_release(*args, **kwargs)

    repo.release_vat = release_after_a_move_back
    try:
        moved = put(did, new)
    finally:
        del repo.release_vat

    assert moved[0] == 200 and back["answer"][0] == 200, (moved, back)
    assert call("GET", f"/distributors/{did}")[1]["data"]["custom_data"]["vat"] == old
    assert_taken(old)
    assert post(new)[0] == 201
