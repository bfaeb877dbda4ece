"""A demo round with its evaluation beside the teacher's GENERATE vs after it (``evaluation.beside_teacher``),
side by side in one run.

Each run is the demo's configuration (``fdd/cli/demo.py``: 1,000 curriculum seeds, the tiny student, 400
held-out problems) on a local stack of its own, started fresh for every run so that neither configuration
finds the other's teacher cache or a warm worker: one worker of two threads, as ``make demo`` has. A run is
cancelled once round 0 has closed; its round 0 (INIT, TRAIN, EVALUATE, CLASSIFY, GENERATE) is what is
compared: wall time (the measure), the student's compute inside its jobs (inflated where it shared the cores
with the teacher) and the overhead as the report prints it (wall less that compute, so it falls with the
contention: not a measure of this choice). The configurations alternate for ``--pairs`` pairs. Run it on a
quiet machine.

    .venv/bin/python bench/bench_rounds_beside.py [--pairs 2] [--port 8300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fdd.cli.demo import demo_config  # noqa: E402
from fdd.cli.experiments import merge  # noqa: E402
from fdd.cli.stack import LocalStack, StackConfig  # noqa: E402
from fdd.clients.orchestrator import OrchestratorClient  # noqa: E402
from fdd.config import core_settings  # noqa: E402
from fdd.report import fetch_run_bundle  # noqa: E402

CONFIGS = {"beside": True, "serial": False}


def round_zero(beside: bool, port: int) -> dict[str, float]:
    """Round 0 of the demo's run on a fresh stack: wall, student compute and overhead seconds."""
    with tempfile.TemporaryDirectory(prefix="fdd-bench-beside-") as state:
        config = StackConfig(
            state_dir=Path(state),
            data_dir=core_settings().data_dir,
            orchestrator_port=port,
            teacher_port=port + 1,
            student_port=port + 2,
            workers=1,
            worker_threads=2,
        )
        with LocalStack(config), OrchestratorClient(config.orchestrator_url, config.admin_token) as client:
            run = client.create_run(merge(demo_config(), {"evaluation": {"beside_teacher": beside}}))
            while True:
                now = client.run(run["id"])
                if now["status"] != "running" and now["status"] != "pending":
                    raise SystemExit(f"run {run['id']} ended {now['status']}: {now.get('error')}")
                if now["current_round"] >= 1:
                    break
                time.sleep(0.5)
            client.action(run["id"], "cancel")
            rounds = fetch_run_bundle(client, run["id"])["run"]["rounds"]
    metrics = next(r for r in rounds if r["index"] == 0)["metrics"]
    timing = {k: float(v) for k, v in metrics["timing"].items() if not k.startswith("_")}
    wall, compute = sum(timing.values()), sum(float(v) for v in metrics["compute"].values())
    accuracy = metrics["evaluations"]["curriculum-test"]["accuracy"]
    return {"wall": wall, "compute": compute, "overhead": wall - compute, "accuracy": accuracy, **timing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2, help="runs of each configuration, alternated")
    parser.add_argument("--port", type=int, default=8300, help="first of the stack's three ports")
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in CONFIGS}
    for pair in range(args.pairs):
        for name, beside in CONFIGS.items():
            row = round_zero(beside, args.port)
            results[name].append(row)
            stages = " ".join(
                f"{k} {row[k]:.1f}" for k in ("init", "train", "classify", "generate", "evaluate") if k in row
            )
            print(
                f"pair {pair} {name:>6}: round 0 {row['wall']:.1f} s, student {row['compute']:.1f} s, "
                f"overhead {row['overhead']:.1f} s ({100 * row['overhead'] / row['wall']:.1f} %), "
                f"accuracy {100 * row['accuracy']:.1f} % | {stages}",
                flush=True,
            )
    keys = ("wall", "overhead", "compute")
    mean = {name: {k: statistics.mean(r[k] for r in rows) for k in keys} for name, rows in results.items()}
    beside, serial = mean["beside"], mean["serial"]
    # the wall time is the comparison; the overhead (wall less the student's compute) is not, since compute
    # that ran beside the teacher shared the cores with it and is subtracted from time the teacher spent
    print(
        f"mean round 0: beside {beside['wall']:.1f} s, serial {serial['wall']:.1f} s: beside / serial wall "
        f"{beside['wall'] / serial['wall']:.3f}x (above 1: beside is slower); student compute "
        f"{beside['compute']:.1f} vs {serial['compute']:.1f} s "
        f"({beside['compute'] / serial['compute']:.2f}x: the contention); overhead as the report prints it "
        f"{beside['overhead']:.1f} vs {serial['overhead']:.1f} s"
    )


if __name__ == "__main__":
    main()
