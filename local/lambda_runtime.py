"""Run a template function's handler in-process, the way the Lambda runtime would.

Each handler module (every one is `app.py`) is imported from its CodeUri under
a module name of its own, lazily on first use, so a function written after the
stack started is picked up by the next request. The handler gets a
`LambdaContext` whose remaining time counts down from the function's Timeout;
its result goes through JSON as Lambda's runtime sends it, with Lambda's 6 MB
response limit.

Handlers are loaded by `local.handlers`: sibling modules of a handler
(`functions/<dir>/*.py`) are importable while its app.py is imported, i.e. at
module level, as in Lambda; a sibling imported later from inside a call is not
found.

In-process there is nothing to kill: a handler that outlives its Timeout is
reported as timed out but keeps running in its thread until it returns.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from local.handlers import HandlerLoadError, handler_path, load_module
from local.specs import FunctionSpec, Template

log = logging.getLogger("local.lambda")

# Lambda's synchronous invoke limits (bytes): 6 MiB request, 6 MiB + 100 response.
MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100

Handler = Callable[[Any, Any], Any]


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

    def _import(self) -> Handler:
        # every handler is app.py: a module name per function keeps them apart
        try:
            path, attribute = handler_path(self.spec.code_dir, self.spec.handler)
            module = load_module(path, f"_local_fn_{self.spec.logical_id}", reuse=False)
        except HandlerLoadError as exc:
            raise HandlerLoadError(f"{self.spec.logical_id}: {exc}") from exc.__cause__
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
