"""What an operator sees of every function besides its logs: X-Ray traces and the API's
write metrics.

- `new_tracer`: the Powertools Tracer each handler wraps itself in; botocore is patched,
  so every storage call (DynamoDB, S3, Cognito) is a subsegment of the invocation's
  trace. Outside Lambda (tests, the local stack, `sam local`) Powertools disables it.
- `count_writes`: a resolver middleware giving the CRUD function its metrics: the
  writes that succeeded, the ones refused by a conflict, the server errors.
- `observed`: an API handler inside its trace, its metrics flush and its log context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

# the metric each write outcome counts (RecordWrites: 2xx, RecordConflicts: 409,
# ApiServerErrors: 5xx on any method)
RECORD_WRITES = "RecordWrites"
RECORD_CONFLICTS = "RecordConflicts"
API_SERVER_ERRORS = "ApiServerErrors"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_tracer() -> Tracer:
    return Tracer(patch_modules=("botocore",))


def observed(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
    *,
    logger: Logger,
    metrics: Metrics,
    tracer: Tracer,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """An API Gateway handler traced (its response not captured: a report or a page of
    records can pass X-Ray's 64 KB), its metrics flushed, each invocation's log keys
    fresh and correlated by the API's request id."""
    logged = logger.inject_lambda_context(
        handler, correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
    )
    traced: Callable[[dict[str, Any], Any], dict[str, Any]] = tracer.capture_lambda_handler(
        metrics.log_metrics(logged), capture_response=False
    )
    return traced


def count_writes(metrics: Metrics) -> Any:
    """A middleware adding RecordWrites, RecordConflicts and ApiServerErrors."""

    def middleware(app: Any, next_middleware: NextMiddleware) -> Response:
        response = next_middleware(app)
        method = app.current_event.request_context.http.method
        status = int(response.status_code)
        if status >= 500:
            metrics.add_metric(name=API_SERVER_ERRORS, unit=MetricUnit.Count, value=1)
        elif method in _WRITE_METHODS and status < 300:
            metrics.add_metric(name=RECORD_WRITES, unit=MetricUnit.Count, value=1)
        elif method in _WRITE_METHODS and status == 409:
            metrics.add_metric(name=RECORD_CONFLICTS, unit=MetricUnit.Count, value=1)
        return response

    return middleware
