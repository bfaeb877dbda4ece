"""Measures of a program: its normal form for de-duplication and its number of arithmetic steps.

`canonicalize` lets the teacher keep only distinct correct programs among k samples; `count_steps`
lets the generator check that a "more complex" variant really has more steps than its parent.
"""

from __future__ import annotations

import ast


def _parse(program: str) -> ast.Module | None:
    try:
        return ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def measure(program: str) -> tuple[str, int]:
    """``(canonicalize(program), count_steps(program))`` from one parse of the program."""
    tree = _parse(program)
    if tree is None:
        return _collapsed(program), 0
    steps = _steps(tree)
    return _canonical(tree, program), steps


def canonicalize(program: str) -> str:
    """Normal form for de-duplication: docstrings and comments dropped, layout and quotes normalised
    (ast.unparse). Text that does not parse is returned with its whitespace collapsed."""
    tree = _parse(program)
    return _collapsed(program) if tree is None else _canonical(tree, program)


def _canonical(tree: ast.Module, program: str) -> str:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            body[:] = body[1:] or [ast.Pass()]
    try:
        return ast.unparse(tree)
    except RecursionError:  # a pathologically deep expression
        return _collapsed(program)


def _collapsed(program: str) -> str:
    """The stand-in normal form of text that cannot be parsed or unparsed: its whitespace collapsed."""
    return " ".join(program.split())


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


_STEP_CALLS = frozenset(
    "round min max sum abs pow divmod ceil floor trunc sqrt isqrt exp log log2 log10 factorial comb perm "
    "prod fsum gcd lcm hypot fabs fmod".split()
)


def count_steps(program: str) -> int:
    """Number of arithmetic operations written in the program (a static count, loops are not unrolled).

    Counted: every binary operator (+ - * / // % ** and the others), every augmented assignment
    (`x += 1`), every unary minus except on a literal (`-x` counts, `-5` does not), and every call of a
    numeric function (round, min, max, sum, abs, pow, divmod and math's ceil, floor, sqrt, log, gcd, …).
    Not counted: conversions (int, float, Fraction), comparisons, assignments, control flow.
    Text that does not parse has 0 steps.
    """
    tree = _parse(program)
    return 0 if tree is None else _steps(tree)


def _steps(tree: ast.Module) -> int:
    steps = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp | ast.AugAssign):
            steps += 1
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            steps += not isinstance(node.operand, ast.Constant)
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            steps += name in _STEP_CALLS
    return steps
