"""The API against its own document: schemathesis runs every operation of openapi.json
on a local stack of its own, as an owner (on random ids, and on a distributor and an
import session of every kind that exist), with no token, as a reseller the service does
not hold, and as a distributor, a reseller and a customer it holds.

For every response: no 5xx, the status is documented, the body matches the documented
schema for that status and media type, and a JSON body is the envelope
`{code, message, data}` with `code` equal to the status, except API Gateway's own
`{"message": "Unauthorized"}` for a missing token (documented as such).

Deterministic: a fixed seed, derandomized generation, no example database. The stack is
started for this module alone, so the run neither sees nor leaves data for other tests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.openapi import DOCUMENT_PATH
from tests.e2e.conftest import StackProcess

# cases per operation from the fuzzing phase (the coverage phase adds its own on top)
OWNER_EXAMPLES = 100
# without a valid owner token every request ends at the gateway or the role check
REFUSED_EXAMPLES = 25
GATEWAY_UNAUTHORIZED = {"message": "Unauthorized"}

OWNER = "contract-owner"
# the owner's user roles: every operation open to it, users' included
OWNER_ROLES = ["Super Admin"]
# cases per operation on resources that exist (positive data only: ids replaced)
KNOWN_EXAMPLES = 25


def _config(mode: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20261127,
            "generation": {
                "mode": mode,
                "max-examples": OWNER_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # the Authorization header is ours to set, per caller
                "with-security-parameters": False,
            },
            "phases": {
                # methods the document does not list are API Gateway's to refuse (its own 404
                # body), not the handlers': out of the contract
                "coverage": {"unexpected-methods": []},
            },
            "request-timeout": 30,
        }
    )


schema = schemathesis.openapi.from_path(DOCUMENT_PATH, config=_config("all"))
# the operations that name an existing resource: a record of each organization kind, an
# import session of that kind
KINDS = {"distributors": "distributor", "resellers": "reseller", "customers": "customer"}
known_schema = schemathesis.openapi.from_path(DOCUMENT_PATH, config=_config("positive")).include(
    path_regex=r"^/(distributors|resellers|customers)/"
    r"(\{(distributor|reseller|customer)_id\}|import/\{import_id\}$|import/confirm$)"
)


@schemathesis.serializer("text/csv")
def _csv_body(ctx: Any, value: Any) -> bytes:
    """validate takes the CSV itself as the body."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8")


@schemathesis.check
def envelope_with_code_equal_to_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """A JSON body is {code, message, data} with code == status (but the gateway's 401)."""
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if media != "application/json":
        return None
    body = json.loads(response.content)
    if response.status_code == 401 and body == GATEWAY_UNAUTHORIZED:
        return None
    if not (isinstance(body, dict) and {"code", "message", "data"} <= set(body)):
        raise AssertionError(f"not an envelope: {response.content[:300]!r}")
    if body["code"] != response.status_code:
        raise AssertionError(f"envelope code {body['code']} != HTTP {response.status_code}")
    if not isinstance(body["message"], str) or not isinstance(body["data"], (dict, type(None))):
        raise AssertionError(f"envelope message or data of the wrong type: {body!r}")
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    envelope_with_code_equal_to_status,
]


@pytest.fixture(scope="module")
def contract_stack(stack_factory: Callable[..., StackProcess]) -> StackProcess:
    return stack_factory()


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


@pytest.fixture(scope="module")
def cases_sent() -> Iterator[Counter[tuple[str, str, int]]]:
    """Requests sent per caller, operation and status (`pytest -s` prints them)."""
    sent: Counter[tuple[str, str, int]] = Counter()
    yield sent
    print("\ncontract cases sent (caller, operation: total, per status):")
    for caller, label in sorted({(c, op) for c, op, _ in sent}):
        statuses = {s: n for (c, op, s), n in sorted(sent.items()) if (c, op) == (caller, label)}
        shown = " ".join(f"{s}x{n}" for s, n in statuses.items())
        print(f"  {caller:<16} {label:<45} {sum(statuses.values()):4d}: {shown}")


@dataclass(frozen=True)
class Known:
    """Resources that exist, so that cases reach past "not found" to the 200s: per kind,
    a record and an import session."""

    record_id: dict[str, str]
    import_id: dict[str, str]


def _known_of(stack: StackProcess, token: str, kind: str, noun: str) -> tuple[str, str]:
    # created with PUT's example body: that example then replaces it with its own VAT (200)
    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    put = document["paths"][f"/{kind}/{{{noun}_id}}"]["put"]
    (example,) = put["requestBody"]["content"]["application/json"]["examples"].values()
    created = stack.request("POST", f"/{kind}", token=token, json=example["value"])
    assert created.status == 201, created.text
    # the template's two example rows, validated: a session to confirm and to read
    template = stack.request("GET", f"/{kind}/import/template", token=token)
    validated = stack.request(
        "POST",
        f"/{kind}/import/validate",
        token=token,
        body=template.body,
        headers={"Content-Type": "text/csv"},
    )
    assert validated.status == 200, validated.text
    return created.json()["data"]["id"], validated.json()["data"]["import_id"]


