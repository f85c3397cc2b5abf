"""The local stack, run as a client would run it, for every e2e test.

Fixtures
--------
``stack`` (session): one ``python -m local.stack`` subprocess on free ports,
serving template.yaml. It offers:

- ``stack.url``: the base URL, ending in ``/api`` (``http://127.0.0.1:<port>/api``);
- ``stack.moto_url``: moto's endpoint, for boto3 (``endpoint_url=stack.moto_url``,
  any credentials, region eu-west-1); ``stack.aws_client("dynamodb")`` is such a client;
- ``stack.token(role="owner", user="u1", org="o1", **claims)``: a JWT it accepts;
- ``stack.request(method, path, token=None, json=None, body=None, headers=None)``:
  one HTTP call, ``path`` relative to ``stack.url`` (``"/distributors"``);
  returns a ``Reply`` with ``.status``, ``.headers``, ``.body``, ``.text``,
  ``.json()``; never raises on 4xx/5xx;
- ``stack.log_path``: the subprocess's output (the front logs one line per request).

``stack_factory`` (session): ``stack_factory(template=None)`` starts another
stack process (another template if given) and stops it at the end of the
session; ``.stop()`` stops it earlier.

Data lives in moto's memory for the whole session: tests sharing ``stack``
should use their own ids or VATs rather than expect an empty store.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from local.dynalite import MARK_VARIABLE, running
from local.token import issue_token

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return jsonlib.loads(self.body)


# `make test-dynalite`: every stack's DynamoDB is a dynalite of its own
ON_DYNALITE = os.environ.get(MARK_VARIABLE) == "dynalite"


@dataclass
class StackProcess:
    url: str
    moto_url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    _log: Any = field(repr=False, default=None)
    # under `make test-dynalite`: the stack's own dynalite, serving its DynamoDB
    dynamodb_url: str | None = None
    _dynalite: Any = field(repr=False, default=None)

    def token(self, role: str = "owner", user: str = "u1", org: str = "o1", **claims: Any) -> str:
        return issue_token(role, user, org, **claims)

    def aws_client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client of the stack's moto (path-style addressing for S3); DynamoDB's
        is the dynalite `make test-dynalite` runs the stack against, when it does."""
        import boto3
        from botocore.config import Config

        endpoint = self.moto_url
        if service == "dynamodb":
            endpoint = self.dynamodb_url or endpoint
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name="eu-west-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(s3={"addressing_style": "path"}),
            **kwargs,
        )

    def printed_token(self) -> str:
        """The owner token the stack printed at start-up (signed by the stack process),
        once its banner is out (it follows the example hierarchy the stack makes)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in self.log_path.read_text().splitlines():
                if line.startswith("export TOKEN="):
                    return line.split("=", 1)[1]
            time.sleep(0.2)
        raise AssertionError(f"no token printed in {self.log_path}")

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        call = urllib.request.Request(self.url + path, data=body, headers=sent, method=method)
        try:
            with urllib.request.urlopen(call, timeout=timeout) as answer:
                return Reply(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            return Reply(answer.code, answer.headers, answer.read())

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._dynalite is not None:
            self._dynalite.close()
            self._dynalite = None


def _wait_until_healthy(stack: StackProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise RuntimeError(f"the local stack exited early:\n{stack.log_tail()}")
        try:
            with urllib.request.urlopen(stack.url + "/_local/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    stack.stop()
    raise RuntimeError(f"the local stack was not healthy within {START_TIMEOUT_S} s")


def start_stack_process(log_path: Path, template: Path | None = None) -> StackProcess:
    """`python -m local.stack` on free ports, healthy when this returns."""
    port, moto_port = free_port(), free_port()
    env = dict(os.environ)
    path = [str(REPO / "layers" / "common"), str(REPO)]
    env["PYTHONPATH"] = os.pathsep.join([*path, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    command = [
        sys.executable,
        "-m",
        "local.stack",
        "--port",
        str(port),
        "--moto-port",
        str(moto_port),
    ]
    dynalite = None
    if ON_DYNALITE:  # make test-dynalite: each stack its own, as each has its own moto
        dynalite = contextlib.ExitStack()
        dynamodb_url: str | None = dynalite.enter_context(running())
        command += ["--dynamodb-endpoint", str(dynamodb_url)]
    else:
        dynamodb_url = None
    if template is not None:
        command += ["--template", str(template)]
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    stack = StackProcess(
        url=f"http://127.0.0.1:{port}/api",
        moto_url=f"http://127.0.0.1:{moto_port}",
        log_path=log_path,
        process=process,
        _log=log,
        dynamodb_url=dynamodb_url,
        _dynalite=dynalite,
    )
    _wait_until_healthy(stack)
    return stack


@pytest.fixture(scope="session")
def stack_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., StackProcess]]:
    started: list[StackProcess] = []

    def start(template: Path | None = None) -> StackProcess:
        log_path = tmp_path_factory.mktemp("stack") / "stack.log"
        stack = start_stack_process(log_path, template)
        started.append(stack)
        return stack

    yield start
    for stack in started:
        stack.stop()


@pytest.fixture(scope="session")
def stack(stack_factory: Callable[..., StackProcess]) -> StackProcess:
    return stack_factory()
