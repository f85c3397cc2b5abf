"""Tokens the local stack accepts: `python -m local.token --role owner --user u1 --org o1`.

The org id and role claims are named by ORG_ID_CLAIM / ORG_ROLE_CLAIM (defaults
`org_id`, `org_role`), read through the domain's own settings so the token and
the handlers agree on the names.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import jwt

from local.config import LOCAL_AUDIENCE, LOCAL_ISSUER
from local.keys import ALGORITHM, load_or_create
from orgimport.core.config import Settings


def issue_token(role: str, user: str, org: str, ttl: int = 3600, **extra_claims: Any) -> str:
    """An RS256 JWT from the local issuer; extra_claims add to or replace the standard ones."""
    settings = Settings.from_env()
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "sub": user,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        settings.org_id_claim: org,
        settings.org_role_claim: role,
    }
    claims.update(extra_claims)
    key = load_or_create()
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.token", description=__doc__)
    parser.add_argument("--role", default="owner")
    parser.add_argument("--user", default="local-user")
    parser.add_argument("--org", default="local-org")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    parser.add_argument(
        "--claim", action="append", default=[], metavar="NAME=VALUE", help="an extra claim"
    )
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.claim):
        parser.error("--claim takes NAME=VALUE")
    extra = dict(item.split("=", 1) for item in args.claim)
    print(issue_token(args.role, args.user, args.org, ttl=args.ttl, **extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
