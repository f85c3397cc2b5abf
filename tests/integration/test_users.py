"""Users through their handlers against in-process moto, sign-in accounts in a moto
Cognito pool (CONTRACT section 10): CRUD and scope, the import with ambiguous companies
and resolutions, the accounts made exactly once, a provider's refusal, a confirm cut off
between the account and the record."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from orgimport import wiring
from tests.integration.conftest import build_event, call_handler, envelope, race
from tests.vats import it_vat

OWNER = {"role": "owner", "org": "owner", "user_roles": ["Super Admin"]}
HEADER = "email,name,phone,company_name,roles"


class Crash(BaseException):
    """The function dying mid-confirm: nothing catches it."""


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(fn: str, method: str, path: str, caller: dict[str, Any], **kw: Any) -> tuple[int, Any]:
    result = call_handler(fn, build_event(method, path, **caller, **kw))
    return result["statusCode"], envelope(result)


def as_admin(role: str, org: str) -> dict[str, Any]:
    return {"role": role, "org": org, "user_roles": ["Admin"]}


def organization(kind: str, name: str, vat: int, caller: dict[str, Any]) -> str:
    status, body = call(
        "distributors",
        "POST",
        f"/{kind}",
        caller,
        body={"name": name, "custom_data": {"vat": it_vat(vat)}},
    )
    assert status == 201, body
    return str(body["data"]["id"])


@pytest.fixture
def tree() -> dict[str, str]:
    """Two distributors; under A two resellers, each with a customer "Rossi S.r.l."; under
    B a customer "Bianchi S.p.A." (outside A's scope)."""
    a = organization("distributors", "Alfa Distribuzione", 1, OWNER)
    b = organization("distributors", "Beta Distribuzione", 2, OWNER)
    r1 = organization("resellers", "Rivendita Uno", 3, as_admin("distributor", a))
    r2 = organization("resellers", "Rivendita Due", 4, as_admin("distributor", a))
    c1 = organization("customers", "Rossi S.r.l.", 5, as_admin("reseller", r1))
    c2 = organization("customers", "Rossi  s.r.l.", 6, as_admin("reseller", r2))
    cb = organization("customers", "Bianchi S.p.A.", 7, as_admin("distributor", b))
    return {"a": a, "b": b, "r1": r1, "r2": r2, "c1": c1, "c2": c2, "cb": cb}


def validate(lines: list[str], caller: dict[str, Any]) -> dict[str, Any]:
    status, body = call(
        "import_validate",
        "POST",
        "/users/import/validate",
        caller,
        body="\n".join([HEADER, *lines]) + "\n",
        headers={"content-type": "text/csv"},
    )
    assert status == 200, body
    return dict(body["data"])


def confirm(body: dict[str, Any], caller: dict[str, Any]) -> tuple[int, Any]:
    return call("import_confirm", "POST", "/users/import/confirm", caller, body=body)


def account(pool: str, email: str) -> dict[str, Any]:
    cognito = boto3.client("cognito-idp")
    found = cognito.admin_get_user(UserPoolId=pool, Username=email)
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=email)["Groups"]
    return {
        "attributes": {a["Name"]: a["Value"] for a in found["UserAttributes"]},
        "enabled": found["Enabled"],
        "groups": sorted(g["GroupName"] for g in groups),
    }


