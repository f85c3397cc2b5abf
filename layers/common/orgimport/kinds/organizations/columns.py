"""The columns of a distributors file and the distributor field each one fills."""

from orgimport.imports.kind import Column

COLUMNS: tuple[Column, ...] = (
    Column("company_name", "name", required=True),
    Column("description", "description"),
    Column("vat_number", "custom_data.vat", required=True),
    Column("address", "custom_data.address"),
    Column("city", "custom_data.city"),
    Column("main_contact", "custom_data.main_contact"),
    Column("email", "custom_data.email"),
    Column("phone", "custom_data.phone"),
    Column("language", "custom_data.language"),
    Column("notes", "custom_data.notes"),
)
DISTRIBUTOR_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
KEY_COLUMN = "vat_number"
# a field's error key ("custom_data.vat") -> its column ("vat_number")
COLUMN_OF_ERROR_KEY: dict[str, str] = {c.field: c.name for c in COLUMNS}
# a distributor attribute ("vat") -> its column ("vat_number")
COLUMN_OF_ATTRIBUTE: dict[str, str] = {c.field.rsplit(".", 1)[-1]: c.name for c in COLUMNS}
