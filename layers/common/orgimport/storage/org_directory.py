"""The organizations users belong to, read from the organizations table: every tier's
records and the owner's own organization (which has no record: its id and name are
configuration).

A caller's scope is read as one Query of the by_name index per page of each tier below
it (the sort key starts with the path), projected to what a name match needs; ids are
found with batched reads of every tier's key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.tier import TIER_OF_ROLE, TIERS, Tier
from orgimport.kinds.organizations.viewer import Viewer
from orgimport.kinds.users.record import OrgRef
from orgimport.storage.distributor_items import PATH_SEPARATOR, path_of, path_prefix
from orgimport.storage.models import TIER_KEYS, DistributorItem

_PROJECTION = ["pk", "id", "name", "path", "deleted_at"]
# the tiers whose records lie below an organization of each role
_BELOW: dict[str, tuple[Tier, ...]] = {
    "owner": TIERS,
    **{t.role: TIERS[i + 1 :] for i, t in enumerate(TIERS)},
}


def _ref(item: DistributorItem, tier: Tier) -> OrgRef:
    return OrgRef(item.id, item.name, tier.role, (*path_of(item), item.id))


def own_ref(record: Organization, tier: Tier) -> OrgRef:
    return OrgRef(record.id, record.fields.name or "", tier.role, (*record.path, record.id))


class OrganizationDirectoryRepository:
    """`orgimport.kinds.users.ports.OrganizationDirectory` on DynamoDB. `lookup` finds a
    caller's own organization (the request's guard has read it already)."""

    def __init__(
        self,
        owner_id: str,
        owner_name: str,
        lookup: Callable[[Tier, str], Organization | None],
    ):
        self.owner = OrgRef(owner_id, owner_name, "owner", ())
        self.lookup = lookup

    def _own(self, viewer: Viewer) -> OrgRef | None:
        caller = viewer.caller
        if caller.is_owner:
            return self.owner
        tier = TIER_OF_ROLE.get(caller.role)
        record = self.lookup(tier, caller.org_id) if tier else None
        return own_ref(record, tier) if record and tier and not record.archived else None

    def in_scope(self, viewer: Viewer) -> list[OrgRef]:
        own = self._own(viewer)
        found = [own] if own else []
        role = "owner" if viewer.scope.everything else viewer.caller.role
        prefix = None if viewer.scope.everything else path_prefix(viewer.path)
        for tier in _BELOW.get(role, ()):
            keys = TIER_KEYS[tier.name]
            in_scope = DistributorItem.gsi1sk.startswith(prefix) if prefix else None
            for item in DistributorItem.by_name.query(
                keys.entity,
                in_scope,
                filter_condition=DistributorItem.deleted_at.does_not_exist(),
                attributes_to_get=_PROJECTION,
            ):
                found.append(_ref(item, tier))
        return found

    def find(self, org_ids: Iterable[str]) -> dict[str, OrgRef]:
        ids = {i for i in org_ids if i and PATH_SEPARATOR not in i and "#" not in i}
        out = {self.owner.id: self.owner} if self.owner.id in ids else {}
        ids.discard(self.owner.id)
        if not ids:
            return out
        tier_of = {TIER_KEYS[t.name].item_prefix: t for t in TIERS}
        pks = [prefix + i for prefix in tier_of for i in ids]
        for item in DistributorItem.batch_get(pks, attributes_to_get=_PROJECTION):
            if item.deleted_at is None:
                tier = tier_of[item.pk[: item.pk.index("#") + 1]]
                out[item.id] = _ref(item, tier)
        return out
