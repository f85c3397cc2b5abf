"""Bad bodies are 400s over HTTP too: the local front builds the event (text bodies
decoded, bytes that are not UTF-8 sent base64) and the handler's check answers."""

from __future__ import annotations

import pytest

JSON = {"Content-Type": "application/json"}
BODIES = {
    "nested_1000": (b"[" * 1000 + b"]" * 1000, "too_deep"),
    "lone_surrogate_escaped": (b'{"name":"\\ud800","custom_data":{"vat":"x"}}', "lone_surrogate"),
    "lone_surrogate_as_bytes": (b'{"name":"\xed\xa0\x80"}', "invalid_utf8"),
    "not_utf8": (b'{"name":"Caf\xe9"}', "invalid_utf8"),
}


@pytest.mark.parametrize(
    "path", ["/distributors", "/distributors/import/confirm", "/distributors/import/validate"]
)
@pytest.mark.parametrize("case", sorted(BODIES))
def test_a_bad_body_over_http_is_a_400_envelope(stack, path, case):
    body, reason = BODIES[case]
    reply = stack.request("POST", path, token=stack.token(), body=body, headers=JSON)
    assert reply.status == 400, reply.text
    answer = reply.json()
    assert answer["code"] == 400
    assert answer["data"]["reason"] == reason


def test_a_bad_query_or_path_over_http_is_a_400(stack):
    token = stack.token()
    for path in ("/distributors?search=a%00b", "/distributors/" + "a" * 10240):
        reply = stack.request("GET", path, token=token)
        assert reply.status == 400, (path[:40], reply.text)
        assert reply.json()["code"] == 400
