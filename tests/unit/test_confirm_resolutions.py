"""Confirm's table for rows that may be ambiguous (CONTRACT section 10), every cell, on
the pipeline alone: a kind whose rows can name several organizations, a writer that
records what it was asked to write, in-memory sessions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from orgimport.core.errors import Conflict, ValidationFailed
from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.imports.confirm import ConfirmOptions, confirm_import, confirm_request
from orgimport.imports.csv_reader import CsvRecord
from orgimport.imports.judge import judge_found
from orgimport.imports.kind import RowFindings, RowWriter
from orgimport.imports.session import (
    AMBIGUOUS,
    Diagnostic,
    ImportSession,
    RowOutcome,
    RowVerdict,
    row_record_id,
)
from orgimport.kinds.users.kind import USERS
from tests.unit.fakes import FakeSessions

NOW = 1_800_000_000
CALLER = Caller("u1", "o1", "owner")
IMPORT_ID = "5d0b0c2e-0f5e-4b9e-8a36-6a3a3f0c1e77"
KIND = USERS
CANDIDATES = ("org-a", "org-b")
EXISTING = "person-1"


def _ambiguity() -> Diagnostic:
    found = tuple({"logto_id": c, "name": "Rossi S.r.l.", "type": "customer"} for c in CANDIDATES)
    return Diagnostic("company_name", AMBIGUOUS, ("Rossi S.r.l.",), found)


ALREADY = Diagnostic("email", "already_exists", ("a@x.it",))
# row number -> (row, the resolution the test sends for it, if any)
ROWS: dict[str, tuple[RowVerdict, str | None]] = {
    "valid": (RowVerdict(2, "valid", {"organization_id": "org-z"}), None),
    "error": (RowVerdict(3, "error", {}, errors=(Diagnostic("email", "required"),)), None),
    "warning": (
        RowVerdict(4, "warning", {"organization_id": "org-z"}, (), (ALREADY,), EXISTING, "k", {}),
        None,
    ),
    "ambiguous, no resolution": (RowVerdict(5, "ambiguous", {}, (), (_ambiguity(),)), None),
    "ambiguous, resolution not among its candidates": (
        RowVerdict(6, "ambiguous", {}, (), (_ambiguity(),)),
        "org-elsewhere",
    ),
    "ambiguous, resolution among its candidates": (
        RowVerdict(7, "ambiguous", {}, (), (_ambiguity(),)),
        "org-b",
    ),
    "ambiguous and a warning, resolution among its candidates": (
        RowVerdict(8, "ambiguous", {}, (), (_ambiguity(), ALREADY), EXISTING, "k", {}),
        "org-a",
    ),
}
# the contract's table: row -> (override false, override true), each (status, reason or org)
TABLE: dict[str, tuple[tuple[str, str | None], tuple[str, str | None]]] = {
    "valid": (("created", "org-z"), ("created", "org-z")),
    "error": (("skipped", "error"), ("skipped", "error")),
    "warning": (("skipped", "warning_not_overridden"), ("updated", "org-z")),
    "ambiguous, no resolution": (
        ("skipped", "ambiguous_unresolved"),
        ("skipped", "ambiguous_unresolved"),
    ),
    "ambiguous, resolution not among its candidates": (("failed", None), ("failed", None)),
    "ambiguous, resolution among its candidates": (("created", "org-b"), ("created", "org-b")),
    "ambiguous and a warning, resolution among its candidates": (
        ("skipped", "warning_not_overridden"),
        ("updated", "org-a"),
    ),
}


class _Writer:
    def __init__(self, written: dict[int, str], import_id: str):
        self.written, self.import_id = written, import_id

    def create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        for r in rows:
            self.written[r.row_number] = r.data["organization_id"]
        return [
            RowOutcome(r.row_number, "created", id=row_record_id(self.import_id, r.row_number))
            for r in rows
        ]

    def update(self, row: RowVerdict) -> RowOutcome:
        self.written[row.row_number] = row.data["organization_id"]
        return RowOutcome(row.row_number, "updated", id=row.existing_id, changed_fields=())


class _Records:
    """The kind's records: every write lands in `written` (row number -> organization)."""

    def __init__(self) -> None:
        self.written: dict[int, str] = {}

    def findings(self, rows: Sequence[Mapping[str, str]], caller: Caller) -> list[RowFindings]:
        raise AssertionError("confirm never judges rows")

    def writer(self, caller: Caller, import_id: str, run: Mapper) -> RowWriter:
        return _Writer(self.written, import_id)


