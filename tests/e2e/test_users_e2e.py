"""Users through the local stack over HTTP (CONTRACT section 10), with its Cognito pool
on: a users file naming a company two organizations share validates as `ambiguous`
with both as candidates; confirm with a resolution creates the user in the chosen one,
with its sign-in account in the pool (attributes and groups); without one the row is
`ambiguous_unresolved`."""

from __future__ import annotations

from typing import Any

import pytest

from local.user_pool import POOL_NAME
from tests.vats import it_vat


@pytest.fixture(scope="module")
def world(stack: Any) -> dict[str, Any]:
    owner = stack.token("owner", "e2e-users", "owner", user_roles=["Super Admin"])
    ids = []
    for n in (8901, 8902):
        made = stack.request(
            "POST",
            "/customers",
            token=owner,
            json={"name": "Rossi E2E S.r.l.", "custom_data": {"vat": it_vat(n)}},
        )
        assert made.status == 201, made.text
        ids.append(made.json()["data"]["id"])
    cognito = stack.aws_client("cognito-idp")
    (pool,) = [
        p["Id"]
        for p in cognito.list_user_pools(MaxResults=60)["UserPools"]
        if p["Name"] == POOL_NAME
    ]
    return {"stack": stack, "owner": owner, "customers": ids, "cognito": cognito, "pool": pool}


def validate(world: dict[str, Any], lines: list[str]) -> dict[str, Any]:
    body = ("\r\n".join(["email,name,phone,company_name,roles", *lines]) + "\r\n").encode()
    reply = world["stack"].request(
        "POST",
        "/users/import/validate",
        token=world["owner"],
        body=body,
        headers={"Content-Type": "text/csv"},
    )
    assert reply.status == 200, reply.text
    return dict(reply.json()["data"])


def confirm(world: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    reply = world["stack"].request("POST", "/users/import/confirm", token=world["owner"], json=body)
    assert reply.status == 200, reply.text
    return dict(reply.json()["data"])


def test_a_resolution_creates_the_user_and_its_account_in_the_chosen_organization(world):
    report = validate(
        world, ["anna.e2e@example.com,Anna,+39 02 5550101,rossi e2e s.r.l.,Admin;Reader"]
    )
    (row,) = report["rows"]
    assert row["status"] == "ambiguous" and report["ambiguous_rows"] == 1
    candidates = row["warnings"][0]["candidates"]
    assert sorted(c["logto_id"] for c in candidates) == sorted(world["customers"])
    assert {(c["name"], c["type"]) for c in candidates} == {("Rossi E2E S.r.l.", "customer")}
    chosen = world["customers"][1]

    done = confirm(
        world,
        {"import_id": report["import_id"], "resolutions": {"2": {"organization_id": chosen}}},
    )

    (result,) = done["results"]
    assert result["status"] == "created"
    user = world["stack"].request("GET", f"/users/{result['id']}", token=world["owner"])
    assert user.json()["data"]["organization_id"] == chosen
    cognito, pool = world["cognito"], world["pool"]
    account = cognito.admin_get_user(UserPoolId=pool, Username="anna.e2e@example.com")
    attributes = {a["Name"]: a["Value"] for a in account["UserAttributes"]}
    assert attributes["custom:org_id"] == chosen
    assert attributes["custom:org_role"] == "customer"
    assert attributes["name"] == "Anna" and attributes["phone_number"] == "+39025550101"
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="anna.e2e@example.com")
    assert sorted(g["GroupName"] for g in groups["Groups"]) == ["admin", "reader"]


def test_without_a_resolution_the_row_is_ambiguous_unresolved(world):
    report = validate(world, ["bruno.e2e@example.com,Bruno,,Rossi E2E S.r.l.,Reader"])

    done = confirm(world, {"import_id": report["import_id"]})

    assert done["results"] == [
        {"row_number": 2, "status": "skipped", "reason": "ambiguous_unresolved"}
    ]
    users = world["cognito"].list_users(UserPoolId=world["pool"])["Users"]
    emails = {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"}
    assert "bruno.e2e@example.com" not in emails
