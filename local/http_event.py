"""The HTTP API payload format 2.0: the event API Gateway sends, the response it reads back.

Event (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
header names lower-case, repeated headers and query parameters joined with
",", the `cookie` header moved to `cookies`, optional keys (`cookies`,
`queryStringParameters`, `pathParameters`, `body`) left out when empty.

Which bodies arrive base64-encoded: AWS documents only "binary" bodies, without
a list. Verified against real HTTP APIs (ministack PR #766, serverless-offline
PR #1776): the body is text only for `text/*`, `application/json`,
`application/xml` and `application/javascript`; anything else, including
`multipart/form-data`, `application/x-www-form-urlencoded`, `+json` types and a
missing Content-Type, is base64 with `isBase64Encoded: true`. A text-typed body
that is not UTF-8 is sent base64 as well, so no byte is lost.

Response: a dict with `statusCode` is taken as given (`headers`,
`multiValueHeaders`, `cookies` -> `set-cookie`, `body`, `isBase64Encoded`);
any other JSON value becomes a 200 `application/json` response whose body is
that value. A malformed response is API Gateway's 500.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from local.authorizer import Authorization
from local.config import ACCOUNT_ID

TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})
API_ID = "localapi01"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

NOT_FOUND = b'{"message":"Not Found"}'
INTERNAL_SERVER_ERROR = b'{"message":"Internal Server Error"}'
REQUEST_TOO_LARGE = b'{"message":"Request Entity Too Large"}'
SERVICE_UNAVAILABLE = b'{"message":"Service Unavailable"}'


class InvalidLambdaResponse(Exception):
    """The function answered something API Gateway cannot turn into HTTP."""


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]  # as received, in order
    body: bytes
    source_ip: str
    server_port: int


@dataclass
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def gateway_error(status: int, body: bytes) -> GatewayResponse:
    """One of API Gateway's own answers (the integration never ran)."""
    return GatewayResponse(status, [("content-type", "application/json")], body)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_text_body(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind.startswith("text/") or kind in TEXT_MEDIA_TYPES


def new_request_id() -> str:
    """Shaped like API Gateway's request ids (`JKJaXmPLvHcESHA=`)."""
    return base64.b64encode(os.urandom(11)).decode()


def _trace_id(now: float) -> str:
    return f"Root=1-{int(now):08x}-{os.urandom(12).hex()}"


def _request_time(now: float) -> str:
    t = time.gmtime(now)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{time.strftime('%H:%M:%S', t)} +0000"
    )


def _headers_and_cookies(request: IncomingRequest, now: float) -> tuple[dict[str, str], list[str]]:
    grouped: dict[str, list[str]] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            grouped.setdefault(key, []).append(value)
    headers = {key: ",".join(values) for key, values in grouped.items()}
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = (
        f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    )
    headers["x-forwarded-port"] = str(request.server_port)
    headers["x-forwarded-proto"] = "http"
    headers.setdefault("x-amzn-trace-id", _trace_id(now))
    return headers, cookies


def _query(raw_query: str) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        grouped.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in grouped.items()}


def _body(request: IncomingRequest, content_type: str | None) -> tuple[str, bool]:
    if is_text_body(content_type):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def build_event(
    request: IncomingRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    authorization: Authorization | None,
    request_id: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway would send for this request."""
    now = time.time() if now is None else now
    headers, cookies = _headers_and_cookies(request, now)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _query(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = _request_context(
        request, headers, route_key, authorization, request_id, now
    )
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        event["body"], event["isBase64Encoded"] = _body(request, headers.get("content-type"))
    else:
        event["isBase64Encoded"] = False
    return event


def _request_context(
    request: IncomingRequest,
    headers: dict[str, str],
    route_key: str,
    authorization: Authorization | None,
    request_id: str,
    now: float,
) -> dict[str, Any]:
    """The event's `requestContext`: the stage, the request and what the authorizer saw."""
    domain = headers.get("host", "localhost").rsplit(":", 1)[0]
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": _request_time(now),
        "timeEpoch": int(now * 1000),
    }
    if authorization is not None:
        context["authorizer"] = {
            "jwt": {"claims": authorization.claims, "scopes": authorization.scopes}
        }
    return context


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidLambdaResponse(f"header value {value!r} is not a string")


def response_from_result(result: Any) -> GatewayResponse:
    """Map a function's (JSON) result to HTTP as API Gateway does for format 2.0."""
    if not (isinstance(result, dict) and "statusCode" in result):
        body = json.dumps(result).encode()
        return GatewayResponse(200, [("content-type", "application/json")], body)
    status = result["statusCode"]
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InvalidLambdaResponse(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), _header_value(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if not isinstance(values, list):
            raise InvalidLambdaResponse(f"multiValueHeaders[{name!r}] is not a list")
        headers.extend((str(name), _header_value(v)) for v in values)
    for cookie in result.get("cookies") or []:
        headers.append(("set-cookie", str(cookie)))
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif not isinstance(raw_body, str):
        raise InvalidLambdaResponse("body is not a string")
    elif result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw_body, validate=True)
        except ValueError as exc:
            raise InvalidLambdaResponse("body is not valid base64") from exc
    else:
        body = raw_body.encode("utf-8")
    return GatewayResponse(status, headers, body)
