"""Organization records of one tier (distributors, resellers, customers) and their VAT
guards in DynamoDB: one table for every tier, told apart by the key (models.TIER_KEYS).

A VAT is unique in its scope because its guard item (pk = VAT#<vat key> for
distributors) is written with a conditional put (orgimport.storage.vat_guards).
Every write of a record is one conditional request, and an overwrite that would
change nothing writes nothing: its condition also asks that some field differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition

from orgimport.core.errors import NotFound
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.ports import StaleWrite, VatClaim
from orgimport.kinds.organizations.record import (
    DistributorPage,
    Organization,
    Overwritten,
    changed_fields,
)
from orgimport.kinds.organizations.tier import DISTRIBUTOR_TIER, Tier
from orgimport.storage.conditions import all_of, condition_failed
from orgimport.storage.distributor_items import (
    PATH_SEPARATOR,
    differs,
    name_sort_key,
    overwrite_actions,
    path_prefix,
    resort_action,
    to_domain,
    to_item,
)
from orgimport.storage.distributor_pages import PageQuery, read_page
from orgimport.storage.models import TIER_KEYS, DistributorItem, VatGuardItem
from orgimport.storage.vat_guards import STALE_GUARD_SECONDS, VatGuards

# An overwrite whose item changed between its failed condition and the read that explains
# it is tried once more (and once more again when the path it pinned was not the record's).
_OVERWRITE_ATTEMPTS = 3


class _NotPinned(Exception):
    """The record's path is not the one the overwrite pinned: write without the pin."""


def _refusal(current: Organization | None, expected_vat_key: str, require_active: bool) -> str:
    """Why an overwrite may not touch `current` ("" when it may)."""
    if current is None:
        return "not_found"
    if current.vat_key != expected_vat_key:
        return "vat_changed"
    if require_active and current.archived:
        return "archived"
    return ""


def _overwrite_condition(
    fields: DistributorFields,
    expected_vat_key: str,
    require_active: bool,
    ignore: tuple[str, ...],
    pinned: tuple[str, ...] | None = None,
) -> Condition:
    """The item exists, still holds the VAT the caller saw (is active, for imports), and
    some field differs from `fields`; with `pinned`, the record's path is that one."""
    every = [DistributorItem.pk.exists(), DistributorItem.vat_key == expected_vat_key]
    if require_active:
        every.append(DistributorItem.deleted_at.does_not_exist())
    if pinned is not None:
        every.append(
            DistributorItem.path == PATH_SEPARATOR.join(pinned)
            if pinned
            else DistributorItem.path.does_not_exist()
        )
    return all_of([*every, differs(fields, ignore)])


