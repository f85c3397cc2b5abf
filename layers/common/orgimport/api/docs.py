"""How each operation reads in the OpenAPI document: summary, description, tag,
operation id and every response it can give, with its schema.

A handler passes `**operation("confirmImport")` to its route decorator; Powertools
then documents the route from these and from the handler's own parameters and body
model. Nothing here changes what a handler returns: responses are described with
`responses=`, never with a return annotation (which would make Powertools validate,
and re-serialize, every response).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Example
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from orgimport.api.schemas import (
    ErrorEnvelope,
    FileErrorEnvelope,
    GatewayError,
    ImportConfirmProgressResponse,
    ImportConfirmResponse,
    ImportStatusResponse,
    ImportUploadReference,
    ImportValidationResponse,
    UploadTicketResponse,
    ValidationErrorEnvelope,
)
from orgimport.core.limits import MAX_DATA_ROWS
from orgimport.imports.kind import Kind
from orgimport.imports.template_csv import template_filename, template_text
from orgimport.imports.uploads import FORM_FIELD
from orgimport.kinds.distributors.kind import DISTRIBUTORS

TEMPLATE_FILENAME = template_filename(DISTRIBUTORS)

JSON = "application/json"
TAG_DISTRIBUTORS = "distributors"
TAG_IMPORT = "distributors import"
TAGS = {
    TAG_DISTRIBUTORS: "Distributors: create, list, read, update, archive and restore.",
    "resellers": "Resellers (under a distributor or the owner): create, list, read, update, "
    "archive and restore, each caller within its scope.",
    "customers": "Customers (under a reseller, a distributor or the owner): create, list, "
    "read, update, archive and restore, each caller within its scope.",
    "resellers import": "Bulk import of resellers from a CSV file, by the owner or a "
    "distributor (its own resellers).",
    "customers import": "Bulk import of customers from a CSV file, by the owner, a "
    "distributor or a reseller (each its own customers).",
    TAG_IMPORT: "Bulk import of distributors from a CSV file: template, upload, validate, confirm.",
}


def distributor_example(
    summary: str, vat: str, name: str, noun: str = "distributor"
) -> dict[str, Example]:
    value = {
        "name": name,
        "description": "Distributore per il Nord Italia",
        "custom_data": {
            "vat": vat,
            "address": "Via Roma 1",
            "city": "Milano",
            "main_contact": "Mario Rossi",
            "email": "mario.rossi@example.com",
            "phone": "+39 02 1234567",
            "language": "it",
            "notes": None,
        },
    }
    return {noun: Example(summary=summary, value=value)}


# Request bodies a user can send as they are from Swagger UI (`Body(openapi_examples=...)`).
CREATE_EXAMPLES = distributor_example("A new distributor", "IT04567890126", "Rossi S.r.l.")
UPDATE_EXAMPLES = distributor_example(
    "Every field replaced", "IT07654321004", "Rossi Distribuzione S.r.l."
)

CONFIRM_EXAMPLES = {
    "skip_warnings": Example(
        summary="Create the valid rows, skip the warning rows",
        value={"import_id": "3f0c6a52-1d8e-4c1b-9a37-5b2f8e4d6c10", "override": False},
    ),
    "override": Example(
        summary="Create the valid rows, update the distributors of the warning rows",
        value={"import_id": "3f0c6a52-1d8e-4c1b-9a37-5b2f8e4d6c10", "override": True},
    ),
}


def json_doc(description: str, model: Any) -> OpenAPIResponse:
    return {"description": description, "content": {JSON: {"model": model}}}


# Every operation answers these: the API is owner-only.
AUTH_RESPONSES: dict[int, OpenAPIResponse] = {
    401: json_doc(
        "Unauthorized - invalid or missing token. API Gateway's JWT authorizer answers a "
        'missing or invalid token itself with `{"message": "Unauthorized"}`; a token '
        "without the caller's claims gets the envelope.",
        ErrorEnvelope | GatewayError,
    ),
    403: json_doc("Forbidden - insufficient permissions (only `owner` may act)", ErrorEnvelope),
}
# The tiers below the distributors (CONTRACT section 8).
TIER_AUTH_RESPONSES: dict[int, OpenAPIResponse] = {
    401: AUTH_RESPONSES[401],
    403: json_doc(
        "Forbidden - the caller's organization role may not use this kind, its organization "
        "is unknown, or its user roles only read",
        ErrorEnvelope,
    ),
}
BAD_REQUEST_RESPONSE = json_doc(
    "Bad request - validation error", ValidationErrorEnvelope | ErrorEnvelope
)
# Every operation may answer this (orgimport.core.request_checks): a path segment or query
# parameter with a lone surrogate or NUL, or past its length limit.
BAD_TEXT_RESPONSE = json_doc(
    "Bad request - a path or query parameter is not text the API takes (a lone "
    "surrogate, NUL, or over its length limit)",
    ErrorEnvelope,
)
NOT_FOUND_RESPONSE = json_doc("Not found", ErrorEnvelope)

_VALIDATE_DESCRIPTION = f"""\
Validate a CSV file row by row and open an import session (30 minutes). Nothing is
written to distributors: `POST /distributors/import/confirm` with the returned
`import_id` does that.

