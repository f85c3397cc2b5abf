"""The S3 import's report (JSON and CSV) and the keys and ids it is filed under: no AWS."""

from __future__ import annotations

import csv
import io
import json

import pytest

from orgimport.core.errors import FileRejected
from orgimport.imports.ports import S3ObjectRef
from orgimport.imports.report import ImportReport, csv_columns, file_error, neutralise
from orgimport.imports.s3 import (
    import_id_for,
    is_import_key,
    override_from,
    report_keys,
    s3_caller,
    sequencer_newer,
)
from orgimport.imports.session import (
    Diagnostic,
    ImportSession,
    RowOutcome,
    RowVerdict,
)
from orgimport.kinds.customers.kind import CUSTOMERS
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.registry import kind_of_upload
from orgimport.kinds.resellers.kind import RESELLERS
from orgimport.kinds.users.kind import USERS


def row(n: int, status: str = "valid", **data: str) -> RowVerdict:
    errors = (Diagnostic("company_name", "required"),) if status == "error" else ()
    warnings = (
        (Diagnostic("vat_number", "already_exists", (data.get("vat_number", ""),)),)
        if status == "warning"
        else ()
    )
    return RowVerdict(n, status, dict(data), errors, warnings)


def session(rows: list[RowVerdict]) -> ImportSession:
    return ImportSession(
        import_id="imp-1",
        entity_type=DISTRIBUTORS.name,
        user_id="s3:AWS:X",
        org_id="system",
        created_at=0,
        expires_at=1800,
        rows=rows,
    )


def make_report(**kwargs) -> ImportReport:
    defaults = {
        "kind": DISTRIBUTORS,
        "import_id": "imp-1",
        "status": "confirmed",
        "source": {"bucket": "b", "key": "incoming/distributors/a.csv"},
        "created_by": {"user_id": "s3:AWS:X", "org_id": "system"},
        "override": False,
        "generated_at": 1_790_000_000,
    }
    return ImportReport(**{**defaults, **kwargs})


def csv_lines(report: ImportReport) -> list[dict[str, str]]:
    data = report.csv_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- formula neutralisation -------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", '=HYPERLINK("x")'])
def test_a_cell_a_spreadsheet_would_evaluate_gets_a_leading_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "Alfa", "IT 123", "a=b", " =1", "'quoted", "3-2"])
def test_a_harmless_cell_is_left_as_it_is(cell):
    assert neutralise(cell) == cell


def test_every_cell_of_the_csv_report_is_neutralised_data_and_problems_alike():
    rows = [row(2, company_name="=cmd", vat_number="+1", city="@x", notes="-n")]
    outcomes = [RowOutcome(2, "failed", error="=oops")]

    (line,) = csv_lines(make_report(session=session(rows), outcomes=outcomes))

    assert (line["company_name"], line["vat_number"], line["city"], line["notes"]) == (
        "'=cmd",
        "'+1",
        "'@x",
        "'-n",
    )
    assert line["problems"] == "failed: =oops"  # not at the start: harmless


# --- the JSON report ----------------------------------------------------------------------------


def test_a_confirmed_report_lists_only_rows_with_errors_or_warnings_and_every_result():
    rows = [
        row(2, company_name="A", vat_number="IT1"),
        row(3, "warning", company_name="B", vat_number="IT2"),
        row(4, "error", vat_number="IT3"),
    ]
    outcomes = [
        RowOutcome(2, "created", id="d1"),
        RowOutcome(3, "skipped", reason="warning_not_overridden"),
        RowOutcome(4, "skipped", reason="error"),
    ]

    data = json.loads(make_report(session=session(rows), outcomes=outcomes).json_bytes())

    assert data["status"] == "confirmed"
    assert data["generated_at"] == "2026-09-21T14:13:20Z"
    assert data["validation"]["total_rows"] == 3
    assert (data["validation"]["valid_rows"], data["validation"]["warning_rows"]) == (1, 1)
    assert [r["row_number"] for r in data["validation"]["rows"]] == [3, 4]
    assert data["confirm"] == {
        "created": 1,
        "updated": 0,
        "skipped": 2,
        "failed": 0,
        "total_rows": 3,
        "results": [o.as_json() for o in outcomes],
    }
    assert data["error"] is None


def test_an_incomplete_report_says_how_far_the_confirm_got():
    rows = [row(2, vat_number="IT1"), row(3, vat_number="IT2")]
    report = make_report(
        status="incomplete",
        session=session(rows),
        outcomes=[RowOutcome(2, "created", id="d1")],
        error={"type": "confirm_interrupted", "message": "m"},
    )

    data = report.as_json()

    assert not report.final
    assert data["confirm"]["processed_rows"] == 1
    assert data["confirm"]["total_rows"] == 2
    assert data["confirm"]["results"] == [{"row_number": 2, "status": "created", "id": "d1"}]
    lines = csv_lines(report)
    assert [(x["row_number"], x["outcome"]) for x in lines] == [("2", "created"), ("3", "")]


