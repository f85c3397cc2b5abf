"""The users kind on in-memory ports (CONTRACT section 10): every row code, the status
precedence, what validate reads, and confirm's table through the real writer, every
cell, with the accounts made exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from orgimport.core.identity import Caller
from orgimport.imports.confirm import ConfirmOptions, confirm_import, confirm_request
from orgimport.imports.validate import validate_csv
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.tier import Tier
from orgimport.kinds.users.kind import USERS
from orgimport.kinds.users.record import OrgRef, User, user_id_of
from orgimport.kinds.users.records import UserRecords
from orgimport.kinds.users.service import Users
from tests.unit.fakes import FakeAccounts, FakeDirectory, FakeSessions, FakeUsers

NOW = 1_800_000_000
HEADER = "email,name,phone,company_name,roles"
OWNER = Caller("u1", "owner", "owner", user_roles=("super admin",))
OWNER_ADMIN = Caller("u1", "owner", "owner", user_roles=("admin",))
D1_ADMIN = Caller("u2", "d1", "distributor", user_roles=("admin",))
D1_SUPPORT_ONLY = Caller("u3", "d1", "distributor", user_roles=("support", "admin"))

ORGS = (
    OrgRef("owner", "Owner", "owner", ()),
    OrgRef("d1", "Alfa", "distributor", ("d1",)),
    OrgRef("r1", "Rivendita", "reseller", ("d1", "r1")),
    OrgRef("c1", "Rossi S.r.l.", "customer", ("d1", "r1", "c1")),
    OrgRef("c2", "rossi  s.r.l.", "customer", ("d1", "c2")),
    OrgRef("d2", "Beta", "distributor", ("d2",)),
    OrgRef("c3", "Bianchi", "customer", ("d2", "c3")),
)


def _organization(org: OrgRef) -> Organization:
    at = "2026-01-01T00:00:00.000Z"
    return Organization(
        org.id, DistributorFields(name=org.name), at, at, "u0", "", path=org.path[:-1]
    )


def _lookup(tier: Tier, org_id: str) -> Organization | None:
    found = {o.id: o for o in ORGS}.get(org_id)
    return _organization(found) if found and found.type == tier.role else None


def stored(email: str, org: str, *, phone: str | None = None, archived: bool = False) -> User:
    path = {o.id: o.path for o in ORGS}[org]
    at = "2026-01-01T00:00:00.000Z"
    return User(
        user_id_of(email),
        email,
        "Stored",
        org,
        ("Reader",),
        at,
        at,
        "u0",
        "owner",
        phone=phone,
        deleted_at=at if archived else None,
        path=path,
        created_for="seed",
    )


class World:
    def __init__(self, *users: User) -> None:
        self.store, self.directory, self.accounts = (
            FakeUsers(),
            FakeDirectory(*ORGS),
            FakeAccounts(),
        )
        for user in users:
            self.store.add(user)
        self.records = UserRecords(
            Users(self.store, self.directory, self.accounts), USERS.policy, _lookup
        )
        self.sessions = FakeSessions()

    def validate(self, lines: list[str], caller: Caller = OWNER) -> list[Any]:
        data = ("\n".join([HEADER, *lines]) + "\n").encode()
        session = validate_csv(
            data, caller, USERS, self.records, self.sessions, now=NOW, ttl_seconds=1800
        )
        self.import_id = session.import_id
        return session.rows

    def confirm(
        self, override: bool, resolutions: dict[str, Any], caller: Caller = OWNER
    ) -> dict[int, Any]:
        request = confirm_request(USERS, self.import_id, override, resolutions)
        result = confirm_import(
            self.sessions, USERS, self.records, caller, request, ConfirmOptions(clock=lambda: NOW)
        )
        return {o.row_number: o for o in result.outcomes}


def _codes(row: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(d.field, d.message, d.values) for d in (*row.errors, *row.warnings)]


HELD = "held@example.com"
ELSEWHERE = "elsewhere@example.com"
GONE = "gone@example.com"
# (the row as a file writes it, the caller) -> (status, the codes found)
CASES: dict[str, tuple[str, Caller, str, list[tuple[str, str, tuple[str, ...]]]]] = {
    "not_found": (
        "a@example.com,A,,Nessuna,Reader",
        OWNER,
        "error",
        [("company_name", "not_found", ("Nessuna",))],
    ),
    "ambiguous": (
        "a@example.com,A,,ROSSI s.r.l.,Reader",
        OWNER,
        "ambiguous",
        [("company_name", "ambiguous", ("ROSSI s.r.l.",))],
    ),
    "unknown": (
        "a@example.com,A,,Alfa,Reader;Boss;Chief",
        OWNER,
        "error",
        [("roles", "unknown", ("Boss", "Chief"))],
    ),
    "at_least_one_required": (
        "a@example.com,A,,Alfa,;",
        OWNER,
        "error",
        [("roles", "at_least_one_required", ())],
    ),
    "a role in another case": ("a@example.com,A,,Alfa,super ADMIN;reader", OWNER, "valid", []),
    "Super Admin by an owner's Admin": (
        "a@example.com,A,,Alfa,Super Admin",
        OWNER_ADMIN,
        "error",
        [("roles", "insufficient_privileges", ("Super Admin",))],
    ),
    "Super Admin by a distributor's Admin": (
        "a@example.com,A,,Alfa,Reader;Super Admin",
        D1_ADMIN,
        "error",
        [("roles", "insufficient_privileges", ("Reader;Super Admin",))],
    ),
    "Admin by a distributor's Admin": ("a@example.com,A,,Alfa,Admin", D1_ADMIN, "valid", []),
    "a company outside the scope": (
        "a@example.com,A,,Bianchi,Reader",
        D1_ADMIN,
        "error",
        [("company_name", "not_found", ("Bianchi",))],
    ),
    "already_used": (
        "a@example.com,A,+39 02 1111111,Alfa,Reader",
        OWNER,
        "error",
        [("phone", "already_used", ("+39 02 1111111",))],
    ),
    "archived": (f"{GONE},A,,Alfa,Reader", OWNER, "error", [("email", "archived", (GONE,))]),
    "held_elsewhere": (
        f"{ELSEWHERE},A,,Alfa,Reader",
        D1_ADMIN,
        "error",
        [("email", "held_elsewhere", (ELSEWHERE,))],
    ),
    "already_exists": (
        f" {HELD.upper()} ,A,,Alfa,Reader",
        OWNER,
        "warning",
        [("email", "already_exists", (HELD.upper(),))],
    ),
    "field rules": (
        "not-an-email,,12345,,",
        OWNER,
        "error",
        [
            ("email", "invalid_format", ("not-an-email",)),
            ("name", "required", ()),
            ("phone", "invalid_format", ("12345",)),
            ("company_name", "required", ()),
            ("roles", "required", ()),
        ],
    ),
}


def _world() -> World:
    return World(
        stored(HELD, "r1", phone="+39 02 1111111"),
        stored(ELSEWHERE, "c3"),
        stored(GONE, "d1", archived=True),
    )


@pytest.mark.parametrize("case", list(CASES))
def test_every_row_code(case: str) -> None:
    line, caller, status, codes = CASES[case]
    (row,) = _world().validate([line], caller)
    assert row.status == status
    found = _codes(row)
    assert sorted(found) == sorted(codes)


def test_ambiguous_rows_carry_their_candidates_in_scope_only() -> None:
    world = _world()
    (by_owner,) = world.validate(["a@example.com,A,,Rossi S.r.l.,Reader"])
    (by_reseller,) = world.validate(
        ["a@example.com,A,,Rossi S.r.l.,Reader"],
        Caller("u", "r1", "reseller", user_roles=("admin",)),
    )
    assert by_owner.warnings[0].candidates == (
        {"logto_id": "c2", "name": "rossi  s.r.l.", "type": "customer"},
        {"logto_id": "c1", "name": "Rossi S.r.l.", "type": "customer"},
    )
    assert by_reseller.status == "valid" and by_reseller.data["organization_id"] == "c1"


def test_status_precedence_error_then_ambiguous_then_warning() -> None:
    rows = _world().validate(
        [
            "a@example.com,A,,Rossi S.r.l.,Boss",  # error and ambiguous
            f"{HELD},A,,Rossi S.r.l.,Reader",  # ambiguous and a warning
            f"{HELD},A,,Alfa,Reader",  # a warning, repeated: duplicate_in_csv
        ]
    )
    assert [r.status for r in rows] == ["error", "ambiguous", "error"]
    assert rows[2].errors[0].message == "duplicate_in_csv"


def test_a_phone_repeated_within_the_file_is_already_used() -> None:
    rows = _world().validate(
        ["a@example.com,A,+39 02 2222222,Alfa,Reader", "b@example.com,B,+39022222222,Alfa,Reader"]
    )
    assert [r.status for r in rows] == ["valid", "error"]
    assert rows[1].errors[0].message == "already_used"


def test_validate_reads_the_store_in_one_batched_pass() -> None:
    world = _world()
    world.validate([f"u{n}@example.com,U,+39 02 {3000000 + n},Alfa,Reader" for n in range(300)])
    assert world.store.reads == 2  # emails, phones: each one call of batched reads
    assert world.directory.scope_reads == 1


def test_a_caller_without_user_roles_or_only_readers_may_not_import() -> None:
    from orgimport.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        _world().validate(["a@example.com,A,,Alfa,Reader"], Caller("u", "owner", "owner"))
    with pytest.raises(NotAllowed):
        _world().validate(
            ["a@example.com,A,,Alfa,Reader"], Caller("u", "owner", "owner", user_roles=("reader",))
        )
    assert D1_SUPPORT_ONLY.manages_users


# the section 10 table: case -> (row, resolution) and (override false, override true) as
# (outcome status, the skip reason, or the organization the user ends in)
TABLE_ROWS: dict[str, tuple[str, str | None]] = {
    "valid": ("new1@example.com,N,,Alfa,Reader", None),
    "error": ("new2@example.com,N,,Nessuna,Reader", None),
    "warning": (f"{HELD},Renamed,,Alfa,Admin", None),
    "ambiguous, no resolution": ("new3@example.com,N,,Rossi S.r.l.,Reader", None),
    "ambiguous, resolution not among its candidates": (
        "new4@example.com,N,,Rossi S.r.l.,Reader",
        "c3",
    ),
    "ambiguous, resolution among its candidates": ("new5@example.com,N,,Rossi S.r.l.,Reader", "c2"),
    "ambiguous and a warning, resolution among its candidates": (
        "other@example.com,Moved,,Rossi S.r.l.,Support",
        "c1",
    ),
}
TABLE: dict[str, tuple[tuple[str, str | None], tuple[str, str | None]]] = {
    "valid": (("created", "d1"), ("created", "d1")),
    "error": (("skipped", "error"), ("skipped", "error")),
    "warning": (("skipped", "warning_not_overridden"), ("updated", "d1")),
    "ambiguous, no resolution": (
        ("skipped", "ambiguous_unresolved"),
        ("skipped", "ambiguous_unresolved"),
    ),
    "ambiguous, resolution not among its candidates": (("failed", None), ("failed", None)),
    "ambiguous, resolution among its candidates": (("created", "c2"), ("created", "c2")),
    "ambiguous and a warning, resolution among its candidates": (
        ("skipped", "warning_not_overridden"),
        ("updated", "c1"),
    ),
}


@pytest.mark.parametrize("override", [False, True])
@pytest.mark.parametrize("case", list(TABLE))
def test_every_cell_of_the_confirm_table_through_the_users_writer(
    case: str, override: bool
) -> None:
    world = World(stored(HELD, "r1"), stored("other@example.com", "d1"))
    lines = [line for line, _ in TABLE_ROWS.values()]
    rows = world.validate(lines)
    resolutions = {
        str(row.row_number): {"organization_id": chosen}
        for row, (_, chosen) in zip(rows, TABLE_ROWS.values(), strict=True)
        if chosen is not None
    }
    outcomes = world.confirm(override, resolutions)
    index = list(TABLE).index(case)
    row = rows[index]
    email = TABLE_ROWS[case][0].split(",")[0]
    status, detail = TABLE[case][override]
    outcome = outcomes[row.row_number]
    assert outcome.status == status
    user = world.store.get(user_id_of(email))
    if status == "skipped":
        assert outcome.reason == detail
    elif status == "failed":
        assert "c3 is not one of this row's candidates" in (outcome.error or "")
        assert user is None and email not in world.accounts.accounts
    else:
        assert user is not None and user.organization_id == detail
        assert world.accounts.accounts[email].organization_id == detail
    if status == "skipped" and user is not None:
        assert user.created_for == "seed" and user.name == "Stored"  # untouched


def test_a_provider_refusal_fails_its_row_alone_and_a_replay_makes_no_account() -> None:
    world = _world()
    world.accounts.refuse.add("b@example.com")
    world.validate(
        [f"{e},N,,Alfa,Reader" for e in ("a@example.com", "b@example.com", "c@example.com")]
    )
    outcomes = world.confirm(False, {})
    assert [o.status for o in outcomes.values()] == ["created", "failed", "created"]
    assert "refused" in (outcomes[3].error or "")
    assert world.store.get(user_id_of("b@example.com")) is None
    made = world.accounts.calls
    assert world.confirm(False, {}) == outcomes  # the replay answers, it makes nothing
    assert world.accounts.calls == made


def test_a_file_without_a_phone_column_keeps_the_users_phone_on_update() -> None:
    world = World(stored(HELD, "r1", phone="+39 02 1111111"))
    data = f"email,name,company_name,roles\n{HELD},Renamed,Alfa,Reader\n".encode()
    session = validate_csv(
        data, OWNER, USERS, world.records, world.sessions, now=NOW, ttl_seconds=1800
    )
    world.import_id = session.import_id
    (row,) = session.rows
    assert "phone" not in (row.changes or {})
    world.confirm(True, {})
    user = world.store.get(user_id_of(HELD))
    assert user is not None and user.name == "Renamed" and user.phone == "+39 02 1111111"
    assert user.organization_id == "d1"
