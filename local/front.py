"""The local API Gateway: an HTTP server that behaves like the deployed HTTP API.

Per request, in API Gateway's order:

1. body over 10 MB (HTTP API's payload quota) -> 413
   `{"message":"Request Entity Too Large"}`, before the body is even read;
2. a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
   is answered from the API's CorsConfiguration, 204, no route involved;
3. routes live under `/api` (the contract's base URL); the route is chosen as
   HTTP APIs choose it (`local.routes`); none -> 404 `{"message":"Not Found"}`;
4. the route's JWT authorizer (the API's default unless the event says
   `Auth: Authorizer: NONE`) -> 401 `{"message":"Unauthorized"}` / 403;
5. the payload format 2.0 event (`local.http_event`); rawPath keeps `/api`,
   the handlers strip it themselves;
6. an event over Lambda's 6 MB synchronous request limit -> 413
   `{"message":"Request Entity Too Large"}`. Deployed, Lambda refuses such an
   invoke with RequestEntityTooLargeException (HTTP 413) and no handler runs.
   We answer 413 rather than a generic 5xx because it names the cause the
   client can act on (send less, or upload to S3), it is the status Lambda
   itself gives, and it matches step 1 so a client needs one rule for "too
   big"; the exact status a live API relays for this case is not documented;
7. the handler runs in-process (`local.lambda_runtime`); an exception, an
   unloadable module, a function timeout or a malformed result -> 500
   `{"message":"Internal Server Error"}`; past the route's integration timeout
   (30 s) -> 503 `{"message":"Service Unavailable"}`;
8. the result is mapped back as API Gateway maps format 2.0 responses, with
   the API's CORS headers replacing any the handler set.

Step 1 and the socket are `local.front_server`'s; CORS is `local.cors`.
`/api/_local/health` and `/api/_local/jwks.json` belong to the local stack, not
to template.yaml; they need no token. Neither does `/api/docs` (Swagger UI and the
OpenAPI document, `local.docs`). One log line per request.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import parse_qs

from local.authorizer import (
    FORBIDDEN_BODY,
    UNAUTHORIZED_BODY,
    Authorization,
    Forbidden,
    JwtAuthorizer,
    Unauthorized,
)
from local.config import API_PREFIX, HOST, LOCAL_ENDPOINTS_PREFIX
from local.cors import preflight, with_cors
from local.docs import docs_response
from local.front_server import MAX_BODY_BYTES, FrontServer, RequestHandler, Served
from local.http_event import (
    INTERNAL_SERVER_ERROR,
    NOT_FOUND,
    REQUEST_TOO_LARGE,
    SERVICE_UNAVAILABLE,
    GatewayResponse,
    IncomingRequest,
    InvalidLambdaResponse,
    build_event,
    gateway_error,
    response_from_result,
)
from local.lambda_runtime import (
    MAX_REQUEST_BYTES,
    FunctionError,
    FunctionRegistry,
    FunctionTimeout,
    HandlerLoadError,
    IntegrationTimeout,
)
from local.routes import RouteTable
from local.specs import Route, Template

log = logging.getLogger("local.front")


def _lookup(headers: list[tuple[str, str]]) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value)
    return {name: ",".join(values) for name, values in grouped.items()}


def _identity(identity_source: str, headers: dict[str, str], query: str) -> str | None:
    """The value of `$request.header.X` / `$request.querystring.x` (the first source only)."""
    source = identity_source.split(",", 1)[0].strip()
    if source.lower().startswith("$request.header."):
        return headers.get(source[len("$request.header.") :].lower())
    if source.startswith("$request.querystring."):
        values = parse_qs(query).get(source[len("$request.querystring.") :])
        return values[0] if values else None
    return None


def _unauthorized(reason: str) -> GatewayResponse:
    response = gateway_error(401, UNAUTHORIZED_BODY)
    # The reason goes in a header, as API Gateway's does: the body stays exact.
    response.headers.append(
        (
            "www-authenticate",
            f'Bearer scope="" error="invalid_token" error_description="{reason}"',
        )
    )
    return response


class LocalFront:
    """Routes, authorizes and invokes; `handle()` is the whole gateway, the server is plumbing."""

    def __init__(
        self,
        template: Template,
        registry: FunctionRegistry,
        jwks: dict[str, Any],
        port: int = 0,
        prefix: str = API_PREFIX,
    ) -> None:
        self.template = template
        self.registry = registry
        # set once the stack is ready for requests: until then health answers 503
        self.ready = threading.Event()
        self.jwks = jwks
        self.prefix = prefix
        self.routes = RouteTable(template.routes)
        self.authorizers = {
            (api.logical_id, name): JwtAuthorizer(spec.issuer, spec.audiences, jwks)
            for api in template.http_apis.values()
            for name, spec in api.authorizers.items()
        }
        # The CORS of a preflight that matches no route: the first API that has one.
        self.default_cors = next(
            (api.cors for api in template.http_apis.values() if api.cors is not None), None
        )
        self.server = FrontServer((HOST, port), RequestHandler)
        self.server.gateway = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{self.prefix}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="local-front", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # the gateway ---------------------------------------------------------

    def _local_endpoint(self, method: str, path: str) -> GatewayResponse | None:
        base = self.prefix + LOCAL_ENDPOINTS_PREFIX
        if method != "GET" or not path.startswith(base + "/"):
            return None
        name = path[len(base) + 1 :]
        if name == "health":
            if not self.ready.is_set():
                return GatewayResponse(
                    503, [("content-type", "application/json")], b'{"status": "starting"}'
                )
            body = {"status": "ok", "routes": len(self.template.routes)}
        elif name == "jwks.json":
            body = self.jwks
        else:
            return None
        return GatewayResponse(
            200, [("content-type", "application/json")], json.dumps(body).encode()
        )

    def handle(self, request: IncomingRequest, request_id: str) -> Served:
        if len(request.body) > MAX_BODY_BYTES:
            return Served(gateway_error(413, REQUEST_TOO_LARGE), note="body over 10 MB")
        headers = _lookup(request.headers)
        origin = headers.get("origin")
        if (
            request.method == "OPTIONS"
            and origin
            and "access-control-request-method" in headers
            and self.default_cors is not None
        ):
            wanted = headers["access-control-request-method"].upper()
            match = self.routes.match(wanted, self._api_path(request.raw_path) or "")
            cors = self.template.http_apis[match.route.api].cors if match else None
            return Served(preflight(cors or self.default_cors, origin), note="preflight")

        local = self._local_endpoint(request.method, request.raw_path)
        if local is not None:
            return Served(local, route_key="_local")
        docs = docs_response(request.method, request.raw_path, self.prefix)
        if docs is not None:
            return Served(docs, route_key="_docs")
        api_path = self._api_path(request.raw_path)
        match = self.routes.match(request.method, api_path) if api_path is not None else None
        if match is None:
            served = Served(gateway_error(404, NOT_FOUND))
            with_cors(served.response, self.default_cors, origin)
            return served

        route = match.route
        cors = self.template.http_apis[route.api].cors
        served = self._integrate(request, request_id, match.path_parameters, route, headers)
        with_cors(served.response, cors, origin)
        return served

    def _api_path(self, raw_path: str) -> str | None:
        if raw_path == self.prefix:
            return "/"
        if raw_path.startswith(self.prefix + "/"):
            return raw_path[len(self.prefix) :]
        return None

    def _integrate(
        self,
        request: IncomingRequest,
        request_id: str,
        path_parameters: dict[str, str],
        route: Route,
        headers: dict[str, str],
    ) -> Served:
        key = route.route_key
        try:
            authorization = self._authorize(route, headers, request.raw_query)
        except Unauthorized as exc:
            return Served(_unauthorized(exc.reason), key, f"unauthorized: {exc.reason}")
        except Forbidden as exc:
            return Served(gateway_error(403, FORBIDDEN_BODY), key, f"forbidden: {exc}")

        event = build_event(
            request,
            route_key=key,
            path_parameters=path_parameters,
            authorization=authorization,
            request_id=request_id,
        )
        if len(json.dumps(event).encode()) > MAX_REQUEST_BYTES:
            return Served(gateway_error(413, REQUEST_TOO_LARGE), key, "event over Lambda's 6 MB")
        return self._invoke(route, event)

    def _authorize(
        self, route: Route, headers: dict[str, str], raw_query: str
    ) -> Authorization | None:
        """The route's JWT authorizer's verdict; None for a public route."""
        if route.authorizer is None:
            return None
        authorizer = self.authorizers[(route.api, route.authorizer)]
        spec = self.template.http_apis[route.api].authorizers[route.authorizer]
        return authorizer.authorize(
            _identity(spec.identity_source, headers, raw_query), route.scopes
        )

    def _invoke(self, route: Route, event: dict[str, Any]) -> Served:
        key = route.route_key
        runtime = self.registry[route.function]
        try:
            result = runtime.invoke(event, wait_s=route.timeout_ms / 1000)
            response = response_from_result(result)
        except IntegrationTimeout as exc:
            return Served(gateway_error(503, SERVICE_UNAVAILABLE), key, str(exc))
        except HandlerLoadError as exc:
            log.error("%s", exc, exc_info=exc.__cause__)
            return Served(gateway_error(500, INTERNAL_SERVER_ERROR), key, str(exc))
        except (FunctionError, FunctionTimeout, InvalidLambdaResponse) as exc:
            return Served(gateway_error(500, INTERNAL_SERVER_ERROR), key, str(exc))
        return Served(response, key, route.function)
