"""Variable-name normalisation for the student: every name a program assigns becomes ``v1, v2 …``.

A teacher's rationale names its variables after the story (``rosa_cost``, ``price_per_stamp``); a tiny
student then has to learn to copy entity words into names, and its most common error is copying the
wrong one. The names do not change what a program computes, so the student is trained on programs whose
assigned names are renamed in order of first assignment (``ans`` kept, builtins and modules untouched).
The program is only parsed and re-written here, never run.
"""

from __future__ import annotations

import ast

KEEP = {"ans"}


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


def normalize_names(program: str) -> str:
    """``program`` with its assigned variables renamed ``v1, v2 …``; unchanged if it does not parse
    or defines functions/classes (whose scopes a plain rename could break)."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return program
    if any(
        isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef)
        for n in ast.walk(tree)
    ):
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
