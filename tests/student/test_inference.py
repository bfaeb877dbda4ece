"""Tests of student.inference: batched generation, outcomes (runaway = no answer), evaluation."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from fdd.datasets import Problem
from fdd.datasets import population_hash as datasets_population_hash
from student.inference import Completion, PredictItem, Predictor, evaluate, load_predictor, population_hash
from student.inference.generators import decode
from student.modeling import PromptFormat, build_tiny
from student.text import TextTransform
from tests.student.tiny import items, trained_tiny


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return load_predictor(trained_tiny().checkpoint_dir, device="cpu", engine="hf", threads=1)


def test_batched_greedy_solves_easy_held_out_problems(predictor: Predictor):
    preds = predictor.predict(items(60, seed=99), max_new_tokens=24, batch_size=32)
    accuracy = sum(p.outcome == "correct" for p in preds) / len(preds)
    assert accuracy >= 0.8  # chance (picking + or -) is about 0.5, and only with the right numbers
    assert predictor.engine == "hf"


def test_batched_generation_matches_one_by_one(predictor: Predictor):
    problems = items(16, seed=98)
    batched = predictor.predict(problems, max_new_tokens=24, batch_size=16)
    single = predictor.predict(problems, max_new_tokens=24, batch_size=1)
    same = sum(a.outputs[0].text == b.outputs[0].text for a, b in zip(batched, single, strict=True))
    assert same >= 15  # left padding must not change what the model writes


def test_own_decode_loop_writes_what_transformers_generate_writes(predictor: Predictor):
    gen = predictor.generator
    questions = [predictor.text.question(p.question)[0] for p in items(24, seed=96)]
    ids, mask = gen._pad([predictor.fmt.prompt_ids(predictor.tokenizer, q) for q in questions])
    ours = decode(gen.model, ids, mask, 1, 0.0, 24, gen.eos_id)
    out = gen.model.generate(
        input_ids=ids,
        attention_mask=mask,
        max_new_tokens=24,
        do_sample=False,
        eos_token_id=gen.eos_id,
        pad_token_id=gen.pad_id,
    )
    theirs = [row.tolist() for row in out[:, ids.shape[1] :]]
    theirs = [row[: row.index(gen.eos_id) + 1] if gen.eos_id in row else row for row in theirs]
    assert any(len(row) < 24 for row in ours)  # some rows finish early and leave the batch
    assert sum(a == b for a, b in zip(ours, theirs, strict=True)) >= 23


def test_runaway_generation_is_no_answer_not_wrong(predictor: Predictor):
    preds = predictor.predict(items(4, seed=97), max_new_tokens=2)
    assert {p.outcome for p in preds} == {"no_answer"}
    assert {o.error for p in preds for o in p.outputs} == {"runaway"}


def test_sampling_gives_k_outputs_and_a_pass_rate(predictor: Predictor):
    preds = predictor.predict(items(6, seed=96), num_samples=4, temperature=1.0, max_new_tokens=24)
    assert all(len(p.outputs) == 4 for p in preds)
    assert all(0.0 <= p.pass_rate <= 1.0 for p in preds)
    assert json.dumps([p.to_dict() for p in preds])


def test_without_gold_the_outcome_is_unknown(predictor: Predictor):
    [pred] = predictor.predict(
        [PredictItem("x", "Tom has 12 pens. Tom buys 5 more pens. How many pens now?")]
    )
    assert pred.outcome == "unknown"
    assert pred.pass_rate is None
    assert pred.answer == 17


def test_evaluate_groups_by_steps_and_logs_every_item(predictor: Predictor, tmp_path):
    problems = items(10, seed=95) + [PredictItem("hard", "Tom has 3 pens. How many pens?", 3, {"steps": 0})]
    result = evaluate(predictor, problems, log_path=tmp_path / "log.jsonl", max_new_tokens=24)
    assert result.n == 11
    assert sum(result.counts.values()) == 11
    assert set(result.by_group) == {"0", "1"}
    assert result.by_group["1"]["n"] == 10
    assert result.accuracy == result.counts["correct"] / 11
    lines = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == [p.id for p in problems]
    assert json.dumps(result.to_dict())


def test_population_hash_is_fdd_datasets_definition():
    problems = items(5, seed=94)
    expected = datasets_population_hash(Problem(p.id, p.question, p.gold, "x", p.meta) for p in problems)
    assert population_hash(problems) == expected
    assert population_hash(list(reversed(problems))) == expected


class ScriptedGenerator:
    """A Generator that returns fixed completions: exercises judging without a model."""

    name = "scripted"

    def __init__(self, completions: list[Completion]):
        self.completions = completions

    def generate(
        self, prompts: Sequence[list[int]], num_samples: int, *args, **kwargs
    ) -> list[list[Completion]]:
        return [list(self.completions) for _ in prompts]


def _scripted(completions: list[Completion]) -> Predictor:
    _, tok, fmt = build_tiny(["Tom has 4 pens", "ans = 1"], {}, 32)
    return Predictor(ScriptedGenerator(completions), tok, fmt, TextTransform("occurrences"))


def test_failures_of_every_kind_are_no_answer_and_majority_decides():
    outputs = [
        Completion("ans = N1 + N2", True, 5),  # 4 + 6 = 10: correct
        Completion("ans = N1 * N2", True, 5),  # 24: wrong
        Completion("ans = N1 + N2", True, 5),  # 10 again: the majority
        Completion("ans = N7", True, 3),  # names a number the question lacks
        Completion("ans = (", True, 3),  # does not parse
        Completion("", True, 1),  # empty
        Completion("ans = N1 +", False, 4),  # ran into max_new_tokens
    ]
    [pred] = _scripted(outputs).predict([PredictItem("a", "Tom has 4 pens and 6 cups.", 10)], num_samples=7)
    assert [o.verdict for o in pred.outputs] == ["correct", "wrong", "correct"] + ["no_answer"] * 4
    assert [o.error for o in pred.outputs][3:] == ["unknown_slot", "syntax", "empty", "runaway"]
    assert pred.outputs[0].program == "ans = 4 + 6"
    assert (pred.answer, pred.outcome, pred.pass_rate) == (10, "correct", 2 / 7)


def test_vllm_engine_without_vllm_or_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="vllm"):
        load_predictor(trained_tiny().checkpoint_dir, engine="vllm")


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_predictor(tmp_path / "nothing")


def test_prompt_format_decodes_newline_stand_in():
    _, tok, _ = build_tiny(["a = 1 ; ans = a"], {}, 32)
    fmt = PromptFormat("seq2seq", "", use_bos=False, newline=" ; ")
    ids = fmt.target_ids(tok, "a = 1\nans = a")[:-1]
    assert fmt.decode(tok, ids) == "a = 1\nans = a"
