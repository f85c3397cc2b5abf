"""The API's OpenAPI document, generated from the handlers: `python -m local.openapi`.

Each function of template.yaml that serves HTTP routes is loaded from its app.py
and asked for its Powertools resolver's own document (routes, parameters, body
models, the `responses=` of `orgimport.api.docs`); Powertools' OpenAPIMerge joins
them under one title, the `/api` server and the bearer JWT scheme applied to every
operation. Nothing is written by hand here but the document's frame.

`make openapi` writes openapi.json at the repository root;
tests/unit/test_openapi_drift.py fails when it differs from what the code generates.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tomllib
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server, Tag

from local.config import API_PREFIX, REGION, REPO_ROOT
from local.handlers import handler_path, load_module
from local.specs import FunctionSpec, Template
from local.template import load_template
from orgimport.api.docs import TAGS, describing_responses

DOCUMENT_PATH = REPO_ROOT / "openapi.json"
SECURITY_SCHEME = "bearerAuth"
TITLE = "Partner platform API: distributors, resellers, customers"
DESCRIPTION = """\
The partner organizations of every tier (distributors, resellers, customers) and their
bulk import from CSV files.

Every JSON response, success or error, is the envelope
`{"code": <http status>, "message": <short lower-case text>, "data": <object or null>}`.
Field validation errors (400) carry
`data = {"type": "validation_error", "errors": [{"key", "message", "value"}]}`.
The only bodies that are not envelopes come from API Gateway itself, before any handler
runs: `{"message": "Unauthorized"}` (401) for a missing or invalid token and
`{"message": "Request Entity Too Large"}` (413).

Authentication: a JWT bearer token (`Authorization: Bearer <token>`), verified by API
Gateway's JWT authorizer. The caller's organization id and role (and user roles) come
from the token's claims: the owner manages every kind; a distributor its resellers and
their customers; a reseller its customers (any other use: 403). Outside the caller's
scope a record does not exist (404). User roles that are all `Reader` or `Support` only
read.

Locally (`make local`), paste the token the stack prints into **Authorize**."""


def _project_version() -> str:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def _load_app_module(spec: FunctionSpec) -> ModuleType:
    """The function's handler module, loaded by path (every function's is app.py)."""
    path, _ = handler_path(spec.code_dir, spec.handler)
    return load_module(path, f"_openapi_fn_{spec.logical_id}")


def _route_key(method: str, path: str) -> str:
    """`GET /distributors/{}`: path parameters compared by position, not by name."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"


def _refs(value: Any) -> set[str]:
    text = json.dumps(value)
    return set(re.findall(r'"#/components/schemas/([^"]+)"', text))


def _tidy(document: dict[str, Any]) -> None:
    """Drop Powertools' 422 (make_resolver answers request validation errors with a 400
    envelope) and every schema no operation reaches (its validation error models)."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    reached: set[str] = set()
    pending = _refs(document.get("paths", {}))
    while pending:
        name = pending.pop()
        if name not in reached and name in schemas:
            reached.add(name)
            pending |= _refs(schemas[name])
    for name in set(schemas) - reached:
        del schemas[name]


def _check_routes(document: dict[str, Any], template: Template) -> None:
    documented = {
        _route_key(method, path)
        for path, item in document.get("paths", {}).items()
        for method in item
    }
    served = {_route_key(r.method, r.path) for r in template.routes}
    if documented != served:
        raise RuntimeError(
            "the handlers' routes and template.yaml's differ: "
            f"only in handlers {sorted(documented - served)}, "
            f"only in the template {sorted(served - documented)}"
        )


def build_document(template: Template | None = None) -> dict[str, Any]:
    """The merged, checked document as a plain dict."""
    template = template or load_template()
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # clients made at import need one
    merge = OpenAPIMerge(
        title=TITLE,
        version=_project_version(),
        description=DESCRIPTION,
        servers=[
            Server(
                url=API_PREFIX,
                description="The API's base URL: the local stack serves every route under "
                "/api, as does a deployed API behind a custom domain mapped at /api",
            )
        ],
        security_schemes={
            SECURITY_SCHEME: HTTPBearer(
                bearerFormat="JWT",
                description="A JWT whose claims name the caller (`sub`), its organization "
                "and its organization role.",
            )
        },
        security=[{SECURITY_SCHEME: []}],
        tags=[Tag(name=name, description=text) for name, text in TAGS.items()],
        on_conflict="error",
    )
    functions = sorted({route.function for route in template.routes})
    for logical_id in functions:
        with describing_responses():
            module = _load_app_module(template.functions[logical_id])
        app = getattr(module, "app", None)
        if app is None or not hasattr(app, "get_openapi_json_schema"):
            raise RuntimeError(f"{logical_id}: its handler module has no resolver named app")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. a duplicate operation id
            merge.add_schema(json.loads(app.get_openapi_json_schema()))
    document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    _tidy(document)
    _check_routes(document, template)
    return document


def render(document: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drift(committed: str, generated: str, context: int = 2, limit: int = 80) -> str:
    """A short unified diff of the committed document against the generated one."""
    lines = list(
        difflib.unified_diff(
            committed.splitlines(),
            generated.splitlines(),
            "openapi.json (committed)",
            "openapi.json (generated from the code)",
            n=context,
            lineterm="",
        )
    )
    shown = "\n".join(lines[:limit])
    return shown + (f"\n... {len(lines) - limit} more diff lines" if len(lines) > limit else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.openapi", description=__doc__)
    parser.add_argument("--output", type=Path, default=DOCUMENT_PATH)
    parser.add_argument(
        "--check", action="store_true", help="fail if --output differs from the code's document"
    )
    args = parser.parse_args(argv)
    generated = render(build_document())
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if args.check:
        if current != generated:
            print(drift(current, generated), file=sys.stderr)
            print(f"{args.output} is out of date: run make openapi", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    if current != generated:
        args.output.write_text(generated, encoding="utf-8")
    document = json.loads(generated)
    operations = sum(len(item) for item in document["paths"].values())
    print(
        f"{args.output}: {operations} operations, {len(document['components']['schemas'])} schemas"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
