"""Import, step two: confirm a validated session, exactly once and resumably.

- `request`: what a confirm asks for and what it answers (request identity, result);
- `machine`: the session's state machine (claim, lease, chunks, replay, resume);
- `rows`: each row's action (create, update, skip) through the kind's writer;
- `workers`: the thread pools rows and chunks run in.
"""

from orgimport.imports.confirm.machine import confirm_import
from orgimport.imports.confirm.request import (
    BATCH_ROWS,
    CHUNK_ROWS,
    REASON_AMBIGUOUS_UNRESOLVED,
    REASON_ERROR,
    REASON_WARNING_NOT_OVERRIDDEN,
    ConfirmInProgress,
    ConfirmOptions,
    ConfirmRequest,
    ConfirmResult,
    confirm_request,
)
from orgimport.imports.session import row_record_id
from orgimport.imports.status import import_status

__all__ = [
    "BATCH_ROWS",
    "CHUNK_ROWS",
    "REASON_AMBIGUOUS_UNRESOLVED",
    "REASON_ERROR",
    "REASON_WARNING_NOT_OVERRIDDEN",
    "ConfirmInProgress",
    "ConfirmOptions",
    "ConfirmRequest",
    "ConfirmResult",
    "confirm_import",
    "confirm_request",
    "import_status",
    "row_record_id",
]
