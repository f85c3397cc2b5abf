"""Organization operations, for every tier: the one code path for the CRUD API and the
import.

`create_organizations` and `overwrite_organization` are what `POST /<kind>` and
`PUT /<kind>/{id}` run, and what confirm runs for each row. Every operation sees
the records through a `Viewer`: one outside its scope does not exist (404), and a
record it creates gets its organization as parent and its path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orgimport.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from orgimport.core.mapper import Mapper
from orgimport.kinds.organizations.fields import DistributorFields, field_errors
from orgimport.kinds.organizations.ports import OrganizationStore, StaleWrite, VatClaim
from orgimport.kinds.organizations.record import DistributorPage, Organization, Overwritten, utc_now
from orgimport.kinds.organizations.vat import vat_key
from orgimport.kinds.organizations.viewer import Viewer

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class NewOrganization:
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


def create_organizations(
    repo: OrganizationStore,
    viewer: Viewer,
    requests: list[NewOrganization],
    run: Mapper = map,
) -> list[Organization | DomainError]:
    """Create many records under the viewer's organization: each VAT claimed in its scope
    by its own conditional write (run through `run`, e.g. a thread pool's map), then the
    new items written in batches.

    Returns, per request in order, the record or the error that stopped it. A request
    whose VAT guard already names its id (a retried write) finishes without a second
    record.
    """
    now = utc_now()
    caller = viewer.caller
    scope = repo.tier.vat_scope(viewer.parent_id)

    def claim(request: NewOrganization) -> tuple[Organization, VatClaim | None] | DomainError:
        try:
            fields = checked(request.fields)
            record = Organization(
                id=request.distributor_id,
                fields=fields,
                created_at=now,
                updated_at=now,
                created_by_user=caller.user_id,
                created_by_org=viewer.parent_id,
                path=viewer.path,
            )
            return record, repo.claim_vat(fields.vat or "", record.id, scope=scope)
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


def create_organization(
    repo: OrganizationStore, viewer: Viewer, fields: DistributorFields
) -> Organization:
    """POST /<kind>."""
    (result,) = create_organizations(repo, viewer, [NewOrganization(fields, new_id())])
    if isinstance(result, DomainError):
        raise result
    return result


def get_organization(repo: OrganizationStore, viewer: Viewer, record_id: str) -> Organization:
    """The record, when the viewer's scope holds it; else, as when there is none, 404."""
    found = repo.get(record_id)
    if found is None or not viewer.sees(found):
        raise NotFound(f"{repo.tier.noun} not found")
    return found


def list_organizations(
    repo: OrganizationStore,
    viewer: Viewer,
    page_size: int = PAGE_SIZE_DEFAULT,
    cursor: str | None = None,
    search: str | None = None,
    include_archived: bool = False,
) -> DistributorPage:
    """One page of the records in the viewer's scope (one Query, never a Scan)."""
    return repo.page(
        page_size,
        cursor,
        search,
        include_archived,
        within=viewer.within,
        children_only=viewer.scope.children_only,
    )


def _stale(exc: StaleWrite, noun: str) -> DomainError:
    if exc.reason == "not_found":
        return NotFound(f"{noun} not found")
    if exc.reason == "archived":
        return Conflict(f"{noun} is archived")
    return Conflict(f"{noun} changed meanwhile, retry")


def update_organization(
    repo: OrganizationStore, viewer: Viewer, record_id: str, fields: DistributorFields
) -> Organization:
    """PUT /<kind>/{id}: every field replaced; a new VAT must be free in its scope.

    A body equal to the stored record writes nothing (`updated_at` kept).
    """
    fields = checked(fields, vat_unchanged=True)  # check digits: only for a new VAT, below
    current = get_organization(repo, viewer, record_id)
    if fields == current.fields:
        return current
    try:
        if vat_key(fields.vat or "") == current.vat_key:
            done = repo.overwrite(
                record_id, fields, utc_now(), current.vat_key, require_active=False
            )
        else:
            checked(fields)  # a new VAT: its check digits too
            done = _move(repo, current, fields)
    except StaleWrite as exc:
        raise _stale(exc, repo.tier.noun) from None
    return done.distributor


def _move(repo: OrganizationStore, current: Organization, fields: DistributorFields) -> Overwritten:
    """Move a record to another VAT: claim the new guard (this request's own), write,
    then free the old guard as it was read before the move, so that a guard another
    request took meanwhile is never dropped. A failed write frees only its own claim."""
    scope = repo.tier.vat_scope(current.parent_id)
    old_guard = repo.vat_guard(scope + current.vat_key)
    claim = repo.claim_vat(fields.vat or "", current.id, resume=False, scope=scope)
    assert claim is not None  # resume=False never answers "already yours"
    try:
        done = repo.overwrite(current.id, fields, utc_now(), current.vat_key, require_active=False)
    except StaleWrite:
        repo.release_vat(claim)
        raise
    if old_guard is not None and old_guard.distributor_id == current.id:
        repo.release_vat(old_guard)
    return done


def overwrite_organization(
    repo: OrganizationStore,
    distributor_id: str,
    fields: DistributorFields,
    expected_vat_key: str,
    expect_unchanged: bool = False,
    path: tuple[str, ...] | None = None,
    keep: tuple[str, ...] = (),
) -> Overwritten:
    """An import's update: the record holding the VAT gets every other field from the
    row (but those in `keep`: their column is absent from the file); the VAT itself is
    never changed, and an archived one is not touched.

    A row equal to the stored record writes nothing; `expect_unchanged` (validate
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
            path=path,
            keep=keep,
        )
    except StaleWrite as exc:
        raise _stale_holder(exc, repo.tier.noun) from None


def _stale_holder(exc: StaleWrite, noun: str) -> DomainError:
    """Why an import's update could not touch the record validate found."""
    if exc.reason == "archived":
        return Conflict(f"the {noun} holding this VAT was archived after validation")
    if exc.reason == "not_found":
        return NotFound(f"the {noun} holding this VAT no longer exists")
    if exc.reason == "vat_changed":
        return Conflict(f"the {noun} holding this VAT changed its VAT after validation")
    return Conflict(f"the {noun} holding this VAT changed meanwhile, retry")


def archive_organization(repo: OrganizationStore, viewer: Viewer, record_id: str) -> Organization:
    current = get_organization(repo, viewer, record_id)
    if current.archived:
        return current
    now = utc_now()
    return repo.set_deleted_at(record_id, now, now)


def restore_organization(repo: OrganizationStore, viewer: Viewer, record_id: str) -> Organization:
    current = get_organization(repo, viewer, record_id)
    if not current.archived:
        return current
    return repo.set_deleted_at(record_id, None, utc_now())


__all__ = [
    "NewOrganization",
    "archive_organization",
    "checked",
    "create_organization",
    "create_organizations",
    "get_organization",
    "list_organizations",
    "new_id",
    "overwrite_organization",
    "restore_organization",
    "update_organization",
]
