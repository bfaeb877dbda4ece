"""Tests of student.training: the loss falls, checkpoints are complete, stops are honoured."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from safetensors.torch import load_file

from student.modeling import META_FILE, PromptFormat, build_tiny
from student.text import EntityVocab, TextTransform
from student.training import TrainConfig, TrainExample, TrainingCancelled, TrainProgress, train
from student.training.data import (
    IGNORE,
    data_hash,
    encode,
    split_by_question,
    text_transform,
    training_pairs,
)
from tests.student.tiny import FAST, examples, scratch_dir, trained_tiny


def test_loss_falls_clearly_on_easy_problems():
    metrics = trained_tiny().metrics
    assert metrics["train_loss"] < metrics["first_loss"] / 5
    assert metrics["best_val_loss"] is not None
    assert metrics["best_val_loss"] < 1.0
    assert metrics["params"] < 5_000_000


def test_checkpoint_holds_weights_tokenizer_and_meta():
    result = trained_tiny()
    files = {p.name for p in result.checkpoint_dir.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", META_FILE} <= files
    assert load_file(result.checkpoint_dir / "model.safetensors")
    meta = json.loads((result.checkpoint_dir / META_FILE).read_text())
    assert meta["base_model"] == "tiny"
    assert meta["data_hash"] == data_hash(examples(200, seed=1))
    assert meta["config"]["lr"] == FAST["lr"]
    assert meta["masking"]["enabled"] is True
    assert meta["prompt_format"]["kind"] == "causal"
    assert meta["created_at"]
    assert meta["metrics"]["steps"] == result.metrics["steps"]


def test_progress_reports_every_step_until_cancelled():
    seen: list[TrainProgress] = []
    out = scratch_dir() / "cancelled"
    data, config = examples(40, seed=2), TrainConfig(threads=1, batch_size=8)
    with pytest.raises(TrainingCancelled):
        train(data, config, out, progress=seen.append, should_stop=lambda: len(seen) >= 3)
    assert [p.step for p in seen] == [1, 2, 3]
    # Steps are planned on the distinct (masked, name-normalised) training pairs, not the raw examples.
    pairs, _ = training_pairs(data, config)
    train_pairs, _ = split_by_question(pairs, config.val_fraction, config.seed)
    assert len(train_pairs) < 40
    assert seen[0].total_steps == config.epochs * math.ceil(len(train_pairs) / config.batch_size)
    assert not out.exists()
    assert not list(out.parent.glob(".cancelled*"))


def test_time_limit_stops_softly_and_keeps_a_checkpoint():
    result = train(
        examples(40, seed=3), TrainConfig(threads=1, batch_size=8, time_limit_s=0.0), scratch_dir() / "timed"
    )
    assert result.metrics["stopped"] == "time_limit"
    assert result.metrics["steps"] == 1
    assert (result.checkpoint_dir / "model.safetensors").is_file()


def test_same_seed_gives_same_weights_and_a_fresh_model_each_call():
    config = TrainConfig(threads=1, batch_size=8, max_steps=3)
    one = train(examples(30, seed=4), config, scratch_dir() / "a")
    two = train(examples(30, seed=4), config, scratch_dir() / "b")
    w1, w2 = (
        load_file(one.checkpoint_dir / "model.safetensors"),
        load_file(two.checkpoint_dir / "model.safetensors"),
    )
    assert all((w1[k] == w2[k]).all() for k in w1)
    assert one.metrics["first_loss"] == two.metrics["first_loss"]


def test_refuses_a_non_empty_target_before_training(tmp_path: Path):
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "x").write_text("taken")
    with pytest.raises(FileExistsError):
        train(examples(10, seed=5), TrainConfig(threads=1), tmp_path / "ckpt")


def test_rejects_unknown_tiny_settings(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown tiny-model settings"):
        train(examples(10, seed=5), TrainConfig(threads=1, tiny={"hiden": 64}), tmp_path / "ckpt")


def test_loss_is_on_program_and_eos_only():
    pairs = TextTransform("occurrences").pairs(
        [TrainExample("x", "Tom has 5 apples and 7 pears.", "ans = 5 + 7")]
    )
    assert pairs == [("Tom has N1 apples and N2 pears.", "ans = N1 + N2")]
    model, tok, fmt = build_tiny([t for p in pairs for t in p], {}, 64)
    [item], dropped = encode(pairs, tok, fmt, 64)
    target = fmt.target_ids(tok, pairs[0][1])
    assert dropped == 0
    assert item.labels[-len(target) :] == target
    assert target[-1] == tok.eos_token_id
    assert set(item.labels[: -len(target)]) == {IGNORE}
    assert item.input_ids[0] == tok.bos_token_id
    assert tok.decode(item.input_ids[: -len(target)]).endswith("[SEP]")


def test_validation_split_keeps_every_path_of_a_question_together():
    pairs = [(f"q{i % 10}", f"p{i}") for i in range(40)]
    train_pairs, val_pairs = split_by_question(pairs, 0.2, seed=0)
    assert len({q for q, _ in val_pairs}) == 2
    assert not {q for q, _ in train_pairs} & {q for q, _ in val_pairs}
    assert len(train_pairs) + len(val_pairs) == 40


def test_too_long_examples_are_dropped_and_counted():
    pairs = [("short", "ans = 1"), ("long " * 50, "ans = 2")]
    _, tok, fmt = build_tiny([t for p in pairs for t in p], {}, 32)
    kept, dropped = encode(pairs, tok, fmt, 32)
    assert (len(kept), dropped) == (1, 1)


def test_seq2seq_format_puts_question_in_the_encoder():
    fmt = PromptFormat("seq2seq", "", use_bos=False)
    _, tok, _ = build_tiny(["a question", "ans = 1"], {}, 32)
    [item], _ = encode([("a question", "ans = 1")], tok, fmt, 32)
    assert item.input_ids[-1] == tok.eos_token_id
    assert IGNORE not in item.labels


def test_schedule_decays_over_the_time_budget_when_it_binds(monkeypatch: pytest.MonkeyPatch):
    import torch

    from student.training import loop

    now = [100.0]
    monkeypatch.setattr(loop.time, "monotonic", lambda: now[0])
    optimizer = torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=1e-2)
    schedule = loop._Schedule(optimizer, 1000, TrainConfig(time_limit_s=60, warmup_ratio=0.05))
    lr = lambda: optimizer.param_groups[0]["lr"]  # noqa: E731
    assert lr() < 1e-4  # warm-up starts near zero
    schedule.step(10)  # 1 % of the steps, 1 % of the time: still warming up
    now[0] += 0.6
    schedule.step(10)
    assert lr() == pytest.approx(1e-2 * 0.2, rel=0.05)
    now[0] = 100.0 + 30  # half the budget gone after 3 % of the planned steps: mid-decay
    schedule.step(30)
    assert 0.3e-2 < lr() < 0.7e-2
    now[0] = 100.0 + 59.9  # the budget is nearly spent: the rate is nearly zero
    schedule.step(40)
    assert lr() < 1e-5
    optimizer = torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=1e-2)
    untimed = loop._Schedule(optimizer, 100, TrainConfig(time_limit_s=None))
    untimed.step(50)  # without a budget, progress is steps alone
    assert lr() == pytest.approx(1e-2 * 0.5 * (1 + math.cos(math.pi * 0.45 / 0.95)), rel=1e-6)


def test_echo_prompts_read_the_asking_sentence_or_the_whole_question_twice():
    question = "Alice has N1 pens. Elena has N2 pens. How many more pens does Alice have than Elena?"
    query = PromptFormat("causal", "[SEP]", use_bos=True, echo="query")
    assert query.prompt_text(question) == f"How many more pens does Alice have than Elena?\n{question}"
    assert query.prompt_text("How many pens?") == "How many pens?"  # one sentence: nothing to repeat
    no_mark = "Tom has N1 pens. Find the pens Tom has."  # no question mark: the last sentence asks
    assert query.prompt_text(no_mark) == f"Find the pens Tom has.\n{no_mark}"
    twice = PromptFormat("causal", "[SEP]", use_bos=True, echo="question")
    assert twice.prompt_text(question) == f"{question}\n{question}"
    plain = PromptFormat("causal", "[SEP]", use_bos=True)  # pre-trained bases and old checkpoints
    assert plain.prompt_text(question) == question
    _, tok, built = build_tiny([question, "ans = N1 - N2"], {"echo": "question"}, 64)
    assert built.echo == "question"
    assert len(built.prompt_ids(tok, question)) > 2 * len(tok(question)["input_ids"])
    with pytest.raises(ValueError, match="unknown echo"):
        build_tiny([question], {"echo": "thrice"}, 64)


def test_augmented_epochs_train_and_are_recorded():
    config = TrainConfig(**(FAST | {"epochs": 2, "augment_distractors": 0.5}))
    result = train(examples(60, seed=4), config, scratch_dir() / "augmented")
    assert result.metrics["steps"] > 0
    assert json.loads((result.checkpoint_dir / META_FILE).read_text())["config"]["augment_distractors"] == 0.5


def test_an_example_budget_sets_epochs_from_the_distinct_pairs():
    from student.training.loop import _plan

    per_epoch, total, _ = _plan(100, TrainConfig(batch_size=10, schedule="budget", budget_examples=450))
    assert (per_epoch, total) == (10, 50)  # ceil(450 / 100) = 5 epochs of 10 steps
    assert _plan(100, TrainConfig(batch_size=10, epochs=3))[1] == 30  # schedule "epochs": epochs
    # paths that the masking and normalisation merge do not shrink the budget: 4 examples, 2 pairs
    data = [
        TrainExample("a", "Tom has 5 pens and 7 cups.", p)
        for p in ("x = 5\nans = x + 7", "y = 5\nans = y + 7")
    ]
    data += [
        TrainExample("b", "Ann has 3 pens and 2 cups.", p) for p in ("a = 3\nans = a - 2", "ans = 3 - 2")
    ]
    result = train(
        data,
        TrainConfig(**(FAST | {"schedule": "budget", "budget_examples": 8, "val_fraction": 0})),
        scratch_dir() / "b",
    )
    assert result.metrics["train_examples"] == 2
    assert result.metrics["steps"] == 4  # 8 passes over 2 distinct pairs: 4 epochs of one batch


def test_entities_are_masked_in_training_and_inference():
    from student.inference import load_predictor

    data = examples(40, seed=6)
    result = train(data, TrainConfig(threads=1, batch_size=8, max_steps=2), scratch_dir() / "entities")
    # on by default for the tiny model, and for a base that is a checkpoint trained with it
    assert text_transform(data, TrainConfig(base_model=str(result.checkpoint_dir))).entities is not None
    saved = json.loads((result.checkpoint_dir / META_FILE).read_text())["entities"]
    assert saved["enabled"] is True
    assert EntityVocab.from_dict(saved) == EntityVocab.learn(ex.question for ex in data)
    predictor = load_predictor(result.checkpoint_dir, device="cpu", engine="hf")
    assert predictor.text.entities is not None
    question = data[0].question
    masked = predictor.text.entities.mask(question)
    assert masked.startswith("P1 has ")  # "Tom has 12 apples. …" → "P1 has 12 X1. …"
    assert " X1" in masked
    config = TrainConfig(threads=1, batch_size=8, max_steps=2, mask_entities=False)
    off = train(data, config, scratch_dir() / "off")
    assert json.loads((off.checkpoint_dir / META_FILE).read_text())["entities"] == {"enabled": False}
    assert load_predictor(off.checkpoint_dir, device="cpu", engine="hf").text.entities is None
    assert text_transform(data, TrainConfig(base_model=str(off.checkpoint_dir))).entities is None


def test_the_wire_knows_every_tiny_setting():
    from fdd.wire.student import TINY_KEYS
    from student.modeling import TINY_DEFAULTS

    assert set(TINY_DEFAULTS) == TINY_KEYS


@pytest.mark.parametrize(("n_pairs", "epochs"), [(2000, 20), (3000, 14), (100_000, 1), (10, 1000)])
def test_epochs_keep_training_passes_near_the_budget(n_pairs: int, epochs: int):
    from student.training.loop import _plan

    budget = TrainConfig(batch_size=1, schedule="budget", budget_examples=40_000)
    assert _plan(n_pairs, budget)[1] == n_pairs * epochs
    assert _plan(n_pairs, TrainConfig(batch_size=1, epochs=3))[1] == n_pairs * 3


def test_a_token_budget_sets_the_steps_from_the_real_tokens_per_step():
    from student.training.loop import _plan

    # 100 examples of 40 real tokens in 10 steps an epoch: 400 tokens a step, 10,000 tokens in 25 steps
    config = TrainConfig(batch_size=10, schedule="tokens", budget_tokens=10_000)
    assert _plan(100, config, epoch_tokens=4_000)[:2] == (10, 25)
    assert _plan(100, config, epoch_tokens=3_000)[1] == 34  # ceil(10,000 / 300)
    result = train(
        examples(60, seed=3),
        TrainConfig(**(FAST | {"schedule": "tokens", "budget_tokens": 3_000, "val_fraction": 0})),
        scratch_dir() / "tokens",
    )
    per_step = result.metrics["tokens"] / result.metrics["steps"]
    assert 3_000 <= result.metrics["tokens"] < 3_000 + 2 * per_step  # the count decides the last step


def test_every_training_knob_reaches_the_workers_config():
    from dataclasses import fields

    from fdd.wire.student import TrainingKnobs

    assert set(TrainingKnobs.model_fields) <= {f.name for f in fields(TrainConfig)}


def test_converge_stops_once_validation_stops_improving():
    config = TrainConfig(**(FAST | {"schedule": "converge", "epochs": 400, "patience": 1}))
    result = train(examples(60, seed=12), config, scratch_dir() / "converge")
    assert result.metrics["stopped"] == "converged"
    assert result.metrics["steps"] < result.metrics["total_steps"]
    assert result.metrics["tokens"] > 0


def test_an_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="unknown schedule"):
        train(examples(10, seed=5), TrainConfig(threads=1, schedule="forever"), scratch_dir() / "s")
