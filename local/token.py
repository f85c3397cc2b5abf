"""Tokens the local stack accepts:
`python -m local.token --role distributor --user u1 --org <distributor id> --user-roles Admin`.

The org id, role and user roles claims are named by ORG_ID_CLAIM / ORG_ROLE_CLAIM /
USER_ROLES_CLAIM (defaults `org_id`, `org_role`, `user_roles`), read through the
domain's own settings so the token and the handlers agree on the names.
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


def issue_token(
    role: str,
    user: str,
    org: str,
    ttl: int = 3600,
    user_roles: list[str] | None = None,
    **extra_claims: Any,
) -> str:
    """An RS256 JWT from the local issuer; `user_roles` (when given) is the user roles
    claim; extra_claims add to or replace the standard ones."""
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
    if user_roles is not None:
        claims[settings.user_roles_claim] = user_roles
    claims.update(extra_claims)
    key = load_or_create()
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.token", description=__doc__)
    parser.add_argument("--role", default="owner")
    parser.add_argument("--user", default="local-user")
    parser.add_argument("--org", default="owner")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    parser.add_argument(
        "--user-roles", default="", help="user roles, comma-separated (e.g. Admin,Reader)"
    )
    parser.add_argument(
        "--claim", action="append", default=[], metavar="NAME=VALUE", help="an extra claim"
    )
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.claim):
        parser.error("--claim takes NAME=VALUE")
    extra = dict(item.split("=", 1) for item in args.claim)
    roles = [r.strip() for r in args.user_roles.split(",") if r.strip()] or None
    print(issue_token(args.role, args.user, args.org, ttl=args.ttl, user_roles=roles, **extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
