"""S3 event notifications for the local stack: moto does not invoke functions, so this
watcher does it the way S3 and Lambda would.

Every `POLL_SECONDS` it lists the object versions under each `Type: S3` trigger's
prefix (read from template.yaml, with its suffix) and, for each new version, invokes
the trigger's function with a real S3 notification event (`ObjectCreated:Put`, the
key URL-encoded as S3 sends it, size, eTag, versionId, a growing sequencer,
userIdentity). Like an asynchronous invoke, each event runs in a thread of its own;
a failed run is retried up to the function's EventInvokeConfig.MaximumRetryAttempts
(Lambda's default 2), after `RETRY_DELAY_SECONDS` instead of Lambda's minutes, and
an event that keeps failing is logged as parked (the on-failure destination).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import boto3
from botocore.config import Config

from local.cfn_yaml import load_yaml
from local.config import ACCOUNT_ID, FAKE_CREDENTIAL, HOST, REGION
from local.specs import S3Trigger, Template

if TYPE_CHECKING:
    from local.stack import LocalStack

log = logging.getLogger("local.s3")

POLL_SECONDS = 0.5
RETRY_DELAY_SECONDS = 1.0
LAMBDA_DEFAULT_RETRIES = 2
# userIdentity.principalId of a put to the local moto (it has no IAM principals)
LOCAL_PRINCIPAL = f"AWS:{FAKE_CREDENTIAL}"
CREATED_EVENTS = ("s3:ObjectCreated:*", "s3:ObjectCreated:Put")


@dataclass(frozen=True)
class NewVersion:
    bucket: str
    key: str
    version_id: str | None
    size: int
    etag: str
    last_modified: datetime


def s3_client(endpoint_url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIAL,
        aws_secret_access_key=FAKE_CREDENTIAL,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def retry_attempts(template: Template, function: str) -> int:
    """The function's EventInvokeConfig.MaximumRetryAttempts, as in template.yaml."""
    resource = (load_yaml(template.path).get("Resources") or {}).get(function) or {}
    config = (resource.get("Properties") or {}).get("EventInvokeConfig") or {}
    value = config.get("MaximumRetryAttempts", LAMBDA_DEFAULT_RETRIES)
    return value if isinstance(value, int) else LAMBDA_DEFAULT_RETRIES


def watches(trigger: S3Trigger) -> bool:
    return any(event in CREATED_EVENTS for event in trigger.events)


def versions_under(s3: Any, trigger: S3Trigger) -> Iterator[NewVersion]:
    """Every version of every object the trigger matches (delete markers left out)."""
    pages = s3.get_paginator("list_object_versions").paginate(
        Bucket=trigger.bucket_name, Prefix=trigger.prefix
    )
    for page in pages:
        for found in page.get("Versions") or []:
            if not found["Key"].endswith(trigger.suffix):
                continue
            version = found.get("VersionId")
            yield NewVersion(
                bucket=trigger.bucket_name,
                key=found["Key"],
                version_id=None if version in (None, "null") else version,
                size=int(found.get("Size") or 0),
                etag=str(found.get("ETag") or "").strip('"'),
                last_modified=found["LastModified"],
            )


class _Sequencer:
    """S3's sequencer: hexadecimal, greater for a later event on the same key."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns())
            return f"{self._last:018X}"


def put_event(trigger: S3Trigger, found: NewVersion, sequencer: str) -> dict[str, Any]:
    """The notification S3 sends for a PUT (event version 2.1)."""
    created = found.last_modified.astimezone(UTC)
    obj: dict[str, Any] = {
        "key": quote_plus(found.key, safe="/"),
        "size": found.size,
        "eTag": found.etag,
        "sequencer": sequencer,
    }
    if found.version_id:
        obj["versionId"] = found.version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": LOCAL_PRINCIPAL},
                "requestParameters": {"sourceIPAddress": HOST},
                "responseElements": {
                    "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                    "x-amz-id-2": uuid.uuid4().hex,
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": f"{trigger.function}{trigger.event}",
                    "bucket": {
                        "name": found.bucket,
                        "ownerIdentity": {"principalId": ACCOUNT_ID},
                        "arn": f"arn:aws:s3:::{found.bucket}",
                    },
                    "object": obj,
                },
            }
        ]
    }


def deliver(stack: LocalStack, trigger: S3Trigger, event: dict[str, Any], retries: int) -> None:
    """One asynchronous invoke: the first attempt and up to `retries` more."""
    record = event["Records"][0]["s3"]["object"]
    for attempt in range(retries + 1):
        if stack.stopping.is_set():
            return
        try:
            stack.functions[trigger.function].invoke(event)
            log.info("S3 %s -> %s", record["key"], trigger.function)
            return
        except Exception as exc:
            log.warning(
                "S3 %s -> %s failed (attempt %d of %d): %s",
                record["key"],
                trigger.function,
                attempt + 1,
                retries + 1,
                exc,
            )
        if stack.stopping.wait(RETRY_DELAY_SECONDS):
            return
    log.error("S3 %s: every attempt failed; parked (on-failure destination)", record["key"])


def watch_s3_notifications(stack: LocalStack) -> None:
    """The background task: poll, and deliver an event per new object version."""
    triggers = [t for t in stack.template.s3_triggers if watches(t)]
    if not triggers:
        return
    s3 = s3_client(stack.moto_url)
    retries = {t.function: retry_attempts(stack.template, t.function) for t in triggers}
    sequencer = _Sequencer()
    seen: set[tuple[str, str, str, str | None]] = set()
    while not stack.stopping.is_set():
        for trigger in triggers:
            try:
                # S3 lists a key's versions newest first: oldest first, then by time
                listed = list(versions_under(s3, trigger))[::-1]
                found = sorted(listed, key=lambda v: v.last_modified)
            except Exception as exc:
                if stack.stopping.is_set():
                    return
                log.warning("listing s3://%s failed: %s", trigger.bucket_name, exc)
                continue
            for version in found:
                ident = (trigger.function, version.bucket, version.key, version.version_id)
                if ident in seen:
                    continue
                seen.add(ident)
                event = put_event(trigger, version, sequencer.next())
                threading.Thread(
                    target=deliver,
                    args=(stack, trigger, event, retries[trigger.function]),
                    name=f"s3-event-{version.key.rsplit('/', 1)[-1]}",
                    daemon=True,
                ).start()
        stack.stopping.wait(POLL_SECONDS)
