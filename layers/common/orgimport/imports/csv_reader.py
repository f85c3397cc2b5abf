"""Turn the bytes of an uploaded CSV into records.

Handles what Excel, LibreOffice and old CRMs actually export: UTF-8 with or without
a BOM, UTF-16 with a BOM, Windows-1252; comma, semicolon or tab; CRLF, LF or lone CR;
RFC 4180 quoting. Every input ends in a `CsvTable` or a `FileRejected`, nothing else.
Pure stdlib, no AWS.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from orgimport.core.errors import FileRejected
from orgimport.core.limits import MAX_DATA_ROWS, MAX_FILE_BYTES
from orgimport.imports.headers import HeaderColumn, match_header

# Candidate delimiters in tie-break order: on a tie the earlier one wins, so comma first.
_DELIMITERS: tuple[str, ...] = (",", ";", "\t")

# C0 controls that never belong in a CSV export (tab, CR and LF do).
_STRAY_CONTROLS: tuple[str, ...] = tuple(
    chr(c) for c in range(0x01, 0x20) if chr(c) not in "\t\r\n"
)
# Some exporters leave the odd control char in a notes cell; more than this share means binary.
_MAX_CONTROL_SHARE = 0.01

_MIB = 1024 * 1024


def _cp1252_table() -> dict[int, str]:
    """Map the Latin-1 code points 0x80-0x9F to their cp1252 characters.

    cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; they keep their Latin-1
    code point, so decoding Latin-1 and translating never fails.
    """
    table: dict[int, str] = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_CP1252_TABLE = _cp1252_table()


@dataclass(frozen=True)
class CsvRecord:
    """One non-blank data record.

    `row_number` is the row a spreadsheet shows: header row 1, first record row 2; a
    quoted cell spanning lines is one row and blank records still use their number.
    """

    row_number: int
    cells: dict[str, str]  # the columns the header names, trimmed (absent ones left out)
    extra_cells: tuple[str, ...]
    # every cell as the file holds it, untrimmed (what the report gives back)
    raw: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class CsvTable:
    columns: tuple[str, ...]  # the column each header cell is read as ("" ignored)
    records: tuple[CsvRecord, ...]
    encoding: str
    delimiter: str
    header: tuple[HeaderColumn, ...] = ()
    # Excel's `sep=<c>` first line was there (the report writes it back)
    sep_line: bool = False


def read_csv(
    data: bytes,
    *,
    expected_columns: Sequence[str],
    required_columns: Sequence[str],
    aliases: Mapping[str, str] | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_DATA_ROWS,
) -> CsvTable:
    """Decode, split and check an uploaded CSV; raise `FileRejected` for file-level problems.

    The header must hold every required column, each once, and nothing that is not a
    column (by name or alias: `orgimport.imports.headers`), in any order. Records are
    returned in file order, blank ones left out. An Excel `sep=;` first line sets the
    delimiter and is not the header.
    """
    check_size(data, max_bytes)
    text, encoding = _decode(data)
    if not text.replace("\ufeff", "").strip():
        raise _empty_file()
    _reject_binary(text)

    sep = _SEP_LINE_RE.match(text)
    if sep:
        text, delimiter = text[sep.end() :], sep.group(1)
    else:
        delimiter = _detect_delimiter(text)
    records = enumerate(_iter_records(text, delimiter), start=1)
    header = match_header(_header(records), expected_columns, required_columns, aliases)
    columns = tuple(h.column for h in header)
    kept = _data_records(records, columns, max_rows)
    return CsvTable(columns, kept, encoding, delimiter, header, sep_line=bool(sep))


# a cell the error report wrote as a text formula (`="=SUM(A1)"`) so that a spreadsheet
# shows it and evaluates nothing: read back as the text inside
_TEXT_FORMULA_RE = re.compile(r'="((?:[^"]|"")*)"')


def _unwrapped(cell: str) -> str:
    found = _TEXT_FORMULA_RE.fullmatch(cell.strip())
    return found.group(1).replace('""', '"') if found else cell


def check_size(data: bytes, max_bytes: int) -> None:
    """Checked on the raw bytes, so an oversized upload is never decoded."""
    if len(data) > max_bytes:
        raise FileRejected(
            "file_too_large",
            f"file exceeds the {_describe_size(max_bytes)} limit",
            {"limit_bytes": max_bytes, "actual_bytes": len(data)},
        )


def _header(records: Iterator[tuple[int, list[str]]]) -> list[str]:
    """The first record that is not blank; leading blank lines still count as rows."""
    for _, cells in records:
        if not _is_blank(cells):
            return cells
    # Only delimiters and whitespace: nothing a person would call content.
    raise _empty_file()


def _data_records(
    records: Iterator[tuple[int, list[str]]], columns: tuple[str, ...], max_rows: int
) -> tuple[CsvRecord, ...]:
    """The records after the header, blank ones left out, at most `max_rows`."""
    kept: list[CsvRecord] = []
    count = 0
    # Parse to the end even past the limit, so the error reports the real row count.
    for row_number, cells in records:
        if _is_blank(cells):
            continue
        count += 1
        if count <= max_rows:
            kept.append(make_record(row_number, [_unwrapped(c) for c in cells], columns))
    if count == 0:
        raise FileRejected("no_data_rows", "file has a header but no data rows")
    if count > max_rows:
        raise FileRejected(
            "too_many_rows",
            f"file has {count} data rows; the limit is {max_rows}",
            {"limit_rows": max_rows, "actual_rows": count},
        )
    return tuple(kept)


def _describe_size(n: int) -> str:
    if n % _MIB == 0:
        return f"{n // _MIB} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _empty_file() -> FileRejected:
    return FileRejected("empty_file", "file is empty")


def _not_csv() -> FileRejected:
    return FileRejected("not_csv", "file is not a CSV text file")


def _decode(data: bytes) -> tuple[str, str]:
    """Return the text and the name of the encoding it was read with."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # The utf-16 codec reads the BOM for byte order and drops it.
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        # A BOM that lies about the content: guessing another encoding would mangle text.
        raise _not_csv() from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1").translate(_CP1252_TABLE), "cp1252"


