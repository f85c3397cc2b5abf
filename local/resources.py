"""Create the template's DynamoDB tables and S3 buckets in moto, from their own definitions.

No schema is written here: every table is created from its `AWS::DynamoDB::Table`
properties and every bucket from its `AWS::S3::Bucket` properties, so the local
stack cannot drift from template.yaml. Creation is idempotent: an existing
table or bucket is left as it is, its TTL, versioning, encryption and CORS are
(re)applied.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

from local.config import FAKE_CREDENTIAL, REGION
from local.specs import BucketSpec, TableSpec, Template

log = logging.getLogger("local.resources")

# CloudFormation property -> CreateTable parameter, for the ones that map one to one.
_TABLE_PASSTHROUGH = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "TableClass",
    "DeletionProtectionEnabled",
)
_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")


def _client(service: str, endpoint_url: str | None) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIAL,
        aws_secret_access_key=FAKE_CREDENTIAL,
    )


def create_table_request(spec: TableSpec) -> dict[str, Any]:
    """The CreateTable parameters equivalent to the table's CloudFormation properties."""
    props = spec.properties
    request: dict[str, Any] = {"TableName": spec.name}
    request.update({key: props[key] for key in _TABLE_PASSTHROUGH if key in props})
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(kind):
            request[kind] = [
                {key: index[key] for key in _INDEX_KEYS if key in index} for index in props[kind]
            ]
    stream = props.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    sse = props.get("SSESpecification")
    if sse:
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled", False))}
        if sse.get("SSEType"):
            request["SSESpecification"]["SSEType"] = sse["SSEType"]
    return request


# what an emulator answers for an operation it does not implement (dynalite has no TTL
# and no backups); the table still serves every read and write the code makes, and the
# code checks a session's expiry on read, so nothing depends on TTL's deletions
_UNSUPPORTED = "UnknownOperationException"


def _unless_unsupported(call: Any, **params: Any) -> None:
    try:
        call(**params)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != _UNSUPPORTED:
            raise
        log.info("%s: not supported by this emulator, skipped", call.__name__)


def ensure_table(dynamodb: Any, spec: TableSpec) -> None:
    try:
        dynamodb.create_table(**create_table_request(spec))
        log.info("created table %s", spec.name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    ttl = spec.properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = dynamodb.describe_time_to_live(TableName=spec.name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") != "ENABLED":
            _unless_unsupported(
                dynamodb.update_time_to_live,
                TableName=spec.name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    pitr = spec.properties.get("PointInTimeRecoverySpecification")
    if pitr and pitr.get("PointInTimeRecoveryEnabled"):
        _unless_unsupported(
            dynamodb.update_continuous_backups,
            TableName=spec.name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def _cors_rules(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = ("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposedHeaders", "MaxAge", "Id")
    rules = []
    for rule in config.get("CorsRules") or []:
        out = {key: rule[key] for key in keys if key in rule}
        if "MaxAge" in out:
            out["MaxAgeSeconds"] = int(out.pop("MaxAge"))
        if "ExposedHeaders" in out:
            out["ExposeHeaders"] = out.pop("ExposedHeaders")
        if "Id" in out:
            out["ID"] = out.pop("Id")
        rules.append(out)
    return rules


def _encryption_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A CloudFormation encryption rule in PutBucketEncryption's spelling."""
    out: dict[str, Any] = {}
    if rule.get("ServerSideEncryptionByDefault"):
        out["ApplyServerSideEncryptionByDefault"] = dict(rule["ServerSideEncryptionByDefault"])
    if "BucketKeyEnabled" in rule:
        out["BucketKeyEnabled"] = bool(rule["BucketKeyEnabled"])
    return out


def ensure_bucket(s3: Any, spec: BucketSpec) -> None:
    try:
        s3.create_bucket(Bucket=spec.name, CreateBucketConfiguration={"LocationConstraint": REGION})
        log.info("created bucket %s", spec.name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    props = spec.properties
    versioning = props.get("VersioningConfiguration")
    if versioning and versioning.get("Status"):
        # S3-triggered imports key their idempotency on the object version.
        s3.put_bucket_versioning(
            Bucket=spec.name, VersioningConfiguration={"Status": versioning["Status"]}
        )
    encryption = props.get("BucketEncryption")
    if encryption and encryption.get("ServerSideEncryptionConfiguration"):
        s3.put_bucket_encryption(
            Bucket=spec.name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    _encryption_rule(r) for r in encryption["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    cors = props.get("CorsConfiguration")
    if cors and cors.get("CorsRules"):
        s3.put_bucket_cors(Bucket=spec.name, CORSConfiguration={"CORSRules": _cors_rules(cors)})


def create_resources(template: Template, endpoint_url: str | None = None) -> None:
    """Create (or keep) every table and bucket of the template in the moto at endpoint_url
    (None: the default endpoints, which in-process moto intercepts in tests). The tables
    go where AWS_ENDPOINT_URL_DYNAMODB points when it is set (`make test-dynalite`), as
    the handlers' DynamoDB client does."""
    dynamodb = _client("dynamodb", os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or endpoint_url)
    for table in template.tables.values():
        ensure_table(dynamodb, table)
    s3 = _client("s3", endpoint_url)
    for bucket in template.buckets.values():
        ensure_bucket(s3, bucket)
