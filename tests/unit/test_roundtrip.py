"""The error round-trip (CONTRACT section 11): a failing file's report, uploaded again,
validates as the file did, the added columns ignored; sentences in either language."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgimport.core.identity import Caller
from orgimport.imports.messages import language_of
from orgimport.imports.roundtrip import report_csv, report_workbook
from orgimport.imports.validate import validate_csv
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.records import OrganizationRecords
from tests.unit.fakes import FakeOrganizations, FakeSessions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OWNER = Caller("u1", "o1", "owner")


def validate(data: bytes):
    records = OrganizationRecords(FakeOrganizations(), DISTRIBUTORS.policy)
    return validate_csv(
        data, OWNER, DISTRIBUTORS, records, FakeSessions(), now=1_800_000_000, ttl_seconds=1800
    )


def verdicts(session):
    return [(r.row_number, r.status, r.errors, r.warnings, r.data) for r in session.rows]


@pytest.mark.parametrize(
    "name",
    [
        "messy.csv",
        "semicolon_bom.csv",
        "workbooks/semicolon_bom.xlsx",
    ],
)
@pytest.mark.parametrize("build", [report_csv, report_workbook], ids=["csv", "xlsx"])
def test_a_report_uploaded_again_validates_as_the_file_did(name, build):
    first = validate((FIXTURES / name).read_bytes())
    again = validate(build(first, "it"))
    assert verdicts(again) == verdicts(first)
    assert [c["column"] for c in again.report()["columns"]][-2:] == [None, None]


def test_the_csv_report_keeps_the_uploads_delimiter_and_encoding():
    first = validate((FIXTURES / "semicolon_bom.csv").read_bytes())
    data = report_csv(first, "en")
    assert data.startswith(b"\xef\xbb\xbf") and b";import_status;import_messages" in data


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("it-IT,it;q=0.9,en;q=0.8", "it"),
        ("en-GB", "en"),
        ("de, it;q=0.5", "it"),
        (None, "en"),
        ("fr", "en"),
        ("en;q=0.2, it;q=0.8", "it"),
    ],
)
def test_the_language_follows_accept_language(header, language):
    assert language_of(header) == language


def test_messages_are_sentences_in_the_asked_language():
    first = validate((FIXTURES / "messy.csv").read_bytes())
    italian = report_csv(first, "it").decode("utf-8-sig")
    english = report_csv(first, "en").decode("utf-8-sig")
    assert "obbligatorio" in italian and "required" in english
