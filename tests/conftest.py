"""Process-wide test setup: the same environment variables Lambda gets.

They are set before any `orgimport` module is imported, because the storage
models read their table names once, at import.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common"))
sys.path.insert(0, str(ROOT))

from local.in_process import use_in_process_env  # noqa: E402

use_in_process_env()
