"""Configuration, read once from environment variables.

The same variables drive Lambda (template.yaml sets them), the local stack and
the tests. A frozen dataclass rather than a pydantic model: building a model
class costs about 11 ms of every cold start, for nine fields.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

# VAT_CHECK: verify check digits (the default), or only normalise (legacy data)
VAT_CHECKSUM = "checksum"
VAT_NO_CHECK = "none"
VAT_CHECK_MODES = (VAT_CHECKSUM, VAT_NO_CHECK)

# environment variable -> Settings field
_ENV = {
    "DISTRIBUTORS_TABLE": "distributors_table",
    "SESSIONS_TABLE": "sessions_table",
    "IMPORT_BUCKET": "import_bucket",
    "ORG_ID_CLAIM": "org_id_claim",
    "ORG_ROLE_CLAIM": "org_role_claim",
    "USER_ROLES_CLAIM": "user_roles_claim",
    "OWNER_ORG_ID": "owner_org_id",
    "IMPORT_SESSION_TTL_SECONDS": "import_session_ttl_seconds",
    "CONFIRMED_RESULT_TTL_SECONDS": "confirmed_result_ttl_seconds",
    "CONFIRM_CONCURRENCY": "confirm_concurrency",
    "CONFIRM_LEASE_SECONDS": "confirm_lease_seconds",
    "UPLOAD_URL_TTL_SECONDS": "upload_url_ttl_seconds",
    "AWS_REGION": "aws_region",
    "POWERTOOLS_METRICS_NAMESPACE": "metrics_namespace",
    "VAT_CHECK": "vat_check",
    "OWNER_ORG_NAME": "owner_org_name",
    "USER_POOL_ID": "user_pool_id",
}
# integer settings and their allowed range
_RANGES = {
    "import_session_ttl_seconds": (1, 7 * 86400),
    "confirmed_result_ttl_seconds": (1, 30 * 86400),
    "confirm_concurrency": (1, 64),
    "confirm_lease_seconds": (1, 3600),
    "upload_url_ttl_seconds": (1, 7 * 86400),
}
# settings that take one of a few words (compared case-insensitively)
_CHOICES = {"vat_check": VAT_CHECK_MODES}


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    distributors_table: str = "distributors"
    sessions_table: str = "import-sessions"
    import_bucket: str = "import-bucket"
    org_id_claim: str = "org_id"
    org_role_claim: str = "org_role"
    user_roles_claim: str = "user_roles"
    # the platform owner's organization: S3 imports act as it (CONTRACT section 13)
    owner_org_id: str = "owner"
    import_session_ttl_seconds: int = 1800
    confirmed_result_ttl_seconds: int = 86400
    confirm_concurrency: int = 16
    confirm_lease_seconds: int = 40
    upload_url_ttl_seconds: int = 900
    aws_region: str = "eu-west-1"
    # the template sets it; the default keeps a local run without it from failing
    metrics_namespace: str = "PartnerPlatform"
    vat_check: str = VAT_CHECKSUM
    # the owner organization's name: a users file's company_name may name it
    owner_org_name: str = "Owner"
    # the Cognito user pool users sign in with ("": sign-in accounts off)
    user_pool_id: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, str | int] = {}
        for name, attr in _ENV.items():
            raw = (env.get(name) or "").strip()
            if not raw:
                continue
            if attr in _RANGES:
                low, high = _RANGES[attr]
                try:
                    number = int(raw)
                except ValueError:
                    raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
                if not low <= number <= high:
                    raise ConfigError(f"{name} must be between {low} and {high}, not {number}")
                values[attr] = number
            elif attr in _CHOICES:
                word = raw.lower()
                if word not in _CHOICES[attr]:
                    allowed = ", ".join(_CHOICES[attr])
                    raise ConfigError(f"{name} must be one of {allowed}, not {raw!r}")
                values[attr] = word
            else:
                values[attr] = raw
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (environment read on first use)."""
    return Settings.from_env()
