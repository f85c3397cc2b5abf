"""One request per resolver and thread: what a Lambda instance guarantees, in a process
that serves many requests at once.

A Lambda instance serves one request at a time, so Powertools' API resolver keeps the
request it serves in shared places: the event and the Lambda context on the
`BaseRouter` class, the route's arguments (a record's id) in the app's `context` dict.
The local front, the in-process tests and the benchmarks run one copy of each handler
module and call it from many threads at once; without this, two overlapping requests
read each other's event, context and path parameters.

`isolate_requests()` gives each thread its own `current_event`, `lambda_context` and
`context` on every `ApiGatewayResolver` (a `Router` reads them through its resolver).
Production code never imports this module: in Lambda each instance is its own process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

_per_thread = threading.local()
_installed: list[bool] = []
_lock = threading.Lock()


def _state(resolver: Any) -> dict[str, Any]:
    """This thread's attributes of one resolver."""
    by_resolver: dict[int, dict[str, Any]] = _per_thread.__dict__.setdefault("by_resolver", {})
    return by_resolver.setdefault(id(resolver), {})


def _per_thread_attribute(name: str, default: Callable[[], Any] | None = None) -> property:
    def get(self: Any) -> Any:
        state = _state(self)
        if name not in state:
            if default is None:
                raise AttributeError(name)
            state[name] = default()
        return state[name]

    def set_(self: Any, value: Any) -> None:
        _state(self)[name] = value

    return property(get, set_)


def isolate_requests() -> None:
    """Install the per-thread attributes once; later calls do nothing."""
    with _lock:
        if _installed:
            return
        to_proxy_event = ApiGatewayResolver._to_proxy_event
        resolve = ApiGatewayResolver.resolve

        # Powertools assigns both to the BaseRouter class: catch them where they are made
        def proxy_event_of_this_thread(self: Any, event: dict[str, Any]) -> Any:
            proxy = to_proxy_event(self, event)
            _state(self)["current_event"] = proxy
            return proxy

        def resolve_in_this_thread(self: Any, event: Any, context: Any) -> Any:
            _state(self)["lambda_context"] = context
            return resolve(self, event, context)

        resolver: Any = ApiGatewayResolver
        resolver._to_proxy_event = proxy_event_of_this_thread
        resolver.resolve = resolve_in_this_thread
        resolver.current_event = _per_thread_attribute("current_event")
        resolver.lambda_context = _per_thread_attribute("lambda_context")
        resolver.context = _per_thread_attribute("context", dict)
        _installed.append(True)
