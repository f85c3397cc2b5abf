"""Listing and searching distributors: one Query of the by_name index per call.

A search filters the index, so its matches may be anywhere: each call reads
one page of the index (one request, at most DynamoDB's 1 MB) and answers what
that page held, with a cursor to go on (possibly no match and a cursor). How
much a page reads adapts: a search's first page reads a few entries per row it
may show, and each page that found fewer matches than it had room for lets the
next read four times as many, up to SEARCH_MAX_READ; dense matches are never
read (nor sent) by the thousand. A term that can be a VAT identity also reads
the by_vat index once on the first page, so the exact holder comes first; the
cursor then carries its id so that later pages leave it out.

Cursors are opaque: base64 of JSON `{"k": <by_name key to start after>,
"x": <id left out>, "r": <entries the next page reads>}`, each part optional.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from pynamodb.expressions.condition import Condition

from orgimport.core.errors import FieldError, ValidationFailed
from orgimport.kinds.organizations.vat import vat_key
from orgimport.storage.distributor_items import DISTRIBUTOR_KEYS, INDEX_SORT_KEY_MAX_BYTES
from orgimport.storage.models import DistributorItem, TierKeys

# A plain listing reads this many index entries per wanted row, so that archived
# distributors left out seldom shorten a page.
LIST_READ_FACTOR = 2
# A search's first page reads this many entries per wanted row; a sparse page grows the
# next read by SEARCH_READ_GROWTH, up to SEARCH_MAX_READ (DynamoDB's 1 MB may stop it first).
SEARCH_FIRST_READ_FACTOR = 5
SEARCH_READ_GROWTH = 4
SEARCH_MAX_READ = 2000
_KEY_NAMES = frozenset({"pk", "gsi1pk", "gsi1sk"})
_PARTS = frozenset({"k", "x", "r"})


@dataclass(frozen=True)
class Cursor:
    start_after: dict[str, Any] | None = None  # a by_name key (pk, gsi1pk, gsi1sk)
    excluded_id: str | None = None  # the exact VAT holder the first page showed
    read: int | None = None  # index entries the next search page reads

    def encode(self) -> str:
        raw: dict[str, Any] = {}
        if self.start_after is not None:
            raw["k"] = self.start_after
        if self.excluded_id is not None:
            raw["x"] = self.excluded_id
        if self.read is not None:
            raw["r"] = self.read
        text = json.dumps(raw, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode()

    @classmethod
    def decode(
        cls, cursor: str, keys: TierKeys = DISTRIBUTOR_KEYS, within: str | None = None
    ) -> Cursor:
        invalid = ValidationFailed([FieldError("cursor", "invalid_format", cursor)])
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (ValueError, binascii.Error, UnicodeError):
            raise invalid from None
        if isinstance(raw, dict) and set(raw) == _KEY_NAMES:
            raw = {"k": raw}  # a cursor of the earlier shape: the key alone
        if not isinstance(raw, dict) or not raw or not set(raw) <= _PARTS:
            raise invalid
        key, excluded, read = raw.get("k"), raw.get("x"), raw.get("r")
        if key is not None and not _is_index_key(key, keys, within):
            raise invalid
        if excluded is not None and not isinstance(excluded, str):
            raise invalid
        if read is not None and not (type(read) is int and 1 <= read <= SEARCH_MAX_READ):
            raise invalid
        return cls(key, excluded, read)


def _is_index_key(key: Any, keys: TierKeys, within: str | None) -> bool:
    """A by_name key DynamoDB would take as ExclusiveStartKey of this tier's query (a
    forged one must be a 400, not the store's ValidationException, and never a way out
    of the caller's scope)."""
    if not isinstance(key, dict) or set(key) != _KEY_NAMES:
        return False
    if not all(_is_string_value(v) for v in key.values()):
        return False
    pk, sort_key = key["pk"]["S"], key["gsi1sk"]["S"]
    try:
        pk_bytes, sort_bytes = len(pk.encode()), len(sort_key.encode())
    except UnicodeEncodeError:  # a lone surrogate, from JSON's \ud800
        return False
    return (
        key["gsi1pk"]["S"] == keys.entity
        and pk.startswith(keys.item_prefix)
        and sort_key.startswith(within or "")
        and pk_bytes <= 2048
        and 0 < sort_bytes <= INDEX_SORT_KEY_MAX_BYTES
    )


