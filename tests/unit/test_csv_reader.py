"""Unit tests of orgimport.imports.csv_reader: bytes in, CsvTable or FileRejected out."""

from __future__ import annotations

import codecs
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgimport.core.errors import FileRejected
from orgimport.imports.csv_reader import CsvRecord, CsvTable, read_csv
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS, REQUIRED_COLUMNS

HEADER = ",".join(DISTRIBUTOR_COLUMNS)
MIB = 1024 * 1024


def read(data: bytes, **kwargs: int) -> CsvTable:
    return read_csv(
        data,
        expected_columns=DISTRIBUTOR_COLUMNS,
        required_columns=REQUIRED_COLUMNS,
        **kwargs,
    )


def rejected(data: bytes, **kwargs: int) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        read(data, **kwargs)
    return info.value


def row(company: str = "Acme", vat: str = "IT123", *, city: str = "", delim: str = ",") -> str:
    """A full data line in DISTRIBUTOR_COLUMNS order (no line end)."""
    values = dict.fromkeys(DISTRIBUTOR_COLUMNS, "")
    values.update(company_name=company, vat_number=vat, city=city)
    return delim.join(values.values())


def cells(**given: str) -> dict[str, str]:
    """The expected `cells` of a record: every column present, unnamed ones empty."""
    out = dict.fromkeys(DISTRIBUTOR_COLUMNS, "")
    out.update(given)
    return out


def company_rows(table: CsvTable) -> list[tuple[int, str]]:
    return [(r.row_number, r.cells["company_name"]) for r in table.records]


# --- encodings ---------------------------------------------------------------------------

ENCODING_CASES = [
    pytest.param(
        (HEADER + "\n" + row("Città € Srl", city="Città") + "\n").encode("cp1252"),
        "cp1252",
        ",",
        "Città € Srl",
        "Città",
        id="cp1252-accent-and-euro-0x80",
    ),
    pytest.param(
        (HEADER.replace(",", ";") + "\r\n" + row("Città", delim=";", city="Köln") + "\r\n").encode(
            "utf-8-sig"
        ),
        "utf-8-sig",
        ";",
        "Città",
        "Köln",
        id="utf8-bom-semicolons",
    ),
    pytest.param(
        codecs.BOM_UTF16_LE
        + (HEADER + "\r\n" + row("Città €", city="Zürich") + "\r\n").encode("utf-16-le"),
        "utf-16",
        ",",
        "Città €",
        "Zürich",
        id="utf16-le-bom",
    ),
    pytest.param(
        codecs.BOM_UTF16_BE + (HEADER + "\n" + row("Łódź", city="Łódź") + "\n").encode("utf-16-be"),
        "utf-16",
        ",",
        "Łódź",
        "Łódź",
        id="utf16-be-bom",
    ),
    pytest.param(
        (HEADER + "\n" + row("Città", city="東京") + "\n").encode("utf-8"),
        "utf-8",
        ",",
        "Città",
        "東京",
        id="utf8-no-bom",
    ),
    pytest.param(
        (HEADER.replace(",", "\t") + "\n" + row("A, B & C", delim="\t") + "\n").encode("utf-8"),
        "utf-8",
        "\t",
        "A, B & C",
        "",
        id="tab-delimiter-commas-in-cells",
    ),
]


@pytest.mark.parametrize(("data", "encoding", "delimiter", "company", "city"), ENCODING_CASES)
def test_decodes_each_supported_encoding_and_detects_delimiter(
    data: bytes, encoding: str, delimiter: str, company: str, city: str
) -> None:
    table = read(data)
    assert table.encoding == encoding
    assert table.delimiter == delimiter
    assert table.columns == DISTRIBUTOR_COLUMNS
    assert table.records == (
        CsvRecord(2, cells(company_name=company, vat_number="IT123", city=city), ()),
    )


def test_cp1252_undefined_bytes_decode_as_latin1_code_points() -> None:
    data = (HEADER + "\n").encode() + b"A\x81\x8d\x8f\x90\x9d\xe9,,IT1\n"
    table = read(data)
    assert table.encoding == "cp1252"
    assert table.records[0].cells["company_name"] == "A\x81\x8d\x8f\x90\x9d\u00e9"


# --- delimiter detection -----------------------------------------------------------------

