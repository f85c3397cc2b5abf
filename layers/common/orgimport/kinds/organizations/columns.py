"""The columns of a distributors file and the distributor field each one fills."""

from orgimport.imports.kind import Column

COLUMNS: tuple[Column, ...] = (
    Column(
        "company_name",
        "name",
        guide=(
            "Ragione sociale: obbligatoria, da 1 a 255 caratteri.",
            "Company name: required, 1 to 255 characters.",
        ),
        required=True,
        aliases=("Ragione sociale", "Denominazione", "Azienda", "Company", "Company name", "Name"),
    ),
    Column(
        "description",
        "description",
        guide=(
            "Descrizione libera, facoltativa (al massimo 1000 caratteri).",
            "Free description, optional (at most 1000 characters).",
        ),
        aliases=("Descrizione", "Description"),
    ),
    Column(
        "vat_number",
        "custom_data.vat",
        guide=(
            "Partita IVA con prefisso del paese (IT01234567890): obbligatoria, unica; "
            "spazi, punti e trattini non contano.",
            "VAT number with its country prefix (IT01234567890): required, unique; spaces, "
            "dots and hyphens do not count.",
        ),
        as_text=True,
        required=True,
        aliases=("Partita IVA", "P.IVA", "P IVA", "PIVA", "VAT", "VAT ID", "VAT number"),
    ),
    Column(
        "address",
        "custom_data.address",
        guide=("Indirizzo, facoltativo.", "Street address, optional."),
        aliases=("Indirizzo", "Address", "Sede"),
    ),
    Column(
        "city",
        "custom_data.city",
        guide=("Città, facoltativa.", "City, optional."),
        aliases=("Città", "Comune", "City", "Town"),
    ),
    Column(
        "main_contact",
        "custom_data.main_contact",
        guide=("Persona di riferimento, facoltativa.", "Contact person, optional."),
        aliases=("Referente", "Contatto", "Contact", "Contact person", "Main contact"),
    ),
    Column(
        "email",
        "custom_data.email",
        guide=("E-mail, facoltativa, un indirizzo valido.", "Email, optional, a valid address."),
        aliases=("E-mail", "Mail", "Email address"),
    ),
    Column(
        "phone",
        "custom_data.phone",
        guide=(
            "Telefono, facoltativo: + e il prefisso del paese (+39 02 1234567).",
            "Phone, optional: + and the country code (+39 02 1234567).",
        ),
        as_text=True,
        aliases=("Telefono", "Tel", "Phone", "Telephone"),
    ),
    Column(
        "language",
        "custom_data.language",
        guide=("Lingua: it o en; vuota vale it.", "Language: it or en; empty means it."),
        aliases=("Lingua", "Language"),
    ),
    Column(
        "notes",
        "custom_data.notes",
        guide=("Note, facoltative.", "Notes, optional."),
        aliases=("Note", "Notes", "Annotazioni"),
    ),
)
DISTRIBUTOR_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
KEY_COLUMN = "vat_number"
# a field's error key ("custom_data.vat") -> its column ("vat_number")
COLUMN_OF_ERROR_KEY: dict[str, str] = {c.field: c.name for c in COLUMNS}
# a distributor attribute ("vat") -> its column ("vat_number")
COLUMN_OF_ATTRIBUTE: dict[str, str] = {c.field.rsplit(".", 1)[-1]: c.name for c in COLUMNS}
