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

Word n-grams miss paraphrases: a GSM8K test question re-told with synonyms, reordered clauses or
renamed people keeps few trigrams. The second signal, ``ContentIndex``, scores the rarity-weighted
share of a question's numbers and counted things (stemmed content words) found in one benchmark
question; ``LookalikeIndex`` holds both and calls a question a look-alike when either signal reaches
its own threshold (word 0.6 as the run config's default, content ``CONTENT_THRESHOLD``), reporting both.
On 49 hand-written paraphrases of GSM8K test questions vs 1,300 unrelated problems the bench measures
recall and false-positive rate of each (bench/bench_leakage.py; floors in tests/fdd/test_leakage.py).
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


class _Postings:
    """Sorted postings: for every key (a hashed feature), the indexed documents that hold it."""

    def __init__(self, docs: np.ndarray, keys: np.ndarray, n_docs: int):
        order = np.lexsort((docs, keys))  # postings grouped by key, each list in document order
        self.keys, first = np.unique(keys[order], return_index=True)
        self.offsets = np.append(first, len(order)).astype(np.int64)
        self.docs = docs[order]
        self.n_docs = n_docs

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(slot, found)``: each key's position among the indexed keys, and whether it is there."""
        slot = np.minimum(np.searchsorted(self.keys, keys), max(len(self.keys) - 1, 0))
        found = self.keys[slot] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
        return slot, found

    def table(
        self, rows: np.ndarray, slot: np.ndarray, weights: np.ndarray | None, n_rows: int
    ) -> np.ndarray:
        """Sum ``weights`` (1 each when None) of every (query row, found key) over the key's documents."""
        starts = self.offsets[slot]
        counts = self.offsets[slot + 1] - starts
        # Gather every posting of every (row, key) pair without a Python loop.
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        docs = self.docs[np.repeat(starts, counts) + within]
        n_docs = max(self.n_docs, 1)
        cells = np.repeat(rows, counts) * n_docs + docs
        spread = None if weights is None else np.repeat(weights, counts)
        return np.bincount(cells, weights=spread, minlength=n_rows * n_docs).reshape(n_rows, n_docs)


class _BatchedIndex:
    """What both signals' indexes share: ``ids`` of the indexed questions, and questions scored in
    numpy batches of ``_BATCH`` by the subclass's ``_score_batch``."""

    ids: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def best_match(self, question: str) -> Match:
        """Return the indexed problem that scores highest against ``question``."""
        return self.best_matches([question])[0]

    def best_matches(self, questions: Iterable[str]) -> list[Match]:
        """Return the best match of every question, in order (scored in numpy batches)."""
        questions = list(questions)
        matches: list[Match] = []
        for start in range(0, len(questions), _BATCH):
            matches.extend(self._score_batch(questions[start : start + _BATCH]))
        return matches

    def _score_batch(self, questions: Sequence[str]) -> list[Match]:
        raise NotImplementedError


class LeakageIndex(_BatchedIndex):
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
        self._postings = _Postings(*_hashed_grams(self._questions, n, normalize_numbers), len(self.ids))
        self._sets: list[set[tuple[str, ...]]] | None = None  # built on demand by the naive reference

    @classmethod
    def from_problems(cls, problems: Iterable[Problem], **options) -> LeakageIndex:
        """Index the questions of ``problems`` under their ids."""
        return cls(((p.id, p.question) for p in problems), **options)

    @classmethod
    def from_benchmarks(cls, benchmarks: Iterable[Benchmark], **options) -> LeakageIndex:
        """Index the questions of every problem of every benchmark."""
        return cls.from_problems((p for bench in benchmarks for p in bench), **options)

    def _score_batch(self, questions: Sequence[str]) -> list[Match]:
        rows, keys = _hashed_grams(questions, self.n, self.normalize_numbers)
        sizes = np.bincount(rows, minlength=len(questions))
        slot, found = self._postings.lookup(keys)
        table = self._postings.table(rows[found], slot[found], None, len(questions))
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


# --- The second signal: the numbers and the counted things, weighted by rarity --------------------

CONTENT_THRESHOLD = 0.7  # content signal's default threshold: calibrated in bench/bench_leakage.py
NUMBER_WEIGHT = 2.0  # a number counts twice a word of the same rarity: paraphrases keep numbers
MIN_FEATURES = 5  # fewer content features than this: too little to call anything a look-alike
_CONTENT_TOKEN = re.compile(r"\d+/\d+|\d+(?:\.\d+)?|\.\d+|[a-z]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000", "dozen": "12",
    "half": "0.5", "quarter": "0.25", "third": "1/3", "thirds": "1/3", "twice": "2", "double": "2",
    "triple": "3",
}  # fmt: skip
_STOP_WORDS = frozenset(
    "the and but for with from are was were been being has have had does did will would can could should "
    "shall may might must its she they them his her their him you your our this that these those there "
    "here what which who whom how many much more less than then each every per some any all not only also "
    "just after before over into out about very most other another same such own while when where why "
    "total altogether".split()
)


def _stem(word: str) -> str:
    """A light plural stemmer (``pencils`` -> ``pencil``, ``berries`` -> ``berry``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _number(token: str) -> str:
    """One spelling per value (``0.50``, ``.5`` and ``half`` are all ``0.5``)."""
    return token if "/" in token else f"{float(token):g}"


def content_features(text: str) -> list[str]:
    """The numbers (exact values, ``#``-prefixed) and the stemmed content words of ``text``.

    A repeated feature is kept once per occurrence (``#3``, ``#3@1``), so the numbers form a multiset.
    Words of two letters or fewer and function words are left out.
    """
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).lower())
    seen: dict[str, int] = {}
    features = []
    for token in _CONTENT_TOKEN.findall(text):
        if token[0].isdigit() or token[0] == ".":
            feature = "#" + _number(token)
        elif token in _NUMBER_WORDS:
            feature = "#" + _number(_NUMBER_WORDS[token])
        elif len(token) > 2 and token not in _STOP_WORDS:
            feature = _stem(token)
        else:
            continue
        count = seen.get(feature, 0)
        seen[feature] = count + 1
        features.append(f"{feature}@{count}" if count else feature)
    return features


class ContentIndex(_BatchedIndex):
    """The second signal: how much of a question's numbers and counted things one benchmark question holds.

    Word n-grams miss paraphrases (synonyms, reordered clauses, renamed people), yet a paraphrased math
    word problem keeps its numbers and most of its nouns. Each feature of ``content_features`` weighs
    its inverse document frequency over the indexed questions (numbers ``NUMBER_WEIGHT`` times more;
    a feature no indexed question has weighs most), and

        content(q, b) = weight(F(q) ∩ F(b)) / weight(F(q))     (0 when q has < MIN_FEATURES features)
    """

    def __init__(self, items: Iterable[tuple[str, str]]):
        """Index ``(problem_id, question)`` pairs by their content features."""
        pairs = list(items)
        self.ids = [problem_id for problem_id, _ in pairs]
        keys = [[hash(f) for f in set(content_features(q))] for _, q in pairs]
        rows = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
        flat = np.asarray([k for doc in keys for k in doc], dtype=np.int64)
        self._postings = _Postings(rows, flat, len(self.ids))
        df = np.diff(self._postings.offsets)
        self._unseen_idf = float(np.log(len(self.ids) + 1) + 1)
        self._idf = np.log((len(self.ids) + 1) / (df + 1)) + 1

    @classmethod
    def from_problems(cls, problems: Iterable[Problem]) -> ContentIndex:
        """Index the questions of ``problems`` under their ids."""
        return cls((p.id, p.question) for p in problems)

    def _score_batch(self, questions: Sequence[str]) -> list[Match]:
        features = [set(content_features(q)) for q in questions]
        rows = np.repeat(np.arange(len(features)), [len(f) for f in features])
        keys = np.asarray([hash(f) for fs in features for f in fs], dtype=np.int64)
        numbers = np.asarray([f[0] == "#" for fs in features for f in fs], dtype=bool)
        slot, found = self._postings.lookup(keys)
        weights = np.full(len(keys), self._unseen_idf)
        weights[found] = self._idf[slot[found]]
        weights = weights * np.where(numbers, NUMBER_WEIGHT, 1.0)
        totals = np.bincount(rows, weights=weights, minlength=len(questions))
        table = self._postings.table(rows[found], slot[found], weights[found], len(questions))
        best, hits = table.argmax(axis=1), table.max(axis=1)
        return [
            Match(self.ids[b], min(h / total, 1.0)) if h and len(fs) >= MIN_FEATURES else Match(None, 0.0)
            for b, h, total, fs in zip(best.tolist(), hits.tolist(), totals.tolist(), features, strict=True)
        ]


@dataclass(frozen=True)
class Lookalike(Match):
    """A verdict of both signals: ``words`` (n-gram containment) and ``content`` (numbers and nouns).

    ``score`` is on the word signal's scale, ``max(words, content * word_threshold / content_threshold)``
    capped at 1, so ``score >= word_threshold`` exactly when either signal reaches its own threshold;
    ``problem_id`` is the match of the signal that decides it.
    """

    words: Match = Match(None, 0.0)
    content: Match = Match(None, 0.0)


class LookalikeIndex:
    """Both signals over the same benchmark questions: a look-alike when either reaches its threshold."""

    def __init__(
        self,
        items: Iterable[tuple[str, str]],
        n: int = 3,
        threshold: float = 0.6,
        content_threshold: float = CONTENT_THRESHOLD,
    ):
        """Index ``(problem_id, question)`` pairs; thresholds of the word and the content signal."""
        if not 0 <= threshold <= 1 or not 0 < content_threshold <= 1:
            raise ValueError(
                f"need 0 <= threshold <= 1 and 0 < content_threshold <= 1: {threshold}, {content_threshold}"
            )
        pairs = list(items)
        self.words = LeakageIndex(pairs, n=n)
        self.content = ContentIndex(pairs)
        self.threshold, self.content_threshold = threshold, content_threshold

    @classmethod
    def from_problems(cls, problems: Iterable[Problem], **options) -> LookalikeIndex:
        """Index the questions of ``problems`` under their ids."""
        return cls(((p.id, p.question) for p in problems), **options)

    def __len__(self) -> int:
        return len(self.words)

    def best_match(self, question: str) -> Lookalike:
        """Return both signals' best matches for ``question`` and their combined score."""
        return self.best_matches([question])[0]

    def best_matches(self, questions: Iterable[str]) -> list[Lookalike]:
        """Return both signals' best matches of every question, in order."""
        questions = list(questions)
        return [
            self._combine(w, c)
            for w, c in zip(
                self.words.best_matches(questions), self.content.best_matches(questions), strict=True
            )
        ]

    def _combine(self, words: Match, content: Match) -> Lookalike:
        scaled = min(content.score * self.threshold / self.content_threshold, 1.0)
        decider = content if scaled > words.score else words
        return Lookalike(decider.problem_id, max(words.score, scaled), words=words, content=content)


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
