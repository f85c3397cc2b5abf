"""The one place that turns domain results and typed errors into HTTP responses.

Every response, success or error, is the envelope
`{"code": <status>, "message": <short lower-case text>, "data": <object or null>}`.
Handlers build their resolver with `make_resolver()` and never map errors
themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from orgimport.core.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FileRejected,
    NotAllowed,
    NotFound,
    ProviderRefused,
    Unauthenticated,
    ValidationFailed,
)
from orgimport.core.identity import Caller, caller_from_event
from orgimport.core.request_checks import (
    PATH_SEGMENT_MAX,
    QUERY_VALUE_MAX,
    BadText,
    body_text,
    check_text,
    parse_json,
)

logger = Logger(child=True)

# The seed's server URL ends in /api; a custom-domain mapping may keep it in the path.
PATH_PREFIXES = ["/api"]
JSON_MEDIA_TYPE = "application/json"
_POWERTOOLS_BODY_PARSER = "aws_lambda_powertools.event_handler.middlewares.openapi_validation"

_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 400),
    (FileRejected, 400),
    (BadRequest, 400),
    (Unauthenticated, 401),
    (NotAllowed, 403),
    (NotFound, 404),
    (Conflict, 409),
    (ProviderRefused, 502),
]

# pydantic error type -> the contract's stable lower-case code
_PYDANTIC_CODES = {
    "missing": "required",
    "string_too_long": "too_long",
    "string_too_short": "required",
    "string_type": "invalid_type",
    "bool_type": "invalid_type",
    "bool_parsing": "invalid_type",
    "int_type": "invalid_type",
    "int_parsing": "invalid_type",
    "dict_type": "invalid_type",
    "model_type": "invalid_type",
    "model_attributes_type": "invalid_type",
    "uuid_type": "invalid_format",
    "uuid_parsing": "invalid_format",
    "extra_forbidden": "unexpected_field",
    "literal_error": "invalid_format",
    "enum": "invalid_format",
}


def envelope(status: int, message: str, data: Any = None) -> dict[str, Any]:
    return {"code": status, "message": message, "data": data}


def json_response(
    status: int, message: str, data: Any = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(envelope(status, message, data), ensure_ascii=False, default=str),
        headers=headers,
    )


def status_of(exc: DomainError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def error_response(exc: DomainError) -> Response:
    return json_response(status_of(exc), exc.message, exc.data)


def _field_errors(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        if err.get("type") == "json_invalid":
            return "request body is not valid json", []
        code = _PYDANTIC_CODES.get(str(err.get("type")), "invalid_format")
        value = err.get("input")
        if isinstance(value, (dict, list)):
            value = None  # echo scalars only: the whole body is not a field value
        errors.append({"key": ".".join(loc) or "body", "message": code, "value": value})
    return "validation failed", errors


def _raised_parsing_body(exc: BaseException) -> bool:
    """Whether Powertools' request validation raised `exc` while reading the body (and not
    a handler it called: their frames pass through the same module)."""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if (
            tb.tb_frame.f_globals.get("__name__") == _POWERTOOLS_BODY_PARSER
            and code.co_name == "_get_body"
        ):
            return True
        tb = tb.tb_next
    return False


def make_resolver(**kwargs: Any) -> APIGatewayHttpResolver:
    """An HTTP API resolver whose every error leaves as an envelope."""
    app = APIGatewayHttpResolver(
        strip_prefixes=list(PATH_PREFIXES), enable_validation=True, **kwargs
    )
    _answer_errors(app)
    _answer_unreadable_bodies(app)
    return app


def _answer_errors(app: APIGatewayHttpResolver) -> None:
    """Domain errors, request validation, unknown routes and the unexpected."""

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    def _request_invalid(exc: RequestValidationError) -> Response:
        message, errors = _field_errors(exc)
        data = {"type": "validation_error", "errors": errors} if errors else None
        return json_response(400, message, data)

    @app.not_found
    def _no_route(_: NotFoundError) -> Response:
        return json_response(404, "route not found")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        return _internal_error()


def _internal_error() -> Response:
    logger.exception("unhandled error")
    return json_response(500, "internal error")


def _unsupported_type(app: APIGatewayHttpResolver) -> Response:
    raw = app.current_event.headers.get("content-type") or ""
    kind = raw.split(";", 1)[0].strip().lower()
    return json_response(
        400,
        f"unsupported content type: {kind or '(none)'}",
        {
            "type": "unsupported_content_type",
            "content_type": kind or None,
            "supported": [JSON_MEDIA_TYPE],
        },
    )


def _answer_unreadable_bodies(app: APIGatewayHttpResolver) -> None:
    """A body Powertools cannot parse: a 400 naming the media type it takes."""

    # A body model sent as a media type Powertools cannot parse (text/plain...): a 400 as
    # validate gives for one, naming the type it takes.
    @app.exception_handler(RequestUnsupportedContentType)
    def _unparseable_type(_: RequestUnsupportedContentType) -> Response:
        return _unsupported_type(app)

    @app.exception_handler(ValueError)
    def _value_error(exc: ValueError) -> Response:
        # Powertools raises a bare ValueError for multipart/form-data without a boundary
        if _raised_parsing_body(exc):
            return _unsupported_type(app)
        return _internal_error()


def proxy_response(status: int, message: str, data: Any = None) -> dict[str, Any]:
    """An envelope as the Lambda proxy result API Gateway expects (outside a resolver)."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(envelope(status, message, data), ensure_ascii=False, default=str),
        "isBase64Encoded": False,
    }


LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _content_type(event: dict[str, Any]) -> str:
    for name, value in (event.get("headers") or {}).items():
        if str(name).lower() == "content-type":
            return str(value or "").strip()
    return ""


def _check_json_body(event: dict[str, Any]) -> None:
    """A body Powertools would parse as JSON (declared so, or no content type at all),
    checked before it does. A body that is simply not JSON is left to the route: the
    routes answer it as before (and validate reads an undeclared raw CSV itself)."""
    content_type = _content_type(event)
    declared = content_type.startswith(JSON_MEDIA_TYPE)  # Powertools' own test
    if content_type and not declared:
        return
    try:
        text = body_text(event.get("body"), bool(event.get("isBase64Encoded")))
    except BadText as exc:
        if declared or exc.reason == "lone_surrogate":
            raise
        return  # undeclared bytes that are not UTF-8: not JSON, the route decides
    if not text:
        return
    try:
        parse_json(text)
    except BadText as exc:
        if exc.reason != "invalid_json":
            raise


def check_request(event: dict[str, Any]) -> None:
    """Every query parameter, path segment and JSON body readable as text, or a 400."""
    for name, value in (event.get("queryStringParameters") or {}).items():
        check_text("query parameter name", str(name), PATH_SEGMENT_MAX)
        check_text(f"query parameter {name}", str(value), QUERY_VALUE_MAX)
    segments = [*str(event.get("rawPath") or "").split("/")]
    segments.extend(str(v) for v in (event.get("pathParameters") or {}).values())
    for segment in segments:
        check_text("path parameter", segment, PATH_SEGMENT_MAX)
    _check_json_body(event)


def caller_of(app: APIGatewayHttpResolver) -> Caller:
    """The verified caller of the current request."""
    return caller_from_event(app.current_event.raw_event)
