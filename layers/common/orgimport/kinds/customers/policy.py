"""Who may import and manage customers (CONTRACT section 8): the owner, every one; a
distributor, its own children and its resellers' children; a reseller, its own
children."""

from orgimport.core.policy import ACTIONS, KindPolicy

CUSTOMERS_POLICY = KindPolicy(
    "customers",
    {
        action: {"owner": "all", "distributor": "descendants", "reseller": "children"}
        for action in ACTIONS
    },
)
