"""``fdd experiment …``: the paper's experiments, offline, as arms × seeds compared with intervals.

- ``ablation``: FDD vs the same loop with variants of random seed problems (no feedback; the same number
  of new problems asked each round, so the same teacher requests, and in each feedback round trained on the
  real tokens that the FDD arm of the same seed trained on in that round: ``student_by_round``, schedule
  ``tokens``), and vs the seeds alone trained on the tokens the FDD arm trained on over all its rounds;
- ``halves``: FDD (both halves) vs complex variants of easy problems only vs similar problems to hard ones
  only, each half trained on the FDD arm's tokens round by round;
- ``rounds``: accuracy after 0…5 rounds (one 5-round run per seed: each round is what an r-round run
  reports, since rounds train from the base);
- ``paths``: k = 1, 2, 4 reasoning paths per seed problem;
- ``policy``: the round training policy (fixed epochs from the base, a warm start, training to convergence);
- ``classify``: the easy/hard signal (training pool vs held-out seeds, greedy vs 4 samples);
- ``leakage``: the distribution of generated problems' best n-gram overlap with the benchmark test sets.

``--set key=value`` (repeatable) changes the demo's config for every arm alike, e.g. the ablation under a
4-sample classification signal: ``--set evaluation.num_samples=4 --set evaluation.easy_pass_rate=0.5``.

Each arm runs on every seed of ``--seeds`` (the curriculum's and the student's seed); the report gives
per arm the mean final accuracy with its 95 % interval, overall and per step count, what it spent
(teacher requests and tokens, new problems asked, training tokens and seconds, wall time), and for each
comparison the paired difference (same seed) with its interval and a check that the budgets match
(``fdd.report.experiment``). Runs are resumable: a finished arm/seed is kept in ``<out>/runs/`` and not run
again, nor is an arm whose config (its name aside) is that of a finished run of another experiment under the
same report root (``<out>/../.runs``); an unfinished one is picked up where the orchestrator left it (its
state lives under ``--state-dir``, which is not wiped). By default the command starts its own local stack (two
workers of one thread: two runs train side by side); ``--url`` uses a running orchestrator instead. On its own
stack, ``student.precision: auto`` is decided once, before the first run (the tiny model's step timed in fp32
and bf16 on this machine; kept in ``<out>/precision`` for a resume), and written into every arm's config, so
that a probe timed beside another run's training cannot give two arms different arithmetic.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from fdd.cli.demo import demo_config
from fdd.cli.settings import CliSettings
from fdd.cli.stack import LocalStack, StackConfig
from fdd.clients.orchestrator import OrchestratorClient
from fdd.config import core_settings
from fdd.report import build_report, fetch_run_bundle
from fdd.report.experiment import run_record, write_summary
from fdd.report.plots import leakage_plot
from fdd.report.tables import markdown_table

experiment_app = typer.Typer(
    help="The paper's experiments (arms × seeds, one comparison with intervals).", no_args_is_help=True
)
console = Console()
Output = Annotated[Path | None, typer.Option("-o", help="Report directory (default reports/<experiment>).")]
Seeds = Annotated[str, typer.Option(help="Comma-separated seeds (curriculum and student).")]
StateDir = Annotated[
    Path | None, typer.Option(help="State of the experiment's own stack (default var/experiments/<name>).")
]
Url = Annotated[str | None, typer.Option(help="Use the orchestrator at this URL instead of a local stack.")]
Port = Annotated[int, typer.Option(help="First of the three ports of the experiment's own stack.")]
Quick = Annotated[bool, typer.Option(help="The quick demo config (a smoke test of the experiment).")]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="KEY=VALUE: a run-config override for every arm (dotted key, JSON value), e.g. "
        "--set evaluation.num_samples=4. Repeatable.",
    ),
]
Arms = Annotated[
    str | None,
    typer.Option(
        "--arms", help="Comma-separated arms to run (default: all); others' finished runs still report."
    ),
]
TERMINAL = {"done", "failed", "cancelled"}
SEEDS_ONLY = "seeds-only"
MATCH_TOKENS = "$match_tokens"  # an arm spec key naming the arm whose tokens it trains on, round by round


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``--set`` items (``a.b=value``, the value JSON where it parses, else a string) as one nested dict."""
    overrides: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        parts = key.strip().split(".")
        if not sep or not all(parts):
            raise typer.BadParameter(f"expected KEY=VALUE (a dotted key), got {item!r}", param_hint="--set")
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        for part in reversed(parts):
            value = {part: value}
        overrides = merge(overrides, value)
    return overrides


