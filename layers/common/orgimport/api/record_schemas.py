"""What the API answers about an organization record, as pydantic models: the record,
a page of records and their envelopes, for every organization kind (the OpenAPI
document's schemas; the other bodies are `orgimport.api.schemas`)."""

from datetime import datetime
from functools import cache
from typing import Literal

from pydantic import Field, create_model

from orgimport.api.schemas import Envelope, _Schema

# --- distributors ------------------------------------------------------------------------


class CustomData(_Schema):
    vat: str
    address: str | None
    city: str | None
    main_contact: str | None
    email: str | None
    phone: str | None
    language: Literal["it", "en"]
    notes: str | None


class CreatedBy(_Schema):
    user_id: str
    org_id: str


class Distributor(_Schema):
    id: str = Field(description="Server-made, opaque.")
    name: str
    description: str | None
    custom_data: CustomData
    created_at: datetime
    updated_at: datetime
    created_by: CreatedBy
    deleted_at: datetime | None = Field(description="Null unless archived.")


class Pagination(_Schema):
    """Each call reads one page of the store (at most 1 MB): a search answers the matches
    that page held, so a page may hold fewer than `page_size` distributors, even none,
    while `has_more` is true. On the first page of a search for a VAT, the distributor
    holding exactly that VAT comes first."""

    page_size: int
    count: int = Field(description="Distributors on this page (at most `page_size`).")
    next_cursor: str | None = Field(
        description="Opaque; pass as `cursor` for the next page; null on the last page."
    )
    has_more: bool = Field(description="True while `next_cursor` is not null.")


class DistributorList(_Schema):
    distributors: list[Distributor]
    pagination: Pagination


class DistributorResponse(Envelope):
    data: Distributor


class DistributorListResponse(Envelope):
    data: DistributorList


@cache
def record_responses(noun: str, plural: str) -> tuple[type[Envelope], type[Envelope]]:
    """The envelopes of one record and of a page of records of an organization kind
    (every kind has the distributor's shape; the page lists them under its plural)."""
    if plural == "distributors":
        return DistributorResponse, DistributorListResponse
    title = noun.title()
    record = create_model(title, __base__=Distributor)
    page = create_model(  # type: ignore[call-overload]
        f"{title}List",
        __base__=_Schema,
        pagination=(Pagination, ...),
        **{plural: (list[record], ...)},  # type: ignore[valid-type]
    )
    one = create_model(f"{title}Response", __base__=Envelope, data=(record, ...))
    many = create_model(f"{title}ListResponse", __base__=Envelope, data=(page, ...))
    return one, many
