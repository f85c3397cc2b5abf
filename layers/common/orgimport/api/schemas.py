"""What the API answers, as pydantic models: the OpenAPI document's schemas.

Documentation only: handlers still build their envelopes with
`orgimport.api.http.json_response`; these models describe those bodies so the
generated document (`make openapi`) and the contract test agree with the code.
The import schemas carry the names of the user's API document
(ImportConfirmRequest, ImportConfirmResult, ImportResultRow,
ImportValidationResult, ImportRow, ImportFieldError).
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from orgimport.api.models import CustomDataIn, DistributorIn
from orgimport.core.limits import (
    DESCRIPTION_MAX,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    NAME_MAX,
    NOTES_MAX,
    TEXT_MAX,
)


class _Schema(BaseModel):
    """Built on first use, not at import: most of these only ever describe bodies for the
    OpenAPI document, so a cold start does not pay for them."""

    model_config = ConfigDict(defer_build=True)


# --- requests --------------------------------------------------------------------------


class DistributorCustomDataInput(CustomDataIn):
    """`custom_data` of a distributor, as sent."""

    model_config = ConfigDict(defer_build=True, json_schema_extra={"required": ["vat"]})


_DISTRIBUTOR_RULES = f"""\
Body of POST /distributors and PUT /distributors/{{id}} (PUT replaces every field: one left
out is cleared). Text is trimmed; lengths count characters. `name` 1-{NAME_MAX}, `description`
at most {DESCRIPTION_MAX}; in `custom_data`: `vat` required and free among all distributors,
archived ones included (`it 0123.4560.017` and `IT01234560017` are the same VAT), ASCII letters
and digits once spaces, dots and dashes are removed, with valid check digits when it starts
with a country prefix that has them (EU, `XI`, `GB`, `CH`, `NO`); `address`, `city`,
`main_contact`, `email`, `phone` at most {TEXT_MAX}; `email` a plain address; `phone` `+`, a
country code and a number possible for that country, in digits, spaces, `-`, `(`, `)`;
`language` `it` or `en` (default `it`); `notes` at most {NOTES_MAX}. A broken rule is a 400
naming the field and a stable code."""


class DistributorInput(DistributorIn):
    # DistributorIn checks types only (the rules are the domain's, with its error codes);
    # this subclass parses the same and documents the rules and required fields.
    model_config = ConfigDict(
        defer_build=True,
        json_schema_extra={"required": ["name", "custom_data"], "description": _DISTRIBUTOR_RULES},
    )

    custom_data: DistributorCustomDataInput | None = None


class ImportConfirmRequest(_Schema):
    """Body of POST /distributors/import/confirm."""

    model_config = ConfigDict(extra="ignore")

    import_id: UUID = Field(
        description="Import session ID from the validate response. Sessions expire after 30 min."
    )
    override: StrictBool = Field(
        default=False,
        description="When `true`, every row with status `warning` (an active distributor "
        "already holds the same VAT) is UPDATEd with the CSV values: the distributor is "
        "looked up by VAT, the VAT is never changed, every other field (name included) is "
        "overwritten. When `false` or omitted, warning rows are skipped.",
    )
    resolutions: dict[str, Any] | None = Field(
        default=None,
        description="Per-row organization choices for `ambiguous` rows (users): "
        '`{"<row number>": {"organization_id": "<one of the row\'s candidates>"}}`; a key '
        "that is not an ambiguous row's number, or a value of another shape, is a 400 naming "
        "`resolutions.<key>`. Part of the request's identity. Organization kinds never have "
        "ambiguous rows: accepted when an object, ignored.",
    )


class ImportUploadReference(_Schema):
    """JSON body of POST /distributors/import/validate: a file already PUT to the URL
    that POST /distributors/import/uploads returned."""

    upload_id: UUID = Field(description="`upload_id` from POST /distributors/import/uploads.")


# --- envelopes ---------------------------------------------------------------------------


class Envelope(_Schema):
    """Every JSON response: `code` repeats the HTTP status."""

    code: int = Field(description="The HTTP status code.")
    message: str = Field(description="A short lower-case text.")


class ErrorEnvelope(Envelope):
    """An error: `data` is null or an object with the details."""

    data: dict[str, Any] | None


class FieldValidationError(_Schema):
    key: str = Field(description="The field path, e.g. `name` or `custom_data.vat`.")
    message: str = Field(
        description="A stable lower-case code: `required`, `too_long`, `invalid_format`, "
        "`invalid_type`, `already_exists`, ..."
    )
    value: Any = Field(default=None, description="The value sent, when a scalar.")
    allowed: list[str] | None = Field(
        default=None,
        description="The values the field accepts, when they are a short list (e.g. the "
        "languages for `custom_data.language`); omitted otherwise.",
    )


class ValidationErrorData(_Schema):
    type: Literal["validation_error"]
    errors: list[FieldValidationError]


class ValidationErrorEnvelope(Envelope):
    """400: one or more fields break the rules."""

    data: ValidationErrorData


class FileErrorData(_Schema):
    """Why a CSV file was rejected as a whole, with the figures to fix it (limit and actual
    size, missing, unexpected and expected columns, ...)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["file_error"]
    reason: str = Field(
        description="A stable code: `empty_file`, `no_data_rows`, `file_too_large`, "
        "`too_many_rows`, `invalid_columns`, `not_csv`, ..."
    )


class FileErrorEnvelope(Envelope):
    """400: the file is rejected as a whole (nothing is validated row by row)."""

    data: FileErrorData


class GatewayError(_Schema):
    """Answered by API Gateway itself, before any handler runs (e.g. a missing or invalid
    token: `{"message": "Unauthorized"}`); its body is not an envelope and cannot be."""

    message: str


