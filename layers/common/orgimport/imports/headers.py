"""A file's header as people write it (CONTRACT section 11): which column each header
cell is read as.

A column is found by its own name or one of its kind's aliases (`Ragione sociale` for
`company_name`), compared after case folding, accent stripping, and treating spaces,
`_`, `-` and `.` alike. Only the required columns must be present. The columns the
error report adds (`import_status`, `import_messages`) are recognised and ignored, so
a report opened again validates as the upload did.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orgimport.core.errors import FileRejected

# the columns the error report adds to a file: never unexpected, never read
REPORT_COLUMNS: tuple[str, ...] = ("import_status", "import_messages")
_SEPARATORS = re.compile(r"[\s_\-.]+")
# caps what an invalid_columns error echoes back, so a garbage header cannot make a huge reply
_MAX_NAMES_REPORTED = 50
_MAX_NAME_CHARS = 100


def header_key(name: str) -> str:
    """`Città ` -> `citta`; `P.IVA` -> `p iva`; `vat_number` -> `vat number`."""
    text = unicodedata.normalize("NFKD", name.replace("\ufeff", "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", text).strip()


@dataclass(frozen=True)
class HeaderColumn:
    """One header cell: as written, and the column it is read as ("" when ignored)."""

    header: str
    column: str

    def as_json(self) -> dict[str, str | None]:
        return {"header": self.header, "column": self.column or None}


def alias_table(names: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """header key -> column, for each column's name and aliases."""
    table = {header_key(n): n for n in names}
    for column, written in aliases.items():
        table.update((header_key(a), column) for a in written)
    return table


def match_header(
    header: Sequence[str],
    expected: Sequence[str],
    required: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> tuple[HeaderColumn, ...]:
    """Each header cell with the column it is read as; FileRejected (`invalid_columns`)
    when a required column is missing, a cell names no column, or two name one."""
    table = aliases or alias_table(expected, {})
    ignored = {header_key(c) for c in REPORT_COLUMNS}
    cells = list(header)
    while cells and not cells[-1].strip():
        cells.pop()  # Excel adds trailing delimiters after the last used column
    matched = []
    unexpected, seen, duplicated = [], set(), []
    for cell in cells:
        key = header_key(cell)
        column = table.get(key, "")
        if not column and key not in ignored:
            unexpected.append(cell.strip().lower() if cell.strip() else "")
        elif column and column in seen and column not in duplicated:
            duplicated.append(column)
        seen.add(column)
        matched.append(HeaderColumn(cell.replace("\ufeff", "").strip(), column))
    missing = [c for c in required if c not in seen]
    if missing or unexpected or duplicated:
        raise _invalid(missing, unexpected, duplicated, expected)
    return tuple(matched)


def _invalid(
    missing: list[str], unexpected: list[str], duplicated: list[str], expected: Sequence[str]
) -> FileRejected:
    parts = [
        f"{label} columns: {_name_list(found)}"
        for label, found in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("duplicated", duplicated),
        )
        if found
    ]
    parts.append(f"expected columns: {', '.join(expected)}")
    return FileRejected(
        "invalid_columns",
        "; ".join(parts),
        {
            "missing": _capped(missing),
            "unexpected": _capped(unexpected),
            "duplicated": _capped(duplicated),
            "expected": list(expected),
        },
    )


def _capped(names: list[str]) -> list[str]:
    return [name[:_MAX_NAME_CHARS] for name in names[:_MAX_NAMES_REPORTED]]


def _name_list(names: list[str]) -> str:
    shown = ", ".join(name or "(blank)" for name in _capped(names))
    hidden = len(names) - _MAX_NAMES_REPORTED
    return f"{shown} (and {hidden} more)" if hidden > 0 else shown
