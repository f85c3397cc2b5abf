"""The distributors kind: what the import pipeline knows of a distributors file."""

from orgimport.kinds.distributors.examples import EXAMPLES
from orgimport.kinds.distributors.policy import DISTRIBUTORS_POLICY
from orgimport.kinds.organizations.kind import organization_kind
from orgimport.kinds.organizations.tier import DISTRIBUTOR_TIER

DISTRIBUTORS = organization_kind(DISTRIBUTOR_TIER, DISTRIBUTORS_POLICY, EXAMPLES)
