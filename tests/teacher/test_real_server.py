"""The teacher against a real OpenAI-compatible server: ``transformers serve`` with SmolLM2-135M-Instruct
on 127.0.0.1, reached through the ``openai`` backend — a real chat template, real usage tokens, and real
messy output (prose, fenced code, programs without ``ans``) through extraction and the sandbox.

Runs only when ``FDD_REAL_MODEL_TESTS=1``, ``fdd models fetch smollm2-135m`` has put the model in the
cache and the ``real`` extra (``transformers[serving]``) is installed; nothing is downloaded. Slow: the
server loads the model and generates on the CPU, so the request is one GSM8K problem, one sample of
48 tokens at most (on a machine under load 20 a 64-token call still took over 600 s).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fdd.models import cached
from tests.fixtures.data import DATA_DIR
from tests.fixtures.processes import VENV_BIN, free_port, spawn, wait_http
from tests.teacher.harness import openai_settings, running_teacher, sqlite_url

# opt-in on a shared, loaded machine: the server's load and generation take minutes there
SMOLLM2 = cached("smollm2-135m") if os.environ.get("FDD_REAL_MODEL_TESTS") == "1" else None
SERVING = importlib.util.find_spec("openai") is not None and (VENV_BIN / "transformers").exists()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.anyio,
    pytest.mark.skipif(
        SMOLLM2 is None, reason="set FDD_REAL_MODEL_TESTS=1 after `fdd models fetch smollm2-135m`"
    ),
    pytest.mark.timeout(3000),
    pytest.mark.skipif(
        not SERVING, reason="`transformers serve` needs the real extra: pip install -e '.[real]'"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    args = [str(VENV_BIN / "transformers"), "serve", str(SMOLLM2), "--host", "127.0.0.1", "--port", str(port)]
    args += ["--device", "cpu", "--dtype", "float32", "--log-level", "warning"]
    proc = spawn(args, {"OMP_NUM_THREADS": "2"}, tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc, timeout=600)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.stop()


def gsm8k(n: int) -> list[dict]:
    rows = [json.loads(line) for line in (DATA_DIR / "gsm8k" / "test.jsonl").open()][:n]
    gold = [float(r["answer"].split("####")[-1].replace(",", "")) for r in rows]
    return [
        {"id": f"g{i}", "text": r["question"], "gold": g}
        for i, (r, g) in enumerate(zip(rows, gold, strict=True))
    ]


async def test_smollm2_slow_rationales_through_the_openai_backend(server: str, tmp_path: Path) -> None:
    settings = openai_settings(
        sqlite_url(tmp_path), server, openai_model=str(SMOLLM2), openai_timeout_s=1500, openai_max_attempts=1
    )
    request = {"problems": gsm8k(1), "k": 1, "sampling": {"max_tokens": 48, "seed": 1}, "label": "real"}
    async with running_teacher(settings) as client:
        client.timeout = 1800
        response = await client.post("/v1/rationales", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    for result in body["results"]:
        assert result["error"] is None, result
        assert result["backend"] == "openai"
        assert len(result["samples"]) == 1
        for sample in result["samples"]:
            assert sample["raw"].strip()
            assert sample["prompt_tokens"] > 0
            assert sample["completion_tokens"] > 0
            assert sample["verdict"]  # ok, no_program or an execution error: whatever the model wrote
    assert body["usage"]["calls"] >= 1
    assert body["usage"]["completion_tokens"] > 0