DELIMITER_CASES = [
    pytest.param(HEADER, ",", id="comma"),
    pytest.param(HEADER.replace(",", ";"), ";", id="semicolon"),
    pytest.param(HEADER.replace(",", "\t"), "\t", id="tab"),
    pytest.param(
        ";".join(f'"{name}"' for name in DISTRIBUTOR_COLUMNS), ";", id="quoted-header-names"
    ),
]


@pytest.mark.parametrize(("header", "delimiter"), DELIMITER_CASES)
def test_delimiter_is_detected_from_the_header_line(header: str, delimiter: str) -> None:
    data = (header + "\n" + row("Acme", delim=delimiter) + "\n").encode()
    assert read(data).delimiter == delimiter


# Odd headers fail the column check; the unexpected names show how the header was split.
SPLIT_CASES = [
    pytest.param("a;b,c\tx", ["a;b", "c\tx"], id="tie-goes-to-comma"),
    pytest.param("a;b\tx", ["a", "b\tx"], id="semicolon-tab-tie-goes-to-semicolon"),
    pytest.param("a;b;c\td,e", ["a", "b", "c\td,e"], id="most-frequent-wins"),
    pytest.param('"a,b,c";d', ["a,b,c", "d"], id="delimiters-inside-quotes-not-counted"),
]


@pytest.mark.parametrize(("header", "unexpected"), SPLIT_CASES)
def test_delimiter_is_the_most_frequent_candidate_outside_quotes(
    header: str, unexpected: list[str]
) -> None:
    error = rejected((header + "\nAcme\n").encode())
    assert error.reason == "invalid_columns"
    assert error.details["unexpected"] == unexpected


def test_data_rows_with_other_delimiters_do_not_change_header_choice() -> None:
    data = (HEADER.replace(",", ";") + "\n" + "Acme, Inc.;desc, more;IT1\n").encode()
    table = read(data)
    assert table.delimiter == ";"
    assert table.records[0].cells["company_name"] == "Acme, Inc."
    assert table.records[0].cells["description"] == "desc, more"


# --- quoting and row numbers -------------------------------------------------------------


def test_quoted_line_break_is_one_row_and_later_rows_keep_spreadsheet_numbers() -> None:
    data = (
        HEADER + "\n" + 'Acme,"line one\nline two",IT1\n' + "Beta,,IT2\n" + "Gamma,,IT3\n"
    ).encode()
    table = read(data)
    assert company_rows(table) == [(2, "Acme"), (3, "Beta"), (4, "Gamma")]
    assert table.records[0].cells["description"] == "line one\nline two"


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        pytest.param("a\r\nb", "a\nb", id="crlf"),
        pytest.param("a\rb", "a\nb", id="lone-cr"),
        pytest.param("a\nb", "a\nb", id="lf"),
        pytest.param("a\n\n\nb", "a\n\n\nb", id="blank-lines-inside-cell"),
    ],
)
def test_line_breaks_inside_quoted_cells_are_normalised_to_lf(inner: str, expected: str) -> None:
    data = (HEADER + "\r\n" + f'Acme,"{inner}",IT1\r\nBeta,,IT2\r\n').encode()
    table = read(data)
    assert table.records[0].cells["description"] == expected
    assert company_rows(table) == [(2, "Acme"), (3, "Beta")]


QUOTE_CASES = [
    pytest.param('"Acme ""Best"" Srl"', 'Acme "Best" Srl', id="doubled-quotes"),
    pytest.param('"Acme, Inc."', "Acme, Inc.", id="delimiter-inside-quotes"),
    pytest.param('""""', '"', id="only-a-doubled-quote"),
    pytest.param('Acme "Best" Srl', 'Acme "Best" Srl', id="stray-quotes-mid-cell-literal"),
    pytest.param('5" pipes', '5" pipes', id="single-stray-quote-literal"),
    pytest.param('"Acme" Srl', "Acme Srl", id="text-after-closing-quote-kept"),
    # As in Excel and RFC 4180, a quote only opens a quoted cell as its first character.
    pytest.param('  "Acme"  ', '"Acme"', id="space-before-quote-makes-it-literal"),
    pytest.param("   Acme   ", "Acme", id="surrounding-whitespace-stripped"),
]


