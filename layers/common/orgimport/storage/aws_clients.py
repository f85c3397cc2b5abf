"""Every AWS client of the process, made once, thread-safely, from one botocore session.

A client is made on first use, under a lock: a confirm's worker threads that reach
the store at the same moment get the same client, instead of each making its own (a
botocore client costs about 100 ms of CPU and several MB to make). One botocore session
serves them all, so its data files (endpoints, service models) are loaded once.

The endpoint comes from botocore's own settings (`AWS_ENDPOINT_URL`,
`AWS_ENDPOINT_URL_<SERVICE>`), so the local stack and the tests point every client at
their emulator without code here knowing.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from botocore.config import Config

from orgimport.core.config import settings

_lock = threading.Lock()
_session: botocore.session.Session | None = None
_clients: dict[str, Any] = {}


def client(service: str, config: Config) -> Any:
    """The process's client of `service`, made on the first call (`config` applies then)."""
    found = _clients.get(service)
    if found is not None:
        return found
    global _session
    with _lock:
        found = _clients.get(service)
        if found is None:
            if _session is None:
                _session = botocore.session.get_session()
            found = _session.create_client(
                service, region_name=settings().aws_region, config=config
            )
            _clients[service] = found
    return found


def forget() -> None:
    """Drop every client (tests, the benchmark's cold start): the next use makes anew."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
