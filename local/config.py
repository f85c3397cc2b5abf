"""Constants of the local stack: where things live and the values that stand in for AWS."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
# Gitignored: state that must survive restarts (the JWT signing key).
STATE_DIR = REPO_ROOT / ".local"

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
STACK_NAME = "partner-import-local"
# moto accepts any credentials; fixed ones keep requests signable and never real.
FAKE_CREDENTIAL = "local"

# Not a reachable URL: tokens must stay valid whatever port the front listens on.
LOCAL_ISSUER = "https://issuer.partner-import.local"
LOCAL_AUDIENCE = "partner-import-local"

HOST = "127.0.0.1"
DEFAULT_PORT = 3000
# A fixed moto port so events/env.local.json can point `sam local` at it.
DEFAULT_MOTO_PORT = 3001
# The contract's base URL ends in /api: every route is served under it.
API_PREFIX = "/api"
# Endpoints of the local stack itself, not routes of the template.
LOCAL_ENDPOINTS_PREFIX = "/_local"
