"""What a confirm takes from the Lambda that runs it: its deadline, the configured
limits, one audit log line per record it writes, and its row metrics.

Shared by the API's confirm and the S3-triggered import, so both write the same
audit trail and honour the same settings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from orgimport.core.config import settings
from orgimport.core.identity import Caller
from orgimport.imports.confirm import ConfirmOptions
from orgimport.imports.session import RowOutcome, RowVerdict

RowHook = Callable[[RowVerdict, RowOutcome], None]


# the metric of each row outcome (the failed rows' is alarmed on, template.yaml)
ROW_METRICS = {
    "created": "ImportRowsCreated",
    "updated": "ImportRowsUpdated",
    "skipped": "ImportRowsSkipped",
    "failed": "ImportRowsFailed",
}


def add_row_metrics(metrics: Metrics, done_now: Mapping[str, int]) -> None:
    """ImportRowsCreated, ...Updated, ...Skipped, ...Failed: the rows this run settled."""
    for status, count in done_now.items():
        metrics.add_metric(name=ROW_METRICS[status], unit=MetricUnit.Count, value=count)


def time_left_of(context: Any) -> Callable[[], float] | None:
    """Seconds the invocation may still run, or None outside Lambda."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return (lambda: remaining() / 1000) if callable(remaining) else None


def audit_rows(log: Logger, caller: Caller, import_id: str, noun: str) -> RowHook:
    """One INFO line per created or updated record (who, which import, row, id; `noun`
    names the kind's record); one WARNING per failed row."""

    def on_row(row: RowVerdict, outcome: RowOutcome) -> None:
        if outcome.status in ("created", "updated"):
            log.info(
                f"{noun} {outcome.status} by import",
                extra={
                    "audit": True,
                    "action": outcome.status,
                    "import_id": import_id,
                    "row_number": row.row_number,
                    f"{noun}_id": outcome.id,
                    "user_id": caller.user_id,
                    "org_id": caller.org_id,
                },
            )
        elif outcome.status == "failed":
            log.warning(
                "import row failed",
                extra={
                    "import_id": import_id,
                    "row_number": row.row_number,
                    "error": outcome.error,
                },
            )

    return on_row


def confirm_options(
    context: Any, on_row: RowHook, *, lease_margin_seconds: int | None = None
) -> ConfirmOptions:
    """ConfirmOptions from the settings and the invocation's deadline.

    With `lease_margin_seconds`, the lease lasts as long as the invocation can still
    run plus that margin (an asynchronous retry then resumes soon after a crash);
    otherwise it is CONFIRM_LEASE_SECONDS.
    """
    cfg = settings()
    time_left = time_left_of(context)
    lease = cfg.confirm_lease_seconds
    if lease_margin_seconds is not None:
        run_for = time_left() if time_left is not None else cfg.confirm_lease_seconds
        lease = math.ceil(run_for) + lease_margin_seconds
    return ConfirmOptions(
        concurrency=cfg.confirm_concurrency,
        lease_seconds=lease,
        keep_seconds=cfg.confirmed_result_ttl_seconds,
        time_left=time_left,
        on_row=on_row,
    )
