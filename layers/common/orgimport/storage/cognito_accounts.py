"""Sign-in accounts in an Amazon Cognito user pool (`orgimport.kinds.users.ports.
AccountDirectory`): the account's username is the user's email; its attributes are
`email`, `name`, `phone_number`, `custom:org_id` and `custom:org_role`; it is in one
group per user role (a group the pool lacks is created on first use); Cognito sends
its own invitation.

Exactly once: a create that finds the username taken reads that account, and takes it
as this user's own (a retried write, cut off after its account) when it names the same
organization; any other account is refused with a sentence.
"""

from __future__ import annotations

from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from orgimport.kinds.users.ports import AccountRefused
from orgimport.kinds.users.record import User
from orgimport.storage import aws_clients
from orgimport.storage.s3_client import error_code

ORG_ID_ATTRIBUTE = "custom:org_id"
ORG_ROLE_ATTRIBUTE = "custom:org_role"


def e164(phone: str | None) -> str | None:
    """The phone as Cognito takes it (E.164: `+` and digits; a stored phone starts with
    `+`), or None."""
    if not phone:
        return None
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    return "+" + digits if digits else None


def attributes(user: User) -> list[dict[str, str]]:
    out = [
        {"Name": "email", "Value": user.email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": user.name},
        {"Name": ORG_ID_ATTRIBUTE, "Value": user.organization_id},
        {"Name": ORG_ROLE_ATTRIBUTE, "Value": user.org_role},
    ]
    phone = e164(user.phone)
    if phone:
        out.append({"Name": "phone_number", "Value": phone})
    return out


def group_name(role: str) -> str:
    """A user role's group (`Super Admin` -> `super-admin`)."""
    return "-".join(role.lower().split())


def _sentence(exc: ClientError) -> str:
    message = exc.response.get("Error", {}).get("Message") or "no reason given"
    return f"Cognito answered {error_code(exc)}: {message}"


class CognitoAccounts:
    def __init__(self, pool_id: str, client: Any = None):
        self.pool_id = pool_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            config = Config(
                connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3}
            )
            self._client = aws_clients.client("cognito-idp", config)
        return self._client

    def _existing(self, user: User) -> dict[str, str] | None:
        try:
            found = self.client.admin_get_user(UserPoolId=self.pool_id, Username=user.email)
        except ClientError as exc:
            if error_code(exc) == "UserNotFoundException":
                return None
            raise AccountRefused(_sentence(exc)) from None
        return {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}

    def create(self, user: User) -> bool:
        try:
            self.client.admin_create_user(
                UserPoolId=self.pool_id,
                Username=user.email,
                UserAttributes=attributes(user),
                DesiredDeliveryMediums=["EMAIL"],
            )
            made = True
        except ClientError as exc:
            if error_code(exc) != "UsernameExistsException":
                raise AccountRefused(_sentence(exc)) from None
            held = self._existing(user)
            if held is None or held.get(ORG_ID_ATTRIBUTE) != user.organization_id:
                raise AccountRefused(
                    "a sign-in account with this email exists already for another organization"
                ) from None
            made = False
        try:
            for role in user.roles:
                self._join(user, group_name(role))
        except Exception:
            if made:  # no account of ours is left half made
                self._delete(user)
            raise
        return made

    def _join(self, user: User, group: str) -> None:
        for attempt in range(2):
            try:
                self.client.admin_add_user_to_group(
                    UserPoolId=self.pool_id, Username=user.email, GroupName=group
                )
                return
            except ClientError as exc:
                missing = error_code(exc) == "ResourceNotFoundException"
                if not missing or attempt:
                    raise AccountRefused(_sentence(exc)) from None
            self._create_group(group)

    def _create_group(self, group: str) -> None:
        try:
            self.client.create_group(UserPoolId=self.pool_id, GroupName=group)
        except ClientError as exc:
            if error_code(exc) != "GroupExistsException":
                raise AccountRefused(_sentence(exc)) from None

    def _delete(self, user: User) -> None:
        try:
            self.client.admin_delete_user(UserPoolId=self.pool_id, Username=user.email)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise

    def update(self, user: User, previous: User) -> None:
        if self._existing(user) is None:
            self.create(user)  # a user stored while accounts were off gets its account now
            return
        try:
            self.client.admin_update_user_attributes(
                UserPoolId=self.pool_id,
                Username=user.email,
                UserAttributes=[a for a in attributes(user) if not a["Name"].startswith("email")],
            )
            for role in set(previous.roles) - set(user.roles):
                self.client.admin_remove_user_from_group(
                    UserPoolId=self.pool_id, Username=user.email, GroupName=group_name(role)
                )
        except ClientError as exc:
            raise AccountRefused(_sentence(exc)) from None
        for role in set(user.roles) - set(previous.roles):
            self._join(user, group_name(role))

    def set_enabled(self, user: User, enabled: bool) -> None:
        call = self.client.admin_enable_user if enabled else self.client.admin_disable_user
        try:
            call(UserPoolId=self.pool_id, Username=user.email)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise AccountRefused(_sentence(exc)) from None
