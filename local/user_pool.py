"""The local stack's Cognito user pool (in moto), made like the one the template's
`UserPoolId` names on AWS: the custom attributes `org_id` and `org_role`, one group per
user role. The local stack always runs with it, so that a users import shows its
accounts appear (`make local` prints the pool id; list them with the AWS CLI or boto3 at
moto's endpoint)."""

from __future__ import annotations

from typing import Any

import boto3

from local.config import FAKE_CREDENTIAL, REGION
from orgimport.kinds.users.roles import USER_ROLES
from orgimport.storage.cognito_accounts import group_name

POOL_NAME = "partner-platform-local"


def _client(endpoint_url: str | None) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIAL,
        aws_secret_access_key=FAKE_CREDENTIAL,
    )


def create_user_pool(endpoint_url: str | None = None) -> str:
    """The id of the local pool, made on first call (moto holds nothing between runs)."""
    cognito = _client(endpoint_url)
    for pool in cognito.list_user_pools(MaxResults=60).get("UserPools", []):
        if pool["Name"] == POOL_NAME:
            return str(pool["Id"])
    made = cognito.create_user_pool(
        PoolName=POOL_NAME,
        UsernameAttributes=["email"],
        Schema=[
            {"Name": "org_id", "AttributeDataType": "String", "Mutable": True},
            {"Name": "org_role", "AttributeDataType": "String", "Mutable": True},
        ],
    )
    pool_id = str(made["UserPool"]["Id"])
    for role in USER_ROLES:
        cognito.create_group(UserPoolId=pool_id, GroupName=group_name(role), Description=role)
    return pool_id
