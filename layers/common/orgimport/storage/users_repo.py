"""Users in DynamoDB, in the organizations table: the user item (pk = USER#<id>, the id
following from the email, so that one conditional put keeps an email unique) and the
phone marks (pk = UPHONE#<digits>) that let validate find a phone's holder in the same
batched pass as the emails.

A phone mark is written after its user (a batched write), moved by an update and
dropped by an archive; two racing creates of one phone may both be stored (the email
is guarded against races, the phone only checked): CONTRACT section 10 asks for
collisions found, and a mark names the last of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.update import Action

from orgimport.core.errors import Conflict
from orgimport.kinds.users.fields import phone_digits
from orgimport.kinds.users.ports import EmailTaken
from orgimport.kinds.users.record import User, UserPage, user_id_of
from orgimport.kinds.users.roles import read_roles, roles_text
from orgimport.storage.conditions import condition_failed
from orgimport.storage.distributor_items import PATH_SEPARATOR, name_sort_key
from orgimport.storage.distributor_pages import LIST_READ_FACTOR, Cursor
from orgimport.storage.models import PhoneMarkItem, TierKeys, UserItem

USER_PREFIX = "USER#"
PHONE_PREFIX = "UPHONE#"
USER_KEYS = TierKeys(USER_PREFIX, "USER", PHONE_PREFIX, True)


def to_item(user: User) -> UserItem:
    return UserItem(
        pk=USER_PREFIX + user.id,
        id=user.id,
        email=user.email,
        email_key=user.email_key,
        name=user.name,
        name_lc=user.name.lower(),
        phone=user.phone,
        organization_id=user.organization_id,
        org_role=user.org_role,
        roles=roles_text(user.roles),
        created_at=user.created_at,
        updated_at=user.updated_at,
        created_by_user=user.created_by_user,
        created_by_org=user.created_by_org,
        created_for=user.created_for,
        deleted_at=user.deleted_at,
        path=PATH_SEPARATOR.join(user.path) or None,
        gsi1pk=USER_KEYS.entity,
        gsi1sk=name_sort_key(user.name, user.id, USER_KEYS, user.path),
    )


def to_domain(item: UserItem) -> User:
    return User(
        id=item.id,
        email=item.email,
        name=item.name,
        phone=item.phone,
        organization_id=item.organization_id,
        org_role=item.org_role,
        roles=read_roles(item.roles).roles,
        created_at=item.created_at,
        updated_at=item.updated_at,
        created_by_user=item.created_by_user,
        created_by_org=item.created_by_org,
        created_for=item.created_for,
        deleted_at=item.deleted_at,
        path=tuple(item.path.split(PATH_SEPARATOR)) if item.path else (),
    )


def _within_prefix(within: tuple[str, ...] | None) -> str | None:
    if within is None:
        return None
    return PATH_SEPARATOR + "".join(p + PATH_SEPARATOR for p in within)


class UserRepository:
    """`orgimport.kinds.users.ports.UserStore` on DynamoDB."""

    def get(self, user_id: str) -> User | None:
        try:
            return to_domain(UserItem.get(USER_PREFIX + user_id, consistent_read=True))
        except UserItem.DoesNotExist:
            return None

    def by_emails(self, keys: Iterable[str]) -> dict[str, User]:
        pks = {USER_PREFIX + user_id_of(k) for k in keys if k}
        if not pks:
            return {}
        found = (to_domain(i) for i in UserItem.batch_get(pks, consistent_read=True))
        return {u.email_key: u for u in found}

    def phone_holders(self, digits: Iterable[str]) -> dict[str, str]:
        pks = {PHONE_PREFIX + d for d in digits if d}
        if not pks:
            return {}
        marks = PhoneMarkItem.batch_get(pks, consistent_read=True)
        return {m.pk[len(PHONE_PREFIX) :]: m.user_id for m in marks}

    def insert(self, user: User) -> User:
        try:
            to_item(user).save(condition=UserItem.pk.does_not_exist())
            return user
        except PutError as exc:
            if not condition_failed(exc):
                raise
        held = self.get(user.id)
        if held is None:  # pragma: no cover - a user item is never deleted
            raise Conflict("user changed meanwhile, retry")
        if held.created_for != user.created_for:
            raise EmailTaken(held)
        return held  # this write's own, from an earlier try

    def remove(self, user: User) -> None:
        try:
            UserItem(pk=USER_PREFIX + user.id).delete(
                condition=UserItem.created_for == user.created_for
            )
        except DeleteError as exc:
            if not condition_failed(exc):
                raise

    def mark_phones(self, users: list[User]) -> None:
        with PhoneMarkItem.batch_write() as batch:
            for user in users:
                if user.phone_key:
                    batch.save(PhoneMarkItem(pk=PHONE_PREFIX + user.phone_key, user_id=user.id))

    def _unmark(self, user: User) -> None:
        if not user.phone_key:
            return
        try:
            PhoneMarkItem(pk=PHONE_PREFIX + user.phone_key).delete(
                condition=PhoneMarkItem.user_id == user.id
            )
        except DeleteError as exc:
            if not condition_failed(exc):
                raise

    def overwrite(self, user: User, previous: User) -> User:
        item = UserItem(pk=USER_PREFIX + user.id)
        actions: list[Action] = [
            UserItem.name.set(user.name),
            UserItem.name_lc.set(user.name.lower()),
            UserItem.phone.set(user.phone) if user.phone else UserItem.phone.remove(),
            UserItem.roles.set(roles_text(user.roles)),
            UserItem.organization_id.set(user.organization_id),
            UserItem.org_role.set(user.org_role),
            UserItem.path.set(PATH_SEPARATOR.join(user.path))
            if user.path
            else UserItem.path.remove(),
            UserItem.gsi1sk.set(name_sort_key(user.name, user.id, USER_KEYS, user.path)),
            UserItem.updated_at.set(user.updated_at),
        ]
        try:
            item.update(
                actions=actions,
                condition=(UserItem.updated_at == previous.updated_at)
                & UserItem.deleted_at.does_not_exist(),
            )
        except UpdateError as exc:
            if condition_failed(exc):
                raise Conflict("user changed meanwhile, retry") from None
            raise
        if phone_digits(user.phone or "") != previous.phone_key:
            self._unmark(previous)
            self.mark_phones([user])
        return user

    def set_deleted_at(self, user: User, deleted_at: str | None, updated_at: str) -> User:
        item = UserItem(pk=USER_PREFIX + user.id)
        stamp = UserItem.deleted_at.set(deleted_at) if deleted_at else UserItem.deleted_at.remove()
        try:
            item.update(
                actions=[stamp, UserItem.updated_at.set(updated_at)],
                condition=UserItem.updated_at == user.updated_at,
            )
        except UpdateError as exc:
            if condition_failed(exc):
                raise Conflict("user changed meanwhile, retry") from None
            raise
        if deleted_at:
            self._unmark(user)
        else:
            self.mark_phones([user])
        return to_domain(item)

    def page(
        self,
        page_size: int,
        cursor: str | None,
        search: str | None,
        include_archived: bool,
        within: tuple[str, ...] | None,
    ) -> UserPage:
        prefix = _within_prefix(within)
        position = Cursor.decode(cursor, USER_KEYS, prefix) if cursor else Cursor()
        condition = None
        if not include_archived:
            condition = UserItem.deleted_at.does_not_exist()
        term = (search or "").strip().lower()
        if term:
            matches = UserItem.name_lc.contains(term) | UserItem.email_key.contains(term)
            condition = matches if condition is None else condition & matches
        results = UserItem.by_name.query(
            USER_KEYS.entity,
            UserItem.gsi1sk.startswith(prefix) if prefix else None,
            filter_condition=condition,
            last_evaluated_key=position.start_after,
            page_size=page_size * LIST_READ_FACTOR,
        )
        page = next(results.page_iter)
        raw_items = page.get("Items", [])
        start_after = page.get("LastEvaluatedKey")
        if len(raw_items) > page_size:
            raw_items = raw_items[:page_size]
            last = raw_items[-1]
            start_after = {k: last[k] for k in ("pk", "gsi1pk", "gsi1sk")}
        users = [to_domain(UserItem.from_raw_data(raw)) for raw in raw_items]
        next_cursor = Cursor(start_after).encode() if start_after else None
        return UserPage(users, next_cursor, page_size)
