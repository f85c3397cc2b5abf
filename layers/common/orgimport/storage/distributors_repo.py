"""Distributors and their VAT guards in DynamoDB.

A VAT is unique because its guard item (pk = VAT#<vat key>) is written with a
conditional put: of two racing writers exactly one succeeds. The guard names
the distributor that holds it; a guard whose distributor is gone, or no longer
carries that VAT (a writer died between its two writes), is stale and may be
taken over after a grace period.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import time
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from orgimport.distributor import Distributor, DistributorPage
from orgimport.distributor_rules import DistributorFields
from orgimport.errors import FieldError, NotFound, ValidationFailed, VatTaken
from orgimport.storage.conditions import condition_failed
from orgimport.storage.models import (
    DISTRIBUTOR_ENTITY,
    DISTRIBUTOR_PREFIX,
    VAT_PREFIX,
    DistributorItem,
    VatGuardItem,
)
from orgimport.vat import vat_key

# A guard younger than this may belong to a create still in flight.
STALE_GUARD_SECONDS = 60
# every field of a distributor is an attribute of its item, under the same name
_FIELD_ATTRS = tuple(f.name for f in dataclasses.fields(DistributorFields))


class StaleWrite(Exception):
    """A conditional update found the distributor changed: gone, archived or another VAT."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "not_found" | "archived" | "vat_changed"


def _to_domain(item: DistributorItem) -> Distributor:
    return Distributor(
        id=item.id,
        fields=DistributorFields(**{a: getattr(item, a) for a in _FIELD_ATTRS}),
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by_user=item.created_by_user,
        created_by_org=item.created_by_org,
        deleted_at=item.deleted_at,
    )


def _to_item(d: Distributor) -> DistributorItem:
    name = d.fields.name or ""
    return DistributorItem(
        pk=DISTRIBUTOR_PREFIX + d.id,
        id=d.id,
        name_lc=name.lower(),
        vat_key=d.vat_key,
        created_at=d.created_at,
        updated_at=d.updated_at,
        created_by_user=d.created_by_user,
        created_by_org=d.created_by_org,
        deleted_at=d.deleted_at,
        gsi1pk=DISTRIBUTOR_ENTITY,
        gsi1sk=f"{name.lower()}#{d.id}",
        **{a: getattr(d.fields, a) for a in _FIELD_ATTRS},
    )


def encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    invalid = ValidationFailed([FieldError("cursor", "invalid_format", cursor)])
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid from None
    names = {"pk", "gsi1pk", "gsi1sk"}
    if not isinstance(key, dict) or set(key) != names:
        raise invalid
    if not all(isinstance(v, dict) and isinstance(v.get("S"), str) for v in key.values()):
        raise invalid
    return key


