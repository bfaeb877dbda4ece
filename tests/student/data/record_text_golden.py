"""Records what the student's text transforms gave *before* they moved into ``student.text``.

Run once with the modules as they were (``student.numbers``, ``student.entities``, ``student.names``,
``student.augment`` and ``student.training.data.masked_pairs``); the refactor's test
(``tests/student/test_text_golden.py``) then checks the new code gives the same bytes. Also writes,
with ``--broad OUT``, full outputs for all GSM8K train questions and 4,000 curriculum problems.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

from fdd.curriculum import fixed_step_problems, seed_problems
from fdd.gsm8k_programs import convert
from student.augment import Distractors
from student.entities import EntityVocab
from student.numbers import mask_program, mask_question, scheme_of, unmask_program
from student.training.config import TrainExample
from student.training.data import masked_pairs

HERE = Path(__file__).parent
HAND = [  # GSM8K-style questions with the shapes masking must get right
    (
        "Chloe has 3 crates with 3 oranges in each. She eats 2 oranges.",
        "crates = 3\nper_crate = 3\neaten = 2\ntotal = crates * per_crate\nleft = total - eaten\nans = left",
    ),
    (
        "A shop sells 1,200 pens at $1.50 each. It sells half of them on Monday. How much money is that?",
        "pens = 1200\nprice = 1.50\nsold = pens // 2\nans = sold * price",
    ),
    ("Hannah has 114 buttons and loses 50% of them.", "ans = 114 - 114 * 50 // 100"),
    ("Mia buys 8 beads at $8 each. Mark has 3 marks. Ann gives Mark 2 marks.", "ans = 8 * 8 + 3 + 2"),
    (
        "Ann has 10 toes. Bo buys 12 cans. Later, Ann buys 3 pens.",
        "toes = 10\ncans = 12\nans = toes + cans + 3",
    ),
    (
        "Dylan has 8 mangoes. Alice has 3 times as many. How many do they have?",
        "dylan = 8\nalice = dylan * 3\nans = dylan + alice",
    ),
    (
        "Rosa buys 7 more stamps. Each stamp costs $2. She orders 7 pencils.",
        "stamps = 7\npencils = 7\nans = stamps * 2 + pencils",
    ),
]


def digest(*parts: object) -> str:
    return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()[:16]


def gsm8k(limit: int | None) -> list[tuple[str, str]]:
    lines = (Path("/work/shared/data/gsm8k/train.jsonl")).read_text().splitlines()
    out = []
    for line in lines:
        row = json.loads(line)
        program = convert(row["answer"])
        if program is not None:
            out.append((row["question"], program))
        if limit is not None and len(out) >= limit:
            break
    return out


def curriculum(n: int) -> list[tuple[str, str]]:
    problems = seed_problems(n, seed=7) + fixed_step_problems(max(n // 5, 1), steps=5, seed=8)
    return [(p.text, p.program) for p in problems]


def outputs(pairs: list[tuple[str, str]]) -> dict[str, list]:
    """Every transform's output, as the old modules composed them."""
    examples = [TrainExample(str(i), q, p) for i, (q, p) in enumerate(pairs)]
    vocab = EntityVocab.learn(q for q, _ in pairs)
    default = masked_pairs(examples, True, True, True, vocab)
    out: dict[str, list] = {
        "vocab": [json.dumps(vocab.to_dict(), sort_keys=True)],
        "train_default": default,
        "train_numbers_only": masked_pairs(examples, True),
        "train_pretrained": masked_pairs(examples, False, True, True, None),
        "train_no_compact": masked_pairs(examples, True, True, False, vocab),
    }
    predict_current, predict_values, predict_plain = [], [], []
    old_scheme = scheme_of({"enabled": True})  # a checkpoint written before schemes had names
    for q, p in pairs:
        text, numbers = mask_question(q, "occurrences")
        masked_p = mask_program(p, numbers)
        predict_current.append(
            (vocab.mask(text), unmask_program(masked_p, numbers), unmask_program("ans = N1 + N99", numbers))
        )
        text, numbers = mask_question(q, old_scheme)
        masked_p = mask_program(p, numbers, old_scheme)
        predict_values.append((text, masked_p, unmask_program(masked_p, numbers)))
        predict_plain.append((q, p))
    out |= {
        "predict_current": predict_current,
        "predict_values": predict_values,
        "predict_plain": predict_plain,
    }
    distractors = Distractors([q for q, _ in default])
    out["distractors"] = [distractors.insert(q, p, random.Random(i)) for i, (q, p) in enumerate(default)]
    return out


def as_digests(out: dict[str, list]) -> dict[str, list[str]]:
    return {k: [digest(*(v if isinstance(v, tuple) else (v,))) for v in vs] for k, vs in out.items()}


def main() -> None:
    groups = {"curriculum": curriculum(100), "gsm8k": gsm8k(40), "hand": HAND}
    golden = {
        "about": "Outputs of the student's text transforms before they moved into student.text "
        "(sha256[:16] of each output, parts joined by NUL); recorded by record_text_golden.py",
        "groups": {
            name: {"pairs": pairs, "expect": as_digests(outputs(pairs))} for name, pairs in groups.items()
        },
    }
    (HERE / "text_golden.json").write_text(json.dumps(golden, indent=0, ensure_ascii=False) + "\n")
    if len(sys.argv) == 3 and sys.argv[1] == "--broad":
        broad = {"curriculum": curriculum(4000), "gsm8k": gsm8k(None)}
        Path(sys.argv[2]).write_text(
            json.dumps({k: {"pairs": v, "out": outputs(v)} for k, v in broad.items()})
        )


if __name__ == "__main__":
    main()
