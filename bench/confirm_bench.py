"""Benchmark of import confirm: what our code costs, with DynamoDB's work elsewhere.

DynamoDB is dynalite (`local.dynalite`), in a process of its own, so the CPU this
process spends is the handler's, botocore's and pynamodb's, not an emulator's. The
session is 1000 rows (900 valid, 50 warnings confirmed with `override: true`, 50
errors) against 10,000 stored distributors, made by validate's own handler; each run
gets a session of its own. The handler runs pinned to one CPU (Lambda's Python runs on
one core at a time; dynalite keeps the other).

Printed, each with its limit:
- client CPU per DynamoDB request and per written row of a warm confirm, beside a bare
  botocore `PutItem` loop on the same client in the same run (the floor of a client);
  their ratio (at most 1.3);
- wall time against its floor, `max(CPU, requests x latency / concurrency + serial calls
  x latency)`, with 5 ms and 50 ms added to every call (a botocore hook standing in for
  the network to AWS): at most 1.2; serial calls are those the request's own thread
  makes (the session's claim, reads and close), the rest overlap in the pool. dynalite
  serves one request at a time, so the CPU time its process spent on the run is a floor
  as well (DynamoDB has no such bound): the figure uses the larger floor, the line
  prints both;
- one cold confirm in a fresh process (no client made, nothing imported beforehand but
  the handler module): its CPU over a warm confirm's in that process (at most 1.2), the
  botocore clients it made (at most 3), and its wall time against the floor at +5 ms;
- requests per created or updated row (at most 1.1) and the session's bookkeeping (at
  most 10), as before.

Figures of one run on a shared machine are noisy: repeated runs count their best (noise
only adds time). `python -m bench.confirm_bench` runs the phase alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from bench.common import (
    ROOT,
    DynamoDBCalls,
    api_event,
    csv_bytes,
    emit_figures,
    invoke,
    load_handler,
    row_vat,
    seed_distributors,
    stored_vat,
)

STORED = 10_000
ROWS = 1000
BARE_PUTS = 1000
LATENCIES_S = (0.005, 0.050)
REPEATS = {0.0: 2, 0.005: 2, 0.050: 1}
MAX_REQUESTS_PER_ROW = 1.1
MAX_BOOKKEEPING_REQUESTS = 10
MAX_CLIENT_RATIO = 1.3
MAX_FLOOR_RATIO = 1.2
MAX_COLD_RATIO = 1.2
MAX_CLIENTS = 3


@dataclass
class Run:
    latency_s: float
    concurrency: int
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's: the handler, botocore, pynamodb
    emulator_cpu_seconds: float = 0.0  # dynalite's, serving the run's requests
    requests: int = 0
    serial_requests: int = 0  # made by the request's own thread
    by_table: Counter[str] = field(default_factory=Counter)
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def written_rows(self) -> int:
        return self.counters["created"] + self.counters["updated"]

    @property
    def latency_floor_s(self) -> float:
        """The issue's floor: max(CPU, requests x latency / concurrency + serial calls)."""
        overlapped = (self.requests - self.serial_requests) * self.latency_s / self.concurrency
        return max(self.cpu_seconds, overlapped + self.serial_requests * self.latency_s)

    @property
    def floor_s(self) -> float:
        """The floor with the emulator's own work in it: dynalite serves one request at a
        time, so the time it spent serving them is a floor too (DynamoDB's is not)."""
        return max(self.latency_floor_s, self.emulator_cpu_seconds)

    @property
    def floor_ratio(self) -> float:
        return self.seconds / self.floor_s

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class SerialCalls:
    """Counts the DynamoDB calls made from the main thread (the request's own)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, **_: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            self.count += 1


def pin_to_one_cpu(emulator_pid: int | None = None) -> str:
    """This process on the first CPU; the emulator (started from it, so it inherited the
    pin) on the others."""
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(allowed) < 2:
        return f"on {len(allowed) or 'all'} CPU(s)"
    os.sched_setaffinity(0, {allowed[0]})
    if emulator_pid is not None:
        os.sched_setaffinity(emulator_pid, set(allowed[1:]))
    return f"pinned to CPU {allowed[0]} of {len(allowed)}, dynalite on the others"


def deployed_concurrency() -> int:
    """CONFIRM_CONCURRENCY as template.yaml gives it to the confirm function."""
    from local.template import load_template

    spec = load_template().functions["ImportConfirmFunction"]
    return int(spec.environment["CONFIRM_CONCURRENCY"])


def create_tables() -> None:
    """The template's tables (no bucket: confirm reads none)."""
    import boto3

    from local.resources import ensure_table
    from local.template import load_template

    dynamodb = boto3.client("dynamodb")
    for spec in load_template().tables.values():
        ensure_table(dynamodb, spec)


