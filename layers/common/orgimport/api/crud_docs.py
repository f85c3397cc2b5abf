"""The OpenAPI descriptions of an organization kind's CRUD routes (summaries, texts,
responses, Swagger UI's example bodies), for `orgimport.api.organization_routes`. The
distributors' read exactly as they always have."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Example

from orgimport.api.docs import (
    CREATE_EXAMPLES,
    TAG_DISTRIBUTORS,
    UPDATE_EXAMPLES,
    distributor_example,
)
from orgimport.api.record_schemas import record_responses
from orgimport.api.responses import (
    AUTH_RESPONSES,
    BAD_REQUEST_RESPONSE,
    BAD_TEXT_RESPONSE,
    NOT_FOUND_RESPONSE,
    TIER_AUTH_RESPONSES,
    json_doc,
)
from orgimport.api.schemas import ErrorEnvelope
from orgimport.imports.kind import Kind


def crud_examples(noun: str) -> tuple[dict[str, Example], dict[str, Example]]:
    """The request bodies of create and update, for Swagger UI."""
    if noun == "distributor":
        return CREATE_EXAMPLES, UPDATE_EXAMPLES
    title = noun.title()
    create_vat, update_vat = _EXAMPLE_VATS[noun]
    return (
        distributor_example(f"A new {noun}", create_vat, f"{title} Rossi S.r.l.", noun),
        distributor_example("Every field replaced", update_vat, f"{title} Bianchi", noun),
    )


# the create and update examples' VATs of the tiers below (each kind its own)
_EXAMPLE_VATS = {
    "reseller": ("IT20000010015", "IT20000020014"),
    "customer": ("IT20000030013", "IT20000040012"),
}


_UNIQUE_AMONG = {"customers": "the customers of the same parent organization"}
_ORDER = {"distributors": "name"}


def crud_operation(kind: Kind, action: str) -> dict[str, Any]:
    """The documentation of one CRUD route of an organization kind."""
    noun, plural = kind.noun, kind.name
    title = noun.title()
    operation_id = f"list{plural.title()}" if action == "list" else f"{action}{title}"
    response, list_response = record_responses(noun, plural)
    among = _UNIQUE_AMONG.get(plural, f"all {plural}")
    tag = plural
    spec = _crud_spec(action, noun, plural, among, tag, response, list_response)
    auth = AUTH_RESPONSES if plural == TAG_DISTRIBUTORS else TIER_AUTH_RESPONSES
    responses = {**auth, 400: BAD_TEXT_RESPONSE, **spec["responses"]}
    return {**spec, "operation_id": operation_id, "responses": responses}


def _crud_spec(
    action: str,
    noun: str,
    plural: str,
    among: str,
    tag: str,
    response: Any,
    list_response: Any,
) -> dict[str, Any]:
    """Summary, description, tag and responses of one CRUD route."""
    if action in ("list", "get"):
        return _read_specs(noun, plural, tag, response, list_response)[action]
    return _write_specs(noun, among, tag, response)[action]


def _read_specs(
    noun: str, plural: str, tag: str, response: Any, list_response: Any
) -> dict[str, dict[str, Any]]:
    return {
        "list": {
            "summary": f"List {plural}",
            "description": f"Ordered by {_ORDER.get(plural, 'parent, then name')}, a page at "
            "a time: pass `pagination.next_cursor` back as `cursor` for the next page. `search` "
            f"matches name or VAT; archived {plural} are left out unless `include_archived=true`.",
            "tags": [tag],
            "responses": {
                200: json_doc(f"A page of {plural}", list_response),
                400: BAD_REQUEST_RESPONSE,
            },
        },
        "get": {
            "summary": f"Read a {noun}",
            "description": f"Archived {plural} are found too, with their `deleted_at`.",
            "tags": [tag],
            "responses": {200: json_doc(f"The {noun}", response), 404: NOT_FOUND_RESPONSE},
        },
    }


def _write_specs(noun: str, among: str, tag: str, response: Any) -> dict[str, dict[str, Any]]:
    return {
        "create": {
            "summary": f"Create a {noun}",
            "description": f"The VAT must be free among {among}, archived ones included "
            "(`it 0123.4560.017` and `IT01234560017` are the same VAT): a taken one is a 400 "
            "with key `custom_data.vat` and message `already_exists`; one whose country prefix "
            "has check digits that fail is `invalid_format`.",
            "tags": [tag],
            "responses": {
                201: json_doc(f"The {noun} created", response),
                400: BAD_REQUEST_RESPONSE,
            },
        },
        "update": {
            "summary": f"Replace a {noun}'s fields",
            "description": "Every field is replaced (an omitted one becomes empty). A new VAT "
            f"must be free and pass its check digits; the VAT the {noun} holds is not "
            "checked again.",
            "tags": [tag],
            "responses": {
                200: json_doc(f"The {noun} updated", response),
                400: BAD_REQUEST_RESPONSE,
                404: NOT_FOUND_RESPONSE,
                409: json_doc(f"Conflict - the {noun} changed meanwhile: retry", ErrorEnvelope),
            },
        },
        "archive": {
            "summary": f"Archive a {noun}",
            "description": "A soft delete: `deleted_at` is set. The VAT stays taken.",
            "tags": [tag],
            "responses": {200: json_doc(f"The {noun} archived", response), 404: NOT_FOUND_RESPONSE},
        },
        "restore": {
            "summary": f"Restore an archived {noun}",
            "tags": [tag],
            "responses": {200: json_doc(f"The {noun} restored", response), 404: NOT_FOUND_RESPONSE},
        },
    }