# --- import: uploads ----------------------------------------------------------------------


class UploadTicket(_Schema):
    """Where to POST a CSV (up to 10 MiB) before validating it by `upload_id`: a presigned
    S3 POST whose signed policy fixes the key, `Content-Type: text/csv`, the uploader's
    identity and the size (1 byte to 10 MiB), so S3 refuses any other file."""

    upload_id: UUID
    upload_url: str = Field(description="The presigned S3 POST URL (the bucket's).")
    method: Literal["POST"]
    fields: dict[str, str] = Field(
        description="The form fields of the `multipart/form-data` POST, sent as given and "
        "in this order, followed by the file itself in a last field named `file` (S3 "
        "ignores fields after the file; a changed field fails the policy)."
    )
    expires_at: datetime
    expires_in: int = Field(description="Seconds the policy stays valid.")
    max_bytes: int = Field(description=f"The file size limit ({MAX_FILE_BYTES} bytes).")


class UploadTicketResponse(Envelope):
    data: UploadTicket


# --- import: validate ---------------------------------------------------------------------


class ImportFieldError(_Schema):
    """One finding on a row: an error, or a warning (`already_exists`)."""

    field: str = Field(description="The CSV column, e.g. `vat_number`.")
    message: str = Field(
        description="A stable code: `required`, `too_long`, `invalid_format`, "
        "`duplicate_in_csv`, `archived`, `already_exists`, ..."
    )
    values: list[str] = Field(
        default_factory=list,
        description="The code's positional parameters (e.g. the value, or for "
        "`duplicate_in_csv` the value and the first row holding it); omitted when none.",
    )


class ImportRowData(_Schema):
    """The row's ten columns as typed, trimmed."""

    company_name: str
    description: str
    vat_number: str
    address: str
    city: str
    main_contact: str
    email: str
    phone: str
    language: str
    notes: str


class FieldChange(_Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_: Any = Field(alias="from", description="The stored value.")
    to: Any = Field(description="The CSV value.")


class ImportRow(_Schema):
    """Validate's verdict on one CSV row (the header is row 1)."""

    row_number: int
    status: Literal["valid", "warning", "error"]
    data: ImportRowData
    errors: list[ImportFieldError] = Field(default_factory=list)
    warnings: list[ImportFieldError] = Field(default_factory=list)
    changes: dict[str, FieldChange] | None = Field(
        default=None,
        description="Warning rows: what `override` would overwrite, by column.",
    )


class ImportValidationResult(_Schema):
    """Row-by-row report of a validated file; nothing was written to distributors."""

    import_id: UUID = Field(description="Pass to /import/confirm within 30 minutes.")
    total_rows: int = Field(description=f"Data rows (at most {MAX_DATA_ROWS}).")
    valid_rows: int
    error_rows: int
    warning_rows: int
    ambiguous_rows: int = Field(description="Always 0 for distributors.")
    rows: list[ImportRow] = Field(
        default_factory=list,
        description="Every row, in order; omitted when `rows_omitted` is true.",
    )
    rows_omitted: bool = Field(
        default=False,
        description="True when the report was too large for the response (ask with "
        "`Accept-Encoding: gzip`); the counters and import_id still stand.",
    )


class ImportValidationResponse(Envelope):
    data: ImportValidationResult


# --- import: confirm -------------------------------------------------------------------


class ImportResultRow(_Schema):
    """What confirm did with one row."""

    row_number: int
    status: Literal["created", "updated", "skipped", "failed"]
    id: str | None = Field(default=None, description="On created and updated rows.")
    reason: Literal["error", "warning_not_overridden"] | None = Field(
        default=None, description="On skipped rows."
    )
    error: str | None = Field(default=None, description="On failed rows: a readable sentence.")
    changed_fields: list[str] | None = Field(
        default=None,
        description="On updated rows: the CSV columns the update changed, in column order; "
        "empty when the row equalled the stored distributor (nothing was written and its "
        "`updated_at` did not move).",
    )


class ImportCounters(_Schema):
    import_id: UUID
    created: int
    updated: int
    skipped: int
    failed: int
    total_rows: int


class ImportConfirmResult(ImportCounters):
    """Per-row outcome of `/import/confirm`. The operation is non-atomic: a partial failure
    does not roll back the rows that were already created or updated. The four counters
    always sum to `total_rows` of the validate response."""

    results: list[ImportResultRow] = Field(description="One entry per row, in row order.")


class ImportConfirmProgress(ImportCounters):
    """A confirm that ran out of time: the counters so far. Send the same request again to
    finish the remaining rows (the done ones are neither redone nor duplicated)."""

    status: Literal["confirming"]
    processed_rows: int


class ImportConfirmResponse(Envelope):
    data: ImportConfirmResult


class ImportConfirmProgressResponse(Envelope):
    data: ImportConfirmProgress


class ImportStatus(_Schema):
    """An import session's state and counters; once confirmed, its per-row results."""

    import_id: UUID
    status: Literal["validated", "confirming", "confirmed"]
    expires_at: datetime
    total_rows: int
    valid_rows: int
    error_rows: int
    warning_rows: int
    ambiguous_rows: int
    created: int | None = Field(default=None, description="Once confirming.")
    updated: int | None = Field(default=None, description="Once confirming.")
    skipped: int | None = Field(default=None, description="Once confirming.")
    failed: int | None = Field(default=None, description="Once confirming.")
    processed_rows: int | None = Field(default=None, description="Once confirming.")
    results: list[ImportResultRow] | None = Field(default=None, description="Once confirmed.")


class ImportStatusResponse(Envelope):
    data: ImportStatus