@pytest.mark.parametrize(("raw", "expected"), QUOTE_CASES)
def test_quoting_rules(raw: str, expected: str) -> None:
    data = (HEADER + "\n" + raw + ",,IT1\nNext,,IT2\n").encode()
    table = read(data)
    assert table.records[0].cells["company_name"] == expected
    assert table.records[0].cells["vat_number"] == "IT1"
    assert company_rows(table)[1] == (3, "Next")


def test_unterminated_opening_quote_is_literal_and_does_not_swallow_later_rows() -> None:
    data = (HEADER + "\n" + '"Acme,,IT1\nBeta,,IT2\n').encode()
    table = read(data)
    assert company_rows(table) == [(2, '"Acme'), (3, "Beta")]


# --- line endings, blank rows ------------------------------------------------------------

BODY_LINES = [HEADER, row("Acme"), '"Multi', 'line",,IT9', row("Beta")]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr-only"])
def test_crlf_lf_and_cr_only_files_give_the_same_table(newline: str) -> None:
    data = newline.join(BODY_LINES).encode()
    table = read(data)
    assert company_rows(table) == [(2, "Acme"), (3, "Multi\nline"), (4, "Beta")]
    assert table.records[1].cells["vat_number"] == "IT9"


def test_mixed_line_endings_in_one_file() -> None:
    data = (HEADER + "\r\n" + row("A") + "\n" + row("B") + "\r" + row("C")).encode()
    assert company_rows(read(data)) == [(2, "A"), (3, "B"), (4, "C")]


BLANK_ROW_CASES = [
    pytest.param([HEADER, row("A"), "", row("B")], [(2, "A"), (4, "B")], id="empty-line-in-middle"),
    pytest.param(
        [HEADER, row("A"), ",,,,,,,,,", "  ,  ", row("B")],
        [(2, "A"), (5, "B")],
        id="delimiter-only-and-spaces-rows-in-middle",
    ),
    pytest.param(
        [HEADER, row("A"), row("B"), "", "", ",,,", ""],
        [(2, "A"), (3, "B")],
        id="trailing-blank-rows",
    ),
    pytest.param(
        ["", "  ", HEADER, row("A")], [(4, "A")], id="leading-blank-lines-before-header-count"
    ),
    pytest.param([HEADER, '""', row("A")], [(3, "A")], id="quoted-empty-cell-row-is-blank"),
]


@pytest.mark.parametrize(("lines", "expected"), BLANK_ROW_CASES)
def test_blank_records_are_skipped_but_keep_their_row_number(
    lines: list[str], expected: list[tuple[int, str]]
) -> None:
    data = "\r\n".join(lines).encode()
    assert company_rows(read(data)) == expected


# --- ragged rows -------------------------------------------------------------------------

RAGGED_CASES = [
    pytest.param("Acme", cells(company_name="Acme"), (), id="one-cell-rest-empty"),
    pytest.param("Acme,,IT1", cells(company_name="Acme", vat_number="IT1"), (), id="short-row"),
    pytest.param(
        row("Acme") + ",,,",
        cells(company_name="Acme", vat_number="IT123"),
        (),
        id="blank-extras-ignored",
    ),
    pytest.param(
        row("Acme") + ", x ,,y,",
        cells(company_name="Acme", vat_number="IT123"),
        ("x", "y"),
        id="non-blank-extras-kept",
    ),
]


@pytest.mark.parametrize(("line", "expected_cells", "extras"), RAGGED_CASES)
def test_ragged_rows_pad_short_and_keep_non_blank_extras(
    line: str, expected_cells: dict[str, str], extras: tuple[str, ...]
) -> None:
    record = read((HEADER + "\n" + line + "\n").encode()).records[0]
    assert record.cells == expected_cells
    assert record.extra_cells == extras


def test_extras_beyond_trailing_blank_header_cells_are_extra() -> None:
    data = (HEADER + ",,\n" + row("Acme") + ",z\n").encode()
    table = read(data)
    assert table.columns == DISTRIBUTOR_COLUMNS
    assert table.records[0].extra_cells == ("z",)


# --- header ------------------------------------------------------------------------------


def test_header_is_case_and_space_insensitive_and_in_any_order() -> None:
    shuffled = list(reversed(DISTRIBUTOR_COLUMNS))
    header = ",".join(f"  {name.upper()} " for name in shuffled)
    values = [f"v-{name}" for name in shuffled]
    table = read((header + "\n" + ",".join(values) + "\n").encode())
    assert table.columns == tuple(shuffled)
    assert table.records[0].cells == {name: f"v-{name}" for name in DISTRIBUTOR_COLUMNS}


