"""Users as the import pipeline reaches them: what a file's rows need from the store,
read in batches for the whole file, and each confirmed row written through the same
operations as the CRUD API (`users.service`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from orgimport.core.errors import DomainError, ValidationFailed, rules_broken
from orgimport.core.identity import Caller
from orgimport.core.mapper import Mapper
from orgimport.core.policy import KindPolicy
from orgimport.imports.kind import RowFindings, RowWriter
from orgimport.imports.session import RowOutcome, RowVerdict
from orgimport.kinds.organizations.viewer import OrganizationLookup, Viewer, viewer_of
from orgimport.kinds.users.fields import phone_digits
from orgimport.kinds.users.ports import AccountRefused, EmailTaken
from orgimport.kinds.users.record import OrgRef, User, user_id_of
from orgimport.kinds.users.roles import may_grant, read_roles
from orgimport.kinds.users.rules import (
    COLUMNS,
    ORGANIZATION_KEY,
    StoreView,
    identity_key,
    judge_user_row,
    keeps_phone,
    name_key,
    row_fields,
)
from orgimport.kinds.users.service import Users, moved, new_user, provision, rewrite


def _readable(exc: BaseException) -> str:
    """The sentence a client reads for a row the store or the accounts refused."""
    if isinstance(exc, EmailTaken):
        return f"a user with the email {exc.holder.email} was created after validation"
    if isinstance(exc, AccountRefused):
        return f"the sign-in account could not be created: {exc.sentence}"
    if isinstance(exc, ValidationFailed):
        return rules_broken(exc, "user")
    if isinstance(exc, DomainError):
        return exc.message
    raise exc


class UserWriter:
    """One confirm's writes of users: each created by its own account and conditional
    write (run through `run`), the batch's phones marked in one batched write."""

    def __init__(self, users: Users, viewer: Viewer, import_id: str, run: Mapper):
        self.users = users
        self.viewer = viewer
        self.import_id = import_id
        self.run = run
        self.orgs: dict[str, OrgRef] = {}

    def _organizations(self, rows: Sequence[RowVerdict]) -> None:
        wanted = {r.data.get(ORGANIZATION_KEY, "") for r in rows} - set(self.orgs) - {""}
        if wanted:
            found = self.users.organizations.find(wanted)
            self.orgs.update((i, o) for i, o in found.items() if self.viewer.sees(o))

    def _org(self, row: RowVerdict) -> OrgRef:
        org = self.orgs.get(row.data.get(ORGANIZATION_KEY, ""))
        if org is None:
            raise DomainError("the row's organization is no longer in your scope")
        return org

    def _create(self, row: RowVerdict) -> User | BaseException:
        try:
            fields = row_fields(row.data).cleaned()
            roles = read_roles(fields.roles or "").roles
            token = f"{self.import_id}:{row.row_number}"
            user = new_user(fields, roles, self._org(row), self.viewer, created_for=token)
            return provision(self.users, user)
        except (DomainError, EmailTaken, AccountRefused) as exc:
            return exc

    def create_batch(self, rows: list[RowVerdict]) -> list[RowOutcome]:
        self._organizations(rows)
        results = list(self.run(self._create, rows))
        self.users.store.mark_phones([u for u in results if isinstance(u, User) and u.phone])
        return [
            RowOutcome(row.row_number, "created", id=result.id)
            if isinstance(result, User)
            else RowOutcome(row.row_number, "failed", error=_readable(result))
            for row, result in zip(rows, results, strict=True)
        ]

    def update(self, row: RowVerdict) -> RowOutcome:
        self._organizations([row])
        try:
            current = self.users.store.get(row.existing_id or "")
            if current is None or current.email_key != row.existing_key:
                raise DomainError("the user holding this email no longer exists")
            if current.archived:
                raise DomainError("the user holding this email was archived after validation")
            fields = row_fields(row.data).cleaned()
            if keeps_phone(row.data):
                fields = replace(fields, phone=current.phone)
            roles = read_roles(fields.roles or "").roles
            done = rewrite(self.users, current, moved(current, fields, roles, self._org(row)))
        except (DomainError, AccountRefused) as exc:
            return RowOutcome(row.row_number, "failed", error=_readable(exc))
        changes = [c.name for c in COLUMNS if c.name in (row.changes or {})]
        return RowOutcome(row.row_number, "updated", id=done.id, changed_fields=tuple(changes))


class UserRecords:
    """The users kind's records (`orgimport.imports.kind.KindRecords`), seen by each
    caller through its scope for `import` in the users policy."""

    def __init__(self, users: Users, policy: KindPolicy, lookup: OrganizationLookup):
        self.users = users
        self.policy = policy
        self.lookup = lookup

    def viewer(self, caller: Caller) -> Viewer:
        return viewer_of(caller, self.policy.authorize(caller, "import"), self.lookup)

    def findings(self, rows: Sequence[Mapping[str, str]], caller: Caller) -> list[RowFindings]:
        viewer = self.viewer(caller)
        store = self.users.store
        holders = store.by_emails({k for k in map(identity_key, rows) if k})
        phones = dict(
            store.phone_holders({d for r in rows if (d := phone_digits(r.get("phone", "")))})
        )
        in_scope = self.users.organizations.in_scope(viewer)
        by_name: dict[str, list[OrgRef]] = {}
        for org in in_scope:
            by_name.setdefault(name_key(org.name), []).append(org)
        view = StoreView(
            holders=holders,
            phones=phones,
            organizations=by_name,
            sees=viewer.sees,
            may_grant=lambda roles: may_grant(caller, roles),
            by_id={o.id: o for o in in_scope},
        )
        out = []
        for row in rows:
            out.append(judge_user_row(row, view))
            key = identity_key(row)
            digits = phone_digits(row.get("phone", ""))
            if digits and key:
                # a later row of the file with these digits and another email collides
                held = holders.get(key)
                phones.setdefault(digits, held.id if held else user_id_of(key))
        return out

    def writer(self, caller: Caller, import_id: str, run: Mapper) -> RowWriter:
        return UserWriter(self.users, self.viewer(caller), import_id, run)
