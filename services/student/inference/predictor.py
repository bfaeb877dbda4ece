"""Predictions of a trained student: generate programs, restore numbers, run them, judge the answers.

``load_predictor`` opens a checkpoint written by ``student.training`` (or any HF model directory)
with the HF or vLLM generator and the ``student.text.TextTransform`` its meta describes (questions
are masked, and programs restored, exactly as in training); ``Predictor.predict`` turns questions
into ``Prediction``s — every sampled output with its text, restored program, answer and verdict,
the problem's majority answer, pass-rate and outcome. A runaway generation (no EOS within
``max_new_tokens``), an empty program or one that fails in the sandbox is ``no_answer``, kept apart
from ``wrong``. Programs run only through ``fdd.programs.execute_many``; answers are compared only
with ``fdd.answers.answers_equal``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from fdd.answers import answers_equal
from fdd.programs import execute_many
from student.modeling import PromptFormat, load_pretrained, read_meta
from student.text import NumberMap, TextTransform

from .generators import Completion, Generator, HFGenerator, VLLMGenerator

OUTCOMES = ("correct", "wrong", "no_answer", "unknown")


@dataclass
class PredictItem:
    """A problem to solve; ``gold`` may be None (then outcomes are ``unknown`` or ``no_answer``)."""

    id: str
    question: str
    gold: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Output:
    """One sampled solution: generated text, restored program, its answer and verdict."""

    text: str
    program: str | None  # None when there was nothing runnable (runaway, empty, unknown slot)
    answer: float | None
    verdict: str  # correct | wrong | no_answer | unknown
    error: str | None = None  # runaway | empty | unknown_slot | an fdd.programs ErrorKind

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return asdict(self)


@dataclass
class Prediction:
    """All outputs for one problem, the majority answer, the share of correct outputs and the outcome."""

    id: str
    outputs: list[Output]
    answer: float | None
    pass_rate: float | None  # None without a gold answer
    outcome: str  # correct | wrong | no_answer | unknown (answered, but no gold to judge)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "id": self.id,
            "outputs": [o.to_dict() for o in self.outputs],
            "answer": self.answer,
            "pass_rate": self.pass_rate,
            "outcome": self.outcome,
        }


def _verdict(answer: float | None, gold: float | None) -> str:
    if answer is None:
        return "no_answer"
    if gold is None:
        return "unknown"
    return "correct" if answers_equal(answer, gold) else "wrong"


def _majority(answers: list[float]) -> float | None:
    """The most frequent answer (equal per ``answers_equal``); ties go to the one seen first."""
    groups: list[list[float]] = []
    for a in answers:
        home = next((g for g in groups if answers_equal(g[0], a)), None)
        if home is None:
            groups.append([a])
        else:
            home.append(a)
    return max(groups, key=len)[0] if groups else None


class Predictor:
    """Solves problems with one model; build it with ``load_predictor``."""

    def __init__(
        self,
        generator: Generator,
        tokenizer: Any,
        fmt: PromptFormat,
        text: TextTransform,
        exec_timeout: float = 2.0,
    ):
        """``text``: the text transform the model was trained with (``TextTransform()``: none)."""
        self.generator, self.tokenizer, self.fmt = generator, tokenizer, fmt
        self.text, self.exec_timeout = text, exec_timeout

    @property
    def engine(self) -> str:
        """Name of the generation engine in use (``hf`` or ``vllm``)."""
        return self.generator.name

    def predict(
        self,
        problems: Sequence[PredictItem],
        num_samples: int = 1,
        temperature: float = 0.0,
        max_new_tokens: int = 256,
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Prediction]:
        """Solve every problem ``num_samples`` times (greedy at temperature 0) and judge the outputs."""
        if num_samples < 1 or batch_size < 1 or max_new_tokens < 1:
            raise ValueError("num_samples, batch_size and max_new_tokens must be at least 1")
        masked = [self.text.question(p.question) for p in problems]
        prompts = self.fmt.prompts_ids(self.tokenizer, [q for q, _ in masked])
        completions = self.generator.generate(
            prompts, num_samples, temperature, max_new_tokens, batch_size, progress
        )
        drafts = [
            [self._program(c, numbers) for c in cs]
            for cs, (_, numbers) in zip(completions, masked, strict=True)
        ]
        runnable = [prog for row in drafts for prog, _ in row if prog is not None]
        results = iter(execute_many(runnable, timeout=self.exec_timeout) if runnable else [])
        predictions = []
        for problem, cs, row in zip(problems, completions, drafts, strict=True):
            outputs = [
                self._output(c, prog, err, results, problem.gold)
                for c, (prog, err) in zip(cs, row, strict=True)
            ]
            predictions.append(self._judge(problem, outputs))
        return predictions

    def _program(self, completion: Completion, numbers: NumberMap | None) -> tuple[str | None, str | None]:
        if not completion.finished:
            return None, "runaway"
        written = completion.text.strip()
        if not written:
            return None, "empty"
        program = self.text.restore(written, numbers)
        return (program, None) if program is not None else (None, "unknown_slot")

    @staticmethod
    def _output(
        completion: Completion, program: str | None, error: str | None, results: Any, gold: float | None
    ) -> Output:
        answer = None
        if program is not None:
            result = next(results)
            answer, error = (float(result.value), None) if result.ok else (None, str(result.error_kind))
        return Output(completion.text, program, answer, _verdict(answer, gold), error)

    @staticmethod
    def _judge(problem: PredictItem, outputs: list[Output]) -> Prediction:
        answer = _majority([o.answer for o in outputs if o.answer is not None])
        pass_rate = None
        if problem.gold is not None:
            pass_rate = sum(o.verdict == "correct" for o in outputs) / len(outputs)
        return Prediction(problem.id, outputs, answer, pass_rate, _verdict(answer, problem.gold))


def _vllm_usable() -> bool:
    return importlib.util.find_spec("vllm") is not None and torch.cuda.is_available()


def load_predictor(
    checkpoint_dir: Path | str,
    device: str | None = None,
    engine: str = "auto",
    threads: int | None = None,
    exec_timeout: float = 2.0,
) -> Predictor:
    """Open a checkpoint for prediction. ``engine``: ``auto`` (vLLM when importable with a GPU, else
    HF), ``hf`` or ``vllm``; ``device`` defaults to CUDA when present; ``threads`` sets torch's CPU threads.
    """
    if engine not in ("auto", "hf", "vllm"):
        raise ValueError(f"unknown engine {engine!r}; use 'auto', 'hf' or 'vllm'")
    if not Path(checkpoint_dir).is_dir():
        raise FileNotFoundError(f"checkpoint directory {checkpoint_dir} does not exist")
    if threads:
        torch.set_num_threads(threads)
    text = TextTransform.from_meta(read_meta(checkpoint_dir) or {})
    model, tokenizer, fmt = load_pretrained(str(checkpoint_dir))
    if engine == "vllm" and not _vllm_usable():
        raise RuntimeError("engine='vllm' needs the vllm package and a CUDA GPU; use engine='hf'")
    if engine == "vllm" or (engine == "auto" and fmt.kind == "causal" and _vllm_usable()):
        del model  # vLLM loads its own copy of the weights
        generator: Generator = VLLMGenerator(checkpoint_dir, tokenizer, fmt)
        return Predictor(generator, tokenizer, fmt, text, exec_timeout)
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if dev.type == "cuda":
        model = model.to(torch.bfloat16)
    return Predictor(HFGenerator(model, tokenizer, fmt, dev), tokenizer, fmt, text, exec_timeout)