class DistributorRepository:
    # --- reads -----------------------------------------------------------------

    def get(self, distributor_id: str) -> Distributor | None:
        try:
            return _to_domain(
                DistributorItem.get(DISTRIBUTOR_PREFIX + distributor_id, consistent_read=True)
            )
        except DistributorItem.DoesNotExist:
            return None

    def holders_of(self, vat_keys: Iterable[str]) -> dict[str, Distributor]:
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
        by_id = {item.id: _to_domain(item) for item in found}
        return {
            key: by_id[did]
            for key, did in owner_of.items()
            if did in by_id and by_id[did].vat_key == key
        }

    def page(
        self, page_size: int, cursor: str | None, search: str | None, include_archived: bool
    ) -> DistributorPage:
        condition: Condition | None = None
        if not include_archived:
            condition = DistributorItem.deleted_at.does_not_exist()
        term = (search or "").strip()
        if term:
            matches: Condition = DistributorItem.name_lc.contains(term.lower())
            if vat_key(term):
                matches = matches | DistributorItem.vat_key.contains(vat_key(term))
            condition = matches if condition is None else condition & matches
        results = DistributorItem.by_name.query(
            DISTRIBUTOR_ENTITY,
            filter_condition=condition,
            limit=page_size,
            last_evaluated_key=decode_cursor(cursor) if cursor else None,
            page_size=max(page_size, 100),
        )
        items = [_to_domain(i) for i in results]
        last = results.last_evaluated_key
        next_cursor = encode_cursor(last) if last and len(items) == page_size else None
        return DistributorPage(distributors=items, next_cursor=next_cursor, page_size=page_size)

    # --- VAT guards ------------------------------------------------------------

    def claim_vat(self, vat: str, distributor_id: str) -> bool:
        """Reserve a VAT identity for a distributor; VatTaken when another holds it.

        True for a fresh claim; False when the guard already named this
        distributor (a resumed write), so the caller knows to check its item.
        """
        key = vat_key(vat)
        guard = VatGuardItem(
            pk=VAT_PREFIX + key, distributor_id=distributor_id, vat=vat, created_at=int(time.time())
        )
        try:
            guard.save(condition=VatGuardItem.pk.does_not_exist())
            return True
        except PutError as exc:
            if not condition_failed(exc):
                raise
        try:
            held = VatGuardItem.get(VAT_PREFIX + key, consistent_read=True)
        except VatGuardItem.DoesNotExist:
            held = None  # released meanwhile: try once more below
        if held is not None and held.distributor_id == distributor_id:
            return False
        if held is not None:
            holder = self.get(held.distributor_id)
            young = time.time() - held.created_at < STALE_GUARD_SECONDS
            if (holder is not None and holder.vat_key == key) or young:
                raise VatTaken(vat, held.distributor_id)
        # the guard is stale (or gone): take it over only if nobody else did first
        expected = (
            VatGuardItem.pk.does_not_exist()
            if held is None
            else VatGuardItem.distributor_id == held.distributor_id
        )
        try:
            guard.save(condition=expected)
        except PutError as exc:
            if condition_failed(exc):
                raise VatTaken(vat) from None
            raise
        return True

    def release_vat(self, vat: str, distributor_id: str) -> None:
        """Drop a guard, but only while it still names this distributor."""
        try:
            VatGuardItem(pk=VAT_PREFIX + vat_key(vat)).delete(
                condition=VatGuardItem.distributor_id == distributor_id
            )
        except DeleteError as exc:
            if not condition_failed(exc):
                raise

    # --- distributor writes -------------------------------------------------------

    def insert(self, distributor: Distributor) -> bool:
        """Write a new distributor; False when an item with its id already exists."""
        try:
            _to_item(distributor).save(condition=DistributorItem.pk.does_not_exist())
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def insert_many(self, distributors: list[Distributor]) -> None:
        """Write new distributors in batches of 25 (BatchWriteItem takes no conditions:
        callers hold the VAT guard of every one of them)."""
        with DistributorItem.batch_write() as batch:
            for d in distributors:
                batch.save(_to_item(d))

    def overwrite(
        self,
        distributor_id: str,
        fields: DistributorFields,
        updated_at: str,
        expected_vat_key: str,
        require_active: bool,
        keep_vat: bool = False,
    ) -> Distributor:
        """Replace every field of a distributor in one conditional UpdateItem.

        The condition pins the VAT the caller saw (and, for imports, that it is
        not archived); StaleWrite says which of them no longer holds.
        """
        item = DistributorItem(pk=DISTRIBUTOR_PREFIX + distributor_id)
        name = fields.name or ""
        actions: list[Action] = [
            DistributorItem.updated_at.set(updated_at),
            DistributorItem.name_lc.set(name.lower()),
            DistributorItem.gsi1sk.set(f"{name.lower()}#{distributor_id}"),
        ]
        if not keep_vat:
            actions.append(DistributorItem.vat_key.set(vat_key(fields.vat or "")))
        for attr in _FIELD_ATTRS:
            if keep_vat and attr == "vat":
                continue
            value = getattr(fields, attr)
            column = getattr(DistributorItem, attr)
            actions.append(column.set(value) if value is not None else column.remove())
        condition = DistributorItem.pk.exists() & (DistributorItem.vat_key == expected_vat_key)
        if require_active:
            condition = condition & DistributorItem.deleted_at.does_not_exist()
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
            raise StaleWrite(self._why_stale(distributor_id, expected_vat_key)) from None
        return _to_domain(item)

    def set_deleted_at(
        self, distributor_id: str, deleted_at: str | None, updated_at: str
    ) -> Distributor:
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
        return _to_domain(item)

    def _why_stale(self, distributor_id: str, expected_vat_key: str) -> str:
        current = self.get(distributor_id)
        if current is None:
            return "not_found"
        if current.vat_key != expected_vat_key:
            return "vat_changed"
        return "archived"
