"""Process-wide test setup: the same environment variables Lambda gets.

Nothing reads them at import (`orgimport.wiring` names the tables and makes the
clients on first use), so the order of imports does not matter; they only have to
be set before a test first reaches a store.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common"))
sys.path.insert(0, str(ROOT))

from local.in_process import use_in_process_env  # noqa: E402

use_in_process_env()
