"""Import, step one, for every kind: the CSV template, presigned uploads and validate.

A thin entry point: the CSV's arrival is orgimport.imports.uploads, the rules and the
session orgimport.imports.validate.
"""

import base64
import json
import time
import zlib
from collections.abc import Callable
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit

from orgimport import wiring
from orgimport.api.docs import import_operation
from orgimport.api.guard import guarded
from orgimport.api.http import caller_of, envelope, json_response, make_resolver
from orgimport.core.config import settings
from orgimport.core.errors import FileRejected
from orgimport.core.limits import MAX_INLINE_BODY_BYTES
from orgimport.imports import uploads
from orgimport.imports.kind import Kind
from orgimport.imports.template_csv import (
    TEMPLATE_CONTENT_TYPE,
    template_filename,
    template_text,
)
from orgimport.imports.template_xlsx import template_workbook, workbook_filename
from orgimport.imports.uploads import XLSX_TYPE
from orgimport.imports.validate import validate_csv
from orgimport.kinds.registry import KINDS
from orgimport.runtime.observability import new_tracer, observed

logger = Logger()
metrics = Metrics(namespace=settings().metrics_namespace)
tracer = new_tracer()
app = make_resolver()


# the metric of each row verdict
VERDICT_METRICS = {
    "valid": "ImportRowsValid",
    "warning": "ImportRowsWarning",
    "error": "ImportRowsError",
}

# What the proxy result may spend on the body: Lambda's 6 MB response limit less room for
# the status, the headers and the JSON around the body.
_BODY_BUDGET = MAX_INLINE_BODY_BYTES - 64 * 1024


def report_response(report: dict[str, Any], accept_encoding: str) -> Response:
    """The report, gzipped when the client takes it (Powertools compresses it): a 10 MiB
    file's echo only fits in Lambda's response that way. When it cannot fit, the counters
    and import_id alone, so the import can still be confirmed."""
    body = json.dumps(envelope(200, "import validated", report), ensure_ascii=False)
    takes_gzip = "gzip" in accept_encoding.lower()
    # as the runtime sends it: non-ASCII escaped
    fits = len(json.dumps(body)) <= _BODY_BUDGET
    if not fits and takes_gzip:
        # a fast level-1 estimate: Powertools' level 9 packs at least as tight; base64 adds 1/3
        fits = len(zlib.compress(body.encode("utf-8"), 1)) * 4 // 3 <= _BODY_BUDGET
    if fits:
        return Response(200, "application/json", body, compress=True)
    summary = {k: v for k, v in report.items() if k != "rows"}
    logger.warning("report too large for the response: rows omitted", extra=summary)
    return json_response(
        200,
        "import validated; the row report is too large to return"
        + ("" if takes_gzip else ": ask with Accept-Encoding: gzip"),
        {**summary, "rows_omitted": True},
    )


def template(kind: Kind, file_format: str = "csv"):
    metrics.add_metric(name="ImportTemplateDownloads", unit=MetricUnit.Count, value=1)
    if file_format == "xlsx":
        body: str | bytes = template_workbook(kind)
        content_type, name = XLSX_TYPE, workbook_filename(kind)
    else:
        body, content_type, name = (
            template_text(kind),
            TEMPLATE_CONTENT_TYPE,
            template_filename(kind),
        )
    return Response(
        200,
        content_type=content_type,
        body=body,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _template_of(kind: Kind) -> Callable[..., Any]:
    def route(
        file_format: Annotated[
            Literal["csv", "xlsx"],
            Query(alias="format", description="`csv` (the default) or `xlsx` (a workbook)."),
        ] = "csv",
    ):  # no return annotation: Powertools would serialize the workbook's bytes by it
        return template(kind, file_format)

    route.__name__ = f"template_{kind.name}"
    return route


def new_upload():
    ticket = uploads.start_upload(
        wiring.upload_store(),
        caller_of(app),
        now=int(time.time()),
        ttl_seconds=settings().upload_url_ttl_seconds,
    )
    logger.info("upload url issued", extra={"upload_id": ticket.upload_id})
    metrics.add_metric(name="ImportUploadUrls", unit=MetricUnit.Count, value=1)
    return json_response(201, "upload url created", ticket.as_json())


def validate(kind: Kind):
    event = app.current_event
    body = event.body or ""
    raw = base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")
    caller = caller_of(app)
    data, arrived_as = uploads.incoming_csv(
        event.headers.get("content-type"), raw, caller, wiring.upload_store()
    )
    try:
        session = validate_csv(
            data,
            caller,
            kind,
            wiring.records(kind),
            wiring.session_store(),
            now=int(time.time()),
            ttl_seconds=settings().import_session_ttl_seconds,
        )
    except FileRejected as exc:
        metrics.add_metric(name="ImportFilesRejected", unit=MetricUnit.Count, value=1)
        logger.info("file rejected", extra={"reason": exc.reason, "arrived_as": arrived_as})
        raise
    summary = session.summary()
    logger.append_keys(import_id=session.import_id)
    logger.info(
        "import validated",
        extra={"kind": kind.name, "arrived_as": arrived_as, "bytes": len(data), **summary},
    )
    for status in VERDICT_METRICS:
        metrics.add_metric(
            name=VERDICT_METRICS[status], unit=MetricUnit.Count, value=summary[f"{status}_rows"]
        )
    return report_response(session.report(), event.headers.get("accept-encoding") or "")


def _of(kind: Kind, step: Callable[[Kind], Any]) -> Callable[[], Any]:
    """`step` as the route of one kind."""

    def route() -> Any:
        return step(kind)

    route.__name__ = f"{step.__name__}_{kind.name}"
    return route


# one router per kind: the same three routes under each kind's path
for kind in KINDS:
    base = f"/{kind.name}/import"
    app.get(f"{base}/template", **import_operation(kind, "template"))(_template_of(kind))
    app.post(f"{base}/uploads", **import_operation(kind, "upload"))(new_upload)
    app.post(f"{base}/validate", **import_operation(kind, "validate"))(_of(kind, validate))


lambda_handler = observed(
    guarded(app, {kind.name: kind.policy for kind in KINDS}, "import", wiring.admit),
    logger=logger,
    metrics=metrics,
    tracer=tracer,
)
