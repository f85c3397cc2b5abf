"""VAT guards: the items that make a VAT identity unique in its scope (pk = VAT#<vat key>
for distributors; other tiers add their prefix and, for customers, the parent).

A guard is written with a conditional put, so of any number of racing writers
one wins. Each write stamps the guard with a token of its own (`claim_id`),
and a guard is only ever deleted or taken over on the token it was seen with:
a request that lost a race therefore never frees, or takes over, a guard that
another request holds. Who may rely on which guard:

- a claim that wrote the guard owns it and may release it (its distributor
  never got the VAT, e.g. the item write failed);
- a guard found already naming the claimer's distributor is not the claimer's:
  a resumed create takes it as its own earlier write and never releases it; a
  move of an existing distributor onto it finds another move in flight
  (`StaleWrite`), unless the guard is stale;
- a guard whose distributor is missing, or no longer carries that identity, is
  stale once older than STALE_GUARD_SECONDS (a writer died between its two
  writes) and may then be taken over.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from pynamodb.exceptions import DeleteError, PutError
from pynamodb.expressions.condition import Condition

from orgimport.core.errors import VatTaken
from orgimport.kinds.organizations.ports import StaleWrite, VatClaim
from orgimport.kinds.organizations.vat import vat_key
from orgimport.storage.conditions import condition_failed
from orgimport.storage.models import VatGuardItem

# A guard younger than this may belong to a write still in flight.
STALE_GUARD_SECONDS = 60
# Contested claims (the guard changed between our put and our read) are tried this often.
_CLAIM_ATTEMPTS = 3


def _unchanged(claim: VatClaim) -> Condition:
    """The condition that holds while the guard is still the one `claim` saw."""
    if claim.claim_id is not None:
        return VatGuardItem.claim_id == claim.claim_id
    return (VatGuardItem.distributor_id == claim.distributor_id) & (
        VatGuardItem.claim_id.does_not_exist()
    )


class VatGuards:
    """Claims and releases of one tier's VAT guards (pk = `prefix` + guard key).
    `carries(record_id, key)` says whether that record exists and holds that guard key
    (the staleness test)."""

    def __init__(self, carries: Callable[[str, str], bool], prefix: str):
        self._carries = carries
        self.prefix = prefix

    def read(self, key: str) -> VatClaim | None:
        try:
            item = VatGuardItem.get(self.prefix + key, consistent_read=True)
        except VatGuardItem.DoesNotExist:
            return None
        return VatClaim(key, item.distributor_id, item.claim_id, int(item.created_at))

    def claim(
        self, vat: str, distributor_id: str, *, resume: bool, scope: str = ""
    ) -> VatClaim | None:
        """Reserve a VAT identity for a distributor with a guard of this request's own.

        Returns the claim it wrote, or None when `resume` and the guard already named
        this distributor (a retried create: the caller checks its item). VatTaken when
        another distributor holds the VAT; StaleWrite when, with `resume` false, another
        write of this same distributor holds it.
        """
        key = scope + vat_key(vat)
        expected: Condition = VatGuardItem.pk.does_not_exist()
        for _ in range(_CLAIM_ATTEMPTS):
            mine = VatClaim(key, distributor_id, uuid.uuid4().hex, int(time.time()))
            if self._put(mine, vat, expected):
                return mine
            held = self.read(key)
            if held is None:  # released meanwhile
                expected = VatGuardItem.pk.does_not_exist()
                continue
            if resume and held.distributor_id == distributor_id:
                return None
            self._refuse_unless_stale(held, vat, distributor_id)
            expected = _unchanged(held)  # take it over only if nobody else did first
        raise VatTaken(vat)

    def release(self, claim: VatClaim) -> None:
        """Drop a guard, but only while it is still the one `claim` describes."""
        try:
            VatGuardItem(pk=self.prefix + claim.key).delete(condition=_unchanged(claim))
        except DeleteError as exc:
            if not condition_failed(exc):
                raise

    def _put(self, claim: VatClaim, vat: str, expected: Condition) -> bool:
        guard = VatGuardItem(
            pk=self.prefix + claim.key,
            distributor_id=claim.distributor_id,
            vat=vat,
            created_at=claim.created_at,
            claim_id=claim.claim_id,
        )
        try:
            guard.save(condition=expected)
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def _refuse_unless_stale(self, held: VatClaim, vat: str, distributor_id: str) -> None:
        young = time.time() - held.created_at < STALE_GUARD_SECONDS
        if not young and not self._carries(held.distributor_id, held.key):
            return
        if held.distributor_id == distributor_id:
            # another write of this distributor holds the guard: its move is in flight
            raise StaleWrite("vat_changed")
        raise VatTaken(vat, held.distributor_id)


__all__ = ["STALE_GUARD_SECONDS", "VatGuards"]
