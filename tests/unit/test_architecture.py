"""The import graph keeps the rooms apart (ARCHITECTURE.md): inner layers never import
outer ones. Read from the source with `ast`, so the test needs nothing installed."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "common" / "orgimport"

# layer -> the layers of the package it may import (itself included)
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "imports": {"core", "imports"},
    "kinds": {"core", "imports", "kinds"},
    "storage": {"core", "imports", "kinds", "storage"},
    "api": {"core", "imports", "kinds", "api"},
    "runtime": {"core", "imports", "runtime"},
    "wiring": {"core", "imports", "kinds", "storage", "wiring"},
}
DOMAIN = ("core", "imports", "kinds")
# libraries of the outside world the domain never touches
OUTSIDE = ("boto3", "botocore", "pynamodb", "aws_lambda_powertools", "moto")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "orgimport":  # `from orgimport import wiring`
                found.update(f"orgimport.{alias.name}" for alias in node.names)
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "orgimport" and len(parts) > 1 else None


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _violations() -> set[tuple[str, str]]:
    found = set()
    for module, imported in _graph().items():
        layer = _layer(module)
        if layer is None:
            continue
        for target in imported:
            target_layer = _layer(target)
            if target_layer is not None and target_layer not in ALLOWED[layer]:
                found.add((module, target))
            if layer in DOMAIN and target.split(".")[0] in OUTSIDE:
                found.add((module, target))
    return found


def test_every_layer_of_the_package_is_in_the_table():
    layers = {_layer(m) for m in _graph()} - {None}
    assert layers <= set(ALLOWED), layers - set(ALLOWED)


def test_no_module_imports_a_module_of_an_outer_layer():
    assert _violations() == set()


def test_the_pipeline_never_names_a_kind():
    for module, imported in _graph().items():
        if _layer(module) == "imports":
            assert not {t for t in imported if _layer(t) == "kinds"}, module


def test_the_domain_never_imports_storage_the_http_adapter_lambda_glue_or_aws():
    for module, imported in _graph().items():
        if _layer(module) in DOMAIN:
            outer = {t for t in imported if _layer(t) in ("storage", "api", "runtime", "wiring")}
            aws = {t for t in imported if t.split(".")[0] in OUTSIDE}
            assert not outer | aws, (module, outer | aws)
