"""Distributors and their VAT guards in DynamoDB.

A VAT is unique because its guard item (pk = VAT#<vat key>) is written with a
conditional put (orgimport.storage.vat_guards). Every write of a distributor
is one conditional request, and an overwrite that would change nothing writes
nothing: its condition also asks that some field differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

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
from orgimport.storage.conditions import condition_failed
from orgimport.storage.distributor_items import (
    differs,
    name_sort_key,
    overwrite_actions,
    to_domain,
    to_item,
)
from orgimport.storage.distributor_pages import read_page
from orgimport.storage.models import (
    DISTRIBUTOR_PREFIX,
    VAT_PREFIX,
    DistributorItem,
    VatGuardItem,
)
from orgimport.storage.vat_guards import STALE_GUARD_SECONDS, VatGuards

# An overwrite whose item changed between its failed condition and the read that explains
# it is tried once more.
_OVERWRITE_ATTEMPTS = 2


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
    fields: DistributorFields, expected_vat_key: str, require_active: bool, ignore: tuple[str, ...]
) -> Condition:
    """The item exists, still holds the VAT the caller saw (is active, for imports), and
    some field differs from `fields`."""
    condition = DistributorItem.pk.exists() & (DistributorItem.vat_key == expected_vat_key)
    if require_active:
        condition = condition & DistributorItem.deleted_at.does_not_exist()
    return condition & differs(fields, ignore)


class DistributorRepository:
    def __init__(self) -> None:
        self._guards = VatGuards(self._carries)

    # --- reads -----------------------------------------------------------------

    def get(self, distributor_id: str) -> Organization | None:
        try:
            return to_domain(
                DistributorItem.get(DISTRIBUTOR_PREFIX + distributor_id, consistent_read=True)
            )
        except DistributorItem.DoesNotExist:
            return None

    def holders_of(self, vat_keys: Iterable[str]) -> dict[str, Organization]:
        """The distributor holding each VAT key (archived ones included), in batched reads."""
        keys = {k for k in vat_keys if k}
        if not keys:
            return {}
        guards = VatGuardItem.batch_get([VAT_PREFIX + k for k in keys], consistent_read=True)
        owner_of = {g.pk[len(VAT_PREFIX) :]: g.distributor_id for g in guards}
        if not owner_of:
            return {}
        found = DistributorItem.batch_get(
            [DISTRIBUTOR_PREFIX + i for i in set(owner_of.values())], consistent_read=True
        )
        by_id = {item.id: to_domain(item) for item in found}
        return {
            key: by_id[did]
            for key, did in owner_of.items()
            if did in by_id and by_id[did].vat_key == key
        }

    def page(
        self, page_size: int, cursor: str | None, search: str | None, include_archived: bool
    ) -> DistributorPage:
        """One Query of the by_name index (and, on a search's first page for a VAT-like
        term, one of by_vat): see orgimport.storage.distributor_pages."""
        found = read_page(page_size, cursor, search, include_archived)
        return DistributorPage(
            distributors=[to_domain(i) for i in found.items],
            next_cursor=found.next_cursor,
            page_size=page_size,
        )

    def _carries(self, distributor_id: str, key: str) -> bool:
        holder = self.get(distributor_id)
        return holder is not None and holder.vat_key == key

    # --- VAT guards ------------------------------------------------------------

    def claim_vat(self, vat: str, distributor_id: str, *, resume: bool = True) -> VatClaim | None:
        """Reserve a VAT identity for a distributor; VatTaken when another holds it.

        The claim this request wrote (it alone may release it), or None when `resume`
        and the guard already named this distributor (a retried create, which then
        checks its item). With `resume` false (moving an existing distributor), a guard
        already naming it belongs to another write in flight: StaleWrite.
        """
        return self._guards.claim(vat, distributor_id, resume=resume)

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
            to_item(distributor).save(condition=DistributorItem.pk.does_not_exist())
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
                batch.save(to_item(d))

    def overwrite(
        self,
        distributor_id: str,
        fields: DistributorFields,
        updated_at: str,
        expected_vat_key: str,
        require_active: bool,
        keep_vat: bool = False,
        read_first: bool = False,
    ) -> Overwritten:
        """Replace every field of a distributor in one conditional UpdateItem.

        The condition pins the VAT the caller saw (and, for imports, that it is not
        archived) and asks that some field differ; the old image it returns tells which
        fields changed. A condition that fails is explained by one read: StaleWrite says
        which pin no longer holds, or the distributor already was `fields` and nothing
        is written (`updated_at` kept). `read_first`: the caller expects no change, so
        the read comes first and a no-op costs no write request at all.
        """
        ignore = ("vat",) if keep_vat else ()
        if read_first:
            done = self._unchanged(distributor_id, fields, expected_vat_key, require_active, ignore)
            if done is not None:
                return done
        actions = overwrite_actions(distributor_id, fields, updated_at, ignore)
        condition = _overwrite_condition(fields, expected_vat_key, require_active, ignore)
        for _ in range(_OVERWRITE_ATTEMPTS):
            try:
                answer = DistributorItem._get_connection().update_item(
                    DISTRIBUTOR_PREFIX + distributor_id,
                    actions=actions,
                    condition=condition,
                    return_values=ALL_OLD,
                )
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise
                done = self._unchanged(
                    distributor_id, fields, expected_vat_key, require_active, ignore
                )
                if done is not None:
                    return done
                continue  # it changed between the write and the read: once more
            old = to_domain(DistributorItem.from_raw_data(answer["Attributes"]))
            new = replace(fields, vat=old.fields.vat) if keep_vat else fields
            updated = replace(old, fields=new, updated_at=updated_at)
            return Overwritten(updated, changed_fields(old.fields, new, ignore))
        raise StaleWrite("changed")

    def _unchanged(
        self,
        distributor_id: str,
        fields: DistributorFields,
        expected_vat_key: str,
        require_active: bool,
        ignore: tuple[str, ...],
    ) -> Overwritten | None:
        """The stored distributor when it already is `fields` (a no-op); None when it
        differs; StaleWrite when it may not be overwritten."""
        current = self.get(distributor_id)
        reason = _refusal(current, expected_vat_key, require_active)
        if reason:
            raise StaleWrite(reason)
        assert current is not None
        if changed_fields(current.fields, fields, ignore):
            return None
        return Overwritten(current, ())

    def set_deleted_at(
        self, distributor_id: str, deleted_at: str | None, updated_at: str
    ) -> Organization:
        item = DistributorItem(pk=DISTRIBUTOR_PREFIX + distributor_id)
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
                raise NotFound("distributor not found") from None
            raise
        return to_domain(item)


__all__ = [
    "STALE_GUARD_SECONDS",
    "DistributorRepository",
    "StaleWrite",
    "VatClaim",
    "name_sort_key",
]
