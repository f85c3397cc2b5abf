"""Each row's action: create, update or skip, as the contract's table says.

The pipeline sorts a chunk's rows by action and bounds how many run at once; the
kind's `RowWriter` does the writes and words each row's outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from orgimport.core.errors import DomainError
from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.imports.confirm.request import (
    BATCH_ROWS,
    REASON_AMBIGUOUS_UNRESOLVED,
    REASON_ERROR,
    REASON_WARNING_NOT_OVERRIDDEN,
)
from orgimport.imports.kind import KindRecords, RowWriter
from orgimport.imports.session import RowOutcome, RowVerdict


class RowWriteFailed(DomainError):
    """A row's write failed for a reason other than the rules (a storage error)."""

    def __init__(self, cause: BaseException, message: str):
        super().__init__(message)
        self.cause = cause


def _isolated(mapper: Mapper, storage_failure: str) -> Mapper:
    """A map that turns each item's unexpected exception into that item's RowWriteFailed,
    so one row's storage error fails that row and the others go on."""

    def safe(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def call(item: Any) -> Any:
            try:
                return fn(item)
            except Exception as exc:
                return RowWriteFailed(exc, storage_failure)

        return call

    def run(fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        return mapper(safe(fn), items)

    return run


def _skipped(row: RowVerdict, override: bool) -> RowOutcome | None:
    """The outcome of a row confirm does not write, or None for a row it writes."""
    if row.status == "valid" or (row.status == "warning" and override):
        return None
    reason = REASON_WARNING_NOT_OVERRIDDEN if row.status == "warning" else REASON_ERROR
    return RowOutcome(row.row_number, "skipped", reason=reason)


def _resolve(
    row: RowVerdict, resolutions: Mapping[int, str], key: str | None
) -> RowVerdict | RowOutcome:
    """An ambiguous row as its resolution makes it (a valid or warning row in the chosen
    record), or its outcome: skipped without a resolution, failed with a choice outside
    its candidates. Any other row as it is."""
    if row.status != "ambiguous":
        return row
    chosen = resolutions.get(row.row_number)
    if chosen is None or key is None:
        return RowOutcome(row.row_number, "skipped", reason=REASON_AMBIGUOUS_UNRESOLVED)
    if chosen not in row.candidate_ids:
        return RowOutcome(
            row.row_number,
            "failed",
            error=f"{chosen} is not one of this row's candidates: " + ", ".join(row.candidate_ids),
        )
    return row.resolved(key, chosen)


class ChunkRunner:
    """Runs one chunk's writes: creates in batches of 25, updates one by one, all
    under the same bound on concurrent rows."""

    def __init__(
        self,
        records: KindRecords,
        caller: Caller,
        import_id: str,
        override: bool,
        row_map: Mapper,
        batch_map: Mapper,
        *,
        storage_failure: str,
        resolutions: Mapping[int, str] | None = None,
        resolution_key: str | None = None,
    ):
        self.storage_failure = storage_failure
        self.resolutions = resolutions or {}
        self.resolution_key = resolution_key
        self.row_map = _isolated(row_map, storage_failure)
        self.writer: RowWriter = records.writer(caller, import_id, self.row_map)
        self.override = override
        self.batch_map = batch_map

    def run(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        done: dict[int, RowOutcome] = {}
        creates: list[RowVerdict] = []
        updates: list[RowVerdict] = []
        for given in rows:
            row = _resolve(given, self.resolutions, self.resolution_key)
            if isinstance(row, RowOutcome):
                done[row.row_number] = row
                continue
            skipped = _skipped(row, self.override)
            if skipped is not None:
                done[row.row_number] = skipped
            else:
                (creates if row.status == "valid" else updates).append(row)
        batches = [creates[i : i + BATCH_ROWS] for i in range(0, len(creates), BATCH_ROWS)]
        # updates first in the row map, so they overlap the batches' claims
        pending_updates = self.row_map(self.writer.update, updates)
        for batch in self.batch_map(self._create_batch, batches):
            done.update((o.row_number, o) for o in batch)
        for row, outcome in zip(updates, pending_updates, strict=True):
            done[row.row_number] = self._settled(row, outcome)
        return [done[r.row_number] for r in rows]

    def _settled(self, row: RowVerdict, outcome: RowOutcome | RowWriteFailed) -> RowOutcome:
        if isinstance(outcome, RowWriteFailed):
            return RowOutcome(row.row_number, "failed", error=self.storage_failure)
        return outcome

    def _create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        try:
            return self.writer.create_batch(rows)
        except Exception:
            # the batch write failed: its guards were released, none of its rows is imported
            return [RowOutcome(r.row_number, "failed", error=self.storage_failure) for r in rows]
