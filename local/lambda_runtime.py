"""Run a template function's handler in-process, the way the Lambda runtime would.

Each handler module (every one is `app.py`) is imported from its CodeUri under
a module name of its own, lazily on first use, so a function written after the
stack started is picked up by the next request. The handler gets a
`LambdaContext` whose remaining time counts down from the function's Timeout;
its result goes through JSON as Lambda's runtime sends it, with Lambda's 6 MB
response limit.

Sibling modules of a handler (`functions/<dir>/*.py`) are importable while its
app.py is imported, i.e. at module level, as in Lambda; a sibling imported later
from inside a call is not found.

In-process there is nothing to kill: a handler that outlives its Timeout is
reported as timed out but keeps running in its thread until it returns.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from local.specs import FunctionSpec, Template

log = logging.getLogger("local.lambda")

# Lambda's synchronous invoke limits (bytes): 6 MiB request, 6 MiB + 100 response.
MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100

Handler = Callable[[Any, Any], Any]


class HandlerLoadError(Exception):
    """The handler module or function cannot be loaded (Lambda: Runtime.ImportModuleError)."""


class FunctionError(Exception):
    """The handler raised, or returned what Lambda cannot send back."""


class FunctionTimeout(Exception):
    """The handler ran past the function's Timeout."""


class IntegrationTimeout(Exception):
    """The caller (API Gateway) stopped waiting before the function finished."""


@dataclass
class LambdaContext:
    """The attributes and method of the Python runtime's context object."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    deadline: float  # time.monotonic() at which the function times out
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass
class _Outcome:
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class FunctionRuntime:
    """One function of the template, loaded on first invoke."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._handler: Handler | None = None
        self._lock = threading.Lock()

    def _module_path(self) -> tuple[Path, str]:
        module, _, attribute = self.spec.handler.rpartition(".")
        if not module or not attribute:
            raise HandlerLoadError(f"{self.spec.logical_id}: bad Handler {self.spec.handler!r}")
        return self.spec.code_dir / (module.replace(".", "/") + ".py"), attribute

    def _import(self) -> Handler:
        path, attribute = self._module_path()
        if not path.is_file():
            raise HandlerLoadError(f"{self.spec.logical_id}: no handler module at {path}")
        # Every handler is app.py: a name per function keeps them apart in sys.modules.
        name = f"_local_fn_{self.spec.logical_id}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise HandlerLoadError(f"{self.spec.logical_id}: cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        code_dir = str(self.spec.code_dir)
        before = set(sys.modules)
        # Lambda puts the code directory first on sys.path; so do we, while importing.
        sys.path.insert(0, code_dir)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(name, None)
            raise HandlerLoadError(f"{self.spec.logical_id}: importing {path} failed") from exc
        finally:
            sys.path.remove(code_dir)
            _forget_siblings(before, code_dir)
        handler = getattr(module, attribute, None)
        if not callable(handler):
            raise HandlerLoadError(f"{self.spec.logical_id}: {path} has no {attribute}()")
        return cast(Handler, handler)

    def handler(self) -> Handler:
        with self._lock:
            if self._handler is None:
                self._handler = self._import()
            return self._handler

    def context(self, deadline: float) -> LambdaContext:
        return LambdaContext(
            function_name=self.spec.name,
            memory_limit_in_mb=self.spec.memory_mb,
            invoked_function_arn=self.spec.arn,
            aws_request_id=str(uuid.uuid4()),
            deadline=deadline,
            log_group_name=f"/aws/lambda/{self.spec.name}",
        )

    def invoke(self, event: Any, wait_s: float | None = None) -> Any:
        """The handler's result, JSON round-tripped as Lambda returns it.

        wait_s: how long the caller waits (API Gateway's integration timeout);
        past it IntegrationTimeout, past the function's Timeout FunctionTimeout.
        """
        handler = self.handler()
        timeout_s = float(self.spec.timeout_s)
        context = self.context(time.monotonic() + timeout_s)
        outcome = _Outcome()

        def run() -> None:
            try:
                outcome.result = handler(event, context)
            except BaseException as exc:
                outcome.error = exc
            finally:
                outcome.done.set()

        thread = threading.Thread(
            target=run, name=f"{self.spec.logical_id}-{context.aws_request_id[:8]}", daemon=True
        )
        thread.start()
        limit = timeout_s if wait_s is None else min(timeout_s, wait_s)
        if not outcome.done.wait(limit):
            if wait_s is not None and wait_s < timeout_s:
                raise IntegrationTimeout(f"{self.spec.logical_id}: no answer after {wait_s:.0f} s")
            raise FunctionTimeout(f"{self.spec.logical_id}: timed out after {timeout_s:.0f} s")
        if outcome.error is not None:
            log.error("%s raised", self.spec.logical_id, exc_info=outcome.error)
            raise FunctionError(f"{self.spec.logical_id}: {outcome.error!r}") from outcome.error
        try:
            payload = json.dumps(outcome.result)
        except (TypeError, ValueError) as exc:
            raise FunctionError(f"{self.spec.logical_id}: unable to marshal response") from exc
        if len(payload.encode()) > MAX_RESPONSE_BYTES:
            raise FunctionError(f"{self.spec.logical_id}: response exceeds Lambda's 6 MB limit")
        return json.loads(payload)


def _forget_siblings(before: set[str], code_dir: str) -> None:
    """Drop modules just imported from code_dir: another function may have its own of that name."""
    for name in set(sys.modules) - before:
        module: ModuleType | None = sys.modules.get(name)
        origin = getattr(module, "__file__", None) or ""
        if origin.startswith(code_dir + "/") and not name.startswith("_local_fn_"):
            del sys.modules[name]


class FunctionRegistry:
    """The runtimes of every function of the template, by logical id."""

    def __init__(self, template: Template) -> None:
        self._runtimes: Mapping[str, FunctionRuntime] = {
            logical_id: FunctionRuntime(spec) for logical_id, spec in template.functions.items()
        }

    def __getitem__(self, logical_id: str) -> FunctionRuntime:
        return self._runtimes[logical_id]

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self._runtimes
