"""Distributor operations: the one code path for the CRUD API and the import.

`create_distributors` and `overwrite_distributor` are what `POST /distributors`
and `PUT /distributors/{id}` run, and what confirm runs for each row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orgimport.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from orgimport.kinds.organizations.ports import OrganizationStore, StaleWrite, VatClaim
from orgimport.kinds.organizations.record import DistributorPage, Organization, Overwritten, utc_now
from orgimport.kinds.organizations.vat import vat_key

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
    repo: OrganizationStore,
    caller: Caller,
    requests: list[NewDistributor],
    run: Mapper = map,
) -> list[Organization | DomainError]:
    """Create many distributors: each VAT claimed by its own conditional write
    (run through `run`, e.g. a thread pool's map), then the new items written in batches.

    Returns, per request in order, the distributor or the error that stopped it.
    A request whose VAT guard already names its id (a retried write) finishes
    without a second distributor.
    """
    now = utc_now()

    def claim(request: NewDistributor) -> tuple[Organization, VatClaim | None] | DomainError:
        try:
            fields = checked(request.fields)
            distributor = Organization(
                id=request.distributor_id,
                fields=fields,
                created_at=now,
                updated_at=now,
                created_by_user=caller.user_id,
                created_by_org=caller.org_id,
            )
            return distributor, repo.claim_vat(fields.vat or "", request.distributor_id)
        except DomainError as exc:
            return exc

    claimed = list(run(claim, requests))
    _write_fresh(repo, [c for c in claimed if isinstance(c, tuple) and c[1] is not None])
    results: list[Organization | DomainError] = []
    for outcome in claimed:
        if isinstance(outcome, tuple):
            distributor, own = outcome
            if own is None and not repo.insert(distributor):
                distributor = repo.get(distributor.id) or distributor  # written before a crash
            results.append(distributor)
        else:
            results.append(outcome)
    return results


def _write_fresh(
    repo: OrganizationStore, fresh: list[tuple[Organization, VatClaim | None]]
) -> None:
    """Write the distributors whose VAT this request claimed, in batches. A batch may
    fail half way: then free only the VATs whose distributor was not written, each on
    this request's own claim."""
    if not fresh:
        return
    try:
        repo.insert_many([d for d, _ in fresh])
    except Exception:
        for d, own in fresh:
            if own is not None and repo.get(d.id) is None:
                repo.release_vat(own)
        raise


def create_distributor(
    repo: OrganizationStore, caller: Caller, fields: DistributorFields
) -> Organization:
    """POST /distributors."""
    (result,) = create_distributors(repo, caller, [NewDistributor(fields, new_id())])
    if isinstance(result, DomainError):
        raise result
    return result


def get_distributor(repo: OrganizationStore, distributor_id: str) -> Organization:
    found = repo.get(distributor_id)
    if found is None:
        raise NotFound("distributor not found")
    return found


def list_distributors(
    repo: OrganizationStore,
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
    repo: OrganizationStore, distributor_id: str, fields: DistributorFields
) -> Organization:
    """PUT /distributors/{id}: every field replaced; a new VAT must be free.

    A body equal to the stored distributor writes nothing (`updated_at` kept).
    """
    fields = checked(fields, vat_unchanged=True)  # check digits: only for a new VAT, below
    current = get_distributor(repo, distributor_id)
    if fields == current.fields:
        return current
    try:
        if vat_key(fields.vat or "") == current.vat_key:
            done = repo.overwrite(
                distributor_id, fields, utc_now(), current.vat_key, require_active=False
            )
        else:
            checked(fields)  # a new VAT: its check digits too
            done = _move(repo, current, fields)
    except StaleWrite as exc:
        raise _stale(exc) from None
    return done.distributor


def _move(repo: OrganizationStore, current: Organization, fields: DistributorFields) -> Overwritten:
    """Move a distributor to another VAT: claim the new guard (this request's own), write,
    then free the old guard as it was read before the move, so that a guard another
    request took meanwhile is never dropped. A failed write frees only its own claim."""
    old_guard = repo.vat_guard(current.vat_key)
    claim = repo.claim_vat(fields.vat or "", current.id, resume=False)
    assert claim is not None  # resume=False never answers "already yours"
    try:
        done = repo.overwrite(current.id, fields, utc_now(), current.vat_key, require_active=False)
    except StaleWrite:
        repo.release_vat(claim)
        raise
    if old_guard is not None and old_guard.distributor_id == current.id:
        repo.release_vat(old_guard)
    return done


def overwrite_distributor(
    repo: OrganizationStore,
    distributor_id: str,
    fields: DistributorFields,
    expected_vat_key: str,
    expect_unchanged: bool = False,
) -> Overwritten:
    """An import's update: the distributor holding the VAT gets every other field
    from the row; the VAT itself is never changed, and an archived one is not touched.

    A row equal to the stored distributor writes nothing; `expect_unchanged` (validate
    saw no change) reads before writing, so that such a row costs no write request.
    """
    fields = checked(fields, vat_unchanged=True)
    try:
        return repo.overwrite(
            distributor_id,
            fields,
            utc_now(),
            expected_vat_key,
            require_active=True,
            keep_vat=True,
            read_first=expect_unchanged,
        )
    except StaleWrite as exc:
        if exc.reason == "archived":
            raise Conflict(
                "the distributor holding this VAT was archived after validation"
            ) from None
        if exc.reason == "not_found":
            raise NotFound("the distributor holding this VAT no longer exists") from None
        if exc.reason == "vat_changed":
            raise Conflict(
                "the distributor holding this VAT changed its VAT after validation"
            ) from None
        raise Conflict("the distributor holding this VAT changed meanwhile, retry") from None


def archive_distributor(repo: OrganizationStore, distributor_id: str) -> Organization:
    current = get_distributor(repo, distributor_id)
    if current.archived:
        return current
    now = utc_now()
    return repo.set_deleted_at(distributor_id, now, now)


def restore_distributor(repo: OrganizationStore, distributor_id: str) -> Organization:
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
