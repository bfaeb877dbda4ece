"""Number masking: every number in the question gets its own slot, program literals map to slots."""

from __future__ import annotations

from student.text.number_slots import mask_program, mask_question, scheme_of, unmask_program


def test_each_occurrence_gets_its_own_slot() -> None:
    question, numbers = mask_question("Chloe has 3 crates with 3 oranges in each. She buys 1,200 more.")
    assert question == "Chloe has N1 crates with N2 oranges in each. She buys N3 more."
    assert numbers.slots == ["3", "3", "1200"]


def test_repeated_program_literals_take_the_question_occurrences_in_order() -> None:
    _, numbers = mask_question("Chloe has 3 crates with 3 oranges in each. One more crate has 3.")
    program = "crates = 3\nper_crate = 3\nextra = 3\nans = crates * per_crate + extra"
    assert mask_program(program, numbers) == (
        "crates = N1\nper_crate = N2\nextra = N3\nans = crates * per_crate + extra"
    )
    # more uses than occurrences: the extra uses reuse the last occurrence
    assert mask_program("ans = 3 * 3 * 3 * 3", numbers) == "ans = N1 * N2 * N3 * N3"


def test_literals_not_in_the_question_stay_literal() -> None:
    _, numbers = mask_question("Hannah has 114 buttons and loses 50% of them.")
    assert mask_program("ans = 114 - 114 * 50 // 100", numbers) == "ans = N1 - N1 * N2 // 100"


def test_a_constant_equal_to_a_named_question_number_stays_literal() -> None:
    # "half" is // 2, not the crate size 2 that the program has already named
    question = "Layla has 114 apples. Each crate holds 2 apples. Layla fills 6 crates. She sells half."
    _, numbers = mask_question(question)
    program = (
        "layla = 114\nper_crate = 2\ncrates = 6\nin_crates = crates * per_crate\n"
        "total = layla + in_crates\nsold = total // 2\nans = sold"
    )
    masked = mask_program(program, numbers).splitlines()
    assert masked[:3] == ["layla = N1", "per_crate = N2", "crates = N3"]
    assert masked[5] == "sold = total // 2"
    # the naming line wins even when the expression comes first ("three times" vs "3 neighbors")
    question = "Dylan has 8 mangoes. Alice has three times as many. She splits them among 3 friends."
    _, numbers = mask_question(question)
    program = "dylan = 8\nalice = dylan * 3\nfriends = 3\nans = alice // friends"
    assert mask_program(program, numbers).splitlines()[1:3] == ["alice = dylan * 3", "friends = N2"]
    # a value that no word stands for is the named number reused, as converted GSM8K programs write it
    question = "The green yarn is 156 cm long. The red yarn is 8 cm more than three times the green yarn."
    _, numbers = mask_question(question)
    program = "cm = 156\ncm_2 = 3 * 156 + 8\nans = 156 + cm_2"
    assert mask_program(program, numbers) == "cm = N1\ncm_2 = 3 * N1 + N2\nans = N1 + cm_2"
    # an unnamed occurrence is still taken by the expression
    _, numbers = mask_question("Dylan has 8 mangoes. Alice has 3 times as many.")
    assert mask_program("dylan = 8\nans = dylan * 3", numbers) == "dylan = N1\nans = dylan * N2"


def test_unmask_restores_and_rejects_unknown_slots() -> None:
    _, numbers = mask_question("Mia buys 8 beads at $8 each.")
    assert unmask_program("ans = N1 * N2", numbers) == "ans = 8 * 8"
    assert unmask_program("ans = N1 * N3", numbers) is None


def test_old_checkpoints_keep_the_distinct_value_scheme() -> None:
    assert scheme_of({"enabled": True, "scheme": "occurrences"}) == "occurrences"
    old = "N<i> by first appearance of each distinct value"
    assert scheme_of({"enabled": True, "scheme": old}) == "values"
    assert scheme_of({"enabled": False}) is None
    assert scheme_of({}) is None
    question, numbers = mask_question("Mia buys 8 beads at $8 each.", scheme="values")
    assert question == "Mia buys N1 beads at $N1 each."
    assert mask_program("ans = 8 * 8", numbers, scheme="values") == "ans = N1 * N1"


def test_a_repeated_value_goes_to_the_occurrence_its_variable_is_named_after() -> None:
    question = "One pencil costs $2. There are 7 apples in each crate. Marco orders 7 pencils. How much?"
    _, numbers = mask_question(question)
    program = "price_per_pencil = 2\npencils_ordered = 7\nans = pencils_ordered * price_per_pencil"
    masked = mask_program(program, numbers)
    assert masked.splitlines()[:2] == ["price_per_pencil = N1", "pencils_ordered = N3"]
    # an unnamed use falls back to the first occurrence not taken yet
    assert mask_program("ans = 7 * 2 + 7", numbers) == "ans = N2 * N1 + N3"


def test_slots_that_end_a_sentence_are_renamed_too() -> None:
    from student.text.number_slots import renumber_in_order

    assert renumber_in_order("Tom buys N7. Pens cost $N3.", "ans = N3 * N7") == (
        "Tom buys N1. Pens cost $N2.",
        "ans = N2 * N1",
    )
