"""The example rows of the customers template. Both pass every rule."""

EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "company_name": "Ferramenta Verdi S.r.l.",
        "description": "Cliente dal 2024",
        "vat_number": "IT02839750995",
        "address": "Via Garibaldi 5",
        "city": "Genova",
        "main_contact": "Luca Verdi",
        "email": "luca.verdi@example.com",
        "phone": "+39 010 123456",
        "language": "it",
        "notes": "Fattura mensile",
    },
    {
        "company_name": "Harbour Cafe Ltd",
        "description": "",
        "vat_number": "GB434031494",
        "address": "",
        "city": "Cardiff",
        "main_contact": "",
        "email": "orders@example.co.uk",
        "phone": "",
        "language": "en",
        "notes": "",
    },
)
