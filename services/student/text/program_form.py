"""The student's program normal form: names renamed ``v1, v2 …`` and number constants inlined.

A teacher's rationale names its variables after the story (``rosa_cost``, ``price_per_stamp``); a tiny
student then has to learn to copy entity words into names, and its most common error is copying the
wrong one. The names do not change what a program computes, so the student is trained on programs whose
assigned names are renamed in order of first assignment (``ans`` kept, builtins and modules untouched).
``compact_program`` shortens a straight-line program further: constants bound to a name once are
written where they are used and the final ``ans = x`` is folded into the line that computes ``x``, so
the student spends its tokens on the operations, not on copying every number into a variable first.
Programs are only parsed and re-written here, never run.
"""

from __future__ import annotations

import ast
from collections import Counter
from functools import lru_cache

KEEP = {"ans"}
# Both forms are pure functions of the program text, and a round's set is mostly the last round's again (a
# worker's process lives across jobs): remembered, the AST work of a warm round is paid once per program.
_REMEMBERED = 1 << 17
_SCOPES = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef


class _Renamer(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(id=self.mapping[node.id], ctx=node.ctx), node)
        return node


def _assigned_names(tree: ast.AST) -> list[str]:
    """Names bound by assignment (incl. loop targets), in source order of first binding."""
    found: dict[str, None] = {}
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
        if node.id not in KEEP:
            found.setdefault(node.id)
    return list(found)


@lru_cache(maxsize=_REMEMBERED)
def normalize_names(program: str) -> str:
    """``program`` with its assigned variables renamed ``v1, v2 …``; unchanged if it does not parse
    or defines functions/classes (whose scopes a plain rename could break)."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return program
    if any(isinstance(n, _SCOPES) for n in ast.walk(tree)):
        return program
    names = _assigned_names(tree)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(names)
    mapping: dict[str, str] = {}
    counter = 0
    for name in names:
        counter += 1
        while f"v{counter}" in taken:
            counter += 1
        mapping[name] = f"v{counter}"
    return ast.unparse(_Renamer(mapping).visit(tree))


def _straight_line(tree: ast.Module) -> bool:
    """Every statement assigns one expression to one plain name (no loops, no aug-assign, no scopes)."""
    return all(
        isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
        for s in tree.body
    ) and not any(isinstance(n, _SCOPES | ast.comprehension | ast.NamedExpr) for n in ast.walk(tree))


def _constant(node: ast.expr, free: set[str]) -> bool:
    """A number literal, or a name the program never binds (a masked slot such as ``N1``)."""
    if isinstance(node, ast.Name):
        return node.id in free
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


class _Inliner(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            return ast.copy_location(self.values[node.id], node)
        return node


def _reads(body: list[ast.Assign]) -> Counter[str]:
    names = (n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Name))
    return Counter(n.id for n in names if isinstance(n.ctx, ast.Load))


@lru_cache(maxsize=_REMEMBERED)
def compact_program(program: str) -> str:
    """``program`` in the student's short form.

    A name bound once to a number literal (or to a name the program never binds, such as a masked slot
    ``N1``) is replaced by that value where it is used, and a final ``ans = x`` whose ``x`` was computed
    on the line before (and is read nowhere else) is folded into that line. Only straight-line programs
    (one plain name assigned per line, no loops or scopes) are rewritten; any other program, and one
    that does not parse, comes back unchanged. The result computes the same value.
    """
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return program
    if not tree.body or not _straight_line(tree):
        return program
    assigns = [stmt for stmt in tree.body if isinstance(stmt, ast.Assign)]
    target = lambda stmt: stmt.targets[0].id  # noqa: E731 — a plain Name, checked by _straight_line
    bound = Counter(target(stmt) for stmt in assigns)
    free = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(bound)
    values: dict[str, ast.expr] = {}
    body: list[ast.Assign] = []
    for stmt in assigns:
        stmt.value = _Inliner(values).visit(stmt.value)
        if target(stmt) not in KEEP and bound[target(stmt)] == 1 and _constant(stmt.value, free):
            values[target(stmt)] = stmt.value
        else:
            body.append(stmt)
    if len(body) >= 2:
        last, before = body[-1], body[-2]
        source = target(before)
        if (
            target(last) in KEEP
            and isinstance(last.value, ast.Name)
            and last.value.id == source
            and bound[source] == 1
            and _reads(body)[source] == 1
        ):
            before.targets = [ast.Name(id=target(last), ctx=ast.Store())]
            body.pop()
    if not body:  # nothing but constants: keep the program as it was
        return program
    return ast.unparse(ast.Module(body=list(body), type_ignores=[]))
