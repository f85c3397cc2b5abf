"""A kind of record, as the import pipeline sees it.

The pipeline (read file -> judge rows -> session -> confirm -> report -> status)
never names a kind: distributors, resellers, customers and users are values of
`Kind`, which say what the pipeline needs to know, and a `KindRecords` per kind
(built by `orgimport.wiring`) reaches the records. A kind lives in its own
folder under `orgimport.kinds`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.core.policy import KindPolicy
from orgimport.imports.headers import alias_table
from orgimport.imports.session import Diagnostic, RowOutcome, RowVerdict

# the names of the files an S3 import reads (the content decides how: CSV or workbook)
IMPORT_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx")


@dataclass(frozen=True)
class Column:
    """One column of a kind's file."""

    name: str  # the header a file names it by, and the key of a row's `data`
    field: str  # the record field it fills, as the API's error keys name it
    required: bool = False  # a file whose header lacks it is rejected
    # other headers people write for it, in English and Italian (`Partita IVA`)
    aliases: tuple[str, ...] = ()
    # what the column holds and its rules, in Italian and in English (the template's guide)
    guide: tuple[str, str] = ("", "")
    # a column of codes whose leading zeros matter (VAT, phone): text in the workbook
    as_text: bool = False


@dataclass(frozen=True)
class UpdateTarget:
    """The stored record a warning row updates with `override`."""

    record_id: str
    key: str  # the identity key it was found by, which the update must still hold
    changes: dict[str, dict[str, Any]]  # column -> {"from": stored, "to": the file's}


@dataclass(frozen=True)
class RowFindings:
    """What a kind's rules find on one row, before the pipeline's own checks."""

    errors: tuple[Diagnostic, ...] = ()  # the field rules broken
    conflicts: tuple[Diagnostic, ...] = ()  # errors against the store (e.g. archived)
    warnings: tuple[Diagnostic, ...] = ()
    target: UpdateTarget | None = None  # the record an override would update
    # the row names several records (an `ambiguous` diagnostic with its candidates)
    ambiguity: Diagnostic | None = None
    # what the rules add to the row's `data` (e.g. the one organization a name matched)
    resolved: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """Everything the pipeline knows of one kind of record."""

    name: str  # "distributors": the session's entity type, the routes' and S3 prefixes' word
    noun: str  # "distributor": one record, in messages, logs and the report's id column
    columns: tuple[Column, ...]
    key_column: str  # the column whose identity is unique within a file and the store
    policy: KindPolicy
    # the row's identity key: what rows are compared by and looked up with (None: none)
    identity_key: Callable[[Mapping[str, str]], str | None]
    template_rows: tuple[Mapping[str, str], ...]  # examples that pass every rule
    # rows of this kind can be ambiguous, and a confirm's `resolutions` settle them by
    # setting this key of the row's data to the chosen candidate (None: never ambiguous,
    # `resolutions` ignored)
    resolution_key: str | None = None

    @property
    def takes_resolutions(self) -> bool:
        return self.resolution_key is not None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def header_table(self) -> dict[str, str]:
        """A header as compared (`orgimport.imports.headers.header_key`) -> its column."""
        return alias_table(self.column_names, {c.name: c.aliases for c in self.columns})

    @property
    def incoming_prefix(self) -> str:
        """Where a file of this kind is put in the import bucket to be imported."""
        return f"incoming/{self.name}/"

    @property
    def reports_prefix(self) -> str:
        """Where the reports of those files are written."""
        return f"reports/{self.name}/"

    def imports_key(self, key: str) -> bool:
        """A key put in the import bucket that is a file of this kind: under its incoming
        prefix, ending in .csv or .xlsx, with a name."""
        prefix = self.incoming_prefix
        suffix = next((s for s in IMPORT_SUFFIXES if key.endswith(s)), "")
        return bool(suffix) and key.startswith(prefix) and len(key) > len(prefix) + len(suffix)

    @property
    def id_column(self) -> str:
        return f"{self.noun}_id"

    @property
    def storage_failure(self) -> str:
        """The error of a row whose write failed for a reason other than the rules."""
        return (
            f"the {self.noun} could not be saved because of a storage error;"
            " this row was not imported"
        )


class RowWriter(Protocol):
    """One confirm's writes of a kind's rows, each outcome decided by the kind."""

    def create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        """Create the records of valid rows (one batched write); a row that cannot be
        created is `failed`; an exception means none of the batch was written."""
        ...

    def update(self, row: RowVerdict) -> RowOutcome:
        """Apply a warning row to the record it found (`override`)."""
        ...


class KindRecords(Protocol):
    """A kind's records, as validate and confirm reach them."""

    def findings(self, rows: Sequence[Mapping[str, str]], caller: Caller) -> list[RowFindings]:
        """The kind's rules on each row (its trimmed cells), as `caller` sees the store:
        what they need from it is read in batches for the whole file, never per row."""
        ...

    def writer(self, caller: Caller, import_id: str, run: Mapper) -> RowWriter:
        """The writer of one confirm; `run` maps the rows' writes (a thread pool's map)."""
        ...
