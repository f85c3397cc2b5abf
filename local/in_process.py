"""The environment the functions get in Lambda, with local values, for code that runs the
handlers in its own process against in-process moto: the tests and the benchmarks.

Apply it before anything from `orgimport` is imported: the storage models read their
table names from the environment once, at import.
"""

from __future__ import annotations

import os

IN_PROCESS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "DISTRIBUTORS_TABLE": "DistributorsTable",
    "SESSIONS_TABLE": "ImportSessionsTable",
    "IMPORT_BUCKET": "local-import-bucket",
    "POWERTOOLS_SERVICE_NAME": "partner-import",
    "POWERTOOLS_METRICS_NAMESPACE": "PartnerPlatform",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


def use_in_process_env(*, keep_set: bool = False) -> None:
    """Set IN_PROCESS_ENV (with `keep_set`, only the variables not set already) and drop
    AWS_ENDPOINT_URL: in-process moto, never a local stack left running."""
    for name, value in IN_PROCESS_ENV.items():
        if keep_set:
            os.environ.setdefault(name, value)
        else:
            os.environ[name] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
