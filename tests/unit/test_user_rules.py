"""A user's field rules and the roles a caller may grant (CONTRACT section 10)."""

from __future__ import annotations

import pytest

from orgimport.core.identity import Caller
from orgimport.kinds.users.fields import UserFields, email_key, field_errors, phone_digits
from orgimport.kinds.users.roles import may_grant, read_roles


def errors_of(**cells: str) -> list[tuple[str, str, object]]:
    base = {"email": "anna@example.it", "name": "Anna Rossi", "roles": "Admin"}
    fields = UserFields(**{**base, **cells}).cleaned()
    return [(e.key, e.message, e.value) for e in field_errors(fields)]


def test_a_complete_row_breaks_no_rule():
    assert errors_of(phone="+39 02 1234 5678") == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"email": "  "}, ("email", "required", None)),
        ({"email": "a..b@x.it"}, ("email", "invalid_format", "a..b@x.it")),
        ({"email": "Anna <anna@x.it>"}, ("email", "invalid_format", "Anna <anna@x.it>")),
        ({"name": ""}, ("name", "required", None)),
        ({"name": "é" * 256}, ("name", "too_long", "é" * 256)),
        ({"phone": "02 1234"}, ("phone", "invalid_format", "02 1234")),
        ({"roles": ""}, ("roles", "required", None)),
        ({"roles": ";"}, ("roles", "at_least_one_required", None)),
        ({"roles": " ; ;; "}, ("roles", "at_least_one_required", None)),
        ({"roles": "Admin;Boss;Chief"}, ("roles", "unknown", ["Boss", "Chief"])),
    ],
)
def test_each_rule_names_its_field(cells, expected):
    assert errors_of(**cells) == [expected]


def test_role_names_are_read_in_any_case_and_spacing_and_stored_as_spelled():
    read = read_roles("reader; SUPER  admin ;admin;Reader")
    assert read.roles == ("Super Admin", "Admin", "Reader")
    assert read.unknown == ()
    assert not read.blank


def test_emails_compare_trimmed_and_in_any_case_phones_by_their_digits():
    assert email_key("  Anna.Rossi@Example.IT ") == email_key("anna.rossi@example.it")
    assert phone_digits("+39 (02) 1234-5678") == phone_digits("+390212345678")


OWNER_SUPER = Caller("u", "owner", "owner", user_roles=("super admin",))
OWNER_ADMIN = Caller("u", "owner", "owner", user_roles=("admin",))
DIST_SUPER = Caller("u", "d1", "distributor", user_roles=("super admin",))
DIST_ADMIN = Caller("u", "d1", "distributor", user_roles=("admin", "reader"))
DIST_SUPPORT = Caller("u", "d1", "distributor", user_roles=("support",))


@pytest.mark.parametrize(
    ("caller", "grants"),
    [
        (OWNER_SUPER, {"Super Admin": True, "Admin": True, "Support": True, "Reader": True}),
        (OWNER_ADMIN, {"Super Admin": False, "Admin": True, "Support": True, "Reader": True}),
        (DIST_SUPER, {"Super Admin": False, "Admin": True, "Support": True, "Reader": True}),
        (DIST_ADMIN, {"Super Admin": False, "Admin": True, "Support": True, "Reader": True}),
        (DIST_SUPPORT, {"Super Admin": False, "Admin": False, "Support": True, "Reader": True}),
    ],
)
def test_who_may_grant_which_role(caller, grants):
    assert {role: may_grant(caller, (role,)) for role in grants} == grants
    assert may_grant(caller, ("Reader", "Super Admin")) == grants["Super Admin"]


@pytest.mark.parametrize(
    ("claim", "roles"),
    [
        (["Super Admin", "Reader"], ("super admin", "reader")),
        ("Admin, Reader", ("admin", "reader")),
        # a list claim as API Gateway's JWT authorizer hands it to the function
        ("[Super Admin Reader]", ("super admin", "reader")),
        ("[super admin]", ("super admin",)),
        ("[Admin]", ("admin",)),
        ("[]", ()),
        (7, ()),
    ],
)
def test_the_user_roles_claim_in_every_shape_it_arrives(claim, roles):
    from orgimport.core.identity import user_roles_of

    assert user_roles_of(claim) == roles