def _reject_binary(text: str) -> None:
    if "\x00" in text:
        raise _not_csv()
    controls = sum(text.count(char) for char in _STRAY_CONTROLS)
    if controls > max(1, int(len(text) * _MAX_CONTROL_SHARE)):
        raise _not_csv()


# Excel's first line naming the delimiter (`sep=;`), with its line break.
_SEP_LINE_RE = re.compile(r'\ufeff?"?sep=([,;\t|])"?[ \t]*(?:\r\n|\r|\n|$)', re.IGNORECASE)
# A quoted cell: its content with doubled quotes, up to the closing quote.
_QUOTED_RE = re.compile(r'"([^"]*(?:""[^"]*)*)"')
# A stretch of text with no quote and no line break: it splits on the delimiter as is.
_UNQUOTED_RUN_RE = re.compile(r'[^"\r\n]*')
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def _line_break_length(text: str, pos: int) -> int:
    """Length of the line break at `pos`: 2 for CRLF, 0 at the end of the text."""
    if pos >= len(text):
        return 0
    return 2 if text.startswith("\r\n", pos) else 1


def _iter_records(text: str, delimiter: str) -> Iterator[list[str]]:
    """Yield each record's raw cells; a record ends at an unquoted CRLF, LF or CR.

    Quote-free stretches are split with str.split (the bulk of a real file); only the
    cells around a quote go through the regexes. A quote opens a quoted cell only as
    the cell's first character; a quote elsewhere, or one that never closes, is literal.
    """
    cell_rest_re = re.compile(rf"[^{re.escape(delimiter)}\r\n]*")
    end = len(text)
    pos = 0
    cells: list[str] = []
    while pos < end:
        if cells:
            # Mid-record, after a quote: the next quote may be on a later line.
            run = _UNQUOTED_RUN_RE.match(text, pos)
            assert run is not None  # the pattern matches the empty string
            stop = run.end()
        else:
            stop = text.find('"', pos)
            if stop == -1:
                stop = end
            lines = _whole_lines(text, pos, stop)
            if lines is not None:
                # Whole lines before the next quote need no cell-by-cell parsing.
                for line in _LINE_BREAK_RE.split(text[pos : lines[0]]):
                    yield line.split(delimiter)
                pos = lines[1]
                continue
        pieces = text[pos:stop].split(delimiter)
        if stop >= end or text[stop] != '"':
            # No quote before the line break (or the end): the record ends here.
            cells.extend(pieces)
            yield cells
            cells = []
            pos = stop + _line_break_length(text, stop)
            continue
        cells.extend(pieces[:-1])
        value, pos = _cell_at_quote(text, stop, pieces[-1], delimiter, cell_rest_re)
        cells.append(value)
        if pos < end and text[pos] == delimiter:
            pos += 1
            if pos == end:
                # A delimiter closing the text still opens one last, empty cell.
                cells.append("")
            continue
        yield cells
        cells = []
        pos += _line_break_length(text, pos)
    if cells:
        yield cells


