"""The resellers kind: what the import pipeline knows of a resellers file."""

from orgimport.kinds.organizations.kind import organization_kind
from orgimport.kinds.organizations.tier import RESELLER_TIER
from orgimport.kinds.resellers.examples import EXAMPLES
from orgimport.kinds.resellers.policy import RESELLERS_POLICY

RESELLERS = organization_kind(RESELLER_TIER, RESELLERS_POLICY, EXAMPLES)
