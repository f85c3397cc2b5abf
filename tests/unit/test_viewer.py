"""A caller's place in the hierarchy and what its scope holds (CONTRACT section 8)."""

from __future__ import annotations

import pytest

from orgimport.core.errors import NotAllowed, NotFound
from orgimport.core.identity import Caller
from orgimport.core.policy import Scope
from orgimport.kinds.customers.kind import CUSTOMERS
from orgimport.kinds.organizations import service
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.tier import CUSTOMER_TIER, DISTRIBUTOR_TIER, Tier
from orgimport.kinds.organizations.viewer import Viewer, viewer_of
from tests.unit.fakes import FakeOrganizations
from tests.vats import it_vat

D1 = Organization("d1", DistributorFields(name="D1", vat=it_vat(1)), "t", "t", "u", "owner")
R1 = Organization(
    "r1", DistributorFields(name="R1", vat=it_vat(2)), "t", "t", "u", "d1", path=("d1",)
)


def lookup(tier: Tier, org_id: str) -> Organization | None:
    return {("distributors", "d1"): D1, ("resellers", "r1"): R1}.get((tier.name, org_id))


def test_the_owner_stands_above_everything():
    viewer = viewer_of(Caller("u", "platform", "owner"), Scope(), lookup)
    assert viewer.path == () and viewer.within is None


def test_a_callers_path_is_its_organizations_ancestors_and_itself():
    assert viewer_of(Caller("u", "d1", "distributor"), Scope("d1"), lookup).path == ("d1",)
    assert viewer_of(Caller("u", "r1", "reseller"), Scope("r1", True), lookup).path == (
        "d1",
        "r1",
    )


@pytest.mark.parametrize(("role", "org"), [("distributor", "nobody"), ("reseller", "d1")])
def test_an_organization_the_service_does_not_hold_in_the_roles_tier_is_refused(role, org):
    with pytest.raises(NotAllowed):
        viewer_of(Caller("u", org, role), Scope(org), lookup)


def test_children_only_sees_the_direct_children_descendants_every_one_below():
    child = Organization("c1", D1.fields, "t", "t", "u", "d1", path=("d1",))
    grandchild = Organization("c2", D1.fields, "t", "t", "u", "r1", path=("d1", "r1"))
    other = Organization("c3", D1.fields, "t", "t", "u", "d2", path=("d2",))
    children = Viewer(Caller("u", "d1", "distributor"), Scope("d1", True), ("d1",))
    below = Viewer(Caller("u", "d1", "distributor"), Scope("d1"), ("d1",))
    assert [children.sees(r) for r in (child, grandchild, other)] == [True, False, False]
    assert [below.sees(r) for r in (child, grandchild, other)] == [True, True, False]


def test_records_a_caller_creates_carry_its_path_and_are_unique_per_parent_for_customers():
    store = FakeOrganizations(tier=CUSTOMER_TIER)
    as_r1 = viewer_of(
        Caller("u", "r1", "reseller"),
        CUSTOMERS.policy.authorize(Caller("u", "r1", "reseller"), "create"),
        lookup,
    )
    made = service.create_organization(store, as_r1, DistributorFields(name="C", vat=it_vat(3)))
    assert (made.path, made.parent_id) == (("d1", "r1"), "r1")
    assert set(store.guards) == {f"r1#{made.vat_key}"}
    outsider = Viewer(Caller("u", "d2", "distributor"), Scope("d2"), ("d2",))
    with pytest.raises(NotFound):
        service.get_organization(store, outsider, made.id)


def test_distributors_keep_one_vat_among_all():
    assert DISTRIBUTOR_TIER.guard_key("IT1", "anyone") == "IT1"
    assert CUSTOMER_TIER.guard_key("IT1", "r1") == "r1#IT1"