The file arrives in one of three ways:
- `multipart/form-data` with the file in the `{FORM_FIELD}` field;
- the CSV itself as the body (`text/csv`);
- `application/json` `{{"upload_id": ...}}` naming a file already PUT to the URL from
  `POST /distributors/import/uploads` (the only way for files past Lambda's 6 MB
  payload limit, up to 10 MiB).

Columns (any order, names trimmed and case-insensitive): company_name, description,
vat_number, address, city, main_contact, email, phone, language, notes; company_name
and vat_number required. At most {MAX_DATA_ROWS} data rows. The header is row 1.

Each row is `valid`, `warning` (an active distributor already holds its VAT: confirm
with `override` updates it) or `error`. A file-level problem (empty, no data rows, too
large, too many rows, missing or unexpected columns) is a 400 naming the limit or the
columns."""

_CONFIRM_DESCRIPTION = """\
Confirm and execute a previously validated distributor import. Reuses
`POST /distributors` (CREATE) and `PUT /distributors/{id}` (UPDATE) for each row.

| status | `override` false | `override` true |
|--------|------------------|-----------------|
| `valid` | CREATE | CREATE |
| `error` | skipped (`reason: error`) | skipped (`reason: error`) |
| `warning` | skipped (`reason: warning_not_overridden`) | UPDATE from the CSV values |

UPDATE overwrites every field from the CSV, name included; the VAT is the lookup key
and is never changed.

**Atomicity**: non-atomic. Failures during creation or update are reported per row
(`failed`); rows that succeeded before the failure are kept.

**Exactly once**: a session is confirmed once. The same request again returns the first
result and writes nothing; a different body is a 409. A confirm cut off midway answers
202 with the counters so far: send the same request again to finish it."""

_VALIDATE_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FORM_FIELD],
                "properties": {
                    FORM_FIELD: {
                        "type": "string",
                        "format": "binary",
                        "description": "The CSV file (UTF-8, or Latin-1; comma or "
                        "semicolon) or an Excel workbook (.xlsx): the content decides.",
                    }
                },
            },
            "encoding": {
                FORM_FIELD: {
                    "contentType": "text/csv, application/vnd.openxmlformats-"
                    "officedocument.spreadsheetml.sheet"
                }
            },
        },
        "text/csv": {
            "schema": {"type": "string", "description": "The CSV file itself."},
            "example": template_text(DISTRIBUTORS),
        },
        JSON: {"schema": ImportUploadReference.model_json_schema()},
    },
}

# what a read of one import session answers besides its 200 (status, report)
_SESSION_READ_RESPONSES: dict[int, OpenAPIResponse] = {
    400: json_doc(
        "Bad request - `import_id` is not a UUID", ValidationErrorEnvelope | ErrorEnvelope
    ),
    403: json_doc(
        "Forbidden - insufficient permissions, or the import belongs to another user",
        ErrorEnvelope,
    ),
    404: json_doc("Not found - unknown or expired import", ErrorEnvelope),
}

_OPERATIONS: dict[str, dict[str, Any]] = {
    "getImportTemplate": {
        "summary": "Download the template (CSV or workbook)",
        "description": "The header row and two example rows; `format=xlsx`: an Excel "
        "workbook, its VAT and phone columns formatted as text, and a second sheet that "
        "explains each column and its rules in Italian and English.",
        "tags": [TAG_IMPORT],
        "responses": {
            200: {
                "description": f"`{TEMPLATE_FILENAME}`, as an attachment",
                "headers": {
                    "Content-Disposition": {
                        "description": f'`attachment; filename="{TEMPLATE_FILENAME}"`',
                        "schema": {"type": "string"},
                    }
                },
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            },
        },
    },
    "createImportUpload": {
        "summary": "Get a presigned POST to upload a large CSV",
        "description": "A presigned S3 POST for a file up to 10 MiB: send a "
        "`multipart/form-data` POST to `upload_url` with every member of `fields`, as given "
        "and in order, then the file in a last field named `file`. Its signed policy fixes "
        "the key, `Content-Type: text/csv`, the caller's identity and a size of 1 byte to "
        '10 MiB: S3 refuses a larger or different file. Then validate it with `{"upload_id": '
        "...}`; only the caller who asked, in the same organization, may validate it.",
        "tags": [TAG_IMPORT],
        "responses": {201: json_doc("Where and how to POST the file", UploadTicketResponse)},
    },
    "validateImport": {
        "summary": "Validate a distributor import file",
        "description": _VALIDATE_DESCRIPTION,
        "tags": [TAG_IMPORT],
        # the handler reads the raw body itself (three media types): described here
        "openapi_extensions": {"requestBody": _VALIDATE_BODY},
        "responses": {
            200: json_doc("The row-by-row report", ImportValidationResponse),
            400: json_doc(
                "Bad request - the file is rejected as a whole, or a field is invalid",
                FileErrorEnvelope | ValidationErrorEnvelope | ErrorEnvelope,
            ),
            403: json_doc(
                "Forbidden - insufficient permissions, or the upload belongs to another user "
                "or organization",
                ErrorEnvelope,
            ),
            413: json_doc(
                "Request Entity Too Large - answered by API Gateway or Lambda before the "
                "handler runs (body past 6 MB): upload the file first",
                GatewayError,
            ),
        },
    },
    "confirmImport": {
        "summary": "Execute validated distributor import",
        "description": _CONFIRM_DESCRIPTION,
        "tags": [TAG_IMPORT],
        "responses": {
            200: json_doc("Import results", ImportConfirmResponse),
            202: json_doc(
                "Import still in progress (cut off midway): send the same request again",
                ImportConfirmProgressResponse,
            ),
            400: json_doc(
                "Bad request - validation error: body not JSON or of the wrong types, "
                "missing `import_id`, session unknown or expired, not a distributors import",
                ValidationErrorEnvelope | ErrorEnvelope,
            ),
            403: json_doc(
                "Forbidden - insufficient permissions, or the import belongs to another user",
                ErrorEnvelope,
            ),
            409: json_doc(
                "Conflict - already confirmed with a different body, or another confirm of "
                "this session is running",
                ErrorEnvelope,
            ),
        },
    },
    "getImportStatus": {
        "summary": "Read an import's status",
        "description": "The session's counters and state; once confirmed, its per-row results too.",
        "tags": [TAG_IMPORT],
        "responses": {
            200: json_doc("The import's status", ImportStatusResponse),
            **_SESSION_READ_RESPONSES,
        },
    },
    "getImportReport": {
        "summary": "Get the uploaded rows back with their verdicts (CSV or workbook)",
        "description": "The rows as the file held them, with two columns added: "
        "`import_status` (the row's verdict; after confirm, its outcome) and "
        "`import_messages` (sentences in Italian or English, by `Accept-Language`). A CSV "
        "keeps the upload's delimiter and encoding; cells a spreadsheet would evaluate are "
        'written as `="..."`. Fix the rows and upload the file again: the two columns are '
        "ignored.",
        "tags": [TAG_IMPORT],
        "responses": {
            200: {
                "description": "The report, as an attachment",
                "headers": {
                    "Content-Disposition": {
                        "description": "`attachment; filename=...`",
                        "schema": {"type": "string"},
                    },
                },
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            },
            **_SESSION_READ_RESPONSES,
        },
    },
}


def operation(operation_id: str) -> dict[str, Any]:
    """The route decorator's documentation arguments for one operation."""
    spec = _OPERATIONS[operation_id]
    responses = {**AUTH_RESPONSES, 400: BAD_TEXT_RESPONSE, **spec["responses"]}
    return {**spec, "operation_id": operation_id, "responses": responses}


