"""Import, step two: confirm a validated session, exactly once and resumably.

Each row's action follows the contract's table (valid -> create; error ->
skipped; warning -> skipped, or updated with `override`), through the same
domain operations as `POST /distributors` and `PUT /distributors/{id}`.

Exactly once: the first confirm claims the session with a conditional write
and a lease; rows run in chunks by position and each chunk's outcomes are
stored before the next chunk starts. The same request again returns the stored
result; a cut-off confirm, asked again, skips the stored chunks and redoes at
most the one in flight, which is safe: a created row's id is derived from
(import id, row number), so its VAT guard is recognised as its own, and an
update rewrites the same fields.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from orgimport.columns import COLUMN_TO_FIELD, DISTRIBUTOR_COLUMNS
from orgimport.distributor import Distributor
from orgimport.distributors import (
    Mapper,
    NewDistributor,
    create_distributors,
    overwrite_distributor,
)
from orgimport.errors import (
    BadRequest,
    Conflict,
    DomainError,
    NotAllowed,
    NotFound,
    ValidationFailed,
    VatTaken,
)
from orgimport.identity import Caller
from orgimport.import_session import (
    ENTITY_DISTRIBUTORS,
    ImportSession,
    OutcomeStatus,
    RowOutcome,
    RowVerdict,
)
from orgimport.storage.distributors_repo import DistributorRepository

T = TypeVar("T")
R = TypeVar("R")

# Rows per stored RESULT part: the unit of durable progress. 200 keeps a 1000-row
# confirm at five outcome writes (the bookkeeping budget is ten requests).
CHUNK_ROWS = 200
# One create_distributors call per BatchWriteItem, so a failed batch fails only its rows.
BATCH_ROWS = 25
# A chunk is not started with less time than this left before the function's deadline.
STOP_BEFORE_DEADLINE_SECONDS = 8.0
# Chunks run at once (concurrency > 1): the next one's rows overlap this one's tail and save.
CHUNKS_IN_FLIGHT = 2
# uuid5 namespace of the ids of distributors created by an import row.
ROW_ID_NAMESPACE = uuid.UUID("6f1d3c9e-2b1a-5c4e-9f0d-8a7b6c5d4e3f")

REASON_ERROR = "error"
REASON_WARNING_NOT_OVERRIDDEN = "warning_not_overridden"
OUTCOME_STATUSES: tuple[OutcomeStatus, ...] = ("created", "updated", "skipped", "failed")

# distributor field -> the CSV column it comes from ("custom_data.vat" -> "vat": "vat_number")
_COLUMN_OF_FIELD = {path.rsplit(".", 1)[-1]: column for column, path in COLUMN_TO_FIELD.items()}

STORAGE_FAILURE = (
    "the distributor could not be saved because of a storage error; this row was not imported"
)


class SessionStore(Protocol):
    """What confirm needs from the session storage (orgimport.storage.sessions_repo)."""

    def load(self, import_id: str, now: int) -> ImportSession: ...

    def begin_confirm(
        self, import_id: str, request_hash: str, now: int, lease_seconds: int, keep_until: int
    ) -> bool: ...

    def save_outcomes(
        self, import_id: str, chunk_index: int, outcomes: list[RowOutcome], expires_at: int
    ) -> None: ...

    def finish_confirm(self, import_id: str, request_hash: str, now: int) -> None: ...

    def release_lease(self, import_id: str, request_hash: str) -> None: ...


class ConfirmInProgress(Conflict):
    """Another confirm of this session holds its lease (409)."""

    message = "import confirm in progress"


class RowWriteFailed(DomainError):
    """A row's write failed for a reason other than the rules (a storage error)."""

    message = STORAGE_FAILURE

    def __init__(self, cause: BaseException):
        super().__init__(STORAGE_FAILURE)
        self.cause = cause


