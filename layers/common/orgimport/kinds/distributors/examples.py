"""The example rows of the distributors template: one with every column, one with the
minimum plus English. Both pass every rule."""

EXAMPLES: tuple[dict[str, str], ...] = (
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
