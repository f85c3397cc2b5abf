"""The `--env-vars` file for `sam local invoke` / `sam local start-api` against the local moto.

`python -m local.sam_env > events/env.local.json` regenerates it from
template.yaml: per function (keyed by logical id, as SAM expects) its
variables with local values, and a "Parameters" block applied to every
function. Inside SAM's container the host's moto is `host.docker.internal`.

SAM only overrides variables the template declares for the function, so the
AWS_ENDPOINT_URL entry reaches a function only once template.yaml declares it.
"""

from __future__ import annotations

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


def main() -> int:
    sys.stdout.write(render(load_template()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
