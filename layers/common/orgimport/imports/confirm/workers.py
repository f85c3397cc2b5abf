"""The thread pools of one confirm."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import TypeVar

from orgimport.core.mapper import Mapper
from orgimport.imports.confirm.request import BATCH_ROWS, CHUNK_ROWS, CHUNKS_IN_FLIGHT

T = TypeVar("T")
R = TypeVar("R")


class Workers:
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

    def __enter__(self) -> Workers:
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