@pytest.fixture(scope="module")
def known(contract_stack: StackProcess) -> Known:
    token = contract_stack.token("owner", OWNER)
    made = {kind: _known_of(contract_stack, token, kind, noun) for kind, noun in KINDS.items()}
    return Known({k: m[0] for k, m in made.items()}, {k: m[1] for k, m in made.items()})


def _run(
    case: Any,
    stack: StackProcess,
    http: requests.Session,
    caller: str,
    token: str | None,
    sent: Counter[tuple[str, str, int]],
    checks: list[Any] = CHECKS,
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = case.call(base_url=stack.url, session=http, headers=headers)
    sent[(caller, case.operation.label, response.status_code)] += 1
    case.validate_response(response, checks=checks, headers=headers)
    return response


@schema.parametrize()
def test_owner(
    case: Any,
    contract_stack: StackProcess,
    session: requests.Session,
    cases_sent: Counter[tuple[str, str, int]],
) -> None:
    """An owner reaches every handler: whatever it sends, the answer is documented, and
    data the document says is invalid is refused."""
    token = contract_stack.token("owner", OWNER, user_roles=OWNER_ROLES)
    checks = [*CHECKS, negative_data_rejection]
    response = _run(case, contract_stack, session, "owner", token, cases_sent, checks)
    assert response.status_code not in (401, 403), response.text


@known_schema.parametrize()
@settings(max_examples=KNOWN_EXAMPLES)
def test_owner_on_existing_resources(
    case: Any,
    contract_stack: StackProcess,
    session: requests.Session,
    cases_sent: Counter[tuple[str, str, int]],
    known: Known,
) -> None:
    """The same with ids that exist: reads, updates, archive, restore, confirm (first run,
    replays and conflicting bodies) and status answer as documented too."""
    kind = case.path.split("/")[1]
    if f"{KINDS[kind]}_id" in case.path_parameters:
        case.path_parameters[f"{KINDS[kind]}_id"] = known.record_id[kind]
    if "import_id" in case.path_parameters:
        case.path_parameters["import_id"] = known.import_id[kind]
    if isinstance(case.body, dict) and "import_id" in case.body:
        case.body["import_id"] = known.import_id[kind]
    token = contract_stack.token("owner", OWNER, user_roles=OWNER_ROLES)
    response = _run(case, contract_stack, session, "owner, known ids", token, cases_sent)
    assert response.status_code not in (401, 403, 404), response.text


@schema.parametrize()
@settings(max_examples=REFUSED_EXAMPLES)
def test_no_token(
    case: Any,
    contract_stack: StackProcess,
    session: requests.Session,
    cases_sent: Counter[tuple[str, str, int]],
) -> None:
    """No token: API Gateway's own 401, whatever the request."""
    response = _run(case, contract_stack, session, "no token", None, cases_sent)
    assert response.status_code == 401
    assert response.json() == GATEWAY_UNAUTHORIZED


@schema.parametrize()
@settings(max_examples=REFUSED_EXAMPLES)
def test_reseller(
    case: Any,
    contract_stack: StackProcess,
    session: requests.Session,
    cases_sent: Counter[tuple[str, str, int]],
) -> None:
    """A valid token of a caller that may not act (a role that may not use the kind, or
    an organization the service does not hold): the handler's 403 envelope."""
    token = contract_stack.token("reseller", "contract-reseller")
    response = _run(case, contract_stack, session, "reseller", token, cases_sent)
    assert response.status_code == 403
    assert response.json()["code"] == 403


# a tier's role -> the kinds whose operations it may use (CONTRACT section 8)
TIER_USES = {
    "distributor": ("resellers", "customers"),
    "reseller": ("customers",),
    "customer": (),
}


@pytest.fixture(scope="module")
def tier_orgs(contract_stack: StackProcess) -> dict[str, str]:
    """A distributor, a reseller under it and a customer under that, each made by the one
    above: role -> its organization's id."""
    chain = [
        ("distributors", "distributor", "IT10000070010"),
        ("resellers", "reseller", "IT10000080019"),
        ("customers", "customer", "IT10000090018"),
    ]
    orgs: dict[str, str] = {}
    role, org = "owner", "owner"
    for kind, kind_role, vat in chain:
        token = contract_stack.token(role, f"contract-{role}", org)
        body = {"name": f"Contract {kind_role}", "custom_data": {"vat": vat}}
        created = contract_stack.request("POST", f"/{kind}", token=token, json=body)
        assert created.status == 201, created.text
        role, org = kind_role, str(created.json()["data"]["id"])
        orgs[role] = org
    return orgs


@pytest.mark.parametrize("role", sorted(TIER_USES))
@schema.parametrize()
@settings(max_examples=REFUSED_EXAMPLES)
def test_a_tier(
    case: Any,
    contract_stack: StackProcess,
    session: requests.Session,
    cases_sent: Counter[tuple[str, str, int]],
    tier_orgs: dict[str, str],
    role: str,
) -> None:
    """A distributor, a reseller and a customer the service holds: 403 on the operations
    of kinds their role may not use (users too: their tokens carry no user roles),
    answers as documented on the others."""
    token = contract_stack.token(role, f"contract-{role}", tier_orgs[role])
    response = _run(case, contract_stack, session, role, token, cases_sent)
    if case.path.split("/")[1] in TIER_USES[role]:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
