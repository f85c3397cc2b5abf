"""No-op updates write nothing (CONTRACT section 7): an identical warning row confirmed
with override, or a PUT of the stored body, is answered as an update but leaves the item,
its `updated_at` included, untouched, and sends no write request to the distributors table;
every `updated` row says which CSV columns it changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


# the rule holds for every organization kind: the module runs once per kind
KIND = ["distributors"]


@pytest.fixture(autouse=True, params=["distributors", "resellers", "customers"])
def _aws(aws, request):
    KIND[0] = request.param
    yield
    KIND[0] = "distributors"


@pytest.fixture
def table_writes(monkeypatch) -> Iterator[Counter[str]]:
    """Write requests to the distributors table, by operation, while the test runs."""
    seen: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        tables = {params.get("TableName"), *params.get("RequestItems", {})}
        if operation in WRITES and "DistributorsTable" in tables:
            seen[operation] += 1
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    yield seen


def call(fn: str, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(fn, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def by_id(did: str, method: str = "GET", **kwargs: Any) -> tuple[int, dict[str, Any]]:
    return call(
        "distributors",
        method,
        f"/{KIND[0]}/{did}",
        path_params={"id": did},
        route=f"/{KIND[0]}/{{id}}",
        **kwargs,
    )


def create(body: dict[str, Any]) -> dict[str, Any]:
    status, answer = call("distributors", "POST", f"/{KIND[0]}", body=body)
    assert status == 201, answer
    return answer["data"]


def import_rows(lines: list[str]) -> dict[str, Any]:
    status, body = call(
        "import_validate",
        "POST",
        f"/{KIND[0]}/import/validate",
        body="\n".join([HEADER, *lines]) + "\n",
        headers={"content-type": "text/csv"},
    )
    assert status == 200, body
    return body["data"]


def confirm(import_id: str) -> dict[str, Any]:
    status, body = call(
        "import_confirm",
        "POST",
        f"/{KIND[0]}/import/confirm",
        body={"import_id": import_id, "override": True},
    )
    assert status == 200, body
    return body["data"]


VAT = it_vat(7_200_001)
STORED = {
    "name": "Rossi Srl",
    "description": "Forniture",
    "custom_data": {"vat": VAT, "city": "Milano", "email": "info@rossi.it", "language": "en"},
}
SAME_ROW = f"Rossi Srl,Forniture,{VAT},,Milano,,info@rossi.it,,en,"


def test_an_identical_row_confirmed_with_override_is_updated_without_a_write(table_writes):
    held = create(STORED)
    report = import_rows([SAME_ROW])
    assert report["rows"][0]["status"] == "warning" and report["rows"][0]["changes"] == {}
    table_writes.clear()

    data = confirm(report["import_id"])

    assert data["updated"] == 1
    assert data["results"] == [
        {"row_number": 2, "status": "updated", "id": held["id"], "changed_fields": []}
    ]
    assert sum(table_writes.values()) == 0, table_writes
    assert by_id(held["id"])[1]["data"] == held  # updated_at did not move


def test_a_row_differing_in_two_columns_names_those_two_in_column_order(table_writes):
    held = create(STORED)
    report = import_rows([f"Rossi Srl,Forniture,{VAT},,Torino,,info@rossi.it,,en,nuovo"])
    table_writes.clear()

    data = confirm(report["import_id"])

    (row,) = data["results"]
    assert row == {
        "row_number": 2,
        "status": "updated",
        "id": held["id"],
        "changed_fields": ["city", "notes"],
    }
    assert table_writes == Counter({"UpdateItem": 1})
    stored = by_id(held["id"])[1]["data"]
    assert stored["custom_data"]["city"] == "Torino" and stored["custom_data"]["notes"] == "nuovo"
    assert stored["updated_at"] > held["updated_at"]


def test_a_row_identical_at_validate_but_changed_before_confirm_is_still_written():
    held = create(STORED)
    report = import_rows([SAME_ROW])
    moved = {**STORED, "custom_data": {**STORED["custom_data"], "city": "Napoli"}}
    assert by_id(held["id"], "PUT", body=moved)[0] == 200

    data = confirm(report["import_id"])

    assert data["results"][0]["changed_fields"] == ["city"]
    assert by_id(held["id"])[1]["data"]["custom_data"]["city"] == "Milano"


def test_a_put_of_the_stored_body_answers_200_and_writes_nothing(table_writes):
    held = create(STORED)
    table_writes.clear()

    status, body = by_id(held["id"], "PUT", body=STORED)

    assert status == 200 and body["data"] == held
    assert sum(table_writes.values()) == 0, table_writes
    assert by_id(held["id"])[1]["data"]["updated_at"] == held["updated_at"]


def test_a_put_that_changes_a_field_still_moves_updated_at(table_writes):
    held = create(STORED)
    table_writes.clear()

    status, body = by_id(held["id"], "PUT", body={**STORED, "description": "Altro"})

    assert status == 200 and body["data"]["description"] == "Altro"
    assert body["data"]["updated_at"] > held["updated_at"]
    assert table_writes == Counter({"UpdateItem": 1})
