"""What every benchmark phase needs: the environment, in-process moto with the template's
tables, a DynamoDB call counter, a seeded store, generated CSVs, API Gateway events.

Import this module before anything from `orgimport`: the storage models read their
table names from the environment once, at import.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
from moto import mock_aws

from local.handlers import function_module
from local.in_process import use_in_process_env
from orgimport.kinds.organizations.columns import DISTRIBUTOR_COLUMNS
from tests.vats import it_vat

ROOT = Path(__file__).resolve().parent.parent
# the environment Lambda gets; read on first use, so it need not come before the imports
use_in_process_env(keep_set=True)

# A phase run as a subprocess prints its figures on one line with this prefix (bench.run).
FIGURES_PREFIX = "BENCH-FIGURES "
USER, ORG = "bench-user", "bench-org"


class DynamoDBCalls:
    """Counts DynamoDB API calls by operation and table, optionally adding a fixed latency
    to each: hooks on every botocore client created while installed (pynamodb's and
    boto3's alike). Install it before the first client is made."""

    def __init__(self) -> None:
        self.latency_s = 0.0
        self.by_operation: Counter[str] = Counter()
        self.by_table: Counter[str] = Counter()
        # Amazon Cognito (user pool) calls by operation, counted alongside
        self.cognito: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._original = botocore.session.Session.create_client

    def install(self) -> None:
        calls, original = self, self._original

        def create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            client = original(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                client.meta.events.register("before-parameter-build.dynamodb", calls._count)
                client.meta.events.register("before-call.dynamodb", calls._wait)
            if service_name == "cognito-idp":
                client.meta.events.register("before-parameter-build.cognito-idp", calls._idp)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]

    def uninstall(self) -> None:
        botocore.session.Session.create_client = self._original  # type: ignore[method-assign]

    def __enter__(self) -> DynamoDBCalls:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    def _count(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        tables = (
            [params["TableName"]] if "TableName" in params else list(params.get("RequestItems", {}))
        )
        with self._lock:
            self.by_operation[model.name] += 1
            for table in tables:
                self.by_table[table] += 1

    def _idp(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.cognito[model.name] += 1

    def _wait(self, **_: Any) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)  # the network to AWS, overlapping across threads

    def reset(self, latency_s: float = 0.0) -> None:
        with self._lock:
            self.by_operation.clear()
            self.by_table.clear()
            self.cognito.clear()
        self.latency_s = latency_s

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.by_operation)


@contextlib.contextmanager
def moto_stack() -> Iterator[None]:
    """In-process moto holding the template's own tables and bucket."""
    with mock_aws():
        from local.resources import create_resources
        from local.template import load_template

        create_resources(load_template())
        yield


def stored_vat(n: int) -> str:
    """The VAT of the n-th stored distributor (province office 099: apart from the rows')."""
    return it_vat(n, office="099")


def row_vat(run: int, i: int, office: str = "001") -> str:
    """A fresh VAT for row i of a run's file."""
    return it_vat(run * 10_000 + i, office=office)


def seed_distributors(count: int, *, archived_every: int = 0) -> None:
    """`count` distributors with their VAT guards, written with BatchWriteItem (25 a call);
    every `archived_every`-th one archived. VATs are `stored_vat(n)`."""
    from orgimport import wiring
    from orgimport.kinds.organizations.fields import DistributorFields
    from orgimport.kinds.organizations.record import Organization
    from orgimport.storage.models import VAT_PREFIX, VatGuardItem

    now = "2026-01-01T00:00:00.000Z"
    stored = [
        Organization(
            id=f"stored-{n:05d}",
            fields=DistributorFields(
                name=f"Stored {n:05d}",
                vat=stored_vat(n),
                city="Roma",
                email=f"stored{n}@example.com",
                language="it",
            ),
            created_at=now,
            updated_at=now,
            created_by_user=USER,
            created_by_org=ORG,
            deleted_at=now if archived_every and n % archived_every == archived_every - 1 else None,
        )
        for n in range(count)
    ]
    wiring.distributor_store().insert_many(stored)
    with VatGuardItem.batch_write() as batch:
        for d in stored:
            batch.save(
                VatGuardItem(
                    pk=VAT_PREFIX + d.vat_key, distributor_id=d.id, vat=d.fields.vat, created_at=0
                )
            )


def csv_bytes(rows: Iterable[Mapping[str, str]]) -> bytes:
    """A CSV of the ten columns, CRLF line ends, cells quoted where they need it."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DISTRIBUTOR_COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in DISTRIBUTOR_COLUMNS])
    return out.getvalue().encode("utf-8")


def api_event(
    method: str,
    path: str,
    *,
    body: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    user: str = USER,
    org: str = ORG,
    role: str = "owner",
    query: str = "",
    user_roles: list[str] | None = None,
) -> dict[str, Any]:
    """A payload-2.0 event as API Gateway sends it after its JWT authorizer; bytes bodies
    arrive base64-encoded, as API Gateway sends CSV and multipart."""
    import base64
    from urllib.parse import parse_qsl

    is_base64 = isinstance(body, bytes)
    sent = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "queryStringParameters": dict(parse_qsl(query)) or None,
        "headers": {
            "host": "bench.example.com",
            **{k.lower(): v for k, v in (headers or {}).items()},
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "authorizer": {
                "jwt": {
                    "claims": {
                        "sub": user,
                        "org_id": org,
                        "org_role": role,
                        **({"user_roles": user_roles} if user_roles else {}),
                    },
                    "scopes": None,
                }
            },
            "domainName": "bench.example.com",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": sent,
        "isBase64Encoded": is_base64,
    }


class LambdaContext:
    """A Lambda context with time to spare: the benchmark measures the whole run."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 15 * 60 * 1000


def load_handler(function_dir: str) -> ModuleType:
    """functions/<dir>/app.py, freshly imported under a name of its own, its log lines
    silenced."""
    module = function_module(function_dir, prefix="bench", reuse=False)
    logger = getattr(module, "logger", None)
    if logger is not None:
        logger.registered_handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    return module


def invoke(handler: ModuleType, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The handler's status and JSON envelope; its EMF metric lines kept off the output."""
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        result = handler.lambda_handler(event, LambdaContext())
    return result["statusCode"], json.loads(result["body"])


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def emit_figures(figures: Mapping[str, float]) -> None:
    """The phase's figures for bench.run, on one machine-readable line."""
    print(FIGURES_PREFIX + json.dumps(dict(figures)), flush=True)


def run_validate(
    calls: DynamoDBCalls,
    event: dict[str, Any],
    counters: tuple[str, ...] = ("valid_rows", "warning_rows", "error_rows"),
) -> dict[str, Any]:
    """One validate through its handler, counted from a reset counter."""
    handler = load_handler("import_validate")
    calls.reset()
    started = time.perf_counter()
    status, answer = invoke(handler, event)
    if status != 200:
        raise RuntimeError(f"validate answered {status}: {answer}")
    data = answer["data"]
    return {
        "seconds": time.perf_counter() - started,
        "by_operation": calls.snapshot(),
        "counters": {k: data[k] for k in counters},
        "import_id": data["import_id"],
    }


def run_confirm(calls: DynamoDBCalls, event: dict[str, Any]) -> dict[str, Any]:
    """One confirm through its handler: the requests on the records' table (per written
    row, by the caller) apart from the session's bookkeeping, and the Cognito calls."""
    handler = load_handler("import_confirm")
    calls.reset()
    status, answer = invoke(handler, event)
    if status != 200:
        raise RuntimeError(f"confirm answered {status}: {answer}")
    data = answer["data"]
    failures = Counter(r.get("error") for r in data["results"] if r["status"] == "failed")
    for error, count in failures.most_common(3):
        print(f"  failed x{count}: {error}")
    by_table = Counter(calls.by_table)
    return {
        "written": data["created"] + data["updated"],
        "counters": {k: data[k] for k in ("created", "updated", "skipped", "failed")},
        "row_requests": by_table[os.environ["DISTRIBUTORS_TABLE"]],
        "bookkeeping": by_table[os.environ["SESSIONS_TABLE"]],
        "by_operation": calls.snapshot(),
        "cognito": Counter(calls.cognito),
    }
