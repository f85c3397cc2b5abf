"""Cells of a CSV written for spreadsheets: never a formula, phones shown as typed.

A spreadsheet evaluates a cell that begins with `=`, `+`, `-` or `@` (OWASP adds tab and
CR, which some readers strip first). One that opens the CSV with another list separator
(an Italian Excel splits on `;`) also starts a cell after every `,`, `;` or tab inside an
unquoted field. So such a cell gets a leading `'`, and every cell is quoted. Measured with
LibreOffice Calc 7.4 opening a report with `;` as separator: a line whose fields all open
with a quote stays one text cell, but a line break inside any cell ends that, and every
`;=` later on the line became a formula; quoting only the risky cells did the same. So a
line break inside a cell is written as a space.

A phone (`+39 02 123`) would show that `'`: it is written as the text formula
`="+39 02 123"`, which Excel and Calc show as the text `+39 02 123`. The formula is ours
and holds only a string literal of the phone's characters (digits, spaces, `+`, `-`, `(`,
`)`), so nothing the user wrote is evaluated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER = "".join(re.escape(c) for c in FORMULA_PREFIXES)
_FORMULA = re.compile(rf"^[{_TRIGGER}]|[,;\t][{_TRIGGER}]")
# the phone shape of the contract (a `+` then 7-20 digits, spaces, hyphens, parentheses)
_PHONE = re.compile(r"\+[0-9 ()\-]{7,20}")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def neutralise(cell: str) -> str:
    """The cell as written to the CSV: a spreadsheet shows it as text, never evaluates it."""
    if _PHONE.fullmatch(cell):
        return f'="{cell}"'
    shown = _LINE_BREAK.sub(" ", cell)
    return "'" + shown if _FORMULA.search(cell) else shown


def spreadsheet_csv(header: Iterable[str], lines: Iterable[Iterable[object]]) -> bytes:
    """A comma-separated report, every cell neutralised and quoted; UTF-8 with a BOM, which
    Excel needs to read accented names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for line in lines:
        writer.writerow([neutralise(str(cell)) for cell in line])
    return buffer.getvalue().encode("utf-8-sig")
