"""Import sessions in DynamoDB.

A session is several items under one partition (pk = import id):

- `META`: owner, entity type, status and the confirm bookkeeping. Its
  `expires_at` is the session's life: every read checks it, because native
  TTL deletes expired items late (typically within 48 hours).
- `ROWS#nnnn`: the rows' verdicts, zlib-compressed JSON, split so that no
  item comes near DynamoDB's 400 KB.
- `RESULT#nnnn`: confirm's outcomes, one part per chunk of rows, written
  as each chunk completes so a cut-off confirm resumes where it stopped.

Parts carry a TTL at least as long as the META that governs them.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from orgimport.errors import Conflict, SessionExpired, SessionNotFound
from orgimport.import_session import ImportSession, RowOutcome, RowVerdict
from orgimport.storage.conditions import condition_failed
from orgimport.storage.models import SessionPartItem

META = "META"
ROWS = "ROWS#"
RESULT = "RESULT#"
_PART_TARGET_BYTES = 1_000_000  # uncompressed JSON per ROWS part before compression
_PART_MAX_BYTES = 350_000  # compressed; leaves room under the 400 KB item limit
# rows outlive a validated session's META so a confirm that started late can still resume
_ROWS_GRACE_SECONDS = 2 * 86400


class SessionExists(Conflict):
    message = "import session already exists"


def _pack(obj: Any) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


def _row_parts(rows: list[RowVerdict]) -> list[bytes]:
    """Rows packed into compressed parts, each under _PART_MAX_BYTES."""
    groups: list[list[dict[str, Any]]] = [[]]
    size = 0
    for row in rows:
        stored = row.to_store()
        length = len(json.dumps(stored, ensure_ascii=False).encode())
        if groups[-1] and size + length > _PART_TARGET_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(stored)
        size += length
    parts: list[bytes] = []
    pending = list(reversed(groups))
    while pending:
        group = pending.pop()
        blob = _pack(group)
        if len(blob) > _PART_MAX_BYTES and len(group) > 1:
            half = len(group) // 2
            pending.extend([group[half:], group[:half]])  # halves, in order
            continue
        parts.append(blob)
    return parts


class SessionRepository:
    def save_new(self, session: ImportSession) -> None:
        """Write a new session: row parts first (batched), META last with a
        conditional put, so a half-written session is never visible and an
        import id is used once (SessionExists otherwise)."""
        parts = _row_parts(session.rows)
        rows_expire = session.expires_at + _ROWS_GRACE_SECONDS
        with SessionPartItem.batch_write() as batch:
            for i, blob in enumerate(parts):
                batch.save(
                    SessionPartItem(
                        pk=session.import_id,
                        sk=f"{ROWS}{i:04d}",
                        expires_at=rows_expire,
                        payload=blob,
                    )
                )
        meta = SessionPartItem(
            pk=session.import_id,
            sk=META,
            expires_at=session.expires_at,
            status=session.status,
            entity_type=session.entity_type,
            user_id=session.user_id,
            org_id=session.org_id,
            created_at=session.created_at,
            source=session.source,
            row_parts=len(parts),
        )
        try:
            meta.save(condition=SessionPartItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                raise SessionExists() from None
            raise

    def load(self, import_id: str, now: int) -> ImportSession:
        """The whole session in one (paged) Query; unknown or past its life -> 400 errors."""
        meta: SessionPartItem | None = None
        rows: dict[str, bytes] = {}
        results: dict[str, bytes] = {}
        for item in SessionPartItem.query(import_id, consistent_read=True):
            if item.sk == META:
                meta = item
            elif item.sk.startswith(ROWS) and item.payload is not None:
                rows[item.sk] = item.payload
            elif item.sk.startswith(RESULT) and item.payload is not None:
                results[item.sk] = item.payload
        if meta is None or len(rows) != int(meta.row_parts or 0):
            raise SessionNotFound()
        if now >= int(meta.expires_at):
            raise SessionExpired()
        verdicts = [RowVerdict.from_store(r) for sk in sorted(rows) for r in _unpack(rows[sk])]
        outcomes = {
            o.row_number: o
            for sk in sorted(results)
            for o in (RowOutcome.from_json(raw) for raw in _unpack(results[sk]))
        }
        return ImportSession(
            import_id=import_id,
            entity_type=meta.entity_type or "",
            user_id=meta.user_id or "",
            org_id=meta.org_id or "",
            created_at=int(meta.created_at or 0),
            expires_at=int(meta.expires_at),
            rows=verdicts,
            status=meta.status,  # type: ignore[arg-type]
            source=meta.source,
            request_hash=meta.request_hash,
            lease_until=int(meta.lease_until) if meta.lease_until is not None else None,
            outcomes=outcomes,
        )

    def exists(self, import_id: str) -> bool:
        """Whether a session's META was ever written (expired or not)."""
        return (
            SessionPartItem.count(import_id, SessionPartItem.sk == META, consistent_read=True) > 0
        )

    def begin_confirm(
        self, import_id: str, request_hash: str, now: int, lease_seconds: int, keep_until: int
    ) -> bool:
        """Claim the session for a confirm with one conditional write.

        Wins when the session is still `validated` and alive, or when a confirm
        of the same request was cut off and its lease ran out (a resume).
        False when the condition failed: the caller reloads and decides.
        """
        fresh = (SessionPartItem.status == "validated") & (SessionPartItem.expires_at > now)
        takeover = (
            (SessionPartItem.status == "confirming")
            & (SessionPartItem.request_hash == request_hash)
            & (SessionPartItem.lease_until < now)
        )
        try:
            SessionPartItem(pk=import_id, sk=META).update(
                actions=[
                    SessionPartItem.status.set("confirming"),
                    SessionPartItem.request_hash.set(request_hash),
                    SessionPartItem.lease_until.set(now + lease_seconds),
                    SessionPartItem.expires_at.set(keep_until),
                ],
                condition=SessionPartItem.pk.exists() & (fresh | takeover),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def save_outcomes(
        self, import_id: str, chunk_index: int, outcomes: list[RowOutcome], expires_at: int
    ) -> None:
        """Store one chunk's outcomes durably (one PutItem)."""
        SessionPartItem(
            pk=import_id,
            sk=f"{RESULT}{chunk_index:04d}",
            expires_at=expires_at,
            payload=_pack([o.as_json() for o in outcomes]),
        ).save()

    def finish_confirm(self, import_id: str, request_hash: str, now: int) -> None:
        """Mark the session confirmed (only by the confirm that holds it)."""
        try:
            SessionPartItem(pk=import_id, sk=META).update(
                actions=[
                    SessionPartItem.status.set("confirmed"),
                    SessionPartItem.lease_until.set(now),
                ],
                condition=(SessionPartItem.status == "confirming")
                & (SessionPartItem.request_hash == request_hash),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                raise Conflict("import session was confirmed by another request") from None
            raise

    def release_lease(self, import_id: str, request_hash: str) -> None:
        """End a confirm's lease early (it stopped before its deadline), so the same
        request sent again resumes at once; a no-op when the session moved on."""
        try:
            SessionPartItem(pk=import_id, sk=META).update(
                actions=[SessionPartItem.lease_until.set(0)],
                condition=(SessionPartItem.status == "confirming")
                & (SessionPartItem.request_hash == request_hash),
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
