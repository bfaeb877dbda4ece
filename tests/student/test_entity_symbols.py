"""Entity masking: people and counted things become numbered symbols, the same in training and inference."""

from __future__ import annotations

from student.text.entity_symbols import EntityVocab, highest_symbols, renumber_symbols, singulars

TRAINING = [
    "Apples cost $3 each. Liam buys 5 apples. How much does Liam spend?",
    "Each crate holds 8 mangoes. Mia fills 2 crates. How many mangoes does she have than Sara?",
    "Omar picks 4 strawberries every day for 3 days. How many strawberries does Omar have?",
    "Sara has 3 times as many pencils as Omar. Omar has 2 pencils. How many pencils does Sara have?",
]


def test_people_and_things_become_symbols_in_order_of_appearance() -> None:
    vocab = EntityVocab.learn(TRAINING)
    masked = vocab.mask(
        "Each cupcake costs $2. Liam orders 5 oranges. A single orange sells for $3. How much?"
    )
    # "cupcake" was never counted by a number: it is a word, not a thing of this question's kind
    assert masked == "Each cupcake costs $2. P1 orders 5 X1. A single X1 sells for $3. How much?"


def test_singular_and_plural_spellings_are_one_thing() -> None:
    vocab = EntityVocab.learn(TRAINING)
    # "kilos" follows a number in this question, so it is a thing too
    assert vocab.mask("One mango weighs 3 kilos. Zoe has 7 mangoes.") == "One X1 weighs 3 X2. P1 has 7 X1."
    assert vocab.mask("Each strawberry is red. Kai owns 9 strawberries.") == "Each X1 is red. P1 owns 9 X1."
    assert singulars("boxes") == {"boxe", "box"}
    assert "berry" in singulars("berries")


def test_sentence_starters_are_not_people_but_unseen_names_are() -> None:
    vocab = EntityVocab.learn(TRAINING)
    # "Each" and "How" are never people; "Apples" is a counted thing; "Zoe" was never seen
    masked = vocab.mask("Zoe has 4 apples. Each apple is green. Apples are sweet. How many apples has Zoe?")
    assert masked == "P1 has 4 X1. Each X1 is green. X1 are sweet. How many X1 has P1?"
    # a name seen inside a sentence in training is a person at a sentence start too, and a word that
    # training questions wrote in lower case is not
    assert vocab.mask("Sara sells 3 pencils.") == "P1 sells 3 X1."
    assert vocab.mask("Much later, Sara sells 3 pencils.") == "Much later, P1 sells 3 X1."
    assert EntityVocab.learn(["Later, Ann buys 3 pens.", "Ann buys more later."]).mask(
        "Later, Ann buys 2 pens."
    ) == ("Later, P1 buys 2 X1.")


def test_masking_works_on_number_slots_and_words_after_comparatives() -> None:
    vocab = EntityVocab.learn(["Rosa buys N1 more stamps. How many stamps does Rosa have?"])
    assert vocab.plurals == ["stamps"]
    assert vocab.mask("Ivan has N1 stamps. He buys N2 more stamps.") == "P1 has N1 X1. He buys N2 more X1."
    # "3 times as many" does not make "times" a thing; possessives keep their 's
    assert "times" not in EntityVocab.learn(TRAINING).plurals
    assert vocab.mask("Rosa's stamps") == "P1's X1"


def test_vocabulary_round_trips_through_the_meta() -> None:
    vocab = EntityVocab.learn(TRAINING)
    again = EntityVocab.from_dict(vocab.to_dict())
    question = "Mia packs 6 crates with 8 mangoes each. How many mangoes does Liam have?"
    assert again.mask(question) == vocab.mask(question)
    assert again.to_dict() == vocab.to_dict()


def test_symbols_can_be_shifted_and_renumbered() -> None:
    assert renumber_symbols("P1 has N1 X2.", {"P": 2, "X": 1}) == "P3 has N1 X3."
    assert renumber_symbols("P3 has N2 X5. P1 sells X5 to P3.") == "P1 has N2 X1. P2 sells X1 to P1."


def test_function_words_never_become_things() -> None:
    # "10 toes" and "12 cans" are counted things, but "to" and "can" stay words everywhere
    vocab = EntityVocab.learn(["Ann has 10 toes.", "Bo buys 12 cans.", "I saw 1000 bees."])
    assert vocab.mask("Ann wants to buy what she can. It will be fun.") == (
        "P1 wants to buy what she can. It will be fun."
    )
    assert vocab.mask("Bo has 3 cans and 2 toes.") == "P1 has 3 X1 and 2 X2."


def test_a_name_that_is_also_a_thing_is_one_person_in_a_question() -> None:
    masked = EntityVocab.learn([]).mask("Mark has 3 marks. Ann gives Mark 2 marks.")
    assert masked == "P1 has 3 X1. P2 gives P1 2 X1."


def test_symbols_right_after_a_full_stop_are_counted() -> None:
    assert highest_symbols("P1 picks N1 X1.P2 picks N2 X2.") == {"P": 2, "X": 2}
