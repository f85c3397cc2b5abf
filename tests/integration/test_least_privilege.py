"""Least privilege, proved: each function's IAM policy in template.yaml allows exactly
the DynamoDB and S3 actions its code calls, on exactly the resources it calls them on.

Every handler is driven through the paths it has (reads, writes, conflicts, moves,
replays, a failed batch write), with every botocore call recorded as the IAM action
and resource ARN it needs. Then, per function:

- every recorded call is allowed by a statement of the template (otherwise the
  function fails on AWS with AccessDenied), and
- every action a statement grants, on every resource it names, was used by some
  call (otherwise the function holds a privilege its code never uses).

The policies must be explicit statements: SAM policy templates such as
DynamoDBCrudPolicy grant Scan, DeleteItem and more, whatever the code does.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.client
import botocore.signers
import pytest
from botocore.exceptions import ClientError

from local.cfn_resolve import Resolver, local_parameters
from local.cfn_yaml import load_yaml
from local.config import ACCOUNT_ID, REGION, STACK_NAME
from local.template import load_template
from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

TEMPLATE = load_template()
FUNCTION_OF_DIR = {spec.code_dir.name: logical for logical, spec in TEMPLATE.functions.items()}
ACCOUNT = ACCOUNT_ID
BUCKET = TEMPLATE.buckets["ImportBucket"].name
# the S3 import function names its bucket by the deployed name's pattern (a !Ref would be a
# circular dependency); locally that bucket is BUCKET
DEPLOYED_BUCKET_NAME = f"{STACK_NAME}-imports-{ACCOUNT_ID}-{REGION}"

Grant = tuple[str, str]  # (IAM action, resource ARN or pattern)


def _dynamodb_calls(operation: str, params: dict[str, Any]) -> list[Grant]:
    action = f"dynamodb:{operation}"
    tables = list(params.get("RequestItems") or {}) or [params.get("TableName", "")]
    arns = []
    for table in tables:
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
        if params.get("IndexName"):
            arn += f"/index/{params['IndexName']}"
        arns.append(arn)
    return [(action, arn) for arn in arns]


_S3_ACTIONS = {
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
}


def _s3_calls(operation: str, params: dict[str, Any]) -> list[Grant]:
    action = _S3_ACTIONS.get(operation, f"s3:{operation}")
    if params.get("VersionId") and action == "s3:GetObject":
        action = "s3:GetObjectVersion"
    resource = f"arn:aws:s3:::{params.get('Bucket', '')}"
    if "Key" in params:
        resource += f"/{params['Key']}"
    return [(action, resource)]


class CallRecorder:
    """Which function made which call; calls outside `acting_as` (seeding) are not kept."""

    def __init__(self) -> None:
        self.calls: dict[str, set[Grant]] = defaultdict(set)
        self.function: str | None = None
        # (operation, table) that fails once, as a DynamoDB fault would
        self.fail_once: tuple[str, str] | None = None

    def fault_for(self, operation: str, params: dict[str, Any]) -> ClientError | None:
        if self.function is None or self.fail_once is None:
            return None
        tables = set(params.get("RequestItems") or {}) | {params.get("TableName")}
        tables.add(params.get("UserPoolId"))  # a Cognito call fails on its pool's id
        if self.fail_once[0] != operation or self.fail_once[1] not in tables:
            return None
        self.fail_once = None
        error = {"Error": {"Code": "InternalServerError", "Message": "injected"}}
        return ClientError(error, operation)

    def record(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if self.function is None:
            return
        if service == "dynamodb":
            self.calls[self.function].update(_dynamodb_calls(operation, params))
        elif service == "s3":
            self.calls[self.function].update(_s3_calls(operation, params))
        elif service == "cognito-idp":
            pool = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{params.get('UserPoolId')}"
            self.calls[self.function].add((f"cognito-idp:{operation}", pool))
        else:
            self.calls[self.function].add((f"{service}:{operation}", "*"))

    @contextmanager
    def acting_as(self, function_dir: str) -> Iterator[None]:
        self.function = FUNCTION_OF_DIR[function_dir]
        try:
            yield
        finally:
            self.function = None


@pytest.fixture
def recorder(aws: None, monkeypatch: pytest.MonkeyPatch) -> CallRecorder:
    """Every botocore call (boto3's and pynamodb's) and every presigned POST, recorded."""
    rec = CallRecorder()
    real_call = botocore.client.BaseClient._make_api_call
    real_post = botocore.signers.S3PostPresigner.generate_presigned_post

    def make_api_call(self: Any, operation: str, params: dict[str, Any]) -> Any:
        rec.record(self.meta.service_model.service_name, operation, params)
        fault = rec.fault_for(operation, params)
        if fault is not None:
            raise fault
        return real_call(self, operation, params)

    def presigned_post(
        self: Any, request_dict: Any, fields: Any, conditions: Any, **kw: Any
    ) -> Any:
        # the POST is made later by the client, with the function's credentials: a PutObject
        named = {k: v for c in conditions if isinstance(c, dict) for k, v in c.items()}
        rec.record("s3", "PutObject", {"Bucket": named.get("bucket"), "Key": named.get("key")})
        return real_post(self, request_dict, fields, conditions, **kw)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", make_api_call)
    monkeypatch.setattr(botocore.signers.S3PostPresigner, "generate_presigned_post", presigned_post)
    return rec


# --- the template's side -------------------------------------------------------------


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted(function: str, parameters: dict[str, str] | None = None) -> set[Grant]:
    """(action, resource) pairs the function's Policies allow, resolved with local names
    (and the given template parameters)."""
    doc = load_yaml(TEMPLATE.path)
    resolver = Resolver(doc, local_parameters(doc, parameters))
    policies = doc["Resources"][function]["Properties"].get("Policies") or []
    pairs: set[Grant] = set()
    for policy in _listed(policies):
        assert isinstance(policy, dict) and "Statement" in policy, (
            f"{function}: policy {policy!r} is not an explicit statement list"
        )
        for statement in resolver.resolve(policy["Statement"]):
            assert statement["Effect"] == "Allow"
            for action in _listed(statement["Action"]):
                for resource in _listed(statement["Resource"]):
                    pairs.add((action, resource.replace(DEPLOYED_BUCKET_NAME, BUCKET)))
    return pairs


def _allows(grant: Grant, call: Grant) -> bool:
    return fnmatch.fnmatchcase(call[0], grant[0]) and fnmatch.fnmatchcase(call[1], grant[1])


# --- driving the handlers --------------------------------------------------------------

HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"


def _csv(*rows: tuple[str, str]) -> bytes:
    return (
        "\r\n".join([HEADER, *(f"{name},,{vat},,,,,,," for name, vat in rows)]) + "\r\n"
    ).encode()


def _api(function_dir: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    event = build_event(method, path, **kwargs)
    result = call_handler(function_dir, event)
    return envelope(result)


def _drive_distributors(rec: CallRecorder) -> None:
    with rec.acting_as("distributors"):
        first = _api(
            "distributors",
            "POST",
            "/distributors",
            body={"name": "Alfa", "custom_data": {"vat": it_vat(1)}},
        )
        assert first["code"] == 201, first
        dist_id = first["data"]["id"]
        taken = _api(
            "distributors",
            "POST",
            "/distributors",
            body={"name": "Beta", "custom_data": {"vat": it_vat(1)}},
        )
        assert taken["code"] == 400
        path = {"distributor_id": dist_id, "id": dist_id}
        one = f"/distributors/{dist_id}"
        route = "/distributors/{id}"
        assert _api("distributors", "GET", "/distributors")["code"] == 200
        found = _api("distributors", "GET", "/distributors", query={"search": "alf"})
        assert found["code"] == 200
        exact = _api("distributors", "GET", "/distributors", query={"search": it_vat(1)})
        assert exact["code"] == 200
        assert _api("distributors", "GET", one, path_params=path, route=route)["code"] == 200
        moved = _api(
            "distributors",
            "PUT",
            one,
            path_params=path,
            route=route,
            body={"name": "Alfa 2", "custom_data": {"vat": it_vat(2)}},
        )
        assert moved["code"] == 200, moved
        assert _api("distributors", "DELETE", one, path_params=path, route=route)["code"] == 200
        restore = f"{one}/restore"
        assert (
            _api("distributors", "PATCH", restore, path_params=path, route=route + "/restore")[
                "code"
            ]
            == 200
        )


def _drive_validate(rec: CallRecorder) -> str:
    with rec.acting_as("import_validate"):
        assert (
            call_handler("import_validate", build_event("GET", "/distributors/import/template"))[
                "statusCode"
            ]
            == 200
        )
        ticket = _api("import_validate", "POST", "/distributors/import/uploads")
        assert ticket["code"] == 201, ticket
    _upload(ticket["data"], _csv(("Gamma", it_vat(3))))
    with rec.acting_as("import_validate"):
        from_upload = _api(
            "import_validate",
            "POST",
            "/distributors/import/validate",
            body={"upload_id": ticket["data"]["upload_id"]},
        )
        assert from_upload["code"] == 200, from_upload
        report = _api(
            "import_validate",
            "POST",
            "/distributors/import/validate",
            body=_csv(("Delta", it_vat(4)), ("Alfa again", it_vat(2))),
            headers={"content-type": "text/csv"},
        )
        assert report["code"] == 200, report
    # a distributor validating its resellers: its own organization is read first
    dist = _api(
        "distributors",
        "POST",
        "/distributors",
        body={"name": "Theta", "custom_data": {"vat": it_vat(8)}},
    )
    with rec.acting_as("import_validate"):
        resellers = _api(
            "import_validate",
            "POST",
            "/resellers/import/validate",
            body=_csv(("Iota", it_vat(9))),
            headers={"content-type": "text/csv"},
            role="distributor",
            org=dist["data"]["id"],
        )
        assert resellers["code"] == 200, resellers
    return str(report["data"]["import_id"])


def _upload(ticket: dict[str, Any], data: bytes) -> None:
    """What a client does with the upload ticket (not one of the function's calls)."""
    s3 = boto3.client("s3", region_name=REGION)
    key = ticket.get("key") or f"uploads/{ticket['upload_id']}.csv"
    fields = ticket.get("fields") or {}
    headers = ticket.get("headers") or {}
    metadata = {
        k[len("x-amz-meta-") :]: v
        for k, v in {**fields, **headers}.items()
        if k.lower().startswith("x-amz-meta-")
    }
    s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="text/csv", Metadata=metadata)


