"""The CSV columns of a distributors import and where each one lands."""

DISTRIBUTOR_COLUMNS: tuple[str, ...] = (
    "company_name",
    "description",
    "vat_number",
    "address",
    "city",
    "main_contact",
    "email",
    "phone",
    "language",
    "notes",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("company_name", "vat_number")

# CSV column -> distributor field path (as used in validation error keys)
COLUMN_TO_FIELD: dict[str, str] = {
    "company_name": "name",
    "description": "description",
    "vat_number": "custom_data.vat",
    "address": "custom_data.address",
    "city": "custom_data.city",
    "main_contact": "custom_data.main_contact",
    "email": "custom_data.email",
    "phone": "custom_data.phone",
    "language": "custom_data.language",
    "notes": "custom_data.notes",
}
