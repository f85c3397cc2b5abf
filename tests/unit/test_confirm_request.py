"""The confirm request's identity: what makes two bodies "the same request"."""

from dataclasses import replace

import pytest

from orgimport.core.errors import ValidationFailed
from orgimport.imports.confirm import ConfirmRequest, confirm_request, row_record_id
from orgimport.kinds.distributors.kind import DISTRIBUTORS

IMPORT_ID = "0b5b7f0e-8a4c-4d0e-9c61-5a3a3f0c1e01"


def test_the_same_import_and_override_hash_alike_whatever_the_case_of_the_id():
    assert (
        ConfirmRequest(IMPORT_ID, True).request_hash
        == ConfirmRequest(IMPORT_ID.upper(), True).request_hash
    )


def test_override_is_part_of_the_request():
    assert ConfirmRequest(IMPORT_ID, True).request_hash != ConfirmRequest(IMPORT_ID).request_hash


def test_an_omitted_override_is_the_same_request_as_false():
    assert ConfirmRequest(IMPORT_ID).request_hash == ConfirmRequest(IMPORT_ID, False).request_hash


def test_the_hash_of_a_request_without_resolutions_is_the_one_sessions_already_hold():
    # pinned: sessions stored before resolutions existed must still replay
    assert ConfirmRequest(IMPORT_ID).request_hash == (
        "13e7fe68c7eea55574bd907a4c6eb03b8dbfcdc3dc21554fd050167b7bce448b"
    )
    assert ConfirmRequest(IMPORT_ID, True).request_hash == (
        "655fafbc65a81af77c765116871e402ac186f9eef04cd1d607f931e3661ced18"
    )


def test_resolutions_are_part_of_the_request_in_any_order():
    one = ConfirmRequest(IMPORT_ID, False, ((3, "org-a"), (2, "org-b")))
    same = ConfirmRequest(IMPORT_ID, False, ((2, "org-b"), (3, "org-a")))
    other = ConfirmRequest(IMPORT_ID, False, ((2, "org-a"), (3, "org-a")))
    assert one.request_hash == same.request_hash
    assert one.request_hash != other.request_hash
    assert one.request_hash != ConfirmRequest(IMPORT_ID).request_hash


def test_a_kind_that_takes_no_resolutions_ignores_them():
    ignored = confirm_request(DISTRIBUTORS, IMPORT_ID, True, {"2": "anything"})
    assert ignored == ConfirmRequest(IMPORT_ID, True)
    taking = replace(DISTRIBUTORS, resolution_key="organization_id")
    kept = confirm_request(taking, IMPORT_ID, True, {"2": {"organization_id": "org-a"}})
    assert kept.resolutions == ((2, "org-a"),)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("two", {"organization_id": "org-a"}, "invalid_row_number"),
        ("-2", {"organization_id": "org-a"}, "invalid_row_number"),
        ("٣", {"organization_id": "org-a"}, "invalid_row_number"),
        ("2", "org-a", "invalid_format"),
        ("2", {}, "invalid_format"),
        ("2", {"organization_id": 7}, "invalid_format"),
        ("2", {"organization_id": ""}, "invalid_format"),
        ("2", {"organization_id": "org-a", "extra": 1}, "invalid_format"),
    ],
)
def test_a_bad_resolution_is_a_400_naming_its_key(key, value, message):
    taking = replace(DISTRIBUTORS, resolution_key="organization_id")
    with pytest.raises(ValidationFailed) as caught:
        confirm_request(taking, IMPORT_ID, False, {key: value})
    (error,) = caught.value.errors
    assert (error.key, error.message) == (f"resolutions.{key}", message)


def test_a_created_rows_id_is_the_same_on_every_retry_and_differs_per_row_and_import():
    other = "9c0d1c57-39a9-4c43-8a55-2a8f53a2b7a4"
    assert row_record_id(IMPORT_ID, 2) == row_record_id(IMPORT_ID.upper(), 2)
    assert row_record_id(IMPORT_ID, 2) != row_record_id(IMPORT_ID, 3)
    assert row_record_id(IMPORT_ID, 2) != row_record_id(other, 2)
