"""Where an S3 import lives in the bucket and who it is: the keys the pipeline imports
and reports under, the import id of one object version, the system actor it runs as,
and the object metadata it reads. Pure functions, no S3."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from orgimport.core.identity import Caller, system_caller
from orgimport.imports.kind import IMPORT_SUFFIXES, Kind
from orgimport.imports.ports import S3ObjectRef

# object metadata (x-amz-meta-override): "true", any case -> override; anything else -> not
OVERRIDE_METADATA = "override"
# created_by.user_id of an S3 import: this prefix and the event's userIdentity.principalId
PRINCIPAL_PREFIX = "s3:"
UNKNOWN_PRINCIPAL = "unknown"
# uuid5 namespace of S3 import ids
IMPORT_ID_NAMESPACE = uuid.UUID("0c6b7f2e-5d0a-5b8e-9e61-3a9f4c2d7b15")


def is_import_key(key: str, kind: Kind) -> bool:
    """A key the pipeline imports as `kind`: under its incoming prefix, ending in .csv or
    .xlsx, with a name."""
    return kind.imports_key(key)


def kind_of_key(key: str, kinds: Iterable[Kind]) -> Kind | None:
    """The kind a key is imported as, or None: not a key the pipeline imports."""
    return next((kind for kind in kinds if is_import_key(key, kind)), None)


def report_keys(key: str, kind: Kind) -> tuple[str, str]:
    """incoming/<kind>/<name>.csv (or .xlsx) -> reports/<kind>/<name>.json and .csv."""
    if not is_import_key(key, kind):
        raise ValueError(f"{key} is not an import key")
    suffix = next(s for s in IMPORT_SUFFIXES if key.endswith(s))
    name = key[len(kind.incoming_prefix) : -len(suffix)]
    return f"{kind.reports_prefix}{name}.json", f"{kind.reports_prefix}{name}.csv"


def import_id_for(obj: S3ObjectRef) -> str:
    """The same id for every delivery of one object version, another for a new upload."""
    return str(uuid.uuid5(IMPORT_ID_NAMESPACE, f"{obj.bucket}\n{obj.key}\n{obj.revision}"))


def s3_caller(principal_id: str | None) -> Caller:
    """The system actor, recorded as `s3:<principalId>` in created_by (org `system`)."""
    return system_caller(f"{PRINCIPAL_PREFIX}{(principal_id or '').strip() or UNKNOWN_PRINCIPAL}")


def override_from(metadata: dict[str, str]) -> bool:
    return str(metadata.get(OVERRIDE_METADATA, "")).strip().lower() == "true"


def sequencer_newer(candidate: str | None, than: str | None) -> bool:
    """S3's rule: left-pad the shorter sequencer with zeros, then compare as text."""
    if not candidate or not than:
        return False
    width = max(len(candidate), len(than))
    return candidate.upper().rjust(width, "0") > than.upper().rjust(width, "0")
