"""Who may do what to which kind of record, and over which part of the hierarchy.

A kind declares its `KindPolicy`: for each action, the organization roles that
may take it and the scope they take it in. The HTTP adapter asks the policy
before it parses a request; the answer is the caller's `Scope`, which the
domain uses to keep records outside it invisible (CONTRACT section 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from orgimport.core.errors import NotAllowed
from orgimport.core.identity import Caller

Action = Literal["create", "read", "update", "archive", "import", "undo"]
ACTIONS: tuple[Action, ...] = ("create", "read", "update", "archive", "import", "undo")
# actions a caller whose user roles are all read-only may not take
WRITE_ACTIONS: frozenset[Action] = frozenset({"create", "update", "archive", "import", "undo"})

# How far below its own organization a role reaches for a kind:
# "all" every record; "children" records whose parent is the caller's organization;
# "descendants" records anywhere below the caller's organization.
Reach = Literal["all", "children", "descendants"]


@dataclass(frozen=True)
class Scope:
    """The part of the hierarchy a caller acts on: everything (`below` is None) or the
    records under the organization `below` (its children only, when `children_only`)."""

    below: str | None = None
    children_only: bool = False

    @property
    def everything(self) -> bool:
        return self.below is None


@dataclass(frozen=True)
class KindPolicy:
    """One kind's row of the policy table: org role -> how far it reaches, per action
    (an action missing from `reach` is allowed to nobody)."""

    kind: str
    reach: Mapping[Action, Mapping[str, Reach]] = field(default_factory=dict)
    # the 403's message for a role the table leaves out (None: names the action)
    refusal: str | None = None
    # only callers with user roles use the kind, and only Admins and Super Admins write
    # (users: a token without the claim may not manage them)
    needs_user_admin: bool = False

    def may_use(self, caller: Caller) -> bool:
        """Whether the caller's organization role takes any action on this kind."""
        return any(caller.role in roles for roles in self.reach.values())

    def authorize(self, caller: Caller, action: Action) -> Scope:
        """The caller's scope for `action`, or NotAllowed (403)."""
        reach = self.reach.get(action, {}).get(caller.role)
        if reach is None:
            raise NotAllowed(self.refusal or f"forbidden: your role may not {action} {self.kind}")
        if action in WRITE_ACTIONS and caller.read_only:
            raise NotAllowed(f"forbidden: your user roles may only read {self.kind}")
        if self.needs_user_admin and not caller.user_roles:
            raise NotAllowed(f"forbidden: your token carries no user roles, needed for {self.kind}")
        if self.needs_user_admin and action in WRITE_ACTIONS and not caller.manages_users:
            raise NotAllowed(f"forbidden: only an Admin or a Super Admin may {action} {self.kind}")
        if reach == "all":
            return Scope()
        return Scope(below=caller.org_id, children_only=reach == "children")


def owner_only(kind: str) -> KindPolicy:
    """A kind only the platform owner reads and manages, over every record."""
    return KindPolicy(
        kind,
        {action: {"owner": "all"} for action in ACTIONS},
        refusal=f"forbidden: only the owner may manage {kind}",
    )
