"""What GENERATE asks the teacher for, and which of the teacher's new problems a run keeps.

``plan_variants`` turns one round's easy/hard labels into work items — (parent problem, kind, how
many) — under the run's feedback mode; it is a pure function of the labels and a seed, so a restarted
stage plans exactly the same requests. ``judge`` decides the fate of one new problem: the teacher's
own verdict first (no consensus, declined, …), then duplicates of the run's pool, then look-alikes of
a benchmark test problem (``fdd.leakage`` score at or above the threshold).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fdd.leakage import Match
from fdd.wire.teacher import NewProblem
from orchestrator.enums import LabelValue, WorkKind

MAX_VARIANTS_PER_PARENT = 16  # the teacher's VariantRequest.n limit
FEEDBACK_MODES = ("fdd", "random", "complex_only", "similar_only")


@dataclass(frozen=True)
class Labelled:
    """One classified problem: its id, its label this round and whether it is a seed problem."""

    problem_id: int
    label: LabelValue
    is_seed: bool


@dataclass(frozen=True)
class PlannedItem:
    """Ask the teacher for ``n`` variants of ``kind`` of problem ``problem_id``."""

    problem_id: int
    kind: WorkKind
    n: int


def _is_hard(label: LabelValue) -> bool:
    # A problem the student could not answer at all is at least as hard as one it answered wrongly.
    return label in (LabelValue.HARD, LabelValue.NO_ANSWER)


def plan_variants(
    labelled: Sequence[Labelled], feedback: str, n_complex: int, n_similar: int, seed: int
) -> list[PlannedItem]:
    """The round's variant requests, sorted by (problem, kind).

    ``fdd``: complex variants of easy problems, similar ones of hard problems (``no_answer`` counts as
    hard); ``complex_only`` / ``similar_only``: one half of that; ``random``: the same number of
    variants as ``fdd`` would ask for, of seed problems drawn at random with a random kind — the
    ablation without feedback.
    """
    if feedback not in FEEDBACK_MODES:
        raise ValueError(f"unknown feedback mode {feedback!r}; expected one of {FEEDBACK_MODES}")
    easy = [x.problem_id for x in labelled if not _is_hard(x.label)]
    hard = [x.problem_id for x in labelled if _is_hard(x.label)]
    items: list[PlannedItem] = []
    if feedback in ("fdd", "complex_only") and n_complex > 0:
        items += [PlannedItem(pid, WorkKind.COMPLEX, n_complex) for pid in easy]
    if feedback in ("fdd", "similar_only") and n_similar > 0:
        items += [PlannedItem(pid, WorkKind.SIMILAR, n_similar) for pid in hard]
    if feedback == "random":
        items = _random_plan(labelled, len(easy) * n_complex + len(hard) * n_similar, seed)
    return sorted(items, key=lambda item: (item.problem_id, item.kind.value))


def _random_plan(labelled: Sequence[Labelled], units: int, seed: int) -> list[PlannedItem]:
    candidates = sorted({x.problem_id for x in labelled if x.is_seed} or {x.problem_id for x in labelled})
    if not candidates or units <= 0:
        return []
    rng = random.Random(seed)
    kinds = (WorkKind.COMPLEX, WorkKind.SIMILAR)
    counts = Counter((rng.choice(candidates), rng.choice(kinds)) for _ in range(units))
    return [PlannedItem(pid, kind, min(n, MAX_VARIANTS_PER_PARENT)) for (pid, kind), n in counts.items()]


@dataclass(frozen=True)
class Verdict:
    """Keep the new problem (``reason`` None) or reject it for ``reason`` with ``detail``."""

    reason: str | None
    detail: str | None = None

    @property
    def accepted(self) -> bool:
        return self.reason is None


def judge(
    new: NewProblem, new_hash: str | None, seen: set[str], match: Match | None, threshold: float
) -> Verdict:
    """Decide one new problem; ``seen`` holds the pool's text hashes and grows with each acceptance."""
    if not new.accepted or new.text is None or new.answer is None:
        return Verdict(new.reason or "malformed", new.detail)
    if new_hash in seen:
        return Verdict("duplicate", "the same text is already in the run's pool")
    if match is not None and match.score >= threshold:
        return Verdict("leakage", f"overlap {match.score:.3f} with benchmark problem {match.problem_id}")
    if not new.programs:
        return Verdict("malformed", "accepted by the teacher without an agreeing program")
    seen.add(new_hash or "")
    return Verdict(None)


def count_reasons(reasons: Iterable[str]) -> dict[str, int]:
    """Rejections by reason, sorted by reason."""
    return dict(sorted(Counter(reasons).items()))
