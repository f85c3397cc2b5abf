"""The distributors API through the local stack, with real tokens, as a client uses it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.e2e.unique_vats import fresh_vats


def unique_vat() -> str:
    (vat,) = fresh_vats(1)
    return vat


def test_crud_flow_behaves_as_the_contract_says(stack):
    owner = stack.token("owner")
    vat = unique_vat()
    created = stack.request(
        "POST", "/distributors", token=owner, json={"name": "E2E Acme", "custom_data": {"vat": vat}}
    )
    assert created.status == 201, created.text
    body = created.json()
    assert body["code"] == 201 and body["data"]["custom_data"]["vat"] == vat
    did = body["data"]["id"]

    spaced = f"{vat[:2].lower()} {vat[2:5]}.{vat[5:]}"
    dup = stack.request(
        "POST", "/distributors", token=owner, json={"name": "B", "custom_data": {"vat": spaced}}
    )
    assert dup.status == 400
    assert dup.json()["data"]["errors"] == [
        {"key": "custom_data.vat", "message": "already_exists", "value": spaced}
    ]

    got = stack.request("GET", f"/distributors/{did}", token=owner)
    assert got.status == 200 and got.json()["data"]["name"] == "E2E Acme"

    listed = stack.request("GET", "/distributors?search=" + vat, token=owner)
    assert [d["id"] for d in listed.json()["data"]["distributors"]] == [did]

    updated = stack.request(
        "PUT",
        f"/distributors/{did}",
        token=owner,
        json={"name": "E2E Acme 2", "custom_data": {"vat": vat}},
    )
    assert updated.status == 200 and updated.json()["data"]["name"] == "E2E Acme 2"

    archived = stack.request("DELETE", f"/distributors/{did}", token=owner)
    assert archived.status == 200 and archived.json()["data"]["deleted_at"]
    hidden = stack.request("GET", "/distributors?search=" + vat, token=owner).json()["data"]
    assert hidden["distributors"] == []
    shown = stack.request("GET", f"/distributors?include_archived=true&search={vat}", token=owner)
    assert [d["id"] for d in shown.json()["data"]["distributors"]] == [did]

    restored = stack.request("PATCH", f"/distributors/{did}/restore", token=owner)
    assert restored.status == 200 and restored.json()["data"]["deleted_at"] is None


def test_no_token_is_401_and_reseller_is_403(stack):
    assert stack.request("GET", "/distributors").status == 401
    reply = stack.request("GET", "/distributors", token=stack.token("reseller"))
    assert reply.status == 403 and reply.json()["code"] == 403


def test_twenty_concurrent_creates_with_one_vat_store_exactly_one(stack):
    vat = unique_vat()
    owner = stack.token("owner")

    def create(i: int) -> int:
        reply = stack.request(
            "POST",
            "/distributors",
            token=owner,
            json={"name": f"Race {i}", "custom_data": {"vat": vat}},
        )
        return reply.status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(create, range(20)))
    assert statuses.count(201) == 1
    assert statuses.count(400) == 19

    dynamodb = stack.aws_client("dynamodb")
    items = dynamodb.scan(
        TableName="DistributorsTable",
        FilterExpression="vat = :v",
        ExpressionAttributeValues={":v": {"S": vat}},
    )["Items"]
    assert len([i for i in items if i["pk"]["S"].startswith("DIST#")]) == 1
