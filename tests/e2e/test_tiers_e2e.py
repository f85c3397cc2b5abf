"""Each tier through the local stack over HTTP, with the tokens the stack prints (CONTRACT
sections 8 and 9): as a distributor, import resellers from a CSV, see them listed, and
confirm with override, which updates only its own; as a reseller, import customers; as
the owner, see everything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.vats import it_vat


@pytest.fixture(scope="module")
def tiers(stack_factory: Callable[..., Any]) -> dict[str, Any]:
    """A stack of this module's own, its printed tokens by role, and a second
    distributor with a reseller of its own (made by the owner and that distributor)."""
    stack = stack_factory()
    stack.printed_token()  # the banner is out: the example hierarchy exists
    tokens: dict[str, str] = {}
    for line in stack.log_path.read_text().splitlines():
        if line.startswith("export TOKEN"):
            name, token = line[len("export ") :].split("=", 1)
            role = name.removeprefix("TOKEN").removeprefix("_").lower() or "owner"
            tokens[role] = token
    other = stack.request(
        "POST",
        "/distributors",
        token=tokens["owner"],
        json={"name": "Another Distributor", "custom_data": {"vat": it_vat(8801)}},
    )
    assert other.status == 201, other.text
    as_other = stack.token("distributor", "other-user", other.json()["data"]["id"])
    theirs = stack.request(
        "POST",
        "/resellers",
        token=as_other,
        json={"name": "Their Reseller", "custom_data": {"vat": it_vat(8802)}},
    )
    assert theirs.status == 201, theirs.text
    return {"stack": stack, "tokens": tokens, "theirs": theirs.json()["data"]}


def csv_of(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(DISTRIBUTOR_COLUMNS)]
    lines += [",".join(r.get(c, "") for c in DISTRIBUTOR_COLUMNS) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def names(stack: Any, kind: str, token: str) -> list[str]:
    reply = stack.request("GET", f"/{kind}?page_size=100", token=token)
    assert reply.status == 200, reply.text
    return [r["name"] for r in reply.json()["data"][kind]]


def imported(stack: Any, kind: str, token: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    report = stack.request(
        "POST",
        f"/{kind}/import/validate",
        token=token,
        body=csv_of(rows),
        headers={"Content-Type": "text/csv"},
    )
    assert report.status == 200, report.text
    data = report.json()["data"]
    done = stack.request(
        "POST",
        f"/{kind}/import/confirm",
        token=token,
        json={"import_id": data["import_id"], "override": True},
    )
    assert done.status == 200, done.text
    return {"report": data, "result": done.json()["data"]}


def test_a_distributor_imports_resellers_and_override_updates_only_its_own(tiers):
    stack, tokens, theirs = tiers["stack"], tiers["tokens"], tiers["theirs"]
    mine = stack.request("GET", "/resellers", token=tokens["distributor"]).json()["data"]
    (own,) = mine["resellers"]  # the stack's example reseller
    rows = [
        {"company_name": "Imported Reseller", "vat_number": it_vat(8803)},
        {"company_name": "Own Reseller renamed", "vat_number": own["custom_data"]["vat"]},
        {"company_name": "Not mine", "vat_number": theirs["custom_data"]["vat"]},
    ]
    done = imported(stack, "resellers", tokens["distributor"], rows)
    assert [r["status"] for r in done["report"]["rows"]] == ["valid", "warning", "error"]
    assert done["report"]["rows"][2]["errors"][0]["message"] == "held_elsewhere"
    counts = {k: done["result"][k] for k in ("created", "updated", "skipped")}
    assert counts == {"created": 1, "updated": 1, "skipped": 1}
    assert names(stack, "resellers", tokens["distributor"]) == [
        "Imported Reseller",
        "Own Reseller renamed",
    ]
    untouched = stack.request("GET", f"/resellers/{theirs['id']}", token=tokens["owner"])
    assert untouched.json()["data"] == theirs


def test_a_reseller_imports_its_customers_and_the_owner_sees_every_tier(tiers):
    stack, tokens = tiers["stack"], tiers["tokens"]
    rows = [{"company_name": "Imported Customer", "vat_number": it_vat(8804)}]
    done = imported(stack, "customers", tokens["reseller"], rows)
    assert done["result"]["created"] == 1
    assert "Imported Customer" in names(stack, "customers", tokens["reseller"])
    assert "Imported Customer" in names(stack, "customers", tokens["distributor"])
    assert "Imported Customer" in names(stack, "customers", tokens["owner"])
    assert "Their Reseller" in names(stack, "resellers", tokens["owner"])
    refused = stack.request("GET", "/resellers", token=tokens["customer"])
    assert refused.status == 403
