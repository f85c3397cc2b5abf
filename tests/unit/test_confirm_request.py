"""The confirm request's identity: what makes two bodies "the same request"."""

from orgimport.imports.confirm import ConfirmRequest, row_record_id

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


def test_a_created_rows_id_is_the_same_on_every_retry_and_differs_per_row_and_import():
    other = "9c0d1c57-39a9-4c43-8a55-2a8f53a2b7a4"
    assert row_record_id(IMPORT_ID, 2) == row_record_id(IMPORT_ID.upper(), 2)
    assert row_record_id(IMPORT_ID, 2) != row_record_id(IMPORT_ID, 3)
    assert row_record_id(IMPORT_ID, 2) != row_record_id(other, 2)
