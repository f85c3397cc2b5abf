"""pynamodb models: the shapes of the items, nothing else.

Only the repositories in this package use them. Nothing is read at import:
`bind_tables` names the tables and the region (from the settings, by
`orgimport.wiring`) before the first request. Every model talks through the process's
one DynamoDB client (`dynamodb_client`, configured from `_Meta`), not a client of its
own per model and per racing thread.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from botocore.config import Config
from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from orgimport.storage import aws_clients

DISTRIBUTOR_PREFIX = "DIST#"
VAT_PREFIX = "VAT#"
DISTRIBUTOR_ENTITY = "DISTRIBUTOR"


class TierKeys(NamedTuple):
    """How one organization tier's items are keyed in the one organizations table.

    Every tier shares the table and its indexes, told apart by the key: the item's
    `pk` prefix, its `by_name` partition (`gsi1pk`), its guards' prefix. Distributors
    keep the keys they have always had; below them, a record's `by_name` sort key
    starts with its path of ancestors (`/<id>/<id>/#<name>`), so that a tier's scope
    is one key condition (`begins_with`)."""

    item_prefix: str
    entity: str
    guard_prefix: str
    paths_in_sort_key: bool


TIER_KEYS: dict[str, TierKeys] = {
    "distributors": TierKeys(DISTRIBUTOR_PREFIX, DISTRIBUTOR_ENTITY, VAT_PREFIX, False),
    "resellers": TierKeys("RESE#", "RESELLER", VAT_PREFIX + "RESE#", True),
    "customers": TierKeys("CUST#", "CUSTOMER", VAT_PREFIX + "CUST#", True),
}


class _Meta:
    table_name: str | None = None  # set by bind_tables
    region: str | None = None
    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = 3
    # room for the confirm worker pool plus the request thread
    max_pool_connections = 80


# the client pynamodb would make from _Meta: no client-side parameter validation, its
# timeouts, pool and retries
_CLIENT_CONFIG = Config(
    parameter_validation=False,
    connect_timeout=_Meta.connect_timeout_seconds,
    read_timeout=_Meta.read_timeout_seconds,
    retries={"mode": "standard", "total_max_attempts": 1 + _Meta.max_retry_attempts},
    max_pool_connections=_Meta.max_pool_connections,
)


def dynamodb_client() -> Any:
    """The process's one DynamoDB client (`aws_clients`), every model's."""
    return aws_clients.client("dynamodb", _CLIENT_CONFIG)


class _Item(Model):
    """A model whose connection uses the process's DynamoDB client."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        connection = super()._get_connection()
        if connection.connection._client is None:
            connection.connection._client = dynamodb_client()
        return connection


class ByNameIndex(GlobalSecondaryIndex["DistributorItem"]):
    class Meta:
        index_name = "by_name"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByVatIndex(GlobalSecondaryIndex["DistributorItem"]):
    """The records of one VAT identity, of every tier (guards carry no `vat_key`)."""

    class Meta:
        index_name = "by_vat"
        projection = AllProjection()

    vat_key = UnicodeAttribute(hash_key=True)


class DistributorItem(_Item):
    """An organization record of any tier: pk = <tier prefix><id> (DIST#, RESE#, CUST#)."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_lc = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    vat = UnicodeAttribute()
    vat_key = UnicodeAttribute()
    address = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    main_contact = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    language = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by_user = UnicodeAttribute()
    created_by_org = UnicodeAttribute()
    deleted_at = UnicodeAttribute(null=True)
    # the ancestors with a record, top first, joined by "/" (absent: none, the owner's)
    path = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_name = ByNameIndex()
    by_vat = ByVatIndex()


class UsersByNameIndex(GlobalSecondaryIndex["UserItem"]):
    """by_name, as the users' items fill it: gsi1pk `USER`, gsi1sk the organization's
    path, then the name (`/<id>/.../#<name>#<id>`)."""

    class Meta:
        index_name = "by_name"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class UserItem(_Item):
    """A user: pk = USER#<id>, the id following from the email (the item is the email's
    guard). Roles are stored as a cell writes them (`Admin;Reader`)."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    email_key = UnicodeAttribute()
    name = UnicodeAttribute()
    name_lc = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    organization_id = UnicodeAttribute()
    org_role = UnicodeAttribute()
    roles = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by_user = UnicodeAttribute()
    created_by_org = UnicodeAttribute()
    created_for = UnicodeAttribute()
    deleted_at = UnicodeAttribute(null=True)
    # the organization's ancestors and itself, joined by "/" (absent: the owner's users)
    path = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_name = UsersByNameIndex()


class PhoneMarkItem(_Item):
    """The active user holding a phone's digits: pk = UPHONE#<digits>."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class VatGuardItem(_Item):
    """The uniqueness guard of one VAT identity in its scope: pk = <tier guard prefix>
    <scope><vat key> (VAT#<key> for distributors, VAT#CUST#<parent>#<key> for a customer)."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    distributor_id = UnicodeAttribute()
    vat = UnicodeAttribute()
    created_at = NumberAttribute()
    # the token of the request that wrote this guard: only that request may release it
    # (absent on guards written before tokens; those are matched by distributor_id)
    claim_id = UnicodeAttribute(null=True)


class SessionPartItem(_Item):
    """One part of an import session: pk = import id, sk = part name.

    `META` is the header (owner, status, confirm bookkeeping); `ROWS#nnnn`
    hold the rows' verdicts and `RESULT#nnnn` the confirm outcomes, both as
    zlib-compressed JSON (a 1000-row session does not fit in one 400 KB item);
    a part longer than one item continues in `<part>/<digest>/nnn` items.
    """

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = NumberAttribute()  # the TTL attribute (epoch seconds)
    payload = BinaryAttribute(null=True, legacy_encoding=False)
    # a part's head, when the part continues in more items: how many in all, and the
    # digest of the whole payload (which names the continuation items)
    pieces = NumberAttribute(null=True)
    digest = UnicodeAttribute(null=True)
    # META only
    status = UnicodeAttribute(null=True)
    entity_type = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)  # who owns it: a token's user, or the S3 actor
    user_id = UnicodeAttribute(null=True)
    org_id = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)
    source = UnicodeAttribute(null=True)
    row_parts = NumberAttribute(null=True)
    request_hash = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)
    # the uploaded file's shape (SourceFile as JSON): format, encoding, delimiter, header
    file_shape = UnicodeAttribute(null=True)


def bind_tables(distributors_table: str, sessions_table: str, region: str) -> None:
    """Name each model's table and region; a model's next request connects to them."""
    for model, table in (
        (DistributorItem, distributors_table),
        (VatGuardItem, distributors_table),
        (UserItem, distributors_table),
        (PhoneMarkItem, distributors_table),
        (SessionPartItem, sessions_table),
    ):
        model.Meta.table_name = table
        model.Meta.region = region
        model._connection = None
