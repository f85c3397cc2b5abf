"""Import, step two: confirm a validated session, exactly once and resumably.

Each row's action follows the contract's table (valid -> create; error ->
skipped; warning -> skipped, or updated with `override`), through the same
domain operations as the kind's create and update (for distributors, `POST
/distributors` and `PUT /distributors/{id}`).

Exactly once: the first confirm claims the session with a conditional write
and a lease; rows run in chunks by position and each chunk's outcomes are
stored before the next chunk starts. The same request again returns the stored
result; a cut-off confirm, asked again, skips the stored chunks and redoes at
most the one in flight, which is safe: a created row's id is derived from
(import id, row number), so its VAT guard is recognised as its own, and an
update rewrites the same fields.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import replace
from functools import partial

from orgimport.core.errors import Conflict
from orgimport.core.identity import Caller
from orgimport.imports.confirm.request import (
    CHUNK_ROWS,
    STOP_BEFORE_DEADLINE_SECONDS,
    ConfirmInProgress,
    ConfirmOptions,
    ConfirmRequest,
    ConfirmResult,
    check_resolutions,
    count_outcomes,
)
from orgimport.imports.confirm.rows import ChunkRunner
from orgimport.imports.confirm.workers import Workers
from orgimport.imports.kind import Kind, KindRecords
from orgimport.imports.owned_session import in_row_order, owned_session
from orgimport.imports.ports import SessionStore
from orgimport.imports.session import (
    ImportSession,
    RowOutcome,
    RowVerdict,
)

# --- the session: who may confirm it, and in which state ------------------------------


def _stored_result(session: ImportSession, request_hash: str) -> ConfirmResult:
    if session.request_hash != request_hash:
        raise Conflict(
            "import already confirmed with a different request",
            {"import_id": session.import_id, "status": session.status},
        )
    return ConfirmResult(
        import_id=session.import_id,
        total_rows=session.total_rows,
        outcomes=in_row_order(session, session.outcomes),
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


def confirm_import(
    sessions: SessionStore,
    kind: Kind,
    records: KindRecords,
    caller: Caller,
    request: ConfirmRequest,
    options: ConfirmOptions | None = None,
) -> ConfirmResult:
    """POST /<kind>/import/confirm.

    Returns the complete result (also when it was stored by an earlier run),
    or an incomplete one when the deadline came first: the same request again
    resumes. Raises 400 (unknown/expired session, other entity), 403 (another
    user's session) and 409 (a different body, or another confirm running).
    """
    opts = options or ConfirmOptions()
    wanted = request.request_hash
    now = int(opts.clock())
    session = owned_session(sessions, caller, request.import_id, now, kind.name)
    check_resolutions(request, session.rows)  # a bad resolution is a 400 in every state
    if session.status == "confirmed":
        return _stored_result(session, wanted)
    if session.status == "confirming":
        _refuse_running(session, wanted, now)
    keep_until = now + opts.keep_seconds
    if not sessions.begin_confirm(session.import_id, wanted, now, opts.lease_seconds, keep_until):
        # another confirm moved first: answer from the state it left
        session = owned_session(sessions, caller, request.import_id, now, kind.name)
        if session.status == "confirmed":
            return _stored_result(session, wanted)
        if session.status == "confirming":
            _refuse_running(session, wanted, now)
        raise ConfirmInProgress(
            "import confirm in progress: send the same request again shortly",
            {"import_id": session.import_id, "status": session.status},
        )
    return _run_rows(sessions, kind, records, caller, session, request, opts, keep_until)


def _out_of_time(opts: ConfirmOptions) -> bool:
    return opts.time_left is not None and opts.time_left() < STOP_BEFORE_DEADLINE_SECONDS


def _run_rows(
    sessions: SessionStore,
    kind: Kind,
    records: KindRecords,
    caller: Caller,
    session: ImportSession,
    request: ConfirmRequest,
    opts: ConfirmOptions,
    keep_until: int,
) -> ConfirmResult:
    run = _RowsRun(sessions, kind, caller, session, request, opts, keep_until)
    try:
        with Workers(opts.concurrency) as workers:
            runner = ChunkRunner(
                records,
                caller,
                session.import_id,
                request.override,
                workers.rows,
                workers.batches,
                storage_failure=kind.storage_failure,
                resolutions=dict(request.resolutions),
                resolution_key=kind.resolution_key,
            )
            if not run.chunks(workers, runner):
                return run.stopped()
    except Exception:
        # the pools are drained: free the lease so the same request can resume at once
        with suppress(Exception):
            sessions.release_lease(session.import_id, request.request_hash)
        raise
    return run.finished()


class _RowsRun:
    """One run of a claimed session's rows: chunk by chunk, each stored before it counts;
    the next chunk starts while the one before finishes (`chunks_in_flight`)."""

    def __init__(
        self,
        sessions: SessionStore,
        kind: Kind,
        caller: Caller,
        session: ImportSession,
        request: ConfirmRequest,
        opts: ConfirmOptions,
        keep_until: int,
    ):
        self.sessions, self.kind, self.caller = sessions, kind, caller
        self.session, self.opts, self.keep_until = session, opts, keep_until
        self.wanted = request.request_hash
        self.outcomes = dict(session.outcomes)  # row number -> outcome, stored ones first
        self.done_now: list[RowOutcome] = []
        self.in_flight: deque[tuple[list[RowVerdict], Future[list[RowOutcome]]]] = deque()

    def chunks(self, workers: Workers, runner: ChunkRunner) -> bool:
        """Run every chunk not stored yet; False: stopped before the deadline."""
        rows = self.session.rows
        started = False
        for index in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[index : index + CHUNK_ROWS]
            if all(r.row_number in self.outcomes for r in chunk):
                continue  # stored by an earlier, cut-off run
            if started and _out_of_time(self.opts):
                self._settle_all()
                return False
            if len(self.in_flight) >= workers.chunks_in_flight:
                self._settle_oldest()
            work = partial(self._run_and_store, runner, index // CHUNK_ROWS, chunk)
            self.in_flight.append((chunk, workers.start(work)))
            started = True
        self._settle_all()
        return True

    def _run_and_store(
        self, runner: ChunkRunner, index: int, chunk: list[RowVerdict]
    ) -> list[RowOutcome]:
        chunk_outcomes = runner.run(chunk)
        self.sessions.save_outcomes(self.session.import_id, index, chunk_outcomes, self.keep_until)
        return chunk_outcomes

    def _settle_oldest(self) -> None:
        chunk, stored = self.in_flight.popleft()
        for row, outcome in zip(chunk, stored.result(), strict=True):
            self.outcomes[row.row_number] = outcome
            self.done_now.append(outcome)
            if self.opts.on_row is not None:
                self.opts.on_row(row, outcome)

    def _settle_all(self) -> None:
        while self.in_flight:
            self._settle_oldest()

    def _result(self, complete: bool) -> ConfirmResult:
        return ConfirmResult(
            import_id=self.session.import_id,
            total_rows=self.session.total_rows,
            outcomes=in_row_order(self.session, self.outcomes),
            complete=complete,
            done_now=count_outcomes(self.done_now),
        )

    def stopped(self) -> ConfirmResult:
        """Cut off before the deadline: the lease is let go so the client's retry takes
        over at once instead of waiting it out."""
        self.sessions.release_lease(self.session.import_id, self.wanted)
        return self._result(complete=False)

    def finished(self) -> ConfirmResult:
        session = self.session
        try:
            self.sessions.finish_confirm(session.import_id, self.wanted, int(self.opts.clock()))
        except Conflict:
            # a run of the same request finished first (it took over a lease this run
            # outlived): its rows are this run's rows, so its stored result is the answer
            finished = owned_session(
                self.sessions,
                self.caller,
                session.import_id,
                int(self.opts.clock()),
                self.kind.name,
            )
            stored = _stored_result(finished, self.wanted)
            return replace(stored, replayed=False, done_now=count_outcomes(self.done_now))
        return self._result(complete=True)
