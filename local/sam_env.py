"""The `--env-vars` file for `sam local invoke` / `sam local start-api` against the local moto.

`make sam-env` (`python -m local.sam_env [--moto-port N] > events/env.local.json`)
regenerates it from template.yaml, for the moto port `make local MOTO_PORT=N` uses:
per function (keyed by logical id, as SAM expects) its
variables with local values, and a "Parameters" block applied to every
function. Inside SAM's container the host's moto is `host.docker.internal`.

SAM only overrides variables the template declares for the function, so the
AWS_ENDPOINT_URL entry reaches a function only once template.yaml declares it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from local.config import DEFAULT_MOTO_PORT
from local.specs import Template
from local.template import load_template

DOCKER_HOST = "host.docker.internal"


def sam_env_vars(template: Template, moto_port: int = DEFAULT_MOTO_PORT) -> dict[str, Any]:
    # AWS_REGION and credentials are Lambda-reserved: SAM sets them from --region and the shell.
    endpoint = {"AWS_ENDPOINT_URL": f"http://{DOCKER_HOST}:{moto_port}"}
    # the template declares AWS_ENDPOINT_URL empty (real AWS): the local value must win
    env: dict[str, Any] = {"Parameters": {**template.environment(), **endpoint}}
    for logical_id, spec in sorted(template.functions.items()):
        env[logical_id] = {**spec.environment, **endpoint}
    return env


def render(template: Template, moto_port: int = DEFAULT_MOTO_PORT) -> str:
    return json.dumps(sam_env_vars(template, moto_port), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.sam_env", description=__doc__)
    parser.add_argument("--moto-port", type=int, default=DEFAULT_MOTO_PORT)
    args = parser.parse_args(argv)
    sys.stdout.write(render(load_template(), args.moto_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