def _drive_confirm(rec: CallRecorder, import_id: str) -> None:
    body = {"import_id": import_id, "override": True}
    with rec.acting_as("import_confirm"):
        done = _api("import_confirm", "POST", "/distributors/import/confirm", body=body)
        assert done["code"] == 200, done
        again = _api("import_confirm", "POST", "/distributors/import/confirm", body=body)
        assert again["code"] == 200
        status = _api(
            "import_confirm",
            "GET",
            f"/distributors/import/{import_id}",
            path_params={"import_id": import_id},
            route="/distributors/import/{import_id}",
        )
        assert status["code"] == 200, status
    _confirm_through_faults(rec, "import_confirm")


def _confirm_through_faults(rec: CallRecorder, function_dir: str) -> None:
    """A row whose VAT was taken after validate (the guard read to tell whose it is) and
    a batch write that fails (its rows' guards released)."""
    with rec.acting_as("import_validate"):
        rows = _csv(("Taken later", it_vat(40)), ("Batch", it_vat(41)))
        report = _api(
            "import_validate",
            "POST",
            "/distributors/import/validate",
            body=rows,
            headers={"content-type": "text/csv"},
        )
    _api(
        "distributors",
        "POST",
        "/distributors",
        body={"name": "First", "custom_data": {"vat": it_vat(40)}},
    )
    rec.fail_once = ("BatchWriteItem", "DistributorsTable")
    with rec.acting_as(function_dir):
        body = {"import_id": report["data"]["import_id"]}
        done = _api(function_dir, "POST", "/distributors/import/confirm", body=body)
    assert rec.fail_once is None, "the injected fault was never reached"
    assert [r["status"] for r in done["data"]["results"]] == ["failed", "failed"], done


