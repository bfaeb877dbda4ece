"""Benchmark loaders and fdd's own problem data model.

This module owns reading the four public math word-problem benchmarks (GSM8K, SVAMP, ASDiv,
MultiArith) from their raw upstream files, fdd's own JSONL problem schema
(``{"id","question","answer","source","meta"}``, written by the curriculum for synthetic test sets),
and the identity of what was evaluated: every ``Problem`` has a stable ``id`` and a ``content_hash``
(sha256 of its normalised question and canonical answer), every ``Benchmark`` a ``population_hash``
(sha256 of its sorted problem hashes), so two evaluations are comparable only when those match.
Answer *comparison* is left to ``fdd.answers``; n-gram overlap with benchmarks to ``fdd.leakage``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fdd.config import core_settings
from fdd.references import JSONL_PREFIX, resolve_jsonl

DATA_DIR_ENV = "FDD_DATA_DIR"
BENCHMARK_NAMES = ("gsm8k", "svamp", "asdiv", "asdiv-a", "multiarith", "jsonl:<path>")

Number = int | float


def normalise_text(text: str) -> str:
    """Return ``text`` in the form that is hashed: NFKC, lower-case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def canonical_answer(value: Number) -> str:
    """Return the text of a numeric answer that is hashed: ``51.0`` and ``51`` both give ``"51"``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"answer must be int or float, got {type(value).__name__}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"answer must be finite, got {value!r}")
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def as_number(value: Number) -> Number:
    """Return ``value`` as an ``int`` when it is whole, else as a ``float``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Problem:
    """One math word problem with its gold numeric answer.

    ``id`` is stable across loads (``gsm8k/test/17``, ``svamp/chal-1``, ``asdiv/nluds-0001``,
    ``multiarith/5``); ``source`` names the benchmark or generator; ``meta`` holds extras such as
    GSM8K's worked ``solution``. ``meta`` does not take part in equality or hashing.
    """

    id: str
    question: str
    answer: Number
    source: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @cached_property
    def content_hash(self) -> str:
        """sha256 (hex) of the normalised question and the canonical answer."""
        payload = normalise_text(self.question) + "\x1f" + canonical_answer(self.answer)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Return the problem in fdd's JSONL schema."""
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "source": self.source,
            "meta": self.meta,
        }


