"""A session of any accepted file fits the store (CONTRACT section 7: split by size, not
by row count): one incompressible 300 KiB cell makes a row's stored verdict bigger than
a DynamoDB item, through validate's handler and through the S3 import's, and confirm and
the S3 report still work, for every organization kind."""

from __future__ import annotations

import base64
import os
import time
import uuid
from typing import Any

import boto3
import pytest

from orgimport import wiring
from orgimport.imports.session import Diagnostic, ImportSession, RowOutcome, RowVerdict
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.integration.conftest import build_event, call_handler, envelope
from tests.integration.test_s3_import import deliver, report, upload
from tests.vats import it_vat

HEADER = ",".join(DISTRIBUTOR_COLUMNS)
ITEM_LIMIT = 400 * 1024  # DynamoDB's item size limit


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def incompressible(n_bytes: int) -> str:
    """Text zlib cannot shrink much: base64 of random bytes, n_bytes long."""
    return base64.b64encode(os.urandom(n_bytes * 3 // 4 + 3)).decode()[:n_bytes]


def big_cell_csv() -> bytes:
    """Row 2 and 4 ordinary, row 3 with a 300 KiB description."""
    lines = [
        HEADER,
        f"Alpha,,{it_vat(101)},,,,,,,",
        f"Big,{incompressible(300 * 1024)},{it_vat(102)},,,,,,,",
        f"Gamma,,{it_vat(103)},,,,,,,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def session_items(import_id: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    pages = client.get_paginator("query").paginate(
        TableName="ImportSessionsTable",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": import_id}},
    )
    return [item for page in pages for item in page["Items"]]


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's measure, closely enough: names plus values (binary as raw bytes)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        for kind, raw in value.items():
            size += len(raw) if kind == "B" else len(str(raw).encode())
    return size


def test_a_300_kib_cell_validates_as_too_long_and_the_other_rows_confirm(kind):
    event = build_event(
        "POST",
        f"/{kind}/import/validate",
        body=big_cell_csv(),
        headers={"content-type": "text/csv"},
    )
    result = call_handler("import_validate", event)
    assert result["statusCode"] == 200, result["body"][:300]
    data = envelope(result)["data"]
    assert (data["total_rows"], data["valid_rows"], data["error_rows"]) == (3, 2, 1)
    big = data["rows"][1]
    assert big["row_number"] == 3 and big["status"] == "error"
    assert [(e["field"], e["message"]) for e in big["errors"]] == [("description", "too_long")]
    assert len(big["data"]["description"]) == 300 * 1024

    items = session_items(data["import_id"])
    assert max(item_bytes(i) for i in items) <= 350_000  # each well under the item limit
    assert sum(item_bytes(i) for i in items) > ITEM_LIMIT  # so the verdicts were split

    confirm = build_event("POST", f"/{kind}/import/confirm", body={"import_id": data["import_id"]})
    confirmed = call_handler("import_confirm", confirm)
    assert confirmed["statusCode"] == 200, confirmed["body"][:300]
    done = envelope(confirmed)["data"]
    assert (done["created"], done["skipped"], done["failed"]) == (2, 1, 0)
    assert [r["status"] for r in done["results"]] == ["created", "skipped", "created"]


def test_a_300_kib_cell_through_s3_writes_a_report_and_does_not_fail_the_invocation(kind):
    s3 = boto3.client("s3", region_name="eu-west-1")
    key, event = upload(s3, "big-cell.csv", big_cell_csv(), kind=kind)
    outcome = deliver(event)  # raising here would mean a retry, then the failure queue
    assert [i["state"] for i in outcome["imports"]] == ["confirmed"]
    written = report(s3, key)
    assert written["status"] == "confirmed"
    assert (written["confirm"]["created"], written["confirm"]["skipped"]) == (2, 1)


def _big_row(row_number: int, rng_bytes: int) -> RowVerdict:
    cell = incompressible(rng_bytes)
    return RowVerdict(
        row_number=row_number,
        status="error",
        data={**dict.fromkeys(DISTRIBUTOR_COLUMNS, ""), "company_name": "x", "notes": cell},
        errors=(Diagnostic("notes", "too_long", (cell,)),),
    )


def test_a_session_of_several_big_rows_loads_back_identical():
    now = int(time.time())
    rows = [
        _big_row(2, 400 * 1024),
        RowVerdict(2 + 1, "valid", {**dict.fromkeys(DISTRIBUTOR_COLUMNS, ""), "notes": "ok"}),
        _big_row(4, 250 * 1024),
        _big_row(5, 900 * 1024),
    ]
    session = ImportSession(
        import_id=str(uuid.uuid4()),
        entity_type="distributors",
        user_id="u1",
        org_id="o1",
        created_at=now,
        expires_at=now + 1800,
        rows=rows,
    )
    repo = wiring.session_store()
    repo.save_new(session)
    loaded = repo.load(session.import_id, now)
    assert loaded.rows == rows
    assert loaded.report() == session.report()


def test_outcomes_bigger_than_an_item_are_stored_and_read_back():
    now = int(time.time())
    rows = [RowVerdict(n, "valid", dict.fromkeys(DISTRIBUTOR_COLUMNS, "")) for n in range(2, 202)]
    session = ImportSession(
        import_id=str(uuid.uuid4()),
        entity_type="distributors",
        user_id="u1",
        org_id="o1",
        created_at=now,
        expires_at=now + 1800,
        rows=rows,
    )
    repo = wiring.session_store()
    repo.save_new(session)
    # readable sentences of 4 KiB of incompressible text each: 800 KiB for one chunk
    outcomes = [RowOutcome(r.row_number, "failed", error=incompressible(4096)) for r in rows]
    repo.save_outcomes(session.import_id, 0, outcomes, now + 3600)
    assert max(item_bytes(i) for i in session_items(session.import_id)) <= 350_000
    loaded = repo.load(session.import_id, now)
    assert loaded.outcomes == {o.row_number: o for o in outcomes}
