"""Judging organization rows against given holders, without a store: the verdicts
validate would give when the kind's records found `holders` (identity key -> record)."""

from collections.abc import Mapping, Sequence
from typing import Any

from orgimport.imports.csv_reader import CsvRecord
from orgimport.imports.judge import judge_found, row_data
from orgimport.imports.kind import Kind
from orgimport.imports.session import RowVerdict
from orgimport.kinds.organizations.rules import identity_key, judge_row


def judge_rows(
    kind: Kind, records: Sequence[CsvRecord], holders: Mapping[str, Any]
) -> list[RowVerdict]:
    rows = [row_data(kind, r) for r in records]
    found = [judge_row(d, holders.get(k) if (k := identity_key(d)) else None) for d in rows]
    return judge_found(kind, records, found)