def _drive_s3_import(rec: CallRecorder, s3_event: Callable[..., dict[str, Any]]) -> None:
    s3 = boto3.client("s3", region_name=REGION)

    def put(
        name: str, data: bytes, override: bool = False, kind: str = "distributors"
    ) -> dict[str, Any]:
        key = f"incoming/{kind}/{name}.csv"
        metadata = {"override": "true"} if override else {}
        version = s3.put_object(Bucket=BUCKET, Key=key, Body=data, Metadata=metadata)
        return s3_event(key, version["VersionId"])

    first = put("partners", _csv(("Epsilon", it_vat(5))))
    update = put("update", _csv(("Eps", it_vat(5))), override=True)
    tiers = [put("tier", _csv(("Eta", it_vat(7))), kind=k) for k in ("resellers", "customers")]
    with rec.acting_as("s3_import"):
        done = call_handler("s3_import", first)
        assert done["imports"][0]["state"] == "confirmed", done
        again = call_handler("s3_import", first)  # a redelivery
        assert again["imports"][0]["state"] == "already_reported", again
        updates = call_handler("s3_import", update)
        assert updates["imports"][0]["updated"] == 1, updates
        for tier in tiers:  # every kind's prefix
            done = call_handler("s3_import", tier)
            assert done["imports"][0]["state"] == "confirmed", done
    # a batch write that fails: its rows' guards are looked up and released
    faulty = put("faulty", _csv(("Zeta", it_vat(6))))
    rec.fail_once = ("BatchWriteItem", "DistributorsTable")
    with rec.acting_as("s3_import"):
        failed = call_handler("s3_import", faulty)
    assert rec.fail_once is None, "the injected fault was never reached"
    assert failed["imports"][0]["failed"] == 1, failed