def _whole_lines(text: str, pos: int, stop: int) -> tuple[int, int] | None:
    """Where the whole lines from `pos` up to the quote at `stop` end, and where the
    next record starts; None when no line break comes first."""
    last_break = max(text.rfind("\r", pos, stop), text.rfind("\n", pos, stop))
    if last_break < pos:
        return None
    lines_end = last_break
    if last_break > pos and text[last_break - 1 : last_break + 1] == "\r\n":
        lines_end -= 1  # the CR of a final CRLF is part of the break
    return lines_end, last_break + 1


def _cell_at_quote(
    text: str, stop: int, before: str, delimiter: str, cell_rest_re: re.Pattern[str]
) -> tuple[str, int]:
    """The cell holding the quote at `stop` (`before` is its text up to the quote), and
    the position after it. Quoted only when the quote opens the cell and closes."""
    value = before
    quoted = None if value else _QUOTED_RE.match(text, stop)
    if quoted is None:
        pos = stop
    else:
        value = quoted.group(1).replace('""', '"')
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        pos = quoted.end()
    if pos < len(text) and text[pos] not in (delimiter, "\r", "\n"):
        # Text after a closing quote, or after a literal quote, stays in the cell as is.
        rest = cell_rest_re.match(text, pos)
        assert rest is not None  # the pattern matches the empty string
        value += rest.group()
        pos = rest.end()
    return value, pos


def _detect_delimiter(text: str) -> str:
    """Pick the candidate that separates the most cells on the header line."""
    line = ""
    for match in re.finditer(r"[^\r\n]+", text):
        if match.group().strip():
            line = match.group()
            break
    best, best_count = _DELIMITERS[0], 0
    for candidate in _DELIMITERS:
        # Splitting with the real parser counts only delimiters outside quotes.
        count = len(next(_iter_records(line, candidate))) - 1
        if count > best_count:
            best, best_count = candidate, count
    return best


def _is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def make_record(row_number: int, raw: list[str], columns: tuple[str, ...]) -> CsvRecord:
    """A data row's cells by column (trimmed), the non-blank cells beyond the header, and
    every cell as written."""
    values = [cell.strip() for cell in raw]
    width = len(columns)
    # Short rows: the cells a spreadsheet left off are empty.
    padded = values + [""] * (width - len(values))
    cells = {c: v for c, v in zip(columns, padded[:width], strict=True) if c}
    extra = tuple(value for value in values[width:] if value)
    return CsvRecord(row_number, cells, extra, tuple(raw))
