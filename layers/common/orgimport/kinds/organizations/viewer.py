"""A caller as an organization kind sees it: its scope, and where its own organization
stands in the hierarchy (CONTRACT section 8).

The owner stands above everything (`path` empty). Any other caller's organization is a
record of its role's tier, and its path is that record's ancestors and itself: a
distributor D is `(D,)`, a reseller R under D is `(D, R)`. A record the caller creates
carries the caller's path; a record is in the caller's scope when its path starts with
the caller's (or is it, when the scope is the caller's children only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from orgimport.core.errors import NotAllowed
from orgimport.core.identity import Caller
from orgimport.core.policy import Scope
from orgimport.kinds.organizations.record import Organization
from orgimport.kinds.organizations.tier import TIER_OF_ROLE, Tier


class Placed(Protocol):
    """A record with a place in the hierarchy (an organization, a user)."""

    @property
    def path(self) -> tuple[str, ...]: ...


class Viewer(NamedTuple):
    caller: Caller
    scope: Scope = Scope()
    path: tuple[str, ...] = ()  # the caller's organization and its ancestors, top first

    @property
    def parent_id(self) -> str:
        """The parent of the records this caller creates: its own organization."""
        return self.caller.org_id

    def sees(self, record: Placed) -> bool:
        if self.scope.everything:
            return True
        if self.scope.children_only:
            return record.path == self.path
        return record.path[: len(self.path)] == self.path

    @property
    def within(self) -> tuple[str, ...] | None:
        """The path a listing keeps to (None: everything)."""
        return None if self.scope.everything else self.path


# (tier, organization id) -> the organization's record, or None
OrganizationLookup = Callable[[Tier, str], Organization | None]


def viewer_of(caller: Caller, scope: Scope, lookup: OrganizationLookup) -> Viewer:
    """The caller with its scope and path: the owner (and the S3 actor, who acts as the
    owner) stands above everything; any other caller's organization must be an active
    record of its role's tier, else 403."""
    if caller.is_owner:
        return Viewer(caller, scope)
    tier = TIER_OF_ROLE.get(caller.role)
    record = lookup(tier, caller.org_id) if tier is not None and caller.org_id else None
    if record is None or record.archived:
        raise NotAllowed("forbidden: your organization is not known to this service")
    return Viewer(caller, scope, (*record.path, record.id))
