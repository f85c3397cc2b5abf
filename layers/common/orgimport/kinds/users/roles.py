"""The four user roles (CONTRACT sections 8 and 10): how a `roles` cell reads, and who
may grant which.

A cell lists role names separated by `;`. Names are compared case-insensitively and
spaces collapsed (`super  admin` is `Super Admin`), and stored as the contract spells
them; a name that is none of the four is `unknown`; a cell of separators only is
`at_least_one_required`.
"""

from __future__ import annotations

from typing import NamedTuple

from orgimport.core.identity import Caller

SUPER_ADMIN = "Super Admin"
ADMIN = "Admin"
SUPPORT = "Support"
READER = "Reader"
USER_ROLES: tuple[str, ...] = (SUPER_ADMIN, ADMIN, SUPPORT, READER)
ROLE_SEPARATOR = ";"
_CANONICAL = {r.lower(): r for r in USER_ROLES}


class RolesCell(NamedTuple):
    roles: tuple[str, ...]  # the known roles, canonical, in the order of the contract
    unknown: tuple[str, ...]  # the names that are none of the four, as written
    blank: bool  # nothing but separators and spaces (or nothing at all)


def _folded(name: str) -> str:
    return " ".join(name.split()).lower()


def read_roles(cell: str) -> RolesCell:
    names = [n.strip() for n in cell.split(ROLE_SEPARATOR)]
    names = [n for n in names if n]
    known = {_CANONICAL[_folded(n)] for n in names if _folded(n) in _CANONICAL}
    unknown = tuple(dict.fromkeys(n for n in names if _folded(n) not in _CANONICAL))
    return RolesCell(tuple(r for r in USER_ROLES if r in known), unknown, not names)


def roles_text(roles: tuple[str, ...]) -> str:
    """Roles as a cell writes them (`Admin;Reader`)."""
    return ROLE_SEPARATOR.join(roles)


def may_grant(caller: Caller, roles: tuple[str, ...]) -> bool:
    """`Super Admin` only by a Super Admin of the owner organization; `Admin` only by an
    Admin or a Super Admin; `Support` and `Reader` by anyone who may manage users."""
    held = set(caller.user_roles)
    if SUPER_ADMIN in roles and not (caller.is_owner and SUPER_ADMIN.lower() in held):
        return False
    return not (ADMIN in roles and not caller.manages_users)
