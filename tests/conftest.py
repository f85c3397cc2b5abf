"""Process-wide test setup: the same environment variables Lambda gets.

They are set before any `orgimport` module is imported, because the storage
models read their table names once, at import.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common"))
sys.path.insert(0, str(ROOT))

TEST_ENV = {
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
for _name, _value in TEST_ENV.items():
    os.environ[_name] = _value
# tests in this process talk to in-process moto, never to a local stack left running
os.environ.pop("AWS_ENDPOINT_URL", None)
