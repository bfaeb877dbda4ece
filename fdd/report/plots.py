"""The report's plots (matplotlib, Agg): accuracy per round, set growth by origin, easy/hard split,
leakage distribution, and a generic grouped-bar plot for the experiments' tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

from fdd.report.tables import round_view

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ORIGIN_COLOURS = {"seed": "#4C72B0", "complex": "#DD8452", "similar": "#55A868"}
LABEL_COLOURS = {"easy": "#55A868", "hard": "#C44E52", "no_answer": "#8C8C8C"}


def _rounds(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Round views (see ``round_view``) of the rounds that have an accuracy."""
    views = [round_view(r) for r in run.get("rounds") or []]
    return [v for v in views if v["accuracy"] is not None]


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def accuracy_plot(run: dict[str, Any], path: Path) -> Path:
    """Overall accuracy per round (bold) and accuracy per step count (dashed)."""
    rounds = _rounds(run)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    xs = [r["index"] for r in rounds]
    ax.plot(xs, [100 * r["accuracy"] for r in rounds], "o-", color="black", lw=2.5, label="overall")
    groups = sorted({g for r in rounds for g in r["accuracy_by_group"]}, key=lambda g: (len(g), g))
    cmap = plt.get_cmap("viridis", max(len(groups), 2))
    for i, group in enumerate(groups):
        ys = [100 * r["accuracy_by_group"].get(group, float("nan")) for r in rounds]
        ax.plot(xs, ys, "o--", color=cmap(i), lw=1.2, label=f"{group} steps")
    benchmark = rounds[0]["benchmark"] if rounds else "held-out set"
    ax.set(
        xlabel="round",
        ylabel="accuracy (%)",
        ylim=(-2, 102),
        title=f"Student accuracy per round ({benchmark})",
    )
    ax.set_xticks(xs)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: never hides a line
    return _save(fig, path)


def stacked_bars(
    rounds: list[dict[str, Any]], key: str, colours: dict[str, str], title: str, ylabel: str, path: Path
) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    xs = [r["index"] for r in rounds]
    bottom = [0.0] * len(rounds)
    for name, colour in colours.items():
        values = [float(r.get(key, {}).get(name, 0)) for r in rounds]
        ax.bar(xs, values, bottom=bottom, color=colour, label=name.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set(xlabel="round", ylabel=ylabel, title=title)
    ax.set_xticks(xs)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def leakage_plot(scores_by_round: dict[int, list[float]], path: Path) -> Path | None:
    """Histogram per round of generated problems' best n-gram overlap with the benchmark test sets."""
    if not any(scores_by_round.values()):
        return None
    fig, ax = plt.subplots(figsize=(7, 4.2))
    bins = [i / 20 for i in range(21)]
    for index, scores in sorted(scores_by_round.items()):
        ax.hist(scores, bins=bins, histtype="step", lw=1.5, label=f"round {index} (n={len(scores)})")
    ax.set(
        xlabel="best n-gram overlap with benchmark test sets",
        ylabel="generated problems",
        title="Data leakage: best overlap of generated problems",
    )
    ax.set_yscale("symlog")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def grouped_bars(table: dict[str, dict[str, float]], title: str, ylabel: str, path: Path) -> Path:
    """``table[series][category] = value`` as grouped bars (one group per category)."""
    series = list(table)
    categories = sorted({c for s in table.values() for c in s}, key=lambda c: (len(c), c))
    width = 0.8 / max(len(series), 1)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for i, name in enumerate(series):
        xs = [j + i * width for j in range(len(categories))]
        ax.bar(xs, [table[name].get(c, 0.0) for c in categories], width=width, label=name)
    ax.set_xticks([j + width * (len(series) - 1) / 2 for j in range(len(categories))], categories)
    ax.set(ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def error_bars(estimates: dict[str, dict[str, Any]], title: str, ylabel: str, path: Path) -> Path | None:
    """One bar per arm at its mean, with its interval (``fdd.report.stats.Estimate`` dicts) as error bars."""
    if not estimates:
        return None
    names = list(estimates)
    means = [estimates[n]["mean"] for n in names]
    lows = [
        m - (estimates[n]["lo"] if estimates[n]["lo"] is not None else m)
        for n, m in zip(names, means, strict=True)
    ]
    highs = [
        (estimates[n]["hi"] if estimates[n]["hi"] is not None else m) - m
        for n, m in zip(names, means, strict=True)
    ]
    fig, ax = plt.subplots(figsize=(max(4.0, 1.4 * len(names)), 4.2))
    ax.bar(names, means, yerr=[lows, highs], capsize=6, color="#4C72B0")
    for i, m in enumerate(means):
        ax.text(i, m / 2, f"{m:.1f}", ha="center", color="white")
    ax.set(ylabel=ylabel, title=title)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)
