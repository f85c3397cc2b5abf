"""What the local stack reads from template.yaml, typed and resolved.

`local.template.load_template` builds these; the front, the function runtime,
the resources, the S3 notifications and the OpenAPI generator read them, so
none of them walks the YAML itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.config import ACCOUNT_ID, REGION

DEFAULT_ROUTE = "$default"
# API Gateway's maximum integration timeout for HTTP APIs.
DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    runtime: str
    timeout_s: int
    memory_mb: int
    environment: Mapping[str, str]
    # Environment variables that name a template resource (a table, a bucket).
    resource_env: frozenset[str]
    # The events as written in the template (unresolved), for extensions.
    raw_events: Mapping[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"


@dataclass(frozen=True)
class JwtAuthorizerSpec:
    name: str
    identity_source: str  # e.g. "$request.header.Authorization"
    issuer: str
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class CorsSpec:
    allow_origins: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class HttpApiSpec:
    logical_id: str
    default_authorizer: str | None
    authorizers: Mapping[str, JwtAuthorizerSpec]
    cors: CorsSpec | None


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or "ANY"
    path: str  # "/distributors/{id}", or "$default"
    function: str  # logical id of the function
    event: str  # name of the event in the function's Events
    api: str  # logical id of the HttpApi
    authorizer: str | None  # None: the route is public (Auth: Authorizer: NONE)
    scopes: tuple[str, ...] = ()
    timeout_ms: int = DEFAULT_INTEGRATION_TIMEOUT_MS

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    name: str
    properties: Mapping[str, Any]  # resolved


@dataclass(frozen=True)
class BucketSpec:
    logical_id: str
    name: str
    properties: Mapping[str, Any]  # resolved


@dataclass(frozen=True)
class S3Trigger:
    """A function's `Type: S3` event: which bucket, which events, which keys."""

    function: str
    event: str
    bucket: str  # logical id
    bucket_name: str
    events: tuple[str, ...]  # e.g. ("s3:ObjectCreated:*",)
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Template:
    path: Path
    parameters: Mapping[str, str]
    functions: Mapping[str, FunctionSpec]
    routes: tuple[Route, ...]
    http_apis: Mapping[str, HttpApiSpec]
    tables: Mapping[str, TableSpec]
    buckets: Mapping[str, BucketSpec]
    s3_triggers: tuple[S3Trigger, ...]

    def environment(self) -> dict[str, str]:
        """Every function's variables in one mapping (one process runs them all)."""
        merged: dict[str, str] = {}
        for spec in self.functions.values():
            merged.update(spec.environment)
        return merged

    def conflicting_environment(self) -> dict[str, set[str]]:
        """Variables two functions set to different values (one process cannot honour both)."""
        values: dict[str, set[str]] = {}
        for spec in self.functions.values():
            for name, value in spec.environment.items():
                values.setdefault(name, set()).add(value)
        return {name: seen for name, seen in values.items() if len(seen) > 1}

    def resource_environment_names(self) -> frozenset[str]:
        return frozenset().union(*(spec.resource_env for spec in self.functions.values()))
