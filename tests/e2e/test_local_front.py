"""The local front answers like the deployed HTTP API: gateway errors, auth, events, responses."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from local.template import load_template
from tests.e2e.conftest import ON_DYNALITE

UNAUTHORIZED = b'{"message":"Unauthorized"}'
NOT_FOUND = b'{"message":"Not Found"}'
INTERNAL_ERROR = b'{"message":"Internal Server Error"}'
TOO_LARGE = b'{"message":"Request Entity Too Large"}'

# A template of its own, so the event and the response mapping can be observed.
ECHO_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  JwtIssuer:
    Type: String
  JwtAudience:
    Type: String
Globals:
  Function:
    Runtime: python3.11
    Timeout: 7
    MemorySize: 256
    Environment:
      Variables:
        ECHO_TABLE: !Ref EchoTable
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !Ref JwtIssuer
              audience: [!Ref JwtAudience]
      CorsConfiguration:
        AllowOrigins: ["https://app.example.com"]
        AllowHeaders: [authorization]
        AllowMethods: [GET, POST]
        ExposeHeaders: [x-one]
        MaxAge: 600
  EchoTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: echo/
      Handler: app.lambda_handler
      Events:
        Param:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: "/things/{id}", Method: ANY}
        Static:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /things/special, Method: GET}
        Public:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /public
            Method: GET
            Auth: {Authorizer: NONE}
  MissingFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: missing/
      Handler: app.lambda_handler
      Events:
        Missing:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /missing, Method: GET}
"""

ECHO_HANDLER = """\
import json
import os


def lambda_handler(event, context):
    path = event["rawPath"]
    if path.endswith("/boom"):
        raise RuntimeError("boom")
    if path.endswith("/plain"):
        return {"hello": "world"}
    seen = {
        "event": event,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "request_id": context.aws_request_id,
        "table": os.environ.get("ECHO_TABLE"),
    }
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/json", "x-one": "1",
                    "access-control-allow-origin": "https://evil.example.com"},
        "multiValueHeaders": {"x-many": ["a", "b"]},
        "cookies": ["c1=v1; Path=/", "c2=v2"],
        "body": json.dumps(seen),
    }
"""


