"""Who is calling: read from the claims API Gateway's JWT authorizer verified."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from orgimport.core.config import settings
from orgimport.core.errors import Unauthenticated

OWNER = "owner"

# Who acts: a token's user, or the S3 import function. The kind is never read from a
# token, so a token whose `sub` looks like an S3 principal (`s3:...`) is still a user.
ActorKind = Literal["user", "s3"]
ACTOR_USER: ActorKind = "user"
ACTOR_S3: ActorKind = "s3"


# user roles that may read but not write (CONTRACT section 8), compared lower-cased
READ_ONLY_USER_ROLES = frozenset({"reader", "support"})
# user roles that manage users (CONTRACT section 8), compared lower-cased
USER_ADMIN_ROLES = frozenset({"super admin", "admin"})
_TWO_WORD_ROLES = frozenset({"super admin"})


@dataclass(frozen=True)
class Caller:
    user_id: str
    org_id: str
    role: str  # the organization role, lower-cased
    actor: ActorKind = ACTOR_USER
    # the user's roles (claim `user_roles`), lower-cased; () when the token has none
    user_roles: tuple[str, ...] = ()

    @property
    def read_only(self) -> bool:
        """Every user role is Reader or Support: reads only (no claim: unaffected)."""
        return bool(self.user_roles) and all(r in READ_ONLY_USER_ROLES for r in self.user_roles)

    @property
    def manages_users(self) -> bool:
        """Some user role is Admin or Super Admin (no claim: none)."""
        return any(r in USER_ADMIN_ROLES for r in self.user_roles)

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    def as_created_by(self) -> dict[str, str]:
        return {"user_id": self.user_id, "org_id": self.org_id}

    def is_actor(self, actor: str, user_id: str, org_id: str) -> bool:
        """Whether this caller is the one named: same kind, user and organization."""
        return (self.actor, self.user_id, self.org_id) == (actor, user_id, org_id)


def system_caller(principal: str) -> Caller:
    """The actor of S3-triggered imports: no token, an S3 principal instead, acting as the
    owner organization (the records it creates have it as parent) with the owner's
    Super Admin rights over users: putting a file in the bucket takes AWS rights already."""
    return Caller(
        user_id=principal,
        org_id=settings().owner_org_id,
        role=OWNER,
        actor=ACTOR_S3,
        user_roles=("super admin",),
    )


def caller_from_claims(claims: dict[str, Any] | None) -> Caller:
    """Build the caller from verified claims; no claims at all -> 401."""
    if not claims or not claims.get("sub"):
        raise Unauthenticated("unauthorized")
    cfg = settings()
    role = str(claims.get(cfg.org_role_claim) or "").strip().lower()
    return Caller(
        user_id=str(claims["sub"]),
        org_id=str(claims.get(cfg.org_id_claim) or ""),
        role=role,
        user_roles=user_roles_of(claims.get(cfg.user_roles_claim)),
    )


def _gateway_list(text: str) -> list[str]:
    """A list claim as API Gateway's JWT authorizer hands it on: `[Super Admin Reader]`,
    its items joined by spaces. A two-word role the contract names is read back whole."""
    words = text[1:-1].split()
    items: list[str] = []
    for word in words:
        if items and f"{items[-1]} {word}".lower() in _TWO_WORD_ROLES:
            items[-1] = f"{items[-1]} {word}"
        else:
            items.append(word)
    return items


def user_roles_of(raw: Any) -> tuple[str, ...]:
    """The `user_roles` claim as lower-cased names: a list of strings, a text of names
    separated by commas, or a list as API Gateway renders it (`[Admin Reader]`);
    anything else, none."""
    if isinstance(raw, str) and raw.startswith("[") and raw.endswith("]") and "," not in raw:
        items: list[Any] = _gateway_list(raw)
    elif isinstance(raw, str):
        items = raw.split(",")
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        return ()
    return tuple(str(i).strip().lower() for i in items if isinstance(i, str) and i.strip())


def caller_from_event(event: dict[str, Any]) -> Caller:
    claims = (((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}).get(
        "claims"
    )
    return caller_from_claims(claims)
