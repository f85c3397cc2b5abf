"""The organization kinds by tier (CONTRACT sections 8 and 9): distributors under the
owner, resellers under a distributor or the owner, customers under any of them.

A tier says how its records are told apart (`name`), what a VAT is unique among
(`unique_per_parent`: customers, one VAT among the customers of one parent; the
others, one VAT among all records of the tier), and which organization role its
own organizations sign in with.
"""

from __future__ import annotations

from typing import NamedTuple


# NamedTuples, not dataclasses: a tenth of the cost at import, which is cold-start time
class Tier(NamedTuple):
    name: str  # "resellers": the kind's name, routes and S3 prefix
    noun: str  # "reseller": one record, in messages
    role: str  # the organization role of this tier's own callers
    unique_per_parent: bool = False

    def vat_scope(self, parent_id: str) -> str:
        """What a VAT identity is unique within, as the prefix of its guard key: "" for a
        tier-wide VAT, `<parent>#` for one unique among a parent's records."""
        return f"{parent_id}#" if self.unique_per_parent else ""

    def guard_key(self, vat_key: str, parent_id: str) -> str:
        """The key of the guard that keeps `vat_key` unique in its scope."""
        return self.vat_scope(parent_id) + vat_key


DISTRIBUTOR_TIER = Tier("distributors", "distributor", "distributor")
RESELLER_TIER = Tier("resellers", "reseller", "reseller")
CUSTOMER_TIER = Tier("customers", "customer", "customer", unique_per_parent=True)
TIERS: tuple[Tier, ...] = (DISTRIBUTOR_TIER, RESELLER_TIER, CUSTOMER_TIER)
# an organization role -> the tier its organization's record is in (the owner has none)
TIER_OF_ROLE: dict[str, Tier] = {t.role: t for t in TIERS}
