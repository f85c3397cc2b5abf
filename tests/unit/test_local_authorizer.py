"""The local JWT authorizer accepts what API Gateway's HTTP API authorizer accepts, nothing else."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from local import keys
from local.authorizer import UNAUTHORIZED_BODY, Forbidden, JwtAuthorizer, Unauthorized
from local.config import LOCAL_AUDIENCE, LOCAL_ISSUER
from local.keys import SigningKey, generate_key, load_or_create
from local.token import issue_token

NOW = 1_800_000_000


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_key()


@pytest.fixture(scope="module")
def other_key() -> SigningKey:
    return generate_key()


@pytest.fixture(scope="module")
def authorizer(key: SigningKey) -> JwtAuthorizer:
    return JwtAuthorizer(LOCAL_ISSUER, (LOCAL_AUDIENCE,), key.jwks())


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "sub": "u1",
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + 3600,
        "org_id": "o1",
        "org_role": "owner",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(key: SigningKey, payload: dict[str, Any], kid: str | None = None) -> str:
    return jwt.encode(payload, key.private_key, algorithm="RS256", headers={"kid": kid or key.kid})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token PyJWT would refuse to make: alg none, or HS256 keyed with a public key."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def rejects(authorizer: JwtAuthorizer, header: str | None) -> None:
    with pytest.raises(Unauthorized):
        authorizer.authorize(header, now=NOW)


def test_a_valid_bearer_token_passes_and_its_claims_come_out_as_strings(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    token = signed(key, claims(groups=["a", "b"], verified=True))

    result = authorizer.authorize(f"Bearer {token}", now=NOW)

    assert result.claims["sub"] == "u1"
    assert result.claims["org_id"] == "o1"
    assert result.claims["org_role"] == "owner"
    assert result.claims["exp"] == str(NOW + 3600)
    assert result.claims["groups"] == "[a b]"
    assert result.claims["verified"] == "true"
    assert all(isinstance(v, str) for v in result.claims.values())
    assert result.scopes is None


def test_a_bare_token_without_the_bearer_prefix_passes_as_api_gateway_documents(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    token = signed(key, claims())

    assert authorizer.authorize(token, now=NOW).claims["sub"] == "u1"


def test_an_audience_list_that_contains_the_audience_passes(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    token = signed(key, claims(aud=["someone-else", LOCAL_AUDIENCE]))

    assert authorizer.authorize(f"Bearer {token}", now=NOW).claims["sub"] == "u1"


def test_a_token_signed_with_another_key_is_rejected(
    authorizer: JwtAuthorizer, key: SigningKey, other_key: SigningKey
) -> None:
    rejects(authorizer, f"Bearer {signed(other_key, claims(), kid=key.kid)}")


def test_a_token_whose_kid_is_not_in_the_jwks_is_rejected(
    authorizer: JwtAuthorizer, other_key: SigningKey
) -> None:
    rejects(authorizer, f"Bearer {signed(other_key, claims())}")


def test_a_token_of_another_issuer_is_rejected(authorizer: JwtAuthorizer, key: SigningKey) -> None:
    rejects(authorizer, f"Bearer {signed(key, claims(iss='https://evil.example.com'))}")


def test_a_token_for_another_audience_is_rejected(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    rejects(authorizer, f"Bearer {signed(key, claims(aud='another-api'))}")


def test_an_expired_token_is_rejected(authorizer: JwtAuthorizer, key: SigningKey) -> None:
    rejects(
        authorizer, f"Bearer {signed(key, claims(iat=NOW - 7200, nbf=NOW - 7200, exp=NOW - 60))}"
    )


def test_a_token_without_exp_is_rejected(authorizer: JwtAuthorizer, key: SigningKey) -> None:
    rejects(authorizer, f"Bearer {signed(key, claims(exp=None))}")


def test_a_token_not_yet_valid_is_rejected(authorizer: JwtAuthorizer, key: SigningKey) -> None:
    rejects(authorizer, f"Bearer {signed(key, claims(nbf=NOW + 600))}")


def test_a_token_issued_in_the_future_is_rejected(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    rejects(authorizer, f"Bearer {signed(key, claims(iat=NOW + 600))}")


def test_a_few_seconds_of_clock_skew_are_tolerated(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    token = signed(key, claims(iat=NOW + 2, nbf=NOW + 2))

    assert authorizer.authorize(f"Bearer {token}", now=NOW).claims["sub"] == "u1"


def test_an_alg_none_token_is_rejected(authorizer: JwtAuthorizer, key: SigningKey) -> None:
    token = hand_made({"alg": "none", "typ": "JWT", "kid": key.kid}, claims(), secret=None)

    rejects(authorizer, f"Bearer {token}")


def test_an_hs256_token_keyed_with_the_public_key_is_rejected(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    public_pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_made({"alg": "HS256", "typ": "JWT", "kid": key.kid}, claims(), public_pem)

    rejects(authorizer, f"Bearer {token}")


def test_a_token_with_its_payload_tampered_is_rejected(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    header, _, signature = signed(key, claims()).split(".")
    forged = b64(json.dumps(claims(org_role="owner", sub="admin")).encode())

    rejects(authorizer, f"Bearer {header}.{forged}.{signature}")


def test_a_missing_authorization_header_is_rejected(authorizer: JwtAuthorizer) -> None:
    rejects(authorizer, None)
    rejects(authorizer, "")
    rejects(authorizer, "Bearer")
    rejects(authorizer, "Bearer ")


def test_another_authorization_scheme_is_rejected(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    rejects(authorizer, f"Basic {signed(key, claims())}")
    rejects(authorizer, f"Token {signed(key, claims())}")


def test_garbage_is_rejected(authorizer: JwtAuthorizer) -> None:
    rejects(authorizer, "Bearer not-a-jwt")
    rejects(authorizer, "Bearer a.b.c")
    rejects(authorizer, "Bearer " + b64(b"{}") + "." + b64(b"[]") + ".")


def test_a_route_scope_the_token_lacks_is_forbidden(
    authorizer: JwtAuthorizer, key: SigningKey
) -> None:
    token = signed(key, claims(scope="distributors.read"))

    assert authorizer.authorize(token, ["distributors.read"], now=NOW).scopes == [
        "distributors.read"
    ]
    with pytest.raises(Forbidden):
        authorizer.authorize(token, ["distributors.write"], now=NOW)


def test_the_rejection_body_is_api_gateways_own() -> None:
    assert UNAUTHORIZED_BODY == b'{"message":"Unauthorized"}'


def test_the_persisted_key_is_reloaded_with_the_same_kid(tmp_path: Path) -> None:
    first = load_or_create(tmp_path / "jwt")

    keys._loaded.clear()  # a restart: nothing cached, only the file remains
    second = load_or_create(tmp_path / "jwt")

    assert second.kid == first.kid
    assert second.jwks() == first.jwks()


def test_issued_tokens_carry_the_configured_claim_names_and_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_JWT_DIR", str(tmp_path))
    monkeypatch.setenv("ORG_ID_CLAIM", "custom:org")
    monkeypatch.setenv("ORG_ROLE_CLAIM", "custom:role")

    token = issue_token("owner", "u1", "o1")
    authorizer = JwtAuthorizer(LOCAL_ISSUER, (LOCAL_AUDIENCE,), load_or_create(tmp_path).jwks())

    result = authorizer.authorize(f"Bearer {token}", now=time.time())
    assert result.claims["custom:org"] == "o1"
    assert result.claims["custom:role"] == "owner"
    assert result.claims["sub"] == "u1"
