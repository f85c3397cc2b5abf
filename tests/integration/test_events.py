"""Every event under events/ goes through the handler its route (or S3 trigger) names.

These are the files `sam local invoke -e` takes; this test keeps them working.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.template import load_template
from orgimport import wiring
from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import Organization, utc_now
from orgimport.kinds.organizations.tier import TIERS
from orgimport.kinds.users.record import User, user_id_of
from tests.integration.conftest import call_handler, envelope
from tests.vats import it_vat

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT_FILES = sorted(p for p in EVENTS.glob("*.json") if p.name != "env.local.json")
# the distributor the distributors_* events name
KNOWN_ID = "5f0c2f5e-8a43-4a0e-9a53-2f7b6c1f7a10"
KNOWN_EMAIL = "known.user@example.com"  # the user the users_* events name


def function_dir_for(event: dict[str, Any]) -> str:
    template = load_template()
    if "Records" in event:
        logical_id = template.s3_triggers[0].function  # every prefix's trigger: one function
    else:
        (route,) = [r for r in template.routes if r.route_key == event["routeKey"]]
        logical_id = route.function
    return template.functions[logical_id].code_dir.name


def seed_known_user() -> None:
    """The user the users_* events name (its id follows from its email)."""
    now = utc_now()
    wiring.users().store.insert(
        User(
            user_id_of(KNOWN_EMAIL),
            KNOWN_EMAIL,
            "Known",
            "owner",
            ("Reader",),
            now,
            now,
            "u0",
            "owner",
            created_for="seed",
        )
    )


def seed_known_distributor() -> None:
    """The record the <kind>_* events name, in every organization tier, and the user the
    users_* events name."""
    seed_known_user()
    now = utc_now()
    for tier in TIERS:
        repo = wiring.organization_store(tier)
        known = Organization(
            id=KNOWN_ID,
            fields=DistributorFields(name="Known", vat=it_vat(0)).cleaned(),
            created_at=now,
            updated_at=now,
            created_by_user="u0",
            created_by_org="o0",
        )
        repo.claim_vat(it_vat(0), KNOWN_ID, scope=tier.vat_scope("o0"))
        repo.insert(known)


def test_there_is_an_event_for_every_route():
    routes = {r.route_key for r in load_template().routes}
    covered = {json.loads(p.read_text()).get("routeKey") for p in EVENT_FILES}
    assert routes <= covered, routes - covered


@pytest.mark.parametrize("path", EVENT_FILES, ids=[p.name for p in EVENT_FILES])
def test_event_file_passes_through_its_handler(aws, path):
    seed_known_distributor()
    event = json.loads(path.read_text())
    result = call_handler(function_dir_for(event), event)
    if "Records" in event:
        return  # asynchronous S3 function: no HTTP response to read
    assert result["statusCode"] < 500, result
    if result.get("headers", {}).get("Content-Type", "").startswith("application/json"):
        body = envelope(result)
        assert body["code"] == result["statusCode"]
    if path.name.startswith(("distributors_", "resellers_", "customers_", "users_")):
        assert result["statusCode"] in (200, 201), result
