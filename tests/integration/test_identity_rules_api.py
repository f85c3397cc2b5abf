"""CONTRACT section 7's identity and field rules through the distributors and validate
handlers: a Unicode variant of a stored VAT never becomes a second distributor, check
digits are verified (a legacy VAT is not re-checked while unchanged), the language error
lists the accepted languages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from orgimport.core.config import settings
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.integration.conftest import build_event, call_handler, envelope
from tests.unit.test_vat_identity import INVALID, SAME, STORED, VARIANTS
from tests.vats import it_vat


def wrong_digit(vat: str) -> str:
    return vat[:-1] + str((int(vat[-1]) + 1) % 10)


LEGACY = wrong_digit(STORED)  # a check digit that fails: stored before the rule
# every hardening rule holds for every organization kind: the module runs once per kind
KINDS = ("distributors", "resellers", "customers")
ITEM_PREFIX = {"distributors": "DIST#", "resellers": "RESE#", "customers": "CUST#"}
KIND = ["distributors"]  # the kind this run of the module is about


@pytest.fixture(autouse=True, params=KINDS)
def _aws(aws, request):
    KIND[0] = request.param
    yield
    KIND[0] = "distributors"


def path(suffix: str = "") -> str:
    return f"/{KIND[0]}{suffix}"


@pytest.fixture
def vat_check(monkeypatch) -> Iterator[Any]:
    def set_to(value: str) -> None:
        monkeypatch.setenv("VAT_CHECK", value)
        settings.cache_clear()

    yield set_to
    monkeypatch.delenv("VAT_CHECK", raising=False)
    settings.cache_clear()


def call(fn: str, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    result = call_handler(fn, build_event(method, path, **kwargs))
    return result["statusCode"], envelope(result)


def post(vat: str, **custom: Any) -> tuple[int, dict[str, Any]]:
    body = {"name": "Acme", "custom_data": {"vat": vat, **custom}}
    return call("distributors", "POST", path(), body=body)


def put(distributor_id: str, vat: str) -> tuple[int, dict[str, Any]]:
    body = {"name": "Renamed", "custom_data": {"vat": vat}}
    return call("distributors", "PUT", path(f"/{distributor_id}"), body=body)


def created(vat: str) -> dict[str, Any]:
    status, body = post(vat)
    assert status == 201, body
    return body["data"]


def distributor_count() -> int:
    items = boto3.client("dynamodb").scan(TableName="DistributorsTable")["Items"]
    return sum(1 for i in items if i["pk"]["S"].startswith(ITEM_PREFIX[KIND[0]]))


def vat_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["key"], e["message"]) for e in body["data"]["errors"]]


# --- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), VARIANTS)
def test_a_variant_of_a_stored_vat_is_never_created(written, expected):
    created(STORED)
    status, body = post(written)
    assert status == 400, body
    if "\x00" in written:
        # NUL never reaches the field rules: the request text itself is refused
        assert body["data"]["reason"] == "nul_character"
    else:
        code = "already_exists" if expected == SAME else INVALID
        assert vat_errors(body) == [("custom_data.vat", code)]
    assert distributor_count() == 1


def test_wrong_check_digits_are_a_400_invalid_format_naming_the_value():
    status, body = post("IT01234567890")
    assert (status, body["data"]["errors"]) == (
        400,
        [{"key": "custom_data.vat", "message": "invalid_format", "value": "IT01234567890"}],
    )
    assert distributor_count() == 0


@pytest.mark.parametrize("vat", ["US123456", "123456"])
def test_a_vat_without_a_checked_prefix_is_created(vat):
    assert created(vat)["custom_data"]["vat"] == vat


def test_vat_check_none_creates_a_vat_whose_check_digits_fail(vat_check):
    vat_check("none")
    assert created(LEGACY)["custom_data"]["vat"] == LEGACY


def test_a_put_keeping_a_legacy_vat_is_not_checked_again_but_a_new_one_is(vat_check):
    vat_check("none")
    legacy = created(LEGACY)
    vat_check("checksum")

    spelled = f"{LEGACY[:2].lower()} {LEGACY[2:7]}.{LEGACY[7:]}"  # the same identity
    status, body = put(legacy["id"], spelled)
    assert status == 200, body
    assert (body["data"]["name"], body["data"]["custom_data"]["vat"]) == ("Renamed", spelled)

    status, body = put(legacy["id"], wrong_digit(it_vat(77)))
    assert status == 400 and vat_errors(body) == [("custom_data.vat", INVALID)]

    status, body = put(legacy["id"], it_vat(77))
    assert status == 200 and body["data"]["custom_data"]["vat"] == it_vat(77)


def test_a_put_to_a_look_alike_of_its_own_vat_is_refused():
    mine = created(STORED)
    status, body = put(mine["id"], "\u0406T" + STORED[2:])
    assert status == 400 and vat_errors(body) == [("custom_data.vat", INVALID)]


def test_an_unknown_language_lists_the_accepted_ones():
    status, body = post(STORED, language="fr", email="Mario <m@x.it>")
    assert status == 400
    assert body["data"]["errors"] == [
        {"key": "custom_data.email", "message": "invalid_format", "value": "Mario <m@x.it>"},
        {
            "key": "custom_data.language",
            "message": "invalid_format",
            "value": "fr",
            "allowed": ["it", "en"],
        },
    ]


# --- validate -----------------------------------------------------------------------------


def validate(rows: list[dict[str, str]]) -> dict[str, Any]:
    lines = [",".join(DISTRIBUTOR_COLUMNS)]
    lines += [",".join(row.get(c, "") for c in DISTRIBUTOR_COLUMNS) for row in rows]
    content = ("\r\n".join(lines) + "\r\n").encode()
    status, body = call(
        "import_validate",
        "POST",
        path("/import/validate"),
        body=content,
        headers={"content-type": "text/csv"},
    )
    assert status == 200, body
    return body["data"]


def findings(row: dict[str, Any], kind: str) -> list[tuple[str, str, list[str]]]:
    return [(d["field"], d["message"], d.get("values", [])) for d in row.get(kind, [])]


# a NUL makes the whole file not a CSV (a file-level 400), so it is no row variant
ROW_VARIANTS = [v for v in VARIANTS if "\x00" not in v.values[0]]


def test_each_variant_of_a_stored_vat_is_a_warning_on_it_or_invalid_format():
    created(STORED)
    report = validate(
        [{"company_name": f"C{i}", "vat_number": v.values[0]} for i, v in enumerate(ROW_VARIANTS)]
    )
    first_same = None
    for row, variant in zip(report["rows"], ROW_VARIANTS, strict=True):
        written, expected = variant.values
        typed = written.strip()  # what the row echoes
        if expected == SAME:
            assert findings(row, "warnings") == [("vat_number", "already_exists", [typed])]
            first_same = first_same or row["row_number"]
            if row["row_number"] != first_same:
                assert findings(row, "errors") == [
                    ("vat_number", "duplicate_in_csv", [typed, str(first_same)])
                ]
        else:
            assert row["status"] == "error"
            assert findings(row, "errors") == [("vat_number", INVALID, [typed])]
            assert findings(row, "warnings") == []
    assert report["warning_rows"] == 1  # the first spelling; the later ones are duplicates


def test_check_digits_are_row_verdicts_and_a_held_legacy_vat_is_not_checked_again(vat_check):
    vat_check("none")
    created(LEGACY)
    archived_legacy = wrong_digit(it_vat(88))
    archived = created(archived_legacy)
    vat_check("checksum")
    status, _ = call("distributors", "DELETE", path(f"/{archived['id']}"))
    assert status == 200

    report = validate(
        [
            {"company_name": "Wrong digits", "vat_number": "IT01234567890"},
            {"company_name": "Valid", "vat_number": it_vat(99)},
            {"company_name": "No prefix", "vat_number": "US123456"},
            {"company_name": "Legacy held", "vat_number": LEGACY.lower()},
            {"company_name": "Legacy archived", "vat_number": archived_legacy},
            {"company_name": "Look-alike", "vat_number": "I\u0422" + STORED[2:]},
        ]
    )
    verdicts = [
        (r["status"], findings(r, "errors"), findings(r, "warnings")) for r in report["rows"]
    ]
    assert verdicts == [
        ("error", [("vat_number", INVALID, ["IT01234567890"])], []),
        ("valid", [], []),
        ("valid", [], []),
        ("warning", [], [("vat_number", "already_exists", [LEGACY.lower()])]),
        ("error", [("vat_number", "archived", [archived_legacy])], []),
        ("error", [("vat_number", INVALID, ["I\u0422" + STORED[2:]])], []),
    ]


def test_an_unknown_language_in_a_row_keeps_the_contracts_values():
    report = validate([{"company_name": "Acme", "vat_number": it_vat(5), "language": "fr"}])
    (row,) = report["rows"]
    assert row["errors"] == [{"field": "language", "message": INVALID, "values": ["fr"]}]


def test_confirm_with_override_updates_the_holder_of_a_legacy_vat(vat_check):
    vat_check("none")
    legacy = created(LEGACY)
    vat_check("checksum")
    report = validate([{"company_name": "Renamed by import", "vat_number": LEGACY}])
    assert report["warning_rows"] == 1

    status, body = call(
        "import_confirm",
        "POST",
        path("/import/confirm"),
        body={"import_id": report["import_id"], "override": True},
    )

    assert status == 200, body
    assert [(r["status"], r.get("id")) for r in body["data"]["results"]] == [
        ("updated", legacy["id"])
    ]
    _, got = call("distributors", "GET", path(f"/{legacy['id']}"))
    assert (got["data"]["name"], got["data"]["custom_data"]["vat"]) == ("Renamed by import", LEGACY)
