"""template.yaml, read for local use: routes, functions, tables, buckets, environment.

The SAM template is the single source of truth. `load_template` reads it with
the loader that keeps CloudFormation intrinsics (`local.cfn_yaml`), resolves
them with local values (`local.cfn_resolve`) and returns the specs the local
stack serves (`local.specs`).

Every `AWS::Serverless::Function` event of `Type: HttpApi` becomes a route and
every `Type: S3` event an `S3Trigger`, so functions added to the template are
picked up without code changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from local.cfn_resolve import BUCKET_TYPE, FUNCTION_TYPE, TABLE_TYPE, Resolver, local_parameters
from local.cfn_yaml import TemplateError, as_intrinsic, load_yaml, ref_target, referenced_resources
from local.config import TEMPLATE_PATH
from local.specs import (
    DEFAULT_INTEGRATION_TIMEOUT_MS,
    DEFAULT_ROUTE,
    BucketSpec,
    CorsSpec,
    FunctionSpec,
    HttpApiSpec,
    JwtAuthorizerSpec,
    Route,
    S3Trigger,
    TableSpec,
    Template,
)

HTTP_API_TYPE = "AWS::Serverless::HttpApi"
# SAM's name for the API it creates when an HttpApi event has no ApiId.
IMPLICIT_HTTP_API = "ServerlessHttpApi"
# SAM and Lambda defaults when neither the function nor Globals set them.
DEFAULT_TIMEOUT_S = 3
DEFAULT_MEMORY_MB = 128


def _merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge (resource wins), lists concatenate, scalars are replaced."""
    merged: dict[str, Any] = dict(global_props)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and as_intrinsic(value) is None:
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    return merged


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _listify(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _cors(config: Any) -> CorsSpec | None:
    if config is None or config is False:
        return None
    if config is True:
        return CorsSpec(allow_origins=("*",), allow_headers=("*",), allow_methods=("*",))
    return CorsSpec(
        allow_origins=_listify(config.get("AllowOrigins")),
        allow_headers=_listify(config.get("AllowHeaders")),
        allow_methods=tuple(m.upper() for m in _listify(config.get("AllowMethods"))),
        expose_headers=_listify(config.get("ExposeHeaders")),
        max_age=int(config["MaxAge"]) if config.get("MaxAge") is not None else None,
        allow_credentials=bool(config.get("AllowCredentials", False)),
    )


def _http_api(logical_id: str, props: Mapping[str, Any]) -> HttpApiSpec:
    auth = props.get("Auth") or {}
    authorizers: dict[str, JwtAuthorizerSpec] = {}
    for name, definition in (auth.get("Authorizers") or {}).items():
        jwt_config = definition.get("JwtConfiguration")
        if not jwt_config:
            continue  # Lambda authorizers: rejected if a route uses one (see _routes)
        authorizers[name] = JwtAuthorizerSpec(
            name=name,
            identity_source=str(definition.get("IdentitySource", "$request.header.Authorization")),
            issuer=str(jwt_config.get("issuer") or jwt_config.get("Issuer")),
            audiences=_listify(jwt_config.get("audience") or jwt_config.get("Audience")),
        )
    return HttpApiSpec(
        logical_id=logical_id,
        default_authorizer=auth.get("DefaultAuthorizer"),
        authorizers=authorizers,
        cors=_cors(props.get("CorsConfiguration")),
    )


def _function(
    logical_id: str,
    props: Mapping[str, Any],
    resolver: Resolver,
    base_dir: Path,
) -> FunctionSpec | None:
    if props.get("PackageType") == "Image" or props.get("InlineCode") is not None:
        return None  # neither can be imported in-process
    code_uri = resolver.resolve(props.get("CodeUri", "."))
    if not isinstance(code_uri, str):
        raise TemplateError(f"{logical_id}: CodeUri must be a local directory")
    raw_env = ((props.get("Environment") or {}).get("Variables")) or {}
    environment = {name: _env_text(value) for name, value in resolver.resolve(raw_env).items()}
    resource_env = frozenset(
        name for name, value in raw_env.items() if referenced_resources(value, resolver.resources)
    )
    return FunctionSpec(
        logical_id=logical_id,
        name=resolver.physical_name(logical_id),
        code_dir=(base_dir / code_uri).resolve(),
        handler=str(resolver.resolve(props.get("Handler", "app.lambda_handler"))),
        runtime=str(resolver.resolve(props.get("Runtime", ""))),
        timeout_s=int(resolver.resolve(props.get("Timeout", DEFAULT_TIMEOUT_S))),
        memory_mb=int(resolver.resolve(props.get("MemorySize", DEFAULT_MEMORY_MB))),
        environment=environment,
        resource_env=resource_env,
        raw_events=dict(props.get("Events") or {}),
    )


def _routes(spec: FunctionSpec, apis: Mapping[str, HttpApiSpec], resolver: Resolver) -> list[Route]:
    routes = []
    for event_name, event in spec.raw_events.items():
        if (event or {}).get("Type") != "HttpApi":
            continue
        raw_props = event.get("Properties") or {}
        api_id = ref_target(raw_props.get("ApiId")) or IMPLICIT_HTTP_API
        props = resolver.resolve({k: v for k, v in raw_props.items() if k != "ApiId"})
        if str(props.get("PayloadFormatVersion", "2.0")) != "2.0":
            raise TemplateError(
                f"{spec.logical_id}.{event_name}: only payload format 2.0 is served"
            )
        api = apis.get(api_id)
        if api is None:
            raise TemplateError(f"{spec.logical_id}.{event_name}: no HttpApi {api_id}")
        auth = props.get("Auth") or {}
        authorizer = auth.get("Authorizer", api.default_authorizer)
        if authorizer == "NONE":
            authorizer = None
        if authorizer is not None and authorizer not in api.authorizers:
            raise TemplateError(
                f"{spec.logical_id}.{event_name}: authorizer {authorizer} is not a JWT authorizer"
                f" of {api_id} (only JWT authorizers are emulated)"
            )
        path, method = props.get("Path"), props.get("Method")
        routes.append(
            Route(
                method=str(method or "ANY").upper(),
                path=str(path) if path else DEFAULT_ROUTE,
                function=spec.logical_id,
                event=event_name,
                api=api_id,
                authorizer=authorizer,
                scopes=_listify(auth.get("AuthorizationScopes")),
                timeout_ms=int(props.get("TimeoutInMillis", DEFAULT_INTEGRATION_TIMEOUT_MS)),
            )
        )
    return routes


def _s3_triggers(spec: FunctionSpec, resolver: Resolver) -> list[S3Trigger]:
    triggers = []
    for event_name, event in spec.raw_events.items():
        if (event or {}).get("Type") != "S3":
            continue
        raw_props = event.get("Properties") or {}
        bucket = ref_target(raw_props.get("Bucket"))
        if bucket is None or bucket not in resolver.resources:
            raise TemplateError(f"{spec.logical_id}.{event_name}: Bucket must be !Ref a bucket")
        props = resolver.resolve({k: v for k, v in raw_props.items() if k != "Bucket"})
        rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
        by_name = {str(rule.get("Name", "")).lower(): str(rule.get("Value", "")) for rule in rules}
        triggers.append(
            S3Trigger(
                function=spec.logical_id,
                event=event_name,
                bucket=bucket,
                bucket_name=resolver.physical_name(bucket),
                events=_listify(props.get("Events")),
                prefix=by_name.get("prefix", ""),
                suffix=by_name.get("suffix", ""),
            )
        )
    return triggers


def _active(resource: Mapping[str, Any], resolver: Resolver) -> bool:
    condition = resource.get("Condition")
    return condition is None or resolver.condition(str(condition))


def _of_type(resources: Mapping[str, Any], kind: str, resolver: Resolver) -> Iterable[str]:
    for logical_id, resource in resources.items():
        if (resource or {}).get("Type") == kind and _active(resource, resolver):
            yield logical_id


def _http_apis(api_globals: Mapping[str, Any], resolver: Resolver) -> dict[str, HttpApiSpec]:
    """The implicit API (Globals only) and every HttpApi resource, Globals merged in."""
    apis = {IMPLICIT_HTTP_API: _http_api(IMPLICIT_HTTP_API, resolver.resolve(api_globals))}
    for logical_id in _of_type(resolver.resources, HTTP_API_TYPE, resolver):
        props = _merge_globals(api_globals, resolver.resources[logical_id].get("Properties") or {})
        apis[logical_id] = _http_api(logical_id, resolver.resolve(props))
    return apis


def _functions(
    function_globals: Mapping[str, Any], resolver: Resolver, base_dir: Path
) -> dict[str, FunctionSpec]:
    functions: dict[str, FunctionSpec] = {}
    for logical_id in _of_type(resolver.resources, FUNCTION_TYPE, resolver):
        raw = resolver.resources[logical_id].get("Properties") or {}
        spec = _function(logical_id, _merge_globals(function_globals, raw), resolver, base_dir)
        if spec is not None:
            functions[logical_id] = spec
    return functions


def _resolved_properties(logical_id: str, resolver: Resolver) -> Any:
    return resolver.resolve(resolver.resources[logical_id].get("Properties") or {})


def load_template(
    path: Path | str | None = None, parameter_overrides: Mapping[str, str] | None = None
) -> Template:
    """Read the SAM template and resolve what the local stack needs."""
    template_path = Path(path or TEMPLATE_PATH).resolve()
    doc = load_yaml(template_path)
    resolver = Resolver(doc, local_parameters(doc, parameter_overrides))
    resources = resolver.resources
    global_section = doc.get("Globals") or {}
    apis = _http_apis(global_section.get("HttpApi") or {}, resolver)
    functions = _functions(global_section.get("Function") or {}, resolver, template_path.parent)

    routes: list[Route] = []
    triggers: list[S3Trigger] = []
    for spec in functions.values():
        routes.extend(_routes(spec, apis, resolver))
        triggers.extend(_s3_triggers(spec, resolver))

    tables = {
        logical_id: TableSpec(
            logical_id,
            resolver.physical_name(logical_id),
            _resolved_properties(logical_id, resolver),
        )
        for logical_id in _of_type(resources, TABLE_TYPE, resolver)
    }
    buckets = {
        logical_id: BucketSpec(
            logical_id,
            resolver.physical_name(logical_id),
            _resolved_properties(logical_id, resolver),
        )
        for logical_id in _of_type(resources, BUCKET_TYPE, resolver)
    }
    return Template(
        path=template_path,
        parameters=resolver.parameters,
        functions=functions,
        routes=tuple(routes),
        http_apis=apis,
        tables=tables,
        buckets=buckets,
        s3_triggers=tuple(triggers),
    )
