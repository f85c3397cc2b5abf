"""Distributors as the import pipeline reaches them: the holders of a file's VATs, and
each confirmed row written through the same operations as the CRUD API."""

from __future__ import annotations

from collections.abc import Iterable

from orgimport.core.errors import DomainError, NotFound, ValidationFailed, VatTaken
from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.imports.confirm.rows import row_record_id
from orgimport.imports.kind import RowWriter
from orgimport.imports.session import RowOutcome, RowVerdict
from orgimport.kinds.distributors.columns import COLUMN_OF_ATTRIBUTE, DISTRIBUTOR_COLUMNS
from orgimport.kinds.distributors.rules import row_fields
from orgimport.kinds.organizations.ports import OrganizationStore
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.service import (
    NewDistributor,
    create_distributors,
    overwrite_distributor,
)


def _readable(exc: DomainError) -> str:
    """The sentence a client reads for a row the rules or the store refused."""
    if isinstance(exc, VatTaken):
        return f"VAT {exc.vat} is already held by another distributor"
    if isinstance(exc, ValidationFailed):
        broken = ", ".join(f"{e.key} {e.message.replace('_', ' ')}" for e in exc.errors)
        return f"the row breaks the distributor rules: {broken}"
    return exc.message


def _failed(row: RowVerdict, exc: DomainError) -> RowOutcome:
    return RowOutcome(row.row_number, "failed", error=_readable(exc))


def _columns(changed: tuple[str, ...]) -> tuple[str, ...]:
    """Changed distributor fields as the file's columns, in column order."""
    columns = {COLUMN_OF_ATTRIBUTE[name] for name in changed}
    return tuple(c for c in DISTRIBUTOR_COLUMNS if c in columns)


class DistributorWriter:
    """One confirm's distributor writes: creates in batches, updates one by one."""

    def __init__(self, store: OrganizationStore, caller: Caller, import_id: str, run: Mapper):
        self.store = store
        self.caller = caller
        self.import_id = import_id
        self.run = run

    def create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        requests = [
            NewDistributor(row_fields(row.data), row_record_id(self.import_id, row.row_number))
            for row in rows
        ]
        results = create_distributors(self.store, self.caller, requests, run=self.run)
        return [self._created(row, result) for row, result in zip(rows, results, strict=True)]

    @staticmethod
    def _created(row: RowVerdict, result: Organization | DomainError) -> RowOutcome:
        if isinstance(result, Organization):
            return RowOutcome(row.row_number, "created", id=result.id)
        return _failed(row, result)

    def update(self, row: RowVerdict) -> RowOutcome:
        if not row.existing_id or not row.existing_key:
            return _failed(row, NotFound("the distributor holding this VAT is unknown"))
        try:
            done = overwrite_distributor(
                self.store,
                row.existing_id,
                row_fields(row.data),
                row.existing_key,
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


class DistributorRecords:
    """The distributors kind's records (`orgimport.imports.kind.KindRecords`)."""

    def __init__(self, store: OrganizationStore):
        self.store = store

    def holders_of(self, keys: Iterable[str]) -> dict[str, Organization]:
        return self.store.holders_of(keys)

    def writer(self, caller: Caller, import_id: str, run: Mapper) -> RowWriter:
        return DistributorWriter(self.store, caller, import_id, run)
