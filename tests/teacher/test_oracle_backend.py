"""The oracle teacher backend on its own: which requests it answers with a gold program, which it declines
and why, and how the teacher's settings select it. Programs are not run here (``test_oracle_e2e`` runs
them through the teacher's sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from fdd.datasets import load_gsm8k
from fdd.gsm8k_programs import convert
from fdd.programs import extract
from fdd.prompts import Task, parse_decline, rationale_messages, variant_messages
from teacher.backends import build_backend
from teacher.backends.oracle import OracleBackend, gold_index
from teacher.settings import TeacherSettings
from tests.fixtures.data import DATA_DIR

pytestmark = pytest.mark.anyio
OPTS = {"temperature": 0.7, "top_p": 1.0, "max_tokens": 512, "seed": None}
UNKNOWN = "What is the airspeed velocity of an unladen swallow?"


@pytest.fixture(scope="module")
def gsm8k_test():
    return load_gsm8k(DATA_DIR, "test").problems


async def test_a_known_question_gets_its_converted_gold_program_k_times(gsm8k_test) -> None:
    problem = gsm8k_test[0]
    completions = await OracleBackend(DATA_DIR).complete(rationale_messages(problem.question), 3, **OPTS)
    assert len(completions) == 3
    assert {c.text for c in completions} == {completions[0].text}
    assert extract(completions[0].text) == convert(problem.meta["solution"])
    assert completions[0].prompt_tokens > 0
    assert completions[0].completion_tokens > 0


async def test_a_question_is_matched_whatever_its_whitespace_and_case(gsm8k_test) -> None:
    backend = OracleBackend(DATA_DIR)
    question = gsm8k_test[5].question
    mangled = "  " + "\n  ".join(question.upper().split(" ")) + "\t\n"
    [exact] = await backend.complete(rationale_messages(question), 1, **OPTS)
    [loose] = await backend.complete(rationale_messages(mangled), 1, **OPTS)
    assert extract(exact.text) is not None
    assert loose.text == exact.text


async def test_train_questions_are_known_too() -> None:
    problem = load_gsm8k(DATA_DIR, "train").problems[0]
    [completion] = await OracleBackend(DATA_DIR).complete(rationale_messages(problem.question), 1, **OPTS)
    assert extract(completion.text) == convert(problem.meta["solution"])


async def test_an_unknown_question_is_declined_with_the_reason() -> None:
    [completion] = await OracleBackend(DATA_DIR).complete(rationale_messages(UNKNOWN), 1, **OPTS)
    assert extract(completion.text) is None
    assert "not a GSM8K question" in parse_decline(completion.text)


async def test_a_solution_that_does_not_convert_is_declined_naming_why() -> None:
    # gsm8k/train/29's solution states no calculation at all (no <<…>> annotation): nothing to convert
    problem = load_gsm8k(DATA_DIR, "train").problems[29]
    assert convert(problem.meta["solution"]) is None
    [completion] = await OracleBackend(DATA_DIR).complete(rationale_messages(problem.question), 1, **OPTS)
    assert extract(completion.text) is None
    reason = parse_decline(completion.text)
    assert "gsm8k/train/29" in reason
    assert "no_annotations" in reason


@pytest.mark.parametrize("task", [Task.COMPLEX, Task.SIMILAR])
async def test_variant_requests_are_declined_an_oracle_cannot_invent_problems(task, gsm8k_test) -> None:
    messages = variant_messages(task, gsm8k_test[0].question)
    completions = await OracleBackend(DATA_DIR).complete(messages, 2, **OPTS)
    for completion in completions:
        assert "cannot invent problems" in parse_decline(completion.text)


async def test_a_request_not_built_by_fdd_is_declined() -> None:
    messages = [{"role": "user", "content": "hello"}]
    [completion] = await OracleBackend(DATA_DIR).complete(messages, 1, **OPTS)
    assert "not a request I understand" in parse_decline(completion.text)


def test_the_index_is_built_once_per_process_and_shadows_no_question() -> None:
    index = gold_index(DATA_DIR)
    assert gold_index(DATA_DIR / "gsm8k" / "..") is index
    assert len(index.problems) == 7473 + 1319  # train + test: no two questions normalise alike


def test_a_data_directory_without_gsm8k_fails_at_start_naming_fdd_data_dir(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="FDD_DATA_DIR"):
        OracleBackend(tmp_path)


def test_fdd_teacher_backend_oracle_selects_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FDD_TEACHER_BACKEND", "oracle")
    backend = build_backend(TeacherSettings())
    assert isinstance(backend, OracleBackend)
    assert (backend.name, backend.model) == ("oracle", "gsm8k-gold")


def test_an_unknown_backend_name_is_refused_naming_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FDD_TEACHER_BACKEND", "no-such-backend")
    with pytest.raises(ValidationError, match="'synthetic', 'openai' or 'oracle'"):
        TeacherSettings()
