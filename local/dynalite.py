"""dynalite: a second, independent DynamoDB, in a process of its own.

moto is the project's DynamoDB in the tests and the local stack; dynalite (npm, pinned in
`local/npm/dynalite/`, installed there by `make dynalite`) is the second implementation:
`make test-dynalite` runs the integration suite against it, and the benchmark measures
the handlers' own CPU with DynamoDB's work in another process. It implements the
conditions, batches, GSI queries and paging the code uses; it has no TTL and no backups
(`local.resources` skips what an emulator refuses).

`python -m local.dynalite -- <command...>` starts one on a free loopback port, runs the
command with `AWS_ENDPOINT_URL_DYNAMODB` pointing at it (and `ORGIMPORT_DYNAMODB=dynalite`,
which the tests read), stops it, and exits with the command's status.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent / "npm" / "dynalite"
CLI = PACKAGE / "node_modules" / "dynalite" / "cli.js"
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB"
MARK_VARIABLE = "ORGIMPORT_DYNAMODB"
# tables are ACTIVE at once, as the tests create a fresh set for every test
_INSTANT = ("--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Dynalite(str):
    """A running dynalite's endpoint (a str), with its process id."""

    pid: int

    def cpu_seconds(self) -> float:
        """The CPU time the emulator's process has used so far (Linux's /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running(port: int | None = None) -> Iterator[Dynalite]:
    """A dynalite on `port` (a free one by default), in memory; yields its endpoint."""
    node = shutil.which("node")
    if node is None or not CLI.exists():
        raise SystemExit("dynalite is not installed: run `make dynalite`")
    port = port or free_port()
    process = subprocess.Popen(
        [node, str(CLI), "--port", str(port), *_INSTANT],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"dynalite did not start on port {port}: {error}")
            time.sleep(0.05)
        endpoint = Dynalite(f"http://127.0.0.1:{port}")
        endpoint.pid = process.pid
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print("usage: python -m local.dynalite -- <command...>", file=sys.stderr)
        return 2
    with running() as endpoint:
        env = {**os.environ, ENDPOINT_VARIABLE: endpoint, MARK_VARIABLE: "dynalite"}
        print(f"dynalite at {endpoint}", flush=True)
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
