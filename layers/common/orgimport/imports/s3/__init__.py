"""S3-triggered imports: a CSV put under a kind's `incoming/<kind>/` is validated and
confirmed by the same pipeline as the API, as the system actor, and reported under
`reports/<kind>/`.

Plain functions over a bucket (orgimport.storage.import_bucket hides S3) and the
repositories:

- `keys`: the keys imported and reported under (from the kind), the import id, the system actor;
- `publish`: the report of one delivery, and the rule that a newer upload's is kept;
- `run`: the steps of one delivery (already reported, session, override, validate,
  confirm, interrupted), exactly once per object version.
"""

from orgimport.imports.s3.keys import (
    OVERRIDE_METADATA,
    import_id_for,
    is_import_key,
    kind_of_key,
    override_from,
    report_keys,
    s3_caller,
    sequencer_newer,
)
from orgimport.imports.s3.run import ImportIncomplete, S3ImportOutcome, import_s3_object

__all__ = [
    "OVERRIDE_METADATA",
    "ImportIncomplete",
    "S3ImportOutcome",
    "import_id_for",
    "import_s3_object",
    "is_import_key",
    "kind_of_key",
    "override_from",
    "report_keys",
    "s3_caller",
    "sequencer_newer",
]
