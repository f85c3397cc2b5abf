"""Organization records as the import pipeline reaches them, for every tier: the holders
of a file's VATs in the kind's uniqueness scope (seen from the caller's scope), and
each confirmed row written through the same operations as the CRUD API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from orgimport.core.errors import DomainError, NotFound, ValidationFailed, VatTaken, rules_broken
from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.core.policy import KindPolicy
from orgimport.imports.kind import RowFindings, RowWriter
from orgimport.imports.session import RowOutcome, RowVerdict, row_record_id
from orgimport.kinds.organizations.columns import COLUMN_OF_ATTRIBUTE, DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.ports import OrganizationStore
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.rules import (
    HeldElsewhere,
    absent_attributes,
    identity_key,
    judge_row,
    row_fields,
)
from orgimport.kinds.organizations.service import (
    NewOrganization,
    create_organizations,
    overwrite_organization,
)
from orgimport.kinds.organizations.viewer import OrganizationLookup, Viewer, viewer_of


def _readable(exc: DomainError, noun: str) -> str:
    """The sentence a client reads for a row the rules or the store refused."""
    if isinstance(exc, VatTaken):
        return f"VAT {exc.vat} is already held by another {noun}"
    if isinstance(exc, ValidationFailed):
        return rules_broken(exc, noun)
    return exc.message


def _columns(changed: tuple[str, ...]) -> tuple[str, ...]:
    """Changed distributor fields as the file's columns, in column order."""
    columns = {COLUMN_OF_ATTRIBUTE[name] for name in changed}
    return tuple(c for c in DISTRIBUTOR_COLUMNS if c in columns)


class OrganizationWriter:
    """One confirm's writes of a tier's records: creates in batches, updates one by one."""

    def __init__(self, store: OrganizationStore, viewer: Viewer, import_id: str, run: Mapper):
        self.store = store
        self.viewer = viewer
        self.import_id = import_id
        self.run = run
        self.noun = store.tier.noun

    def _failed(self, row: RowVerdict, exc: DomainError) -> RowOutcome:
        return RowOutcome(row.row_number, "failed", error=_readable(exc, self.noun))

    def create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        requests = [
            NewOrganization(row_fields(row.data), row_record_id(self.import_id, row.row_number))
            for row in rows
        ]
        results = create_organizations(self.store, self.viewer, requests, run=self.run)
        return [self._created(row, result) for row, result in zip(rows, results, strict=True)]

    def _created(self, row: RowVerdict, result: Organization | DomainError) -> RowOutcome:
        if isinstance(result, Organization):
            return RowOutcome(row.row_number, "created", id=result.id)
        return self._failed(row, result)

    def update(self, row: RowVerdict) -> RowOutcome:
        if not row.existing_id or not row.existing_key:
            return self._failed(row, NotFound(f"the {self.noun} holding this VAT is unknown"))
        try:
            done = overwrite_organization(
                self.store,
                row.existing_id,
                row_fields(row.data),
                row.existing_key,
                # validate saw an identical row: read first, so a no-op writes nothing
                expect_unchanged=row.changes == {},
                # a holder in the caller's uniqueness scope is most likely its own child
                path=self.viewer.path,
                keep=absent_attributes(row.data),
            )
        except DomainError as exc:
            return self._failed(row, exc)
        changed = _columns(done.changed)
        if not changed and row.changes:
            # nothing left to write, yet validate saw changes: an earlier, cut-off run of
            # this confirm wrote them (its outcome was not stored), so they are this row's
            changed = tuple(c for c in DISTRIBUTOR_COLUMNS if c in row.changes)
        return RowOutcome(row.row_number, "updated", id=done.distributor.id, changed_fields=changed)


def _no_organizations(_tier: object, _org_id: str) -> Organization | None:
    return None


class OrganizationRecords:
    """An organization kind's records (`orgimport.imports.kind.KindRecords`), seen by
    each caller through its scope for `import` in the kind's policy. `lookup` finds a
    caller's own organization (for its place in the hierarchy); without one, only the
    owner imports."""

    def __init__(
        self,
        store: OrganizationStore,
        policy: KindPolicy,
        lookup: OrganizationLookup = _no_organizations,
    ):
        self.store = store
        self.policy = policy
        self.lookup = lookup

    def viewer(self, caller: Caller) -> Viewer:
        return viewer_of(caller, self.policy.authorize(caller, "import"), self.lookup)

    def holders_of(
        self, keys: Iterable[str], caller: Caller
    ) -> dict[str, Organization | HeldElsewhere]:
        """Each VAT identity's holder in the uniqueness scope the caller's rows create in;
        one outside the caller's scope is `HeldElsewhere`."""
        viewer = self.viewer(caller)
        scoped = {self.store.tier.guard_key(k, viewer.parent_id): k for k in keys}
        found = self.store.holders_of(scoped)
        return {
            scoped[g]: holder if viewer.sees(holder) else HeldElsewhere(holder)
            for g, holder in found.items()
        }

    def findings(self, rows: Sequence[Mapping[str, str]], caller: Caller) -> list[RowFindings]:
        keys = {k for k in (identity_key(r) for r in rows) if k}
        holders = self.holders_of(keys, caller)
        return [judge_row(r, holders.get(k) if (k := identity_key(r)) else None) for r in rows]

    def writer(self, caller: Caller, import_id: str, run: Mapper) -> RowWriter:
        return OrganizationWriter(self.store, self.viewer(caller), import_id, run)
