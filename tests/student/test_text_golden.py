"""The student's text transforms give byte-identical outputs to the ones recorded before a refactor.

``data/text_golden.json`` holds curriculum problems, GSM8K questions with converted programs and a few
hand-written cases, and a digest of every output of every transform: training pairs under each
switch, the question as a predictor masks it (current and pre-scheme checkpoints), the restored
program, and a distractor inserted with a fixed seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.student.data.record_text_golden import as_digests, outputs

GOLDEN = json.loads((Path(__file__).parent / "data" / "text_golden.json").read_text())


@pytest.mark.parametrize("group", sorted(GOLDEN["groups"]))
def test_transforms_give_the_recorded_outputs(group: str) -> None:
    recorded = GOLDEN["groups"][group]
    pairs = [tuple(pair) for pair in recorded["pairs"]]
    got = as_digests(outputs(pairs))
    assert set(got) == set(recorded["expect"])
    for name, digests in recorded["expect"].items():
        assert got[name] == digests, f"{group}/{name} differs"
