"""The example rows of the resellers template. Both pass every rule."""

EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "company_name": "Rivendita Bianchi S.n.c.",
        "description": "Rivenditore per la Lombardia",
        "vat_number": "IT00743110157",
        "address": "Corso Como 10",
        "city": "Milano",
        "main_contact": "Giulia Bianchi",
        "email": "giulia.bianchi@example.com",
        "phone": "+39 02 7654321",
        "language": "it",
        "notes": "",
    },
    {
        "company_name": "Southern Resale Ltd",
        "description": "",
        "vat_number": "GB980780684",
        "address": "",
        "city": "Bristol",
        "main_contact": "",
        "email": "hello@example.co.uk",
        "phone": "",
        "language": "en",
        "notes": "",
    },
)