def test_a_rejected_file_reports_the_error_and_nothing_imported():
    exc = FileRejected("too_many_rows", "file has 1001 data rows; the limit is 1000", {"x": 1})
    report = make_report(status="rejected", error=file_error(exc))

    data = report.as_json()

    assert report.final
    assert data["validation"] is None and data["confirm"] is None
    assert data["error"] == {
        "message": "file has 1001 data rows; the limit is 1000",
        "type": "file_error",
        "reason": "too_many_rows",
        "x": 1,
    }
    (line,) = csv_lines(report)
    assert (line["validation"], line["problems"]) == ("rejected", data["error"]["message"])
    assert list(line) == list(csv_columns(DISTRIBUTORS))


# --- keys, ids, actor, override -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "wanted"),
    [
        ("incoming/distributors/a.csv", True),
        ("incoming/distributors/2026/11/nightly export.csv", True),
        ("incoming/distributors/.csv", False),
        ("incoming/distributors/a.CSV", False),
        ("incoming/distributors/a.txt", False),
        ("incoming/resellers/a.csv", False),
        ("reports/distributors/a.csv", False),
    ],
)
def test_only_csv_keys_under_the_prefix_are_imported(key, wanted):
    assert is_import_key(key, DISTRIBUTORS) is wanted


def test_the_reports_are_named_after_the_object_beside_each_other():
    assert report_keys("incoming/distributors/2026/nightly.csv", DISTRIBUTORS) == (
        "reports/distributors/2026/nightly.json",
        "reports/distributors/2026/nightly.csv",
    )


def test_the_import_id_is_the_same_for_one_version_and_differs_for_another():
    one = S3ObjectRef("b", "incoming/distributors/a.csv", version_id="v1", sequencer="01")
    redelivered = S3ObjectRef("b", "incoming/distributors/a.csv", version_id="v1", sequencer="01")
    reuploaded = S3ObjectRef("b", "incoming/distributors/a.csv", version_id="v2", sequencer="02")
    other_bucket = S3ObjectRef("c", "incoming/distributors/a.csv", version_id="v1")

    assert import_id_for(one) == import_id_for(redelivered)
    assert len({import_id_for(one), import_id_for(reuploaded), import_id_for(other_bucket)}) == 3


def test_without_versions_the_sequencer_tells_uploads_apart():
    first = S3ObjectRef("b", "incoming/distributors/a.csv", sequencer="0055AED6DCD90281E5")
    second = S3ObjectRef("b", "incoming/distributors/a.csv", sequencer="0055AED6DCD90281E6")
    assert import_id_for(first) != import_id_for(second)
    with pytest.raises(ValueError):
        import_id_for(S3ObjectRef("b", "incoming/distributors/a.csv"))


def test_sequencers_compare_after_left_padding():
    assert sequencer_newer("0055AED6DCD90281E6", "0055AED6DCD90281E5")
    assert sequencer_newer("10", "0F")
    assert sequencer_newer("100", "FF")  # the shorter one is padded on the left
    assert not sequencer_newer("0F", "10")
    assert not sequencer_newer(None, "10") and not sequencer_newer("10", None)


def test_the_actor_is_the_system_recording_the_s3_principal_as_the_owner_organization():
    assert s3_caller("AWS:AIDAEXAMPLE").as_created_by() == {
        "user_id": "s3:AWS:AIDAEXAMPLE",
        "org_id": "owner",  # OWNER_ORG_ID's default (CONTRACT section 13)
    }
    assert s3_caller("AWS:AIDAEXAMPLE").is_owner
    assert s3_caller(None).user_id == "s3:unknown"


@pytest.mark.parametrize(
    ("metadata", "override"),
    [
        ({"override": "true"}, True),
        ({"override": " True "}, True),
        ({"override": "yes"}, False),
        ({"override": "1"}, False),
        ({"override": "false"}, False),
        ({}, False),
    ],
)
def test_override_is_true_only_for_true(metadata, override):
    assert override_from(metadata) is override


def test_the_kind_of_an_upload_is_read_off_its_prefix():
    assert kind_of_upload("incoming/distributors/2026/nightly.csv") is DISTRIBUTORS
    assert kind_of_upload("incoming/resellers/a.csv") is RESELLERS
    assert kind_of_upload("incoming/customers/b/c.csv") is CUSTOMERS
    assert kind_of_upload("incoming/users/a.csv") is USERS
    assert kind_of_upload("reports/distributors/a.csv") is None
