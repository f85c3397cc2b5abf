"""The local commands a newcomer runs: the `sam local` env file follows the template and
the moto port, and `make token` names its subject by SUB, never the shell's USER."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jwt

from local.sam_env import render
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_sam_env_file_is_what_the_template_gives() -> None:
    committed = (ROOT / "events" / "env.local.json").read_text()
    assert committed == render(load_template()), "run `make sam-env`"


def test_the_sam_env_file_follows_the_moto_port() -> None:
    env = json.loads(render(load_template(), moto_port=3101))
    assert env["Parameters"]["AWS_ENDPOINT_URL"] == "http://host.docker.internal:3101"
    assert all(v["AWS_ENDPOINT_URL"].endswith(":3101") for v in env.values())


def _token_subject(*args: str) -> str:
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "token", *args],
        cwd=ROOT,
        env={**os.environ, "USER": "someone-logged-in"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    claims = jwt.decode(done.stdout.strip(), options={"verify_signature": False})
    return str(claims["sub"])


def test_make_token_takes_its_subject_from_sub_not_from_the_shells_user() -> None:
    assert _token_subject() == "local-user"
    assert _token_subject("SUB=u9") == "u9"
