"""The local stack: `python -m local.stack [--port 3000] [--moto-port 3001]`.

Starts moto in server mode (DynamoDB, S3) on 127.0.0.1, points this process's
AWS SDKs at it, creates the template's tables and buckets, and serves the API
on `http://127.0.0.1:<port>/api` with the handlers running in-process. Data
lives in moto's memory and is gone after a restart; the JWT signing key is
persisted (`local.keys`), so tokens stay valid across restarts.

In-process use: `stack = start_stack(port=0, moto_port=0)`, then `stack.url`,
`stack.moto_url`, `stack.stop()`. It changes os.environ (the handlers read it).

Extension point: append a callable `task(stack)` to `background_tasks` (before
the stack starts) and it runs in a daemon thread alongside the stack; it should
return once `stack.stopping` is set. A watcher of S3 notifications plugs in
here.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from local.config import (
    DEFAULT_MOTO_PORT,
    DEFAULT_PORT,
    FAKE_CREDENTIAL,
    HOST,
    LOCAL_ISSUER,
    REGION,
)
from local.demo_tiers import seed_tiers
from local.front import LocalFront
from local.keys import load_or_create
from local.lambda_runtime import FunctionRegistry
from local.resources import create_resources
from local.s3_notifications import watch_s3_notifications
from local.specs import Template
from local.template import load_template
from local.token import issue_token
from local.user_pool import create_user_pool

log = logging.getLogger("local.stack")

background_tasks: list[Callable[[LocalStack], None]] = []
# objects put under an S3 trigger's prefix invoke its function, as S3 would
background_tasks.append(watch_s3_notifications)

# Removed from the environment: each could send an SDK call to real AWS.
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
# The token printed at start-up: the Makefile's defaults, valid for a working day.
_BANNER_ROLE, _BANNER_USER, _BANNER_ORG, _BANNER_TTL_S = (
    "owner",
    "local-user",
    "owner",  # the template's OwnerOrgId default
    8 * 3600,
)


@dataclass
class LocalStack:
    template: Template
    front: LocalFront
    moto: ThreadedMotoServer
    moto_url: str
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The base URL of the API, ending in /api."""
        return self.front.url

    @property
    def functions(self) -> FunctionRegistry:
        """The in-process runtimes, e.g. for a task that invokes a function on an S3 event."""
        return self.front.registry

    def token(self, role: str = "owner", user: str = "u1", org: str = "o1", ttl: int = 3600) -> str:
        return issue_token(role, user, org, ttl=ttl)

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.front.stop()
        self.moto.stop()
        for thread in self.threads:
            thread.join(timeout=5)


