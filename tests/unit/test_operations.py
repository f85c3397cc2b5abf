"""What an operator watches (template.yaml): every function traced by the Powertools
Tracer, every alarm on a metric that exists: one AWS publishes for the resource it names,
or one the code emits (found in the source by what `add_metric` is given)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Tracer

from local.cfn_yaml import as_intrinsic, load_yaml
from local.handlers import function_module
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
DOC = load_yaml(TEMPLATE.path)
RESOURCES: dict[str, Any] = DOC["Resources"]
GLOBAL_ENV = DOC["Globals"]["Function"]["Environment"]["Variables"]
NAMESPACE = GLOBAL_ENV["POWERTOOLS_METRICS_NAMESPACE"]
SERVICE = GLOBAL_ENV["POWERTOOLS_SERVICE_NAME"]

# the metrics AWS publishes that the alarms use, by namespace, and the resource type the
# dimension must name
AWS_METRICS: dict[str, tuple[set[str], str, str]] = {
    "AWS/SQS": ({"ApproximateNumberOfMessagesVisible"}, "QueueName", "AWS::SQS::Queue"),
    "AWS/ApiGateway": ({"5xx", "4xx", "Count", "Latency"}, "ApiId", "AWS::Serverless::HttpApi"),
    "AWS/Lambda": (
        {"Throttles", "Duration", "Errors", "Invocations"},
        "FunctionName",
        "AWS::Serverless::Function",
    ),
    "AWS/DynamoDB": (
        {"WriteThrottleEvents", "ReadThrottleEvents"},
        "TableName",
        "AWS::DynamoDB::Table",
    ),
}


def _functions() -> list[str]:
    return [n for n, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"]


def _alarms() -> list[str]:
    return [n for n, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"]


def _code_dir(logical_id: str) -> str:
    return str(RESOURCES[logical_id]["Properties"]["CodeUri"]).strip("/").split("/")[-1]


@pytest.mark.parametrize("logical_id", _functions())
def test_every_function_is_traced(logical_id: str) -> None:
    tracing = RESOURCES[logical_id]["Properties"].get("Tracing")
    assert (tracing or DOC["Globals"]["Function"].get("Tracing")) == "Active"
    module = function_module(_code_dir(logical_id), prefix="ops", reuse=False)
    assert isinstance(module.tracer, Tracer)
    source = (ROOT / "functions" / _code_dir(logical_id) / "app.py").read_text()
    assert "tracer.capture_lambda_handler" in source or "tracer=tracer" in source


def test_an_observed_handler_runs_inside_its_tracer() -> None:
    from orgimport.runtime.observability import observed

    captured: list[object] = []

    class Recording(Tracer):
        def capture_lambda_handler(self, lambda_handler=None, **kwargs):  # type: ignore[override]
            captured.append((lambda_handler, kwargs))
            return lambda_handler

    def handler(event: dict, context: object) -> dict:
        return {"statusCode": 200}

    from aws_lambda_powertools import Logger, Metrics

    observed(handler, logger=Logger(), metrics=Metrics(namespace="x"), tracer=Recording())
    assert len(captured) == 1 and captured[0][1] == {"capture_response": False}


def _metric_names_in(tree: ast.Module) -> Iterator[str]:
    """The names every `add_metric(name=...)` of a module can give: a literal, a module
    constant, or any value of a module-level dict it is looked up in."""
    constants: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                constants[target.id] = node.value

    def names(value: ast.expr) -> Iterator[str]:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield value.value
        elif isinstance(value, ast.Name) and value.id in constants:
            yield from names(constants[value.id])
        elif isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
            table = constants.get(value.value.id)
            assert isinstance(table, ast.Dict), ast.dump(value)
            for entry in table.values:
                yield from names(entry)
        else:
            raise AssertionError(f"a metric name the test cannot read: {ast.dump(value)}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_metric":
            (name,) = [k.value for k in node.keywords if k.arg == "name"]
            yield from names(name)


def emitted_metrics() -> set[str]:
    found: set[str] = set()
    sources = [*(ROOT / "functions").rglob("*.py"), *(ROOT / "layers/common").rglob("*.py")]
    for path in sources:
        tree = ast.parse(path.read_text(), str(path))
        found.update(_metric_names_in(tree))
    return found


def _watched(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """Each metric an alarm reads: its own, or those of its metric math."""
    props = alarm["Properties"]
    if "MetricName" in props:
        return [props]
    return [{**m["MetricStat"]["Metric"]} for m in props["Metrics"] if "MetricStat" in m]


def test_the_code_emits_metrics_the_test_can_read() -> None:
    names = emitted_metrics()
    assert {"ImportRowsFailed", "ImportRowsCreated", "RecordWrites", "S3ImportsFailed"} <= names


@pytest.mark.parametrize("logical_id", _alarms())
def test_every_alarm_watches_a_metric_that_is_published(logical_id: str) -> None:
    alarm = RESOURCES[logical_id]
    emitted = emitted_metrics()
    for metric in _watched(alarm):
        namespace, name = metric["Namespace"], metric["MetricName"]
        dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        if namespace == NAMESPACE:
            assert name in emitted, f"{logical_id}: no code emits {name}"
            assert dimensions == {"service": SERVICE}
            continue
        known, dimension, resource_type = AWS_METRICS[namespace]
        assert name in known, f"{logical_id}: {namespace} publishes no {name} here"
        target = as_intrinsic(dimensions[dimension])
        assert target is not None, f"{logical_id}: {dimension} names no resource"
        named = target.arg if target.fn == "Ref" else target.arg[0]
        assert RESOURCES[named]["Type"] == resource_type


@pytest.mark.parametrize("logical_id", _alarms())
def test_every_alarm_notifies_the_topic_both_ways(logical_id: str) -> None:
    props = RESOURCES[logical_id]["Properties"]
    for actions in (props["AlarmActions"], props["OKActions"]):
        assert [as_intrinsic(a).arg for a in actions] == ["AlarmTopic"]  # type: ignore[union-attr]
    assert props["TreatMissingData"] == "notBreaching"
