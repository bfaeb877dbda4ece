"""Test-session defaults: benchmark data from ../shared/data and a throw-away state directory.

Set before any settings object is built, so every service under test (in-process or spawned) agrees.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_shared = REPO.parent / "shared" / "data"
os.environ.setdefault("FDD_DATA_DIR", str(_shared if _shared.exists() else REPO / "data"))
os.environ.setdefault("FDD_STATE_DIR", tempfile.mkdtemp(prefix="fdd-test-state-"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")
