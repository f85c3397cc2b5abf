"""Put a CSV where the running local stack's S3 trigger watches, then print its report.

`python -m local.s3_put FILE [--override true] [--name NAME] [--endpoint-url URL]`
(`make s3-import FILE=... OVERRIDE=true KIND=resellers`). The bucket and prefix are the
`Type: S3` trigger's in template.yaml whose prefix is `incoming/<kind>/` (--kind,
default distributors); the object is named after the file unless
--name says otherwise; `override` goes in the object's metadata as a script would
send it (`x-amz-meta-override`). The stack's moto is found at --endpoint-url, else
$LOCAL_MOTO_URL, else http://127.0.0.1:3001 (the port `make local` gives moto).

It waits (--wait seconds, default 60) for the report of exactly this upload (the
report names its import id, derived from the object's version) and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from local.config import DEFAULT_MOTO_PORT, HOST
from local.s3_notifications import s3_client
from local.template import load_template
from orgimport.imports.kind import Kind
from orgimport.imports.ports import S3ObjectRef
from orgimport.imports.s3 import import_id_for, report_keys
from orgimport.kinds.registry import kind_of_upload

POLL_SECONDS = 0.5


def default_endpoint() -> str:
    return os.environ.get("LOCAL_MOTO_URL") or f"http://{HOST}:{DEFAULT_MOTO_PORT}"


def wait_for_report(
    s3: Any, bucket: str, key: str, kind: Kind, import_id: str, timeout_s: float
) -> dict[str, Any] | None:
    """The JSON report of this import once it is final, or None after timeout_s."""
    json_key, _ = report_keys(key, kind)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            found = s3.get_object(Bucket=bucket, Key=json_key)
        except ClientError:
            found = None
        if found is not None:
            report: dict[str, Any] = json.loads(found["Body"].read())
            if report.get("import_id") == import_id and report.get("status") != "incomplete":
                return report
        time.sleep(POLL_SECONDS)
    return None


def summary(report: dict[str, Any]) -> str:
    lines = [f"import {report['import_id']}: {report['status']}"]
    validation = report.get("validation") or {}
    if validation:
        counters = ("total_rows", "valid_rows", "warning_rows", "error_rows")
        lines.append("  validation " + " ".join(f"{k}={validation.get(k)}" for k in counters))
    confirm = report.get("confirm") or {}
    if confirm:
        counters = ("created", "updated", "skipped", "failed")
        lines.append("  confirm    " + " ".join(f"{k}={confirm.get(k)}" for k in counters))
    if report.get("error"):
        lines.append(f"  error      {report['error'].get('message')}")
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.s3_put", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--override", default=None, help="the object's override metadata")
    parser.add_argument("--name", default=None, help="object name under the prefix")
    parser.add_argument(
        "--kind", default="distributors", help="the kind imported: its trigger's prefix"
    )
    parser.add_argument("--endpoint-url", default=None, help="the local stack's moto")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the report")
    return parser.parse_args(argv)


def _target(args: argparse.Namespace) -> tuple[str, str, Kind]:
    """(bucket, key, kind) of the upload, or SystemExit(2) saying why there is none."""
    if not args.file.is_file():
        raise SystemExit(f"s3-import: no file {args.file}")
    triggers = [t for t in load_template().s3_triggers if t.prefix == f"incoming/{args.kind}/"]
    if not triggers:
        raise SystemExit(f"s3-import: template.yaml has no S3 trigger for {args.kind}")
    trigger = triggers[0]
    name = args.name or args.file.name
    if trigger.suffix and not name.endswith(trigger.suffix):
        name += trigger.suffix
    key = trigger.prefix + name
    kind = kind_of_upload(key)
    if kind is None:
        raise SystemExit(f"s3-import: {key} is not a key the service imports")
    return trigger.bucket_name, key, kind


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        bucket, key, kind = _target(args)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    metadata = {"override": str(args.override)} if args.override is not None else {}
    endpoint = args.endpoint_url or default_endpoint()
    s3 = s3_client(endpoint)
    try:
        put = s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=args.file.read_bytes(),
            ContentType="text/csv",
            Metadata=metadata,
        )
    except EndpointConnectionError:
        print(f"s3-import: no local stack at {endpoint} (make local)", file=sys.stderr)
        return 1
    version = put.get("VersionId")
    print(f"put s3://{bucket}/{key} version {version} metadata {metadata}")
    if not version:
        return 0  # no version, no import id to wait for: the report appears on its own
    import_id = import_id_for(S3ObjectRef(bucket, key, version_id=version))
    report = wait_for_report(s3, bucket, key, kind, import_id, args.wait)
    json_key, csv_key = report_keys(key, kind)
    if report is None:
        print(f"no report at s3://{bucket}/{json_key} after {args.wait:.0f} s")
        return 1
    print(summary(report))
    print(f"report s3://{bucket}/{json_key} and {csv_key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
