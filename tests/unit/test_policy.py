"""The policy table and the guard in front of every API: who may take which action."""

from __future__ import annotations

import json

import pytest

from orgimport.api.guard import CRUD_ACTIONS, action_of, guarded
from orgimport.core.errors import NotAllowed
from orgimport.core.identity import Caller, caller_from_claims
from orgimport.core.policy import ACTIONS, KindPolicy, Scope, owner_only
from orgimport.kinds.distributors.kind import DISTRIBUTORS

OWNER = Caller("u1", "platform", "owner")
DISTRIBUTOR = Caller("u2", "d-1", "distributor")

TIERED = KindPolicy(
    "resellers",
    {
        "read": {"owner": "all", "distributor": "children"},
        "import": {"owner": "all", "distributor": "children"},
    },
)


@pytest.mark.parametrize("action", ACTIONS)
def test_distributors_are_the_owners_for_every_action(action):
    assert DISTRIBUTORS.policy.authorize(OWNER, action) == Scope()
    with pytest.raises(NotAllowed) as refused:
        DISTRIBUTORS.policy.authorize(DISTRIBUTOR, action)
    assert refused.value.message == "forbidden: only the owner may manage distributors"


def test_a_reach_below_the_callers_organization_is_its_scope():
    assert TIERED.authorize(OWNER, "import").everything
    assert TIERED.authorize(DISTRIBUTOR, "import") == Scope(below="d-1", children_only=True)


def test_an_action_the_table_leaves_out_is_refused_naming_it():
    with pytest.raises(NotAllowed) as refused:
        TIERED.authorize(DISTRIBUTOR, "undo")
    assert refused.value.message == "forbidden: your role may not undo resellers"


def test_read_only_user_roles_read_but_never_write():
    reader = Caller("u3", "d-1", "distributor", user_roles=("reader", "support"))
    assert TIERED.authorize(reader, "read") == Scope(below="d-1", children_only=True)
    with pytest.raises(NotAllowed) as refused:
        TIERED.authorize(reader, "import")
    assert refused.value.message == "forbidden: your user roles may only read resellers"
    admin = Caller("u4", "d-1", "distributor", user_roles=("reader", "admin"))
    assert TIERED.authorize(admin, "import") == Scope(below="d-1", children_only=True)


def test_may_use_tells_a_role_the_kind_is_closed_to():
    assert TIERED.may_use(DISTRIBUTOR)
    assert not owner_only("distributors").may_use(DISTRIBUTOR)


def _event(method: str, role: str | None) -> dict:
    claims = {"sub": "u1", "org_id": "o1", "org_role": role} if role else None
    return {
        "version": "2.0",
        "routeKey": f"{method} /things",
        "rawPath": "/things",
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "http": {"method": method, "path": "/things"},
            "authorizer": {"jwt": {"claims": claims}} if claims else {},
        },
        "isBase64Encoded": False,
    }


def test_a_route_action_comes_from_its_method_or_is_fixed_for_the_api():
    assert action_of(_event("DELETE", "owner"), CRUD_ACTIONS) == "archive"
    assert action_of(_event("PATCH", "owner"), CRUD_ACTIONS) == "update"
    assert action_of(_event("GET", "owner"), "import") == "import"


class _Resolver:
    """Stands for the app behind the guard: records what reached it."""

    def __init__(self):
        self.reached: list[dict] = []

    def resolve(self, event, context):
        self.reached.append(event)
        return {"statusCode": 200}


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("distributor", 403), ("owner", 200)])
def test_the_guard_answers_before_the_resolver(role, status):
    app = _Resolver()
    answer = guarded(app, DISTRIBUTORS.policy, CRUD_ACTIONS)(_event("GET", role), None)
    assert answer["statusCode"] == status
    assert len(app.reached) == (1 if status == 200 else 0)
    if status != 200:
        assert json.loads(answer["body"])["code"] == status


@pytest.mark.parametrize(
    ("claim", "roles"),
    [
        (["Super Admin", "Reader"], ("super admin", "reader")),
        ("Admin, Support", ("admin", "support")),
        (None, ()),
        (42, ()),
    ],
)
def test_the_caller_carries_its_organization_and_user_roles_from_the_claims(claim, roles):
    claims = {"sub": "u1", "org_id": "d-1", "org_role": "Distributor"}
    if claim is not None:
        claims["user_roles"] = claim
    caller = caller_from_claims(claims)
    assert (caller.org_id, caller.role, caller.user_roles) == ("d-1", "distributor", roles)
