"""The store an organization kind needs: its records and the guards that keep a VAT unique.

`orgimport.storage.distributors_repo` implements it on DynamoDB;
`tests/unit/fakes.py` in memory. A guard is only ever touched on the claim it
was seen with, so a guard another request took meanwhile is never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import DistributorPage, Organization, Overwritten
from orgimport.kinds.organizations.tier import Tier


class StaleWrite(Exception):
    """A conditional write found the record changed: gone, archived or another VAT,
    or (for a move onto a VAT) another move of the same record still in flight."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "not_found" | "archived" | "vat_changed" | "changed"


@dataclass(frozen=True)
class VatClaim:
    """A guard as one request saw or wrote it: enough to touch exactly that guard again."""

    key: str  # the guard key: the VAT identity, after its scope when it has one
    distributor_id: str
    claim_id: str | None  # None: a guard written before claim tokens existed
    created_at: int = 0


class OrganizationStore(Protocol):
    """Records of one organization tier and their VAT guards."""

    tier: Tier

    def get(self, distributor_id: str) -> Organization | None: ...

    def holders_of(self, vat_keys: Iterable[str]) -> dict[str, Organization]:
        """The record holding each guard key (archived ones included), one batched read."""
        ...

    def page(
        self,
        page_size: int,
        cursor: str | None,
        search: str | None,
        include_archived: bool,
        within: tuple[str, ...] | None = None,
        children_only: bool = False,
    ) -> DistributorPage:
        """One page in order of path, then name; `within` a path: only the records below
        it (whose path starts with it, or is it, with `children_only`)."""
        ...

    def claim_vat(
        self, vat: str, distributor_id: str, *, resume: bool = True, scope: str = ""
    ) -> VatClaim | None:
        """The claim this request wrote, or None when `resume` and the guard already names
        this record (a retried create); taken by another record: VatTaken. The guard's
        key is `scope` + the VAT identity (`Tier.guard_key`)."""
        ...

    def vat_guard(self, key: str) -> VatClaim | None:
        """The guard of a guard key (`Tier.guard_key`), as it is now."""
        ...

    def release_vat(self, claim: VatClaim) -> None: ...

    def insert(self, distributor: Organization) -> bool:
        """Write a new record; False when one with its id exists already."""
        ...

    def insert_many(self, distributors: list[Organization]) -> None: ...

    def overwrite(
        self,
        distributor_id: str,
        fields: DistributorFields,
        updated_at: str,
        expected_vat_key: str,
        require_active: bool,
        keep_vat: bool = False,
        read_first: bool = False,
        path: tuple[str, ...] | None = None,
        keep: tuple[str, ...] = (),
    ) -> Overwritten:
        """Replace the fields (but those in `keep`, which stay as stored), if the record
        still holds `expected_vat_key` (and is active when `require_active`); nothing
        written when nothing differs. Else StaleWrite.
        `path`: the record's path when the caller knows it (a hint: it saves a request)."""
        ...

    def set_deleted_at(
        self, distributor_id: str, deleted_at: str | None, updated_at: str
    ) -> Organization: ...
