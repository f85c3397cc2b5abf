"""The CSV template a user downloads, fills in a spreadsheet and uploads back."""

from __future__ import annotations

import csv
import io

from orgimport.kinds.distributors.columns import DISTRIBUTOR_COLUMNS

TEMPLATE_FILENAME = "distributors_import_template.csv"
TEMPLATE_CONTENT_TYPE = "text/csv; charset=utf-8"

# Two rows that pass every rule: one with every column, one with the minimum plus English.
_EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "company_name": "Distribuzione Rossi S.r.l.",
        "description": "Distributore per il Nord Italia",
        "vat_number": "IT01234560017",
        "address": "Via Roma 1",
        "city": "Milano",
        "main_contact": "Mario Rossi",
        "email": "mario.rossi@example.com",
        "phone": "+39 02 1234567",
        "language": "it",
        "notes": "Consegne il lunedì",
    },
    {
        "company_name": "Northern Supplies Ltd",
        "description": "",
        "vat_number": "GB123456782",
        "address": "",
        "city": "London",
        "main_contact": "",
        "email": "sales@example.co.uk",
        "phone": "",
        "language": "en",
        "notes": "",
    },
)


def template_text() -> str:
    """Header and two example rows, CRLF line ends, a UTF-8 BOM first so that Excel
    opens the accented characters right (the reader accepts the BOM back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DISTRIBUTOR_COLUMNS)
    for example in _EXAMPLES:
        writer.writerow([example[c] for c in DISTRIBUTOR_COLUMNS])
    return "\ufeff" + out.getvalue()
