"""What each kind of fact means: the program lines it emits and the quantities it changes.

One small function per statement kind, dispatched by ``apply``. Two-part facts ("3 boxes of apples"
+ "each box holds 6 apples", "buys 4 books" + "a book costs $3", "earns $9 per hour" + "works 5
hours") may come in either order: the first part is remembered and the product is emitted when the
second arrives, so the program follows the text's order.
"""

from __future__ import annotations

from fdd.curriculum.grammar import Stmt
from fdd.curriculum.lexicon import (
    CONTAINER_PLURAL,
    MONEY,
    RECIPIENTS,
    UNITS,
    WORD_FRACTIONS,
    singular,
    verb_forms,
)
from fdd.curriculum.semantics import Inconsistent, Interp, qty, times_of


def _have(it: Interp, s: Stmt) -> None:
    if (s["P"], s["item"]) in it.has:
        raise Inconsistent(f"{s['P']}'s {s['item']} are given twice")
    it.set_has(s["P"], s["item"], it.literal(qty(s["P"], s["item"]), s["n"]))


def _gain(it: Interp, s: Stmt) -> None:
    it.holding(s["P"], s["item"])
    base = verb_forms(s["verb"])[2] if s["verb"] else "extra_money"
    it.receive(s["P"], s["item"], it.literal(base, s["n"]))


def _lose(it: Interp, s: Stmt) -> None:
    it.take(s["P"], s["item"], it.literal(verb_forms(s["verb"])[2], s["n"]), s["verb"])


def _compare(it: Interp, s: Stmt) -> None:
    subj, obj, item, rel = s["S"], s["O"], s["item"], s["rel"]
    subj_known, obj_known = (subj, item) in it.has, (obj, item) in it.has
    if subj_known == obj_known:
        raise Inconsistent(f"comparison of {subj} and {obj} needs exactly one of them known")
    known, new = (obj, subj) if obj_known else (subj, obj)
    src, forward = it.has[(known, item)], obj_known  # forward: subject = f(object)
    if rel in ("more", "fewer"):
        d = it.literal("difference", s["n"])
        plus = (rel == "more") == forward
        fn = (lambda a, b: a + b) if plus else (lambda a, b: a - b)
        var = it.compute(qty(new, item), "compare", "{} + {}" if plus else "{} - {}", (src, d), fn)
    else:
        num, den = times_of(rel, s["n"])
        if rel == "times":
            factor = it.literal("times", s["n"])
            fmt, deps = ("{} * {}", (src, factor)) if forward else ("{} // {}", (src, factor))
            num, den = (num, 1) if forward else (1, num)
            var = it.divide(qty(new, item), "compare", fmt, deps, num, den)
        else:
            num, den = (num, den) if forward else (den, num)
            fmt = _scaled(num, den)
            var = it.divide(qty(new, item), "compare", fmt, (src,), num, den)
    it.set_has(new, item, var)


def _scaled(num: int, den: int) -> str:
    """The expression template of ``x * num / den`` with constants written in (``{} * 2``, ``{} // 3``)."""
    if den == 1:
        return "{} * " + str(num)
    if num == 1:
        return "{} // " + str(den)
    return "{} * " + f"{num} // {den}"


def _groups(it: Interp, s: Stmt) -> None:
    key = ("per", s["container"], s["item"])
    count = it.literal(CONTAINER_PLURAL[s["container"]], s["n"])
    if key in it.known:
        _fill(it, s["P"], s["item"], s["container"], count, it.known[key])
    else:
        it.pending.setdefault(key, []).append((s["P"], count))


def _per(it: Interp, s: Stmt) -> None:
    key = ("per", s["container"], s["item"])
    if key in it.known:
        raise Inconsistent(f"how many {s['item']} a {s['container']} holds is stated twice")
    per = it.literal(f"{s['item']}_per_{s['container']}", s["n"])
    it.known[key] = per
    for person, count in it.pending.pop(key, []):
        _fill(it, person, s["item"], s["container"], count, per)


def _fill(it: Interp, person: str, item: str, container: str, count: str, per: str) -> None:
    base = qty(person, item) if (person, item) not in it.has else f"{item}_in_{CONTAINER_PLURAL[container]}"
    total = it.compute(base, "multiply", "{} * {}", (count, per), lambda a, b: a * b)
    it.receive(person, item, total)


def _groups_full(it: Interp, s: Stmt) -> None:
    _groups(it, s)
    _per(it, Stmt("per", {"container": s["container"], "item": s["item"], "n": s["m"]}))


def _price(it: Interp, s: Stmt) -> None:
    key = ("price", s["item"])
    if key in it.known:
        raise Inconsistent(f"the price of {s['item']} is stated twice")
    price = it.literal(f"price_per_{singular(s['item'])}", s["n"])
    it.known[key] = price
    for person, count in it.pending.pop(key, []):
        _pay(it, person, count, price)


def _buy(it: Interp, s: Stmt) -> None:
    key = ("price", s["item"])
    count = it.literal(f"{s['item']}_bought", s["n"])
    if key in it.known:
        _pay(it, s["P"], count, it.known[key])
    else:
        it.pending.setdefault(key, []).append((s["P"], count))