def _session(sessions: FakeSessions) -> None:
    rows = [r for r, _ in ROWS.values()]
    sessions.save_new(ImportSession(IMPORT_ID, KIND.name, "u1", "o1", NOW, NOW + 1800, rows=rows))


def _resolutions() -> dict[str, Any]:
    return {
        str(r.row_number): {"organization_id": chosen}
        for r, chosen in ROWS.values()
        if chosen is not None
    }


def _confirm(
    sessions: FakeSessions, records: _Records, override: bool, resolutions: dict[str, Any]
) -> dict[int, RowOutcome]:
    request = confirm_request(KIND, IMPORT_ID, override, resolutions)
    options = ConfirmOptions(clock=lambda: NOW)
    result = confirm_import(sessions, KIND, records, CALLER, request, options)
    return {o.row_number: o for o in result.outcomes}


@pytest.mark.parametrize("override", [False, True])
@pytest.mark.parametrize("case", list(TABLE))
def test_every_cell_of_the_confirm_table(case, override):
    sessions, records = FakeSessions(), _Records()
    _session(sessions)
    outcomes = _confirm(sessions, records, override, _resolutions())
    row = ROWS[case][0]
    status, detail = TABLE[case][override]
    outcome = outcomes[row.row_number]
    assert outcome.status == status
    if status == "skipped":
        assert outcome.reason == detail
        assert row.row_number not in records.written
    elif status == "failed":
        assert "org-elsewhere is not one of this row's candidates" in (outcome.error or "")
        assert row.row_number not in records.written
    else:
        assert records.written[row.row_number] == detail  # written in that organization


@pytest.mark.parametrize(
    ("key", "why"),
    [("2", "a valid row"), ("3", "an error row"), ("4", "a warning row"), ("99", "no such row")],
)
def test_a_resolution_for_a_row_that_is_not_ambiguous_is_a_400_and_writes_nothing(key, why):
    sessions, records = FakeSessions(), _Records()
    _session(sessions)
    with pytest.raises(ValidationFailed) as caught:
        _confirm(sessions, records, True, {key: {"organization_id": "org-a"}})
    (error,) = caught.value.errors
    assert (error.key, error.message) == (f"resolutions.{key}", "not_ambiguous"), why
    assert records.written == {}
    assert sessions.sessions[IMPORT_ID].status == "validated"


def test_resolutions_are_part_of_the_request_identity():
    sessions, records = FakeSessions(), _Records()
    _session(sessions)
    first = _confirm(sessions, records, False, _resolutions())
    written = dict(records.written)
    # the same body again: the stored result, nothing written
    assert _confirm(sessions, records, False, _resolutions()) == first
    assert records.written == written
    # other resolutions: another request, refused after a confirm
    other = {"7": {"organization_id": "org-a"}}
    with pytest.raises(Conflict, match="different request"):
        _confirm(sessions, records, False, other)
    with pytest.raises(Conflict, match="different request"):
        _confirm(sessions, records, False, {})
    assert records.written == written


# --- validate's side: the status precedence and the counter ------------------------------


def _judged(*findings: RowFindings) -> list[RowVerdict]:
    records = [CsvRecord(n + 2, {"company_name": "x"}, ()) for n in range(len(findings))]
    return judge_found(KIND, records, findings)


def test_status_precedence_is_error_then_ambiguous_then_warning():
    broken = Diagnostic("email", "invalid_format", ("x",))
    resolved = {"organization_id": "org-z"}
    rows = _judged(
        RowFindings(errors=(broken,), ambiguity=_ambiguity()),
        RowFindings(warnings=(ALREADY,), ambiguity=_ambiguity()),
        RowFindings(warnings=(ALREADY,), resolved=resolved),
        RowFindings(resolved=resolved),
    )
    assert [r.status for r in rows] == ["error", "ambiguous", "warning", "valid"]
    assert rows[1].candidate_ids == CANDIDATES
    assert rows[1].as_json()["warnings"][0]["candidates"][1]["logto_id"] == "org-b"
    assert rows[3].data["organization_id"] == "org-z"
    session = ImportSession(IMPORT_ID, KIND.name, "u1", "o1", NOW, NOW + 1800, rows=rows)
    summary = session.summary()
    assert (summary["ambiguous_rows"], summary["warning_rows"], summary["error_rows"]) == (1, 1, 1)


def test_a_rows_candidates_survive_the_session_store():
    (row,) = _judged(RowFindings(ambiguity=_ambiguity()))
    assert RowVerdict.from_store(row.to_store()) == row
