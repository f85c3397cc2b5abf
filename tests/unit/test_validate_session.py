"""validate_csv with in-memory repositories: one batched lookup, one stored session."""

from __future__ import annotations

import pytest

from orgimport.core.errors import FileRejected
from orgimport.core.identity import Caller
from orgimport.imports.template_csv import template_text
from orgimport.imports.validate import validate_csv
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.records import OrganizationRecords
from tests.unit.fakes import FakeOrganizations, FakeSessions
from tests.vats import it_vat

CALLER = Caller(user_id="u1", org_id="o1", role="owner")
HEADER = ",".join(DISTRIBUTOR_COLUMNS)


def csv_of(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def line(name: str, vat: str, email: str = "") -> str:
    cells = dict.fromkeys(DISTRIBUTOR_COLUMNS, "")
    cells.update(company_name=name, vat_number=vat, email=email)
    return ",".join(cells.values())


def held(vat: str) -> Organization:
    return Organization(
        id="d-held",
        fields=DistributorFields(name="Held", vat=vat).cleaned(),
        created_at="t",
        updated_at="t",
        created_by_user="u0",
        created_by_org="o0",
    )


def run(data: bytes, distributors=None, sessions=None, **kwargs):
    distributors = distributors or FakeOrganizations()
    sessions = sessions or FakeSessions()
    session = validate_csv(
        data,
        CALLER,
        DISTRIBUTORS,
        OrganizationRecords(distributors, DISTRIBUTORS.policy),
        sessions,
        now=1_000,
        ttl_seconds=1800,
        **kwargs,
    )
    return session, distributors, sessions


def test_every_vat_of_the_file_is_looked_up_in_one_call():
    rows = [line(f"N{i}", it_vat(i)) for i in range(999)]
    rows.append(line("dup", f"it {it_vat(1)[2:]}"))
    _, distributors, _ = run(csv_of(*rows))
    assert len(distributors.holder_lookups) == 1
    assert len(distributors.holder_lookups[0]) == 999


def test_the_session_stored_is_the_one_returned_with_owner_lifetime_and_rows():
    session, _, sessions = run(csv_of(line("A", it_vat(1)), line("B", it_vat(2), email="bad")))
    assert sessions.saved == [session]
    assert session.user_id == "u1" and session.org_id == "o1"
    assert session.entity_type == "distributors"
    assert session.created_at == 1_000 and session.expires_at == 2_800
    assert session.status == "validated"
    assert [r.status for r in session.rows] == ["valid", "error"]


def test_report_has_the_contract_counters_and_every_row():
    holders = FakeOrganizations([held(it_vat(2))])
    session, _, _ = run(csv_of(line("A", it_vat(1)), line("B", it_vat(2)), line("C", "")), holders)
    report = session.report()
    assert report["columns"][:2] == [
        {"header": "company_name", "column": "company_name"},
        {"header": "description", "column": "description"},
    ]
    assert {k: v for k, v in report.items() if k not in ("import_id", "rows", "columns")} == {
        "total_rows": 3,
        "valid_rows": 1,
        "error_rows": 1,
        "warning_rows": 1,
        "ambiguous_rows": 0,
    }
    assert [r["row_number"] for r in report["rows"]] == [2, 3, 4]
    assert report["rows"][1]["changes"] == {"company_name": {"from": "Held", "to": "B"}}


def test_each_validate_gets_a_fresh_uuid_import_id():
    first, _, _ = run(csv_of(line("A", it_vat(1))))
    second, _, _ = run(csv_of(line("A", it_vat(1))))
    assert first.import_id != second.import_id and len(first.import_id) == 36


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (HEADER.encode() + b"\r\n", "no_data_rows"),
        (b"company_name,fiscal id\r\nA,IT00000020016\r\n", "invalid_columns"),
    ],
)
def test_a_rejected_file_touches_no_store(data, reason):
    distributors, sessions = FakeOrganizations(), FakeSessions()
    with pytest.raises(FileRejected) as info:
        run(data, distributors, sessions)
    assert info.value.reason == reason
    assert distributors.holder_lookups == [] and sessions.saved == []


def test_the_downloadable_template_validates_clean():
    session, _, _ = run(template_text(DISTRIBUTORS).encode("utf-8"))
    assert session.total_rows == 2
    assert [r.status for r in session.rows] == ["valid", "valid"]