@dataclass(frozen=True)
class ConfirmRequest:
    """The normalised body of POST /distributors/import/confirm.

    `resolutions` is not applicable to distributors: accepted, ignored, and
    left out of the request hash (it cannot change the result).
    """

    import_id: str
    override: bool = False

    @property
    def request_hash(self) -> str:
        canonical = {"import_id": str(self.import_id).lower(), "override": bool(self.override)}
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ConfirmOptions:
    concurrency: int = 1  # rows written at once (1 = one after another)
    lease_seconds: int = 40  # longer than the function can run
    keep_seconds: int = 86400  # how long the confirmed result stays readable
    clock: Callable[[], float] = time.time
    # seconds left before the caller must answer; None = no deadline
    time_left: Callable[[], float] | None = None
    # called once per row this run completed, after its chunk was stored
    on_row: Callable[[RowVerdict, RowOutcome], None] | None = None


@dataclass(frozen=True)
class ConfirmResult:
    import_id: str
    total_rows: int
    outcomes: list[RowOutcome]  # rows done so far, in row order
    complete: bool = True  # False: stopped before the deadline, the same request resumes
    done_now: dict[str, int] = field(default_factory=dict)  # outcomes this run produced
    replayed: bool = False  # the stored result of an earlier confirm

    def counters(self) -> dict[str, int]:
        return _count(self.outcomes)

    def as_json(self) -> dict[str, Any]:
        """`data` of the 200 response (complete) or of the 202 (stopped early)."""
        out: dict[str, Any] = {"import_id": self.import_id, **self.counters()}
        out["total_rows"] = self.total_rows
        if self.complete:
            out["results"] = [o.as_json() for o in self.outcomes]
        else:
            out["status"] = "confirming"
            out["processed_rows"] = len(self.outcomes)
        return out


