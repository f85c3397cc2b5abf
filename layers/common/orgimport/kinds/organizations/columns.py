"""The columns of a distributors file and the distributor field each one fills."""

from orgimport.imports.kind import Column

COLUMNS: tuple[Column, ...] = (
    Column(
        "company_name",
        "name",
        required=True,
        aliases=("Ragione sociale", "Denominazione", "Azienda", "Company", "Company name", "Name"),
    ),
    Column("description", "description", aliases=("Descrizione", "Description")),
    Column(
        "vat_number",
        "custom_data.vat",
        required=True,
        aliases=("Partita IVA", "P.IVA", "P IVA", "PIVA", "VAT", "VAT ID", "VAT number"),
    ),
    Column("address", "custom_data.address", aliases=("Indirizzo", "Address", "Sede")),
    Column("city", "custom_data.city", aliases=("Città", "Comune", "City", "Town")),
    Column(
        "main_contact",
        "custom_data.main_contact",
        aliases=("Referente", "Contatto", "Contact", "Contact person", "Main contact"),
    ),
    Column("email", "custom_data.email", aliases=("E-mail", "Mail", "Email address")),
    Column("phone", "custom_data.phone", aliases=("Telefono", "Tel", "Phone", "Telephone")),
    Column("language", "custom_data.language", aliases=("Lingua", "Language")),
    Column("notes", "custom_data.notes", aliases=("Note", "Notes", "Annotazioni")),
)
DISTRIBUTOR_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
KEY_COLUMN = "vat_number"
# a field's error key ("custom_data.vat") -> its column ("vat_number")
COLUMN_OF_ERROR_KEY: dict[str, str] = {c.field: c.name for c in COLUMNS}
# a distributor attribute ("vat") -> its column ("vat_number")
COLUMN_OF_ATTRIBUTE: dict[str, str] = {c.field.rsplit(".", 1)[-1]: c.name for c in COLUMNS}
