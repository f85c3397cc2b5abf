"""Distributor operations: the one code path for the CRUD API and the import.

`create_distributors` and `overwrite_distributor` are what `POST /distributors`
and `PUT /distributors/{id}` run, and what confirm runs for each row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from orgimport.distributor import Distributor, DistributorPage, utc_now
from orgimport.distributor_rules import DistributorFields, field_errors
from orgimport.errors import Conflict, DomainError, NotFound, ValidationFailed
from orgimport.identity import Caller
from orgimport.storage.distributors_repo import DistributorRepository, StaleWrite
from orgimport.vat import vat_key

T = TypeVar("T")
R = TypeVar("R")
Mapper = Callable[[Callable[[T], R], Iterable[T]], Iterator[R]]

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class NewDistributor:
    fields: DistributorFields
    distributor_id: str  # chosen by the caller so that a retried write is recognised as its own


def new_id() -> str:
    return str(uuid.uuid4())


def checked(fields: DistributorFields, *, vat_unchanged: bool = False) -> DistributorFields:
    """Cleaned fields, or ValidationFailed with every broken rule (`vat_unchanged`: the
    VAT is the one the record holds, its check digits are not judged again)."""
    cleaned = fields.cleaned()
    errors = field_errors(cleaned, vat_unchanged=vat_unchanged)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def create_distributors(
    repo: DistributorRepository,
    caller: Caller,
    requests: list[NewDistributor],
    run: Mapper = map,
) -> list[Distributor | DomainError]:
    """Create many distributors: each VAT claimed by its own conditional write
    (run through `run`, e.g. a thread pool's map), then the new items written in batches.

    Returns, per request in order, the distributor or the error that stopped it.
    A request whose VAT guard already names its id (a retried write) finishes
    without a second distributor.
    """
    now = utc_now()

    def claim(request: NewDistributor) -> Distributor | DomainError | tuple[Distributor, bool]:
        try:
            fields = checked(request.fields)
            distributor = Distributor(
                id=request.distributor_id,
                fields=fields,
                created_at=now,
                updated_at=now,
                created_by_user=caller.user_id,
                created_by_org=caller.org_id,
            )
            fresh = repo.claim_vat(fields.vat or "", request.distributor_id)
            return distributor, fresh
        except DomainError as exc:
            return exc

    claimed = list(run(claim, requests))
    fresh = [c[0] for c in claimed if isinstance(c, tuple) and c[1]]
    if fresh:
        try:
            repo.insert_many(fresh)
        except Exception:
            # a batch may fail half way: free only the VATs whose distributor was not written
            for d in fresh:
                if repo.get(d.id) is None:
                    repo.release_vat(d.fields.vat or "", d.id)
            raise
    results: list[Distributor | DomainError] = []
    for outcome in claimed:
        if isinstance(outcome, tuple):
            distributor, was_fresh = outcome
            if not was_fresh and not repo.insert(distributor):
                distributor = repo.get(distributor.id) or distributor  # written before a crash
            results.append(distributor)
        else:
            results.append(outcome)
    return results


def create_distributor(
    repo: DistributorRepository, caller: Caller, fields: DistributorFields
) -> Distributor:
    """POST /distributors."""
    (result,) = create_distributors(repo, caller, [NewDistributor(fields, new_id())])
    if isinstance(result, DomainError):
        raise result
    return result


def get_distributor(repo: DistributorRepository, distributor_id: str) -> Distributor:
    found = repo.get(distributor_id)
    if found is None:
        raise NotFound("distributor not found")
    return found


def list_distributors(
    repo: DistributorRepository,
    page_size: int = PAGE_SIZE_DEFAULT,
    cursor: str | None = None,
    search: str | None = None,
    include_archived: bool = False,
) -> DistributorPage:
    return repo.page(page_size, cursor, search, include_archived)


def _stale(exc: StaleWrite) -> DomainError:
    if exc.reason == "not_found":
        return NotFound("distributor not found")
    if exc.reason == "archived":
        return Conflict("distributor is archived")
    return Conflict("distributor changed meanwhile, retry")


def update_distributor(
    repo: DistributorRepository, distributor_id: str, fields: DistributorFields
) -> Distributor:
    """PUT /distributors/{id}: every field replaced; a new VAT must be free."""
    fields = checked(fields, vat_unchanged=True)  # check digits: only for a new VAT, below
    current = get_distributor(repo, distributor_id)
    new_key = vat_key(fields.vat or "")
    moving = new_key != current.vat_key
    if moving:
        checked(fields)
        repo.claim_vat(fields.vat or "", distributor_id)
    try:
        updated = repo.overwrite(
            distributor_id, fields, utc_now(), current.vat_key, require_active=False
        )
    except StaleWrite as exc:
        if moving:
            repo.release_vat(fields.vat or "", distributor_id)
        raise _stale(exc) from None
    if moving:
        repo.release_vat(current.fields.vat or "", distributor_id)
    return updated


def overwrite_distributor(
    repo: DistributorRepository,
    distributor_id: str,
    fields: DistributorFields,
    expected_vat_key: str,
) -> Distributor:
    """An import's update: the distributor holding the VAT gets every other field
    from the row; the VAT itself is never changed, and an archived one is not touched."""
    fields = checked(fields, vat_unchanged=True)
    try:
        return repo.overwrite(
            distributor_id, fields, utc_now(), expected_vat_key, require_active=True, keep_vat=True
        )
    except StaleWrite as exc:
        if exc.reason == "archived":
            raise Conflict(
                "the distributor holding this VAT was archived after validation"
            ) from None
        if exc.reason == "not_found":
            raise NotFound("the distributor holding this VAT no longer exists") from None
        raise Conflict(
            "the distributor holding this VAT changed its VAT after validation"
        ) from None


def archive_distributor(repo: DistributorRepository, distributor_id: str) -> Distributor:
    current = get_distributor(repo, distributor_id)
    if current.archived:
        return current
    now = utc_now()
    return repo.set_deleted_at(distributor_id, now, now)


def restore_distributor(repo: DistributorRepository, distributor_id: str) -> Distributor:
    current = get_distributor(repo, distributor_id)
    if not current.archived:
        return current
    return repo.set_deleted_at(distributor_id, None, utc_now())


__all__ = [
    "NewDistributor",
    "archive_distributor",
    "checked",
    "create_distributor",
    "create_distributors",
    "get_distributor",
    "list_distributors",
    "new_id",
    "overwrite_distributor",
    "restore_distributor",
    "update_distributor",
]
