"""CORS as API Gateway applies an HTTP API's CorsConfiguration.

The gateway, not the handler, owns CORS: a preflight is answered from the
configuration without invoking anything, and every other response has the
handler's `access-control-*` headers replaced by the API's own.
"""

from __future__ import annotations

from local.http_event import GatewayResponse
from local.specs import CorsSpec


def _allowed_origin(cors: CorsSpec, origin: str) -> str | None:
    if "*" in cors.allow_origins:
        return "*"
    allowed = {o.lower() for o in cors.allow_origins}
    return origin if origin.lower() in allowed else None


def with_cors(response: GatewayResponse, cors: CorsSpec | None, origin: str | None) -> None:
    """API Gateway replaces the integration's CORS headers with the API's own."""
    if cors is None:
        return
    response.headers = [
        (k, v) for k, v in response.headers if not k.lower().startswith("access-control-")
    ]
    allowed = _allowed_origin(cors, origin) if origin else None
    if allowed is None:
        return
    response.headers.append(("access-control-allow-origin", allowed))
    if cors.expose_headers:
        response.headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if cors.allow_credentials:
        response.headers.append(("access-control-allow-credentials", "true"))


def preflight(cors: CorsSpec, origin: str) -> GatewayResponse:
    """The 204 answer to a preflight; no allow-* headers for an origin not allowed."""
    response = GatewayResponse(204)
    allowed = _allowed_origin(cors, origin)
    if allowed is None:
        return response
    response.headers += [
        ("access-control-allow-origin", allowed),
        ("access-control-allow-methods", ",".join(cors.allow_methods)),
        ("access-control-allow-headers", ",".join(cors.allow_headers)),
    ]
    if cors.max_age is not None:
        response.headers.append(("access-control-max-age", str(cors.max_age)))
    if cors.allow_credentials:
        response.headers.append(("access-control-allow-credentials", "true"))
    return response
