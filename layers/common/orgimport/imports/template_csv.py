"""The CSV template of a kind: a user downloads it, fills it in a spreadsheet, uploads it back."""

from __future__ import annotations

import csv
import io

from orgimport.imports.kind import Kind

TEMPLATE_CONTENT_TYPE = "text/csv; charset=utf-8"


def template_filename(kind: Kind) -> str:
    return f"{kind.name}_import_template.csv"


def template_text(kind: Kind) -> str:
    """Header and the kind's example rows, CRLF line ends, a UTF-8 BOM first so that
    Excel opens the accented characters right (the reader accepts the BOM back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(kind.column_names)
    for example in kind.template_rows:
        writer.writerow([example.get(c, "") for c in kind.column_names])
    return "\ufeff" + out.getvalue()
