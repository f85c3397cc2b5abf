"""template.yaml, read for local use: routes, functions, tables, buckets, environment.

The SAM template is the single source of truth. This module loads it with a
YAML loader that keeps CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`,
`!If`, ...) as `Intrinsic` objects, then resolves what the local stack needs
with local values:

- a table's `!Ref` -> its TableName, or its logical id (`DistributorsTable`);
- a bucket's `!Ref` -> `local-` + the logical id in kebab case
  (`ImportBucket` -> `local-import-bucket`), even when it has a BucketName: a
  deployed name is built from the stack, account and region;
- a function's `!Ref` -> its FunctionName, or its logical id;
- parameters -> `JwtIssuer`: the local issuer, `JwtAudience`: the local
  audience, any other: its Default (overridable per load);
- pseudo parameters -> the local region, account and stack name.

Every `AWS::Serverless::Function` event of `Type: HttpApi` becomes a route and
every `Type: S3` event an `S3Trigger`, so functions added to the template are
picked up without code changes.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from local.config import (
    ACCOUNT_ID,
    LOCAL_AUDIENCE,
    LOCAL_ISSUER,
    REGION,
    STACK_NAME,
    TEMPLATE_PATH,
)

FUNCTION_TYPE = "AWS::Serverless::Function"
HTTP_API_TYPE = "AWS::Serverless::HttpApi"
TABLE_TYPE = "AWS::DynamoDB::Table"
BUCKET_TYPE = "AWS::S3::Bucket"
LAYER_TYPE = "AWS::Serverless::LayerVersion"
# SAM's name for the API it creates when an HttpApi event has no ApiId.
IMPLICIT_HTTP_API = "ServerlessHttpApi"
DEFAULT_ROUTE = "$default"
# SAM and Lambda defaults when neither the function nor Globals set them.
DEFAULT_TIMEOUT_S = 3
DEFAULT_MEMORY_MB = 128
# API Gateway's maximum integration timeout for HTTP APIs.
DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000

# Local values of parameters that have no usable Default.
LOCAL_PARAMETERS = {"JwtIssuer": LOCAL_ISSUER, "JwtAudience": LOCAL_AUDIENCE}
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NotificationARNs": "",
}


class TemplateError(Exception):
    """The template uses something the local stack cannot emulate."""


@dataclass(frozen=True)
class Intrinsic:
    """A CloudFormation function kept unresolved: `!Sub x` -> Intrinsic("Fn::Sub", "x")."""

    fn: str
    arg: Any


class _NoValue:
    """AWS::NoValue: the property it sits in disappears."""


NO_VALUE = _NoValue()


class CfnLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps CloudFormation short tags as `Intrinsic`s."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Intrinsic:
    fn = "Ref" if suffix == "Ref" else ("Condition" if suffix == "Condition" else f"Fn::{suffix}")
    if isinstance(node, yaml.ScalarNode):
        arg: Any = loader.construct_scalar(node)
        if fn == "Fn::GetAtt":
            arg = str(arg).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        arg = loader.construct_sequence(node, deep=True)
    else:
        arg = loader.construct_mapping(node, deep=True)
    return Intrinsic(fn, arg)


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        doc = yaml.load(f, Loader=CfnLoader)
    if not isinstance(doc, dict):
        raise TemplateError(f"{path} is not a template")
    return doc


def _as_intrinsic(value: Any) -> Intrinsic | None:
    """The long form (`{"Ref": x}`, `{"Fn::Sub": x}`) as an Intrinsic, else None."""
    if isinstance(value, Intrinsic):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            if key == "Fn::GetAtt" and isinstance(arg, str):
                arg = arg.split(".", 1)
            return Intrinsic(key, arg)
    return None


def _sub_names(text: str) -> list[str]:
    return re.findall(r"\$\{([^}!][^}]*)\}", text)


def referenced_resources(value: Any, resources: Mapping[str, Any]) -> set[str]:
    """Logical ids of template resources a (raw) value refers to."""
    found: set[str] = set()
    intrinsic = _as_intrinsic(value)
    if intrinsic is not None:
        if intrinsic.fn == "Ref" and intrinsic.arg in resources:
            found.add(intrinsic.arg)
        elif intrinsic.fn == "Fn::GetAtt" and intrinsic.arg and intrinsic.arg[0] in resources:
            found.add(intrinsic.arg[0])
        elif intrinsic.fn == "Fn::Sub":
            text = intrinsic.arg[0] if isinstance(intrinsic.arg, list) else intrinsic.arg
            for name in _sub_names(str(text)):
                if name.split(".", 1)[0] in resources:
                    found.add(name.split(".", 1)[0])
        found |= referenced_resources(intrinsic.arg, resources)
    elif isinstance(value, dict):
        for item in value.values():
            found |= referenced_resources(item, resources)
    elif isinstance(value, list):
        for item in value:
            found |= referenced_resources(item, resources)
    return found


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


class Resolver:
    """Resolves intrinsic functions with local values."""

    def __init__(self, doc: Mapping[str, Any], parameters: Mapping[str, str]) -> None:
        self._doc = doc
        self.resources: Mapping[str, Any] = doc.get("Resources") or {}
        self.parameters = dict(parameters)
        self._conditions: dict[str, bool] = {}
        self._resolving: set[str] = set()

    # names -------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        """The name a resource has locally (what its `!Ref` resolves to)."""
        resource = self.resources[logical_id]
        kind = resource.get("Type", "")
        props = resource.get("Properties") or {}
        explicit = {
            TABLE_TYPE: "TableName",
            FUNCTION_TYPE: "FunctionName",
        }
        prop = explicit.get(kind)
        if prop and props.get(prop) is not None:
            if logical_id in self._resolving:
                raise TemplateError(f"{logical_id}.{prop} refers to itself")
            self._resolving.add(logical_id)
            try:
                return str(self.resolve(props[prop]))
            finally:
                self._resolving.discard(logical_id)
        if kind == BUCKET_TYPE:
            return f"local-{_kebab(logical_id)}"
        if kind == LAYER_TYPE:
            return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:{logical_id}:1"
        return logical_id

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if logical_id not in self.resources:
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: no such resource")
        kind = self.resources[logical_id].get("Type", "")
        name = self.physical_name(logical_id)
        if kind == TABLE_TYPE and attribute == "Arn":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
        if kind == TABLE_TYPE and attribute == "StreamArn":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}/stream/local"
        if kind == BUCKET_TYPE and attribute == "Arn":
            return f"arn:aws:s3:::{name}"
        if kind == BUCKET_TYPE and attribute in ("DomainName", "RegionalDomainName"):
            return f"{name}.s3.{REGION}.amazonaws.com"
        if kind == FUNCTION_TYPE and attribute == "Arn":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
        return f"{logical_id}.{attribute}"

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            definition = (self._doc.get("Parameters") or {}).get(name) or {}
            if definition.get("Type") == "CommaDelimitedList":
                return [item.strip() for item in self.parameters[name].split(",")]
            return self.parameters[name]
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in self.resources:
            return self.physical_name(name)
        raise TemplateError(f"!Ref {name}: no such parameter or resource")

    # conditions --------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self._doc.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"condition {name} is not defined")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    # resolution --------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        intrinsic = _as_intrinsic(value)
        if intrinsic is not None:
            return self._call(intrinsic)
        if isinstance(value, dict):
            out = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        return value

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = str(arg[0]), {k: self.resolve(v) for k, v in (arg[1] or {}).items()}
        else:
            text, variables = str(arg), {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute)
            return str(self._ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _call(self, intrinsic: Intrinsic) -> Any:
        fn, arg = intrinsic.fn, intrinsic.arg
        if fn == "Ref":
            return self._ref(str(arg))
        if fn == "Condition":
            return self.condition(str(arg))
        if fn == "Fn::Sub":
            return self._sub(arg)
        if fn == "Fn::GetAtt":
            parts = [self.resolve(p) for p in arg]
            return self._get_att(str(parts[0]), ".".join(str(p) for p in parts[1:]))
        if fn == "Fn::Join":
            delimiter, items = arg
            return str(delimiter).join(str(v) for v in self.resolve(items))
        if fn == "Fn::Select":
            index, items = arg
            return self.resolve(items)[int(self.resolve(index))]
        if fn == "Fn::Split":
            delimiter, text = arg
            return str(self.resolve(text)).split(str(delimiter))
        if fn == "Fn::If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.condition(str(name)) else when_false)
        if fn == "Fn::Equals":
            left, right = (self.resolve(v) for v in arg)
            return str(left) == str(right)
        if fn == "Fn::Not":
            return not self.resolve(arg[0])
        if fn == "Fn::And":
            return all(self.resolve(v) for v in arg)
        if fn == "Fn::Or":
            return any(self.resolve(v) for v in arg)
        if fn == "Fn::Base64":
            return base64.b64encode(str(self.resolve(arg)).encode()).decode()
        if fn == "Fn::FindInMap":
            mapping, first, second = (self.resolve(v) for v in arg)
            return (self._doc.get("Mappings") or {})[mapping][first][second]
        if fn == "Fn::GetAZs":
            return [f"{REGION}{zone}" for zone in "abc"]
        if fn == "Fn::ImportValue":
            return f"imported:{self.resolve(arg)}"
        raise TemplateError(f"{fn} is not supported by the local stack")


# specs ------------------------------------------------------------------


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


# building -----------------------------------------------------------------


def local_parameters(doc: Mapping[str, Any], overrides: Mapping[str, str] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, definition in (doc.get("Parameters") or {}).items():
        if overrides and name in overrides:
            values[name] = str(overrides[name])
        elif name in LOCAL_PARAMETERS:
            values[name] = LOCAL_PARAMETERS[name]
        elif (definition or {}).get("Default") is not None:
            default = definition["Default"]
            values[name] = (
                ",".join(map(str, default)) if isinstance(default, list) else str(default)
            )
        else:
            raise TemplateError(f"parameter {name} has no Default and no local value")
    return values


def _merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge (resource wins), lists concatenate, scalars are replaced."""
    merged: dict[str, Any] = dict(global_props)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and _as_intrinsic(value) is None:
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


