"""How each operation reads in the OpenAPI document: summary, description, tag,
operation id and every response it can give, with its schema.

A handler passes `**operation("confirmImport")` to its route decorator; Powertools
then documents the route from these and from the handler's own parameters and body
model. Nothing here changes what a handler returns: responses are described with
`responses=`, never with a return annotation (which would make Powertools validate,
and re-serialize, every response). The responses (`orgimport.api.responses`, with the
response models) are attached only inside `describing_responses`, where the OpenAPI
generator loads the handlers: a function serving requests never loads those models.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Example

from orgimport.core.limits import MAX_DATA_ROWS
from orgimport.imports.kind import Kind
from orgimport.imports.uploads import FORM_FIELD
from orgimport.kinds.distributors.kind import DISTRIBUTORS

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

_OPERATIONS: dict[str, dict[str, Any]] = {
    "getImportTemplate": {
        "summary": "Download the template (CSV or workbook)",
        "description": "The header row and two example rows; `format=xlsx`: an Excel "
        "workbook, its VAT and phone columns formatted as text, and a second sheet that "
        "explains each column and its rules in Italian and English.",
        "tags": [TAG_IMPORT],
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
    },
    "validateImport": {
        "summary": "Validate a distributor import file",
        "description": _VALIDATE_DESCRIPTION,
        "tags": [TAG_IMPORT],
    },
    "confirmImport": {
        "summary": "Execute validated distributor import",
        "description": _CONFIRM_DESCRIPTION,
        "tags": [TAG_IMPORT],
    },
    "getImportStatus": {
        "summary": "Read an import's status",
        "description": "The session's counters and state; once confirmed, its per-row results too.",
        "tags": [TAG_IMPORT],
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
    },
}


_describing = ContextVar("describing_responses", default=False)


@contextlib.contextmanager
def describing_responses() -> Iterator[None]:
    """Routes declared meanwhile carry their responses and request body documents (the
    OpenAPI generator loads the handlers inside it); otherwise they carry only their text."""
    token = _describing.set(True)
    try:
        yield
    finally:
        _describing.reset(token)


def operation(operation_id: str) -> dict[str, Any]:
    """The route decorator's documentation arguments for one operation."""
    spec = {**_OPERATIONS[operation_id], "operation_id": operation_id}
    if not _describing.get():
        return spec
    from orgimport.api import responses

    spec["responses"] = {
        **responses.AUTH_RESPONSES,
        400: responses.BAD_TEXT_RESPONSE,
        **responses.IMPORT_RESPONSES[operation_id],
    }
    if operation_id == "validateImport":
        # the handler reads the raw body itself (three media types): described here
        spec["openapi_extensions"] = {"requestBody": responses.VALIDATE_BODY}
    return spec


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
    if "responses" in out:
        from orgimport.api.responses import TIER_AUTH_RESPONSES

        out["responses"] = {**out["responses"], 401: TIER_AUTH_RESPONSES[401]}
        if "belongs to another" not in json.dumps(str(out["responses"][403])):
            out["responses"][403] = TIER_AUTH_RESPONSES[403]
    return out