def _count(outcomes: Iterable[RowOutcome]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(OUTCOME_STATUSES, 0)
    for o in outcomes:
        counts[o.status] += 1
    return counts


def row_distributor_id(import_id: str, row_number: int) -> str:
    """The id a created row's distributor gets: the same on every retry of the import."""
    return str(uuid.uuid5(ROW_ID_NAMESPACE, f"{import_id.lower()}:{row_number}"))


# --- the session: who may confirm it, and in which state ------------------------------


def _owned_session(
    sessions: SessionStore, caller: Caller, import_id: str, now: int
) -> ImportSession:
    session = sessions.load(import_id, now)
    if not session.is_owned_by(caller):
        # the same sub in another organization, or a token posing as the S3 actor
        raise NotAllowed("forbidden: this import belongs to another user")
    if session.entity_type != ENTITY_DISTRIBUTORS:
        raise BadRequest(
            "import session is not a distributors import",
            {"import_id": import_id, "entity_type": session.entity_type},
        )
    return session


def _stored_result(session: ImportSession, request_hash: str) -> ConfirmResult:
    if session.request_hash != request_hash:
        raise Conflict(
            "import already confirmed with a different request",
            {"import_id": session.import_id, "status": session.status},
        )
    return ConfirmResult(
        import_id=session.import_id,
        total_rows=session.total_rows,
        outcomes=_in_row_order(session, session.outcomes),
        replayed=True,
    )


def _refuse_running(session: ImportSession, request_hash: str, now: int) -> None:
    """A confirming session: 409 for another body, 409 while its lease runs."""
    if session.request_hash != request_hash:
        raise Conflict(
            "import confirm already started with a different request",
            {"import_id": session.import_id, "status": session.status},
        )
    lease_until = session.lease_until or 0
    if lease_until >= now:
        raise ConfirmInProgress(
            "import confirm in progress: send the same request again after retry_after_seconds",
            {
                "import_id": session.import_id,
                "status": session.status,
                "retry_after_seconds": lease_until - now + 1,
            },
        )


def _in_row_order(session: ImportSession, outcomes: dict[int, RowOutcome]) -> list[RowOutcome]:
    return [outcomes[r.row_number] for r in session.rows if r.row_number in outcomes]


# --- rows -----------------------------------------------------------------------------


def _readable(exc: BaseException) -> str:
    """The sentence a client reads for a failed row."""
    if isinstance(exc, VatTaken):
        return f"VAT {exc.vat} is already held by another distributor"
    if isinstance(exc, ValidationFailed):
        broken = ", ".join(f"{e.key} {e.message.replace('_', ' ')}" for e in exc.errors)
        return f"the row breaks the distributor rules: {broken}"
    if isinstance(exc, DomainError):
        return exc.message
    return STORAGE_FAILURE


def _failed(row: RowVerdict, exc: BaseException) -> RowOutcome:
    return RowOutcome(row.row_number, "failed", error=_readable(exc))


def _isolated(mapper: Mapper) -> Mapper:
    """A map that turns each item's unexpected exception into that item's DomainError,
    so one row's storage error fails that row and the others go on."""

    def safe(fn: Callable[[T], R]) -> Callable[[T], R | RowWriteFailed]:
        def call(item: T) -> R | RowWriteFailed:
            try:
                return fn(item)
            except Exception as exc:
                return RowWriteFailed(exc)

        return call

    def run(fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return mapper(safe(fn), items)

    return run


class _ChunkRunner:
    """Runs one chunk's writes: creates in batches of 25, updates one by one, all
    under the same bound on concurrent rows."""

    def __init__(
        self,
        repo: DistributorRepository,
        caller: Caller,
        import_id: str,
        override: bool,
        row_map: Mapper,
        batch_map: Mapper,
    ):
        self.repo = repo
        self.caller = caller
        self.import_id = import_id
        self.override = override
        self.row_map = _isolated(row_map)
        self.batch_map = batch_map

    def run(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        done: dict[int, RowOutcome] = {}
        creates: list[RowVerdict] = []
        updates: list[RowVerdict] = []
        for row in rows:
            if row.status == "valid":
                creates.append(row)
            elif row.status == "warning" and self.override:
                updates.append(row)
            elif row.status == "warning":
                done[row.row_number] = RowOutcome(
                    row.row_number, "skipped", reason=REASON_WARNING_NOT_OVERRIDDEN
                )
            else:
                done[row.row_number] = RowOutcome(row.row_number, "skipped", reason=REASON_ERROR)
        batches = [creates[i : i + BATCH_ROWS] for i in range(0, len(creates), BATCH_ROWS)]
        # updates first in the row map, so they overlap the batches' claims
        pending_updates = self.row_map(self._update, updates)
        for batch in self.batch_map(self._create_batch, batches):
            done.update((o.row_number, o) for o in batch)
        for row, outcome in zip(updates, pending_updates, strict=True):
            if isinstance(outcome, RowWriteFailed):
                outcome = _failed(row, outcome)
            done[row.row_number] = outcome
        return [done[r.row_number] for r in rows]

    def _create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        requests = [
            NewDistributor(row.fields(), row_distributor_id(self.import_id, row.row_number))
            for row in rows
        ]
        try:
            results = create_distributors(self.repo, self.caller, requests, run=self.row_map)
        except Exception as exc:
            # the batch write failed: its guards were released, none of its rows is imported
            return [_failed(row, RowWriteFailed(exc)) for row in rows]
        return [self._created(row, result) for row, result in zip(rows, results, strict=True)]

    @staticmethod
    def _created(row: RowVerdict, result: Distributor | DomainError) -> RowOutcome:
        if isinstance(result, Distributor):
            return RowOutcome(row.row_number, "created", id=result.id)
        return _failed(row, result)

    def _update(self, row: RowVerdict) -> RowOutcome:
        if not row.existing_id or not row.existing_vat_key:
            return _failed(row, NotFound("the distributor holding this VAT is unknown"))
        try:
            done = overwrite_distributor(
                self.repo,
                row.existing_id,
                row.fields(),
                row.existing_vat_key,
                # validate saw an identical row: read first, so a no-op writes nothing
                expect_unchanged=row.changes == {},
            )
        except DomainError as exc:
            return _failed(row, exc)
        changed = _columns(done.changed)
        if not changed and row.changes:
            # nothing left to write, yet validate saw changes: an earlier, cut-off run of
            # this confirm wrote them (its outcome was not stored), so they are this row's
            changed = tuple(c for c in DISTRIBUTOR_COLUMNS if c in row.changes)
        return RowOutcome(row.row_number, "updated", id=done.distributor.id, changed_fields=changed)


def _columns(changed: tuple[str, ...]) -> tuple[str, ...]:
    """Changed distributor fields as CSV columns, in column order."""
    columns = {_COLUMN_OF_FIELD[name] for name in changed}
    return tuple(c for c in DISTRIBUTOR_COLUMNS if c in columns)


class _Workers:
    """The thread pools of one confirm: `rows` bounds the rows in flight, `batches` lets
    a chunk's batches claim and write side by side, `chunks` keeps the next chunk's rows
    flowing while one finishes and is stored. Concurrency 1 uses none: all runs inline."""

    def __init__(self, concurrency: int):
        self.concurrency = max(1, concurrency)
        self.chunks_in_flight = 1 if self.concurrency == 1 else CHUNKS_IN_FLIGHT
        self._stack = ExitStack()
        self.rows: Mapper = map
        self.batches: Mapper = map
        self._chunks: ThreadPoolExecutor | None = None

    def __enter__(self) -> _Workers:
        if self.concurrency > 1:
            enter = self._stack.enter_context
            rows = enter(ThreadPoolExecutor(self.concurrency, thread_name_prefix="confirm-row"))
            groups = -(-CHUNK_ROWS // BATCH_ROWS) * self.chunks_in_flight
            batches = enter(ThreadPoolExecutor(groups, thread_name_prefix="confirm-batch"))
            self._chunks = enter(
                ThreadPoolExecutor(self.chunks_in_flight, thread_name_prefix="confirm-chunk")
            )
            self.rows = rows.map
            self.batches = batches.map
        return self

    def start(self, work: Callable[[], R]) -> Future[R]:
        """Run a chunk: in the chunk pool, or at once when there is none."""
        if self._chunks is not None:
            return self._chunks.submit(work)
        done: Future[R] = Future()
        done.set_result(work())
        return done

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


# --- the operation ----------------------------------------------------------------------


def confirm_import(
    sessions: SessionStore,
    repo: DistributorRepository,
    caller: Caller,
    request: ConfirmRequest,
    options: ConfirmOptions | None = None,
) -> ConfirmResult:
    """POST /distributors/import/confirm.

    Returns the complete result (also when it was stored by an earlier run),
    or an incomplete one when the deadline came first: the same request again
    resumes. Raises 400 (unknown/expired session, other entity), 403 (another
    user's session) and 409 (a different body, or another confirm running).
    """
    opts = options or ConfirmOptions()
    wanted = request.request_hash
    now = int(opts.clock())
    session = _owned_session(sessions, caller, request.import_id, now)
    if session.status == "confirmed":
        return _stored_result(session, wanted)
    if session.status == "confirming":
        _refuse_running(session, wanted, now)
    keep_until = now + opts.keep_seconds
    if not sessions.begin_confirm(session.import_id, wanted, now, opts.lease_seconds, keep_until):
        # another confirm moved first: answer from the state it left
        session = _owned_session(sessions, caller, request.import_id, now)
        if session.status == "confirmed":
            return _stored_result(session, wanted)
        if session.status == "confirming":
            _refuse_running(session, wanted, now)
        raise ConfirmInProgress(
            "import confirm in progress: send the same request again shortly",
            {"import_id": session.import_id, "status": session.status},
        )
    return _run_rows(sessions, repo, caller, session, request, opts, keep_until)


def _out_of_time(opts: ConfirmOptions) -> bool:
    return opts.time_left is not None and opts.time_left() < STOP_BEFORE_DEADLINE_SECONDS


def _run_rows(
    sessions: SessionStore,
    repo: DistributorRepository,
    caller: Caller,
    session: ImportSession,
    request: ConfirmRequest,
    opts: ConfirmOptions,
    keep_until: int,
) -> ConfirmResult:
    wanted = request.request_hash
    outcomes = dict(session.outcomes)
    done_now: list[RowOutcome] = []
    rows = session.rows
    chunks = [rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)]
    in_flight: deque[tuple[list[RowVerdict], Future[list[RowOutcome]]]] = deque()

    def settle_oldest() -> None:
        chunk, stored = in_flight.popleft()
        for row, outcome in zip(chunk, stored.result(), strict=True):
            outcomes[row.row_number] = outcome
            done_now.append(outcome)
            if opts.on_row is not None:
                opts.on_row(row, outcome)

    try:
        with _Workers(opts.concurrency) as workers:
            runner = _ChunkRunner(
                repo, caller, session.import_id, request.override, workers.rows, workers.batches
            )

            def run_and_store(index: int, chunk: list[RowVerdict]) -> list[RowOutcome]:
                chunk_outcomes = runner.run(chunk)
                sessions.save_outcomes(session.import_id, index, chunk_outcomes, keep_until)
                return chunk_outcomes

            started = False
            for index, chunk in enumerate(chunks):
                if all(r.row_number in outcomes for r in chunk):
                    continue  # stored by an earlier, cut-off run
                if started and _out_of_time(opts):
                    while in_flight:
                        settle_oldest()
                    # let the client's retry take over at once instead of waiting out the lease
                    sessions.release_lease(session.import_id, wanted)
                    return ConfirmResult(
                        import_id=session.import_id,
                        total_rows=session.total_rows,
                        outcomes=_in_row_order(session, outcomes),
                        complete=False,
                        done_now=_count(done_now),
                    )
                if len(in_flight) >= workers.chunks_in_flight:
                    settle_oldest()
                in_flight.append((chunk, workers.start(partial(run_and_store, index, chunk))))
                started = True
            while in_flight:
                settle_oldest()
    except Exception:
        # the pools are drained: free the lease so the same request can resume at once
        with suppress(Exception):
            sessions.release_lease(session.import_id, wanted)
        raise
    try:
        sessions.finish_confirm(session.import_id, wanted, int(opts.clock()))
    except Conflict:
        # a run of the same request finished first (it took over a lease this run outlived):
        # its rows are this run's rows, so its stored result is the answer
        finished = _owned_session(sessions, caller, session.import_id, int(opts.clock()))
        stored = _stored_result(finished, wanted)
        return replace(stored, replayed=False, done_now=_count(done_now))
    return ConfirmResult(
        import_id=session.import_id,
        total_rows=session.total_rows,
        outcomes=_in_row_order(session, outcomes),
        done_now=_count(done_now),
    )


# --- GET /distributors/import/{import_id} -----------------------------------------------


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def import_status(
    sessions: SessionStore, caller: Caller, import_id: str, now: int
) -> dict[str, Any]:
    """A session's state and counters; once confirmed, its results too.

    Unknown, expired or not a distributors import -> 404 (a GET of a resource
    that is not there); another user's -> 403.
    """
    try:
        session = _owned_session(sessions, caller, import_id, now)
    except BadRequest:  # unknown, expired, or another entity's session
        raise NotFound("import session not found or expired") from None
    data: dict[str, Any] = {
        **session.summary(),
        "status": session.status,
        "expires_at": _iso(session.expires_at),
    }
    if session.status in ("confirming", "confirmed"):
        done = _in_row_order(session, session.outcomes)
        data.update(_count(done))
        data["processed_rows"] = len(done)
    if session.status == "confirmed":
        data["results"] = [o.as_json() for o in _in_row_order(session, session.outcomes)]
    return data


__all__ = [
    "BATCH_ROWS",
    "CHUNK_ROWS",
    "REASON_ERROR",
    "REASON_WARNING_NOT_OVERRIDDEN",
    "ConfirmInProgress",
    "ConfirmOptions",
    "ConfirmRequest",
    "ConfirmResult",
    "SessionStore",
    "confirm_import",
    "import_status",
    "row_distributor_id",
]
