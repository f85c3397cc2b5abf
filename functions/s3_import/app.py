"""S3-triggered imports: a thin entry point over orgimport.imports.s3.

S3 invokes it asynchronously with one or more records. Each record under a kind's
incoming/<kind>/ (incoming/distributors/) ending in .csv is imported once per object version; other
keys and other events are ignored. A record whose import did not finish makes the
invocation fail after the others ran, so Lambda's retry resumes it (finished ones
are not redone); a bad file does not fail it: its report says why.
"""

import time
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord

from orgimport import wiring
from orgimport.core.config import settings
from orgimport.imports.ports import S3ObjectRef
from orgimport.imports.s3 import (
    S3ImportOutcome,
    import_id_for,
    import_s3_object,
    s3_caller,
)
from orgimport.kinds.registry import kind_of_upload
from orgimport.runtime.confirm_runtime import add_row_metrics, audit_rows, confirm_options
from orgimport.runtime.observability import new_tracer

logger = Logger()
metrics = Metrics(namespace=settings().metrics_namespace)
tracer = new_tracer()

# a confirm holds its session this much longer than the invocation can still run
LEASE_MARGIN_SECONDS = 10


def _object_of(record: S3EventRecord) -> S3ObjectRef:
    s3 = record.s3
    found = s3.get_object
    return S3ObjectRef(
        bucket=s3.bucket.name,
        key=unquote_plus(found.key),  # S3 sends keys URL-encoded, spaces as '+'
        version_id=found.version_id,
        sequencer=found.get("sequencer"),
        principal_id=(record.get("userIdentity") or {}).get("principalId"),
        size=found.get("size"),
        etag=found.etag or None,
        event_time=record.get("eventTime"),
    )


# the metric of each import's end state (orgimport.imports.s3.run.ImportState)
STATE_METRICS = {
    "confirmed": "S3ImportsConfirmed",
    "rejected": "S3ImportsRejected",
    "expired": "S3ImportsExpired",
    "already_reported": "S3ImportsAlreadyReported",
    "superseded": "S3ImportsSuperseded",
}


def _record(outcome: S3ImportOutcome) -> None:
    metrics.add_metric(name=STATE_METRICS[outcome.state], unit=MetricUnit.Count, value=1)
    add_row_metrics(metrics, outcome.done_now)


def _import_one(record: S3EventRecord, context: Any) -> dict[str, Any]:
    obj = _object_of(record)
    kind = kind_of_upload(obj.key)
    if not record.event_name.startswith("ObjectCreated:") or kind is None:
        logger.info("ignored", extra={"event_name": record.event_name, "key": obj.key})
        metrics.add_metric(name="S3ImportsIgnored", unit=MetricUnit.Count, value=1)
        return {"key": obj.key, "state": "ignored"}
    try:
        import_id = import_id_for(obj)
    except ValueError:  # neither versionId nor sequencer: not an S3 put event
        logger.error("ignored: no object version", extra={"key": obj.key})
        metrics.add_metric(name="S3ImportsIgnored", unit=MetricUnit.Count, value=1)
        return {"key": obj.key, "state": "ignored"}
    logger.append_keys(key=obj.key, version_id=obj.version_id, import_id=import_id)
    started = time.monotonic()
    outcome = import_s3_object(
        obj,
        wiring.import_bucket(),
        kind,
        wiring.records(kind),
        wiring.session_store(),
        ttl_seconds=settings().import_session_ttl_seconds,
        options=confirm_options(
            context,
            audit_rows(logger, s3_caller(obj.principal_id), import_id, kind.noun),
            lease_margin_seconds=LEASE_MARGIN_SECONDS,
        ),
    )
    _record(outcome)
    metrics.add_metric(
        name="S3ImportDuration",
        unit=MetricUnit.Milliseconds,
        value=(time.monotonic() - started) * 1000,
    )
    logger.info(
        "s3 import done",
        # nested: a counter named `created` would clash with the log record's own field
        extra={
            "import_state": outcome.state,
            "report_key": outcome.report_key,
            "row_counts": outcome.counters,
        },
    )
    return {"key": obj.key, **outcome.as_json()}


@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: Any) -> dict[str, Any]:
    done: list[dict[str, Any]] = []
    failures: list[Exception] = []
    for record in event.records:
        try:
            done.append(_import_one(record, context))
        except Exception as exc:
            logger.exception("s3 import failed; the invocation fails so that Lambda retries it")
            metrics.add_metric(name="S3ImportsFailed", unit=MetricUnit.Count, value=1)
            failures.append(exc)
        finally:
            logger.remove_keys(["key", "version_id", "import_id"])
    if failures:
        raise failures[0]
    return {"imports": done}