def population_hash(problems: Iterable[Problem]) -> str:
    """sha256 (hex) of the sorted content hashes: equal exactly when the problem multisets are equal."""
    digest = hashlib.sha256()
    for content_hash in sorted(p.content_hash for p in problems):
        digest.update(content_hash.encode("ascii") + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class Benchmark:
    """A loaded benchmark: its problems, their population hash and what was skipped, by reason."""

    name: str
    problems: tuple[Problem, ...]
    population_hash: str
    skipped: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(cls, name: str, problems: Iterable[Problem], skipped: Mapping[str, int] | None = None):
        """Build a benchmark from problems, computing the population hash; ids must be unique."""
        problems = tuple(problems)
        duplicates = [pid for pid, n in Counter(p.id for p in problems).items() if n > 1]
        if duplicates:
            raise ValueError(f"benchmark {name!r} has duplicate problem ids, e.g. {duplicates[:3]}")
        return cls(name, problems, population_hash(problems), dict(skipped or {}))

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def by_id(self) -> dict[str, Problem]:
        """Return the problems keyed by id."""
        return {p.id: p for p in self.problems}


# --------------------------------------------------------------------------- file access


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """Return ``data_dir`` or, when None, the configured ``FDD_DATA_DIR`` (``core_settings().data_dir``)."""
    return Path(data_dir) if data_dir is not None else Path(core_settings().data_dir)


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(
            f"{what} not found: expected {path}. Put the benchmark files under a data directory "
            f"(gsm8k/, svamp/, asdiv/, multiarith/) and pass data_dir=... or set {DATA_DIR_ENV}."
        )
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON: {exc}") from exc


def _join_body_question(body: str, question: str) -> str:
    """Join a problem body and its question, adding the period the body sometimes lacks."""
    body, question = body.strip(), question.strip()
    if body and body[-1] not in ".?!":
        body += "."
    return f"{body} {question}".strip()


# --------------------------------------------------------------------------- GSM8K

_GSM8K_GOLD = re.compile(r"####\s*(.+?)\s*$")


def gsm8k_gold(solution: str) -> Number:
    """Return the final answer of a GSM8K worked solution: the text after ``####``, commas stripped."""
    match = _GSM8K_GOLD.search(solution.strip())
    if match is None:
        raise ValueError(f"GSM8K solution has no '#### answer' line: {solution[-80:]!r}")
    text = match.group(1).replace(",", "").strip()
    try:
        return as_number(int(text)) if re.fullmatch(r"-?\d+", text) else as_number(float(text))
    except ValueError as exc:
        raise ValueError(f"GSM8K final answer is not a number: {match.group(1)!r}") from exc


def load_gsm8k(data_dir: str | Path | None = None, split: str = "test") -> Benchmark:
    """Load GSM8K ``split`` (train/test) from ``<data_dir>/gsm8k/<split>.jsonl``.

    Ids are ``gsm8k/<split>/<line index>``; the worked solution is kept in ``meta["solution"]``.
    """
    if split not in ("train", "test"):
        raise ValueError(f"GSM8K split must be 'train' or 'test', got {split!r}")
    path = _require(resolve_data_dir(data_dir) / "gsm8k" / f"{split}.jsonl", f"GSM8K {split} file")
    problems = []
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            record = json.loads(line)
            problems.append(
                Problem(
                    id=f"gsm8k/{split}/{index}",
                    question=record["question"].strip(),
                    answer=gsm8k_gold(record["answer"]),
                    source="gsm8k",
                    meta={"split": split, "solution": record["answer"]},
                )
            )
    return Benchmark.build("gsm8k" if split == "test" else f"gsm8k-{split}", problems)


# --------------------------------------------------------------------------- SVAMP and MultiArith


def load_svamp(data_dir: str | Path | None = None) -> Benchmark:
    """Load SVAMP from ``<data_dir>/svamp/SVAMP.json``; question = Body + " " + Question."""
    path = _require(resolve_data_dir(data_dir) / "svamp" / "SVAMP.json", "SVAMP file")
    problems = [
        Problem(
            id=f"svamp/{record['ID']}",
            question=_join_body_question(record["Body"], record["Question"]),
            answer=as_number(float(record["Answer"])),
            source="svamp",
            meta={"equation": record["Equation"].strip(), "type": record["Type"]},
        )
        for record in _read_json(path)
    ]
    return Benchmark.build("svamp", problems)


def load_multiarith(data_dir: str | Path | None = None) -> Benchmark:
    """Load MultiArith from ``<data_dir>/multiarith/MultiArith.json``; ids ``multiarith/<iIndex>``."""
    path = _require(resolve_data_dir(data_dir) / "multiarith" / "MultiArith.json", "MultiArith file")
    problems = [
        Problem(
            id=f"multiarith/{record['iIndex']}",
            question=" ".join(record["sQuestion"].split()),
            answer=as_number(float(record["lSolutions"][0])),
            source="multiarith",
            meta={"equation": record["lEquations"][0]},
        )
        for record in _read_json(path)
    ]
    return Benchmark.build("multiarith", problems)


# --------------------------------------------------------------------------- ASDiv

_ASDIV_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")
_ASDIV_FRACTION = re.compile(r"(-?)\(?(\d+)/(\d+)\)?")


def parse_asdiv_answer(text: str) -> tuple[Number | None, str | None]:
    """Parse an ASDiv ``<Answer>``: ``(value, None)`` when numeric, else ``(None, skip_reason)``.

    The leading value before `` (unit)`` is taken; plain numbers (thousands commas allowed) and
    fractions such as ``5/2`` or ``-(1/3)`` are numeric. Skip reasons: ``multi-valued`` (``;``),
    ``time-or-ratio`` (``:``), ``non-numeric`` (anything else).
    """
    lead = text.split(" (", 1)[0].strip()
    if ";" in lead:
        return None, "multi-valued"
    if ":" in lead:
        return None, "time-or-ratio"
    if _ASDIV_NUMBER.fullmatch(lead):
        return as_number(float(lead.replace(",", ""))), None
    fraction = _ASDIV_FRACTION.fullmatch(lead)
    if fraction and int(fraction.group(3)) != 0:
        value = int(fraction.group(2)) / int(fraction.group(3))
        return as_number(-value if fraction.group(1) else value), None
    return None, "non-numeric"


def _asdiv_subset_ids(root: Path, subset: str) -> set[str]:
    folds = sorted((root / "nfolds" / f"asdiv-{subset}").glob("fold*.txt"))
    if not folds:
        _require(root / "nfolds" / f"asdiv-{subset}" / "fold0.txt", f"ASDiv-{subset.upper()} fold file")
    return {line.strip() for fold in folds for line in fold.read_text().splitlines() if line.strip()}


def load_asdiv(data_dir: str | Path | None = None, subset: str | None = None) -> Benchmark:
    """Load ASDiv from ``<data_dir>/asdiv/ASDiv.xml``; numeric answers only (the rest counted in
    ``skipped``). ``subset="a"`` keeps the ASDiv-A ids of ``nfolds/asdiv-a/fold*.txt``."""
    if subset not in (None, "a", "w"):
        raise ValueError(f"ASDiv subset must be None, 'a' or 'w', got {subset!r}")
    root = resolve_data_dir(data_dir) / "asdiv"
    tree = ET.parse(_require(root / "ASDiv.xml", "ASDiv file"))
    keep = _asdiv_subset_ids(root, subset) if subset else None
    problems, skipped = [], Counter()
    for node in tree.getroot().iter("Problem"):
        pid = node.get("ID", "")
        if keep is not None and pid not in keep:
            continue
        raw = (node.findtext("Answer") or "").strip()
        value, reason = parse_asdiv_answer(raw)
        if reason:
            skipped[reason] += 1
            continue
        meta = {"raw_answer": raw, "grade": node.get("Grade"), "formula": node.findtext("Formula")}
        meta["solution_type"] = (node.findtext("Solution-Type") or "").strip()
        question = _join_body_question(node.findtext("Body") or "", node.findtext("Question") or "")
        problems.append(Problem(f"asdiv/{pid}", question, value, "asdiv", meta))
    return Benchmark.build(f"asdiv-{subset}" if subset else "asdiv", problems, skipped)


# --------------------------------------------------------------------------- fdd's JSONL schema


def problem_from_dict(record: Mapping[str, Any], where: str = "record") -> Problem:
    """Validate one record of fdd's schema and return it as a ``Problem``."""
    missing = [key for key in ("id", "question", "answer") if key not in record]
    if missing:
        raise ValueError(f"{where}: missing field(s) {missing}")
    answer = record["answer"]
    if isinstance(answer, str):
        try:
            answer = float(answer.replace(",", ""))
        except ValueError as exc:
            raise ValueError(f"{where}: answer {record['answer']!r} is not a number") from exc
    if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
        raise ValueError(f"{where}: answer {record['answer']!r} is not a finite number")
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{where}: meta must be an object")
    return Problem(
        str(record["id"]),
        str(record["question"]),
        as_number(answer),
        str(record.get("source", "jsonl")),
        dict(meta),
    )


def read_problems_jsonl(path: str | Path) -> list[Problem]:
    """Read problems in fdd's schema from a JSONL file (blank lines ignored)."""
    path = _require(Path(path), "problem JSONL file")
    problems = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: invalid JSON: {exc}") from exc
            problems.append(problem_from_dict(record, f"{path}:{number}"))
    return problems


def write_problems_jsonl(path: str | Path, problems: Iterable[Problem]) -> int:
    """Write problems in fdd's schema to ``path`` (one JSON object a line); return how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for problem in problems:
            handle.write(json.dumps(problem.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def load_jsonl_benchmark(path: str | Path, name: str | None = None) -> Benchmark:
    """Load a JSONL file in fdd's schema as a benchmark (named ``jsonl:<path>`` unless ``name``)."""
    return Benchmark.build(name or f"jsonl:{path}", read_problems_jsonl(path))


# --------------------------------------------------------------------------- registry

_LOADERS: dict[str, Callable[[Path | None, str | None], Benchmark]] = {
    "gsm8k": lambda d, split: load_gsm8k(d, split or "test"),
    "svamp": lambda d, split: load_svamp(d),
    "asdiv": lambda d, split: load_asdiv(d, None if split in (None, "test", "all", "w") else split),
    "asdiv-a": lambda d, split: load_asdiv(d, "a"),
    "multiarith": lambda d, split: load_multiarith(d),
}
_SPLITS = {"gsm8k": {"train", "test"}, "asdiv": {"test", "all", "a", "w"}}


def load_benchmark(name: str, data_dir: str | Path | None = None, split: str | None = None) -> Benchmark:
    """Load a benchmark by name: ``gsm8k`` (split train/test, default test), ``svamp``, ``asdiv``
    (split ``a`` for ASDiv-A), ``asdiv-a``, ``multiarith``, or ``jsonl:<path>``.

    Benchmarks without splits accept ``split=None`` or ``"test"`` (they are test sets). A ``jsonl:<path>``
    is read only inside the data directory (relative paths from there); anything else raises
    ``fdd.references.RefusedReference`` (a ``ValueError``) with one message, whether the file exists or not.
    """
    if name.startswith(JSONL_PREFIX):
        path = resolve_jsonl(name.removeprefix(JSONL_PREFIX), resolve_data_dir(data_dir))
        return load_jsonl_benchmark(path, name)
    key = name.lower()
    loader = _LOADERS.get(key)
    if loader is None:
        raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARK_NAMES)}")
    allowed = _SPLITS.get(key, {"test"})
    if split is not None and split not in allowed:
        raise ValueError(f"benchmark {name!r} has no split {split!r}; choose from {sorted(allowed)}")
    return loader(data_dir, split)