def check_config(config: dict[str, Any]) -> None:
    """Refuse a config that the orchestrator would refuse (``--set`` names a key it lacks, a bad value)
    before a stack is started, where the orchestrator is installed alongside."""
    try:
        from orchestrator.runs.schemas import RunConfig
    except ImportError:  # a client-only install: the orchestrator checks the config when the run is created
        return
    from pydantic import ValidationError

    try:
        RunConfig.model_validate(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise typer.BadParameter(f"{where}: {first['msg']}", param_hint="--set") from None


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise typer.BadParameter(f"--seeds takes comma-separated integers, got {text!r}") from None
    if not seeds:
        raise typer.BadParameter("--seeds is empty")
    return seeds


def round_tokens(bundle: dict[str, Any]) -> dict[int, int]:
    """The real tokens that each round of a finished run trained on (round index -> tokens)."""
    return {
        int(r["index"]): int(
            ((r.get("metrics") or {}).get("train") or {}).get("metrics", {}).get("tokens", 0)
        )
        for r in bundle["run"]["rounds"] or []
    }


def seeds_only_config(base: dict[str, Any], fdd: dict[str, Any]) -> dict[str, Any]:
    """The seeds-only arm: no rounds of new problems, one training on the seeds for the real tokens that the
    FDD arm of the same seed trained on over all its rounds (schedule ``tokens``)."""
    student = {"schedule": "tokens", "budget_tokens": max(1, int(fdd["record"]["train_tokens"]))}
    return merge(base, {"rounds": 0, "student": student})


def token_matched_config(base: dict[str, Any], arm: dict[str, Any], fdd: dict[str, Any]) -> dict[str, Any]:
    """``arm`` trained, in every feedback round, on the real tokens that the FDD arm of the same seed trained
    on in that round (round 0 trains on the same seeds in both, under the same knobs, so it is not
    overridden): equal student compute, round by round, whatever the arms' problems' lengths."""
    by_round = {
        str(index): {"schedule": "tokens", "budget_tokens": max(1, tokens)}
        for index, tokens in sorted(round_tokens(fdd["bundle"]).items())
        if index > 0
    }
    return merge(merge(base, arm), {"student_by_round": by_round})


class Experiment:
    """Arms × seeds, run through one orchestrator, their bundles kept in ``out/runs``."""

    def __init__(
        self,
        name: str,
        arms: dict[str, dict[str, Any]],
        seeds: list[int],
        out: Path,
        quick: bool,
        precision: str | None = None,
        overrides: dict[str, Any] | None = None,
    ):
        self.name, self.arms, self.seeds, self.out, self.quick = name, arms, seeds, out, quick
        self.precision = precision  # student.precision of every arm (an arm's own setting wins); None: auto
        self.overrides = overrides or {}  # ``--set``: the demo's config changed for every arm alike
        self.runs_dir = out / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.state_path = out / "state.json"
        self.shared_dir = out.parent / ".runs"
        self.shared_dir.mkdir(parents=True, exist_ok=True)
        self.state: dict[str, int] = (
            json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
        )

    def base(self, seed: int) -> dict[str, Any]:
        pinned = {"student": {"precision": self.precision}} if self.precision else {}
        base = merge(merge(demo_config(self.quick), pinned), self.overrides)  # --set wins over the pin
        return merge(base, {"seed": {"curriculum": {"seed": seed}}, "student": {"seed": seed}})

    def key(self, arm: str, seed: int) -> str:
        return f"{arm}-s{seed}"

    def finished(self, arm: str, seed: int) -> dict[str, Any] | None:
        """The arm's finished run on ``seed``: this experiment's own, or one of any experiment whose config
        was identical (shared through ``<out>/../.runs``, so that, e.g., the paths experiment's k = 2 arm is
        the ablation's FDD arm and is not trained twice)."""
        path = self.runs_dir / f"{self.key(arm, seed)}.json"
        if path.exists():
            return json.loads(path.read_text())
        config = self.config(arm, seed)
        shared = None if config is None else self.shared_path(config)
        if shared is None or not shared.exists():
            return None
        path.write_bytes(shared.read_bytes())
        console.print(f"{self.key(arm, seed)}: the same config's finished run reused ({shared})")
        return json.loads(path.read_text())

    def shared_path(self, config: dict[str, Any]) -> Path:
        """Where a finished run of ``config`` (its name and labels aside) is kept for every experiment."""
        body = json.dumps({k: v for k, v in config.items() if k not in ("name", "labels")}, sort_keys=True)
        return self.shared_dir / f"{hashlib.sha256(body.encode()).hexdigest()[:24]}.json"

    def config(self, arm: str, seed: int) -> dict[str, Any] | None:
        """The arm's run config, or None while it waits for the FDD arm of its seed (the seeds-only and the
        token-matched arms take their budgets from it)."""
        labels = {"experiment": self.name, "arm": arm, "seed": str(seed)}
        base = merge(self.base(seed), {"name": f"{self.name}-{self.key(arm, seed)}", "labels": labels})
        spec = {k: v for k, v in self.arms[arm].items() if k != MATCH_TOKENS}
        source = self.budget_source(arm)
        if source is None:
            return merge(base, spec)
        reference = self.finished(source, seed)
        if reference is None or reference["record"]["status"] != "done":
            return None
        if arm == SEEDS_ONLY:
            return seeds_only_config(base, reference)
        return token_matched_config(base, spec, reference)

    def budget_source(self, arm: str) -> str | None:
        """The arm whose training tokens ``arm`` is given (seeds-only: the FDD arm's), or None."""
        return "fdd" if arm == SEEDS_ONLY else self.arms[arm].get(MATCH_TOKENS)

    def selected(self, only: str | None) -> list[str]:
        """The arms named in ``only`` (comma-separated; None: all), refused when one is unknown or waits for
        an FDD arm that is neither run nor finished."""
        if only is None:
            return list(self.arms)
        names = [a.strip() for a in only.split(",") if a.strip()]
        unknown = [a for a in names if a not in self.arms]
        if unknown or not names:
            raise typer.BadParameter(
                f"unknown arm(s) {unknown}; this experiment has {list(self.arms)}", param_hint="--arms"
            )
        for arm in names:
            source = self.budget_source(arm)
            missing = (
                []
                if source in (None, *names)
                else [s for s in self.seeds if self.finished(source, s) is None]
            )
            if missing:
                raise typer.BadParameter(
                    f"{arm} takes its budget from the {source} arm, unfinished on seed(s) {missing}: "
                    f"add {source} to --arms",
                    param_hint="--arms",
                )
        return names

    def run(self, client: OrchestratorClient, arms: list[str] | None = None, poll_s: float = 5.0) -> None:
        """Create what is missing (of ``arms``; None: all), follow every open run, save each when it ends."""
        arms = list(self.arms) if arms is None else arms
        todo = [(a, s) for s in self.seeds for a in arms if self.finished(a, s) is None]
        shown: dict[str, str] = {}
        while todo:
            for arm, seed in list(todo):
                key = self.key(arm, seed)
                if key not in self.state:
                    if self.finished(arm, seed) is not None:  # an identical config finished meanwhile
                        todo.remove((arm, seed))
                        continue
                    config = self.config(arm, seed)
                    if config is None:
                        continue
                    self.state[key] = int(client.create_run(config)["id"])
                    self.state_path.write_text(json.dumps(self.state, indent=2))
                    console.print(f"{key}: run {self.state[key]} created")
                run = client.run(self.state[key])
                line = f"{run['status']} round {run['current_round']} {run['stage']}"
                if shown.get(key) != line:
                    console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {key}: {line}")
                    shown[key] = line
                if run["status"] in TERMINAL:
                    bundle = fetch_run_bundle(client, run["id"])
                    record = run_record(bundle)
                    body = json.dumps({"record": record, "bundle": bundle}, indent=1)
                    (self.runs_dir / f"{key}.json").write_text(body)
                    config = self.config(arm, seed)
                    if run["status"] == "done" and config is not None:
                        self.shared_path(config).write_text(body)
                    console.print(f"{key}: {run['status']}, final accuracy {record['accuracy']}")
                    todo.remove((arm, seed))
            if todo:
                time.sleep(poll_s)

    def records(self) -> dict[str, dict[int, dict[str, Any]]]:
        out: dict[str, dict[int, dict[str, Any]]] = {}
        for arm in self.arms:
            for seed in self.seeds:
                done = self.finished(arm, seed)
                if done is not None:
                    out.setdefault(arm, {})[seed] = done["record"]
        return out

    def bundle(self, arm: str, seed: int) -> dict[str, Any] | None:
        done = self.finished(arm, seed)
        return None if done is None else done["bundle"]


WORKER_THREADS = 1  # the experiment stack's workers: two of one thread, two runs side by side


def pinned_precision(out: Path) -> str | None:
    """``local_precision``, decided once per experiment and kept in ``<out>/precision``: a resumed experiment
    gives its new runs the arithmetic of its first ones, whatever a probe timed now would say."""
    kept = out / "precision"
    if kept.exists():
        return kept.read_text().strip() or None
    precision = local_precision()
    out.mkdir(parents=True, exist_ok=True)
    kept.write_text(f"{precision or ''}\n")
    return precision


def local_precision() -> str | None:
    """``student.precision`` for every arm on the experiment's own stack: what ``auto`` takes for the tiny
    model on this machine at the workers' threads, timed now; None (``auto``, decided by each worker) where
    the student library is not installed here."""
    try:
        from student.training.precision import tiny_cpu_precision
    except ImportError:
        return None
    return tiny_cpu_precision(WORKER_THREADS)


def _stack(
    name: str, state_dir: Path | None, url: str | None, port: int, stack: ExitStack
) -> OrchestratorClient:
    settings = CliSettings()
    if url is not None:
        return stack.enter_context(OrchestratorClient(url, settings.token.get_secret_value()))
    config = StackConfig(
        state_dir=state_dir or Path("var/experiments") / name,
        data_dir=core_settings().data_dir,
        # ports of their own, so that an experiment runs beside `fdd up` or the demo
        orchestrator_port=port,
        teacher_port=port + 1,
        student_port=port + 2,
        workers=2,
        worker_threads=WORKER_THREADS,
    )
    console.print(f"starting the experiment's stack (state and logs in {config.state_dir}) …")
    stack.enter_context(LocalStack(config))
    return stack.enter_context(OrchestratorClient(config.orchestrator_url, config.admin_token))


def run_experiment(
    name: str,
    arms: dict[str, dict[str, Any]],
    comparisons: list[tuple[str, str, list[str]]],
    title: str,
    seeds: list[int],
    output: Path | None,
    state_dir: Path | None,
    url: str | None,
    quick: bool,
    port: int = 8100,
    only: str | None = None,
    overrides: list[str] | None = None,
) -> Experiment:
    changes = parse_overrides(overrides)
    check_config(merge(demo_config(quick), changes))
    out = output or Path("reports") / name
    precision = pinned_precision(out) if url is None else None
    if precision is not None:
        console.print(
            f"student precision: {precision} for every arm (the tiny model's step timed on this machine)"
        )
    experiment = Experiment(name, arms, seeds, out, quick, precision, changes)
    with ExitStack() as stack:
        experiment.run(_stack(name, state_dir, url, port, stack), experiment.selected(only))
    records = experiment.records()
    for arm in arms:
        bundle = experiment.bundle(arm, seeds[0])
        if bundle is not None:
            build_report(bundle, out / f"{arm}-s{seeds[0]}")
    notes = [f"- every arm's config changed by `--set {' --set '.join(overrides)}`"] if overrides else []
    notes += [
        f"- per-run reports (seed {seeds[0]}): "
        + ", ".join(f"[{a}]({a}-s{seeds[0]}/report.md)" for a in arms)
    ]
    path = write_summary(title, records, comparisons, out, notes)
    console.print(path.read_text())
    console.print(f"report written to {path}")
    return experiment


BUDGETS = ["teacher_requests", "train_tokens"]


@experiment_app.command("ablation")
def ablation(seeds: Seeds = "0,1,2", output: Output = None, state_dir: StateDir = None, url: Url = None,
             quick: Quick = False, port: Port = 8100, only: Arms = None,
             sets: Sets = None) -> None:  # fmt: skip
    """FDD vs no-feedback variants (same teacher requests, same training tokens in every round) vs the seeds
    alone (same training tokens)."""
    arms = {"fdd": {}, "no-feedback": {"feedback": "random", MATCH_TOKENS: "fdd"}, SEEDS_ONLY: {}}
    comparisons = [("fdd", "no-feedback", BUDGETS), ("fdd", SEEDS_ONLY, ["train_tokens"])]
    run_experiment("ablation", arms, comparisons, "FDD vs no-feedback vs seeds only", parse_seeds(seeds),
                   output, state_dir, url, quick, port, only, sets)  # fmt: skip


@experiment_app.command("policy")
def policy(seeds: Seeds = "0,1", output: Output = None, state_dir: StateDir = None, url: Url = None,
           quick: Quick = False, port: Port = 8100, only: Arms = None,
           sets: Sets = None) -> None:  # fmt: skip
    """The round training policy: fixed epochs from the base, a warm start (6 or 4 epochs), training to
    convergence."""
    arms = {
        "epochs-base": {"student": {"schedule": "epochs", "init": "base"}},
        "epochs-previous": {"student": {"schedule": "epochs", "init": "previous"}},
        "epochs4-previous": {"student": {"schedule": "epochs", "init": "previous", "epochs": 4}},
        "converge-base": {"student": {"schedule": "converge", "init": "base", "epochs": 30, "patience": 2}},
    }
    comparisons = [
        ("epochs-previous", "epochs-base", []),
        ("epochs4-previous", "epochs-previous", []),
        ("converge-base", "epochs-base", []),
    ]
    run_experiment("policy", arms, comparisons, "Round training policy", parse_seeds(seeds), output,
                   state_dir, url, quick, port, only, sets)  # fmt: skip


@experiment_app.command("classify")
def classify(seeds: Seeds = "0,1", output: Output = None, state_dir: StateDir = None, url: Url = None,
             quick: Quick = False, port: Port = 8100, only: Arms = None,
             sets: Sets = None) -> None:  # fmt: skip
    """The easy/hard signal: the training pool (the paper) vs held-out seeds, greedy vs 4 samples."""
    arms = {
        "train-greedy": {},
        "heldout-greedy": {"classify_pool": "heldout", "heldout_fraction": 0.2},
        "train-k4": {"evaluation": {"num_samples": 4, "easy_pass_rate": 0.5}},
    }
    comparisons = [("heldout-greedy", "train-greedy", BUDGETS), ("train-k4", "train-greedy", BUDGETS)]
    run_experiment("classify", arms, comparisons, "Classification signal", parse_seeds(seeds), output,
                   state_dir, url, quick, port, only, sets)  # fmt: skip


@experiment_app.command("halves")
def halves(seeds: Seeds = "0,1", output: Output = None, state_dir: StateDir = None, url: Url = None,
           quick: Quick = False, port: Port = 8100, only: Arms = None,
           sets: Sets = None) -> None:  # fmt: skip
    """What each half of the feedback buys: FDD (both halves) vs complex variants only vs similar problems
    only, each half trained on FDD's tokens round by round (the halves ask for fewer new problems)."""
    arms = {
        "fdd": {},
        "complex-only": {"feedback": "complex_only", MATCH_TOKENS: "fdd"},
        "similar-only": {"feedback": "similar_only", MATCH_TOKENS: "fdd"},
    }
    comparisons = [("fdd", "complex-only", ["train_tokens"]), ("fdd", "similar-only", ["train_tokens"])]
    run_experiment("halves", arms, comparisons, "Complex variants vs similar problems", parse_seeds(seeds),
                   output, state_dir, url, quick, port, only, sets)  # fmt: skip


@experiment_app.command("rounds")
def rounds(seeds: Seeds = "0,1", output: Output = None, state_dir: StateDir = None, url: Url = None,
           quick: Quick = False, port: Port = 8100, only: Arms = None,
           sets: Sets = None) -> None:  # fmt: skip
    """Accuracy after 0…5 rounds (one 5-round run per seed; round r is an r-round run's result)."""
    experiment = run_experiment("rounds", {"rounds-5": {"rounds": 5}}, [], "Accuracy after r rounds",
                                parse_seeds(seeds), output, state_dir, url, quick, port, only,
                                sets)  # fmt: skip
    _rounds_table(experiment, output or Path("reports/rounds"))


def _rounds_table(experiment: Experiment, out: Path) -> None:
    from fdd.report.stats import estimate

    per_round = [r["per_round"] for r in experiment.records().get("rounds-5", {}).values() if r["per_round"]]
    if not per_round:
        return
    depth = min(len(p) for p in per_round)
    gains = [[p[r] - p[0] for p in per_round] for r in range(depth)]
    accs = [[p[r] for p in per_round] for r in range(depth)]
    rows = [[str(r), estimate(accs[r]).text(), estimate(gains[r]).text()] for r in range(depth)]
    table = markdown_table(["rounds", "accuracy % [95 % CI]", "gain over round 0, points [95 % CI]"], rows)
    with (out / "report.md").open("a") as handle:
        handle.write("\n## Accuracy by number of rounds\n\n" + table + "\n")
    console.print(table)


@experiment_app.command("paths")
def paths(seeds: Seeds = "0,1", output: Output = None, state_dir: StateDir = None, url: Url = None,
          quick: Quick = False, port: Port = 8100, only: Arms = None,
          sets: Sets = None) -> None:  # fmt: skip
    """k = 1, 2, 4 reasoning paths per seed problem."""
    arms = {f"k={k}": {"teacher": {"k": k}} for k in (1, 2, 4)}
    comparisons = [("k=2", "k=1", []), ("k=4", "k=1", []), ("k=4", "k=2", [])]
    run_experiment("paths", arms, comparisons, "Number of reasoning paths k", parse_seeds(seeds), output,
                   state_dir, url, quick, port, only, sets)  # fmt: skip


def leakage_by_round(questions_by_round: dict[int, list[str]], threshold: float) -> dict[int, dict[str, Any]]:
    """Per round: the distribution of generated questions' best n-gram overlap with the standard
    benchmark test sets (GSM8K test, SVAMP, ASDiv, MultiArith), as ``fdd.leakage`` reports it."""
    from fdd.datasets import load_benchmark
    from fdd.leakage import LeakageIndex, leakage_report

    index = LeakageIndex.from_benchmarks(
        [load_benchmark(n) for n in ("gsm8k", "svamp", "asdiv", "multiarith")]
    )
    reports = {}
    for index_round, questions in sorted(questions_by_round.items()):
        matches = index.best_matches(questions)
        reports[index_round] = {
            "scores": [m.score for m in matches],
            **leakage_report(matches, threshold=threshold).to_dict(),
        }
    return reports


def _leak_row(index: int, rep: dict[str, Any]) -> list[str]:
    q = rep["quantiles"]
    share = f"{100 * rep['share_above']:.2f} %"
    return [str(index), str(rep["count"]), f"{rep['mean']:.3f}", f"{q['0.5']:.3f}", f"{q['0.99']:.3f}",
            f"{q['1']:.3f}", share]  # fmt: skip


@experiment_app.command("leakage")
def leakage(
    run_id: Annotated[int, typer.Argument(help="A finished run.")],
    output: Annotated[Path, typer.Option("-o", help="Report directory.")] = Path("reports/leakage"),
    threshold: Annotated[float, typer.Option(help="Overlap counted as a look-alike.")] = 0.5,
) -> None:
    """The data-leakage analysis of a run: per round, generated problems' best overlap with the test sets."""
    settings = CliSettings()
    questions: dict[int, list[str]] = {}
    with OrchestratorClient(settings.url, settings.token.get_secret_value()) as client:
        for origin in ("complex", "similar"):
            for problem in client.iter_pages(f"/v1/runs/{run_id}/problems", origin=origin):
                questions.setdefault(int(problem["round_created"]), []).append(problem["question"])
    reports = leakage_by_round(questions, threshold)
    output.mkdir(parents=True, exist_ok=True)
    plot = leakage_plot({r: rep["scores"] for r, rep in reports.items()}, output / "leakage.png")
    header = ["round", "generated", "mean", "p50", "p99", "max", f"share ≥ {threshold:g}"]
    rows = [_leak_row(r, rep) for r, rep in reports.items()]
    lines = [
        f"# Data leakage — run {run_id}",
        "",
        "Best word-3-gram containment of each generated problem in the "
        "GSM8K test, SVAMP, ASDiv and MultiArith questions (fdd.leakage).",
        "",
        markdown_table(header, rows),
        "",
    ]
    if plot:
        lines += [f"![leakage]({plot.name})", ""]
    path = output / "report.md"
    path.write_text("\n".join(lines))
    (output / "leakage.json").write_text(
        json.dumps(
            {r: {k: v for k, v in rep.items() if k != "scores"} for r, rep in reports.items()}, indent=2
        )
    )
    console.print(f"report written to {path}")
