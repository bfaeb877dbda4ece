"""The seed problems of a run: an imported dataset's or a generated curriculum set, and the held-out split.

``seed_problems`` returns them as ``fdd.datasets.Problem``s in a stable order (the datasets slice resolves
the dataset and generates curriculum sets); ``split_heldout`` picks the held-out classify pool
(``classify_pool="heldout"``) with a seed derived from the run's config, so the split is the same on
every replay.
"""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from fdd.datasets import Problem
from orchestrator.datasets.service import dataset_problems
from orchestrator.datasets.sources import curriculum_problems
from orchestrator.runs.schemas import RunConfig

from . import keys


def seed_problems(session: Session, config: RunConfig) -> list[Problem]:
    """The run's seed problems: a dataset's problems in import order, or a generated curriculum set."""
    if config.seed.dataset_id is not None:
        return dataset_problems(session, config.seed.dataset_id)
    assert config.seed.curriculum is not None  # SeedConfig defaults to a curriculum
    return curriculum_problems(config.seed.curriculum, "curriculum")


def split_heldout(problems: list[Problem], config: RunConfig) -> set[int]:
    """Indexes of the held-out problems (empty unless ``classify_pool="heldout"``); at least one stays in."""
    if config.classify_pool != "heldout" or len(problems) < 2:
        return set()
    n_heldout = min(len(problems) - 1, max(1, round(config.heldout_fraction * len(problems))))
    rng = random.Random(keys.derive_seed(config.sampling_seed, "heldout"))
    return set(rng.sample(range(len(problems)), n_heldout))
