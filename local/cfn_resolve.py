"""CloudFormation intrinsics resolved with local values.

What a deployed stack learns from CloudFormation, the local stack makes up:

- a table's `!Ref` -> its TableName, or its logical id (`DistributorsTable`);
- a bucket's `!Ref` -> `local-` + the logical id in kebab case
  (`ImportBucket` -> `local-import-bucket`), even when it has a BucketName: a
  deployed name is built from the stack, account and region;
- a function's `!Ref` -> its FunctionName, or its logical id;
- parameters -> `JwtIssuer`: the local issuer, `JwtAudience`: the local
  audience, any other: its Default (overridable per load);
- pseudo parameters -> the local region, account and stack name.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from local.cfn_yaml import NO_VALUE, Intrinsic, TemplateError, as_intrinsic
from local.config import ACCOUNT_ID, LOCAL_AUDIENCE, LOCAL_ISSUER, REGION, STACK_NAME

FUNCTION_TYPE = "AWS::Serverless::Function"
TABLE_TYPE = "AWS::DynamoDB::Table"
BUCKET_TYPE = "AWS::S3::Bucket"
LAYER_TYPE = "AWS::Serverless::LayerVersion"

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
        intrinsic = as_intrinsic(value)
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
