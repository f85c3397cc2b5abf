"""Benchmark of the users import (CONTRACT section 10), through the handlers, in-process
moto with a moto Cognito user pool.

- validate: a 1000-row users file by the owner's Super Admin, naming 200 organizations
  of a scope of 10,000 (50 distributors, 950 resellers, 9,000 customers), half of the
  rows with a phone; DynamoDB requests, at most 25: the emails (10 batched reads of
  100), the phones (5), the scope (one Query per 1 MB page of each tier: moto keeps
  DynamoDB's page limit) and the session writes;
- confirm: that session (1000 creates), DynamoDB requests on the organizations table
  per written row (at most 1.1) plus the session's bookkeeping (at most 10), and the
  Cognito calls: exactly one AdminCreateUser per created user plus one
  AdminAddUserToGroup per role it holds.

`python -m bench.users_bench` runs it alone; `make bench` runs it after the tiers.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

from bench.common import (
    DynamoDBCalls,
    api_event,
    emit_figures,
    moto_stack,
    run_confirm,
    run_validate,
)

DISTRIBUTORS, RESELLERS, CUSTOMERS = 50, 950, 9000
ROWS, NAMED = 1000, 200
MAX_VALIDATE_REQUESTS = 25
MAX_REQUESTS_PER_ROW = 1.1
MAX_BOOKKEEPING_REQUESTS = 10
OWNER_ADMIN = {"role": "owner", "user_roles": ["Super Admin"]}
NOW = "2026-01-01T00:00:00.000Z"


def _record(record_id: str, name: str, n: int, parent: str, path: tuple[str, ...]) -> Any:
    from orgimport.kinds.organizations.fields import DistributorFields
    from orgimport.kinds.organizations.record import Organization

    fields = DistributorFields(
        name=name, vat=f"IT{n:011d}", language="it", address="Via Roma 1", city="Milano"
    )
    return Organization(record_id, fields, NOW, NOW, "bench", parent, path=path)


def seed() -> list[str]:
    """The scope's organizations; returns the names the file uses (every 50th record)."""
    from orgimport import wiring
    from orgimport.kinds.organizations.tier import CUSTOMER_TIER, DISTRIBUTOR_TIER, RESELLER_TIER

    dists = [
        _record(f"d{i:03d}", f"Distributor {i:03d}", i, "owner", ()) for i in range(DISTRIBUTORS)
    ]
    resellers = [
        _record(f"r{i:04d}", f"Reseller {i:04d}", 1000 + i, d.id, (d.id,))
        for i in range(RESELLERS)
        for d in [dists[i % DISTRIBUTORS]]
    ]
    customers = [
        _record(f"c{i:05d}", f"Customer {i:05d}", 10_000 + i, r.id, (*r.path, r.id))
        for i in range(CUSTOMERS)
        for r in [resellers[i % RESELLERS]]
    ]
    wiring.organization_store(DISTRIBUTOR_TIER).insert_many(dists)
    wiring.organization_store(RESELLER_TIER).insert_many(resellers)
    wiring.organization_store(CUSTOMER_TIER).insert_many(customers)
    everything = [*dists, *resellers, *customers]
    step = len(everything) // NAMED
    return [everything[i * step].fields.name or "" for i in range(NAMED)]


def users_csv(names: list[str]) -> bytes:
    lines = ["email,name,phone,company_name,roles"]
    for i in range(ROWS):
        phone = f"+39 02 {4_000_000 + i}" if i % 2 == 0 else ""
        roles = "Admin;Reader" if i % 4 == 0 else "Reader"
        lines.append(f"user{i:04d}@example.com,User {i:04d},{phone},{names[i % NAMED]},{roles}")
    return ("\r\n".join(lines) + "\r\n").encode()


def validate(calls: DynamoDBCalls, body: bytes) -> dict[str, Any]:
    event = api_event(
        "POST",
        "/users/import/validate",
        body=body,
        headers={"content-type": "text/csv"},
        **OWNER_ADMIN,
    )
    counters = ("valid_rows", "warning_rows", "error_rows", "ambiguous_rows")
    return run_validate(calls, event, counters)


def confirm(calls: DynamoDBCalls, import_id: str) -> dict[str, Any]:
    event = api_event(
        "POST",
        "/users/import/confirm",
        body=f'{{"import_id": "{import_id}"}}',
        headers={"content-type": "application/json"},
        **OWNER_ADMIN,
    )
    return run_confirm(calls, event)


def _ops(by_operation: Counter[str]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(by_operation.items()))


def main() -> dict[str, float]:
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    from local.user_pool import create_user_pool

    # one request at a time, as the local stack serves moto: in-process moto's Cognito is
    # not thread-safe (a user added while another call reads the pool's users fails)
    serial, process = threading.RLock(), BotocoreStubber.process_request

    def one_at_a_time(self: Any, request: Any) -> Any:
        with serial:
            return process(self, request)

    BotocoreStubber.process_request = one_at_a_time  # type: ignore[method-assign]
    with DynamoDBCalls() as calls, moto_stack():
        os.environ["USER_POOL_ID"] = create_user_pool()
        started = time.perf_counter()
        names = seed()
        seeded_s = time.perf_counter() - started
        body = users_csv(names)
        checked = validate(calls, body)
        confirmed = confirm(calls, checked["import_id"])
    total = sum(checked["by_operation"].values())
    print(
        f"users: the owner's scope of {DISTRIBUTORS + RESELLERS + CUSTOMERS:,} organizations "
        f"(seeded in {seeded_s:.1f} s); {ROWS} rows naming {NAMED} of them, half with a phone"
    )
    print(
        f"  validate: {checked['counters']}; {total} DynamoDB requests "
        f"({_ops(checked['by_operation'])}) (limit {MAX_VALIDATE_REQUESTS}) "
        f"{'ok' if total <= MAX_VALIDATE_REQUESTS else 'OVER'}"
    )
    written = confirmed["written"]
    per_row = confirmed["row_requests"] / written
    cognito = confirmed["cognito"]
    memberships = sum(2 if i % 4 == 0 else 1 for i in range(ROWS))
    expected = written + memberships
    print(
        f"  confirm: {confirmed['counters']}; {_ops(confirmed['by_operation'])}; "
        f"{per_row:.3f} requests per written row (limit {MAX_REQUESTS_PER_ROW}), "
        f"{confirmed['bookkeeping']} bookkeeping (limit {MAX_BOOKKEEPING_REQUESTS})"
    )
    print(
        f"  Cognito: {_ops(cognito)}; {sum(cognito.values())} calls for {written} users and "
        f"{memberships} group memberships (exactly {expected} expected)"
    )
    return {
        "users_validate_requests": float(total),
        "users_confirm_requests_per_row": per_row,
        "users_confirm_bookkeeping": float(confirmed["bookkeeping"]),
        "users_cognito_calls_beyond_one_per_user_and_group": float(
            sum(cognito.values()) - expected
        ),
    }


if __name__ == "__main__":
    emit_figures(main())
