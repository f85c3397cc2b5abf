"""Swagger UI for the local stack, at `/api/docs`: local only, no token needed to read it.

- `/api/docs`: the page; **Authorize** takes the token `make local` prints;
- `/api/docs/openapi.json`: the committed document (`make openapi` writes it);
- `/api/docs/swagger-ui-bundle.min.js`, `/api/docs/swagger-ui.min.css`: Swagger UI's
  assets, served from the copy Powertools ships (no CDN is reachable here, and none is
  needed: the page works offline).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler.openapi import swagger_ui

from local.http_event import GatewayResponse
from local.openapi import DOCUMENT_PATH

DOCS_PATH = "/docs"
DOCUMENT_NAME = "openapi.json"
_ASSETS_DIR = Path(swagger_ui.__file__).parent
_ASSETS = {
    "swagger-ui-bundle.min.js": "application/javascript; charset=utf-8",
    "swagger-ui.min.css": "text/css; charset=utf-8",
}


@cache
def _asset(name: str) -> bytes:
    return (_ASSETS_DIR / name).read_bytes()


def _page(base: str) -> bytes:
    options = {
        "url": f"{base}/{DOCUMENT_NAME}",
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "persistAuthorization": True,
        "displayRequestDuration": True,
        "layout": "BaseLayout",
    }
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Partner platform API - local stack</title>
  <link rel="stylesheet" href="{base}/swagger-ui.min.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{base}/swagger-ui-bundle.min.js"></script>
  <script>
    var options = {json.dumps(options)};
    options.presets = [SwaggerUIBundle.presets.apis];
    window.ui = SwaggerUIBundle(options);
  </script>
</body>
</html>
""".encode()


def _ok(content_type: str, body: bytes) -> GatewayResponse:
    return GatewayResponse(
        200, [("content-type", content_type), ("cache-control", "no-cache")], body
    )


def docs_response(method: str, raw_path: str, prefix: str) -> GatewayResponse | None:
    """The answer for a docs path under `prefix` (`/api`), or None when it is not one."""
    base = prefix + DOCS_PATH
    if method not in ("GET", "HEAD") or not (raw_path == base or raw_path.startswith(base + "/")):
        return None
    name = raw_path[len(base) :].strip("/")
    if name == "":
        return _ok("text/html; charset=utf-8", _page(base))
    if name == DOCUMENT_NAME:
        if not DOCUMENT_PATH.is_file():
            body = json.dumps({"message": f"no {DOCUMENT_NAME} yet: run make openapi"})
            return GatewayResponse(404, [("content-type", "application/json")], body.encode())
        return _ok("application/json", DOCUMENT_PATH.read_bytes())
    if name in _ASSETS:
        return _ok(_ASSETS[name], _asset(name))
    return None
