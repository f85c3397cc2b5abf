"""Confirm as plain domain code: in-memory stores with DynamoDB's conditional
semantics, a controllable clock, no AWS."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgimport.core.errors import (
    BadRequest,
    Conflict,
    NotAllowed,
    NotFound,
    SessionExpired,
    SessionNotFound,
)
from orgimport.core.identity import Caller
from orgimport.imports.confirm import (
    CHUNK_ROWS,
    ConfirmInProgress,
    ConfirmOptions,
    ConfirmRequest,
    ConfirmResult,
    confirm_import,
    import_status,
    row_record_id,
)
from orgimport.imports.session import Diagnostic, ImportSession, RowVerdict
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.records import OrganizationRecords
from orgimport.kinds.organizations.rules import changes_against, row_fields
from orgimport.kinds.organizations.vat import vat_key
from tests.unit.fakes import Clock, FakeOrganizations, FakeSessions
from tests.vats import it_vat

V999 = it_vat(999)
V999_SPACED = f"IT {V999[2:7]}.{V999[7:]}"
V555 = it_vat(555)
V555_SPACED = f"IT {V555[2:]}"

NOW = 1_800_000_000
OWNER = Caller("u1", "o1", "owner")
IMPORT_ID = "0b5b7f0e-8a4c-4d0e-9c61-5a3a3f0c1e01"


class Crash(BaseException):
    """The process dying mid-confirm (not an Exception: nothing may catch it)."""


# --- building sessions -----------------------------------------------------------------


def vat_of(n: int) -> str:
    return it_vat(n)


def row(
    n: int,
    status: str = "valid",
    vat: str | None = None,
    existing: Organization | None = None,
    **cells: str,
) -> RowVerdict:
    # every column present, as in a file with the full header (absent ones: see below)
    data = {c: "" for c in DISTRIBUTOR_COLUMNS}
    data.update({"company_name": f"Company {n}", "vat_number": vat or vat_of(n), **cells})
    errors = (Diagnostic("email", "invalid_format", ("x",)),) if status == "error" else ()
    warnings = (
        (Diagnostic("vat_number", "already_exists", (data["vat_number"],)),)
        if status == "warning"
        else ()
    )
    verdict = RowVerdict(
        row_number=n,
        status=status,  # type: ignore[arg-type]
        data=data,
        errors=errors,
        warnings=warnings,
        existing_id=existing.id if existing else None,
        existing_key=existing.vat_key if existing else None,
    )
    if existing is None:
        return verdict
    return replace(verdict, changes=changes_against(row_fields(verdict.data).cleaned(), existing))


def make_session(
    sessions: FakeSessions,
    rows: list[RowVerdict],
    *,
    user: str = "u1",
    entity_type: str = "distributors",
    import_id: str = IMPORT_ID,
    expires_at: int = NOW + 1800,
) -> ImportSession:
    session = ImportSession(
        import_id=import_id,
        entity_type=entity_type,
        user_id=user,
        org_id="o1",
        created_at=NOW,
        expires_at=expires_at,
        rows=rows,
    )
    sessions.save_new(session)
    return session


def mixed_rows(repo: FakeOrganizations, count: int) -> list[RowVerdict]:
    """Rows 2.. with every status: each 10th a warning (its VAT seeded), each 7th an error."""
    rows = []
    for n in range(2, count + 2):
        if n % 10 == 0:
            rows.append(row(n, "warning", existing=repo.seed(f"Old {n}", vat_of(n))))
        elif n % 7 == 0:
            rows.append(row(n, "error"))
        else:
            rows.append(row(n))
    return rows


@pytest.fixture
def repo() -> FakeOrganizations:
    return FakeOrganizations()


@pytest.fixture
def sessions() -> FakeSessions:
    return FakeSessions()


def run(
    sessions: FakeSessions,
    repo: FakeOrganizations,
    *,
    override: bool = False,
    caller: Caller = OWNER,
    import_id: str = IMPORT_ID,
    clock: Clock | None = None,
    **options: Any,
) -> ConfirmResult:
    opts = ConfirmOptions(clock=clock or Clock(NOW), **options)
    return confirm_import(
        sessions,
        DISTRIBUTORS,
        OrganizationRecords(repo, DISTRIBUTORS.policy),
        caller,
        ConfirmRequest(import_id, override),
        opts,
    )  # type: ignore[arg-type]


def results(result: ConfirmResult) -> list[dict[str, Any]]:
    return result.as_json()["results"]


def assert_no_duplicates(repo: FakeOrganizations) -> None:
    keys = [d.vat_key for d in repo.items.values()]
    assert len(keys) == len(set(keys))


def assert_counters_add_up(result: ConfirmResult) -> None:
    data = result.as_json()
    total = data["created"] + data["updated"] + data["skipped"] + data["failed"]
    assert total == data["total_rows"] == len(data["results"])


# --- the seed's table ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "override", "expected"),
    [
        ("valid", False, {"status": "created"}),
        ("valid", True, {"status": "created"}),
        ("error", False, {"status": "skipped", "reason": "error"}),
        ("error", True, {"status": "skipped", "reason": "error"}),
        ("warning", False, {"status": "skipped", "reason": "warning_not_overridden"}),
        ("warning", True, {"status": "updated"}),
    ],
)
def test_each_status_and_override_gets_the_seeds_action(sessions, repo, status, override, expected):
    existing = repo.seed("Old name", V999_SPACED) if status == "warning" else None
    verdict = row(2, status, vat=V999.lower() if existing else None, existing=existing)
    make_session(sessions, [verdict])
    before = dict(repo.items)

    (outcome,) = results(run(sessions, repo, override=override))

    assert outcome["row_number"] == 2
    assert {k: v for k, v in outcome.items() if k in ("status", "reason")} == expected
    if expected["status"] == "created":
        assert outcome["id"] == row_record_id(IMPORT_ID, 2)
        assert repo.items[outcome["id"]].fields.name == "Company 2"
    elif expected["status"] == "updated":
        assert outcome["id"] == existing.id
        updated = repo.items[existing.id]
        assert updated.fields.name == "Company 2"  # every other field overwritten
        assert updated.fields.vat == V999_SPACED  # the VAT is the lookup key, never changed
    else:
        assert "id" not in outcome
        assert repo.items == before


def test_update_overwrites_empty_cells_and_defaults_an_empty_language(sessions, repo):
    existing = repo.seed("Old", it_vat(1))
    repo.items[existing.id] = replace(
        existing,
        fields=replace(existing.fields, city="Roma", notes="keep?", language="en"),
    )
    make_session(sessions, [row(2, "warning", vat=it_vat(1), existing=existing, city="Milano")])

    run(sessions, repo, override=True)

    fields = repo.items[existing.id].fields
    assert (fields.city, fields.notes, fields.language) == ("Milano", None, "it")


def test_update_keeps_the_fields_whose_column_the_file_lacks(sessions, repo):
    existing = repo.seed("Old", it_vat(1))
    repo.items[existing.id] = replace(
        existing,
        fields=replace(existing.fields, city="Roma", notes="kept", language="en"),
    )
    verdict = row(2, "warning", vat=it_vat(1), existing=existing, city="")
    for absent in ("notes", "language", "email"):
        del verdict.data[absent]
    make_session(sessions, [verdict])

    run(sessions, repo, override=True)

    fields = repo.items[existing.id].fields
    assert (fields.city, fields.notes, fields.language) == (None, "kept", "en")


@settings(max_examples=40, deadline=None)
@given(
    statuses=st.lists(st.sampled_from(["valid", "warning", "error"]), min_size=1, max_size=450),
    override=st.booleans(),
    concurrency=st.sampled_from([1, 4]),
)
def test_counters_always_add_up_and_results_follow_row_order(statuses, override, concurrency):
    repo, sessions = FakeOrganizations(), FakeSessions()
    rows = []
    for i, status in enumerate(statuses):
        n = i + 2
        existing = repo.seed(f"Old {n}", vat_of(n)) if status == "warning" else None
        rows.append(row(n, status, existing=existing))
    make_session(sessions, rows)

    result = run(sessions, repo, override=override, concurrency=concurrency)

    assert_counters_add_up(result)
    assert [r["row_number"] for r in results(result)] == [r.row_number for r in rows]
    data = result.as_json()
    assert data["created"] == statuses.count("valid")
    assert data["updated"] == (statuses.count("warning") if override else 0)


def test_concurrency_does_not_change_the_result(repo):
    one, many = FakeSessions(), FakeSessions()
    rows = mixed_rows(repo, 450)
    make_session(one, rows)
    first = run(one, repo, override=True, concurrency=1)
    again = FakeOrganizations()
    rows = mixed_rows(again, 450)
    make_session(many, rows)
    second = run(many, again, override=True, concurrency=8)
    assert first.as_json() == second.as_json()


def test_outcomes_are_stored_one_part_per_chunk_and_the_session_ends_confirmed(sessions, repo):
    make_session(sessions, mixed_rows(repo, 1000))

    run(sessions, repo, override=True, concurrency=8)

    assert sorted(sessions.parts[IMPORT_ID]) == list(range(-(-1000 // CHUNK_ROWS)))
    assert sessions.sessions[IMPORT_ID].status == "confirmed"
    # begin + one part per chunk + finish: the whole of confirm's bookkeeping writes
    assert sessions.writes == 2 + -(-1000 // CHUNK_ROWS)


# --- exactly once --------------------------------------------------------------------------


def test_the_same_confirm_again_returns_the_stored_result_and_writes_nothing(sessions, repo):
    make_session(sessions, mixed_rows(repo, 250))
    first = run(sessions, repo, override=True, concurrency=4)
    writes = (repo.writes, sessions.writes)
    items = dict(repo.items)

    second = run(sessions, repo, override=True, concurrency=4)

    assert second.as_json() == first.as_json()
    assert second.replayed and second.done_now == {}
    assert (repo.writes, sessions.writes) == writes
    assert repo.items == items


def test_a_different_body_after_confirm_is_a_conflict(sessions, repo):
    make_session(sessions, mixed_rows(repo, 20))
    run(sessions, repo, override=False)
    writes = repo.writes

    with pytest.raises(Conflict, match="different request"):
        run(sessions, repo, override=True)
    assert repo.writes == writes


def test_a_different_body_while_confirming_is_a_conflict(sessions, repo):
    make_session(sessions, mixed_rows(repo, 20))
    sessions.begin_confirm(
        IMPORT_ID, ConfirmRequest(IMPORT_ID, True).request_hash, NOW, 40, NOW + 86400
    )
    with pytest.raises(Conflict, match="different request"):
        run(sessions, repo, override=False)


def test_a_confirm_while_another_holds_the_lease_gets_409_in_progress(sessions, repo):
    make_session(sessions, mixed_rows(repo, 30))
    seen: list[BaseException] = []

    def second_confirm_in_the_middle(op: str, what: str) -> None:
        if not seen:
            try:
                seen.append(AssertionError("no error"))
                run(sessions, repo, override=True)
            except ConfirmInProgress as exc:
                seen[0] = exc

    repo.fail = second_confirm_in_the_middle  # runs during the first confirm's first write
    first = run(sessions, repo, override=True)
    repo.fail = None

    assert isinstance(seen[0], ConfirmInProgress)
    assert seen[0].data["retry_after_seconds"] > 0
    assert_counters_add_up(first)
    assert run(sessions, repo, override=True).as_json() == first.as_json()
    assert_no_duplicates(repo)


def test_a_confirm_that_loses_the_claim_answers_from_the_winners_state(sessions, repo):
    make_session(sessions, mixed_rows(repo, 30))
    results_seen: list[ConfirmResult] = []

    def winner_first() -> None:  # the other confirm completes between our load and our claim
        sessions.on_begin = None
        results_seen.append(run(sessions, repo, override=True))

    sessions.on_begin = winner_first
    late = run(sessions, repo, override=True)

    assert late.replayed and late.as_json() == results_seen[0].as_json()


def test_a_run_that_outlived_its_lease_answers_with_the_result_of_the_run_that_took_over(
    sessions, repo
):
    make_session(sessions, mixed_rows(repo, 450))
    clock = Clock(NOW)
    taken_over: list[ConfirmResult] = []

    def stall_then_be_overtaken(chunk_index: int) -> None:
        if chunk_index == 2 and sessions.on_save is not None:
            sessions.on_save = None
            clock.now += 41  # this run stalled past its lease: a retry takes over and finishes
            taken_over.append(run(sessions, repo, override=True, clock=clock))

    sessions.on_save = stall_then_be_overtaken
    slow = run(sessions, repo, override=True, concurrency=4, clock=clock)

    assert slow.complete and slow.as_json() == taken_over[0].as_json()
    assert_counters_add_up(slow)
    assert_no_duplicates(repo)


@pytest.mark.parametrize("crash_after", [1, 40, 230, 430])
def test_a_confirm_cut_off_midway_resumes_to_the_uninterrupted_counters(
    sessions, repo, crash_after
):
    rows = mixed_rows(repo, 500)
    make_session(sessions, rows)
    reference_repo, reference_sessions = FakeOrganizations(), FakeSessions()
    make_session(reference_sessions, mixed_rows(reference_repo, 500))
    reference = run(reference_sessions, reference_repo, override=True, concurrency=4)
    calls = 0

    def crash(op: str, what: str) -> None:
        nonlocal calls
        calls += 1
        if calls == crash_after:
            raise Crash()

    repo.fail = crash
    clock = Clock(NOW)
    with pytest.raises(Crash):
        run(sessions, repo, override=True, concurrency=4, clock=clock)
    repo.fail = None

    with pytest.raises(ConfirmInProgress):  # its lease still runs
        run(sessions, repo, override=True, clock=clock)
    clock.now += 41  # the lease (40 s) ran out: the dead run's work is taken over
    resumed = run(sessions, repo, override=True, concurrency=4, clock=clock)

    assert resumed.as_json() == reference.as_json()
    assert_no_duplicates(repo)
    assert len(repo.items) == len(reference_repo.items)


def test_a_confirm_that_fails_unexpectedly_frees_its_lease_for_an_immediate_retry(sessions, repo):
    make_session(sessions, mixed_rows(repo, 450))
    real_save = sessions.save_outcomes
    calls = 0

    def save_fails_once(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("InternalServerError")
        real_save(*args)

    sessions.save_outcomes = save_fails_once  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        run(sessions, repo, override=True, concurrency=4)
    sessions.save_outcomes = real_save  # type: ignore[method-assign]

    resumed = run(sessions, repo, override=True, concurrency=4)  # no 409: no lease to wait out

    assert resumed.complete
    assert_counters_add_up(resumed)
    assert_no_duplicates(repo)


def test_a_confirm_near_its_deadline_stops_between_chunks_and_the_same_request_finishes(
    sessions, repo
):
    make_session(sessions, mixed_rows(repo, 700))
    left = iter([30.0, 2.0])  # plenty before the second chunk, too little before the third

    first = run(sessions, repo, override=True, concurrency=4, time_left=lambda: next(left))

    assert not first.complete
    data = first.as_json()
    assert data["status"] == "confirming" and data["processed_rows"] == 2 * CHUNK_ROWS
    assert "results" not in data
    assert sessions.sessions[IMPORT_ID].lease_until == 0  # released: no wait for a retry
    final = run(sessions, repo, override=True, concurrency=4)
    assert final.complete
    assert_counters_add_up(final)
    assert sum(final.done_now.values()) == 700 - 2 * CHUNK_ROWS
    assert_no_duplicates(repo)


def test_a_confirm_always_finishes_at_least_one_chunk_even_short_of_time(sessions, repo):
    make_session(sessions, mixed_rows(repo, 250))
    result = run(sessions, repo, time_left=lambda: 0.5)
    assert not result.complete and result.as_json()["processed_rows"] == CHUNK_ROWS


# --- the world changed after validate ------------------------------------------------------


def test_a_valid_row_whose_vat_was_taken_meanwhile_fails_without_a_duplicate(sessions, repo):
    make_session(sessions, [row(2), row(3, vat=V555_SPACED), row(4)])
    repo.seed("Came first", V555.lower())

    out = results(run(sessions, repo))

    assert [o["status"] for o in out] == ["created", "failed", "created"]
    assert out[1]["error"] == f"VAT {V555_SPACED} is already held by another distributor"
    assert len(repo.by_vat(V555)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("archived", "the distributor holding this VAT was archived after validation"),
        ("removed", "the distributor holding this VAT no longer exists"),
    ],
)
def test_a_warning_row_whose_distributor_changed_meanwhile_fails(sessions, repo, change, message):
    existing = repo.seed("Old", it_vat(777))
    make_session(sessions, [row(2, "warning", vat=it_vat(777), existing=existing), row(3)])
    if change == "archived":
        repo.items[existing.id] = replace(existing, deleted_at="2026-03-01T00:00:00.000Z")
    else:
        del repo.items[existing.id]

    out = results(run(sessions, repo, override=True))

    assert out[0] == {"row_number": 2, "status": "failed", "error": message}
    assert out[1]["status"] == "created"


def test_a_storage_error_on_one_row_fails_that_row_and_the_rest_go_on(sessions, repo):
    existing = repo.seed("Old", it_vat(888))
    rows = [row(n) for n in range(2, 40)] + [row(40, "warning", vat=it_vat(888), existing=existing)]
    make_session(sessions, rows)

    def flaky(op: str, what: str) -> None:
        if (op, what) in {("claim", vat_of(9)), ("overwrite", existing.id)}:
            raise RuntimeError("ProvisionedThroughputExceededException")

    repo.fail = flaky
    result = run(sessions, repo, override=True, concurrency=4)

    out = {o["row_number"]: o for o in results(result)}
    assert out[9]["status"] == "failed" and "storage error" in out[9]["error"]
    assert out[40]["status"] == "failed" and "storage error" in out[40]["error"]
    assert result.counters() == {"created": 37, "updated": 0, "skipped": 0, "failed": 2}
    assert repo.by_vat(vat_of(9)) == []


def test_a_failed_batch_write_fails_its_rows_only_and_frees_their_vats(sessions, repo):
    make_session(sessions, [row(n) for n in range(2, 62)])  # batches of 25, 25, 10
    second_batch_first_id = row_record_id(IMPORT_ID, 27)

    def batch_fails(op: str, what: str) -> None:
        if op == "insert_many" and what == second_batch_first_id:
            raise RuntimeError("InternalServerError")

    repo.fail = batch_fails
    out = results(run(sessions, repo, concurrency=4))

    failed = [o["row_number"] for o in out if o["status"] == "failed"]
    assert failed == list(range(27, 52))
    assert all("storage error" in o["error"] for o in out if o["status"] == "failed")
    assert all(vat_key(vat_of(n)) not in repo.guards for n in failed)
    assert len(repo.items) == 60 - 25


# --- who may confirm which session -----------------------------------------------------------


def test_another_users_session_is_forbidden(sessions, repo):
    make_session(sessions, [row(2)], user="someone-else")
    with pytest.raises(NotAllowed):
        run(sessions, repo)
    assert repo.items == {}


def test_a_session_of_another_entity_type_is_a_bad_request(sessions, repo):
    make_session(sessions, [row(2)], entity_type="resellers")
    with pytest.raises(BadRequest) as caught:
        run(sessions, repo)
    assert type(caught.value) is BadRequest


def test_an_unknown_session_is_a_bad_request(sessions, repo):
    with pytest.raises(SessionNotFound):
        run(sessions, repo)


def test_an_expired_session_is_refused_at_its_expiry_second(sessions, repo):
    make_session(sessions, [row(2)], expires_at=NOW)
    with pytest.raises(SessionExpired):
        run(sessions, repo)
    assert repo.items == {}


# --- status ------------------------------------------------------------------------------------


def test_status_shows_validated_then_confirmed_with_results(sessions, repo):
    make_session(sessions, mixed_rows(repo, 30))
    before = import_status(sessions, OWNER, IMPORT_ID, NOW, DISTRIBUTORS.name)  # type: ignore[arg-type]
    assert before["status"] == "validated"
    assert before["total_rows"] == 30 and "results" not in before and "created" not in before

    result = run(sessions, repo, override=True)
    after = import_status(sessions, OWNER, IMPORT_ID, NOW + 3600, DISTRIBUTORS.name)  # type: ignore[arg-type]

    assert after["status"] == "confirmed"
    assert after["results"] == results(result)
    assert {k: after[k] for k in result.counters()} == result.counters()


def test_status_of_a_confirm_cut_off_shows_confirming_and_its_progress(sessions, repo):
    make_session(sessions, mixed_rows(repo, 300))
    run(sessions, repo, time_left=lambda: 0.0)
    data = import_status(sessions, OWNER, IMPORT_ID, NOW, DISTRIBUTORS.name)  # type: ignore[arg-type]
    assert data["status"] == "confirming" and data["processed_rows"] == CHUNK_ROWS
    assert "results" not in data


@pytest.mark.parametrize("case", ["unknown", "expired", "other entity"])
def test_status_of_a_missing_session_is_not_found(sessions, repo, case):
    if case != "unknown":
        make_session(
            sessions,
            [row(2)],
            expires_at=NOW if case == "expired" else NOW + 60,
            entity_type="resellers" if case == "other entity" else "distributors",
        )
    with pytest.raises(NotFound):
        import_status(sessions, OWNER, IMPORT_ID, NOW, DISTRIBUTORS.name)  # type: ignore[arg-type]


def test_status_of_another_users_session_is_forbidden(sessions):
    make_session(sessions, [row(2)], user="someone-else")
    with pytest.raises(NotAllowed):
        import_status(sessions, OWNER, IMPORT_ID, NOW, DISTRIBUTORS.name)  # type: ignore[arg-type]


def test_each_completed_row_is_reported_once_and_a_replay_reports_none(sessions, repo):
    make_session(sessions, mixed_rows(repo, 30))
    seen: list[tuple[int, str]] = []
    run(sessions, repo, override=True, on_row=lambda r, o: seen.append((r.row_number, o.status)))
    assert [n for n, _ in seen] == list(range(2, 32))
    run(sessions, repo, override=True, on_row=lambda r, o: seen.append((r.row_number, o.status)))
    assert len(seen) == 30
