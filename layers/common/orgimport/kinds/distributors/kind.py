"""The distributors kind: what the import pipeline knows of a distributors file."""

from orgimport.imports.kind import Kind
from orgimport.kinds.distributors.columns import COLUMNS, KEY_COLUMN
from orgimport.kinds.distributors.examples import EXAMPLES
from orgimport.kinds.distributors.policy import DISTRIBUTORS_POLICY
from orgimport.kinds.distributors.rules import identity_key, judge_row

DISTRIBUTORS = Kind(
    name="distributors",
    noun="distributor",
    columns=COLUMNS,
    key_column=KEY_COLUMN,
    policy=DISTRIBUTORS_POLICY,
    identity_key=identity_key,
    judge_row=judge_row,
    template_rows=EXAMPLES,
)
