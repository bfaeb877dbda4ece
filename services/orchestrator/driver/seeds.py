"""The seed problems of a run: read from an imported dataset or generated from the curriculum.

``seed_problems`` returns them as ``fdd.datasets.Problem``s in a stable order; ``split_heldout`` picks
the held-out classify pool (``classify_pool="heldout"``) with a seed derived from the run's config, so
the split is the same on every replay.
"""

from __future__ import annotations

import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fdd.datasets import Problem, problem_from_dict
from orchestrator.datasets.models import DatasetProblem
from orchestrator.runs.schemas import CurriculumSpec, RunConfig

from . import keys


def curriculum_problems(spec: CurriculumSpec, source: str) -> list[Problem]:
    """Generate the curriculum set ``spec``: ``n`` distinct problems spread evenly over ``spec.steps``."""
    from fdd.curriculum import fixed_step_problems  # heavy to import; only INIT and EVALUATE need it

    taken: set[str] = set()
    problems: list[Problem] = []
    for i, steps in enumerate(spec.steps):
        count = spec.n // len(spec.steps) + (1 if i < spec.n % len(spec.steps) else 0)
        for j, made in enumerate(
            fixed_step_problems(
                count, steps, seed=spec.seed, taken=taken, distractor_rate=spec.distractor_rate
            )
        ):
            problems.append(problem_from_dict(made.record(f"{source}-s{steps}-{j:05d}", source)))
    return problems


def seed_problems(session: Session, config: RunConfig) -> list[Problem]:
    """The run's seed problems: a dataset's problems in id order, or a generated curriculum set."""
    if config.seed.dataset_id is not None:
        rows = session.scalars(
            sa.select(DatasetProblem)
            .where(DatasetProblem.dataset_id == config.seed.dataset_id)
            .order_by(DatasetProblem.id)
        ).all()
        if not rows:
            raise ValueError(f"dataset {config.seed.dataset_id} has no problems (or does not exist)")
        return [
            Problem(r.external_id, r.question, r.answer, f"dataset:{r.dataset_id}", r.meta or {})
            for r in rows
        ]
    assert config.seed.curriculum is not None  # SeedConfig defaults to a curriculum
    return curriculum_problems(config.seed.curriculum, "curriculum")


def split_heldout(problems: list[Problem], config: RunConfig) -> set[int]:
    """Indexes of the held-out problems (empty unless ``classify_pool="heldout"``); at least one stays in."""
    if config.classify_pool != "heldout" or len(problems) < 2:
        return set()
    n_heldout = min(len(problems) - 1, max(1, round(config.heldout_fraction * len(problems))))
    rng = random.Random(keys.derive_seed(config.sampling_seed, "heldout"))
    return set(rng.sample(range(len(problems)), n_heldout))
