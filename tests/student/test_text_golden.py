"""The student's text transforms give byte-identical outputs to the ones recorded before they moved.

``data/text_golden.json`` holds curriculum problems, GSM8K questions with converted programs and a few
hand-written cases, and a digest of every output of every transform, recorded with the modules as they
were before ``student.text`` (``student.numbers``, ``entities``, ``names``, ``augment`` and
``training.data.masked_pairs``; commit 09d3b24 has the recorder): training pairs under each switch,
the question as a predictor masks it (current and pre-scheme checkpoints), the restored program, and
a distractor inserted with a fixed seed.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from student.text import Distractors, TextTransform
from student.text.number_slots import CURRENT
from student.training import TrainConfig, TrainExample

GOLDEN = json.loads((Path(__file__).parent / "data" / "text_golden.json").read_text())


def digest(*parts: object) -> str:
    return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()[:16]


def outputs(pairs: list[tuple[str, str]]) -> dict[str, list]:
    """Every transform's output, through ``TextTransform`` as training and prediction build it."""
    examples = [TrainExample(str(i), q, p) for i, (q, p) in enumerate(pairs)]
    questions = [q for q, _ in pairs]
    default = TextTransform.for_training(TrainConfig(), questions)
    assert default.entities is not None
    # the program switches asked for: a pre-trained base leaves them off by default since issue 18
    pretrained = TrainConfig(
        base_model="some/hub-model", mask_numbers=False, normalize_names=True, compact_programs=True
    )
    out: dict[str, list] = {
        "vocab": [json.dumps(default.entities.to_dict(), sort_keys=True)],
        "train_default": default.pairs(examples),
        "train_numbers_only": TextTransform(CURRENT).pairs(examples),
        "train_pretrained": TextTransform.for_training(pretrained, questions).pairs(examples),
        "train_no_compact": TextTransform.for_training(TrainConfig(compact_programs=False), questions).pairs(
            examples
        ),
    }
    current = TextTransform.from_meta(default.meta())  # as the predictor opens the checkpoint
    old = TextTransform.from_meta({"masking": {"enabled": True}})  # written before schemes had names
    plain = TextTransform.from_meta({})  # a plain HF model
    out |= {"predict_current": [], "predict_values": [], "predict_plain": []}
    for q, p in pairs:
        text, numbers = current.question(q)
        masked = TextTransform(CURRENT).pair(q, p)[1]
        out["predict_current"].append(
            (text, current.restore(masked, numbers), current.restore("ans = N1 + N99", numbers))
        )
        text, numbers = old.question(q)
        masked = old.pair(q, p)[1]
        out["predict_values"].append((text, masked, old.restore(masked, numbers)))
        text, numbers = plain.question(q)
        out["predict_plain"].append((text, plain.restore(p, numbers)))
    distractors = Distractors([q for q, _ in out["train_default"]])
    out["distractors"] = [
        distractors.insert(q, p, random.Random(i)) for i, (q, p) in enumerate(out["train_default"])
    ]
    return out


@pytest.mark.parametrize("group", sorted(GOLDEN["groups"]))
def test_transforms_give_the_recorded_outputs(group: str) -> None:
    recorded = GOLDEN["groups"][group]
    got = outputs([(q, p) for q, p in recorded["pairs"]])
    assert set(got) == set(recorded["expect"])
    for name, digests in recorded["expect"].items():
        mine = [digest(*(v if isinstance(v, tuple) else (v,))) for v in got[name]]
        assert mine == digests, f"{group}/{name} differs"
