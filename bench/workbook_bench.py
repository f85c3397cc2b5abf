"""Benchmark of a workbook upload: the same 1000 rows as `.xlsx` and as CSV, through the
validate handler, side by side in one process against in-process moto.

Both files carry the rows of the validate benchmark (880 valid, 80 warnings, 40
errors) against 10,000 stored distributors. After one warm-up of each (so that openpyxl
and the clients are loaded before anything is measured), the two are validated in turn:

- peak memory: the highest Python allocation (tracemalloc) during one validate, above
  what was allocated when it began; the figure is the workbook's peak over the CSV's
  (at most 2), beside the peak of reading alone (the file reader, no storage).
  tracemalloc sees what Python allocates, not the XML parser's own C buffers, which
  the streaming reader keeps to one chunk of the sheet at a time;
- time: wall time of each, alternated, without tracemalloc; the median ratio printed.

`python -m bench.workbook_bench` runs it alone; `make bench` runs it after validate.
"""

from __future__ import annotations

import gc
import io
import time
import tracemalloc
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bench.common import (
    DynamoDBCalls,
    api_event,
    csv_bytes,
    emit_figures,
    invoke,
    load_handler,
    median,
    moto_stack,
    seed_distributors,
)
from bench.validate_bench import ARCHIVED_EVERY, ROWS, STORED, bench_rows
from orgimport.imports.uploads import XLSX_TYPE
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS

TIMED_RUNS = 5
MAX_MEMORY_RATIO = 2.0


def xlsx_bytes(rows: Iterable[Mapping[str, str]]) -> bytes:
    """The rows of `csv_bytes` as a workbook: one sheet, every cell text."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("distributors")
    sheet.append(list(DISTRIBUTOR_COLUMNS))
    for row in rows:
        sheet.append([row.get(c, "") for c in DISTRIBUTOR_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _peak(action: Callable[[], object]) -> int:
    """Bytes allocated at the highest point of `action`, above where it started."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def _timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> dict[str, float]:
    from orgimport.imports.file_reader import read_file
    from orgimport.kinds.distributors.kind import DISTRIBUTORS

    rows = bench_rows(0)
    files = {"csv": (csv_bytes(rows), "text/csv"), "xlsx": (xlsx_bytes(rows), XLSX_TYPE)}
    with DynamoDBCalls(), moto_stack():
        seed_distributors(STORED, archived_every=ARCHIVED_EVERY)
        handler = load_handler("import_validate")

        def validate(name: str) -> Callable[[], Any]:
            body, content_type = files[name]
            event = api_event(
                "POST",
                "/distributors/import/validate",
                body=body,
                headers={"content-type": content_type},
            )

            def run() -> Any:
                status, answer = invoke(handler, event)
                if status != 200:
                    raise RuntimeError(f"{name} validate answered {status}: {answer}")
                return answer["data"]

            return run

        def read(name: str) -> Callable[[], Any]:
            return lambda: read_file(
                files[name][0],
                expected_columns=DISTRIBUTORS.column_names,
                required_columns=DISTRIBUTORS.required_columns,
                aliases=DISTRIBUTORS.header_table,
            )

        reports = {name: validate(name)() for name in files}  # warm-up, and the verdicts
        counters = {
            name: tuple(d[k] for k in ("valid_rows", "warning_rows", "error_rows"))
            for name, d in reports.items()
        }
        if counters["csv"] != counters["xlsx"]:
            raise RuntimeError(f"the two files were judged otherwise: {counters}")
        peaks = {name: _peak(validate(name)) for name in files}
        read_peaks = {name: _peak(read(name)) for name in files}
        seconds: dict[str, list[float]] = {"csv": [], "xlsx": []}
        for _ in range(TIMED_RUNS):
            for name in files:
                seconds[name].append(_timed(validate(name)))

    memory_ratio = peaks["xlsx"] / peaks["csv"]
    ratios = [x / c for x, c in zip(seconds["xlsx"], seconds["csv"], strict=True)]
    verdict = "ok" if memory_ratio <= MAX_MEMORY_RATIO else "OVER"
    valid, warnings, errors = counters["csv"]
    print(
        f"workbook: the same {ROWS} rows as CSV ({len(files['csv'][0]) / 1024:.0f} KiB) and "
        f"as .xlsx ({len(files['xlsx'][0]) / 1024:.0f} KiB) through the validate handler, "
        f"{STORED:,} stored distributors; both judged {valid} valid, {warnings} warnings, "
        f"{errors} errors"
    )
    print(
        f"  peak memory of one validate: CSV {peaks['csv'] / 2**20:.1f} MiB, .xlsx "
        f"{peaks['xlsx'] / 2**20:.1f} MiB, ratio {memory_ratio:.2f} "
        f"(limit {MAX_MEMORY_RATIO}) {verdict}"
    )
    print(
        f"  peak memory of reading alone: CSV {read_peaks['csv'] / 2**20:.1f} MiB, .xlsx "
        f"{read_peaks['xlsx'] / 2**20:.1f} MiB"
    )
    print(
        f"  wall time, {TIMED_RUNS} alternated runs (median): CSV "
        f"{median(seconds['csv']) * 1000:.0f} ms, .xlsx {median(seconds['xlsx']) * 1000:.0f} ms, "
        f"ratio {median(ratios):.2f}"
    )
    return {
        "workbook_memory_ratio": memory_ratio,
        "workbook_read_memory_ratio": read_peaks["xlsx"] / read_peaks["csv"],
        "workbook_time_ratio": median(ratios),
    }


if __name__ == "__main__":
    emit_figures(main())
