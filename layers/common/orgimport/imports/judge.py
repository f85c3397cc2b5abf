"""Row rules of a distributors import: records and the store's VAT holders in, verdicts out.

The field rules are the CRUD API's (`distributor_rules.field_errors`), reported
under the CSV column names, so the API and the import speak the same codes.
Pure functions: the caller fetches the holders (one batched read for the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orgimport.core.limits import TEXT_MAX
from orgimport.imports.csv_reader import CsvRecord
from orgimport.imports.session import Diagnostic, RowStatus, RowVerdict
from orgimport.kinds.distributors.columns import COLUMN_TO_FIELD, DISTRIBUTOR_COLUMNS
from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from orgimport.kinds.organizations.record import Distributor
from orgimport.kinds.organizations.vat import vat_identity

# Row-level finding: cells beyond the header's columns (a stray delimiter, a shifted row).
TOO_MANY_CELLS = "too_many_cells"
ROW_FIELD = "row"

_FIELD_TO_COLUMN: dict[str, str] = {field: column for column, field in COLUMN_TO_FIELD.items()}
_COLUMN_ORDER: dict[str, int] = {c: i for i, c in enumerate(DISTRIBUTOR_COLUMNS)}
# distributor attribute -> CSV column; the VAT is the lookup key and never overwritten
_CHANGEABLE: tuple[tuple[str, str], ...] = (
    ("name", "company_name"),
    ("description", "description"),
    ("address", "address"),
    ("city", "city"),
    ("main_contact", "main_contact"),
    ("email", "email"),
    ("phone", "phone"),
    ("language", "language"),
    ("notes", "notes"),
)


def row_data(record: CsvRecord) -> dict[str, str]:
    """The ten columns as typed, trimmed (a column the header lacks reads as empty)."""
    return {c: record.cells.get(c, "").strip() for c in DISTRIBUTOR_COLUMNS}


def lookup_key(vat: str) -> str | None:
    """The VAT identity worth asking the store about: None for a blank, over-long or
    non-ASCII VAT (an error anyway, and an over-long key could exceed what DynamoDB
    accepts)."""
    text = vat.strip()
    if not text or len(text) > TEXT_MAX:
        return None
    return vat_identity(text)


def vat_keys_of(records: Iterable[CsvRecord]) -> set[str]:
    """Every distinct VAT identity of a file: what one batched store read must cover."""
    keys = (lookup_key(r.cells.get("vat_number", "")) for r in records)
    return {k for k in keys if k}


def _field_diagnostics(fields: DistributorFields, vat_held: bool) -> list[Diagnostic]:
    found = []
    # a VAT a stored distributor holds predates the rules: its check digits are not re-judged
    for err in field_errors(fields, vat_unchanged=vat_held):
        column = _FIELD_TO_COLUMN[err.key]
        values: tuple[str, ...] = () if err.message == "required" else (str(err.value),)
        found.append(Diagnostic(column, err.message, values))
    return found


def changes_against(fields: DistributorFields, stored: Distributor) -> dict[str, dict[str, Any]]:
    """What an override would overwrite: {column: {"from": stored, "to": csv}} for each
    field whose cleaned CSV value differs (empty -> None, empty language -> `it`)."""
    out: dict[str, dict[str, Any]] = {}
    for attr, column in _CHANGEABLE:
        new, old = getattr(fields, attr), getattr(stored.fields, attr)
        if new != old:
            out[column] = {"from": old, "to": new}
    return out


def _status(errors: Sequence[Diagnostic], warnings: Sequence[Diagnostic]) -> RowStatus:
    if errors:
        return "error"
    return "warning" if warnings else "valid"


def judge_rows(
    records: Sequence[CsvRecord], holders: Mapping[str, Distributor]
) -> list[RowVerdict]:
    """A verdict per record, in file order.

    `holders` maps a VAT identity to the distributor holding it (archived ones
    included), as `DistributorRepository.holders_of` answers for `vat_keys_of(records)`.
    """
    first_row_of: dict[str, int] = {}
    verdicts = []
    for record in records:
        data = row_data(record)
        fields = DistributorFields(
            name=data["company_name"],
            description=data["description"],
            vat=data["vat_number"],
            address=data["address"],
            city=data["city"],
            main_contact=data["main_contact"],
            email=data["email"],
            phone=data["phone"],
            language=data["language"],
            notes=data["notes"],
        ).cleaned()
        vat = data["vat_number"]
        key = lookup_key(vat)
        holder = holders.get(key) if key else None
        errors = _field_diagnostics(fields, vat_held=holder is not None)
        warnings: list[Diagnostic] = []
        if key:
            first = first_row_of.setdefault(key, record.row_number)
            if first != record.row_number:
                errors.append(Diagnostic("vat_number", "duplicate_in_csv", (vat, str(first))))
            if holder is not None and holder.archived:
                errors.append(Diagnostic("vat_number", "archived", (vat,)))
            elif holder is not None:
                warnings.append(Diagnostic("vat_number", "already_exists", (vat,)))
        errors.sort(key=lambda d: _COLUMN_ORDER.get(d.field, len(_COLUMN_ORDER)))
        if record.extra_cells:
            # values: the header's column count, how many non-blank cells lie beyond it
            extra = (str(len(DISTRIBUTOR_COLUMNS)), str(len(record.extra_cells)))
            errors.append(Diagnostic(ROW_FIELD, TOO_MANY_CELLS, extra))
        status = _status(errors, warnings)
        update_target = holder if status == "warning" else None
        verdicts.append(
            RowVerdict(
                row_number=record.row_number,
                status=status,
                data=data,
                errors=tuple(errors),
                warnings=tuple(warnings),
                existing_id=update_target.id if update_target else None,
                existing_vat_key=key if update_target else None,
                changes=changes_against(fields, update_target) if update_target else None,
            )
        )
    return verdicts
