"""What template.yaml promises an operator: throttled routes, access logs kept for a
set time, data that survives a stack deletion, files that do not pile up, and CORS
origins chosen at deploy time rather than `*`."""

from __future__ import annotations

from typing import Any

from local.cfn_yaml import Intrinsic, load_yaml
from local.template import load_template

DOC = load_yaml(load_template().path)
RESOURCES: dict[str, Any] = DOC["Resources"]
PARAMETERS: dict[str, Any] = DOC["Parameters"]


def _ref(value: Any) -> str | None:
    return str(value.arg) if isinstance(value, Intrinsic) and value.fn == "Ref" else None


def _api() -> dict[str, Any]:
    return RESOURCES["HttpApi"]["Properties"]


def test_every_route_is_throttled_by_template_parameters() -> None:
    settings = _api()["DefaultRouteSettings"]

    assert _ref(settings["ThrottlingRateLimit"]) == "ThrottlingRateLimit"
    assert _ref(settings["ThrottlingBurstLimit"]) == "ThrottlingBurstLimit"
    for name in ("ThrottlingRateLimit", "ThrottlingBurstLimit"):
        assert PARAMETERS[name]["Type"] == "Number"
        assert int(PARAMETERS[name]["Default"]) >= 1


def test_access_logs_go_to_a_log_group_with_retention() -> None:
    logs = _api()["AccessLogSettings"]
    target = logs["DestinationArn"]

    assert isinstance(target, Intrinsic) and target.fn == "Fn::GetAtt"
    group = RESOURCES[target.arg[0]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert _ref(group["Properties"]["RetentionInDays"]) == "LogRetentionDays"
    assert "$context.requestId" in logs["Format"] and "$context.status" in logs["Format"]


def test_tables_and_bucket_are_retained_when_the_stack_goes() -> None:
    for logical in ("DistributorsTable", "ImportSessionsTable", "ImportBucket"):
        assert RESOURCES[logical]["DeletionPolicy"] == "Retain", logical
        assert RESOURCES[logical]["UpdateReplacePolicy"] == "Retain", logical


def test_incoming_files_and_reports_expire_after_their_parameters() -> None:
    rules = RESOURCES["ImportBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    by_prefix = {rule.get("Prefix"): rule for rule in rules}

    assert by_prefix["uploads/"]["ExpirationInDays"] == 1
    assert _ref(by_prefix["incoming/"]["ExpirationInDays"]) == "IncomingRetentionDays"
    assert _ref(by_prefix["reports/"]["ExpirationInDays"]) == "ReportRetentionDays"
    for prefix in ("incoming/", "reports/"):
        # the bucket is versioned: an expired object's older versions must go too
        assert "NoncurrentVersionExpiration" in by_prefix[prefix]


def test_cors_origins_are_a_parameter_never_a_wildcard() -> None:
    api_cors = _api()["CorsConfiguration"]
    bucket_cors = RESOURCES["ImportBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]

    assert _ref(api_cors["AllowOrigins"]) == "AllowedOrigins"
    assert all(_ref(rule["AllowedOrigins"]) == "AllowedOrigins" for rule in bucket_cors)
    assert PARAMETERS["AllowedOrigins"]["Type"] == "CommaDelimitedList"
    assert "*" not in PARAMETERS["AllowedOrigins"]["Default"]


def test_the_local_stack_reads_the_origins_parameter_as_a_list() -> None:
    api = load_template().http_apis["HttpApi"]

    assert api.cors is not None
    assert api.cors.allow_origins == ("http://localhost:3000", "http://127.0.0.1:3000")
