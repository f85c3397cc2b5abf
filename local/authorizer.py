"""API Gateway's HTTP API JWT authorizer, emulated.

Follows the documented workflow
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):

1. the identity source (`$request.header.Authorization`) holds the token,
   alone or prefixed with `Bearer ` (API Gateway accepts both);
2. the token is decoded; its `alg` must be RS256 (only RSA is supported; `none`
   and HS256 are refused before any key is used) and its `kid` must name a
   key of the JWKS;
3. the signature is checked against that key;
4. `iss` equals the issuer, `aud` (or, without `aud`, `client_id`) contains one
   of the audiences, `exp` is in the future, `nbf` and `iat` are not;
5. when the route has authorization scopes, `scope`/`scp` holds one of them.

A failure of steps 1-4 is API Gateway's own 401 `{"message":"Unauthorized"}`,
of step 5 its 403 `{"message":"Forbidden"}`. Claims reach the integration as
API Gateway passes them: every value a string.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from local.keys import ALGORITHM

UNAUTHORIZED_BODY = b'{"message":"Unauthorized"}'
FORBIDDEN_BODY = b'{"message":"Forbidden"}'
# Tolerated clock skew between the token's issuer and the gateway, in seconds.
LEEWAY_S = 5


class Unauthorized(Exception):
    """The token is missing or invalid: 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Forbidden(Exception):
    """The token is valid but lacks the route's scopes: 403."""


@dataclass(frozen=True)
class Authorization:
    claims: dict[str, str]
    scopes: list[str] | None


def claim_text(value: Any) -> str:
    """A claim value as API Gateway renders it to the integration (always a string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(claim_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{claim_text(v)}" for k, v in sorted(value.items())) + "]"
    if value is None:
        return ""
    return str(value)


def token_from_header(value: str | None) -> str:
    """The JWT in an identity source value: `Bearer <jwt>` or the bare `<jwt>`."""
    if value is None or not value.strip():
        raise Unauthorized("no token")
    parts = value.strip().split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].lower() != "bearer":
        return parts[0]
    raise Unauthorized("not a bearer token")


def _number(claims: Mapping[str, Any], name: str, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise Unauthorized(f"{name} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthorized(f"{name} is not a number")
    return float(value)


@dataclass
class JwtAuthorizer:
    issuer: str
    audiences: tuple[str, ...]
    jwks: Mapping[str, Any]
    leeway_s: int = LEEWAY_S
    _keys: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._keys = {
            str(jwk["kid"]): RSAAlgorithm.from_jwk(json.dumps(jwk))
            for jwk in self.jwks.get("keys", [])
            if jwk.get("kty") == "RSA" and jwk.get("kid")
        }

    def verify(self, header_value: str | None, now: float | None = None) -> dict[str, Any]:
        """The verified claims (as issued) of the token in header_value, or Unauthorized."""
        token = token_from_header(header_value)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized(f"algorithm {header.get('alg')!r} is not accepted")
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise Unauthorized("kid matches no key of the JWKS")
        try:
            signed = jwt.api_jws.PyJWS().decode_complete(token, key, algorithms=[ALGORITHM])
            claims = json.loads(signed["payload"])
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized("signature is not valid") from exc
        if not isinstance(claims, dict):
            raise Unauthorized("payload is not a claims object")
        self._check_claims(claims, time.time() if now is None else now)
        return claims

    def _check_claims(self, claims: Mapping[str, Any], now: float) -> None:
        if claims.get("iss") != self.issuer:
            raise Unauthorized("issuer is not accepted")
        audience = claims.get("aud", claims.get("client_id"))
        offered = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in self.audiences for a in offered):
            raise Unauthorized("audience is not accepted")
        expires = _number(claims, "exp", required=True)
        if expires is not None and expires <= now - self.leeway_s:
            raise Unauthorized("the token has expired")
        for name in ("nbf", "iat"):
            moment = _number(claims, name, required=False)
            if moment is not None and moment > now + self.leeway_s:
                raise Unauthorized(f"{name} is in the future")

    def authorize(
        self,
        header_value: str | None,
        required_scopes: Iterable[str] = (),
        now: float | None = None,
    ) -> Authorization:
        """Verify the token and the route's scopes; the claims as the integration sees them."""
        claims = self.verify(header_value, now)
        raw_scopes = claims.get("scope", claims.get("scp"))
        if isinstance(raw_scopes, str):
            scopes: list[str] | None = raw_scopes.split()
        elif isinstance(raw_scopes, list):
            scopes = [str(s) for s in raw_scopes]
        else:
            scopes = None
        required = list(required_scopes)
        if required and not set(required) & set(scopes or []):
            raise Forbidden("the token has none of the route's scopes")
        return Authorization({k: claim_text(v) for k, v in claims.items()}, scopes)