class OrganizationRepository:
    """The records of one tier (`orgimport.kinds.organizations.ports.OrganizationStore`)."""

    def __init__(self, tier: Tier = DISTRIBUTOR_TIER) -> None:
        self.tier = tier
        self.keys = TIER_KEYS[tier.name]
        self._prefix = self.keys.item_prefix
        self._guards = VatGuards(self._carries, self.keys.guard_prefix)

    def _guard_key(self, record: Organization) -> str:
        return self.tier.guard_key(record.vat_key, record.parent_id)

    # --- reads -----------------------------------------------------------------

    def get(self, distributor_id: str) -> Organization | None:
        try:
            return to_domain(
                DistributorItem.get(self._prefix + distributor_id, consistent_read=True)
            )
        except DistributorItem.DoesNotExist:
            return None

    def holders_of(self, vat_keys: Iterable[str]) -> dict[str, Organization]:
        """The record holding each guard key (archived ones included), in batched reads."""
        keys = {k for k in vat_keys if k}
        if not keys:
            return {}
        prefix = self.keys.guard_prefix
        guards = VatGuardItem.batch_get([prefix + k for k in keys], consistent_read=True)
        owner_of = {g.pk[len(prefix) :]: g.distributor_id for g in guards}
        if not owner_of:
            return {}
        found = DistributorItem.batch_get(
            [self._prefix + i for i in set(owner_of.values())], consistent_read=True
        )
        by_id = {item.id: to_domain(item) for item in found}
        return {
            key: by_id[did]
            for key, did in owner_of.items()
            if did in by_id and self._guard_key(by_id[did]) == key
        }

    def page(
        self,
        page_size: int,
        cursor: str | None,
        search: str | None,
        include_archived: bool,
        within: tuple[str, ...] | None = None,
        children_only: bool = False,
    ) -> DistributorPage:
        """One Query of the by_name index (and, on a search's first page for a VAT-like
        term, one of by_vat): see orgimport.storage.distributor_pages. `within`: only the
        records below that path (its children only, with `children_only`)."""
        scope = None
        if within is not None:
            scope = path_prefix(within) + ("#" if children_only else "")
        ask = PageQuery(page_size, cursor, search, include_archived, self.keys, scope)
        found = read_page(ask)
        return DistributorPage(
            distributors=[to_domain(i) for i in found.items],
            next_cursor=found.next_cursor,
            page_size=page_size,
        )

    def _carries(self, distributor_id: str, key: str) -> bool:
        holder = self.get(distributor_id)
        return holder is not None and self._guard_key(holder) == key

    # --- VAT guards ------------------------------------------------------------

    def claim_vat(
        self, vat: str, distributor_id: str, *, resume: bool = True, scope: str = ""
    ) -> VatClaim | None:
        """Reserve a VAT identity for a distributor; VatTaken when another holds it.

        The claim this request wrote (it alone may release it), or None when `resume`
        and the guard already named this distributor (a retried create, which then
        checks its item). With `resume` false (moving an existing distributor), a guard
        already naming it belongs to another write in flight: StaleWrite.
        """
        return self._guards.claim(vat, distributor_id, resume=resume, scope=scope)

    def vat_guard(self, key: str) -> VatClaim | None:
        """The guard of a VAT identity as it is now (one consistent read)."""
        return self._guards.read(key)

    def release_vat(self, claim: VatClaim) -> None:
        """Drop a guard, but only while it is still the one `claim` describes."""
        self._guards.release(claim)

    # --- distributor writes -------------------------------------------------------

    def insert(self, distributor: Organization) -> bool:
        """Write a new distributor; False when an item with its id already exists."""
        try:
            to_item(distributor, self.keys).save(condition=DistributorItem.pk.does_not_exist())
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def insert_many(self, distributors: list[Organization]) -> None:
        """Write new distributors in batches of 25 (BatchWriteItem takes no conditions:
        callers hold the VAT guard of every one of them)."""
        with DistributorItem.batch_write() as batch:
            for d in distributors:
                batch.save(to_item(d, self.keys))

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
        """Replace every field of a record (but those in `keep`) in one conditional
        UpdateItem.

        The condition pins the VAT the caller saw (and, for imports, that it is not
        archived) and asks that some field differ; the old image it returns tells which
        fields changed. A condition that fails is explained by one read: StaleWrite says
        which pin no longer holds, or the distributor already was `fields` and nothing
        is written (`updated_at` kept). `read_first`: the caller expects no change, so
        the read comes first and a no-op costs no write request at all. `path`: the
        record's path, when the caller knows it, pinned so that below the distributors
        a rename re-sorts it in the same request (else in a second one, `_resort`).
        """
        ignore = (("vat",) if keep_vat else ()) + tuple(a for a in keep if a != "vat")
        if read_first:
            done = self._unchanged(distributor_id, fields, expected_vat_key, require_active, ignore)
            if done is not None:
                return done
        pinned = path if self.keys.paths_in_sort_key else None
        for _ in range(_OVERWRITE_ATTEMPTS):
            image = self._write(
                distributor_id, fields, updated_at, expected_vat_key, require_active, ignore, pinned
            )
            if image is not None:
                return self._written(image, fields, updated_at, keep_vat, ignore, pinned)
            try:
                done = self._unchanged(
                    distributor_id, fields, expected_vat_key, require_active, ignore, pinned
                )
            except _NotPinned:
                pinned = None  # another path than the caller thought: re-sort after
                continue
            if done is not None:
                return done
            # it changed between the write and the read: once more
        raise StaleWrite("changed")

    def _write(
        self,
        distributor_id: str,
        fields: DistributorFields,
        updated_at: str,
        expected_vat_key: str,
        require_active: bool,
        ignore: tuple[str, ...],
        pinned: tuple[str, ...] | None,
    ) -> dict[str, Any] | None:
        """One conditional UpdateItem: the old image, or None when its condition failed."""
        actions = overwrite_actions(distributor_id, fields, updated_at, ignore, self.keys)
        if pinned is not None:
            actions.append(resort_action(distributor_id, fields.name or "", self.keys, pinned))
        condition = _overwrite_condition(fields, expected_vat_key, require_active, ignore, pinned)
        try:
            answer = DistributorItem._get_connection().update_item(
                self._prefix + distributor_id,
                actions=actions,
                condition=condition,
                return_values=ALL_OLD,
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            return None
        image: dict[str, Any] = answer["Attributes"]
        return image

    def _written(
        self,
        image: dict[str, Any],
        fields: DistributorFields,
        updated_at: str,
        keep_vat: bool,
        ignore: tuple[str, ...],
        pinned: tuple[str, ...] | None,
    ) -> Overwritten:
        """The record after the write, from its old image (re-sorted after a rename when
        the write did not know its path)."""
        old = to_domain(DistributorItem.from_raw_data(image))
        new = replace(fields, **{a: getattr(old.fields, a) for a in ignore})
        updated = replace(old, fields=new, updated_at=updated_at)
        if self.keys.paths_in_sort_key and pinned is None and old.fields.name != new.name:
            self._resort(updated)
        return Overwritten(updated, changed_fields(old.fields, new, ignore))

    def _resort(self, renamed: Organization) -> None:
        """The by_name key of a renamed record below the distributors (it holds the path,
        which the overwrite did not know), unless another write renamed it since."""
        try:
            DistributorItem(pk=self._prefix + renamed.id).update(
                actions=[
                    resort_action(renamed.id, renamed.fields.name or "", self.keys, renamed.path)
                ],
                condition=DistributorItem.name == (renamed.fields.name or ""),
            )
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def _unchanged(
        self,
        distributor_id: str,
        fields: DistributorFields,
        expected_vat_key: str,
        require_active: bool,
        ignore: tuple[str, ...],
        pinned: tuple[str, ...] | None = None,
    ) -> Overwritten | None:
        """The stored record when it already is `fields` (a no-op); None when it
        differs; StaleWrite when it may not be overwritten; _NotPinned when its path is
        not `pinned`."""
        current = self.get(distributor_id)
        reason = _refusal(current, expected_vat_key, require_active)
        if reason:
            raise StaleWrite(reason)
        assert current is not None
        if pinned is not None and current.path != pinned:
            raise _NotPinned()
        if changed_fields(current.fields, fields, ignore):
            return None
        return Overwritten(current, ())

    def set_deleted_at(
        self, distributor_id: str, deleted_at: str | None, updated_at: str
    ) -> Organization:
        item = DistributorItem(pk=self._prefix + distributor_id)
        archive = (
            DistributorItem.deleted_at.set(deleted_at)
            if deleted_at
            else DistributorItem.deleted_at.remove()
        )
        try:
            item.update(
                actions=[archive, DistributorItem.updated_at.set(updated_at)],
                condition=DistributorItem.pk.exists(),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                raise NotFound(f"{self.tier.noun} not found") from None
            raise
        return to_domain(item)


__all__ = [
    "STALE_GUARD_SECONDS",
    "OrganizationRepository",
    "StaleWrite",
    "VatClaim",
    "name_sort_key",
]