def test_trailing_blank_header_cells_are_ignored() -> None:
    table = read((HEADER + ",,, \n" + row("Acme") + "\n").encode())
    assert table.columns == DISTRIBUTOR_COLUMNS


def test_missing_unexpected_and_duplicated_columns_are_reported_together() -> None:
    names = [n for n in DISTRIBUTOR_COLUMNS if n not in ("vat_number", "phone")]
    header = ",".join([*names, "Foo", "city", "bar"])
    error = rejected((header + "\nAcme\n").encode())
    assert error.reason == "invalid_columns"
    assert error.details == {
        "missing": ["vat_number"],  # required; an absent optional column is no error
        "unexpected": ["foo", "bar"],
        "duplicated": ["city"],
        "expected": list(DISTRIBUTOR_COLUMNS),
    }
    assert str(error) == (
        "missing columns: vat_number; unexpected columns: foo, bar; "
        "duplicated columns: city; expected columns: " + ", ".join(DISTRIBUTOR_COLUMNS)
    )
    assert error.data is not None and error.data["reason"] == "invalid_columns"


def test_blank_header_cell_in_the_middle_is_unexpected_and_shown_as_blank() -> None:
    header = ",".join([*DISTRIBUTOR_COLUMNS[:3], " ", *DISTRIBUTOR_COLUMNS[3:]])
    error = rejected((header + "\nAcme\n").encode())
    assert error.reason == "invalid_columns"
    assert error.details["unexpected"] == [""]
    assert error.details["missing"] == [] and error.details["duplicated"] == []
    assert error.message.startswith("unexpected columns: (blank); expected columns: ")


def test_column_check_comes_before_the_data_row_checks() -> None:
    error = rejected(b"name,vat\n")
    assert error.reason == "invalid_columns"
    assert error.details["missing"] == ["company_name", "vat_number"]


# --- sizes and row limits ----------------------------------------------------------------


