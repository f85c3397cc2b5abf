"""Sessions are bound to user and organization (CONTRACT section 7), and S3 imports to a
principal no token can carry: a token whose `sub` begins with `s3:` is never the S3
actor. Through the handlers, with API Gateway's event shape, against in-process moto,
for every organization kind."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from orgimport import wiring
from orgimport.imports.s3 import s3_caller
from orgimport.imports.validate import validate_csv
from tests.integration.conftest import (
    build_event,
    call_handler,
    envelope,
    kind_named,
    records_of,
)
from tests.integration.test_s3_import import PRINCIPAL, deliver, report, upload
from tests.vats import it_vat

HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"
CSV = f"{HEADER}\nAlpha,,{it_vat(201)},,,,,,,\nBeta,,{it_vat(202)},,,,,,,\n"
POSING_AS_S3 = {"user": f"s3:{PRINCIPAL}", "org": "owner"}


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def call(fn: str, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(fn, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def validate(kind: str, user: str = "u1", org: str = "o1") -> str:
    status, body = call(
        "import_validate",
        "POST",
        f"/{kind}/import/validate",
        body=CSV,
        headers={"content-type": "text/csv"},
        user=user,
        org=org,
    )
    assert status == 200, body
    return str(body["data"]["import_id"])


def confirm(kind: str, import_id: str, **who: str) -> tuple[int, dict[str, Any]]:
    body = {"import_id": import_id, "override": False}
    return call("import_confirm", "POST", f"/{kind}/import/confirm", body=body, **who)


def status_of(kind: str, import_id: str, **who: str) -> tuple[int, dict[str, Any]]:
    return call(
        "import_confirm",
        "GET",
        f"/{kind}/import/{import_id}",
        path_params={"import_id": import_id},
        route=f"/{kind}/import/{{import_id}}",
        **who,
    )


def record_count(kind: str) -> int:
    return len(records_of(kind))


# --- the same sub in another organization --------------------------------------------------


def test_the_same_sub_in_another_org_may_not_read_or_confirm_a_session(kind):
    import_id = validate(kind, user="u1", org="o1")

    status, body = status_of(kind, import_id, user="u1", org="o2")
    assert (status, body["code"]) == (403, 403)
    assert body["data"] is None  # nothing of the session leaks
    status, body = confirm(kind, import_id, user="u1", org="o2")
    assert (status, body["code"]) == (403, 403)
    assert record_count(kind) == 0

    # the owner's own session still works, and its result stays the owner's
    status, body = confirm(kind, import_id, user="u1", org="o1")
    assert status == 200 and body["data"]["created"] == 2
    status, body = status_of(kind, import_id, user="u1", org="o1")
    assert status == 200 and body["data"]["status"] == "confirmed"
    assert status_of(kind, import_id, user="u1", org="o2")[0] == 403
    assert confirm(kind, import_id, user="u1", org="o2")[0] == 403  # not even the stored result


def test_another_user_in_the_same_org_is_still_refused(kind):
    import_id = validate(kind, user="u1", org="o1")
    assert status_of(kind, import_id, user="u2", org="o1")[0] == 403
    assert confirm(kind, import_id, user="u2", org="o1")[0] == 403


# --- a token posing as the S3 actor ------------------------------------------------------


def test_a_token_with_the_s3_principal_as_sub_may_not_read_an_s3_import(kind):
    s3 = boto3.client("s3", region_name="eu-west-1")
    key, event = upload(s3, "bound.csv", CSV.encode(), kind=kind)
    deliver(event)
    import_id = report(s3, key)["import_id"]
    assert report(s3, key)["created_by"] == {"user_id": f"s3:{PRINCIPAL}", "org_id": "owner"}

    status, body = status_of(kind, import_id, **POSING_AS_S3)
    assert (status, body["code"]) == (403, 403)
    status, body = confirm(kind, import_id, **POSING_AS_S3)
    assert (status, body["code"]) == (403, 403)


def test_a_token_with_the_s3_principal_as_sub_may_not_confirm_a_validated_s3_session(kind):
    now = int(time.time())
    session = validate_csv(
        CSV.encode(),
        s3_caller(PRINCIPAL),
        kind_named(kind),
        wiring.records(kind_named(kind)),
        wiring.session_store(),
        now=now,
        ttl_seconds=1800,
        source=f"s3://bucket/incoming/{kind}/x.csv",
    )
    status, body = confirm(kind, session.import_id, **POSING_AS_S3)
    assert (status, body["code"]) == (403, 403)
    assert record_count(kind) == 0
    assert wiring.session_store().load(session.import_id, now).status == "validated"


def test_a_user_whose_sub_begins_with_s3_still_owns_the_sessions_it_validates(kind):
    import_id = validate(kind, **POSING_AS_S3)
    assert status_of(kind, import_id, **POSING_AS_S3)[0] == 200
    status, body = confirm(kind, import_id, **POSING_AS_S3)
    assert status == 200 and body["data"]["created"] == 2
