"""The confirm's and the status's refusals (400, 401, 403, 404), each in the envelope, for
every organization kind, and the events/ files fed through the handler."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from orgimport import wiring
from orgimport.imports.session import ImportSession, RowVerdict
from tests.integration.conftest import (
    ORGANIZATION_KINDS,
    build_event,
    call_handler,
    envelope,
    records_of,
)
from tests.vats import it_vat

FN = "import_confirm"
EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def confirm(kind: str, body: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(FN, build_event("POST", f"/{kind}/import/confirm", body=body, **kwargs))
    return result["statusCode"], envelope(result)


def status_of(kind: str, import_id: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    event = build_event(
        "GET",
        f"/{kind}/import/{import_id}",
        path_params={"import_id": import_id},
        route=f"/{kind}/import/{{import_id}}",
        **kwargs,
    )
    result = call_handler(FN, event)
    return result["statusCode"], envelope(result)


def stored_session(
    *,
    import_id: str | None = None,
    user: str = "u1",
    entity_type: str = "distributors",
    expires_in: int = 1800,
) -> str:
    """A session as validate stores it: one valid row."""
    now = int(time.time())
    session = ImportSession(
        import_id=import_id or str(uuid.uuid4()),
        entity_type=entity_type,
        user_id=user,
        org_id="o1",
        created_at=now - 60,
        expires_at=now + expires_in,
        rows=[
            RowVerdict(
                row_number=2,
                status="valid",
                data={"company_name": "Acme", "vat_number": it_vat(123)},
            )
        ],
    )
    wiring.session_store().save_new(session)
    return session.import_id


def record_count(kind: str) -> int:
    return len(records_of(kind))


def other_kind(kind: str) -> str:
    return next(k for k in ORGANIZATION_KINDS if k != kind)


def errors_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    assert body["data"]["type"] == "validation_error"
    return [(e["key"], e["message"]) for e in body["data"]["errors"]]


# --- 400 --------------------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_400(kind):
    status, body = confirm(kind, "{not json")
    assert status == 400 and body["code"] == 400
    assert body["message"] == "request body is not valid json"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"import_id": "IMPORT", "override": "true"}, [("override", "invalid_type")]),
        ({"import_id": "IMPORT", "override": 1}, [("override", "invalid_type")]),
        ({"import_id": 42}, [("import_id", "invalid_format")]),
        ({"import_id": "IMPORT", "resolutions": []}, [("resolutions", "invalid_type")]),
        ({"import_id": "IMPORT", "resolutions": "7"}, [("resolutions", "invalid_type")]),
    ],
)
def test_wrong_types_are_400_with_the_field_named(kind, payload, expected):
    import_id = stored_session(entity_type=kind)
    payload = {k: (import_id if v == "IMPORT" else v) for k, v in payload.items()}
    status, body = confirm(kind, payload)
    assert status == 400
    assert errors_of(body) == expected
    assert record_count(kind) == 0


@pytest.mark.parametrize("payload", [[], "text", 7, None])
def test_a_body_that_is_not_an_object_is_400(kind, payload):
    status, body = confirm(kind, json.dumps(payload))
    assert status == 400 and body["code"] == 400


def test_a_missing_import_id_is_400_required(kind):
    status, body = confirm(kind, {"override": True})
    assert status == 400
    assert errors_of(body) == [("import_id", "required")]


@pytest.mark.parametrize("bad", ["", "abc", "1234", "0b5b7f0e-8a4c-4d0e-9c61"])
def test_a_malformed_import_id_is_400_invalid_format(kind, bad):
    status, body = confirm(kind, {"import_id": bad})
    assert status == 400
    assert errors_of(body) == [("import_id", "invalid_format")]


def test_an_unknown_session_is_400(kind):
    status, body = confirm(kind, {"import_id": str(uuid.uuid4())})
    assert status == 400
    assert body["message"] == "import session not found or expired"


def test_an_expired_session_is_400_while_its_item_is_still_stored(kind):
    import_id = stored_session(expires_in=-1, entity_type=kind)  # TTL has not deleted it yet

    status, body = confirm(kind, {"import_id": import_id})

    assert status == 400 and body["message"] == "import session expired"
    item = boto3.client("dynamodb").get_item(
        TableName="ImportSessionsTable", Key={"pk": {"S": import_id}, "sk": {"S": "META"}}
    )
    assert "Item" in item
    assert record_count(kind) == 0


def test_a_session_of_another_entity_type_is_400(kind):
    import_id = stored_session(entity_type=other_kind(kind))
    status, body = confirm(kind, {"import_id": import_id})
    assert status == 400
    assert body["message"] == f"import session is not a {kind} import"
    assert record_count(kind) == 0


def test_resolutions_as_an_object_are_accepted_and_ignored(kind):
    import_id = stored_session(entity_type=kind)
    status, body = confirm(kind, {"import_id": import_id, "resolutions": {"2": {"x": 1}}})
    assert status == 200 and body["data"]["created"] == 1
    assert confirm(kind, {"import_id": import_id})[1] == body  # not part of the request's identity


# --- 401 / 403 ----------------------------------------------------------------------------------


def test_another_users_session_is_403(kind):
    import_id = stored_session(user="someone-else", entity_type=kind)
    status, body = confirm(kind, {"import_id": import_id})
    assert status == 403 and body["code"] == 403
    assert record_count(kind) == 0


# the roles that may not import a kind at all (CONTRACT section 8), and one no tier has
REFUSED = [
    *[("distributors", role) for role in ("distributor", "reseller", "customer", "admin")],
    *[("resellers", role) for role in ("reseller", "customer", "admin")],
    *[("customers", role) for role in ("customer", "admin")],
]


@pytest.mark.parametrize(("kind", "role"), REFUSED)
def test_a_role_the_kind_refuses_is_403_before_the_body_is_read(kind, role):
    import_id = stored_session(entity_type=kind)
    assert confirm(kind, {"import_id": import_id}, role=role)[0] == 403
    assert confirm(kind, "{not json", role=role)[0] == 403
    assert status_of(kind, import_id, role=role)[0] == 403


def test_an_owner_role_in_any_case_may_confirm(kind):
    assert confirm(kind, {"import_id": stored_session(entity_type=kind)}, role="Owner")[0] == 200


def test_no_claims_is_401(kind):
    status, body = confirm(kind, {"import_id": stored_session(entity_type=kind)}, role=None)
    assert status == 401 and body["code"] == 401


# --- status refusals ----------------------------------------------------------------------------


def test_status_of_another_users_session_is_403(kind):
    assert status_of(kind, stored_session(user="someone-else", entity_type=kind))[0] == 403


@pytest.mark.parametrize("case", ["unknown", "expired", "other entity"])
def test_status_of_a_session_that_is_not_there_is_404(kind, case):
    import_id = {
        "unknown": lambda: str(uuid.uuid4()),
        "expired": lambda: stored_session(expires_in=-1, entity_type=kind),
        "other entity": lambda: stored_session(entity_type=other_kind(kind)),
    }[case]()
    status, body = status_of(kind, import_id)
    assert status == 404 and body["message"] == "import session not found or expired"


def test_status_of_a_malformed_id_is_400(kind):
    status, body = status_of(kind, "not-a-uuid")
    assert status == 400
    assert errors_of(body) == [("import_id", "invalid_format")]


# --- the event files ----------------------------------------------------------------------------


def test_the_event_files_run_through_the_handler():
    confirm_event = json.loads((EVENTS / "import_confirm.json").read_text())
    status_event = json.loads((EVENTS / "import_status.json").read_text())
    import_id = json.loads(confirm_event["body"])["import_id"]
    stored_session(import_id=import_id)

    confirmed = call_handler(FN, confirm_event)
    read = call_handler(FN, status_event)

    assert confirmed["statusCode"] == 200
    assert envelope(confirmed)["data"]["created"] == 1
    assert read["statusCode"] == 200
    assert envelope(read)["data"]["status"] == "confirmed"
    assert envelope(read)["data"]["results"] == envelope(confirmed)["data"]["results"]
