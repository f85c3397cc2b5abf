"""The tiers through the handlers (CONTRACT sections 8 and 9): who may use which kind,
each caller's scope by ancestry, VAT uniqueness by kind, and imports by every tier.

The hierarchy every test starts from, made through the API itself:

    owner ── D1 ── R1 ── C1
          │     └─ R1b
          └─ D2 ── R2
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.integration.conftest import build_event, call_handler, envelope, race
from tests.vats import it_vat

CRUD, VALIDATE, CONFIRM = "distributors", "import_validate", "import_confirm"
KINDS = ("distributors", "resellers", "customers")
ROLES = ("owner", "distributor", "reseller", "customer")
# (kind, role) -> may it use the kind at all (CONTRACT section 8's table)
MAY_USE = {
    ("distributors", "owner"): True,
    ("resellers", "owner"): True,
    ("resellers", "distributor"): True,
    ("customers", "owner"): True,
    ("customers", "distributor"): True,
    ("customers", "reseller"): True,
}


def call(fn: str, method: str, path: str, who: dict[str, str], **kw: Any) -> tuple[int, Any]:
    result = call_handler(fn, build_event(method, path, **who, **kw))
    if "json" not in str((result.get("headers") or {}).get("Content-Type", "")):
        return result["statusCode"], {"raw": result["body"]}  # the CSV template
    return result["statusCode"], envelope(result)


def created(kind: str, who: dict[str, str], name: str, vat: str) -> dict[str, Any]:
    body = {"name": name, "custom_data": {"vat": vat}}
    status, answer = call(CRUD, "POST", f"/{kind}", who, body=body)
    assert status == 201, answer
    return answer["data"]


def token(role: str, org: str, user: str = "") -> dict[str, str]:
    return {"role": role, "org": org, "user": user or f"{role}-{org}"}


OWNER = token("owner", "platform", "root")


@pytest.fixture
def tree(aws) -> dict[str, Any]:
    d1 = created("distributors", OWNER, "Dist One", it_vat(9001))
    d2 = created("distributors", OWNER, "Dist Two", it_vat(9002))
    as_d1, as_d2 = token("distributor", d1["id"]), token("distributor", d2["id"])
    r1 = created("resellers", as_d1, "Res One", it_vat(9101))
    r1b = created("resellers", as_d1, "Res One B", it_vat(9102))
    r2 = created("resellers", as_d2, "Res Two", it_vat(9103))
    as_r1 = token("reseller", r1["id"])
    c1 = created("customers", as_r1, "Cust One", it_vat(9201))
    return {
        "d1": d1, "d2": d2, "r1": r1, "r1b": r1b, "r2": r2, "c1": c1,
        "as_d1": as_d1, "as_d2": as_d2, "as_r1": as_r1,
        "as_r2": token("reseller", r2["id"]),
        "as_c1": token("customer", c1["id"]),
    }  # fmt: skip


def who_is(role: str, tree: dict[str, Any]) -> dict[str, str]:
    return {"owner": OWNER, "distributor": tree["as_d1"], "reseller": tree["as_r1"]}.get(
        role, tree["as_c1"]
    )


def ids(kind: str, who: dict[str, str]) -> set[str]:
    status, answer = call(CRUD, "GET", f"/{kind}", who, query={"page_size": "100"})
    assert status == 200, answer
    return {r["id"] for r in answer["data"][kind]}


# --- the access matrix ---------------------------------------------------------------------


def _routes(kind: str, record_id: str) -> list[tuple[str, str, str, Any, int]]:
    """(function, method, path, body, the status of a caller who may use the kind) of
    every route of a kind, in an order in which each succeeds on a record in scope."""
    one = f"/{kind}/{record_id}"
    return [
        (CRUD, "GET", f"/{kind}", None, 200),
        (CRUD, "POST", f"/{kind}", {"name": "New", "custom_data": {"vat": it_vat(9999)}}, 201),
        (CRUD, "GET", one, None, 200),
        (CRUD, "PUT", one, {"name": "Renamed", "custom_data": {"vat": it_vat(9998)}}, 200),
        (CRUD, "DELETE", one, None, 200),
        (CRUD, "PATCH", f"{one}/restore", None, 200),
        (VALIDATE, "GET", f"/{kind}/import/template", None, 200),
        (VALIDATE, "POST", f"/{kind}/import/uploads", None, 201),
        # no such import: 404 for whoever may import the kind
        (CONFIRM, "GET", f"/{kind}/import/6f1c2a9e-3b7d-4c58-9a0e-2d4f6b8c1e3a", None, 404),
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_each_cell_of_the_access_matrix_answers_its_status_and_a_403_changes_nothing(
    tree, kind, role
):
    """A record in the caller's scope: every route succeeds for a role that may use the
    kind; a role that may not gets 403 on every one."""
    record = {"distributors": tree["d1"], "resellers": tree["r1"], "customers": tree["c1"]}[kind]
    before = boto3.client("dynamodb").scan(TableName="DistributorsTable")["Count"]
    for fn, method, path, body, allowed in _routes(kind, record["id"]):
        status, answer = call(fn, method, path, who_is(role, tree), body=body)
        if MAY_USE.get((kind, role)):
            assert status == allowed, (method, path, answer)
        else:
            assert status == 403, (method, path, answer)
            assert answer["message"].startswith("forbidden"), answer
    if not MAY_USE.get((kind, role)):
        assert boto3.client("dynamodb").scan(TableName="DistributorsTable")["Count"] == before


# --- scope: outside it a record does not exist -------------------------------------------


def test_each_tier_lists_exactly_its_scope(tree):
    r1, r1b, r2 = tree["r1"]["id"], tree["r1b"]["id"], tree["r2"]["id"]
    assert ids("resellers", OWNER) == {r1, r1b, r2}
    assert ids("resellers", tree["as_d1"]) == {r1, r1b}
    assert ids("resellers", tree["as_d2"]) == {r2}
    d1_customer = created("customers", tree["as_d1"], "Cust of D1", it_vat(9202))["id"]
    c1 = tree["c1"]["id"]
    assert ids("customers", OWNER) == {c1, d1_customer}
    assert ids("customers", tree["as_d1"]) == {c1, d1_customer}  # its own and its resellers'
    assert ids("customers", tree["as_r1"]) == {c1}  # its own children only
    assert ids("customers", tree["as_d2"]) == set()
    assert ids("customers", tree["as_r2"]) == set()


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PUT", "", {"name": "Hijacked", "custom_data": {"vat": it_vat(9301)}}),
        ("DELETE", "", None),
        ("PATCH", "/restore", None),
    ],
)
def test_another_distributors_reseller_is_404_and_untouched(tree, method, suffix, body):
    target = tree["r1"]
    status, answer = call(
        CRUD, method, f"/resellers/{target['id']}{suffix}", tree["as_d2"], body=body
    )
    assert status == 404 and answer["message"] == "reseller not found"
    _, seen = call(CRUD, "GET", f"/resellers/{target['id']}", OWNER)
    assert seen["data"] == target


def test_a_search_never_finds_a_record_outside_the_scope(tree):
    vat = tree["r1"]["custom_data"]["vat"]
    for term in (vat, "Res One"):
        status, answer = call(
            CRUD, "GET", "/resellers", tree["as_d2"], query={"search": term.replace(" ", "+")}
        )
        assert status == 200 and answer["data"]["resellers"] == [], term


def test_a_token_of_an_organization_the_service_does_not_hold_is_403(tree):
    status, answer = call(CRUD, "GET", "/resellers", token("distributor", "nobody"))
    assert status == 403 and "organization" in answer["message"]


def test_read_only_user_roles_read_but_do_not_write(tree):
    reader = {**tree["as_d1"], "user_roles": ["Reader"]}
    assert call(CRUD, "GET", "/resellers", reader)[0] == 200
    body = {"name": "No", "custom_data": {"vat": it_vat(9401)}}
    status, answer = call(CRUD, "POST", "/resellers", reader, body=body)
    assert (
        status == 403 and answer["message"] == "forbidden: your user roles may only read resellers"
    )


# --- VAT uniqueness by kind ----------------------------------------------------------------


def test_a_reseller_vat_is_unique_among_all_resellers(tree):
    body = {"name": "Copy", "custom_data": {"vat": tree["r1"]["custom_data"]["vat"]}}
    status, answer = call(CRUD, "POST", "/resellers", tree["as_d2"], body=body)
    assert status == 400
    assert answer["data"]["errors"][0]["message"] == "already_exists"


def test_a_customer_vat_is_unique_per_parent_only(tree):
    vat = tree["c1"]["custom_data"]["vat"]
    second = created("customers", tree["as_r2"], "Same company, other reseller", vat)
    assert second["created_by"]["org_id"] == tree["r2"]["id"]
    body = {"name": "Again", "custom_data": {"vat": vat}}
    status, answer = call(CRUD, "POST", "/customers", tree["as_r1"], body=body)
    assert status == 400 and answer["data"]["errors"][0]["message"] == "already_exists"


def test_one_vat_may_be_held_by_records_of_different_kinds(tree):
    vat = tree["d1"]["custom_data"]["vat"]
    assert created("resellers", tree["as_d2"], "Also a reseller", vat)["id"]


def test_twenty_concurrent_creates_of_one_reseller_vat_by_two_distributors_make_one(tree):
    """Twenty POSTs through the handler, started together from threads, ten by each
    distributor: one record, nineteen `already_exists`."""
    vat = it_vat(9501)

    def create(n: int) -> str:
        who = tree[("as_d1", "as_d2")[n % 2]]
        body = {"name": f"Racer {n}", "custom_data": {"vat": vat}}
        status, answer = call(CRUD, "POST", "/resellers", who, body=body)
        return "created" if status == 201 else str(answer["data"]["errors"][0]["message"])

    outcomes = race(20, create)
    assert sorted(outcomes) == ["already_exists"] * 19 + ["created"]
    _, page = call(CRUD, "GET", "/resellers", OWNER, query={"search": vat})
    assert len(page["data"]["resellers"]) == 1


# --- imports by every tier -----------------------------------------------------------------


def csv_of(rows: list[dict[str, str]]) -> str:
    lines = [",".join(DISTRIBUTOR_COLUMNS)]
    lines += [",".join(r.get(c, "") for c in DISTRIBUTOR_COLUMNS) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def validate(kind: str, who: dict[str, str], rows: list[dict[str, str]]) -> dict[str, Any]:
    status, answer = call(
        VALIDATE,
        "POST",
        f"/{kind}/import/validate",
        who,
        body=csv_of(rows),
        headers={"content-type": "text/csv"},
    )
    assert status == 200, answer
    return answer["data"]


def confirm(kind: str, who: dict[str, str], import_id: str, override: bool) -> dict[str, Any]:
    body = {"import_id": import_id, "override": override}
    status, answer = call(CONFIRM, "POST", f"/{kind}/import/confirm", who, body=body)
    assert status == 200, answer
    return answer["data"]


def test_a_distributor_imports_resellers_and_override_updates_only_its_own(tree):
    own, elsewhere = tree["r1"], tree["r2"]
    rows = [
        {"company_name": "Brand new", "vat_number": it_vat(9601)},
        {"company_name": "Res One renamed", "vat_number": own["custom_data"]["vat"]},
        {"company_name": "Not yours", "vat_number": elsewhere["custom_data"]["vat"]},
    ]
    report = validate("resellers", tree["as_d1"], rows)
    statuses = [r["status"] for r in report["rows"]]
    assert statuses == ["valid", "warning", "error"]
    held = report["rows"][2]["errors"][0]
    assert held["field"] == "vat_number" and held["message"] == "held_elsewhere"
    assert held["values"] == [elsewhere["custom_data"]["vat"]]

    result = confirm("resellers", tree["as_d1"], report["import_id"], override=True)
    assert (result["created"], result["updated"], result["skipped"]) == (1, 1, 1)
    assert ids("resellers", tree["as_d1"]) >= {own["id"]}
    _, theirs = call(CRUD, "GET", f"/resellers/{elsewhere['id']}", OWNER)
    assert theirs["data"] == elsewhere  # override never touched it
    _, mine = call(CRUD, "GET", f"/resellers/{own['id']}", OWNER)
    assert mine["data"]["name"] == "Res One renamed"
    new = next(r for r in result["results"] if r["status"] == "created")
    _, made = call(CRUD, "GET", f"/resellers/{new['id']}", tree["as_d1"])
    assert made["data"]["created_by"]["org_id"] == tree["d1"]["id"]


def test_a_reseller_imports_its_customers(tree):
    rows = [{"company_name": "Imported customer", "vat_number": it_vat(9701)}]
    report = validate("customers", tree["as_r1"], rows)
    result = confirm("customers", tree["as_r1"], report["import_id"], override=False)
    assert result["created"] == 1
    new_id = result["results"][0]["id"]
    assert new_id in ids("customers", tree["as_r1"])
    assert new_id in ids("customers", tree["as_d1"])
    assert new_id not in ids("customers", tree["as_d2"])


def test_an_import_session_of_one_kind_is_not_confirmed_through_another(tree):
    rows = [{"company_name": "Somebody", "vat_number": it_vat(9801)}]
    report = validate("customers", tree["as_d1"], rows)
    body = {"import_id": report["import_id"]}
    status, answer = call(CONFIRM, "POST", "/resellers/import/confirm", tree["as_d1"], body=body)
    assert status == 400, answer


def test_another_distributor_cannot_confirm_or_read_an_import(tree):
    rows = [{"company_name": "Somebody", "vat_number": it_vat(9802)}]
    report = validate("resellers", tree["as_d1"], rows)
    body = {"import_id": report["import_id"]}
    status, _ = call(CONFIRM, "POST", "/resellers/import/confirm", tree["as_d2"], body=body)
    assert status == 403
    path = f"/resellers/import/{report['import_id']}"
    assert call(CONFIRM, "GET", path, tree["as_d2"])[0] == 403
    assert ids("resellers", OWNER).isdisjoint({r.get("id") for r in report["rows"]})


def names(kind: str, who: dict[str, str]) -> list[str]:
    status, answer = call(CRUD, "GET", f"/{kind}", who, query={"page_size": "100"})
    assert status == 200, answer
    return [r["name"] for r in answer["data"][kind]]


def test_a_renamed_record_moves_in_its_scopes_name_order_whoever_renames_it(tree):
    # the distributor renames its own reseller by import: the write knows its path
    own = {"company_name": "Zed", "vat_number": tree["r1"]["custom_data"]["vat"]}
    report = validate("resellers", tree["as_d1"], [own])
    assert confirm("resellers", tree["as_d1"], report["import_id"], override=True)["updated"] == 1
    assert names("resellers", tree["as_d1"]) == ["Res One B", "Zed"]
    # the owner renames another of them: the owner's import cannot know that path
    other = {"company_name": "Zzz", "vat_number": tree["r1b"]["custom_data"]["vat"]}
    report = validate("resellers", OWNER, [other])
    assert confirm("resellers", OWNER, report["import_id"], override=True)["updated"] == 1
    assert names("resellers", tree["as_d1"]) == ["Zed", "Zzz"]  # re-sorted, not "res one b"
    assert names("resellers", tree["as_d2"]) == ["Res Two"]
