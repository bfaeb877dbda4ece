"""What each kind of job does: turn the stored parameters into library calls and a JSON result.

``train`` writes its checkpoint to ``checkpoints_root()/<job id>`` and reports that name; ``predict``
returns every prediction; ``evaluate`` scores a named benchmark (``fdd.datasets.load_benchmark``) or the
inline problems and writes the per-problem log beside the artifacts. The training and inference
libraries are imported here, lazily, so that the API process never loads torch to queue a job.
"""

from __future__ import annotations

import json
import shutil
import time
from typing import Any

from fdd.wire.student import (
    Decoding,
    EvaluateParams,
    EvaluateResult,
    PredictionRead,
    PredictParams,
    PredictProblem,
    PredictResult,
    TrainingKnobs,
    TrainMetrics,
    TrainParams,
    TrainResult,
)
from student.checkpoints import META_FILE, checkpoint_path, existing_checkpoint
from student.jobs.runner import JobContext, JobStopped

MAX_CURVE_POINTS = 50


def run_train(ctx: JobContext) -> dict[str, Any]:
    """Train a model on the job's examples; the checkpoint is named after the job."""
    from student.training import TrainConfig, TrainExample, TrainingCancelled, TrainProgress, train

    params = TrainParams.model_validate(ctx.params)
    out_dir = checkpoint_path(ctx.settings, ctx.job_id)
    done = _finished_checkpoint(ctx)
    if done is not None:  # a previous attempt saved it, then died before recording the result
        return done
    for leftover in out_dir.parent.glob(f".{ctx.job_id}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    config = TrainConfig(**knobs_of(ctx, params), threads=ctx.settings.worker_threads)
    examples = [TrainExample(e.id, e.question, e.program) for e in params.examples]
    curve: list[tuple[int, float]] = []

    def progress(p: TrainProgress) -> None:
        ctx.report(stage="train", done=p.step, total=p.total_steps, loss=p.loss, message=None)
        stride = max(1, p.total_steps // MAX_CURVE_POINTS)
        if p.step == 1 or p.step % stride == 0 or p.step == p.total_steps:
            curve.append((p.step, round(p.loss, 5)))

    ctx.report(stage="prepare", message=f"{len(examples)} examples")
    try:
        result = train(examples, config, out_dir, progress=progress, should_stop=ctx.should_stop)
    except TrainingCancelled as exc:
        raise JobStopped(str(exc)) from exc
    return TrainResult(
        checkpoint=ctx.job_id,
        checkpoint_dir=str(result.checkpoint_dir),
        metrics=TrainMetrics.model_validate(result.metrics),
        loss_curve=curve,
        label=params.label,
    ).model_dump(mode="json")


def knobs_of(ctx: JobContext, params: TrainParams) -> dict[str, Any]:
    """The job's training knobs, every one of them (``TrainConfig`` has a field for each: a knob it
    lacked would be a TypeError here, never dropped); a warm start trains from the named checkpoint."""
    knobs = {name: getattr(params, name) for name in TrainingKnobs.model_fields}
    if params.init == "previous" and params.init_checkpoint is not None:
        knobs["base_model"] = str(existing_checkpoint(ctx.settings, params.init_checkpoint))
        knobs["tiny"] = {}  # the architecture is the checkpoint's
    return knobs


def _finished_checkpoint(ctx: JobContext) -> dict[str, Any] | None:
    path = checkpoint_path(ctx.settings, ctx.job_id)
    if not (path / META_FILE).is_file():
        return None
    meta = json.loads((path / META_FILE).read_text())
    return TrainResult(
        checkpoint=ctx.job_id,
        checkpoint_dir=str(path),
        metrics=TrainMetrics.model_validate(meta.get("metrics", {})),
        recovered=True,
    ).model_dump(mode="json")


def _items(problems: list[PredictProblem]) -> list[Any]:
    from student.inference import PredictItem

    return [PredictItem(p.id, p.question, p.gold, dict(p.meta)) for p in problems]


def _predictor(ctx: JobContext, checkpoint: str) -> Any:
    from student.inference import load_predictor

    ctx.report(stage="load", message=f"loading checkpoint {checkpoint}")
    return load_predictor(existing_checkpoint(ctx.settings, checkpoint), threads=ctx.settings.worker_threads)


def _decoding(ctx: JobContext, decoding: Decoding, stage: str) -> dict[str, Any]:
    def progress(done: int, total: int) -> None:
        ctx.check_stop()  # raising here stops generation between batches
        ctx.report(stage=stage, done=done, total=total)

    return {**decoding.model_dump(), "progress": progress}


def run_predict(ctx: JobContext) -> dict[str, Any]:
    """Solve the job's problems with a checkpoint; every prediction is in the result."""
    params = PredictParams.model_validate(ctx.params)
    predictor = _predictor(ctx, params.checkpoint)
    ctx.check_stop()
    items = _items(params.problems)
    ctx.report(stage="predict", done=0, total=len(items), message=None)
    started = time.monotonic()
    predictions = predictor.predict(items, **_decoding(ctx, params.decoding, "predict"))
    seconds = time.monotonic() - started
    counts: dict[str, int] = {}
    for p in predictions:
        counts[p.outcome] = counts.get(p.outcome, 0) + 1
    return PredictResult(
        checkpoint=params.checkpoint,
        engine=predictor.engine,
        n=len(predictions),
        counts=counts,
        predictions=[PredictionRead.model_validate(p.to_dict()) for p in predictions],
        seconds=seconds,
    ).model_dump(mode="json")


def _evaluation_items(ctx: JobContext, params: EvaluateParams) -> tuple[list[Any], dict[str, Any]]:
    if params.problems is not None:
        problems = params.problems[: params.limit] if params.limit else params.problems
        return _items(problems), {"source": "inline"}
    from fdd.datasets import load_benchmark

    ctx.report(stage="load", message=f"loading benchmark {params.benchmark}")
    bench = load_benchmark(params.benchmark)
    chosen = bench.problems[: params.limit] if params.limit else bench.problems
    problems = [
        PredictProblem(
            id=p.id, question=p.question, gold=float(p.answer), meta={**p.meta, "source": p.source}
        )
        for p in chosen
    ]
    info = {
        "source": "benchmark",
        "benchmark_population_hash": bench.population_hash,
        "skipped": bench.skipped,
    }
    return _items(problems), info


def run_evaluate(ctx: JobContext) -> dict[str, Any]:
    """Score a checkpoint on a benchmark (or inline problems); the per-problem log goes to the artifacts."""
    from student.inference import evaluate

    params = EvaluateParams.model_validate(ctx.params)
    items, info = _evaluation_items(ctx, params)
    if not items:
        raise ValueError(f"benchmark {params.benchmark!r} has no problems")
    predictor = _predictor(ctx, params.checkpoint)
    ctx.check_stop()
    log_path = ctx.settings.artifacts_root() / "evaluations" / f"{ctx.job_id}.jsonl"
    ctx.report(stage="evaluate", done=0, total=len(items), message=None)
    result = evaluate(
        predictor,
        items,
        group_by=params.group_by,
        log_path=log_path,
        **_decoding(ctx, params.decoding, "evaluate"),
    )
    return EvaluateResult(
        checkpoint=params.checkpoint,
        benchmark=params.benchmark,
        engine=predictor.engine,
        **info,
        **result.to_dict(),
        log_path=str(log_path),
    ).model_dump(mode="json")


WORK = {"train": run_train, "predict": run_predict, "evaluate": run_evaluate}
