"""What the users API takes and answers, as pydantic models (the OpenAPI document's
schemas for `/users`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field, StrictStr

from orgimport.api.record_schemas import CreatedBy, Pagination
from orgimport.api.schemas import Envelope, _Schema
from orgimport.kinds.users.fields import UserFields
from orgimport.kinds.users.roles import ROLE_SEPARATOR, USER_ROLES

_RULES = (
    "`email` (unique among all users, any case; never changed by an update), `name` "
    "(1-255), `phone` (optional, `+` and a country code), `organization_id` (an "
    "organization in your scope, your own included), `roles`: one or more of "
    + ", ".join(f"`{r}`" for r in USER_ROLES)
    + " (any case). `Super Admin` is granted only by a Super Admin of the owner "
    "organization, `Admin` only by an Admin or a Super Admin."
)


class UserInput(_Schema):
    """The body of POST /users and PUT /users/{user_id} (an update ignores `email`)."""

    model_config = ConfigDict(defer_build=True, json_schema_extra={"description": _RULES})

    email: StrictStr | None = None
    name: StrictStr | None = None
    phone: StrictStr | None = None
    organization_id: StrictStr | None = None
    roles: list[StrictStr] | None = None

    def to_fields(self) -> UserFields:
        roles = None if self.roles is None else ROLE_SEPARATOR.join(self.roles)
        return UserFields(self.email, self.name, self.phone, roles)


class User(_Schema):
    id: str = Field(description="Follows from the email: the same email, the same id.")
    email: str
    name: str
    phone: str | None
    organization_id: str
    roles: list[str]
    created_at: datetime
    updated_at: datetime
    created_by: CreatedBy
    deleted_at: datetime | None = Field(description="Null unless archived.")


class UserList(_Schema):
    users: list[User]
    pagination: Pagination


class UserResponse(Envelope):
    data: User


class UserListResponse(Envelope):
    data: UserList