def _s3_event(key: str, version_id: str) -> dict[str, Any]:
    from tests.integration.test_s3_import import s3_event

    size = boto3.client("s3", region_name=REGION).head_object(Bucket=BUCKET, Key=key)[
        "ContentLength"
    ]
    return s3_event(key, version_id=version_id, size=size)


USERS_HEADER = "email,name,phone,company_name,roles"
OWNER_ADMIN = {"role": "owner", "org": "owner", "user_roles": ["Super Admin"]}


def _users_csv(*lines: str) -> bytes:
    return ("\r\n".join([USERS_HEADER, *lines]) + "\r\n").encode()


def _drive_users_crud(rec: CallRecorder, pool: str, org_id: str) -> None:
    """Create (a group missing), read, list, move with fewer roles and another phone,
    archive, restore, a create whose record write fails, and one whose account fails
    half way (the account, then the record removed)."""
    cognito = boto3.client("cognito-idp", region_name=REGION)
    cognito.delete_group(UserPoolId=pool, GroupName="support")
    body = {
        "email": "crud@example.com",
        "name": "Crud",
        "phone": "+39 02 1000001",
        "organization_id": "owner",
        "roles": ["Support", "Reader"],
    }
    with rec.acting_as("distributors"):
        made = _api("distributors", "POST", "/users", body=body, **OWNER_ADMIN)
        assert made["code"] == 201, made
        user_id = made["data"]["id"]
        one = {"path_params": {"user_id": user_id, "id": user_id}, "route": "/users/{id}"}
        assert _api("distributors", "GET", "/users", **OWNER_ADMIN)["code"] == 200
        assert _api("distributors", "GET", f"/users/{user_id}", **one, **OWNER_ADMIN)["code"] == 200
        moved = {**body, "organization_id": org_id, "roles": ["Reader"], "phone": "+39 02 1000002"}
        done = _api("distributors", "PUT", f"/users/{user_id}", body=moved, **one, **OWNER_ADMIN)
        assert done["code"] == 200, done
        assert (
            _api("distributors", "DELETE", f"/users/{user_id}", **one, **OWNER_ADMIN)["code"] == 200
        )
        restore = {**one, "route": "/users/{id}/restore"}
        restored = _api(
            "distributors", "PATCH", f"/users/{user_id}/restore", **restore, **OWNER_ADMIN
        )
        assert restored["code"] == 200, restored
    rec.fail_once = ("PutItem", "DistributorsTable")
    with rec.acting_as("distributors"):
        failed = call_handler(
            "distributors",
            build_event(
                "POST", "/users", body={**body, "email": "fault@example.com"}, **OWNER_ADMIN
            ),
        )
    assert rec.fail_once is None and failed["statusCode"] == 500, failed
    rec.fail_once = ("AdminAddUserToGroup", pool)  # the account half made: removed, then the record
    with rec.acting_as("distributors"):
        refused = _api(
            "distributors",
            "POST",
            "/users",
            body={**body, "email": "half@example.com"},
            **OWNER_ADMIN,
        )
    assert rec.fail_once is None and refused["code"] == 502, refused


