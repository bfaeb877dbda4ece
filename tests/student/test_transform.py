"""The text transform: one order of masking and program form, built from a config or a checkpoint's meta."""

from __future__ import annotations

import json

from student.modeling import META_FILE
from student.text import EntityVocab, TextTransform, masks_entities
from student.text.number_slots import CURRENT
from student.training import TrainConfig, TrainExample
from student.training.data import text_transform
from tests.student.tiny import FAST, examples, trained_tiny

QUESTION = "Tom has 5 apples and 5 pears. Ann gives Tom 2 apples."


def test_rationales_differing_only_in_names_become_one_example() -> None:
    question = "Tom has 5 apples and 7 pears. How many fruits?"
    examples = [
        TrainExample("a", question, "apples = 5\npears = 7\nans = apples + pears"),
        TrainExample("a", question, "a = 5\np = 7\nans = a + p"),
        TrainExample("a", question, "pears = 7\napples = 5\nans = pears + apples"),
    ]
    pairs = TextTransform(CURRENT, normalize_names=True).pairs(examples)
    assert pairs == [
        ("Tom has N1 apples and N2 pears. How many fruits?", "v1 = N1\nv2 = N2\nans = v1 + v2"),
        ("Tom has N1 apples and N2 pears. How many fruits?", "v1 = N2\nv2 = N1\nans = v1 + v2"),
    ]


def test_numbers_are_masked_before_compacting_so_repeated_numbers_keep_their_slots() -> None:
    question = "Chloe has 3 crates with 3 oranges in each. She eats 2 oranges."
    program = (
        "crates = 3\nper_crate = 3\neaten = 2\ntotal = crates * per_crate\nleft = total - eaten\nans = left"
    )
    pair = TextTransform(CURRENT, normalize_names=True, compact=True).pair(question, program)
    assert pair == (
        "Chloe has N1 crates with N2 oranges in each. She eats N3 oranges.",
        "v1 = N1 * N2\nans = v1 - N3",
    )


def test_prediction_masks_a_question_as_training_did() -> None:
    trained = TextTransform.for_training(TrainConfig(), [QUESTION])
    opened = TextTransform.from_meta(trained.meta())
    assert opened.entities == trained.entities
    assert opened.question(QUESTION) == trained.question(QUESTION)
    text, numbers = opened.question(QUESTION)
    assert text == "P1 has N1 X1 and N2 X2. P2 gives P1 N3 X1."
    assert trained.pair(QUESTION, "ans = 5 + 5 - 2")[0] == text
    assert opened.restore("ans = N1 + N2 - N3", numbers) == "ans = 5 + 5 - 2"
    assert opened.restore("ans = N4", numbers) is None  # a slot the question lacks


def test_old_checkpoint_meta_still_loads() -> None:
    vocab = EntityVocab.learn([QUESTION])
    old = TextTransform.from_meta(
        {"masking": {"enabled": True}, "entities": {"enabled": True, **vocab.to_dict()}}
    )
    assert (old.number_scheme, old.entities) == ("values", vocab)  # before schemes had names
    assert old.question("Mia buys 8 beads at $8 each.")[0] == "P1 buys N1 X1 at $N1 each."
    current = TextTransform.from_meta({"masking": {"enabled": True, "scheme": "occurrences"}})
    assert current.number_scheme == "occurrences"
    assert current.entities is None
    plain = TextTransform.from_meta({})  # a Hugging Face model that fdd did not train
    assert plain == TextTransform()
    assert plain.question(QUESTION) == (QUESTION, None)
    assert plain.restore("ans = N1", None) == "ans = N1"


def test_entities_are_masked_for_the_tiny_model_and_bases_trained_so() -> None:
    assert masks_entities(TrainConfig())
    assert not masks_entities(TrainConfig(base_model="some/hub-model"))
    assert masks_entities(TrainConfig(base_model="/ckpt"), {"entities": {"enabled": True}})
    assert not masks_entities(TrainConfig(base_model="/ckpt"), {"entities": {"enabled": False}})
    assert not masks_entities(TrainConfig(mask_entities=False))
    assert masks_entities(TrainConfig(base_model="some/hub-model", mask_entities=True))


def test_a_checkpoint_saves_the_transform_it_was_trained_with() -> None:
    saved = json.loads((trained_tiny().checkpoint_dir / META_FILE).read_text())
    transform = text_transform(examples(200, seed=1), TrainConfig(**FAST))
    assert {key: saved[key] for key in ("masking", "entities")} == transform.meta()
    assert TextTransform.from_meta(saved) == transform


def test_a_question_with_several_programs_is_masked_once_and_pairs_match_pair(monkeypatch) -> None:
    import student.text.transform as transform_module

    calls: list[str] = []
    real = transform_module.mask_question
    monkeypatch.setattr(
        transform_module, "mask_question", lambda q, scheme: calls.append(q) or real(q, scheme)
    )
    other = "Ann has 3 pens and buys 4 more. How many pens?"
    examples = [
        TrainExample("a", QUESTION, "apples = 5\nmore = 2\nans = apples + more"),
        TrainExample("b", other, "ans = 3 + 4"),
        TrainExample("a", QUESTION, "ans = 5 + 2"),
        TrainExample("a", QUESTION, "x = 5\nans = x + 2"),
    ]
    transform = TextTransform.for_training(TrainConfig(), [e.question for e in examples])
    pairs = transform.pairs(examples)
    assert sorted(calls) == sorted([QUESTION, other])
    assert pairs == list(dict.fromkeys(transform.pair(e.question, e.program) for e in examples))