def _pay(it: Interp, person: str, count: str, price: str) -> None:
    cost = it.compute("cost", "price", "{} * {}", (count, price), lambda a, b: a * b)
    if (person, MONEY) in it.has:
        it.take(person, MONEY, cost, "spends")
    else:
        it.add_to(("spent", person), "spent", cost)


def _buy_full(it: Interp, s: Stmt) -> None:
    _buy(it, s)
    _price(it, Stmt("price", {"item": s["item"], "n": s["m"]}))


def _rate(it: Interp, s: Stmt) -> None:
    rate = it.literal(f"{s['item']}_per_{s['unit']}", s["n"])
    it.known[("rate", s["P"])] = (rate, s["item"], s["unit"])
    if ("duration", s["P"]) in it.known:
        _produce(it, s["P"])


def _duration(it: Interp, s: Stmt) -> None:
    it.known[("duration", s["P"])] = (it.literal(UNITS[s["unit"]], s["n"]), s["unit"])
    if ("rate", s["P"]) in it.known:
        _produce(it, s["P"])


def _produce(it: Interp, person: str) -> None:
    rate, item, unit = it.known.pop(("rate", person))
    duration, duration_unit = it.known.pop(("duration", person))
    if unit != duration_unit:
        raise Inconsistent(f"a rate per {unit} with a duration in {UNITS[duration_unit]}")
    made = it.compute(
        "earned" if item == MONEY else f"{item}_made", "rate", "{} * {}", (rate, duration), lambda a, b: a * b
    )
    it.add_to(("done", person, item), "total_earned" if item == MONEY else f"total_{item}", made)
    it.receive(person, item, made)


def _percent(it: Interp, s: Stmt) -> None:
    held = it.holding(s["P"], s["item"])
    pct = it.literal("percent", s["n"])
    stem = verb_forms(s["verb"])[2]
    part = it.compute(stem, "percent", "{} * {} // 100", (held, pct), lambda a, b: a * b // 100)
    if (it.values[held] * s["n"]) % 100:
        raise Inconsistent(f"{s['n']}% of {it.values[held]} is not a whole number")
    it.take(s["P"], s["item"], part, s["verb"])


def _fraction(it: Interp, s: Stmt) -> None:
    held = it.holding(s["P"], s["item"])
    stem = verb_forms(s["verb"])[2]
    if s["frac"] is None:  # written with digits: "2/5 of her apples"
        num, den = it.literal("numerator", s["a"]), it.literal("denominator", s["b"])
        if it.values[den] == 0 or it.values[num] > it.values[den]:
            raise Inconsistent(f"{s['a']}/{s['b']} is not a proper fraction")
        if (it.values[held] * s["a"]) % s["b"]:
            raise Inconsistent(f"{s['a']}/{s['b']} of {it.values[held]} is not a whole number")
        part = it.compute(stem, "fraction", "{} * {} // {}", (held, num, den), lambda h, a, b: h * a // b)
    else:
        a, b = WORD_FRACTIONS[s["frac"]]
        fmt = _scaled(a, b)
        part = it.divide(stem, "fraction", fmt, (held,), a, b)
    it.take(s["P"], s["item"], part, s["verb"])


def _share(it: Interp, s: Stmt) -> None:
    held = it.holding(s["P"], s["item"])
    if s["n"] < 2:
        raise Inconsistent("sharing needs at least two recipients")
    people = it.literal(RECIPIENTS[s["recip"]], s["n"])
    each = it.divide(
        f"{'money' if s['item'] == MONEY else s['item']}_each",
        "divide",
        "{} // {}",
        (held, people),
        1,
        s["n"],
    )
    it.totals[("each", s["recip"], s["item"])] = each


def _pack(it: Interp, s: Stmt) -> None:
    held = it.holding(s["P"], s["item"])
    if s["n"] < 2:
        raise Inconsistent("packing needs groups of at least two")
    size = it.literal(f"{s['item']}_per_{s['container']}", s["n"])
    count = it.divide(CONTAINER_PLURAL[s["container"]], "divide", "{} // {}", (held, size), 1, s["n"])
    it.totals[("packed", s["P"], s["container"])] = count


_APPLY = {
    "have": _have,
    "gain": _gain,
    "lose": _lose,
    "compare": _compare,
    "groups": _groups,
    "per": _per,
    "groups_full": _groups_full,
    "price": _price,
    "buy": _buy,
    "buy_full": _buy_full,
    "rate": _rate,
    "duration": _duration,
    "percent": _percent,
    "fraction": _fraction,
    "share": _share,
    "pack": _pack,
}


def apply(it: Interp, statement: Stmt) -> None:
    """Interpret one fact, emitting its lines into ``it`` (``Inconsistent`` when it makes no sense)."""
    try:
        handler = _APPLY[statement.kind]
    except KeyError:
        raise Inconsistent(f"{statement.kind!r} is not a fact") from None
    handler(it, statement)