def bench_rows(run: int) -> list[dict[str, str]]:
    """Each 20th row a warning (a stored VAT), the next an error, the rest valid:
    900 valid, 50 warnings, 50 errors; fresh VATs per run for the valid rows."""
    rows: list[dict[str, str]] = []
    for i in range(ROWS):
        if i % 20 == 0:
            rows.append({"company_name": f"Renamed {run}-{i}", "vat_number": stored_vat(i // 20)})
        elif i % 20 == 1:
            rows.append(
                {
                    "company_name": f"Broken {i}",
                    "vat_number": row_vat(run, i, office="002"),
                    "email": "nope",
                }
            )
        else:
            rows.append(
                {
                    "company_name": f"Company {run}-{i:04d}",
                    "vat_number": row_vat(run, i),
                    "address": f"Via Roma {i}",
                    "city": "Torino",
                }
            )
    return rows


def validated_session(run: int) -> str:
    """The run's session, made by validate itself (not measured)."""
    handler = load_handler("import_validate")
    event = api_event(
        "POST",
        "/distributors/import/validate",
        body=csv_bytes(bench_rows(run)),
        headers={"content-type": "text/csv"},
    )
    status, body = invoke(handler, event)
    if status != 200:
        raise RuntimeError(f"validate answered {status}: {json.dumps(body)[:300]}")
    data = body["data"]
    assert (data["valid_rows"], data["warning_rows"], data["error_rows"]) == (900, 50, 50), data
    return str(data["import_id"])


def confirm_handler() -> ModuleType:
    handler = load_handler("import_confirm")
    handler.logger.setLevel("INFO")  # the audit lines are part of the work
    return handler


def confirm(
    handler: ModuleType,
    calls: DynamoDBCalls,
    serial: SerialCalls,
    import_id: str,
    run: Run,
    emulator: Callable[[], float] = lambda: 0.0,
) -> Run:
    """One confirm through the handler, at the run's concurrency and added latency."""
    from orgimport.core.config import settings

    os.environ["CONFIRM_CONCURRENCY"] = str(run.concurrency)
    settings.cache_clear()
    event = api_event(
        "POST",
        "/distributors/import/confirm",
        body=json.dumps({"import_id": import_id, "override": True}),
        headers={"content-type": "application/json"},
    )
    calls.reset(run.latency_s)
    serial.count = 0
    started, cpu_started, emulator_started = time.perf_counter(), time.process_time(), emulator()
    status, body = invoke(handler, event)
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.process_time() - cpu_started
    run.emulator_cpu_seconds = emulator() - emulator_started
    run.requests, run.serial_requests = calls.total, serial.count
    run.by_table = Counter(calls.by_table)
    calls.reset(0.0)
    if status != 200:
        raise RuntimeError(f"confirm answered {status}: {json.dumps(body)[:300]}")
    run.counters = {k: body["data"][k] for k in ("created", "updated", "skipped", "failed")}
    if run.counters["failed"]:
        raise RuntimeError(f"{run.counters['failed']} rows failed: {body['data']['results'][:3]}")
    return run


def counted_calls() -> tuple[DynamoDBCalls, SerialCalls, Counter[str]]:
    """Hooks on every client made from now on: requests, serial ones, clients made."""
    import botocore.session

    calls, serial, clients = DynamoDBCalls(), SerialCalls(), Counter[str]()
    calls.install()
    counting = botocore.session.Session.create_client

    def create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        clients[service_name] += 1
        client = counting(session, service_name, *args, **kwargs)
        if service_name == "dynamodb":
            client.meta.events.register("before-call.dynamodb", serial)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    return calls, serial, clients


def bare_put_loop(calls: DynamoDBCalls, series: int = 0) -> float:
    """CPU per request of `BARE_PUTS` PutItem calls on the process's own DynamoDB client:
    items shaped like a distributor, no pynamodb, no condition."""
    from orgimport.storage.models import dynamodb_client

    client, table = dynamodb_client(), os.environ["DISTRIBUTORS_TABLE"]
    items = [
        {
            "pk": {"S": f"BARE#{series}#{n:05d}"},
            "id": {"S": f"bare-{n:05d}"},
            "name": {"S": f"Bare Company {n:05d}"},
            "name_lc": {"S": f"bare company {n:05d}"},
            "vat": {"S": row_vat(99, n)},
            "vat_key": {"S": row_vat(99, n)},
            "city": {"S": "Torino"},
            "address": {"S": f"Via Roma {n}"},
            "language": {"S": "it"},
            "created_at": {"S": "2026-01-01T00:00:00.000Z"},
            "updated_at": {"S": "2026-01-01T00:00:00.000Z"},
            "created_by_user": {"S": "bench"},
            "created_by_org": {"S": "bench"},
            "gsi1pk": {"S": "BARE"},
            "gsi1sk": {"S": f"bare company {n:05d}#bare-{n:05d}"},
        }
        for n in range(BARE_PUTS)
    ]
    calls.reset(0.0)
    started = time.process_time()
    for item in items:
        client.put_item(TableName=table, Item=item)
    return (time.process_time() - started) / BARE_PUTS


def cold_probe(
    import_ids: list[str], concurrency: int, latency_s: float, emulator_pid: int
) -> dict[str, Any]:
    """In a fresh process: the first confirm (cold) and a second one (warm)."""
    from local.dynalite import Dynalite

    dynalite = Dynalite(os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    dynalite.pid = emulator_pid
    calls, serial, clients = counted_calls()
    handler = confirm_handler()  # the module's import is the Lambda's init, not the call
    at_init = dict(clients)
    clients.clear()
    run = Run(latency_s, concurrency)
    cold = confirm(handler, calls, serial, import_ids[0], run, dynalite.cpu_seconds)
    made = {"init": at_init, "confirm": dict(clients)}
    run = Run(latency_s, concurrency)
    warm = confirm(handler, calls, serial, import_ids[1], run, dynalite.cpu_seconds)
    return {"cold": cold.as_dict(), "warm": warm.as_dict(), "clients": made}


def _cold_in_fresh_process(
    import_ids: list[str], concurrency: int, emulator_pid: int
) -> dict[str, Any]:
    script = (
        "import json, sys\n"
        "from bench.confirm_bench import cold_probe, pin_to_one_cpu\n"
        "pin_to_one_cpu()\n"
        "print('COLD ' + json.dumps(cold_probe(json.loads(sys.argv[1]), int(sys.argv[2]), "
        "float(sys.argv[3]), int(sys.argv[4]))))\n"
    )
    arguments = [json.dumps(import_ids), str(concurrency), "0.005", str(emulator_pid)]
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("COLD ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"cold probe failed: {done.stderr[-2000:]}")
    found: dict[str, Any] = json.loads(lines[-1][5:])
    return found


def _run_of(data: dict[str, Any]) -> Run:
    run = Run(data["latency_s"], data["concurrency"])
    for key, value in data.items():
        setattr(run, key, Counter(value) if key == "by_table" else value)
    return run


def _line(label: str, run: Run) -> str:
    c = run.counters
    return (
        f"  {label:<20} {run.seconds:5.2f} s wall, CPU {run.cpu_seconds:4.2f} s, dynalite "
        f"{run.emulator_cpu_seconds:4.2f} s; floor {run.floor_s:4.2f} s (x{run.floor_ratio:.2f}; "
        f"without dynalite's {run.latency_floor_s:4.2f} s); {run.requests} requests "
        f"({run.serial_requests} serial); created {c['created']}, updated {c['updated']}, "
        f"skipped {c['skipped']}"
    )


def main() -> dict[str, float]:
    from local.dynalite import ENDPOINT_VARIABLE, running

    concurrency = deployed_concurrency()
    calls, serial, _ = counted_calls()
    with running() as dynalite:
        cpus = pin_to_one_cpu(dynalite.pid)
        os.environ[ENDPOINT_VARIABLE] = dynalite
        started = time.perf_counter()
        create_tables()
        seed_distributors(STORED)
        print(
            f"confirm: {ROWS}-row sessions (900 valid, 50 warnings with override, 50 errors) "
            f"against {STORED:,} stored distributors, through the handler at concurrency "
            f"{concurrency}; DynamoDB is dynalite in its own process; the handler {cpus} "
            f"(seeded in {time.perf_counter() - started:.1f} s)"
        )
        cold_ids = [validated_session(900), validated_session(901)]
        cold = _cold_in_fresh_process(cold_ids, concurrency, dynalite.pid)
        handler = confirm_handler()
        bare: list[float] = []
        runs: list[Run] = []
        session = 0
        for latency, repeats in REPEATS.items():
            for _ in range(repeats):
                session += 1
                import_id = validated_session(session)
                run = Run(latency, concurrency)
                runs.append(confirm(handler, calls, serial, import_id, run, dynalite.cpu_seconds))
                # the floor of a client, measured beside each confirm (the machine's speed
                # drifts: the best of each counts)
                bare.append(bare_put_loop(calls, session))
        bare_s = min(bare)

    warm = [r for r in runs if r.latency_s == 0.0]
    per_request = min(r.cpu_seconds / r.requests for r in warm)
    per_row = min(r.cpu_seconds / r.written_rows for r in warm)
    for run in runs:
        print(_line(f"+{run.latency_s * 1000:.0f} ms", run))
    figures: dict[str, float] = {
        "requests_per_row": max(
            r.by_table[os.environ["DISTRIBUTORS_TABLE"]] / r.written_rows for r in runs
        ),
        "bookkeeping_requests": float(max(r.by_table[os.environ["SESSIONS_TABLE"]] for r in runs)),
        "client_cpu_ms_per_request": per_request * 1000,
        "client_cpu_ms_per_row": per_row * 1000,
        "bare_put_cpu_ms_per_request": bare_s * 1000,
        "client_to_bare_ratio": per_request / bare_s,
    }
    for latency in LATENCIES_S:
        best = min((r for r in runs if r.latency_s == latency), key=lambda r: r.floor_ratio)
        figures[f"floor_ratio_{latency * 1000:.0f}ms"] = best.floor_ratio
    cold_run, warm_run = _run_of(cold["cold"]), _run_of(cold["warm"])
    print(_line("fresh process: cold", cold_run))
    print(_line("fresh process: warm", warm_run))
    figures["cold_to_warm_cpu"] = cold_run.cpu_seconds / warm_run.cpu_seconds
    made = cold["clients"]
    figures["cold_botocore_clients"] = float(
        sum(made["init"].values()) + sum(made["confirm"].values())
    )
    figures["cold_floor_ratio_5ms"] = cold_run.floor_ratio
    print(
        f"  CPU per DynamoDB request {per_request * 1000:.2f} ms, per written row "
        f"{per_row * 1000:.2f} ms; bare PutItem loop {bare_s * 1000:.2f} ms per request: "
        f"ratio {figures['client_to_bare_ratio']:.2f} (limit {MAX_CLIENT_RATIO})"
    )
    print(
        f"  cold confirm: CPU x{figures['cold_to_warm_cpu']:.2f} of a warm one (limit "
        f"{MAX_COLD_RATIO}); botocore clients made at init {made['init']} (the X-Ray SDK's "
        f"sampler, at its import), by the cold confirm {made['confirm']}: "
        f"{figures['cold_botocore_clients']:.0f} in all (limit {MAX_CLIENTS})"
    )
    return figures


if __name__ == "__main__":
    emit_figures(main())