@pytest.fixture(scope="module")
def echo(stack_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("echo-app")
    (root / "template.yaml").write_text(ECHO_TEMPLATE)
    (root / "echo").mkdir()
    (root / "echo" / "app.py").write_text(ECHO_HANDLER)
    return stack_factory(template=root / "template.yaml")


def seen(reply: Any) -> dict[str, Any]:
    assert reply.status == 201, reply.text
    return reply.json()


# gateway answers --------------------------------------------------------------


def test_health_answers_without_a_token(stack: Any) -> None:
    reply = stack.request("GET", "/_local/health")

    assert reply.status == 200
    assert reply.json()["status"] == "ok"


def test_a_request_without_a_token_gets_api_gateways_own_401(stack: Any) -> None:
    reply = stack.request("GET", "/distributors")

    assert reply.status == 401
    assert reply.body == UNAUTHORIZED


def test_a_tampered_token_gets_401(stack: Any) -> None:
    header, payload, signature = stack.token(role="customer").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["org_role"] = "owner"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    reply = stack.request("GET", "/distributors", token=f"{header}.{forged}.{signature}")

    assert reply.status == 401
    assert reply.body == UNAUTHORIZED


def test_an_expired_token_gets_401(stack: Any) -> None:
    reply = stack.request("GET", "/distributors", token=stack.token(ttl=-60))

    assert reply.status == 401
    assert reply.body == UNAUTHORIZED


def test_an_unknown_route_gets_404(stack: Any) -> None:
    token = stack.token()

    assert stack.request("GET", "/nowhere", token=token).body == NOT_FOUND
    assert stack.request("GET", "/nowhere", token=token).status == 404
    # a known path with a method it does not serve: HTTP APIs answer 404, not 405
    assert stack.request("PATCH", "/distributors", token=token).status == 404


def test_routes_are_served_under_api_only(stack: Any) -> None:
    outside = stack.url.removesuffix("/api")
    reply = stack.request("GET", "/distributors", token=stack.token())
    assert reply.status != 404

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(outside + "/distributors", timeout=10)
    assert caught.value.code == 404


def test_a_cors_preflight_is_answered_from_the_template(stack: Any) -> None:
    reply = stack.request(
        "OPTIONS",
        "/distributors",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )

    assert reply.status == 204
    # the template's AllowedOrigins parameter, never "*"
    assert reply.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert "authorization" in reply.headers["access-control-allow-headers"].lower()


def test_a_body_over_10_mb_gets_413(stack: Any) -> None:
    reply = stack.request(
        "POST",
        "/distributors",
        token=stack.token(),
        body=b"x" * (10 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 413
    assert reply.body == TOO_LARGE


def test_a_token_outlives_a_restart_of_the_stack(stack_factory: Callable[..., Any]) -> None:
    first = stack_factory()
    token = first.printed_token()
    assert first.request("GET", "/distributors", token=token).status != 401
    first.stop()

    second = stack_factory()
    reply = second.request("GET", "/distributors", token=token)

    # 500 is fine here: only the authorizer's verdict is under test.
    assert reply.status != 401, reply.text


def test_the_templates_tables_and_buckets_exist_in_moto(stack: Any) -> None:
    template = load_template()
    dynamodb = stack.aws_client("dynamodb")
    s3 = stack.aws_client("s3")

    for spec in template.tables.values():
        table = dynamodb.describe_table(TableName=spec.name)["Table"]
        assert table["KeySchema"] == spec.properties["KeySchema"]
        indexes = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        assert indexes == {
            i["IndexName"] for i in spec.properties.get("GlobalSecondaryIndexes", [])
        }
        ttl = spec.properties.get("TimeToLiveSpecification")
        if ttl and not ON_DYNALITE:  # dynalite has no TTL (the code checks expiry on read)
            described = dynamodb.describe_time_to_live(TableName=spec.name)
            assert described["TimeToLiveDescription"]["AttributeName"] == ttl["AttributeName"]
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {spec.name for spec in template.buckets.values()} <= buckets


def test_the_sam_env_file_points_every_function_at_the_local_moto() -> None:
    template = load_template()
    env = json.loads((Path(__file__).parents[2] / "events" / "env.local.json").read_text())

    assert env["Parameters"]["AWS_ENDPOINT_URL"].startswith("http://host.docker.internal:")
    for name in template.resource_environment_names():
        assert env["Parameters"][name] == template.environment()[name]


# the event the handler receives --------------------------------------------------


def test_the_handler_receives_api_gateways_payload_format_2(echo: Any) -> None:
    token = echo.token(role="owner", user="u1", org="o1")

    reply = echo.request(
        "POST",
        "/things/a%20b?x=1&x=2&y=",
        token=token,
        json={"k": "v"},
        headers={"X-Dup": "one", "Cookie": "s=1; t=2", "User-Agent": "e2e"},
    )
    event = seen(reply)["event"]

    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /things/{id}"
    assert event["rawPath"] == "/api/things/a%20b"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["pathParameters"] == {"id": "a b"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-dup"] == "one"
    assert event["headers"]["content-type"] == "application/json"
    assert all(name == name.lower() for name in event["headers"])
    assert event["body"] == '{"k": "v"}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["routeKey"] == "ANY /things/{id}"
    assert context["http"]["method"] == "POST"
    assert context["http"]["path"] == "/api/things/a%20b"
    assert context["http"]["userAgent"] == "e2e"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["timeEpoch"], int)
    assert context["requestId"] == reply.headers["apigw-requestid"]
    jwt = context["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "u1"
    assert jwt["claims"]["org_id"] == "o1"
    assert jwt["claims"]["org_role"] == "owner"
    assert all(isinstance(value, str) for value in jwt["claims"].values())
    assert jwt["scopes"] is None


def test_binary_and_multipart_bodies_arrive_base64_encoded(echo: Any) -> None:
    token = echo.token()
    raw = b"\x00\x01binary\xff"

    binary = seen(
        echo.request(
            "PUT",
            "/things/1",
            token=token,
            body=raw,
            headers={"Content-Type": "application/octet-stream"},
        )
    )["event"]
    multipart = seen(
        echo.request(
            "POST",
            "/things/1",
            token=token,
            body=b"--b\r\n\r\nx\r\n--b--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
    )["event"]
    text = seen(
        echo.request(
            "POST", "/things/1", token=token, body=b"a,b", headers={"Content-Type": "text/csv"}
        )
    )["event"]

    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw
    assert multipart["isBase64Encoded"] is True
    assert text["isBase64Encoded"] is False
    assert text["body"] == "a,b"


def test_a_get_without_body_or_query_leaves_those_keys_out(echo: Any) -> None:
    event = seen(echo.request("GET", "/things/1", token=echo.token()))["event"]

    assert "body" not in event
    assert "queryStringParameters" not in event
    assert "cookies" not in event
    assert event["isBase64Encoded"] is False


def test_a_static_segment_wins_over_a_path_parameter(echo: Any) -> None:
    token = echo.token()

    assert seen(echo.request("GET", "/things/special", token=token))["event"]["routeKey"] == (
        "GET /things/special"
    )
    assert seen(echo.request("POST", "/things/special", token=token))["event"]["routeKey"] == (
        "ANY /things/{id}"
    )


def test_a_route_with_authorizer_none_needs_no_token(echo: Any) -> None:
    event = seen(echo.request("GET", "/public"))["event"]

    assert event["routeKey"] == "GET /public"
    assert "authorizer" not in event["requestContext"]


def test_the_context_stands_in_for_lambdas(echo: Any) -> None:
    body = seen(echo.request("GET", "/things/1", token=echo.token()))

    assert body["function_name"] == "EchoFunction"
    assert body["memory"] == 256
    assert body["arn"].endswith(":function:EchoFunction")
    assert 0 < body["remaining_ms"] <= 7000
    assert body["table"] == "EchoTable"


# the response API Gateway sends back -----------------------------------------------


def test_the_handlers_response_is_mapped_back(echo: Any) -> None:
    reply = echo.request(
        "GET", "/things/1", token=echo.token(), headers={"Origin": "https://app.example.com"}
    )

    assert reply.status == 201
    assert reply.headers["x-one"] == "1"
    assert reply.headers.get_all("x-many") == ["a", "b"]
    assert reply.headers.get_all("set-cookie") == ["c1=v1; Path=/", "c2=v2"]
    # the API's CORS configuration wins over the handler's own CORS headers
    assert reply.headers.get_all("access-control-allow-origin") == ["https://app.example.com"]
    assert reply.headers["access-control-expose-headers"] == "x-one"


def test_a_result_without_status_code_becomes_a_200_json_response(echo: Any) -> None:
    reply = echo.request("GET", "/things/plain", token=echo.token())

    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.json() == {"hello": "world"}


def test_an_exception_in_the_handler_becomes_api_gateways_500(echo: Any) -> None:
    reply = echo.request("GET", "/things/boom", token=echo.token())

    assert reply.status == 500
    assert reply.body == INTERNAL_ERROR


def test_a_function_whose_module_is_missing_answers_500(echo: Any) -> None:
    reply = echo.request("GET", "/missing", token=echo.token())

    assert reply.status == 500
    assert reply.body == INTERNAL_ERROR


def test_an_event_over_lambdas_6_mb_gets_413(echo: Any) -> None:
    reply = echo.request(
        "POST",
        "/things/1",
        token=echo.token(),
        body=b"x" * (7 * 1024 * 1024),
        headers={"Content-Type": "text/plain"},
    )

    assert reply.status == 413
    assert reply.body == TOO_LARGE


def test_a_cors_preflight_from_an_origin_not_allowed_gets_no_allow_origin(stack: Any) -> None:
    reply = stack.request(
        "OPTIONS",
        "/distributors",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )

    assert reply.headers.get("access-control-allow-origin") is None