def _ref_target(value: Any) -> str | None:
    intrinsic = _as_intrinsic(value)
    if intrinsic is not None and intrinsic.fn == "Ref":
        return str(intrinsic.arg)
    return None


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
        api_id = _ref_target(raw_props.get("ApiId")) or IMPLICIT_HTTP_API
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
        bucket = _ref_target(raw_props.get("Bucket"))
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


def load_template(
    path: Path | str | None = None, parameter_overrides: Mapping[str, str] | None = None
) -> Template:
    """Read the SAM template and resolve what the local stack needs."""
    template_path = Path(path or TEMPLATE_PATH).resolve()
    doc = load_yaml(template_path)
    resolver = Resolver(doc, local_parameters(doc, parameter_overrides))
    resources = resolver.resources
    global_section = doc.get("Globals") or {}

    apis: dict[str, HttpApiSpec] = {}
    api_globals = global_section.get("HttpApi") or {}
    apis[IMPLICIT_HTTP_API] = _http_api(IMPLICIT_HTTP_API, resolver.resolve(api_globals))
    for logical_id in _of_type(resources, HTTP_API_TYPE, resolver):
        props = _merge_globals(api_globals, resources[logical_id].get("Properties") or {})
        apis[logical_id] = _http_api(logical_id, resolver.resolve(props))

    functions: dict[str, FunctionSpec] = {}
    function_globals = global_section.get("Function") or {}
    for logical_id in _of_type(resources, FUNCTION_TYPE, resolver):
        props = _merge_globals(function_globals, resources[logical_id].get("Properties") or {})
        spec = _function(logical_id, props, resolver, template_path.parent)
        if spec is not None:
            functions[logical_id] = spec

    routes: list[Route] = []
    triggers: list[S3Trigger] = []
    for spec in functions.values():
        routes.extend(_routes(spec, apis, resolver))
        triggers.extend(_s3_triggers(spec, resolver))

    tables = {
        logical_id: TableSpec(
            logical_id,
            resolver.physical_name(logical_id),
            resolver.resolve(resources[logical_id].get("Properties") or {}),
        )
        for logical_id in _of_type(resources, TABLE_TYPE, resolver)
    }
    buckets = {
        logical_id: BucketSpec(
            logical_id,
            resolver.physical_name(logical_id),
            resolver.resolve(resources[logical_id].get("Properties") or {}),
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
