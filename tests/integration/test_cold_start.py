"""A confirm in a process that has made no client yet, as a Lambda starts: its worker
threads share one client per service instead of each making its own (one DynamoDB
client for every table; Cognito's too for users), at most 3 botocore clients in all."""

from __future__ import annotations

from collections import Counter
from typing import Any

import botocore.session
import pytest

from orgimport import wiring
from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

OWNER = {"role": "owner", "org": "owner", "user_roles": ["Super Admin"]}
ROWS = 120  # more rows than the pool has threads, so that every worker reaches the store


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The botocore clients made from now on, by service."""
    counted: Counter[str] = Counter()
    original = botocore.session.Session.create_client

    def create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        counted[service_name] += 1
        return original(session, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    return counted


def call(fn: str, method: str, path: str, **kw: Any) -> dict[str, Any]:
    result = call_handler(fn, build_event(method, path, **OWNER, **kw))
    assert result["statusCode"] == 200, result
    return envelope(result)["data"]


def validated(kind: str, header: str, lines: list[str]) -> str:
    data = call(
        "import_validate",
        "POST",
        f"/{kind}/import/validate",
        body="\n".join([header, *lines]) + "\n",
        headers={"content-type": "text/csv"},
    )
    assert data["valid_rows"] == len(lines), data
    return str(data["import_id"])


def cold_confirm(kind: str, import_id: str) -> dict[str, Any]:
    wiring.forget()  # everything the validate above made is gone, as in a new process
    return call(
        "import_confirm",
        "POST",
        f"/{kind}/import/confirm",
        body={"import_id": import_id, "override": False},
    )


def test_a_cold_distributors_confirm_makes_one_dynamodb_client(made: Counter[str]) -> None:
    lines = [f"Company {n},{it_vat(n)}" for n in range(ROWS)]
    import_id = validated("distributors", "company_name,vat_number", lines)
    made.clear()

    data = cold_confirm("distributors", import_id)

    assert data["created"] == ROWS
    assert made == Counter({"dynamodb": 1})


def test_a_cold_users_confirm_makes_one_client_per_service(
    made: Counter[str], user_pool: str
) -> None:
    created = call_handler(
        "distributors",
        build_event(
            "POST",
            "/distributors",
            **OWNER,
            body={"name": "Alfa Distribuzione", "custom_data": {"vat": it_vat(1)}},
        ),
    )
    assert created["statusCode"] == 201, created
    lines = [f"user{n}@example.com,User {n},,Alfa Distribuzione,Reader" for n in range(ROWS)]
    import_id = validated("users", "email,name,phone,company_name,roles", lines)
    made.clear()

    data = cold_confirm("users", import_id)

    assert data["created"] == ROWS
    assert made == Counter({"dynamodb": 1, "cognito-idp": 1})
    assert sum(made.values()) <= 3