def data_file(n_rows: int) -> bytes:
    lines = [HEADER] + [row(f"Company {i}", f"VAT{i}") for i in range(n_rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_1000_data_rows_are_accepted() -> None:
    table = read(data_file(1000))
    assert len(table.records) == 1000
    assert table.records[-1].row_number == 1001


@pytest.mark.parametrize("n_rows", [1001, 1500])
def test_more_than_1000_data_rows_are_rejected_with_the_real_count(n_rows: int) -> None:
    error = rejected(data_file(n_rows))
    assert error.reason == "too_many_rows"
    assert error.details == {"limit_rows": 1000, "actual_rows": n_rows}
    assert error.message == f"file has {n_rows} data rows; the limit is 1000"


def test_blank_rows_do_not_count_towards_the_row_limit() -> None:
    data = data_file(3) + b"\r\n,,,\r\n\r\n"
    assert len(read(data, max_rows=3).records) == 3


def test_file_just_over_10_mib_is_rejected_before_decoding() -> None:
    data = b"\xff" * (10 * MIB + 1)  # not even text: size is checked first
    error = rejected(data)
    assert error.reason == "file_too_large"
    assert error.message == "file exceeds the 10 MiB limit"
    assert error.details == {"limit_bytes": 10 * MIB, "actual_bytes": 10 * MIB + 1}


def test_file_of_exactly_10_mib_passes_the_size_check() -> None:
    head = (HEADER + "\n" + row("Acme") + ",,,,,,,").encode()
    data = head + b"x" * (10 * MIB - len(head) - 1) + b"\n"
    assert len(data) == 10 * MIB
    table = read(data)
    assert len(table.records[0].extra_cells[0]) == 10 * MIB - len(head) - 1


# --- file-level rejections ---------------------------------------------------------------

REJECTION_CASES = [
    pytest.param(b"", "empty_file", id="zero-bytes"),
    pytest.param(b"  \r\n\t\n\r\n", "empty_file", id="whitespace-only"),
    pytest.param(codecs.BOM_UTF8, "empty_file", id="utf8-bom-only"),
    pytest.param(codecs.BOM_UTF16_LE, "empty_file", id="utf16-bom-only"),
    pytest.param(codecs.BOM_UTF8 + b"\r\n  \r\n", "empty_file", id="bom-and-blank-lines"),
    pytest.param(b",,,\n,,\n \n", "empty_file", id="delimiters-only"),
    pytest.param((HEADER + "\n").encode(), "no_data_rows", id="header-only"),
    pytest.param(HEADER.encode(), "no_data_rows", id="header-only-no-newline"),
    pytest.param((HEADER + "\n\n,,,\n  \n").encode(), "no_data_rows", id="header-and-blanks"),
    pytest.param((HEADER + "\nAcme\x00,,IT1\n").encode(), "not_csv", id="nul-byte"),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00",
        "not_csv",
        id="png-header",
    ),
    pytest.param(b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "not_csv", id="xlsx-zip-header"),
    pytest.param(b"a\x01b\x02c\x03d,e\x04f\n", "not_csv", id="many-control-chars"),
    pytest.param("company_name\n".encode("utf-16-le"), "not_csv", id="utf16-without-bom-has-nuls"),
    pytest.param(codecs.BOM_UTF16_LE + b"a\x00b", "not_csv", id="utf16-odd-byte-count"),
    pytest.param(codecs.BOM_UTF8 + b"Citt\xe0\n", "not_csv", id="utf8-bom-but-invalid-utf8"),
]


@pytest.mark.parametrize(("data", "reason"), REJECTION_CASES)
def test_file_level_rejections(data: bytes, reason: str) -> None:
    assert rejected(data).reason == reason


def test_rejection_messages_are_the_contracts() -> None:
    assert rejected(b"").message == "file is empty"
    assert rejected(HEADER.encode()).message == "file has a header but no data rows"
    assert rejected(b"\x00").message == "file is not a CSV text file"


def test_one_stray_control_char_in_a_notes_cell_is_tolerated() -> None:
    data = (HEADER + "\n" + row("Acme") + "line\x0bbreak\n").encode()
    assert read(data).records[0].cells["notes"] == "line\x0bbreak"


# --- property tests ----------------------------------------------------------------------


def outcome(data: bytes, **kwargs: int) -> CsvTable | FileRejected:
    try:
        return read(data, **kwargs)
    except FileRejected as error:
        return error


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_table_or_file_rejected(data: bytes) -> None:
    assert isinstance(outcome(data), CsvTable | FileRejected)


CSVISH = st.text(alphabet=st.sampled_from(list(',;\t"\r\n aZé€\x00\x0b')), max_size=300)


@settings(max_examples=300, deadline=None)
@given(
    body=CSVISH,
    with_header=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    max_rows=st.integers(min_value=1, max_value=5),
)
def test_csvish_text_gives_a_table_or_file_rejected(
    body: str, with_header: bool, encoding: str, max_rows: int
) -> None:
    text = (HEADER + "\n" + body) if with_header else body
    data = text.encode(encoding)
    result = outcome(data, max_rows=max_rows)
    assert isinstance(result, CsvTable | FileRejected)
    if isinstance(result, CsvTable):
        assert 1 <= len(result.records) <= max_rows
        numbers = [r.row_number for r in result.records]
        assert numbers == sorted(set(numbers)) and numbers[0] >= 2


CELL = st.text(alphabet=st.sampled_from(list(',;\t"\r\n aZé€')), max_size=12)


def write_csv(rows: Sequence[Sequence[str]], delimiter: str, newline: str, quote_all: bool) -> str:
    """A minimal RFC 4180 writer, independent of the reader under test."""

    def cell(value: str) -> str:
        if quote_all or any(c in value for c in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in r) + newline for r in rows)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=10, max_size=10), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_written_tables_read_back_cell_for_cell(
    rows: list[list[str]], delimiter: str, newline: str, quote_all: bool, encoding: str
) -> None:
    text = write_csv([list(DISTRIBUTOR_COLUMNS), *rows], delimiter, newline, quote_all)

    def clean(value: str) -> str:
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()

    expected = [
        (number, dict(zip(DISTRIBUTOR_COLUMNS, map(clean, r), strict=True)))
        for number, r in enumerate(rows, start=2)
        if any(clean(v) for v in r)
    ]
    result = outcome(text.encode(encoding))
    if not expected:
        assert isinstance(result, FileRejected) and result.reason == "no_data_rows"
        return
    assert isinstance(result, CsvTable)
    assert result.delimiter == delimiter
    assert [(r.row_number, r.cells) for r in result.records] == expected
    assert all(r.extra_cells == () for r in result.records)
