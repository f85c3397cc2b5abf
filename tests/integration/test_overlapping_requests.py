"""Requests that overlap in one process each see their own event, Lambda context and
path parameters (`local.request_isolation`): the local front, these tests and the
benchmarks call one copy of each handler from many threads, as Lambda never does.

Every request is held inside the handler until all of them are there, so they overlap
for certain; each answer must be about its own record, and each confirm must read
its own deadline."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from orgimport.api import http
from tests.integration.conftest import build_event, call_handler, envelope, load_handler
from tests.vats import it_vat

THREADS = 8


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def create(kind: str, n: int) -> str:
    body = {"name": f"Overlap {n}", "custom_data": {"vat": it_vat(7_700_000 + n)}}
    result = call_handler("distributors", build_event("POST", f"/{kind}", body=body))
    assert result["statusCode"] == 201, result["body"]
    return str(envelope(result)["data"]["id"])


def all_at_once(calls: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_overlapping_gets_each_read_their_own_event_and_route_arguments(kind, monkeypatch):
    """User u<n> reads record n: once all are inside, each must still hold its own path,
    its own route arguments, and answer its own record."""
    ids = [create(kind, n) for n in range(THREADS)]
    app = load_handler("distributors").app
    inside = threading.Barrier(THREADS, timeout=10)
    seen: dict[str, tuple[str, ...]] = {}
    real_caller_from_event = http.caller_from_event

    def caller_when_all_are_inside(raw_event: dict[str, Any]) -> Any:
        inside.wait()
        caller = real_caller_from_event(raw_event)
        seen[caller.user_id] = (app.current_event.path, *app.context["_route_args"].values())
        return caller

    monkeypatch.setattr(http, "caller_from_event", caller_when_all_are_inside)

    def get(n: int) -> Any:
        event = build_event(
            "GET",
            f"/{kind}/{ids[n]}",
            path_params={"id": ids[n]},
            route=f"/{kind}/{{id}}",
            user=f"u{n}",
        )
        return lambda: call_handler("distributors", event)

    answers = all_at_once([get(n) for n in range(THREADS)])

    assert [a["statusCode"] for a in answers] == [200] * THREADS
    assert [envelope(a)["data"]["id"] for a in answers] == ids
    assert seen == {f"u{n}": (f"/api/{kind}/{ids[n]}", ids[n]) for n in range(THREADS)}


def test_overlapping_requests_each_read_their_own_event_and_lambda_context(monkeypatch):
    """Request n comes from user u<n> with n + 1 minutes to run: inside, each must read
    its own user from the event and its own deadline from the context."""
    app = load_handler("import_confirm").app
    inside = threading.Barrier(THREADS, timeout=10)
    seen: dict[str, int] = {}
    real_caller_from_event = http.caller_from_event

    def caller_when_all_are_inside(raw_event: dict[str, Any]) -> Any:
        inside.wait()
        caller = real_caller_from_event(raw_event)
        minutes = app.lambda_context.get_remaining_time_in_millis() / 60_000
        seen[caller.user_id] = round(minutes)
        return caller

    monkeypatch.setattr(http, "caller_from_event", caller_when_all_are_inside)

    def status(n: int) -> Any:
        import_id = str(uuid.uuid4())
        event = build_event(
            "GET",
            f"/distributors/import/{import_id}",
            path_params={"import_id": import_id},
            route="/distributors/import/{import_id}",
            user=f"u{n}",
        )
        return lambda: call_handler("import_confirm", event, timeout_ms=(n + 1) * 60_000)

    answers = all_at_once([status(n) for n in range(THREADS)])

    assert [a["statusCode"] for a in answers] == [404] * THREADS
    assert seen == {f"u{n}": n + 1 for n in range(THREADS)}
