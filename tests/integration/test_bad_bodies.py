"""Bad bodies are 400s, never 5xx (CONTRACT section 7): every JSON route, through its
handler with API Gateway's event shape, against in-process moto. JSON nested beyond 64
levels, a lone surrogate (escaped, raw, or as bytes), bytes that are not UTF-8, a string
over any limit, NUL; and the same text in query strings and path parameters."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from orgimport.core.request_checks import JSON_MAX_DEPTH, JSON_STRING_MAX
from tests.integration.conftest import build_event, call_handler, envelope
from tests.vats import it_vat

HEADER = "company_name,description,vat_number,address,city,main_contact,email,phone,language,notes"


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def distributor_body(vat: str, **extra: str) -> str:
    """A valid distributor, with raw JSON text for any extra member."""
    members = [f'"name":"Acme","custom_data":{{"vat":"{vat}"}}']
    members += [f'"{k}":{v}' for k, v in extra.items()]
    return "{" + ",".join(members) + "}"


# name -> (body: str for a text body, bytes for a base64 one, the reason of the 400)
BAD_BODIES: dict[str, tuple[str | bytes, str]] = {
    # 64 levels inside the top-level object: 65 in all
    "nested_65": (distributor_body(it_vat(1), deep=nested(JSON_MAX_DEPTH)), "too_deep"),
    "nested_1000": (nested(1000), "too_deep"),
    "nested_1000_objects": ('{"a":' * 1000 + "1" + "}" * 1000, "too_deep"),
    "nested_100000": (nested(100_000), "too_deep"),
    "lone_surrogate_escaped": ('{"name":"\\ud800","import_id":"\\udc00"}', "lone_surrogate"),
    "lone_surrogate_raw": ('{"name":"\ud800"}', "lone_surrogate"),
    "lone_surrogate_as_bytes": (b'{"name":"\xed\xa0\x80"}', "invalid_utf8"),
    "not_utf8": (b'{"name":"Caf\xe9"}', "invalid_utf8"),
    "string_over_the_limit": (
        distributor_body(it_vat(2), notes_too=json.dumps("x" * (JSON_STRING_MAX + 1))),
        "string_too_long",
    ),
    "key_over_the_limit": ('{"' + "k" * (JSON_STRING_MAX + 1) + '":1}', "string_too_long"),
    "nul": ('{"name":"a\\u0000b","import_id":"a\\u0000b"}', "nul_character"),
}


def json_route(route: str, kind: str = "distributors") -> dict[str, Any]:
    """method, path and event extras of each JSON route of an organization kind."""
    return {
        "create": {"fn": "distributors", "method": "POST", "path": f"/{kind}"},
        "update": {
            "fn": "distributors",
            "method": "PUT",
            "path": f"/{kind}/d1",
            "path_params": {"id": "d1"},
            "route": f"/{kind}/{{id}}",
        },
        "confirm": {
            "fn": "import_confirm",
            "method": "POST",
            "path": f"/{kind}/import/confirm",
        },
        "validate": {
            "fn": "import_validate",
            "method": "POST",
            "path": f"/{kind}/import/validate",
        },
    }[route]


ROUTES = ["create", "update", "confirm", "validate"]
KINDS = ["distributors", "resellers", "customers"]


def send(
    route: str, body: Any, headers: dict[str, str] | None = None, kind: str = "distributors"
) -> dict[str, Any]:
    spec = dict(json_route(route, kind))
    fn, method, path = spec.pop("fn"), spec.pop("method"), spec.pop("path")
    result = call_handler(fn, build_event(method, path, body=body, headers=headers, **spec))
    result["body"].encode("utf-8")  # what API Gateway must send: never a lone surrogate
    return result


def assert_bad_request(result: dict[str, Any], reason: str) -> None:
    assert result["statusCode"] == 400, result["body"][:300]
    body = envelope(result)
    assert body["code"] == 400
    assert body["message"] == body["message"].lower() and len(body["message"]) < 80
    assert body["data"]["type"] == "invalid_request"
    assert body["data"]["reason"] == reason


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_bad_json_body_is_a_400_envelope_on_every_json_route(route, case, kind):
    body, reason = BAD_BODIES[case]
    assert_bad_request(send(route, body, kind=kind), reason)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route", ["create", "update", "confirm"])
def test_a_deep_body_without_a_content_type_is_a_400_too(route, kind):
    # Powertools parses a body without a content type as JSON
    spec = dict(json_route(route, kind))
    fn, method, path = spec.pop("fn"), spec.pop("method"), spec.pop("path")
    event = build_event(method, path, body=nested(1000), **spec)
    del event["headers"]["content-type"]
    assert_bad_request(call_handler(fn, event), "too_deep")


# --- valid bodies still pass ------------------------------------------------------------


def validate_csv(
    content: bytes, content_type: str | None = "text/csv", kind: str = "distributors"
) -> dict[str, Any]:
    headers = {"content-type": content_type} if content_type else None
    event = build_event("POST", f"/{kind}/import/validate", body=content, headers=headers)
    if content_type is None:
        del event["headers"]["content-type"]
    return call_handler("import_validate", event)


@pytest.mark.parametrize("kind", KINDS)
def test_valid_bodies_at_the_limits_still_pass(kind):
    deep_but_allowed = nested(JSON_MAX_DEPTH - 1)  # 64 levels with the object around it
    long_but_allowed = json.dumps("x" * JSON_STRING_MAX)
    created = send("create", distributor_body(it_vat(3), deep=deep_but_allowed), kind=kind)
    assert created["statusCode"] == 201, created["body"][:300]
    record_id = envelope(created)["data"]["id"]

    event = build_event(
        "PUT",
        f"/{kind}/{record_id}",
        body=distributor_body(it_vat(3), ignored=long_but_allowed),
        path_params={"id": record_id},
        route=f"/{kind}/{{id}}",
    )
    updated = call_handler("distributors", event)
    assert updated["statusCode"] == 200, updated["body"][:300]

    # a field over its own limit is still the field's error, not a body-level one
    too_long_name = send(
        "create", '{"name":"' + "n" * 256 + '","custom_data":{"vat":"IT1"}}', kind=kind
    )
    assert too_long_name["statusCode"] == 400
    assert envelope(too_long_name)["data"]["type"] == "validation_error"

    unknown = send("validate", {"upload_id": str(uuid.uuid4())}, kind=kind)
    assert unknown["statusCode"] == 400
    assert envelope(unknown)["data"]["errors"][0]["message"] == "not_found"


@pytest.mark.parametrize("kind", KINDS)
def test_confirm_takes_resolutions_nested_up_to_the_limit(kind):
    csv = f"{HEADER}\nAlpha,,{it_vat(4)},,,,,,,\n".encode()
    validated = validate_csv(csv, kind=kind)
    assert validated["statusCode"] == 200
    import_id = envelope(validated)["data"]["import_id"]
    # the body is one level, resolutions a second, then 62 more: 64 in all
    resolutions = '{"r":' + nested(JSON_MAX_DEPTH - 2) + "}"
    body = f'{{"import_id":"{import_id}","override":false,"resolutions":{resolutions}}}'
    confirmed = send("confirm", body, kind=kind)
    assert confirmed["statusCode"] == 200, confirmed["body"][:300]
    assert envelope(confirmed)["data"]["created"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_csv_bodies_are_not_taken_for_json(kind):
    cp1252 = f"{HEADER}\nCaffè Società,,{it_vat(5)},,,,,,,\n".encode("cp1252")
    assert validate_csv(cp1252, kind=kind)["statusCode"] == 200  # base64: not UTF-8
    undeclared = validate_csv(cp1252, content_type=None, kind=kind)
    assert undeclared["statusCode"] == 400
    assert envelope(undeclared)["data"]["type"] == "unsupported_content_type"


# --- query strings and path parameters -------------------------------------------------

BAD_TEXT = {
    "lone_surrogate": ("\ud800", "lone_surrogate"),
    "nul": ("a\x00b", "nul_character"),
    "10_kb": ("a" * 10 * 1024, "string_too_long"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("param", ["search", "cursor", "page_size"])
@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_a_bad_query_parameter_is_a_400(param, case, kind):
    value, reason = BAD_TEXT[case]
    event = build_event("GET", f"/{kind}", query={param: value})
    result = call_handler("distributors", event)
    result["body"].encode("utf-8")
    assert_bad_request(result, reason)


def path_event(
    target: str, value: str, kind: str, with_parameters: bool = True
) -> tuple[str, dict[str, Any]]:
    """GET of one record (`target` "record") or of one import's status ("import")."""
    if target == "record":
        route, name, path, fn = f"/{kind}/{{id}}", "id", f"/{kind}/{value}", "distributors"
    else:
        route, name, path = f"/{kind}/import/{{import_id}}", "import_id", f"/{kind}/import/"
        path, fn = path + value, "import_confirm"
    params = {name: value} if with_parameters else None
    return fn, build_event("GET", path, path_params=params, route=route)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("target", ["record", "import"])
@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_a_bad_path_parameter_is_a_400(target, case, kind):
    value, reason = BAD_TEXT[case]
    fn, event = path_event(target, value, kind)
    result = call_handler(fn, event)
    result["body"].encode("utf-8")
    assert_bad_request(result, reason)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("target", ["record", "import"])
def test_a_10_kb_path_segment_is_a_400_even_without_path_parameters(target, kind):
    # Powertools reads the id from rawPath: a key that long is past DynamoDB's 2048 bytes
    fn, event = path_event(target, "a" * 10 * 1024, kind, with_parameters=False)
    assert_bad_request(call_handler(fn, event), "string_too_long")


@pytest.mark.parametrize("kind", KINDS)
def test_ordinary_parameters_still_answer_normally(kind):
    listed = call_handler("distributors", build_event("GET", f"/{kind}", query={"search": "é"}))
    assert listed["statusCode"] == 200
    fn, event = path_event("record", str(uuid.uuid4()), kind)
    assert call_handler(fn, event)["statusCode"] == 404
    fn, event = path_event("import", "not-a-uuid", kind)
    assert call_handler(fn, event)["statusCode"] == 400
