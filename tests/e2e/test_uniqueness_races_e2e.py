"""VAT uniqueness under races, through the local stack over real HTTP (CONTRACT section 7):
requests fired at the same moment from threads; afterwards the VAT has exactly one holder,
seen both by listing with `search` and by a POST probe that must answer `already_exists`.

The module runs on a stack of its own, so a listing with `search` stays a one-call check."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from tests.vats import it_vat

ROUNDS = 20
BASE = 5_000_000  # it_vat ranges of this module: BASE + scenario * 1000 + round * 10 + k


def identity(vat: str) -> str:
    return "".join(ch for ch in vat if ch not in " .-").upper()


def spaced(vat: str) -> str:
    """`IT00000010017` -> `IT 000 0001 0017`: the same identity, spelled otherwise."""
    return f"{vat[:2]} {vat[2:5]} {vat[5:9]} {vat[9:]}"


class Client:
    def __init__(self, stack: Any):
        self.stack = stack
        self.token = stack.token("owner", "racer", "o1")

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        reply = self.stack.request(method, path, token=self.token, json=body)
        return reply.status, reply.json()

    def post(self, vat: str, name: str = "Racer") -> tuple[int, dict[str, Any]]:
        return self.call("POST", "/distributors", {"name": name, "custom_data": {"vat": vat}})

    def created(self, vat: str) -> str:
        status, body = self.post(vat)
        assert status == 201, body
        return str(body["data"]["id"])

    def put(self, did: str, vat: str) -> tuple[int, dict[str, Any]]:
        body = {"name": "Racer moved", "custom_data": {"vat": vat}}
        return self.call("PUT", f"/distributors/{did}", body)

    def holders(self, vat: str) -> list[str]:
        """Ids of the distributors (archived ones included) whose VAT is `vat`'s identity,
        by listing with `search` and following every cursor."""
        found: list[str] = []
        cursor = ""
        while True:
            path = f"/distributors?page_size=100&include_archived=true&search={identity(vat)}"
            status, body = self.call("GET", path + (f"&cursor={cursor}" if cursor else ""))
            assert status == 200, body
            found += [
                d["id"]
                for d in body["data"]["distributors"]
                if identity(d["custom_data"]["vat"]) == identity(vat)
            ]
            cursor = body["data"]["pagination"]["next_cursor"]
            if not cursor:
                return found

    def assert_single_holder(self, vat: str, holder: str) -> None:
        assert self.holders(vat) == [holder]
        status, body = self.post(vat, "Probe")
        assert status == 400, body
        assert body["data"]["errors"][0]["message"] == "already_exists"


@pytest.fixture(scope="module")
def client(stack_factory: Callable[..., Any]) -> Client:
    return Client(stack_factory())


def at_once(*calls: Callable[[], tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """Every call started at the same moment, each from its own thread."""
    start = threading.Barrier(len(calls))

    def fire(call: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(fire, calls))


def is_taken(answer: tuple[int, dict[str, Any]]) -> bool:
    status, body = answer
    return status == 400 and body["data"]["errors"][0]["message"] == "already_exists"


@pytest.mark.parametrize("spelling", ["same", "different"])
def test_two_puts_moving_one_distributor_to_one_new_vat_leave_one_guarded_holder(client, spelling):
    for r in range(ROUNDS):
        base = BASE + (0 if spelling == "same" else 1000) + r * 10
        old, new = it_vat(base), it_vat(base + 1)
        did = client.created(old)
        first = spaced(new) if spelling == "different" else new

        answers = at_once(partial(client.put, did, first), partial(client.put, did, new))

        statuses = sorted(status for status, _ in answers)
        assert statuses in ([200, 200], [200, 409]), answers  # 409: the other move in flight
        client.assert_single_holder(new, did)
        assert client.post(old)[0] == 201  # the old VAT was freed


def test_two_distributors_put_to_one_new_vat_one_wins(client):
    for r in range(ROUNDS):
        base = BASE + 2000 + r * 10
        one, two = client.created(it_vat(base)), client.created(it_vat(base + 1))
        new = it_vat(base + 2)

        answers = at_once(partial(client.put, one, new), partial(client.put, two, spaced(new)))

        winners = [
            did for did, (status, _) in zip((one, two), answers, strict=True) if status == 200
        ]
        assert len(winners) == 1 and sum(map(is_taken, answers)) == 1, answers
        client.assert_single_holder(new, winners[0])


def test_a_put_racing_a_post_of_the_same_vat_leaves_one_holder(client):
    for r in range(ROUNDS):
        base = BASE + 3000 + r * 10
        did, new = client.created(it_vat(base)), it_vat(base + 1)

        moved, posted = at_once(partial(client.put, did, new), partial(client.post, spaced(new)))

        if moved[0] == 200:
            assert is_taken(posted), posted
            holder = did
        else:
            assert is_taken(moved) and posted[0] == 201, (moved, posted)
            holder = posted[1]["data"]["id"]
        client.assert_single_holder(new, holder)


def test_archive_and_restore_racing_a_put_that_moves_the_vat_leave_one_holder(client):
    for r in range(ROUNDS):
        base = BASE + 4000 + r * 10
        old, new = it_vat(base), it_vat(base + 1)
        did = client.created(old)

        moved, archived, restored = at_once(
            partial(client.put, did, new),
            partial(client.call, "DELETE", f"/distributors/{did}"),
            partial(client.call, "PATCH", f"/distributors/{did}/restore"),
        )

        assert (moved[0], archived[0], restored[0]) == (200, 200, 200)
        status, body = client.call("GET", f"/distributors/{did}")
        assert status == 200 and body["data"]["custom_data"]["vat"] == new
        client.assert_single_holder(new, did)
        assert client.post(old)[0] == 201
