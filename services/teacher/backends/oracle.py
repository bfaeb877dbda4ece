"""The oracle teacher: answers rationale requests for GSM8K questions with their gold solution as a program.

It reads the task and the problem text back from the chat messages (``fdd.prompts.parse_request``), as
the synthetic teacher does, looks the question up among GSM8K train and test (``fdd.datasets.load_gsm8k``
under the data directory, ``FDD_DATA_DIR``; matched on ``fdd.datasets.normalise_text``, so whitespace and
case do not matter) and answers with the gold worked solution converted to a program by
``fdd.gsm8k_programs``. The program is not run here: the teacher's sandbox executes and checks it like any
other completion. A question it does not know, one whose solution does not convert, and every variant
request (an oracle cannot invent problems) are declined with ``fdd.prompts.decline(reason)``, which holds
no program. Every sample of a request is the same program; sampling parameters are ignored. Token counts
are word counts, as the synthetic teacher reports them, and no price is configured for its model: it
costs nothing, and budgets and usage reports keep working.

The index (normalised question to GSM8K problem, ~9k rows, about a second to read) is built once per
process and data directory, on the first request; a program is converted once per question.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fdd.datasets import DATA_DIR_ENV, Problem, load_gsm8k, normalise_text
from fdd.gsm8k_programs import ConversionError, convert_or_raise
from fdd.prompts import Task, decline
from teacher.backends.base import ScriptedBackend

SPLITS = ("train", "test")
NO_VARIANTS = (
    "an oracle teacher cannot invent problems: it only knows the gold solutions of GSM8K's questions, "
    "so it writes no {task} variant"
)
UNKNOWN_QUESTION = (
    "not a GSM8K question: the oracle teacher only answers questions of GSM8K train and test "
    "with their gold solutions"
)


@dataclass
class GoldIndex:
    """GSM8K's problems by normalised question, and the answers written for them so far (by problem id)."""

    problems: dict[str, Problem]
    _answers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path) -> GoldIndex:
        problems = [p for split in SPLITS for p in load_gsm8k(data_dir, split)]
        # No two of GSM8K's 8,792 questions normalise alike (checked), so no gold answer is shadowed.
        return cls({normalise_text(p.question): p for p in problems})

    def answer(self, question: str) -> str:
        """The completion for ``question``: its gold program in a fenced block, or a decline (why not)."""
        problem = self.problems.get(normalise_text(question))
        if problem is None:  # not remembered: unknown texts are unbounded
            return decline(UNKNOWN_QUESTION)
        found = self._answers.get(problem.id)
        if found is None:
            found = self._answers[problem.id] = self._convert(problem)
        return found

    @staticmethod
    def _convert(problem: Problem) -> str:
        try:
            program = convert_or_raise(problem.meta["solution"])
        except ConversionError as exc:
            return decline(f"the gold solution of {problem.id} does not convert to a program ({exc})")
        return f"```python\n{program}```"


_INDEXES: dict[Path, GoldIndex] = {}
_INDEX_LOCK = threading.Lock()


def gold_index(data_dir: Path) -> GoldIndex:
    """The index of ``data_dir``'s GSM8K, built on first use and kept for the life of the process."""
    key = data_dir.resolve()
    with _INDEX_LOCK:  # two first requests in threads build it once
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = GoldIndex.load(key)
        return index


class OracleBackend(ScriptedBackend):
    """GSM8K's gold solutions as programs, for the questions it knows; declines everything else."""

    name = "oracle"
    model = "gsm8k-gold"

    def __init__(self, data_dir: Path) -> None:
        missing = [str(data_dir / "gsm8k" / f"{s}.jsonl") for s in SPLITS]
        missing = [path for path in missing if not Path(path).is_file()]
        if missing:  # found at start-up, not on the first request of a run
            raise FileNotFoundError(
                f"the oracle teacher needs GSM8K: {', '.join(missing)} not found "
                f"(set {DATA_DIR_ENV} to the directory holding gsm8k/)"
            )
        self.data_dir = data_dir
        self._index: GoldIndex | None = None

    async def index(self) -> GoldIndex:
        if self._index is None:
            self._index = await asyncio.to_thread(gold_index, self.data_dir)
        return self._index

    async def answers(self, task: Task, text: str, n: int, seed: int | None) -> list[str]:
        """``n`` copies of the gold program for a known question (a refusal for anything else)."""
        if task == Task.RATIONALE:
            return [(await self.index()).answer(text)] * n
        return [decline(NO_VARIANTS.format(task=task))] * n
