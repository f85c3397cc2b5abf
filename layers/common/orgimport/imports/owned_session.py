"""The session a caller may act on, and its outcomes in row order."""

from __future__ import annotations

from orgimport.core.errors import BadRequest, NotAllowed
from orgimport.core.identity import Caller
from orgimport.imports.ports import SessionStore
from orgimport.imports.session import ImportSession, RowOutcome


def owned_session(
    sessions: SessionStore, caller: Caller, import_id: str, now: int, entity: str
) -> ImportSession:
    """The session, if the caller made it and it imports `entity` (a kind's name)."""
    session = sessions.load(import_id, now)
    if not session.is_owned_by(caller):
        # the same sub in another organization, or a token posing as the S3 actor
        raise NotAllowed("forbidden: this import belongs to another user")
    if session.entity_type != entity:
        raise BadRequest(
            f"import session is not a {entity} import",
            {"import_id": import_id, "entity_type": session.entity_type},
        )
    return session


def in_row_order(session: ImportSession, outcomes: dict[int, RowOutcome]) -> list[RowOutcome]:
    return [outcomes[r.row_number] for r in session.rows if r.row_number in outcomes]


# --- the operation ----------------------------------------------------------------------
