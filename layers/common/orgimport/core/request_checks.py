"""Bad request text is a 400, never a 5xx (CONTRACT section 7).

Python's json takes what later breaks the service: a lone surrogate (`"\\ud800"`)
parses, then cannot be encoded for DynamoDB or the response; nesting deep enough
exhausts the recursion limit in json or pydantic; NUL and huge strings travel on
into keys and echoed errors. Every JSON body and every query and path parameter is
checked here once, before anything else reads it. Plain functions, no Powertools.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from orgimport.core.errors import BadRequest

JSON_MAX_DEPTH = 64  # containers inside containers; a scalar body has depth 0
# Ten times the longest field (notes, 1000): field limits still answer with their field
# errors, and no error ever echoes a value longer than this.
JSON_STRING_MAX = 10_000
# A cursor of the longest name stays well below this; search has its own 255.
QUERY_VALUE_MAX = 8_192
# Ids are server-made uuids; 255 characters (at most 1020 bytes) keep any key built
# from a path segment within DynamoDB's 2048-byte partition key.
PATH_SEGMENT_MAX = 255

BODY = "request body"
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadText(BadRequest):
    """A request whose text cannot be taken as it is."""

    def __init__(self, where: str, reason: str, message: str, limit: int | None = None):
        data: dict[str, Any] = {"type": "invalid_request", "reason": reason, "location": where}
        if limit is not None:
            data["limit"] = limit
        super().__init__(message, data)
        self.reason = reason


def _text_problem(where: str, text: str, max_chars: int) -> BadText | None:
    if _SURROGATE.search(text):
        return BadText(where, "lone_surrogate", f"{where} contains a lone surrogate")
    if "\x00" in text:
        return BadText(where, "nul_character", f"{where} contains a nul character")
    if len(text) > max_chars:
        subject = f"{where} has a string" if where == BODY else f"{where} is"
        return BadText(
            where, "string_too_long", f"{subject} longer than {max_chars} characters", max_chars
        )
    return None


def check_text(where: str, text: str, max_chars: int) -> None:
    """Text a request carries: no lone surrogate, no NUL, at most `max_chars` characters."""
    problem = _text_problem(where, text, max_chars)
    if problem is not None:
        raise problem


def body_text(body: str | None, is_base64: bool) -> str:
    """The body as text: base64 undone, UTF-8 strictly (a raw surrogate is not UTF-8)."""
    if not body:
        return ""
    if is_base64:
        try:
            raw = base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError):
            raise BadText(BODY, "invalid_base64", "request body is not valid base64") from None
        return utf8_text(raw)
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        raise BadText(BODY, "lone_surrogate", "request body contains a lone surrogate") from None
    return body


def utf8_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadText(BODY, "invalid_utf8", "request body is not valid utf-8") from None


def parse_json(text: str) -> Any:
    """The JSON value of `text`, checked: depth, strings (keys included); 400 otherwise."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # JSONDecodeError, or an integer past Python's 4300 digits
        raise BadText(BODY, "invalid_json", "request body is not valid json") from None
    check_json_value(value)
    return value


def check_json_value(value: Any) -> None:
    """Walk a parsed body without recursion: nesting at most JSON_MAX_DEPTH, every
    string (key or value) free of lone surrogates and NUL and at most JSON_STRING_MAX."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            check_text(BODY, item, JSON_STRING_MAX)
        elif isinstance(item, (dict, list)):
            if depth + 1 > JSON_MAX_DEPTH:
                raise _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def _too_deep() -> BadText:
    return BadText(
        BODY,
        "too_deep",
        f"request body is nested deeper than {JSON_MAX_DEPTH} levels",
        JSON_MAX_DEPTH,
    )


__all__ = [
    "JSON_MAX_DEPTH",
    "JSON_STRING_MAX",
    "PATH_SEGMENT_MAX",
    "QUERY_VALUE_MAX",
    "BadText",
    "body_text",
    "check_json_value",
    "check_text",
    "parse_json",
    "utf8_text",
]
