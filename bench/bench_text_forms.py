"""A training job's text preparation, two ways side by side on the job's own examples, on a finished run.

For every succeeded train job of a stack's student database (default: the demo's, ``var/demo``), on the job's
own examples under the tiny model's switches (numbers masked, names numbered, programs compacted) and with a
tiny model's tokenizer and causal prompt format:

1. the program forms: ``student_form`` (the short form and numbered names from one parse, one walk of the
   tree and one unparse) against ``compact_program`` then ``normalize_names`` (each its own parse, walk and
   unparse: the ratio is what the second parse and unparse cost; the gain over the earlier code's five
   ``ast.walk`` passes is in docs/results.md), every cache cleared before each pass (a worker's cache only
   spares a round the programs an earlier round already had);
2. the token ids: ``encode`` (prompts and programs in one batch call of the tokenizer each, a question's
   prompt once for its k programs) against one call per prompt and per program.

Best of ``--repeats`` for each; the outputs are checked equal. Run it on a quiet machine.

    .venv/bin/python bench/bench_text_forms.py [--state-dir var/demo] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.student import TrainParams
from student.db import build_engine
from student.jobs.models import Job
from student.modeling import build_tiny
from student.text import program_form
from student.text.number_slots import CURRENT, mask_program
from student.training import TrainConfig, TrainExample
from student.training.data import IGNORE, encode, text_transform


def _best(fn: Callable[[], Any], repeats: int, before: Callable[[], None] | None = None) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _measure(job_id: str, params: TrainParams, repeats: int) -> list[object]:
    """One row: the job's programs and pairs, each way's best seconds and their ratios."""
    examples = [TrainExample(e.id, e.question, e.program) for e in params.examples]
    transform = text_transform(
        examples, TrainConfig(mask_numbers=True, normalize_names=True, compact_programs=True)
    )
    slots = {q: transform.question(q)[1] for q in dict.fromkeys(ex.question for ex in examples)}
    programs = [mask_program(ex.program, slots[ex.question], CURRENT) for ex in examples]
    clear = program_form.student_form.cache_clear
    two_s, two = _best(
        lambda: [program_form.normalize_names(program_form.compact_program(p)) for p in programs],
        repeats,
        clear,
    )
    one_s, one = _best(lambda: [program_form.student_form(p, True, True) for p in programs], repeats, clear)
    if one != two:
        raise SystemExit(f"{job_id}: the one-pass forms differ from the two transforms in turn")
    pairs = transform.pairs(examples)
    _, tokenizer, fmt = build_tiny([t for pair in pairs for t in pair], {}, 256)
    each_s, each = _best(
        lambda: [(fmt.prompt_ids(tokenizer, q), fmt.target_ids(tokenizer, p)) for q, p in pairs], repeats
    )
    batch_s, batch = _best(lambda: encode(pairs, tokenizer, fmt, 10**6)[0], repeats)
    if [(e.input_ids, e.labels) for e in batch] != [(q + p, [IGNORE] * len(q) + p) for q, p in each]:
        raise SystemExit(f"{job_id}: the batched token ids differ from one call per text")
    return [job_id, len(programs), f"{two_s:.3f}", f"{one_s:.3f}", f"{two_s / one_s:.2f}x", len(pairs),
            f"{each_s:.3f}", f"{batch_s:.3f}", f"{each_s / batch_s:.2f}x"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, default=Path("var/demo"), help="the stack's state")
    parser.add_argument("--database-url", default=None, help="the student database (default: the state's)")
    parser.add_argument("--repeats", type=int, default=3, help="passes per way (the best one counts)")
    args = parser.parse_args()
    engine = build_engine(args.database_url or f"sqlite:///{args.state_dir.resolve() / 'student.db'}")
    with Session(engine) as session:
        query = sa.select(Job.id, Job.params).where(Job.kind == "train", Job.status == "succeeded")
        jobs = session.execute(query.order_by(Job.created_at)).all()
    if not jobs:
        raise SystemExit(f"no succeeded train job in {args.state_dir}: run `make demo` first")
    head = ["job", "programs", "2 passes s", "1 pass s", "ratio", "pairs", "1 by 1 s", "batched s", "ratio"]
    print(" ".join(f"{h:>11}" for h in head))
    for job_id, raw in jobs:
        row = _measure(job_id, TrainParams.model_validate(raw), args.repeats)
        print(" ".join(f"{str(c):>11}" for c in row))


if __name__ == "__main__":
    main()
