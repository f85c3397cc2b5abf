"""template.yaml as data: a YAML loader that keeps CloudFormation intrinsics unresolved.

A plain YAML loader rejects `!Ref` and `!Sub`; this one keeps every short tag
as an `Intrinsic` so the local stack can resolve it with local values later
(`local.cfn_resolve`) and can tell which values name a template resource
(`referenced_resources`) without resolving anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


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


def as_intrinsic(value: Any) -> Intrinsic | None:
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


def ref_target(value: Any) -> str | None:
    """What a `!Ref` names, or None when the value is not a `!Ref`."""
    intrinsic = as_intrinsic(value)
    if intrinsic is not None and intrinsic.fn == "Ref":
        return str(intrinsic.arg)
    return None


def _sub_names(text: str) -> list[str]:
    return re.findall(r"\$\{([^}!][^}]*)\}", text)


def referenced_resources(value: Any, resources: Mapping[str, Any]) -> set[str]:
    """Logical ids of template resources a (raw) value refers to."""
    found: set[str] = set()
    intrinsic = as_intrinsic(value)
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
