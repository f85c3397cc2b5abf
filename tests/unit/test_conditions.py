"""Conditions joined at one level: what DynamoDB reads as pynamodb's nested pairs, in a
form every implementation parses quickly (dynalite's parser is exponential in nesting)."""

from __future__ import annotations

import pytest

from orgimport.storage.conditions import all_of, any_of
from orgimport.storage.models import DistributorItem


def serialized(condition) -> tuple[str, dict, dict]:
    names: dict = {}
    values: dict = {}
    return condition.serialize(names, values), names, values


def test_any_of_joins_every_condition_at_one_level():
    text, names, values = serialized(
        any_of(
            [
                DistributorItem.name == "a",
                DistributorItem.city == "b",
                DistributorItem.notes.exists(),
            ]
        )
    )
    assert text == "(#0 = :0 OR #1 = :1 OR attribute_exists (#2))"
    assert names == {"name": "#0", "city": "#1", "notes": "#2"}
    assert values == {":0": {"S": "a"}, ":1": {"S": "b"}}


def test_all_of_nests_its_parts_as_they_are():
    inner = DistributorItem.name.does_not_exist() | (DistributorItem.name != "x")
    text, _, _ = serialized(all_of([DistributorItem.pk.exists(), inner]))
    assert text == "(attribute_exists (#0) AND (attribute_not_exists (#1) OR #1 <> :0))"


def test_one_condition_is_itself_and_none_is_refused():
    one = DistributorItem.pk.exists()
    assert any_of([one]) is one
    with pytest.raises(ValueError):
        all_of([])
