"""Data-leakage measure: word n-gram overlap between questions and benchmark questions.

This module owns the paper's leakage analysis: an index over the benchmark questions, built once,
that answers for any question which benchmark problem it overlaps most and by how much, plus a
report of the distribution of those best scores for a set of questions (e.g. one round's generated
problems). Loading the benchmarks is ``fdd.datasets``'s job; deciding what to reject is the caller's.

Tokens: the text is NFKC-normalised and lower-cased, then split into words (``[a-z]+`` with an
optional ``'s``-style suffix) and numbers (``12``, ``1,250``, ``3.5``). With ``normalize_numbers``
(the default) every number becomes the token ``0``, so a benchmark problem re-told with new
numbers still counts as a look-alike. Grams are the *distinct* contiguous word n-grams (default
n = 3). The score of question q against benchmark question b is the containment

    score(q, b) = |G(q) ∩ G(b)| / |G(q)|        (in [0, 1]; 0 when q has fewer than n tokens)

and q's best match is the b with the highest score (ties go to the earliest indexed problem).
Reports default to a threshold of 0.5: GSM8K *train* questions scored against GSM8K test + SVAMP +
ASDiv + MultiArith have median 0.09, p99 0.36 and only 0.4 % at or above 0.5 (bench/bench_leakage.py),
so 0.5 singles out near-copies, not shared phrasing such as "how many 0 does".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from fdd.datasets import Benchmark, Problem

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\.\d+|[a-z]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\.\d+")
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier of the polynomial gram hash
_BATCH = 256  # queries scored together in one numpy bincount (rows x benchmark problems)


def tokenize(text: str, normalize_numbers: bool = True) -> list[str]:
    """Split ``text`` into lower-case words and numbers (every number as ``0`` when normalised)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if normalize_numbers:
        text = _NUMBER.sub(" 0 ", text)
    return _TOKEN.findall(text)


def ngrams(tokens: Sequence[str], n: int = 3) -> set[tuple[str, ...]]:
    """Return the distinct contiguous n-grams of ``tokens`` (empty when there are fewer than n)."""
    return set(zip(*(tokens[i:] for i in range(n)), strict=False))


@dataclass(frozen=True)
class Match:
    """The best-matching benchmark problem for one question (``problem_id`` None when score is 0)."""

    problem_id: str | None
    score: float


def _token_hashes(text: str, normalize_numbers: bool) -> list[int]:
    """Python's (per-process, cached) hashes of ``tokenize(text)``, computed at C speed."""
    return list(map(hash, tokenize(text, normalize_numbers)))


