"""The committed openapi.json is what the handlers generate, and says what clients need."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.openapi import DOCUMENT_PATH, build_document, drift, main, render

USER_SCHEMAS = (
    "ImportConfirmRequest",
    "ImportConfirmResult",
    "ImportResultRow",
    "ImportValidationResult",
    "ImportRow",
    "ImportFieldError",
)


@pytest.fixture(scope="module")
def generated() -> str:
    return render(build_document())


@pytest.fixture(scope="module")
def document(generated: str) -> dict[str, Any]:
    return json.loads(generated)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def test_committed_openapi_json_is_what_the_code_generates(generated: str) -> None:
    committed = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else ""
    assert committed == generated, (
        f"{DOCUMENT_PATH.name} is out of date with the handlers: run make openapi "
        f"and commit the result.\n{drift(committed, generated)}"
    )


def test_the_check_command_fails_on_a_drifted_document(
    tmp_path: Path, generated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    drifted = tmp_path / "openapi.json"
    drifted.write_text(generated.replace('"Create a distributor"', '"Make a distributor"'))
    assert main(["--check", "--output", str(drifted)]) == 1
    err = capsys.readouterr().err
    assert "run make openapi" in err
    assert '-        "summary": "Make a distributor"' in err
    drifted.write_text(generated)
    assert main(["--check", "--output", str(drifted)]) == 0


def test_the_document_names_the_schemas_as_the_users_document_does(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    assert set(USER_SCHEMAS) <= set(schemas)
    confirm = document["paths"]["/distributors/import/confirm"]["post"]
    body = confirm["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ImportConfirmRequest"}
    ok = confirm["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    envelope = schemas[ok.rsplit("/", 1)[1]]
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/ImportConfirmResult"}


def test_every_operation_is_owner_only_behind_the_bearer_scheme(
    document: dict[str, Any],
) -> None:
    assert document["servers"][0]["url"] == "/api"
    assert document["security"] == [{"bearerAuth": []}]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "JWT"
    for method, path, op in operations(document):
        assert {"401", "403"} <= set(op["responses"]), f"{method} {path}"
        assert "422" not in op["responses"], f"{method} {path}: handlers answer 400, never 422"
        unauthorized = json.dumps(op["responses"]["401"])
        assert "GatewayError" in unauthorized, f"{method} {path}: API Gateway's own 401"


def test_every_operation_has_a_stable_id_summary_tag_and_success_schema(
    document: dict[str, Any],
) -> None:
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids)) == 48  # per kind (four): 6 CRUD, 6 import
    for method, path, op in operations(document):
        assert "_" not in op["operationId"], f"{method} {path}: a generated operation id"
        assert op["summary"] and op["tags"], f"{method} {path}"
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, f"{method} {path}"
        for code in success:
            content = op["responses"][code]["content"]
            assert all(media["schema"] for media in content.values()), f"{method} {path} {code}"


def test_validate_documents_its_three_ways_to_send_the_file(document: dict[str, Any]) -> None:
    validate = document["paths"]["/distributors/import/validate"]["post"]
    content = validate["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "text/csv", "application/json"}
    form = content["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"]["format"] == "binary"
    assert content["application/json"]["schema"]["required"] == ["upload_id"]
