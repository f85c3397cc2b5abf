"""Benchmark of import validate: a 1000-row file against 10,000 stored distributors.

The file: 880 new valid rows, 80 warnings (VATs of stored active distributors,
typed another way), 40 errors (archived holders, bad emails, missing names,
duplicates within the file). It goes through the validate handler as a raw
text/csv body, against in-process moto holding the template's tables.

Printed: wall time of each run (the first one in the process, then warm ones),
the DynamoDB requests each made, by operation, and the two figures the issue
sets: at most 15 DynamoDB requests for the 1000 rows (lookups and session
writes), and the handler module's import time at most 1.2 times that of its
own dependencies alone (each measured in a fresh interpreter, alternately, many
times; the CPU time of each import, not its wall time, which a shared machine's other
work stretches; the fastest of each compared, as noise only adds time, the medians
printed beside them). The handler's own modules are compiled to
bytecode first, as pip compiled the dependencies' at install.

`python -m bench.validate_bench` runs it alone; `make bench` runs it first.
"""

from __future__ import annotations

import compileall
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from bench.common import (
    ROOT,
    DynamoDBCalls,
    api_event,
    csv_bytes,
    emit_figures,
    invoke,
    load_handler,
    median,
    moto_stack,
    row_vat,
    seed_distributors,
    stored_vat,
)

STORED = 10_000
ARCHIVED_EVERY = 50  # stored distributors 49, 99, ... are archived
ROWS = 1000
WARM_RUNS = 3
IMPORT_RUNS = 15
MAX_REQUESTS = 15
MAX_IMPORT_RATIO = 1.2
# the dependencies the issue names (boto3 with botocore, pydantic with its core), and
# the X-Ray SDK the Powertools Tracer loads (with wrapt, its patcher)
DEPENDENCIES = (
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "pynamodb",
    "boto3",
    "botocore",
    "aws_xray_sdk",
    "wrapt",
)


def bench_rows(run: int) -> list[dict[str, str]]:
    """880 valid, 80 warnings, 40 errors; fresh VATs per run for the valid rows."""
    rows: list[dict[str, str]] = []
    for i in range(ROWS):
        row = {
            "company_name": f"Company {run}-{i:04d}",
            "vat_number": row_vat(run, i),
            "address": f"Via Roma {i}",
            "city": "Torino",
            "email": f"info{i}@example.com",
            "phone": "+39 011 1234567",
            "language": "it",
        }
        kind, group = i % 25, i // 25  # 40 groups of 25 rows
        if kind in (0, 1):  # warning: an active stored VAT, lower-case with a space
            stored = stored_vat(10 * group + kind)
            row["vat_number"] = f"{stored[:2].lower()} {stored[2:]}"
        elif kind == 2:  # error, one of four kinds in turn
            problem = group % 4
            if problem == 0:  # an archived holder
                row["vat_number"] = stored_vat(ARCHIVED_EVERY * group + ARCHIVED_EVERY - 1)
            elif problem == 1:
                row["email"] = "Info <info@example.com>"
            elif problem == 2:
                row["company_name"] = ""
            else:  # the VAT of a valid row above, typed another way
                earlier = row_vat(run, i - 3)
                row["vat_number"] = f"{earlier[:2].lower()} {earlier[2:7]}.{earlier[7:]}"
        rows.append(row)
    return rows


def _validate_once(handler: Any, calls: DynamoDBCalls, run: int) -> dict[str, Any]:
    body = csv_bytes(bench_rows(run))
    event = api_event(
        "POST", "/distributors/import/validate", body=body, headers={"content-type": "text/csv"}
    )
    calls.reset()
    started = time.perf_counter()
    status, answer = invoke(handler, event)
    seconds = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"validate answered {status}: {answer}")
    data = answer["data"]
    return {
        "seconds": seconds,
        "by_operation": calls.snapshot(),
        "counters": {k: data[k] for k in ("valid_rows", "warning_rows", "error_rows")},
        "bytes": len(body),
    }


_HANDLER_PROBE = """
import json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
started = time.process_time()
import app
seconds = time.process_time() - started
deps = tuple(sys.argv[3].split(","))
modules = [m for m in sys.modules if m.split(".")[0] in deps]
print(json.dumps({"seconds": seconds, "modules": modules}))
"""

_DEPENDENCIES_PROBE = """
import importlib, json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]  # the same search path, so lookups cost the same
modules = json.load(sys.stdin)
started = time.process_time()
for name in modules:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # a private module that cannot load alone: its parent already paid for it
print(json.dumps({"seconds": time.process_time() - started}))
"""


