"""Import sessions in DynamoDB.

A session is several items under one partition (pk = import id):

- `META`: owner (actor kind, user, organization), entity type, status and the
  confirm bookkeeping. Its `expires_at` is the session's life: every read checks
  it, because native TTL deletes expired items late (typically within 48 hours).
- `ROWS#nnnn`: the rows' verdicts, zlib-compressed JSON.
- `RESULT#nnnn`: confirm's outcomes, one part per chunk of rows, written
  as each chunk completes so a cut-off confirm resumes where it stopped.

A part is split by size, not by row count: one row's verdict may be bigger than an
item (a 300 KiB cell is echoed in `data` and in its `too_long` values), so a
compressed part longer than one item continues in `<part>/<digest>/nnn` items. The
part's own item (its head) is written last and names how many pieces it has and
the digest of the whole, so a head is never visible before its pieces, and pieces
left by a run that died (or raced) before its head are never read.

Parts carry a TTL at least as long as the META that governs them.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from orgimport.core.errors import Conflict, SessionExpired, SessionNotFound
from orgimport.core.identity import ACTOR_S3, ACTOR_USER
from orgimport.imports.ports import SessionExists
from orgimport.imports.session import ImportSession, RowOutcome, RowVerdict, SourceFile
from orgimport.storage.conditions import condition_failed
from orgimport.storage.models import SessionPartItem

META = "META"
ROWS = "ROWS#"
RESULT = "RESULT#"
PIECE_SEPARATOR = "/"
# DynamoDB takes 400 KB per item; a piece's payload leaves room for its keys and attributes
ITEM_MAX_BYTES = 350_000
_PIECE_BYTES = ITEM_MAX_BYTES - 2_000
# rows outlive a validated session's META so a confirm that started late can still resume
_ROWS_GRACE_SECONDS = 2 * 86400
# sessions stored before META named its actor: an S3 import's source is its object
_S3_SOURCE = "s3://"


def _pack(obj: Any) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:32]


def _piece_key(part: str, digest: str, index: int) -> str:
    return f"{part}{PIECE_SEPARATOR}{digest}{PIECE_SEPARATOR}{index:03d}"


def _items(
    pk: str, part: str, blob: bytes, expires_at: int
) -> tuple[list[SessionPartItem], SessionPartItem]:
    """The items one compressed part takes: its continuation pieces (written first)
    and its head (written last)."""
    chunks = [blob[i : i + _PIECE_BYTES] for i in range(0, len(blob), _PIECE_BYTES)] or [b""]
    if len(chunks) == 1:
        return [], SessionPartItem(pk=pk, sk=part, expires_at=expires_at, payload=blob)
    digest = _digest(blob)
    rest = [
        SessionPartItem(pk=pk, sk=_piece_key(part, digest, i), expires_at=expires_at, payload=chunk)
        for i, chunk in enumerate(chunks[1:], start=1)
    ]
    head = SessionPartItem(
        pk=pk,
        sk=part,
        expires_at=expires_at,
        payload=chunks[0],
        pieces=len(chunks),
        digest=digest,
    )
    return rest, head


def _batch_save(items: Iterable[SessionPartItem]) -> None:
    """BatchWriteItem, 25 items a call (pynamodb flushes at 25): at most 25 x 350 KB,
    under the call's 16 MB limit even base64-encoded."""
    with SessionPartItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def _assembled(head: SessionPartItem, pieces: dict[str, bytes]) -> bytes | None:
    """A part's whole blob, or None while a piece is missing (or not the head's)."""
    count = int(head.pieces or 1)
    first = head.payload or b""
    if count == 1:
        return first
    digest = head.digest or ""
    found = [pieces.get(_piece_key(head.sk, digest, i)) for i in range(1, count)]
    if any(p is None for p in found):
        return None
    blob = first + b"".join(p for p in found if p is not None)
    return blob if _digest(blob) == digest else None


def _verdicts(rows: dict[str, SessionPartItem], pieces: dict[str, bytes]) -> list[RowVerdict]:
    verdicts: list[RowVerdict] = []
    for sk in sorted(rows):
        blob = _assembled(rows[sk], pieces)
        if blob is None:
            raise SessionNotFound()  # cannot happen short of TTL: heads are written last
        verdicts.extend(RowVerdict.from_store(raw) for raw in _unpack(blob))
    return verdicts


def _outcomes(
    results: dict[str, SessionPartItem], pieces: dict[str, bytes]
) -> dict[int, RowOutcome]:
    outcomes: dict[int, RowOutcome] = {}
    for sk in sorted(results):
        blob = _assembled(results[sk], pieces)
        if blob is None:
            continue  # a chunk without all its pieces is not done: confirm redoes it
        for raw in _unpack(blob):
            outcome = RowOutcome.from_json(raw)
            outcomes[outcome.row_number] = outcome
    return outcomes


def _actor_of(meta: SessionPartItem) -> str:
    if meta.actor:
        return meta.actor
    return ACTOR_S3 if (meta.source or "").startswith(_S3_SOURCE) else ACTOR_USER


class SessionRepository:
    def save_new(self, session: ImportSession) -> None:
        """Write a new session: row parts first (batched), META last with a
        conditional put, so a half-written session is never visible and an
        import id is used once (SessionExists otherwise)."""
        rows_expire = session.expires_at + _ROWS_GRACE_SECONDS
        blob = _pack([row.to_store() for row in session.rows])
        rest, head = _items(session.import_id, f"{ROWS}0000", blob, rows_expire)
        if rest:
            _batch_save(rest)
        _batch_save([head])
        meta = SessionPartItem(
            pk=session.import_id,
            sk=META,
            expires_at=session.expires_at,
            status=session.status,
            entity_type=session.entity_type,
            actor=session.actor,
            user_id=session.user_id,
            org_id=session.org_id,
            created_at=session.created_at,
            source=session.source,
            row_parts=1,
            file_shape=json.dumps(session.file.as_json()) if session.file else None,
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
        rows: dict[str, SessionPartItem] = {}
        results: dict[str, SessionPartItem] = {}
        pieces: dict[str, bytes] = {}
        for item in SessionPartItem.query(import_id, consistent_read=True):
            if item.sk == META:
                meta = item
            elif PIECE_SEPARATOR in item.sk:
                pieces[item.sk] = item.payload or b""
            elif item.sk.startswith(ROWS):
                rows[item.sk] = item
            elif item.sk.startswith(RESULT):
                results[item.sk] = item
        if meta is None or len(rows) != int(meta.row_parts or 0):
            raise SessionNotFound()
        if now >= int(meta.expires_at):
            raise SessionExpired()
        return ImportSession(
            import_id=import_id,
            entity_type=meta.entity_type or "",
            actor=_actor_of(meta),
            user_id=meta.user_id or "",
            org_id=meta.org_id or "",
            created_at=int(meta.created_at or 0),
            expires_at=int(meta.expires_at),
            rows=_verdicts(rows, pieces),
            status=meta.status,  # type: ignore[arg-type]
            source=meta.source,
            file=SourceFile.from_json(json.loads(meta.file_shape)) if meta.file_shape else None,
            request_hash=meta.request_hash,
            lease_until=int(meta.lease_until) if meta.lease_until is not None else None,
            outcomes=_outcomes(results, pieces),
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
        """Store one chunk's outcomes durably: one PutItem, after its pieces when the
        chunk is bigger than an item."""
        blob = _pack([o.as_json() for o in outcomes])
        rest, head = _items(import_id, f"{RESULT}{chunk_index:04d}", blob, expires_at)
        if rest:
            _batch_save(rest)
        head.save()

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
