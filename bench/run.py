"""`make bench`: every benchmark phase in order, each in a fresh interpreter, then a table.

Phases: validate (bench.validate_bench), workbook (bench.workbook_bench: the same rows
as .xlsx and CSV), confirm (bench.confirm_bench), tiers and users.
A fresh interpreter per phase keeps one phase's clients, caches and moto state out of
the other's figures.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import Any

from bench.common import FIGURES_PREFIX, ROOT

# name, module, what it prints; each module's main() returns its figures
PHASES: list[tuple[str, str]] = [
    ("validate", "bench.validate_bench"),
    ("workbook", "bench.workbook_bench"),
]
# --- confirm phase: bench/confirm_bench.py (owned by the confirm work) runs here if present ---
if importlib.util.find_spec("bench.confirm_bench") is not None:
    PHASES.append(("confirm", "bench.confirm_bench"))
PHASES.append(("tiers", "bench.tiers_bench"))
PHASES.append(("users", "bench.users_bench"))

# figure -> (label, limit, unit); a limit of None is shown without a verdict
LIMITS: dict[str, tuple[str, float | None, str]] = {
    "requests_per_validate": ("validate: DynamoDB requests for 1000 rows", 15, ""),
    "seconds_first": ("validate: wall time, first call in the process", None, "s"),
    "seconds_warm": ("validate: wall time, warm (median)", None, "s"),
    "handler_import_s": ("validate: handler module import (fastest)", None, "s"),
    "dependencies_import_s": ("validate: its dependencies alone (fastest)", None, "s"),
    "handler_import_median_s": ("validate: handler module import (median)", None, "s"),
    "dependencies_import_median_s": ("validate: its dependencies alone (median)", None, "s"),
    "import_cpu_ratio": ("validate: import CPU time, handler / dependencies", None, ""),
    "handler_import_instructions": ("validate: handler module import, instructions", None, ""),
    "dependencies_import_instructions": ("validate: dependencies alone, instructions", None, ""),
    "import_ratio": ("validate: import ratio handler / dependencies", 1.2, ""),
    "dependency_modules": ("validate: dependency modules the handler loads", None, ""),
    "workbook_memory_ratio": ("workbook: peak memory of a validate, .xlsx / CSV", 2.0, ""),
    "workbook_read_memory_ratio": ("workbook: peak memory of reading, .xlsx / CSV", None, ""),
    "workbook_time_ratio": ("workbook: validate wall time, .xlsx / CSV (median)", None, ""),
    "requests_per_row": ("confirm: requests per created/updated row", 1.1, ""),
    "bookkeeping_requests": ("confirm: session bookkeeping requests", 10, ""),
    "client_cpu_ms_per_request": ("confirm: client CPU per DynamoDB request (ms)", None, ""),
    "client_cpu_ms_per_row": ("confirm: client CPU per written row (ms)", None, ""),
    "bare_put_cpu_ms_per_request": ("confirm: bare botocore PutItem loop, CPU (ms)", None, ""),
    "client_to_bare_ratio": ("confirm: CPU per request / bare PutItem loop", 1.3, ""),
    "floor_ratio_5ms": ("confirm: +5 ms per call, wall / floor", 1.2, ""),
    "floor_ratio_50ms": ("confirm: +50 ms per call, wall / floor", 1.2, ""),
    "cold_to_warm_cpu": ("confirm: cold confirm CPU / warm (fresh process)", 1.2, ""),
    "cold_botocore_clients": ("confirm: botocore clients of a cold confirm", 3, ""),
    "cold_floor_ratio_5ms": ("confirm: cold confirm, +5 ms, wall / floor", 1.2, ""),
    "tier_validate_requests": ("tiers: DynamoDB requests, 1000 reseller rows", 15, ""),
    "tier_confirm_requests_per_row": ("tiers: confirm requests per written row", 1.1, ""),
    "tier_confirm_bookkeeping": ("tiers: confirm session bookkeeping", 10, ""),
    "tier_list_queries_per_page": ("tiers: Query per page, a distributor's customers", 1, ""),
    "tier_list_requests_per_page": ("tiers: every request per page of that list", None, ""),
    "tier_list_scans": ("tiers: Scan while listing", 0, ""),
    "users_validate_requests": ("users: DynamoDB requests, 1000 rows, scope 10,000", 25, ""),
    "users_confirm_requests_per_row": ("users: confirm requests per written row", 1.1, ""),
    "users_confirm_bookkeeping": ("users: confirm session bookkeeping", 10, ""),
    "users_cognito_calls_beyond_one_per_user_and_group": (
        "users: Cognito calls beyond one per user and group",
        0,
        "",
    ),
}

_RUNNER = (
    "import json, sys, importlib\n"
    "figures = importlib.import_module(sys.argv[1]).main()\n"
    "print(sys.argv[2] + json.dumps(figures), flush=True)\n"
)


def run_phase(module: str) -> dict[str, Any]:
    """Run one phase; its own report streams through, its figures come back."""
    process = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, module, FIGURES_PREFIX],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    figures: dict[str, Any] = {}
    for line in process.stdout:
        if line.startswith(FIGURES_PREFIX):
            figures = json.loads(line[len(FIGURES_PREFIX) :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0:
        raise SystemExit(f"bench phase {module} failed (exit {process.returncode})")
    return figures


def _shown(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 unless `--strict` is given and a figure is over its limit: timings on
    a shared machine are noisy, so a person reads the verdicts; CI may ask for strictness."""
    strict = "--strict" in (sys.argv[1:] if argv is None else argv)
    results: list[tuple[str, dict[str, Any]]] = []
    for name, module in PHASES:
        print(f"== {name} ==", flush=True)
        results.append((name, run_phase(module)))
        print()
    print("== summary ==")
    over = 0
    for _, figures in results:
        for key, value in figures.items():
            label, limit, unit = LIMITS.get(key, (key, None, ""))
            verdict = ""
            if limit is not None:
                ok = value <= limit
                over += not ok
                verdict = f"limit {_shown(limit, unit):>6}  {'ok' if ok else 'OVER'}"
            print(f"  {label:<52} {_shown(value, unit):>10}   {verdict}")
    if over:
        print(f"  {over} figure(s) over the limit")
    return 1 if over and strict else 0


if __name__ == "__main__":
    sys.exit(main())
