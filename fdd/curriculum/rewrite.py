"""Other ways to write a straight-line PoT program: equivalent paraphrases and deliberate mistakes.

``paraphrase(program, rng)`` returns a program with the same answer written differently: variables
renamed in one of several styles, independent lines reordered (any order that respects the data
flow), some numbers written inline instead of named, the last step folded into ``ans``.
``corrupt(program, rng)`` returns a plausible wrong program: one operation swapped for another, or one
step dropped (its result replaced by its first operand). The synthetic teacher uses both to write k
distinct rationales, some of them wrong, so that verification and consensus have real work to do.
Programs are the curriculum's own (assignments of names, integers and arithmetic only).
"""

from __future__ import annotations

import ast
import keyword
import random
from collections.abc import Mapping
from typing import Any

_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult, ast.Div: ast.Mult}
_STYLES = ("same", "camel", "short", "prefixed", "numbered")


def _assignments(program: str) -> list[tuple[str, ast.expr]]:
    tree = ast.parse(program)
    lines = []
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            raise ValueError("not a straight-line program of simple assignments")
        lines.append((node.targets[0].id, node.value))
    if not lines or lines[-1][0] != "ans":
        raise ValueError("the program does not end by assigning ans")
    return lines


def _uses(expr: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def _replace(node: Any, mapping: Mapping[str, ast.expr]) -> Any:
    """A copy of ``node`` with every name in ``mapping`` replaced (the input is left as it is)."""
    if isinstance(node, ast.Name):
        return mapping.get(node.id, node)
    fields = {}
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            value = _replace(value, mapping)
        elif isinstance(value, list):
            value = [_replace(v, mapping) if isinstance(v, ast.AST) else v for v in value]
        fields[name] = value
    return type(node)(**fields)


def _render(lines: list[tuple[str, ast.expr]]) -> str:
    return "\n".join(f"{var} = {ast.unparse(expr)}" for var, expr in lines)


def _new_name(var: str, style: str, index: int, is_number: bool) -> str:
    parts = var.split("_")
    if style == "camel":
        name = parts[0] + "".join(p.capitalize() for p in parts[1:])
    elif style == "short":
        name = "_".join(p[:4] for p in parts)
    elif style == "prefixed":
        name = ("num_" if is_number else "total_") + var
    elif style == "numbered":
        name = f"{'n' if is_number else 'step'}{index}"
    else:
        name = var
    return name + "_" if keyword.iskeyword(name) or name == "ans" else name


def _rename(lines: list[tuple[str, ast.expr]], rng: random.Random) -> list[tuple[str, ast.expr]]:
    style = rng.choice(_STYLES)
    mapping: dict[str, ast.expr] = {}
    taken: set[str] = set()
    for i, (var, expr) in enumerate(lines[:-1], start=1):
        name = _new_name(var, style, i, isinstance(expr, ast.Constant))
        while name in taken:
            name += "_"
        taken.add(name)
        mapping[var] = ast.Name(name, ast.Load())
    return [(mapping[v].id if v in mapping else v, _replace(e, mapping)) for v, e in lines]  # type: ignore[attr-defined]


def _reorder(lines: list[tuple[str, ast.expr]], rng: random.Random) -> list[tuple[str, ast.expr]]:
    """A random order of the lines before ``ans`` that still defines every name before its use."""
    pending, out = list(lines[:-1]), []
    done: set[str] = set()
    uses = {id(line): _uses(line[1]) for line in pending}  # once per line, not once per line per pick
    while pending:
        ready = [line for line in pending if uses[id(line)] <= done]
        # prefer the text's order most of the time: a teacher mostly writes lines as it reads
        line = ready[0] if rng.random() < 0.6 else rng.choice(ready)
        pending.remove(line)
        done.add(line[0])
        out.append(line)
    return [*out, lines[-1]]


def _inline_numbers(lines: list[tuple[str, ast.expr]], rng: random.Random) -> list[tuple[str, ast.expr]]:
    chosen = {v: e for v, e in lines[:-1] if isinstance(e, ast.Constant) and rng.random() < 0.5}
    return [(v, _replace(e, chosen)) for v, e in lines if v not in chosen]


def _fold_answer(lines: list[tuple[str, ast.expr]]) -> list[tuple[str, ast.expr]]:
    """``total = a + b`` / ``ans = total`` becomes ``ans = a + b`` when ``total`` is used nowhere else."""
    last = lines[-1][1]
    if not isinstance(last, ast.Name) or len(lines) < 2:
        return lines
    source = next((line for line in lines if line[0] == last.id), None)
    others = [line for line in lines[:-1] if line is not source and last.id in _uses(line[1])]
    if source is None or others or isinstance(source[1], ast.Constant):
        return lines
    return [line for line in lines[:-1] if line is not source] + [("ans", source[1])]


def paraphrase(program: str, rng: random.Random) -> str:
    """An equivalent program written differently (names, order, inlined numbers, folded answer)."""
    lines = _reorder(_assignments(program), rng)
    if rng.random() < 0.4:
        lines = _inline_numbers(lines, rng)
    if rng.random() < 0.7:
        lines = _rename(lines, rng)
    if rng.random() < 0.4:
        lines = _fold_answer(lines)
    return _render(lines)


def corrupt(program: str, rng: random.Random) -> str:
    """A plausible wrong version of ``program``: one operation swapped, or one step dropped."""
    lines = _assignments(program)
    steps = [i for i, (_, e) in enumerate(lines[:-1]) if isinstance(e, ast.BinOp)]
    if not steps:
        raise ValueError("the program has no step to get wrong")
    i = rng.choice(steps)
    var, expr = lines[i]
    if rng.random() < 0.5:
        swapped = ast.BinOp(expr.left, _SWAP.get(type(expr.op), ast.Sub)(), expr.right)  # type: ignore[attr-defined]
        lines[i] = (var, swapped)
    else:  # forget the step: whoever used its result uses its first operand instead
        names = [n.id for n in ast.walk(expr) if isinstance(n, ast.Name)]  # breadth-first: leftmost first
        first = names[0] if names else None
        if first is None:
            raise ValueError("the step has no operand to fall back on")
        operand = ast.Name(first, ast.Load())
        lines = [(v, _replace(e, {var: operand})) for v, e in lines[:i] + lines[i + 1 :]]
    return _render(lines)