def _hashed_grams(texts: Sequence[str], n: int, normalize_numbers: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(rows, keys)``: the distinct hashed n-grams of every text, sorted by (row, key).

    A gram's key is a polynomial hash (mod 2**64) of its tokens' hashes; two different grams share
    a key with probability about 2**-64 per pair, which the scores ignore.
    """
    hashes, lengths = [], []
    for text in texts:
        tokens = _token_hashes(text, normalize_numbers)
        hashes.extend(tokens)
        lengths.append(len(tokens))
    lengths_arr = np.asarray(lengths, dtype=np.int64)
    token_rows = np.repeat(np.arange(len(texts)), lengths_arr)
    position = np.arange(len(hashes)) - np.repeat(np.cumsum(lengths_arr) - lengths_arr, lengths_arr)
    starts = np.flatnonzero(position <= np.repeat(lengths_arr - n, lengths_arr))
    token_hashes = np.asarray(hashes, dtype=np.int64).view(np.uint64)
    keys = token_hashes[starts]
    for offset in range(1, n):
        keys = keys * _MIX + token_hashes[starts + offset]
    rows = token_rows[starts]
    order = np.lexsort((keys, rows))
    rows, keys = rows[order], keys[order]
    distinct = np.ones(len(keys), dtype=bool)
    distinct[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    return rows[distinct], keys[distinct]


class LeakageIndex:
    """Inverted index from hashed word n-grams to the benchmark questions that contain them."""

    def __init__(self, items: Iterable[tuple[str, str]], n: int = 3, normalize_numbers: bool = True):
        """Index ``(problem_id, question)`` pairs with n-grams of size ``n``."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        self.n = n
        self.normalize_numbers = normalize_numbers
        pairs = list(items)
        self.ids = [problem_id for problem_id, _ in pairs]
        self._questions = [question for _, question in pairs]
        docs, keys = _hashed_grams(self._questions, n, normalize_numbers)
        order = np.lexsort((docs, keys))  # postings grouped by gram, each list in document order
        self._keys, first, counts = np.unique(keys[order], return_index=True, return_counts=True)
        self._offsets = np.append(first, len(order)).astype(np.int64)
        self._docs = docs[order]
        self._sets: list[set[tuple[str, ...]]] | None = None  # built on demand by the naive reference

    @classmethod
    def from_problems(cls, problems: Iterable[Problem], **options) -> LeakageIndex:
        """Index the questions of ``problems`` under their ids."""
        return cls(((p.id, p.question) for p in problems), **options)

    @classmethod
    def from_benchmarks(cls, benchmarks: Iterable[Benchmark], **options) -> LeakageIndex:
        """Index the questions of every problem of every benchmark."""
        return cls.from_problems((p for bench in benchmarks for p in bench), **options)

    def __len__(self) -> int:
        return len(self.ids)

    def best_match(self, question: str) -> Match:
        """Return the benchmark problem whose question contains most of ``question``'s n-grams."""
        return self.best_matches([question])[0]

    def best_matches(self, questions: Iterable[str]) -> list[Match]:
        """Return the best match of every question, in order (scored in numpy batches)."""
        questions = list(questions)
        matches: list[Match] = []
        for start in range(0, len(questions), _BATCH):
            matches.extend(self._score_batch(questions[start : start + _BATCH]))
        return matches

    def _score_batch(self, questions: Sequence[str]) -> list[Match]:
        rows, keys = _hashed_grams(questions, self.n, self.normalize_numbers)
        sizes = np.bincount(rows, minlength=len(questions))
        n_docs = max(len(self.ids), 1)
        slot = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        found = self._keys[slot] == keys if len(self._keys) else np.zeros(len(keys), dtype=bool)
        rows, slot = rows[found], slot[found]
        starts = self._offsets[slot]
        counts = self._offsets[slot + 1] - starts
        # Gather every posting of every (row, gram) pair without a Python loop.
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        docs = self._docs[np.repeat(starts, counts) + within]
        cells = np.repeat(rows, counts) * n_docs + docs
        table = np.bincount(cells, minlength=len(questions) * n_docs).reshape(len(questions), n_docs)
        best, hits = table.argmax(axis=1), table.max(axis=1)
        return [
            Match(self.ids[b], h / size) if h else Match(None, 0.0)
            for b, h, size in zip(best.tolist(), hits.tolist(), sizes.tolist(), strict=True)
        ]

    def naive_best_match(self, question: str) -> Match:
        """Reference implementation: intersect with every benchmark question's n-gram set."""
        grams = self._grams(question)
        if not grams:
            return Match(None, 0.0)
        best_doc, best_hits = -1, 0
        for doc, doc_grams in enumerate(self._doc_gram_sets()):
            hits = len(grams & doc_grams)
            if hits > best_hits:
                best_doc, best_hits = doc, hits
        return Match(self.ids[best_doc], best_hits / len(grams)) if best_hits else Match(None, 0.0)

    def _doc_gram_sets(self) -> list[set[tuple[str, ...]]]:
        if self._sets is None:
            self._sets = [self._grams(question) for question in self._questions]
        return self._sets

    def _grams(self, question: str) -> set[tuple[str, ...]]:
        return ngrams(tokenize(question, self.normalize_numbers), self.n)

    def report(self, questions: Iterable[str], threshold: float = 0.5, bins: int = 10) -> LeakageReport:
        """Match ``questions`` and summarise the distribution of their best scores."""
        return leakage_report(self.best_matches(questions), threshold=threshold, bins=bins)


@dataclass(frozen=True)
class LeakageReport:
    """Distribution of best-match scores for a set of questions.

    ``histogram`` holds ``(low, high, count)`` for equal-width buckets over [0, 1] (the last bucket
    includes 1.0); ``quantiles`` maps q in {0.5, 0.9, 0.95, 0.99, 1.0} to the score quantile;
    ``above`` counts scores >= ``threshold``; ``top`` lists the highest ``(index, problem_id, score)``.
    """

    count: int
    threshold: float
    above: int
    mean: float
    quantiles: dict[float, float]
    histogram: list[tuple[float, float, int]]
    top: list[tuple[int, str | None, float]] = field(default_factory=list)

    @property
    def share_above(self) -> float:
        """Fraction of the questions whose best score is >= the threshold (0 for no questions)."""
        return self.above / self.count if self.count else 0.0

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (quantile keys as strings)."""
        return {
            "count": self.count,
            "threshold": self.threshold,
            "above": self.above,
            "share_above": self.share_above,
            "mean": self.mean,
            "quantiles": {f"{q:g}": v for q, v in self.quantiles.items()},
            "histogram": [list(bucket) for bucket in self.histogram],
            "top": [list(item) for item in self.top],
        }

    def format(self) -> str:
        """Return a short human-readable text of the report."""
        lines = [
            f"{self.count} questions, mean best overlap {self.mean:.3f}, "
            f"{self.above} ({self.share_above:.1%}) at or above {self.threshold:g}",
            "quantiles: " + ", ".join(f"p{q * 100:g}={v:.3f}" for q, v in self.quantiles.items()),
        ]
        lines += [f"  [{lo:.1f}, {hi:.1f}{']' if hi >= 1 else ')'} {n}" for lo, hi, n in self.histogram]
        return "\n".join(lines)


QUANTILES = (0.5, 0.9, 0.95, 0.99, 1.0)


def leakage_report(
    matches: Sequence[Match], threshold: float = 0.5, bins: int = 10, top: int = 10
) -> LeakageReport:
    """Summarise best matches: histogram of ``bins`` buckets, quantiles, count >= ``threshold``."""
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    scores = np.asarray([m.score for m in matches], dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.histogram(scores, bins=edges)[0].tolist() if len(scores) else [0] * bins
    histogram = [(float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(bins)]
    quantiles = {q: float(np.quantile(scores, q)) if len(scores) else 0.0 for q in QUANTILES}
    order = np.argsort(-scores, kind="stable")[:top].tolist()
    return LeakageReport(
        count=len(scores),
        threshold=threshold,
        above=int((scores >= threshold).sum()),
        mean=float(scores.mean()) if len(scores) else 0.0,
        quantiles=quantiles,
        histogram=histogram,
        top=[(i, matches[i].problem_id, float(scores[i])) for i in order],
    )
