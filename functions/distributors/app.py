"""Organizations CRUD, one router for every organization kind (distributors, resellers,
customers): a thin entry point over orgimport.api.organization_routes."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from orgimport import wiring
from orgimport.api.guard import CRUD_ACTIONS, guarded
from orgimport.api.http import make_resolver
from orgimport.api.organization_routes import OrganizationApi, add_organization_routes
from orgimport.kinds.customers.kind import CUSTOMERS
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.tier import CUSTOMER_TIER, DISTRIBUTOR_TIER, RESELLER_TIER
from orgimport.kinds.resellers.kind import RESELLERS

logger = Logger()
app = make_resolver()

KINDS = ((DISTRIBUTORS, DISTRIBUTOR_TIER), (RESELLERS, RESELLER_TIER), (CUSTOMERS, CUSTOMER_TIER))
for kind, tier in KINDS:
    add_organization_routes(
        app,
        OrganizationApi(kind, lambda tier=tier: wiring.organization_store(tier), wiring.viewer),
    )

lambda_handler = logger.inject_lambda_context(
    guarded(app, {kind.name: kind.policy for kind, _ in KINDS}, CRUD_ACTIONS, wiring.admit),
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP,
)