def _retarget(value: Any, kind: Kind) -> Any:
    """A distributors import document's text, said of another organization kind."""
    if isinstance(value, str):
        return (
            value.replace("Distributors", kind.name.title())
            .replace("distributors", kind.name)
            .replace("distributor", kind.noun)
        )
    if isinstance(value, dict):
        return {k: _retarget(v, kind) for k, v in value.items()}
    if isinstance(value, list):
        return [_retarget(v, kind) for v in value]
    return value


# the import operations, by step: the distributors' ids (the user's document names them),
# and another kind's (P: its name, title-cased)
_IMPORT_STEPS = {
    "template": ("getImportTemplate", "get{P}ImportTemplate"),
    "upload": ("createImportUpload", "create{P}ImportUpload"),
    "validate": ("validateImport", "validate{P}Import"),
    "confirm": ("confirmImport", "confirm{P}Import"),
    "status": ("getImportStatus", "get{P}ImportStatus"),
    "report": ("getImportReport", "get{P}ImportReport"),
}


def import_operation(kind: Kind, step: str) -> dict[str, Any]:
    """The documentation of one import route of a kind: the distributors' own, or theirs
    said of the kind (`validateResellersImport`), under the tag `<kind> import`."""
    distributors_id, other_id = _IMPORT_STEPS[step]
    spec = operation(distributors_id)
    if kind.name == DISTRIBUTORS.name:
        return spec
    out = {k: _retarget(v, kind) for k, v in spec.items()}
    out["operation_id"] = other_id.format(P=kind.name.title())
    out["tags"] = [f"{kind.name} import"]
    out["responses"] = {**out["responses"], 401: TIER_AUTH_RESPONSES[401]}
    if "belongs to another" not in json.dumps(str(out["responses"][403])):
        out["responses"][403] = TIER_AUTH_RESPONSES[403]
    return out