def _is_string_value(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)


def _index_key(raw_item: dict[str, Any]) -> dict[str, Any]:
    return {name: raw_item[name] for name in _KEY_NAMES}


def exact_vat_term(term: str) -> str | None:
    """The VAT identity a search term can be (ASCII letters and digits, at least one
    digit, as every VAT has), or None: a name-like term costs no by_vat read."""
    key = vat_key(term)
    if key and key.isascii() and key.isalnum() and any(ch.isdigit() for ch in key):
        return key
    return None


@dataclass(frozen=True)
class RawPage:
    items: list[DistributorItem]
    next_cursor: str | None


def _filter(term: str, include_archived: bool) -> Condition | None:
    condition: Condition | None = None
    if not include_archived:
        condition = DistributorItem.deleted_at.does_not_exist()
    if term:
        matches: Condition = DistributorItem.name_lc.contains(term.lower())
        if vat_key(term):
            matches = matches | DistributorItem.vat_key.contains(vat_key(term))
        condition = matches if condition is None else condition & matches
    return condition


def exact_holder(
    key: str, include_archived: bool, keys: TierKeys = DISTRIBUTOR_KEYS, within: str | None = None
) -> DistributorItem | None:
    """The record of this tier (in the scope `within`) holding VAT identity `key`: one
    Query of the by_vat index, which holds every tier's records."""
    condition: Condition = DistributorItem.gsi1pk == keys.entity
    if within:
        condition = condition & DistributorItem.gsi1sk.startswith(within)
    if not include_archived:
        condition = condition & DistributorItem.deleted_at.does_not_exist()
    results = DistributorItem.by_vat.query(key, filter_condition=condition)
    page = next(results.page_iter)
    found = [DistributorItem.from_raw_data(raw) for raw in page.get("Items", [])]
    return found[0] if found else None


class PageQuery(NamedTuple):
    """What one page asks for: the tier, and the scope as the sort key's prefix."""

    page_size: int
    cursor: str | None = None
    search: str | None = None
    include_archived: bool = False
    keys: TierKeys = DISTRIBUTOR_KEYS
    within: str | None = None  # None: the whole tier


def read_page(ask: PageQuery) -> RawPage:
    """At most `page_size` records in sort-key order (the path, then the name), from one
    page of the index."""
    page_size, include_archived = ask.page_size, ask.include_archived
    term = (ask.search or "").strip()
    position = Cursor.decode(ask.cursor, ask.keys, ask.within) if ask.cursor else Cursor()
    first: list[DistributorItem] = []
    excluded = position.excluded_id
    key = exact_vat_term(term) if term and ask.cursor is None else None
    holder = exact_holder(key, include_archived, ask.keys, ask.within) if key else None
    if holder is not None:
        first, excluded = [holder], holder.id
    read = _read_size(page_size, term, include_archived, position.read)
    in_scope = DistributorItem.gsi1sk.startswith(ask.within) if ask.within else None
    results = DistributorItem.by_name.query(
        ask.keys.entity,
        in_scope,
        filter_condition=_filter(term, include_archived),
        last_evaluated_key=position.start_after,
        page_size=read,
    )
    page = next(results.page_iter)
    room = page_size - len(first)
    matches = [raw for raw in page.get("Items", []) if raw["id"]["S"] != excluded]
    start_after = page.get("LastEvaluatedKey")
    more = start_after is not None
    next_read = min(read * SEARCH_READ_GROWTH, SEARCH_MAX_READ) if len(matches) < room else read
    if len(matches) > room:
        # cut at page_size: the next page starts after the last one shown
        matches = matches[:room]
        start_after = _index_key(matches[-1]) if matches else position.start_after
        more = True
    items = first + [DistributorItem.from_raw_data(raw) for raw in matches]
    if not more:
        return RawPage(items, None)
    return RawPage(items, Cursor(start_after, excluded, next_read if term else None).encode())


def _read_size(page_size: int, term: str, include_archived: bool, carried: int | None) -> int:
    if not term:
        return page_size if include_archived else page_size * LIST_READ_FACTOR
    if carried is not None:
        return carried
    return min(page_size * SEARCH_FIRST_READ_FACTOR, SEARCH_MAX_READ)


__all__ = ["Cursor", "PageQuery", "RawPage", "exact_holder", "exact_vat_term", "read_page"]
