"""Who may import and manage resellers (CONTRACT section 8): the owner, every one; a
distributor, its own children."""

from orgimport.core.policy import ACTIONS, KindPolicy

RESELLERS_POLICY = KindPolicy(
    "resellers", {action: {"owner": "all", "distributor": "children"} for action in ACTIONS}
)
