"""The CRUD routes of users (CONTRACT section 10): `POST /users`, `GET /users` (list,
search, paging), `GET|PUT|DELETE /users/{user_id}` and `PATCH /users/{user_id}/restore`.

Every route runs one `users.service` operation through the caller's `Viewer` for that
action: outside the scope a user does not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from orgimport.api.http import caller_of, json_response
from orgimport.api.responses import (
    BAD_REQUEST_RESPONSE,
    NOT_FOUND_RESPONSE,
    TIER_AUTH_RESPONSES,
    json_doc,
)
from orgimport.api.schemas import ErrorEnvelope
from orgimport.api.user_schemas import UserInput, UserListResponse, UserResponse
from orgimport.core.identity import Caller
from orgimport.core.policy import Action
from orgimport.imports.kind import Kind
from orgimport.kinds.organizations.viewer import Viewer
from orgimport.kinds.users import service
from orgimport.kinds.users.record import UserPage
from orgimport.kinds.users.service import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, Users

TAG = "users"
_ONE = json_doc("The user", UserResponse)
_CONFLICT = json_doc("Conflict - the user is archived, or changed meanwhile", ErrorEnvelope)
_PROVIDER = json_doc(
    "Bad gateway - the user pool refused the sign-in account; nothing was stored",
    ErrorEnvelope,
)


@dataclass(frozen=True)
class UserApi:
    kind: Kind
    users: Callable[[], Users]
    viewer: Callable[[Caller, Kind, Action], Viewer]


def _page_json(page: UserPage) -> dict[str, Any]:
    return {
        "users": [u.as_json() for u in page.users],
        "pagination": {
            "page_size": page.page_size,
            "count": len(page.users),
            "next_cursor": page.next_cursor,
            "has_more": page.next_cursor is not None,
        },
    }


def _doc(operation_id: str, summary: str, responses: dict[int, Any]) -> dict[str, Any]:
    return {
        "operation_id": operation_id,
        "summary": summary,
        "tags": [TAG],
        "responses": {**TIER_AUTH_RESPONSES, 400: BAD_REQUEST_RESPONSE, **responses},
    }


def add_user_routes(app: APIGatewayHttpResolver, api: UserApi) -> None:
    def viewer(action: Action) -> Viewer:
        return api.viewer(caller_of(app), api.kind, action)

    _add_reads(app, api, viewer)
    _add_writes(app, api, viewer)
    _add_archival(app, api, viewer)


Viewing = Callable[[Action], Viewer]


def _add_writes(app: APIGatewayHttpResolver, api: UserApi, viewer: Viewing) -> None:
    @app.post(
        "/users",
        **_doc(
            "createUser",
            "Create a user and its sign-in account",
            {201: json_doc("Created", UserResponse), 400: BAD_REQUEST_RESPONSE, 502: _PROVIDER},
        ),
    )
    def create(body: Annotated[UserInput, Body()]):
        created = service.create_user(
            api.users(), viewer("create"), body.to_fields(), body.organization_id or ""
        )
        return json_response(201, "user created", created.as_json())

    @app.put(
        "/users/<user_id>",
        **_doc(
            "updateUser",
            "Replace a user's name, phone, roles and organization",
            {
                200: _ONE,
                400: BAD_REQUEST_RESPONSE,
                404: NOT_FOUND_RESPONSE,
                409: _CONFLICT,
                502: _PROVIDER,
            },
        ),
    )
    def update(user_id: str, body: Annotated[UserInput, Body()]):
        updated = service.update_user(
            api.users(), viewer("update"), user_id, body.to_fields(), body.organization_id or ""
        )
        return json_response(200, "user updated", updated.as_json())


def _add_reads(app: APIGatewayHttpResolver, api: UserApi, viewer: Viewing) -> None:
    @app.get(
        "/users",
        **_doc(
            "listUsers", "List the users in your scope", {200: json_doc("A page", UserListResponse)}
        ),
    )
    def list_all(
        page_size: Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)] = PAGE_SIZE_DEFAULT,
        cursor: Annotated[str | None, Query()] = None,
        search: Annotated[
            str | None, Query(max_length=255, description="Part of the name or email.")
        ] = None,
        include_archived: bool = False,
    ):
        page = service.list_users(
            api.users(), viewer("read"), page_size, cursor, search, include_archived
        )
        return json_response(200, "users", _page_json(page))

    @app.get(
        "/users/<user_id>", **_doc("getUser", "Get a user", {200: _ONE, 404: NOT_FOUND_RESPONSE})
    )
    def get_one(user_id: str):
        found = service.get_user(api.users(), viewer("read"), user_id)
        return json_response(200, "user", found.as_json())


def _add_archival(app: APIGatewayHttpResolver, api: UserApi, viewer: Viewing) -> None:
    @app.delete(
        "/users/<user_id>",
        **_doc(
            "archiveUser",
            "Archive a user and disable its account",
            {200: _ONE, 404: NOT_FOUND_RESPONSE},
        ),
    )
    def archive(user_id: str):
        done = service.archive_user(api.users(), viewer("archive"), user_id)
        return json_response(200, "user archived", done.as_json())

    @app.patch(
        "/users/<user_id>/restore",
        **_doc(
            "restoreUser",
            "Restore a user and enable its account",
            {200: _ONE, 404: NOT_FOUND_RESPONSE},
        ),
    )
    def restore(user_id: str):
        done = service.restore_user(api.users(), viewer("update"), user_id)
        return json_response(200, "user restored", done.as_json())
