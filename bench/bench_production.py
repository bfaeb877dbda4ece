"""The production training path against the same training in this process, job by job, on a finished run.

For every succeeded train job of a stack's student database (default: the demo's, ``var/demo``), the job's
own examples and knobs are trained again here, through the same ``student.training.train``, for ``--steps``
optimiser steps, and the real tokens/s are printed beside the job's recorded ones: a ratio near 1 says the
worker path (Celery, the job runner, progress reports, the heartbeat) costs nothing and a round's speed is
its data's; a ratio well below 1 points at the production path. Printed beside them: the job's real tokens
per example (a longer sequence costs more per token: attention's probability tensors grow with its square),
the same steps with the tiny model's attention dropout off (``dropout 0``: its masks over those tensors are
a measurable share at this model size; a quality choice, not a speed-up to adopt unmeasured), and the job's
time outside its optimiser loop (set-up, encoding, checkpoint writing) as a share of the job.

A warm-started job trains here from the tiny base (same architecture, other weights): tokens/s do not depend
on the weights. Run it on a quiet machine; the columns are measured side by side, so their ratios hold
under load better than the absolute figures.

    .venv/bin/python bench/bench_production.py [--state-dir var/demo] [--steps 150] [--threads 2]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.wire.student import TrainingKnobs, TrainParams
from student.db import build_engine
from student.jobs.models import Job
from student.training import TrainConfig, TrainExample, train


def _jobs(state_dir: Path, url: str | None) -> list[Job]:
    engine = build_engine(url or f"sqlite:///{state_dir.resolve() / 'student.db'}")
    with Session(engine) as session:
        query = sa.select(Job).where(Job.kind == "train", Job.status == "succeeded")
        jobs = list(session.scalars(query.order_by(Job.created_at)))
        for job in jobs:
            _ = job.params  # deferred: load it while the session is open
    return jobs


def _tokens_per_s(params: TrainParams, threads: int, steps: int, dropout: float | None) -> float:
    knobs = {name: getattr(params, name) for name in TrainingKnobs.model_fields}
    knobs |= {"base_model": "tiny", "init": "base", "max_steps": steps, "time_limit_s": None}
    if dropout is not None:
        knobs["tiny"] = {**knobs["tiny"], "dropout": dropout}
    config = TrainConfig(**knobs, threads=threads)
    examples = [TrainExample(e.id, e.question, e.program) for e in params.examples]
    scratch = Path(tempfile.mkdtemp(prefix="fdd-bench-production-"))
    try:
        return float(train(examples, config, scratch / "out").metrics["tokens_per_s"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--state-dir", type=Path, default=Path("var/demo"), help="the stack's state directory"
    )
    parser.add_argument("--database-url", default=None, help="the student database (default: the state's)")
    parser.add_argument("--steps", type=int, default=150, help="optimiser steps per job and variant")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the demo's worker has 2)")
    args = parser.parse_args()
    jobs = _jobs(args.state_dir, args.database_url)
    if not jobs:
        raise SystemExit(f"no succeeded train job in {args.state_dir}: run `make demo` first")
    head = ["job", "examples", "tok/example", "job tok/s", "here tok/s", "job/here", "dropout 0", "vs here",
            "outside loop"]  # fmt: skip
    print(" ".join(f"{h:>12}" for h in head))
    for job in jobs:
        params = TrainParams.model_validate(job.params)
        metrics = (job.result or {}).get("metrics", {})
        job_rate, loop_s = float(metrics.get("tokens_per_s", 0.0)), float(metrics.get("seconds", 0.0))
        wall = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else 0
        per_example = metrics.get("tokens", 0) / max(
            1.0, metrics.get("epochs", 0) * metrics.get("train_examples", 0)
        )
        here = _tokens_per_s(params, args.threads, args.steps, None)
        no_dropout = _tokens_per_s(params, args.threads, args.steps, 0.0)
        row = [job.id[-16:], str(len(params.examples)), f"{per_example:.0f}", f"{job_rate:,.0f}",
               f"{here:,.0f}", f"{job_rate / here:.2f}", f"{no_dropout:,.0f}", f"{no_dropout / here:.2f}x",
               f"{(wall - loop_s) / wall:.1%}" if wall else "-"]  # fmt: skip
        print(" ".join(f"{c:>12}" for c in row), flush=True)


if __name__ == "__main__":
    main()
