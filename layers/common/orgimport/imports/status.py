"""GET /<kind>/import/{import_id}: a session's state, counters and results (read only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from orgimport.core.errors import (
    BadRequest,
    NotFound,
)
from orgimport.core.identity import Caller
from orgimport.imports.confirm.request import count_outcomes
from orgimport.imports.owned_session import in_row_order, owned_session
from orgimport.imports.ports import SessionStore
from orgimport.imports.session import ImportSession


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def readable_session(
    sessions: SessionStore, caller: Caller, import_id: str, now: int, entity: str
) -> ImportSession:
    """The caller's session of `entity` (a kind's name), for a read: unknown, expired or
    another kind's -> 404 (a GET of a resource that is not there); another user's -> 403."""
    try:
        return owned_session(sessions, caller, import_id, now, entity)
    except BadRequest:  # unknown, expired, or another entity's session
        raise NotFound("import session not found or expired") from None


def import_status(
    sessions: SessionStore, caller: Caller, import_id: str, now: int, entity: str
) -> dict[str, Any]:
    """A session's state and counters; once confirmed, its results too (see
    `readable_session` for who reads it)."""
    session = readable_session(sessions, caller, import_id, now, entity)
    data: dict[str, Any] = {
        **session.summary(),
        "status": session.status,
        "expires_at": _iso(session.expires_at),
    }
    if session.status in ("confirming", "confirmed"):
        done = in_row_order(session, session.outcomes)
        data.update(count_outcomes(done))
        data["processed_rows"] = len(done)
    if session.status == "confirmed":
        data["results"] = [o.as_json() for o in in_row_order(session, session.outcomes)]
    return data
