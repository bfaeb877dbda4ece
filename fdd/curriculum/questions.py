"""What each kind of question asks: the variable that answers it, computing a last step if needed.

"How many apples does Mia have now?" reads a quantity; "... do Mia and Leo have altogether?" and
"How many more ... than ...?" add one step; the others read a running total (sold, spent, earned,
each recipient's share, containers filled). An unknown referent is ``Inconsistent``.
"""

from __future__ import annotations

from fdd.curriculum.grammar import Stmt
from fdd.curriculum.lexicon import MONEY
from fdd.curriculum.semantics import Inconsistent, Interp


def _total(it: Interp, key: tuple, what: str) -> str:
    try:
        return it.totals[key]
    except KeyError:
        raise Inconsistent(f"the question asks about {what}, which the problem never states") from None


def answer_var(it: Interp, q: Stmt) -> str:
    """The variable holding the answer to question ``q`` (emitting the final step when it has one)."""
    kind = q.kind
    if kind == "q_has":
        return it.holding(q["P"], q["item"])
    if kind in ("q_total", "q_diff"):
        if q["P"] == q["Q"]:
            raise Inconsistent("the question compares a person with themselves")
        first, second = it.holding(q["P"], q["item"]), it.holding(q["Q"], q["item"])
        if kind == "q_total":
            return it.compute("total", "add", "{} + {}", (first, second), lambda a, b: a + b)
        return it.compute("difference", "subtract", "{} - {}", (first, second), lambda a, b: a - b)
    if kind == "q_lost":
        key = ("spent", q["P"]) if q["item"] == MONEY else ("lost", q["P"], q["item"], q["verb"])
        return _total(it, key, f"what {q['P']} {q['verb']}")
    if kind == "q_spent":
        return _total(it, ("spent", q["P"]), f"what {q['P']} spends")
    if kind == "q_done":
        return _total(it, ("done", q["P"], q["item"]), f"the {q['item']} {q['P']} makes")
    if kind == "q_each":
        return _total(it, ("each", q["recip"], q["item"]), f"a share of {q['item']} per {q['recip']}")
    if kind == "q_packed":
        return _total(it, ("packed", q["P"], q["container"]), f"{q['P']}'s {q['container']}s")
    raise Inconsistent(f"{kind!r} is not a question")
