"""Validate a distributors CSV: bytes in, a stored import session out.

parse (csv_reader) -> one batched VAT lookup -> row rules (import_rules) ->
session saved with its lifetime. Nothing is written to distributors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol

from orgimport.core.identity import Caller
from orgimport.imports.csv_reader import read_csv
from orgimport.imports.judge import judge_rows, vat_keys_of
from orgimport.imports.session import ENTITY_DISTRIBUTORS, ImportSession
from orgimport.kinds.distributors.columns import DISTRIBUTOR_COLUMNS, REQUIRED_COLUMNS
from orgimport.kinds.organizations.record import Distributor


class VatHolders(Protocol):
    def holders_of(self, vat_keys: Iterable[str]) -> dict[str, Distributor]: ...


class SessionWriter(Protocol):
    def save_new(self, session: ImportSession) -> None: ...


def validate_csv(
    data: bytes,
    caller: Caller,
    distributors: VatHolders,
    sessions: SessionWriter,
    *,
    now: int,
    ttl_seconds: int,
    source: str | None = None,
    import_id: str | None = None,
) -> ImportSession:
    """Judge every row of `data` and store the verdicts as a new session.

    Raises FileRejected for file-level problems (size, rows, columns, encoding),
    before any store access. `now` is epoch seconds; the session dies at now + ttl.
    """
    table = read_csv(data, expected_columns=DISTRIBUTOR_COLUMNS, required_columns=REQUIRED_COLUMNS)
    holders = distributors.holders_of(vat_keys_of(table.records))
    session = ImportSession(
        import_id=import_id or str(uuid.uuid4()),
        entity_type=ENTITY_DISTRIBUTORS,
        actor=caller.actor,
        user_id=caller.user_id,
        org_id=caller.org_id,
        created_at=now,
        expires_at=now + ttl_seconds,
        rows=judge_rows(table.records, holders),
        source=source,
    )
    sessions.save_new(session)
    return session
