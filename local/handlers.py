"""The one handler loader: a template function's module, imported by path as Lambda
imports it. The local stack, the OpenAPI generator, the tests and the benchmarks all
load handlers here.

Every handler is `app.py`, so each is imported under a module name of its own. While
it is imported its code directory comes first on `sys.path` (as in Lambda), and the
sibling modules it brought in are forgotten afterwards: another function may have
its own of the same name.

Whoever loads a handler here may call it from many threads at once (the local front,
the tests, the benchmarks), which Lambda never does: `local.request_isolation` keeps
each request's event, context and route arguments to its own thread.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from local.config import REPO_ROOT
from local.request_isolation import isolate_requests

FUNCTIONS_DIR = REPO_ROOT / "functions"


class HandlerLoadError(Exception):
    """The handler module or function cannot be loaded (Lambda: Runtime.ImportModuleError)."""


def handler_path(code_dir: Path, handler: str) -> tuple[Path, str]:
    """`app.lambda_handler` -> (code_dir/app.py, "lambda_handler")."""
    module, _, attribute = handler.rpartition(".")
    if not module or not attribute:
        raise HandlerLoadError(f"bad Handler {handler!r}")
    return code_dir / (module.replace(".", "/") + ".py"), attribute


def load_module(path: Path, name: str, *, reuse: bool = True) -> ModuleType:
    """The module at `path` under `name`: the one already loaded (`reuse`), or a fresh
    import. Raises HandlerLoadError when it is missing or its import fails."""
    if reuse and name in sys.modules:
        return sys.modules[name]
    if not path.is_file():
        raise HandlerLoadError(f"no handler module at {path}")
    isolate_requests()
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise HandlerLoadError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    code_dir = str(path.parent)
    before = set(sys.modules)
    sys.path.insert(0, code_dir)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise HandlerLoadError(f"importing {path} failed") from exc
    finally:
        sys.path.remove(code_dir)
        _forget_siblings(before, code_dir, name)
    return module


def function_module(function_dir: str, *, prefix: str = "fn", reuse: bool = True) -> ModuleType:
    """functions/<function_dir>/app.py, as `<prefix>_<function_dir>`."""
    return load_module(
        FUNCTIONS_DIR / function_dir / "app.py", f"{prefix}_{function_dir}", reuse=reuse
    )


def _forget_siblings(before: set[str], code_dir: str, loaded: str) -> None:
    for name in set(sys.modules) - before:
        module: ModuleType | None = sys.modules.get(name)
        origin = getattr(module, "__file__", None) or ""
        if origin.startswith(code_dir + "/") and name != loaded:
            del sys.modules[name]
