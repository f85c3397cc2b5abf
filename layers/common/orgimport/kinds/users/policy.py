"""Who may read and manage users (CONTRACT section 8): every organization role, over the
users of its own organization and of every organization below it; only with user
roles, and only an Admin or a Super Admin writes."""

from orgimport.core.policy import ACTIONS, KindPolicy

USERS_POLICY = KindPolicy(
    "users",
    {
        action: {
            "owner": "all",
            "distributor": "descendants",
            "reseller": "descendants",
            "customer": "descendants",
        }
        for action in ACTIONS
    },
    needs_user_admin=True,
)
