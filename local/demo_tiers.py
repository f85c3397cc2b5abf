"""The local stack's example hierarchy, made through its own API at start-up: a
distributor, a reseller under it and a customer under that, so that the banner
prints a token that works for every role (CONTRACT section 8).

moto holds nothing between runs, so every start makes them afresh.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from local.token import issue_token
from orgimport.core.config import Settings

# (kind, the role of its organizations, name, VAT): each made by the one before
DEMO: tuple[tuple[str, str, str, str], ...] = (
    ("distributors", "distributor", "Local Distributor S.r.l.", "IT10000010016"),
    ("resellers", "reseller", "Local Reseller S.r.l.", "IT10000020015"),
    ("customers", "customer", "Local Customer S.r.l.", "IT10000030014"),
)


def _post(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        data: dict[str, Any] = json.loads(answer.read())["data"]
        return data


def seed_tiers(api_url: str, user: str) -> dict[str, str]:
    """role -> the id of its example organization (the owner's: OWNER_ORG_ID)."""
    owner_org = Settings.from_env().owner_org_id
    orgs = {"owner": owner_org}
    role, org = "owner", owner_org
    for kind, kind_role, name, vat in DEMO:
        token = issue_token(role, user, org, ttl=300)
        made = _post(f"{api_url}/{kind}", token, {"name": name, "custom_data": {"vat": vat}})
        role, org = kind_role, str(made["id"])
        orgs[role] = org
    return orgs
