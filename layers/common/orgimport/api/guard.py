"""The Lambda entry point of an API: who may call it is asked of the kind's policy.

Before any body is parsed: the caller from the verified claims (401 without), the
policy's answer for the action the request takes (403), then 400 for request text
nothing downstream can take (request_checks). Only then does the resolver run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from orgimport.api.http import (
    PATH_PREFIXES,
    LambdaHandler,
    check_request,
    proxy_response,
    status_of,
)
from orgimport.core.errors import DomainError
from orgimport.core.identity import Caller, caller_from_event
from orgimport.core.policy import Action, KindPolicy

# The action of a CRUD route, by HTTP method (PATCH is .../restore: an update)
CRUD_ACTIONS: Mapping[str, Action] = {
    "POST": "create",
    "GET": "read",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "archive",
}


def _method(event: dict[str, Any]) -> str:
    http = (event.get("requestContext") or {}).get("http") or {}
    return str(http.get("method") or "").upper()


def action_of(event: dict[str, Any], actions: Mapping[str, Action] | Action) -> Action:
    """The action a request takes: one for every route of the API, or by its method
    (a method the table leaves out reads)."""
    if isinstance(actions, str):
        return actions
    return actions.get(_method(event), "read")


def kind_segment(event: dict[str, Any]) -> str:
    """The first segment of the request's path, after an optional `/api`: the kind's name."""
    parts = [p for p in str(event.get("rawPath") or "").split("/") if p]
    if parts and "/" + parts[0] in PATH_PREFIXES:
        parts = parts[1:]
    return parts[0] if parts else ""


def guarded(
    app: APIGatewayHttpResolver,
    policies: KindPolicy | Mapping[str, KindPolicy],
    actions: Mapping[str, Action] | Action,
    admit: Callable[[Caller], None] | None = None,
) -> LambdaHandler:
    """`app` behind its kinds' policies (one, or one per kind, found by the path's first
    segment): each request's action, from `actions`, must be allowed, and then `admit`
    may refuse the caller (an organization the service does not hold: 403). A path of no
    kind is left to the resolver (404)."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            caller = caller_from_event(event)
            policy = policies if isinstance(policies, KindPolicy) else None
            if policy is None:
                policy = policies.get(kind_segment(event))  # type: ignore[union-attr]
            if policy is not None:
                policy.authorize(caller, action_of(event, actions))
                if admit is not None:
                    admit(caller)
            check_request(event)
        except DomainError as exc:
            return proxy_response(status_of(exc), exc.message, exc.data)
        return app.resolve(event, context)

    return handler
