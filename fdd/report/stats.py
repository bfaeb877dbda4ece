"""Interval estimates for experiments over seeds: a mean with its 95 % t-interval, and paired differences.

A comparison of two configurations runs both on the same seeds (same curriculum, same student seed), so
the difference per seed removes the seed's own luck: ``paired`` gives the mean difference and its
interval. With one seed there is no interval (``lo``/``hi`` are None): one seed is an anecdote.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """Mean of ``n`` values with a two-sided ``LEVEL`` t-interval (None below two values)."""

    mean: float
    lo: float | None
    hi: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self, digits: int = 1) -> str:
        """``47.0 [44.1, 49.9]`` or ``47.0 (n=1)``."""
        if self.lo is None or self.hi is None:
            return f"{self.mean:.{digits}f} (n={self.n})"
        return f"{self.mean:.{digits}f} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"

    @property
    def above_zero(self) -> bool:
        return self.lo is not None and self.lo > 0


def estimate(values: Sequence[float]) -> Estimate:
    """The mean and its t-interval."""
    if not values:
        raise ValueError("no values to estimate from")
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return Estimate(mean, None, None, n)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def paired(a: dict[int, float], b: dict[int, float]) -> Estimate | None:
    """Mean of ``a[s] - b[s]`` over the seeds both have, with its interval; None without a common seed."""
    common = sorted(set(a) & set(b))
    if not common:
        return None
    return estimate([a[s] - b[s] for s in common])
