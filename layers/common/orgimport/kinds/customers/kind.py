"""The customers kind: what the import pipeline knows of a customers file."""

from orgimport.kinds.customers.examples import EXAMPLES
from orgimport.kinds.customers.policy import CUSTOMERS_POLICY
from orgimport.kinds.organizations.kind import organization_kind
from orgimport.kinds.organizations.tier import CUSTOMER_TIER

CUSTOMERS = organization_kind(CUSTOMER_TIER, CUSTOMERS_POLICY, EXAMPLES)