def apply_environment(
    template: Template,
    moto_url: str,
    environ: MutableMapping[str, str] | None = None,
    dynamodb_url: str | None = None,
) -> dict[str, str]:
    """Point the SDKs at moto and give the handlers the template's variables; returns what was set.

    Endpoint, credentials, region and the variables naming a template resource
    (tables, buckets) are forced: the resources exist under those names only.
    Every other template variable yields to the caller's environment, so e.g.
    POWERTOOLS_LOG_LEVEL or IMPORT_SESSION_TTL_SECONDS can be set from outside.
    `dynamodb_url` sends DynamoDB's requests elsewhere (a dynalite), the rest to moto.
    """
    env = os.environ if environ is None else environ
    for name in [n for n in env if n.startswith("AWS_ENDPOINT_URL_") or n in _UNSET]:
        del env[name]  # service-specific endpoints would win over AWS_ENDPOINT_URL
    forced = {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # No profile, config or instance metadata can redirect a call to real AWS.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if dynamodb_url:
        forced["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb_url
    for name, values in template.conflicting_environment().items():
        log.warning("functions set %s to different values %s; one process keeps one", name, values)
    resource_names = template.resource_environment_names()
    for name, value in template.environment().items():
        if name in resource_names:
            forced[name] = value
        else:
            env.setdefault(name, value)
    # X-Ray has no daemon here.
    env.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    env.update(forced)
    return {name: env[name] for name in sorted({*forced, *template.environment()})}


def _check_port_free(port: int) -> None:
    """ThreadedMotoServer waits forever when its port is taken: fail first, clearly."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise OSError(f"port {port} on {HOST} is in use") from exc


class SerialMotoServer(ThreadedMotoServer):
    """moto's server, answering one request at a time.

    Its threaded server runs requests at once, and two conditional writes racing
    there can both succeed (seen: 1 in 200); DynamoDB's never do. Serving one
    request at a time keeps every conditional write atomic, as on AWS.
    """

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serial(environ: Any, start_response: Any) -> list[bytes]:
            with lock:
                return list(app(environ, start_response))

        self._server = make_server(
            self._ip_address, self._port, serial, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


def _warn_of_foreign_issuers(template: Template) -> None:
    for api in template.http_apis.values():
        for spec in api.authorizers.values():
            if spec.issuer != LOCAL_ISSUER:
                log.warning(
                    "authorizer %s expects issuer %s: local tokens will fail",
                    spec.name,
                    spec.issuer,
                )


def start_stack(
    port: int = 0,
    moto_port: int = 0,
    *,
    template_path: Path | str | None = None,
    tasks: Iterable[Callable[[LocalStack], None]] = (),
    hold_ready: bool = False,
    moto_host: str = HOST,
    dynamodb_url: str | None = None,
) -> LocalStack:
    """Start moto, create the resources, serve the API; port 0 = any free port. With
    `hold_ready`, health answers 503 until the caller sets `stack.front.ready`. moto
    listens on `moto_host` (0.0.0.0: reachable from `sam local`'s containers too); this
    process always talks to it over loopback."""
    template = load_template(template_path)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
    _check_port_free(moto_port)
    _check_port_free(port)
    moto = SerialMotoServer(ip_address=moto_host, port=moto_port, verbose=False)
    moto.start()
    _, bound_port = moto.get_host_and_port()
    moto_url = f"http://{HOST}:{bound_port}"
    try:
        apply_environment(template, moto_url, dynamodb_url=dynamodb_url)
        create_resources(template, moto_url)
        if not os.environ.get("USER_POOL_ID"):
            # sign-in accounts always on locally: the users' accounts appear in moto's pool
            os.environ["USER_POOL_ID"] = create_user_pool(moto_url)
        _warn_of_foreign_issuers(template)
        front = LocalFront(template, FunctionRegistry(template), load_or_create().jwks(), port)
    except BaseException:
        moto.stop()
        raise
    front.start()
    stack = LocalStack(template=template, front=front, moto=moto, moto_url=moto_url)
    for task in [*background_tasks, *tasks]:
        thread = threading.Thread(
            target=task, args=(stack,), name=getattr(task, "__name__", "task"), daemon=True
        )
        thread.start()
        stack.threads.append(thread)
    if not hold_ready:
        front.ready.set()
    return stack


def _tokens(orgs: dict[str, str]) -> list[str]:
    """A token per role, each for its example organization (local.demo_tiers)."""
    lines = [
        f"tokens: user {_BANNER_USER}, valid {_BANNER_TTL_S // 3600} h"
        " (more: make token ROLE=.. SUB=.. ORG=.. USER_ROLES=..)"
    ]
    for role, org in orgs.items():
        # an owner's Super Admin, an Admin of every other tier: they manage users too
        user_roles = ["Super Admin"] if role == "owner" else ["Admin"]
        token = issue_token(role, _BANNER_USER, org, ttl=_BANNER_TTL_S, user_roles=user_roles)
        variable = "TOKEN" if role == _BANNER_ROLE else f"TOKEN_{role.upper()}"
        lines.append(f"  {role:<12} org {org}")
        lines.append(f"export {variable}={token}")
    return lines


def _banner(stack: LocalStack, environment: dict[str, str], orgs: dict[str, str]) -> str:
    template = stack.template
    lines = [
        f"local stack for {template.path.name}: {len(template.routes)} routes,"
        f" {len(template.functions)} functions",
        f"  api      {stack.url}",
        f"  moto     {stack.moto_url}",
        f"  tables   {', '.join(t.name for t in template.tables.values()) or '-'}",
        f"  buckets  {', '.join(b.name for b in template.buckets.values()) or '-'}",
        "  env      " + " ".join(f"{k}={v}" for k, v in environment.items()),
        "  routes",
        *(f"    {r.route_key:<40} -> {r.function}" for r in template.routes),
        *(
            f"  s3       s3://{t.bucket_name}/{t.prefix}*{t.suffix} -> {t.function}"
            for t in template.s3_triggers
        ),
        *_tokens(orgs),
        f'curl -H "Authorization: Bearer $TOKEN" {stack.url}/distributors',
        f'curl -H "Authorization: Bearer $TOKEN_DISTRIBUTOR" {stack.url}/resellers',
        "ready",
    ]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local.stack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="API port (0: any free)")
    parser.add_argument(
        "--moto-port", type=int, default=DEFAULT_MOTO_PORT, help="moto port (0: any free)"
    )
    parser.add_argument(
        "--moto-host",
        default=HOST,
        help="address moto listens on (0.0.0.0 for sam local's containers; default loopback)",
    )
    parser.add_argument(
        "--dynamodb-endpoint",
        default=None,
        help="serve DynamoDB from this endpoint (a dynalite) instead of moto",
    )
    parser.add_argument("--template", type=Path, default=None, help="default: template.yaml")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    # The stack's own lines (one per request) at INFO; libraries only when something is wrong.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("local").setLevel(logging.INFO)
    try:
        stack = start_stack(
            args.port,
            args.moto_port,
            template_path=args.template,
            hold_ready=True,
            moto_host=args.moto_host,
            dynamodb_url=args.dynamodb_endpoint,
        )
    except OSError as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 1
    environment = {
        name: os.environ[name]
        for name in (
            "AWS_ENDPOINT_URL",
            "AWS_REGION",
            *sorted({*stack.template.environment(), "USER_POOL_ID"}),
        )
    }
    try:
        orgs = seed_tiers(stack.url, _BANNER_USER)
    except OSError as exc:
        log.warning("the example hierarchy was not made: %s", exc)
        orgs = {_BANNER_ROLE: _BANNER_ORG}
    stack.front.ready.set()  # the example hierarchy is made: requests may come
    print(_banner(stack, environment, orgs), flush=True)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(0.5):
        pass
    stack.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
