"""Validate a file: bytes in, a stored import session out.

parse (csv_reader) -> the kind's rules on every row, with what they need from the
store read in batches for the whole file -> the pipeline's own checks (judge) ->
session saved with its lifetime. Nothing is written to the kind's records.
"""

from __future__ import annotations

import uuid

from orgimport.core.identity import Caller
from orgimport.imports.file_reader import read_file
from orgimport.imports.judge import judge_found, row_data
from orgimport.imports.kind import Kind, KindRecords
from orgimport.imports.ports import SessionStore
from orgimport.imports.session import ImportSession, SourceFile
from orgimport.imports.xlsx_reader import XLSX_FORMAT


def validate_csv(
    data: bytes,
    caller: Caller,
    kind: Kind,
    records: KindRecords,
    sessions: SessionStore,
    *,
    now: int,
    ttl_seconds: int,
    source: str | None = None,
    import_id: str | None = None,
) -> ImportSession:
    """Judge every row of `data` and store the verdicts as a new session.

    `data` is a CSV or an Excel workbook (decided by its content). Raises FileRejected
    for file-level problems (size, rows, columns, encoding), before any store access.
    `now` is epoch seconds; the session dies at now + ttl.
    """
    table = read_file(
        data,
        expected_columns=kind.column_names,
        required_columns=kind.required_columns,
        aliases=kind.header_table,
    )
    findings = records.findings([row_data(kind, r) for r in table.records], caller)
    session = ImportSession(
        import_id=import_id or str(uuid.uuid4()),
        entity_type=kind.name,
        actor=caller.actor,
        user_id=caller.user_id,
        org_id=caller.org_id,
        created_at=now,
        expires_at=now + ttl_seconds,
        rows=judge_found(kind, table.records, findings),
        source=source,
        file=SourceFile(
            "xlsx" if table.encoding == XLSX_FORMAT else "csv",
            table.encoding,
            table.delimiter,
            table.sep_line,
            tuple((h.header, h.column) for h in table.header),
        ),
    )
    sessions.save_new(session)
    return session
