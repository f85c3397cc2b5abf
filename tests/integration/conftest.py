"""Handlers with their real event shapes against in-process moto.

Fixtures:
- `aws`: moto with the template's own tables and bucket (created from
  template.yaml, the one schema), fresh for each test.
- `api_event(...)`: the payload-2.0 event API Gateway sends after its JWT
  authorizer verified the token.
- `invoke(function_dir, event)`: the Lambda proxy result of that function.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from local.dynalite import MARK_VARIABLE
from local.handlers import function_module
from local.resources import create_resources
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]


class FakeContext:
    """What handlers read from the Lambda context."""

    function_name = "test-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test-function"

    def __init__(self, timeout_ms: int = 29_000):
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# `make test-dynalite`: DynamoDB is dynalite (another process), the rest in-process moto
ON_DYNALITE = os.environ.get(MARK_VARIABLE) == "dynalite"
_PASS_DYNAMODB: Any = {"core": {"passthrough": {"services": ["dynamodb"]}}}


def _wipe_dynamodb() -> None:
    """Every table of the dynalite dropped, so that each test starts from none, as on moto."""
    dynamodb = boto3.client("dynamodb")
    for name in dynamodb.list_tables()["TableNames"]:
        dynamodb.delete_table(TableName=name)


@contextlib.contextmanager
def emulated_aws() -> Iterator[None]:
    """In-process moto with the template's tables and buckets, created afresh; under
    `make test-dynalite` DynamoDB's requests go to dynalite instead."""
    with mock_aws(config=_PASS_DYNAMODB) if ON_DYNALITE else mock_aws():
        if ON_DYNALITE:
            _wipe_dynamodb()
        create_resources(load_template())
        yield


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # one request at a time, as the local stack serves moto: moto checks a condition and
    # writes in two steps, so two threads racing one conditional write could both win
    # (DynamoDB's are atomic; CONTRACT section 7's races rely on it)
    serial = threading.RLock()
    process = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: Any) -> Any:
        with serial:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    with emulated_aws():
        yield


def build_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    role: str | None = "owner",
    user: str = "u1",
    org: str = "o1",
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
    is_base64: bool = False,
    route: str | None = None,
    user_roles: Any = None,
) -> dict[str, Any]:
    """A payload-2.0 event as API Gateway builds it; `role=None` leaves out the claims,
    `user_roles` (when given) is the claim of that name."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode()
        is_base64 = True
    all_headers = {"content-type": "application/json", "host": "api.example.com"}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    raw_path = "/api" + path
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "api123",
        "domainName": "api.example.com",
        "domainPrefix": "api",
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.10",
            "userAgent": "pytest",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": f"{method} {route or path}",
        "stage": "$default",
        "time": "27/Nov/2026:09:00:00 +0000",
        "timeEpoch": int(time.time() * 1000),
    }
    if role is not None:
        request_context["authorizer"] = {
            "jwt": {
                "claims": {
                    "sub": user,
                    "org_id": org,
                    "org_role": role,
                    "iss": "test",
                    "aud": "test",
                    **({"user_roles": user_roles} if user_roles is not None else {}),
                },
                "scopes": None,
            }
        }
    return {
        "version": "2.0",
        "routeKey": f"{method} {route or path}",
        "rawPath": raw_path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": all_headers,
        "queryStringParameters": query,
        "pathParameters": path_params,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


@pytest.fixture
def api_event() -> Callable[..., dict[str, Any]]:
    return build_event


def load_handler(function_dir: str) -> ModuleType:
    """functions/<dir>/app.py, loaded once under a name of its own (all are app.py)."""
    return function_module(function_dir)


def call_handler(function_dir: str, event: dict[str, Any], **context: Any) -> dict[str, Any]:
    return load_handler(function_dir).lambda_handler(event, FakeContext(**context))


@pytest.fixture
def invoke() -> Callable[..., dict[str, Any]]:
    return call_handler


def envelope(result: dict[str, Any]) -> dict[str, Any]:
    """The JSON envelope of a proxy result."""
    body = result["body"]
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)


# every hardening rule holds for every organization kind (CONTRACT sections 7 and 9)
ORGANIZATION_KINDS = ("distributors", "resellers", "customers")


@pytest.fixture(params=ORGANIZATION_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """The organization kind a test runs for: the test runs once per kind."""
    return str(request.param)


def records_of(kind: str) -> list[dict[str, Any]]:
    """Every stored record of one organization kind (not its guards), as DynamoDB holds it."""
    from orgimport.storage.models import TIER_KEYS

    prefix = TIER_KEYS[kind].item_prefix
    client = boto3.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName="DistributorsTable"):
        items += [i for i in page["Items"] if i["pk"]["S"].startswith(prefix)]
    return items


def tier_of(kind: str) -> Any:
    """The organization tier of a kind's name (`orgimport.kinds.organizations.tier`)."""
    from orgimport.kinds.organizations.tier import TIERS

    (tier,) = [t for t in TIERS if t.name == kind]
    return tier


def kind_named(kind: str) -> Any:
    """The import kind of a kind's name (`orgimport.kinds.registry`)."""
    from orgimport.kinds.registry import KINDS

    (found,) = [k for k in KINDS if k.name == kind]
    return found


@pytest.fixture
def user_pool(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Sign-in accounts on: a moto Cognito pool made as the local stack makes its own,
    named by USER_POOL_ID for this test (the adapters are built afresh around it)."""
    from local.user_pool import create_user_pool
    from orgimport import wiring
    from orgimport.core.config import settings

    pool_id = create_user_pool()
    monkeypatch.setenv("USER_POOL_ID", pool_id)

    def rebuild() -> None:
        settings.cache_clear()
        wiring.accounts.cache_clear()
        wiring.users.cache_clear()
        wiring._records.cache_clear()

    rebuild()
    yield pool_id
    monkeypatch.delenv("USER_POOL_ID")
    rebuild()


def race(count: int, attempt: Callable[[int], Any]) -> list[Any]:
    """`attempt(n)` for n in range(count), each in its own thread, all released at once
    (a barrier): what each returned, in the order they finished."""
    start = threading.Barrier(count, timeout=10)
    done: list[Any] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        start.wait()
        outcome = attempt(n)
        with lock:
            done.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done
