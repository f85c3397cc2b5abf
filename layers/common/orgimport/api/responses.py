"""The responses each operation documents, with their schemas (`orgimport.api.schemas`).

Only the OpenAPI document needs them: `orgimport.api.docs` attaches them to the import
routes while `local.openapi` generates it (`describing_responses`), so a function
serving requests neither imports the response models nor has Powertools build them on
its first request. The CRUD routes' documentation (`crud_docs`) uses them too.
"""

from __future__ import annotations

from typing import Any

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
from orgimport.imports.template_csv import template_filename, template_text
from orgimport.imports.uploads import FORM_FIELD
from orgimport.kinds.distributors.kind import DISTRIBUTORS

JSON = "application/json"
TEMPLATE_FILENAME = template_filename(DISTRIBUTORS)


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

VALIDATE_BODY: dict[str, Any] = {
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
SESSION_READ_RESPONSES: dict[int, OpenAPIResponse] = {
    400: json_doc(
        "Bad request - `import_id` is not a UUID", ValidationErrorEnvelope | ErrorEnvelope
    ),
    403: json_doc(
        "Forbidden - insufficient permissions, or the import belongs to another user",
        ErrorEnvelope,
    ),
    404: json_doc("Not found - unknown or expired import", ErrorEnvelope),
}

IMPORT_RESPONSES: dict[str, dict[int, OpenAPIResponse]] = {
    "getImportTemplate": {
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
    "createImportUpload": {201: json_doc("Where and how to POST the file", UploadTicketResponse)},
    "validateImport": {
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
    "confirmImport": {
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
    "getImportStatus": {
        200: json_doc("The import's status", ImportStatusResponse),
        **SESSION_READ_RESPONSES,
    },
    "getImportReport": {
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
        **SESSION_READ_RESPONSES,
    },
}
