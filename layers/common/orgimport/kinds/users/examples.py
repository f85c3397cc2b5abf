"""The example rows of the users template. Their company must be replaced by one of the
importer's organizations: a name the store does not hold is `not_found`."""

EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "email": "giulia.rossi@example.com",
        "name": "Giulia Rossi",
        "phone": "+39 02 1234567",
        "company_name": "Rossi Distribuzione S.r.l.",
        "roles": "Admin;Reader",
    },
    {
        "email": "tom.baker@example.co.uk",
        "name": "Tom Baker",
        "phone": "",
        "company_name": "Harbour Cafe Ltd",
        "roles": "Support",
    },
)
