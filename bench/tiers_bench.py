"""Benchmark of the tiers (CONTRACT sections 8 and 9), through the handlers, in-process moto.

- validate: a 1000-row resellers file by a distributor whose scope holds 10,000
  resellers (900 new VATs, 100 of its own resellers' VATs typed another way);
  DynamoDB requests, at most 15 (the lookups, the caller's own organization and
  the session writes);
- confirm: that session, with `override: true` (900 creates, 100 updates of its own
  resellers), as the distributor: requests on the organizations table per written
  row (at most 1.1, the caller's organization read included) and the session's
  bookkeeping (at most 10);
- listing: the customers of a distributor with 50 resellers and 5,000 customers
  (100 per reseller), every page of 100 followed to the end; requests per page by
  operation: one Query a page (its scope is one key condition), never a Scan.

`python -m bench.tiers_bench` runs it alone; `make bench` runs it after confirm.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench.common import (
    DynamoDBCalls,
    api_event,
    csv_bytes,
    emit_figures,
    invoke,
    load_handler,
    moto_stack,
    row_vat,
    run_confirm,
    run_validate,
    stored_vat,
)

SCOPE_RESELLERS = 10_000
ROWS = 1000
OWN_ROWS = 100  # rows whose VAT one of the distributor's resellers holds
LIST_RESELLERS = 50
CUSTOMERS_EACH = 100
PAGE_SIZE = 100
MAX_VALIDATE_REQUESTS = 15
MAX_REQUESTS_PER_ROW = 1.1
MAX_BOOKKEEPING_REQUESTS = 10
DISTRIBUTOR = "bench-distributor"
NOW = "2026-01-01T00:00:00.000Z"


def _seed(tier_name: str, records: list[Any]) -> None:
    """Records of one tier with their VAT guards, in batched writes."""
    from orgimport import wiring
    from orgimport.kinds.organizations.tier import TIERS
    from orgimport.storage.models import TIER_KEYS, VatGuardItem

    (tier,) = [t for t in TIERS if t.name == tier_name]
    wiring.organization_store(tier).insert_many(records)
    prefix = TIER_KEYS[tier.name].guard_prefix
    with VatGuardItem.batch_write() as batch:
        for r in records:
            key = tier.guard_key(r.vat_key, r.parent_id)
            batch.save(
                VatGuardItem(pk=prefix + key, distributor_id=r.id, vat=r.fields.vat, created_at=0)
            )


def _record(record_id: str, name: str, vat: str, parent: str, path: tuple[str, ...]) -> Any:
    from orgimport.kinds.organizations.fields import DistributorFields
    from orgimport.kinds.organizations.record import Organization

    fields = DistributorFields(name=name, vat=vat, language="it")
    return Organization(record_id, fields, NOW, NOW, "bench", parent, path=path)


def seed() -> None:
    _seed(
        "distributors", [_record(DISTRIBUTOR, "Bench Distributor", stored_vat(99_999), "owner", ())]
    )
    _seed(
        "resellers",
        [
            _record(f"r{n:05d}", f"Reseller {n:05d}", stored_vat(n), DISTRIBUTOR, (DISTRIBUTOR,))
            for n in range(SCOPE_RESELLERS)
        ],
    )
    _seed(
        "customers",
        [
            _record(
                f"c{r:02d}-{n:03d}",
                f"Customer {r:02d}-{n:03d}",
                row_vat(9, r * CUSTOMERS_EACH + n, office="098"),
                f"r{r:05d}",
                (DISTRIBUTOR, f"r{r:05d}"),
            )
            for r in range(LIST_RESELLERS)
            for n in range(CUSTOMERS_EACH)
        ],
    )


def _rows() -> list[dict[str, str]]:
    rows = []
    for i in range(ROWS):
        if i < OWN_ROWS:
            vat = stored_vat(i * 37)
            rows.append(
                {"company_name": f"Reseller {i * 37:05d} renamed", "vat_number": vat.lower()}
            )
        else:
            rows.append({"company_name": f"New reseller {i}", "vat_number": row_vat(1, i)})
    return rows


def _as_distributor(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    return api_event(method, path, role="distributor", org=DISTRIBUTOR, **kwargs)


def validate(calls: DynamoDBCalls) -> dict[str, Any]:
    event = _as_distributor(
        "POST",
        "/resellers/import/validate",
        body=csv_bytes(_rows()),
        headers={"content-type": "text/csv"},
    )
    return run_validate(calls, event)


def confirm(calls: DynamoDBCalls, import_id: str) -> dict[str, Any]:
    event = _as_distributor(
        "POST",
        "/resellers/import/confirm",
        body=f'{{"import_id": "{import_id}", "override": true}}',
        headers={"content-type": "application/json"},
    )
    return run_confirm(calls, event)


def list_all(calls: DynamoDBCalls) -> dict[str, Any]:
    handler = load_handler("distributors")
    cursor, pages, seen = "", 0, 0
    calls.reset()
    while True:
        query = f"page_size={PAGE_SIZE}" + (f"&cursor={cursor}" if cursor else "")
        event = _as_distributor("GET", "/customers", query=query)
        status, answer = invoke(handler, event)
        if status != 200:
            raise RuntimeError(f"list answered {status}: {answer}")
        pages += 1
        seen += len(answer["data"]["customers"])
        cursor = answer["data"]["pagination"]["next_cursor"] or ""
        if not cursor:
            break
    return {"pages": pages, "seen": seen, "by_operation": calls.snapshot()}


def _ops(by_operation: Counter[str]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(by_operation.items()))


def main() -> dict[str, float]:
    with DynamoDBCalls() as calls, moto_stack():
        started = time.perf_counter()
        seed()
        seeded_s = time.perf_counter() - started
        checked = validate(calls)
        confirmed = confirm(calls, checked["import_id"])
        listed = list_all(calls)
    total = sum(checked["by_operation"].values())
    c = checked["counters"]
    print(
        f"tiers: a distributor with {SCOPE_RESELLERS:,} resellers in its scope; 50 of them "
        f"with {CUSTOMERS_EACH} customers each (seeded in {seeded_s:.1f} s)"
    )
    print(
        f"  validate {ROWS} reseller rows: {c['valid_rows']} valid, {c['warning_rows']} warnings, "
        f"{c['error_rows']} errors; {total} DynamoDB requests ({_ops(checked['by_operation'])}) "
        f"(limit {MAX_VALIDATE_REQUESTS}) {'ok' if total <= MAX_VALIDATE_REQUESTS else 'OVER'}"
    )
    per_row = confirmed["row_requests"] / confirmed["written"]
    print(
        f"  confirm with override: {confirmed['counters']}; {_ops(confirmed['by_operation'])}; "
        f"{per_row:.3f} requests per written row (limit {MAX_REQUESTS_PER_ROW}), "
        f"{confirmed['bookkeeping']} bookkeeping (limit {MAX_BOOKKEEPING_REQUESTS})"
    )
    ops = listed["by_operation"]
    pages = listed["pages"]
    print(
        f"  list customers: {listed['seen']} in {pages} pages of {PAGE_SIZE}; "
        f"{_ops(ops)}: {ops['Query'] / pages:.2f} Query a page, {ops['Scan']} Scan"
    )
    return {
        "tier_validate_requests": float(total),
        "tier_confirm_requests_per_row": per_row,
        "tier_confirm_bookkeeping": float(confirmed["bookkeeping"]),
        "tier_list_queries_per_page": ops["Query"] / pages,
        "tier_list_requests_per_page": sum(ops.values()) / pages,
        "tier_list_scans": float(ops["Scan"]),
    }


if __name__ == "__main__":
    emit_figures(main())
