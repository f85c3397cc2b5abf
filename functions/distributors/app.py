"""Distributors CRUD: a thin entry point over orgimport.kinds.organizations.service."""

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths

from orgimport import wiring
from orgimport.api.docs import CREATE_EXAMPLES, UPDATE_EXAMPLES, operation
from orgimport.api.guard import CRUD_ACTIONS, guarded
from orgimport.api.http import caller_of, json_response, make_resolver
from orgimport.api.schemas import DistributorInput
from orgimport.core.policy import Action
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations import service
from orgimport.kinds.organizations.service import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from orgimport.kinds.organizations.viewer import Viewer

logger = Logger()
app = make_resolver()
DistributorId = Annotated[str, Path(description="The distributor's `id`.")]


def _viewer(action: Action) -> Viewer:
    return wiring.viewer(caller_of(app), DISTRIBUTORS, action)


@app.post("/distributors", **operation("createDistributor"))
def create(body: Annotated[DistributorInput, Body(openapi_examples=CREATE_EXAMPLES)]):
    created = service.create_organization(
        wiring.distributor_store(), _viewer("create"), body.to_fields()
    )
    logger.info("distributor created", extra={"distributor_id": created.id})
    return json_response(201, "distributor created", created.as_json())


@app.get("/distributors", **operation("listDistributors"))
def list_all(
    page_size: Annotated[
        int, Query(ge=1, le=PAGE_SIZE_MAX, description="Distributors per page.")
    ] = PAGE_SIZE_DEFAULT,
    cursor: Annotated[
        str | None, Query(description="`pagination.next_cursor` of the previous page.")
    ] = None,
    search: Annotated[
        str | None,
        Query(
            max_length=255,
            description="Part of the name (any case) or of the VAT. Each call reads one page "
            "of the store: follow `next_cursor` while `has_more`, even past an empty page.",
        ),
    ] = None,
    include_archived: Annotated[bool, Query(description="Include archived distributors.")] = False,
):
    page = service.list_organizations(
        wiring.distributor_store(), _viewer("read"), page_size, cursor, search, include_archived
    )
    return json_response(
        200,
        "distributors",
        {
            "distributors": [d.as_json() for d in page.distributors],
            "pagination": {
                "page_size": page.page_size,
                "count": len(page.distributors),
                "next_cursor": page.next_cursor,
                "has_more": page.next_cursor is not None,
            },
        },
    )


@app.get("/distributors/<distributor_id>", **operation("getDistributor"))
def get_one(distributor_id: DistributorId):
    found = service.get_organization(wiring.distributor_store(), _viewer("read"), distributor_id)
    return json_response(200, "distributor", found.as_json())


@app.put("/distributors/<distributor_id>", **operation("updateDistributor"))
def update(
    distributor_id: DistributorId,
    body: Annotated[DistributorInput, Body(openapi_examples=UPDATE_EXAMPLES)],
):
    updated = service.update_organization(
        wiring.distributor_store(), _viewer("update"), distributor_id, body.to_fields()
    )
    return json_response(200, "distributor updated", updated.as_json())


@app.delete("/distributors/<distributor_id>", **operation("archiveDistributor"))
def archive(distributor_id: DistributorId):
    archived = service.archive_organization(
        wiring.distributor_store(), _viewer("archive"), distributor_id
    )
    return json_response(200, "distributor archived", archived.as_json())


@app.patch("/distributors/<distributor_id>/restore", **operation("restoreDistributor"))
def restore(distributor_id: DistributorId):
    restored = service.restore_organization(
        wiring.distributor_store(), _viewer("update"), distributor_id
    )
    return json_response(200, "distributor restored", restored.as_json())


lambda_handler = logger.inject_lambda_context(
    guarded(app, DISTRIBUTORS.policy, CRUD_ACTIONS),
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP,
)
