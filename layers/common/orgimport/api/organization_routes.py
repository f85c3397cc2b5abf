"""The CRUD routes of an organization kind (CONTRACT sections 2 and 9), added to a
resolver once per kind: `POST /<kind>`, `GET /<kind>` (list, search, paging),
`GET|PUT|DELETE /<kind>/{<noun>_id}` and `PATCH /<kind>/{<noun>_id}/restore`.

Every route runs one service operation through the caller's `Viewer` for that
action: outside the scope a record does not exist. The path parameter keeps the
kind's own name (`distributor_id`), so each route's signature is built for it.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from orgimport.api.crud_docs import crud_examples, crud_operation
from orgimport.api.http import caller_of, json_response
from orgimport.api.schemas import DistributorInput
from orgimport.core.identity import Caller
from orgimport.core.policy import Action
from orgimport.imports.kind import Kind
from orgimport.kinds.organizations import service
from orgimport.kinds.organizations.ports import OrganizationStore
from orgimport.kinds.organizations.record import DistributorPage
from orgimport.kinds.organizations.service import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from orgimport.kinds.organizations.viewer import Viewer


@dataclass(frozen=True)
class OrganizationApi:
    """What the routes of one kind reach: its store and the caller's viewer."""

    kind: Kind
    store: Callable[[], OrganizationStore]
    viewer: Callable[[Caller, Kind, Action], Viewer]


def _page_json(plural: str, page: DistributorPage) -> dict[str, Any]:
    return {
        plural: [d.as_json() for d in page.distributors],
        "pagination": {
            "page_size": page.page_size,
            "count": len(page.distributors),
            "next_cursor": page.next_cursor,
            "has_more": page.next_cursor is not None,
        },
    }


def _with_id(fn: Callable[..., Response], id_name: str, noun: str) -> Callable[..., Response]:
    """`fn(record_id, ...)` as a route whose path parameter is `id_name`."""
    id_param = inspect.Parameter(
        id_name,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[str, Path(description=f"The {noun}'s `id`.")],
    )
    rest = [p for p in inspect.signature(fn).parameters.values() if p.name != "record_id"]

    def route(**kwargs: Any) -> Response:
        return fn(kwargs.pop(id_name), **kwargs)

    route.__signature__ = inspect.Signature([id_param, *rest])  # type: ignore[attr-defined]
    route.__name__ = fn.__name__
    return route


def _list_route(app: APIGatewayHttpResolver, api: OrganizationApi) -> Callable[..., Response]:
    kind = api.kind
    plural = kind.name

    def list_all(
        page_size: Annotated[
            int, Query(ge=1, le=PAGE_SIZE_MAX, description=f"{plural.title()} per page.")
        ] = PAGE_SIZE_DEFAULT,
        cursor: Annotated[
            str | None, Query(description="`pagination.next_cursor` of the previous page.")
        ] = None,
        search: Annotated[
            str | None,
            Query(
                max_length=255,
                description="Part of the name (any case) or of the VAT. Each call reads one "
                "page of the store: follow `next_cursor` while `has_more`, even past an "
                "empty page.",
            ),
        ] = None,
        include_archived: Annotated[bool, Query(description=f"Include archived {plural}.")] = False,
    ):
        viewer = api.viewer(caller_of(app), kind, "read")
        page = service.list_organizations(
            api.store(), viewer, page_size, cursor, search, include_archived
        )
        return json_response(200, plural, _page_json(plural, page))

    return list_all


def add_organization_routes(app: APIGatewayHttpResolver, api: OrganizationApi) -> None:
    kind, noun, plural = api.kind, api.kind.noun, api.kind.name
    base, one = f"/{plural}", f"/{plural}/<{noun}_id>"
    examples = crud_examples(noun)

    def viewer(action: Action) -> Viewer:
        return api.viewer(caller_of(app), kind, action)

    def create(body: Annotated[DistributorInput, Body(openapi_examples=examples[0])]):
        created = service.create_organization(api.store(), viewer("create"), body.to_fields())
        return json_response(201, f"{noun} created", created.as_json())

    def get_one(record_id: str):
        found = service.get_organization(api.store(), viewer("read"), record_id)
        return json_response(200, noun, found.as_json())

    def update(
        record_id: str,
        body: Annotated[DistributorInput, Body(openapi_examples=examples[1])],
    ):
        updated = service.update_organization(
            api.store(), viewer("update"), record_id, body.to_fields()
        )
        return json_response(200, f"{noun} updated", updated.as_json())

    def archive(record_id: str):
        archived = service.archive_organization(api.store(), viewer("archive"), record_id)
        return json_response(200, f"{noun} archived", archived.as_json())

    def restore(record_id: str):
        restored = service.restore_organization(api.store(), viewer("update"), record_id)
        return json_response(200, f"{noun} restored", restored.as_json())

    id_name = f"{noun}_id"
    app.post(base, **crud_operation(kind, "create"))(create)
    app.get(base, **crud_operation(kind, "list"))(_list_route(app, api))
    app.get(one, **crud_operation(kind, "get"))(_with_id(get_one, id_name, noun))
    app.put(one, **crud_operation(kind, "update"))(_with_id(update, id_name, noun))
    app.delete(one, **crud_operation(kind, "archive"))(_with_id(archive, id_name, noun))
    restore_route = _with_id(restore, id_name, noun)
    app.patch(f"{one}/restore", **crud_operation(kind, "restore"))(restore_route)
