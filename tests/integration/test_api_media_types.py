"""A JSON body sent under another media type is a 400 envelope, never a 500 (found by the
contract test), and documenting responses changed nothing a handler returns: for every
organization kind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orgimport.kinds.organizations import service
from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def post_record(kind: str, content_type: str) -> tuple[int, dict[str, Any]]:
    event = build_event(
        "POST",
        f"/{kind}",
        body={"name": "Acme", "custom_data": {"vat": it_vat(99887)}},
        headers={"content-type": content_type},
    )
    result = call_handler("distributors", event)
    return result["statusCode"], envelope(result)


@pytest.mark.parametrize(
    ("content_type", "named"),
    [("text/plain", "text/plain"), ("multipart/form-data", "multipart/form-data")],
)
def test_a_json_body_under_another_media_type_is_a_400_naming_the_supported_one(
    kind: str, content_type: str, named: str
) -> None:
    status, body = post_record(kind, content_type)
    assert status == 400
    assert body == {
        "code": 400,
        "message": f"unsupported content type: {named}",
        "data": {
            "type": "unsupported_content_type",
            "content_type": named,
            "supported": ["application/json"],
        },
    }


def test_a_handler_error_raised_as_value_error_is_still_a_500(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the ValueError mapping must not turn a handler's own bug into a client error
    def broken(*_: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(service, "get_organization", broken)
    event = build_event("GET", f"/{kind}/abc", path_params={"id": "abc"}, route=f"/{kind}/{{id}}")
    result = call_handler("distributors", event)
    assert result["statusCode"] == 500
    assert json.loads(result["body"])["message"] == "internal error"


def test_documented_responses_leave_the_json_body_as_the_handler_wrote_it(kind: str) -> None:
    status, body = post_record(kind, "application/json")
    assert status == 201
    assert list(body) == ["code", "message", "data"]
    assert body["data"]["custom_data"]["vat"] == it_vat(99887)