def _drive_users_import(
    rec: CallRecorder, pool: str, function_dir: str, confirm: Callable[[bytes, str], dict[str, Any]]
) -> None:
    """Through `function_dir`'s confirm: a new user (a group missing), an override that
    drops a role and changes the phone, an account that exists already for the row's
    organization (taken over), then a row whose account fails half way (the account, then
    the record removed)."""
    cognito = boto3.client("cognito-idp", region_name=REGION)
    tag = function_dir.replace("_", "")
    org_name = f"Users Org {tag}"
    org = _api(
        "distributors",
        "POST",
        "/distributors",
        body={"name": org_name, "custom_data": {"vat": it_vat(70 + len(tag))}},
    )
    org_id = org["data"]["id"]
    held = {
        "email": f"held.{tag}@example.com",
        "name": "Held",
        "phone": f"+39 02 2{len(tag):02d}0001",
        "organization_id": org_id,
        "roles": ["Support", "Reader"],
    }
    assert _api("distributors", "POST", "/users", body=held, **OWNER_ADMIN)["code"] == 201
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=f"before.{tag}@example.com",
        UserAttributes=[
            {"Name": "email", "Value": f"before.{tag}@example.com"},
            {"Name": "custom:org_id", "Value": org_id},
        ],
    )
    cognito.delete_group(UserPoolId=pool, GroupName="admin")
    rows = _users_csv(
        f"new.{tag}@example.com,New,,{org_name},Admin;Reader",
        f"held.{tag}@example.com,Held,+39 02 2{len(tag):02d}0002,{org_name},Reader",
        f"before.{tag}@example.com,Before,,{org_name},Reader",
    )
    done = confirm(rows, "first")
    assert [r["status"] for r in done["results"]] == ["created", "updated", "created"], done[
        "results"
    ]
    rec.fail_once = ("AdminAddUserToGroup", pool)
    done = confirm(_users_csv(f"fault.{tag}@example.com,Fault,,{org_name},Reader"), "fault")
    assert rec.fail_once is None, "the injected fault was never reached"
    assert [r["status"] for r in done["results"]] == ["failed"], done


def _confirm_users_by_api(rec: CallRecorder) -> Callable[[bytes, str], dict[str, Any]]:
    def confirm(rows: bytes, _name: str) -> dict[str, Any]:
        with rec.acting_as("import_validate"):
            report = _api(
                "import_validate",
                "POST",
                "/users/import/validate",
                body=rows,
                headers={"content-type": "text/csv"},
                **OWNER_ADMIN,
            )
        assert report["code"] == 200, report
        body = {"import_id": report["data"]["import_id"], "override": True}
        with rec.acting_as("import_confirm"):
            done = _api("import_confirm", "POST", "/users/import/confirm", body=body, **OWNER_ADMIN)
        assert done["code"] == 200, done
        return dict(done["data"])

    return confirm


def _confirm_users_by_s3(rec: CallRecorder) -> Callable[[bytes, str], dict[str, Any]]:
    s3 = boto3.client("s3", region_name=REGION)

    def confirm(rows: bytes, name: str) -> dict[str, Any]:
        key = f"incoming/users/{name}.csv"
        version = s3.put_object(Bucket=BUCKET, Key=key, Body=rows, Metadata={"override": "true"})
        event = _s3_event(key, version["VersionId"])
        with rec.acting_as("s3_import"):
            outcome = call_handler("s3_import", event)
        assert outcome["imports"][0]["state"] == "confirmed", outcome
        from tests.integration.test_s3_import import report

        return dict(report(s3, key)["confirm"])

    return confirm


def test_each_function_holds_exactly_the_actions_its_code_calls(
    recorder: CallRecorder, user_pool: str
) -> None:
    _drive_distributors(recorder)
    import_id = _drive_validate(recorder)
    _drive_confirm(recorder, import_id)
    _drive_s3_import(recorder, _s3_event)
    org = _api(
        "distributors",
        "POST",
        "/distributors",
        body={"name": "Users Home", "custom_data": {"vat": it_vat(69)}},
    )
    _drive_users_crud(recorder, user_pool, org["data"]["id"])
    _drive_users_import(recorder, user_pool, "import_confirm", _confirm_users_by_api(recorder))
    _drive_users_import(recorder, user_pool, "s3_import", _confirm_users_by_s3(recorder))

    problems = []
    for function in TEMPLATE.functions:
        grants = granted(function, {"UserPoolId": user_pool})
        calls = recorder.calls.get(function, set())
        problems += [
            f"{function} calls {c[0]} on {c[1]} without a grant"
            for c in sorted(calls)
            if not any(_allows(g, c) for g in grants)
        ]
        problems += [
            f"{function} holds {g[0]} on {g[1]} but never calls it"
            for g in sorted(grants)
            if not any(_allows(g, c) for c in calls)
        ]
    assert not problems, "\n".join(problems)


def test_no_function_holds_scan(recorder: CallRecorder) -> None:
    for function in TEMPLATE.functions:
        assert not any(
            fnmatch.fnmatchcase("dynamodb:Scan", action) for action, _ in granted(function)
        ), function


def test_the_template_uses_no_policy_template_that_grants_more_than_asked() -> None:
    doc = load_yaml(TEMPLATE.path)
    for logical, resource in doc["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for policy in _listed(resource["Properties"].get("Policies") or []):
            assert isinstance(policy, dict) and set(policy) == {"Statement"}, (logical, policy)
