"""The load generator's script (bench/wrk.py): the services it loads require the service token."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import wrk  # noqa: E402


def test_a_script_for_a_service_sends_its_bearer_token(tmp_path: Path) -> None:
    script = wrk.write_script(tmp_path / "s.lua", "/v1/rationales", [b'{"a": 1}'], token="t0k")
    text = script.read_text()
    assert 'wrk.headers["Authorization"] = "Bearer t0k"' in text
    assert 'return wrk.format(nil, "/v1/rationales", nil, bodies[(i % #bodies) + 1])' in text
    assert "Authorization" not in wrk.write_script(tmp_path / "o.lua", "/x", [b"{}"]).read_text()
