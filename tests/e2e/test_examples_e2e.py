"""The files in examples/ and the README's lines that use them, against the local stack:
what a newcomer runs first must work as the README says."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.e2e.conftest import StackProcess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
OWNER = {"role": "owner", "user": "e2e-examples", "org": "owner"}


def validate(stack: StackProcess, kind: str, data: bytes, content_type: str) -> dict:
    token = stack.token(**OWNER, user_roles=["Super Admin"])
    reply = stack.request(
        "POST",
        f"/{kind}/import/validate",
        token=token,
        body=data,
        headers={"Content-Type": content_type},
    )
    assert reply.status == 200, reply.text
    return dict(reply.json()["data"])


def verdicts(report: dict) -> list[tuple[int, str]]:
    return [(r["row_number"], r["status"]) for r in report["rows"]]


def test_the_example_partners_file_validates_as_its_notes_say(stack: StackProcess) -> None:
    report = validate(stack, "distributors", (EXAMPLES / "partners.csv").read_bytes(), "text/csv")
    assert verdicts(report) == [(2, "valid"), (3, "valid"), (4, "valid"), (5, "error")]


def test_the_example_workbook_holds_the_same_rows(stack: StackProcess) -> None:
    workbook = validate(
        stack,
        "distributors",
        (EXAMPLES / "partners.xlsx").read_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    text = validate(stack, "distributors", (EXAMPLES / "partners.csv").read_bytes(), "text/csv")
    assert verdicts(workbook) == verdicts(text)
    assert [r["data"] for r in workbook["rows"]] == [r["data"] for r in text["rows"]]


def test_the_example_users_file_names_the_stacks_own_organizations(stack: StackProcess) -> None:
    report = validate(stack, "users", (EXAMPLES / "users.csv").read_bytes(), "text/csv")
    assert verdicts(report) == [(2, "valid"), (3, "valid")], report["rows"]


def test_the_presigned_upload_lines_upload_and_validate_a_file(stack: StackProcess) -> None:
    env = {**os.environ, "TOKEN": stack.token(**OWNER), "API": stack.url}
    done = subprocess.run(
        ["bash", str(EXAMPLES / "presigned_upload.sh"), str(EXAMPLES / "partners.csv")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)["data"]
    assert (data["valid_rows"], data["error_rows"]) == (3, 1)
