"""Request bodies as pydantic models: types only.

The rules (required, lengths, formats, VAT uniqueness) live in the domain, so
the API and the import report the same codes.
"""

from pydantic import BaseModel, ConfigDict

from orgimport.kinds.organizations.fields import DistributorFields


class CustomDataIn(BaseModel):
    model_config = ConfigDict(extra="ignore", title="DistributorCustomData")

    vat: str | None = None
    address: str | None = None
    city: str | None = None
    main_contact: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    notes: str | None = None


class DistributorIn(BaseModel):
    """Body of POST /distributors and PUT /distributors/{id} (PUT replaces every field)."""

    model_config = ConfigDict(extra="ignore", title="DistributorInput")

    name: str | None = None
    description: str | None = None
    custom_data: CustomDataIn | None = None

    def to_fields(self) -> DistributorFields:
        custom = self.custom_data or CustomDataIn()
        return DistributorFields(
            name=self.name, description=self.description, **custom.model_dump()
        )
