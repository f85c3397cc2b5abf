"""The distributor as the domain sees it, and its JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.vat import vat_key

# every field of a distributor, in the order of the CSV columns they come from
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(DistributorFields))


def changed_fields(
    old: DistributorFields, new: DistributorFields, ignore: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The fields whose (cleaned) values differ, in field order."""
    return tuple(
        name
        for name in FIELD_NAMES
        if name not in ignore and getattr(old, name) != getattr(new, name)
    )


def utc_now() -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-27T09:14:39.123Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Organization:
    """One stored organization record (a distributor; the tiers below share its shape).
    The API's view of it is `orgimport.api.record_schemas.Distributor`."""

    id: str
    fields: DistributorFields  # cleaned
    created_at: str
    updated_at: str
    created_by_user: str
    created_by_org: str  # the parent organization (CONTRACT section 8)
    deleted_at: str | None = None
    # the ancestors that have a record, top first, the parent last: () under the owner
    path: tuple[str, ...] = ()

    @property
    def parent_id(self) -> str:
        return self.created_by_org

    @property
    def vat_key(self) -> str:
        return vat_key(self.fields.vat or "")

    @property
    def archived(self) -> bool:
        return self.deleted_at is not None

    def as_json(self) -> dict[str, Any]:
        f = self.fields
        return {
            "id": self.id,
            "name": f.name,
            "description": f.description,
            "custom_data": {
                "vat": f.vat,
                "address": f.address,
                "city": f.city,
                "main_contact": f.main_contact,
                "email": f.email,
                "phone": f.phone,
                "language": f.language,
                "notes": f.notes,
            },
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "created_by": {"user_id": self.created_by_user, "org_id": self.created_by_org},
            "deleted_at": self.deleted_at,
        }


@dataclass(frozen=True)
class DistributorPage:
    distributors: list[Organization]
    next_cursor: str | None
    page_size: int


@dataclass(frozen=True)
class Overwritten:
    """The distributor after an overwrite, and the fields it changed (none: nothing written)."""

    distributor: Organization
    changed: tuple[str, ...]