# the same interpreter, path and module list in each; `handler` adds `import app`, `deps`
# imports the dependency modules alone, `base` neither (startup, counted out of both)
_COUNT_PROBE = """
import importlib, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
modules = json.load(sys.stdin)
if sys.argv[3] == "handler":
    import app
elif sys.argv[3] == "deps":
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass
"""
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _instructions(what: str, function_dir: str, layer: str, modules: list[str]) -> int:
    """Instructions one probe executes (valgrind's cachegrind): the same count on a
    quiet machine or a busy one."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            _COUNT_PROBE,
            function_dir,
            layer,
            what,
        ],
        input=json.dumps(modules),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = _I_REFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no count: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def import_instructions(function_dir: str, layer: str, modules: list[str]) -> dict[str, float]:
    """The import ratio as instructions executed: the handler module's import over its
    dependencies' alone, the interpreter's startup counted out of both."""
    base, handler, deps = (
        _instructions(what, function_dir, layer, modules) for what in ("base", "handler", "deps")
    )
    return {
        "handler_import_instructions": float(handler - base),
        "dependencies_import_instructions": float(deps - base),
        "import_ratio": (handler - base) / (deps - base),
    }


def _probe(script: str, *args: str, stdin: str | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def import_times(runs: int = IMPORT_RUNS) -> dict[str, float]:
    """Fastest (and median) import time of the handler module and of the dependency
    modules it loads, alone, each in a fresh interpreter, alternated so that both see
    the same machine."""
    function_dir = str(ROOT / "functions" / "import_validate")
    layer = str(ROOT / "layers" / "common")
    # the dependencies load from the bytecode pip compiled at install; the handler's own
    # modules must too, or the ratio measures compiling them (PYTHONDONTWRITEBYTECODE=1
    # would otherwise have every probe compile them from source)
    for tree in (function_dir, str(ROOT / "layers" / "common" / "orgimport")):
        compileall.compile_dir(tree, quiet=1)
    handler_args = (function_dir, layer, ",".join(DEPENDENCIES))
    modules = _probe(_HANDLER_PROBE, *handler_args)["modules"]
    _probe(_DEPENDENCIES_PROBE, function_dir, layer, stdin=json.dumps(modules))  # warm caches
    handler_s, deps_s = [], []
    for _ in range(runs):
        handler_s.append(_probe(_HANDLER_PROBE, *handler_args)["seconds"])
        deps_s.append(
            _probe(_DEPENDENCIES_PROBE, function_dir, layer, stdin=json.dumps(modules))["seconds"]
        )
    handler, deps = min(handler_s), min(deps_s)
    counted = import_instructions(function_dir, layer, modules) if shutil.which("valgrind") else {}
    return {
        "handler_import_s": handler,
        "dependencies_import_s": deps,
        "import_cpu_ratio": handler / deps,
        # the limit applies to the instruction counts where valgrind is installed
        "import_ratio": handler / deps,
        **counted,
        "handler_import_median_s": median(handler_s),
        "dependencies_import_median_s": median(deps_s),
        "dependency_modules": float(len(modules)),
    }


def _ops(by_operation: Counter[str]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(by_operation.items())) or "none"


def main() -> dict[str, float]:
    runs: list[tuple[str, dict[str, Any]]] = []
    with DynamoDBCalls() as calls, moto_stack():
        started = time.perf_counter()
        seed_distributors(STORED, archived_every=ARCHIVED_EVERY)
        seeded_s = time.perf_counter() - started
        handler = load_handler("import_validate")
        runs.append(("first in the process", _validate_once(handler, calls, 0)))
        for run in range(1, WARM_RUNS + 1):
            runs.append((f"warm {run}", _validate_once(handler, calls, run)))
    first = runs[0][1]
    print(
        f"validate: {ROWS}-row file ({first['bytes'] / 1024:.0f} KiB, raw text/csv) against "
        f"{STORED:,} stored distributors ({STORED // ARCHIVED_EVERY} archived); seeded in "
        f"{seeded_s:.1f} s; in-process moto"
    )
    counters = first["counters"]
    print(
        f"  report: {counters['valid_rows']} valid, {counters['warning_rows']} warnings, "
        f"{counters['error_rows']} errors"
    )
    for label, run in runs:
        total = sum(run["by_operation"].values())
        print(
            f"  {label:<22} {run['seconds']:6.3f} s   {total:3d} DynamoDB requests "
            f"({_ops(run['by_operation'])})"
        )
    worst = max(sum(r["by_operation"].values()) for _, r in runs)
    verdict = "ok" if worst <= MAX_REQUESTS else "OVER"
    print(f"  DynamoDB requests per validate: at most {worst} (limit {MAX_REQUESTS}) {verdict}")

    times = import_times()
    verdict = "ok" if times["import_ratio"] <= MAX_IMPORT_RATIO else "OVER"
    print(
        f"  import, fastest of {IMPORT_RUNS} fresh interpreters: handler module "
        f"{times['handler_import_s'] * 1000:.0f} ms, its dependencies alone "
        f"({times['dependency_modules']:.0f} modules of {', '.join(DEPENDENCIES)}) "
        f"{times['dependencies_import_s'] * 1000:.0f} ms, CPU ratio "
        f"{times['import_cpu_ratio']:.2f}"
        f"; medians {times['handler_import_median_s'] * 1000:.0f} ms / "
        f"{times['dependencies_import_median_s'] * 1000:.0f} ms"
    )
    if "handler_import_instructions" in times:
        print(
            f"  import, instructions (cachegrind): handler module "
            f"{times['handler_import_instructions'] / 1e6:.0f} M, its dependencies alone "
            f"{times['dependencies_import_instructions'] / 1e6:.0f} M"
        )
    print(f"  import ratio {times['import_ratio']:.3f} (limit {MAX_IMPORT_RATIO}) {verdict}")
    return {
        "requests_per_validate": float(worst),
        "seconds_first": first["seconds"],
        "seconds_warm": median(r["seconds"] for _, r in runs[1:]),
        **times,
    }


if __name__ == "__main__":
    emit_figures(main())
