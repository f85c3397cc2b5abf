"""The users kind: what the import pipeline knows of a users file."""

from orgimport.imports.kind import Kind
from orgimport.kinds.users.examples import EXAMPLES
from orgimport.kinds.users.policy import USERS_POLICY
from orgimport.kinds.users.rules import COLUMNS, KEY_COLUMN, ORGANIZATION_KEY, identity_key

USERS = Kind(
    name="users",
    noun="user",
    columns=COLUMNS,
    key_column=KEY_COLUMN,
    policy=USERS_POLICY,
    identity_key=identity_key,
    template_rows=EXAMPLES,
    resolution_key=ORGANIZATION_KEY,
)