def accounts(pool: str) -> list[str]:
    users = boto3.client("cognito-idp").list_users(UserPoolId=pool)["Users"]
    return sorted(a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email")


def test_an_ambiguous_company_validates_with_its_candidates_and_a_resolution_places_the_user(
    tree: dict[str, str], user_pool: str
) -> None:
    report = validate(
        [
            "ada@example.com,Ada Rossi,+39 02 1234567,rossi srl,Reader",  # no match: not_found
            "bea@example.com,Bea Rossi,,ROSSI S.R.L.,Admin;reader",
            "cai@example.com,Cai Verdi,,Rivendita Uno,Support",
        ],
        OWNER,
    )
    rows = report["rows"]
    assert [r["status"] for r in rows] == ["error", "ambiguous", "valid"]
    assert report["ambiguous_rows"] == 1
    assert rows[0]["errors"] == [
        {"field": "company_name", "message": "not_found", "values": ["rossi srl"]}
    ]
    (ambiguity,) = rows[1]["warnings"]
    assert ambiguity["message"] == "ambiguous"
    assert sorted(ambiguity["candidates"], key=lambda c: c["logto_id"]) == sorted(
        [
            {"logto_id": tree["c1"], "name": "Rossi S.r.l.", "type": "customer"},
            {"logto_id": tree["c2"], "name": "Rossi  s.r.l.", "type": "customer"},
        ],
        key=lambda c: c["logto_id"],
    )

    status, done = confirm(
        {"import_id": report["import_id"], "resolutions": {"3": {"organization_id": tree["c2"]}}},
        OWNER,
    )

    assert status == 200, done
    results = done["data"]["results"]
    assert [r["status"] for r in results] == ["skipped", "created", "created"]
    status, bea = call(
        "distributors",
        "GET",
        f"/users/{results[1]['id']}",
        OWNER,
        path_params={"user_id": results[1]["id"]},
        route="/users/{user_id}",
    )
    assert bea["data"]["organization_id"] == tree["c2"]
    assert bea["data"]["roles"] == ["Admin", "Reader"]
    made = account(user_pool, "bea@example.com")
    assert made["attributes"]["custom:org_id"] == tree["c2"]
    assert made["attributes"]["custom:org_role"] == "customer"
    assert made["attributes"]["name"] == "Bea Rossi"
    assert made["groups"] == ["admin", "reader"]
    assert accounts(user_pool) == ["bea@example.com", "cai@example.com"]


def test_without_a_resolution_the_ambiguous_row_is_skipped_and_nothing_is_made(
    tree: dict[str, str], user_pool: str
) -> None:
    report = validate(["bea@example.com,Bea Rossi,,Rossi S.r.l.,Reader"], OWNER)

    status, done = confirm({"import_id": report["import_id"]}, OWNER)

    assert status == 200
    assert done["data"]["results"] == [
        {"row_number": 2, "status": "skipped", "reason": "ambiguous_unresolved"}
    ]
    assert accounts(user_pool) == []


def test_a_resolution_outside_the_candidates_fails_the_row_and_other_resolutions_are_a_409(
    tree: dict[str, str], user_pool: str
) -> None:
    report = validate(["bea@example.com,Bea Rossi,,Rossi S.r.l.,Reader"], OWNER)
    outside = {
        "import_id": report["import_id"],
        "resolutions": {"2": {"organization_id": tree["cb"]}},
    }

    status, done = confirm(outside, OWNER)

    assert status == 200
    (row,) = done["data"]["results"]
    assert row["status"] == "failed" and tree["cb"] in row["error"]
    other = {
        "import_id": report["import_id"],
        "resolutions": {"2": {"organization_id": tree["c1"]}},
    }
    assert confirm(other, OWNER)[0] == 409
    assert confirm(outside, OWNER) == (status, done)  # the same request replays
    bad = {"import_id": report["import_id"], "resolutions": {"9": {"organization_id": tree["c1"]}}}
    status, body = confirm(bad, OWNER)
    assert status == 400 and body["data"]["errors"][0]["key"] == "resolutions.9"
    assert accounts(user_pool) == []


def test_a_company_outside_the_callers_scope_is_not_found_and_never_a_candidate(
    tree: dict[str, str],
) -> None:
    admin_of_a = as_admin("distributor", tree["a"])
    report = validate(
        [
            "one@example.com,One,,Bianchi S.p.A.,Reader",  # under B only
            "two@example.com,Two,,Alfa Distribuzione,Reader",  # the caller's own
            "three@example.com,Three,,Rossi S.r.l.,Super Admin",  # not the owner's
        ],
        admin_of_a,
    )
    rows = report["rows"]
    assert rows[0]["errors"][0]["message"] == "not_found"
    assert rows[1]["status"] == "valid"
    assert rows[2]["status"] == "error"
    assert rows[2]["errors"] == [
        {"field": "roles", "message": "insufficient_privileges", "values": ["Super Admin"]}
    ]
    assert [c["logto_id"] for c in rows[2]["warnings"][0]["candidates"]] != []


def test_email_holders_are_judged_by_scope_and_archive(tree: dict[str, str]) -> None:
    admin_of_b = as_admin("distributor", tree["b"])
    made = validate(
        [
            "held@example.com,Held,+39 02 7654321,Rossi S.r.l.,Reader",
            "gone@example.com,Gone,,Rivendita Uno,Reader",
        ],
        OWNER,
    )
    assert made["rows"][0]["status"] == "ambiguous"
    status, done = confirm(
        {"import_id": made["import_id"], "resolutions": {"2": {"organization_id": tree["c1"]}}},
        OWNER,
    )
    assert status == 200
    assert [r["status"] for r in done["data"]["results"]] == ["created", "created"]
    gone = done["data"]["results"][1]["id"]
    assert (
        call(
            "distributors",
            "DELETE",
            f"/users/{gone}",
            OWNER,
            path_params={"user_id": gone},
            route="/users/{user_id}",
        )[0]
        == 200
    )

    seen_by_owner = validate(
        [
            "HELD@example.com,Held Again,,Bianchi S.p.A.,Reader",
            "gone@example.com,Gone,,Rivendita Uno,Reader",
            "new@example.com,New,+39 02 7654321,Bianchi S.p.A.,Reader",
        ],
        OWNER,
    )["rows"]
    seen_by_b = validate(["held@example.com,Held,,Bianchi S.p.A.,Reader"], admin_of_b)["rows"]

    assert seen_by_owner[0]["status"] == "warning"
    assert seen_by_owner[0]["warnings"][0]["message"] == "already_exists"
    assert seen_by_owner[0]["changes"]["company_name"] == {
        "from": "Rossi S.r.l.",
        "to": "Bianchi S.p.A.",
    }
    assert seen_by_owner[1]["errors"][0]["message"] == "archived"
    assert seen_by_owner[2]["errors"][0] == {
        "field": "phone",
        "message": "already_used",
        "values": ["+39 02 7654321"],
    }
    assert seen_by_b[0]["errors"][0]["message"] == "held_elsewhere"


def test_a_provider_error_fails_its_row_alone_and_leaves_no_record(
    tree: dict[str, str], user_pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = validate([f"u{n}@example.com,User {n},,Rivendita Uno,Reader" for n in range(5)], OWNER)
    cognito = wiring.accounts().client
    real = cognito.admin_create_user

    def refuse_one(**kw: Any) -> Any:
        if kw["Username"] == "u3@example.com":
            from botocore.exceptions import ClientError

            error = {"Error": {"Code": "InvalidParameterException", "Message": "no way"}}
            raise ClientError(error, "AdminCreateUser")
        return real(**kw)

    monkeypatch.setattr(cognito, "admin_create_user", refuse_one)

    status, done = confirm({"import_id": report["import_id"]}, OWNER)

    assert status == 200
    results = done["data"]["results"]
    assert [r["status"] for r in results] == ["created"] * 3 + ["failed", "created"]
    assert "InvalidParameterException" in results[3]["error"]
    assert accounts(user_pool) == [f"u{n}@example.com" for n in (0, 1, 2, 4)]
    listed = call("distributors", "GET", "/users", OWNER)[1]["data"]["users"]
    assert sorted(u["email"] for u in listed) == [f"u{n}@example.com" for n in (0, 1, 2, 4)]


def test_a_confirm_cut_off_between_the_record_and_the_account_resumes_without_duplicates(
    tree: dict[str, str], user_pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The function dies while the third user's account is half made (created, not yet in
    its groups), other rows' records written and their accounts not: the resumed
    confirm makes each account once and leaves no record without one."""
    from tests.integration.test_import_confirm import expire_lease

    lines = [f"u{n}@example.com,User {n},,Rivendita Uno,Reader;Support" for n in range(4)]
    report = validate(lines, OWNER)
    cognito = wiring.accounts().client
    real_join = cognito.admin_add_user_to_group

    def die_joining_u2(**kw: Any) -> Any:
        if kw["Username"] == "u2@example.com":
            raise Crash()
        return real_join(**kw)

    monkeypatch.setattr(cognito, "admin_add_user_to_group", die_joining_u2)
    body = {"import_id": report["import_id"]}
    with pytest.raises(Crash):
        confirm(body, OWNER)
    monkeypatch.setattr(cognito, "admin_add_user_to_group", real_join)
    assert "u2@example.com" in accounts(user_pool)  # made, in no group yet
    expire_lease(report["import_id"])

    status, done = confirm(body, OWNER)

    assert status == 200, done
    assert [r["status"] for r in done["data"]["results"]] == ["created"] * 4
    assert accounts(user_pool) == [f"u{n}@example.com" for n in range(4)]
    listed = call("distributors", "GET", "/users", OWNER)[1]["data"]["users"]
    assert len(listed) == 4
    for n in range(4):
        assert account(user_pool, f"u{n}@example.com")["groups"] == ["reader", "support"]


def test_crud_keeps_to_the_scope_and_archive_disables_the_account(
    tree: dict[str, str], user_pool: str
) -> None:
    admin_of_a = as_admin("distributor", tree["a"])
    status, made = call(
        "distributors",
        "POST",
        "/users",
        admin_of_a,
        body={
            "email": " Eva@Example.com ",
            "name": "Eva",
            "organization_id": tree["r1"],
            "roles": ["support"],
            "phone": "+39 333 1234567",
        },
    )
    assert status == 201, made
    user_id = made["data"]["id"]
    one = {"path_params": {"user_id": user_id}, "route": "/users/{user_id}"}
    assert made["data"]["email"] == "Eva@Example.com" and made["data"]["roles"] == ["Support"]
    assert account(user_pool, "Eva@Example.com")["attributes"]["phone_number"] == "+393331234567"

    admin_of_b = as_admin("distributor", tree["b"])
    assert call("distributors", "GET", f"/users/{user_id}", admin_of_b, **one)[0] == 404
    assert call("distributors", "GET", "/users", admin_of_b)[1]["data"]["users"] == []
    again = call(
        "distributors",
        "POST",
        "/users",
        OWNER,
        body={
            "email": "eva@example.com",
            "name": "Eva",
            "organization_id": tree["b"],
            "roles": ["Reader"],
        },
    )
    assert again[0] == 400 and again[1]["data"]["errors"][0]["message"] == "already_exists"

    outside = {"name": "Eva", "organization_id": tree["cb"], "roles": ["Support"]}
    status, body = call("distributors", "PUT", f"/users/{user_id}", admin_of_a, body=outside, **one)
    assert status == 400 and body["data"]["errors"][0]["key"] == "organization_id"
    moved = {"name": "Eva B.", "organization_id": tree["c1"], "roles": ["Support", "Reader"]}
    status, body = call("distributors", "PUT", f"/users/{user_id}", admin_of_a, body=moved, **one)
    assert status == 200, body
    assert body["data"]["organization_id"] == tree["c1"] and body["data"]["phone"] is None
    after = account(user_pool, "Eva@Example.com")
    assert after["attributes"]["custom:org_id"] == tree["c1"]
    assert after["groups"] == ["reader", "support"]

    assert call("distributors", "DELETE", f"/users/{user_id}", admin_of_a, **one)[0] == 200
    assert account(user_pool, "Eva@Example.com")["enabled"] is False
    restore = {"path_params": {"user_id": user_id}, "route": "/users/{user_id}/restore"}
    assert (
        call("distributors", "PATCH", f"/users/{user_id}/restore", admin_of_a, **restore)[0] == 200
    )
    assert account(user_pool, "Eva@Example.com")["enabled"] is True


def test_who_may_touch_users() -> None:
    no_claim = {"role": "owner", "org": "owner"}
    reader = {"role": "owner", "org": "owner", "user_roles": ["Reader"]}
    assert call("distributors", "GET", "/users", no_claim)[0] == 403
    assert call("distributors", "GET", "/users", reader)[0] == 200
    body = {"email": "x@example.com", "name": "X", "organization_id": "owner", "roles": ["Reader"]}
    assert call("distributors", "POST", "/users", reader, body=body)[0] == 403
    admin = {"role": "owner", "org": "owner", "user_roles": ["Admin"]}
    status, refused = call(
        "distributors", "POST", "/users", admin, body={**body, "roles": ["Super Admin"]}
    )
    assert status == 400 and refused["data"]["errors"][0]["message"] == "insufficient_privileges"
    assert call("distributors", "POST", "/users", admin, body=body)[0] == 201


def test_twenty_concurrent_creates_of_one_email_make_one_user_and_one_account(
    tree: dict[str, str], user_pool: str
) -> None:
    """Twenty POSTs through the handler, started together from threads, the email in
    other cases: one user, one account, nineteen `already_exists`."""

    def create(n: int) -> str:
        email = "Racer@Example.com" if n % 2 else "racer@example.com "
        body = {
            "email": email,
            "name": f"Racer {n}",
            "organization_id": tree["r1"],
            "roles": ["Reader"],
        }
        status, answer = call("distributors", "POST", "/users", OWNER, body=body)
        return "created" if status == 201 else str(answer["data"]["errors"][0]["message"])

    outcomes = race(20, create)
    assert sorted(outcomes) == ["already_exists"] * 19 + ["created"], outcomes
    listed = call("distributors", "GET", "/users", OWNER, query={"search": "racer"})
    assert len(listed[1]["data"]["users"]) == 1
    assert len(accounts(user_pool)) == 1


def test_an_s3_users_import_acts_as_the_owner_and_skips_ambiguous_rows(
    tree: dict[str, str], user_pool: str
) -> None:
    from tests.integration.test_s3_import import BUCKET, report, s3_event

    s3 = boto3.client("s3", region_name="eu-west-1")
    key = "incoming/users/staff.csv"
    body = "\r\n".join(
        [
            HEADER,
            "s3a@example.com,A,,Rossi S.r.l.,Reader",
            "s3b@example.com,B,,Beta Distribuzione,Admin",
        ]
    ).encode()
    version = s3.put_object(Bucket=BUCKET, Key=key, Body=body)["VersionId"]

    outcome = call_handler("s3_import", s3_event(key, version_id=version, size=len(body)))

    assert outcome["imports"][0]["state"] == "confirmed", outcome
    results = report(s3, key)["confirm"]["results"]
    assert results[0] == {"row_number": 2, "status": "skipped", "reason": "ambiguous_unresolved"}
    assert results[1]["status"] == "created"
    assert account(user_pool, "s3b@example.com")["attributes"]["custom:org_id"] == tree["b"]
