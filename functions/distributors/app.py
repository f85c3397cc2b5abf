"""The CRUD routes of every kind, one router: the organization kinds (distributors,
resellers, customers) over orgimport.api.organization_routes, users over
orgimport.api.user_routes. A thin entry point."""

from aws_lambda_powertools import Logger, Metrics

from orgimport import wiring
from orgimport.api.guard import CRUD_ACTIONS, guarded
from orgimport.api.http import make_resolver
from orgimport.api.organization_routes import OrganizationApi, add_organization_routes
from orgimport.api.user_routes import UserApi, add_user_routes
from orgimport.core.config import settings
from orgimport.kinds.customers.kind import CUSTOMERS
from orgimport.kinds.distributors.kind import DISTRIBUTORS
from orgimport.kinds.organizations.tier import CUSTOMER_TIER, DISTRIBUTOR_TIER, RESELLER_TIER
from orgimport.kinds.resellers.kind import RESELLERS
from orgimport.kinds.users.kind import USERS
from orgimport.runtime.observability import count_writes, new_tracer, observed

logger = Logger()
metrics = Metrics(namespace=settings().metrics_namespace)
tracer = new_tracer()
app = make_resolver()
app.use(middlewares=[count_writes(metrics)])

KINDS = ((DISTRIBUTORS, DISTRIBUTOR_TIER), (RESELLERS, RESELLER_TIER), (CUSTOMERS, CUSTOMER_TIER))
for kind, tier in KINDS:
    add_organization_routes(
        app,
        OrganizationApi(kind, lambda tier=tier: wiring.organization_store(tier), wiring.viewer),
    )
add_user_routes(app, UserApi(USERS, wiring.users, wiring.viewer))
POLICIES = {**{kind.name: kind.policy for kind, _ in KINDS}, USERS.name: USERS.policy}

lambda_handler = observed(
    guarded(app, POLICIES, CRUD_ACTIONS, wiring.admit),
    logger=logger,
    metrics=metrics,
    tracer=tracer,
)
