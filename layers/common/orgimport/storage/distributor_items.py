"""How a distributor maps onto its DynamoDB item, and the expressions that rewrite it.

The item keeps every field under its own name, plus what the indexes need:
`name_lc` (whole, for the search filter), `gsi1pk`/`gsi1sk` (by_name: the name
cut to fit DynamoDB's key limit) and `vat_key` (by_vat, and the pin of updates).
"""

from __future__ import annotations

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from orgimport.kinds.organizations.fields import DistributorFields
from orgimport.kinds.organizations.record import FIELD_NAMES, Organization
from orgimport.kinds.organizations.vat import vat_key
from orgimport.storage.conditions import any_of
from orgimport.storage.models import TIER_KEYS, DistributorItem, TierKeys

# DynamoDB's limit for an index's sort key (gsi1sk); a 255-emoji name is 1020 bytes alone.
INDEX_SORT_KEY_MAX_BYTES = 1024
PATH_SEPARATOR = "/"
DISTRIBUTOR_KEYS = TIER_KEYS["distributors"]


def path_prefix(path: tuple[str, ...]) -> str:
    """`/<id>/<id>/`: the start of the by_name sort key of a record under `path` (ids
    hold no `/` or `#`, so one prefix never starts another's)."""
    return PATH_SEPARATOR + "".join(p + PATH_SEPARATOR for p in path)


def name_sort_key(
    name: str, distributor_id: str, keys: TierKeys = DISTRIBUTOR_KEYS, path: tuple[str, ...] = ()
) -> str:
    """The by_name sort key: the lower-cased name, cut by UTF-8 bytes on a character
    boundary so that the key with its `#<id>` suffix fits DynamoDB's 1024 bytes; for a
    tier below the distributors, after its path (`/<ancestor>/.../#<name>#<id>`)."""
    prefix = path_prefix(path) + "#" if keys.paths_in_sort_key else ""
    suffix = "#" + distributor_id
    room = INDEX_SORT_KEY_MAX_BYTES - len(prefix.encode()) - len(suffix.encode())
    return prefix + name.lower().encode()[:room].decode("utf-8", "ignore") + suffix


def path_of(item: DistributorItem) -> tuple[str, ...]:
    return tuple(item.path.split(PATH_SEPARATOR)) if item.path else ()


def to_domain(item: DistributorItem) -> Organization:
    return Organization(
        id=item.id,
        fields=DistributorFields(**{a: getattr(item, a) for a in FIELD_NAMES}),
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by_user=item.created_by_user,
        created_by_org=item.created_by_org,
        deleted_at=item.deleted_at,
        path=path_of(item),
    )


def to_item(d: Organization, keys: TierKeys = DISTRIBUTOR_KEYS) -> DistributorItem:
    name = d.fields.name or ""
    return DistributorItem(
        pk=keys.item_prefix + d.id,
        id=d.id,
        name_lc=name.lower(),  # whole: the search filters on it
        vat_key=d.vat_key,
        created_at=d.created_at,
        updated_at=d.updated_at,
        created_by_user=d.created_by_user,
        created_by_org=d.created_by_org,
        deleted_at=d.deleted_at,
        path=PATH_SEPARATOR.join(d.path) or None,
        gsi1pk=keys.entity,
        gsi1sk=name_sort_key(name, d.id, keys, d.path),
        **{a: getattr(d.fields, a) for a in FIELD_NAMES},
    )


def differs(fields: DistributorFields, ignore: tuple[str, ...]) -> Condition:
    """True while some field of the stored item is not what `fields` says."""
    some = []
    for attr in FIELD_NAMES:
        if attr in ignore:
            continue
        column = getattr(DistributorItem, attr)
        value = getattr(fields, attr)
        some.append(
            column.exists() if value is None else column.does_not_exist() | (column != value)
        )
    return any_of(some)


def overwrite_actions(
    distributor_id: str,
    fields: DistributorFields,
    updated_at: str,
    ignore: tuple[str, ...],
    keys: TierKeys = DISTRIBUTOR_KEYS,
) -> list[Action]:
    """The SETs and REMOVEs of an overwrite. Below the distributors the sort key holds
    the record's path, which the write does not know: the repository re-sorts it after
    a rename (`resort_action`)."""
    name = fields.name or ""
    actions: list[Action] = [
        DistributorItem.updated_at.set(updated_at),
        DistributorItem.name_lc.set(name.lower()),
    ]
    if not keys.paths_in_sort_key:
        actions.append(DistributorItem.gsi1sk.set(name_sort_key(name, distributor_id)))
    if "vat" not in ignore:
        actions.append(DistributorItem.vat_key.set(vat_key(fields.vat or "")))
    for attr in FIELD_NAMES:
        if attr in ignore:
            continue
        value = getattr(fields, attr)
        column = getattr(DistributorItem, attr)
        actions.append(column.set(value) if value is not None else column.remove())
    return actions


def resort_action(record_id: str, name: str, keys: TierKeys, path: tuple[str, ...]) -> Action:
    """The by_name sort key of a record named `name` under `path` (fixed at creation)."""
    return DistributorItem.gsi1sk.set(name_sort_key(name, record_id, keys, path))
