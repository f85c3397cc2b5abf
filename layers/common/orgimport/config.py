"""Configuration, read once from environment variables.

The same variables drive Lambda (template.yaml sets them), the local stack and
the tests.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field

# environment variable -> Settings field
_ENV = {
    "DISTRIBUTORS_TABLE": "distributors_table",
    "SESSIONS_TABLE": "sessions_table",
    "IMPORT_BUCKET": "import_bucket",
    "ORG_ID_CLAIM": "org_id_claim",
    "ORG_ROLE_CLAIM": "org_role_claim",
    "IMPORT_SESSION_TTL_SECONDS": "import_session_ttl_seconds",
    "CONFIRMED_RESULT_TTL_SECONDS": "confirmed_result_ttl_seconds",
    "CONFIRM_CONCURRENCY": "confirm_concurrency",
    "CONFIRM_LEASE_SECONDS": "confirm_lease_seconds",
    "UPLOAD_URL_TTL_SECONDS": "upload_url_ttl_seconds",
    "AWS_REGION": "aws_region",
}


class Settings(BaseModel):
    distributors_table: str = "distributors"
    sessions_table: str = "import-sessions"
    import_bucket: str = "import-bucket"
    org_id_claim: str = "org_id"
    org_role_claim: str = "org_role"
    import_session_ttl_seconds: int = Field(default=1800, gt=0)
    confirmed_result_ttl_seconds: int = Field(default=86400, gt=0)
    confirm_concurrency: int = Field(default=16, ge=1, le=64)
    confirm_lease_seconds: int = Field(default=40, gt=0)
    upload_url_ttl_seconds: int = Field(default=900, gt=0)
    aws_region: str = "eu-west-1"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {field: env[name] for name, field in _ENV.items() if env.get(name)}
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (environment read on first use)."""
    return Settings.from_env()
