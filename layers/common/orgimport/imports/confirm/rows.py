"""Each row's action: create, update or skip, as the contract's table says."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from orgimport.core.errors import (
    DomainError,
    NotFound,
    ValidationFailed,
    VatTaken,
)
from orgimport.core.identity import Caller
from orgimport.imports.confirm.request import (
    BATCH_ROWS,
    REASON_ERROR,
    REASON_WARNING_NOT_OVERRIDDEN,
    STORAGE_FAILURE,
    RowWriteFailed,
)
from orgimport.imports.session import (
    RowOutcome,
    RowVerdict,
)
from orgimport.kinds.distributors.columns import COLUMN_TO_FIELD, DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.record import Distributor
from orgimport.kinds.organizations.service import (
    Mapper,
    NewDistributor,
    create_distributors,
    overwrite_distributor,
)
from orgimport.storage.distributors_repo import DistributorRepository

T = TypeVar("T")
R = TypeVar("R")

# uuid5 namespace of the ids of distributors created by an import row.
ROW_ID_NAMESPACE = uuid.UUID("6f1d3c9e-2b1a-5c4e-9f0d-8a7b6c5d4e3f")

# distributor field -> the CSV column it comes from ("custom_data.vat" -> "vat": "vat_number")
_COLUMN_OF_FIELD = {path.rsplit(".", 1)[-1]: column for column, path in COLUMN_TO_FIELD.items()}


def row_distributor_id(import_id: str, row_number: int) -> str:
    """The id a created row's distributor gets: the same on every retry of the import."""
    return str(uuid.uuid5(ROW_ID_NAMESPACE, f"{import_id.lower()}:{row_number}"))


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


class ChunkRunner:
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
