"""An organization tier as a kind of the import pipeline: the columns, rules and records
every organization kind shares (CONTRACT section 9: the distributor's fields and rules),
with the tier's own name, policy and template rows."""

from __future__ import annotations

from collections.abc import Mapping

from orgimport.core.policy import KindPolicy
from orgimport.imports.kind import Kind
from orgimport.kinds.organizations.columns import COLUMNS, KEY_COLUMN
from orgimport.kinds.organizations.rules import identity_key
from orgimport.kinds.organizations.tier import Tier


def organization_kind(
    tier: Tier, policy: KindPolicy, examples: tuple[Mapping[str, str], ...]
) -> Kind:
    return Kind(
        name=tier.name,
        noun=tier.noun,
        columns=COLUMNS,
        key_column=KEY_COLUMN,
        policy=policy,
        identity_key=identity_key,
        template_rows=examples,
    )
