"""Import, step two: confirm a validated import, read an import's status, and give the
user's rows back with their verdicts (the error round-trip report).

A thin entry point over orgimport.imports.confirm: the body parsed into typed input,
the caller from the claims, one domain call, the result as an envelope; an
audit line per created or updated distributor and the confirm's metrics.
"""

import time
from typing import Annotated, Literal
from uuid import UUID

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from orgimport import wiring
from orgimport.api.docs import CONFIRM_EXAMPLES, import_operation
from orgimport.api.guard import guarded
from orgimport.api.http import caller_of, json_response, make_resolver
from orgimport.api.schemas import ImportConfirmRequest
from orgimport.core.config import settings
from orgimport.core.errors import FieldError, ValidationFailed
from orgimport.imports.confirm import (
    ConfirmResult,
    confirm_import,
    confirm_request,
    import_status,
)
from orgimport.imports.kind import Kind
from orgimport.imports.messages import language_of
from orgimport.imports.roundtrip import report_csv, report_workbook
from orgimport.imports.status import readable_session
from orgimport.imports.uploads import XLSX_TYPE
from orgimport.kinds.registry import KINDS
from orgimport.runtime.confirm_runtime import add_row_metrics, audit_rows, confirm_options
from orgimport.runtime.observability import new_tracer, observed

logger = Logger()
metrics = Metrics(namespace=settings().metrics_namespace)
tracer = new_tracer()
app = make_resolver()


def _record(result: ConfirmResult, seconds: float) -> None:
    add_row_metrics(metrics, result.done_now)
    metrics.add_metric(
        name="ImportConfirmDuration", unit=MetricUnit.Milliseconds, value=seconds * 1000
    )


def confirm(kind: Kind, body: ImportConfirmRequest) -> Response:
    caller = caller_of(app)
    import_id = str(body.import_id)
    logger.append_keys(import_id=import_id)
    started = time.monotonic()
    result = confirm_import(
        wiring.session_store(),
        kind,
        wiring.records(kind),
        caller,
        # a kind whose rows are never ambiguous accepts `resolutions` and ignores them
        confirm_request(kind, import_id, body.override, body.resolutions),
        confirm_options(app.lambda_context, audit_rows(logger, caller, import_id, kind.noun)),
    )
    _record(result, time.monotonic() - started)
    logger.info(
        "import confirm answered",
        extra={
            "kind": kind.name,
            "complete": result.complete,
            "replayed": result.replayed,
            "row_counts": result.counters(),
        },
    )
    if not result.complete:
        return json_response(
            202,
            "import confirm in progress: send the same request again to continue",
            result.as_json(),
            headers={"Retry-After": "1"},
        )
    return json_response(200, "import confirmed", result.as_json())


def status(kind: Kind, import_id: str) -> Response:
    try:
        key = str(UUID(import_id))
    except ValueError:
        raise ValidationFailed([FieldError("import_id", "invalid_format", import_id)]) from None
    data = import_status(wiring.session_store(), caller_of(app), key, int(time.time()), kind.name)
    return json_response(200, "import status", data)


def report(kind: Kind, import_id: str, file_format: str) -> Response:
    """The user's rows back with import_status and import_messages (the error round-trip)."""
    try:
        key = str(UUID(import_id))
    except ValueError:
        raise ValidationFailed([FieldError("import_id", "invalid_format", import_id)]) from None
    session = readable_session(
        wiring.session_store(), caller_of(app), key, int(time.time()), kind.name
    )
    language = language_of(app.current_event.headers.get("accept-language"))
    name = f"{kind.name}_import_{key}_report.{file_format}"
    if file_format == "xlsx":
        body, content_type = report_workbook(session, language), XLSX_TYPE
    else:
        encoding = session.file.encoding if session.file else "utf-8"
        body, content_type = report_csv(session, language), f"text/csv; charset={encoding}"
    return Response(
        200,
        content_type=content_type,
        body=body,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Language": language,
        },
    )


def add_routes(kind: Kind) -> None:
    """Confirm and status under the kind's path: one router per kind."""
    base = f"/{kind.name}/import"

    @app.post(f"{base}/confirm", **import_operation(kind, "confirm"))
    def confirm_route(
        body: Annotated[ImportConfirmRequest, Body(openapi_examples=CONFIRM_EXAMPLES)],
    ):
        return confirm(kind, body)

    @app.get(f"{base}/<import_id>", **import_operation(kind, "status"))
    def status_route(
        import_id: Annotated[str, Path(description="`import_id` from the validate response.")],
    ):
        return status(kind, import_id)

    @app.get(f"{base}/<import_id>/report", **import_operation(kind, "report"))
    def report_route(
        import_id: Annotated[str, Path(description="`import_id` from the validate response.")],
        file_format: Annotated[
            Literal["csv", "xlsx"],
            Query(alias="format", description="`csv` (the default) or `xlsx`."),
        ] = "csv",
    ):
        return report(kind, import_id, file_format)


for kind in KINDS:
    add_routes(kind)


lambda_handler = observed(
    guarded(app, {kind.name: kind.policy for kind in KINDS}, "import", wiring.admit),
    logger=logger,
    metrics=metrics,
    tracer=tracer,
)
