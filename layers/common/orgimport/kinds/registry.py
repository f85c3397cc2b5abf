"""Every kind the service imports, by name: what the S3 trigger and the local tools
look a key's or a route's kind up in. A new kind adds its line here."""

from __future__ import annotations

from orgimport.imports.kind import Kind
from orgimport.kinds.customers.kind import CUSTOMERS
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.resellers.kind import RESELLERS
from orgimport.kinds.users.kind import USERS

KINDS: tuple[Kind, ...] = (DISTRIBUTORS, RESELLERS, CUSTOMERS, USERS)


def kind_of_upload(key: str) -> Kind | None:
    """The kind an object put at `key` is imported as; None: the key is not imported."""
    return next((kind for kind in KINDS if kind.imports_key(key)), None)
