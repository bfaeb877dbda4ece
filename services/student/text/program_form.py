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


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node under ``tree`` (itself included), in no particular order: ``ast.walk``'s nodes at half
    its cost (it asks every node for every field through two generators)."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
    return found


def _assigned_names(names: list[ast.Name]) -> list[str]:
    """Names bound by assignment (incl. loop targets), in source order of first binding."""
    found: dict[str, None] = {}
    stores = [n for n in names if isinstance(n.ctx, ast.Store)]
    for node in sorted(stores, key=lambda n: (n.lineno, n.col_offset)):
        if node.id not in KEEP:
            found.setdefault(node.id)
    return list(found)


def _numbered(tree: ast.Module, nodes: list[ast.AST], assigned: list[str] | None = None) -> str | None:
    """``tree`` written out with its assigned names renamed ``v1, v2 …`` (changed in place; ``nodes``: its
    nodes), or None when it defines functions or classes (whose scopes a plain rename could break).
    ``assigned``: the assigned names in order, where the caller knows them (a tree built here has no
    source positions to sort by)."""
    if any(isinstance(n, _SCOPES) for n in nodes):
        return None
    names = [n for n in nodes if isinstance(n, ast.Name)]
    assigned = _assigned_names(names) if assigned is None else assigned
    taken = {n.id for n in names} - set(assigned)
    mapping: dict[str, str] = {}
    counter = 0
    for name in assigned:
        counter += 1
        while f"v{counter}" in taken:
            counter += 1
        mapping[name] = f"v{counter}"
    for node in names:  # an inlined constant may sit at several places: it is no assigned name
        node.id = mapping.get(node.id, node.id)
    return ast.unparse(tree)


def _straight_line(tree: ast.Module, nodes: list[ast.AST]) -> bool:
    """Every statement assigns one expression to one plain name (no loops, no aug-assign, no scopes)."""
    return all(
        isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
        for s in tree.body
    ) and not any(isinstance(n, _SCOPES | ast.comprehension | ast.NamedExpr) for n in nodes)


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
    names = (n for stmt in body for n in _nodes(stmt) if isinstance(n, ast.Name))
    return Counter(n.id for n in names if isinstance(n.ctx, ast.Load))


def _target(stmt: ast.Assign) -> str:
    return stmt.targets[0].id  # type: ignore[attr-defined]  # a plain Name, checked by _straight_line


def _compacted(tree: ast.Module, nodes: list[ast.AST]) -> list[ast.Assign] | None:
    """The statements of ``tree``'s short form (see ``compact_program``); None where it is not straight-line
    (``tree`` untouched), [] where it is nothing but constants (the program stays as it is, but ``tree`` was
    changed by the inlining)."""
    if not tree.body or not _straight_line(tree, nodes):
        return None
    assigns = [stmt for stmt in tree.body if isinstance(stmt, ast.Assign)]
    bound = Counter(_target(stmt) for stmt in assigns)
    free = {n.id for n in nodes if isinstance(n, ast.Name)} - set(bound)
    values: dict[str, ast.expr] = {}
    body: list[ast.Assign] = []
    for stmt in assigns:
        stmt.value = _Inliner(values).visit(stmt.value)
        if _target(stmt) not in KEEP and bound[_target(stmt)] == 1 and _constant(stmt.value, free):
            values[_target(stmt)] = stmt.value
        else:
            body.append(stmt)
    if len(body) >= 2:
        last, before = body[-1], body[-2]
        source = _target(before)
        if (
            _target(last) in KEEP
            and isinstance(last.value, ast.Name)
            and last.value.id == source
            and bound[source] == 1
            and _reads(body)[source] == 1
        ):
            before.targets = [ast.Name(id=_target(last), ctx=ast.Store())]
            body.pop()
    return body


@lru_cache(maxsize=_REMEMBERED)
def student_form(program: str, compact: bool, normalize: bool) -> str:
    """``program`` as the student reads it: ``compact_program`` then ``normalize_names`` (each where asked),
    from one parse, one walk of the tree and one unparse; unchanged where neither applies."""
    if not (compact or normalize):
        return program
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return program
    nodes = _nodes(tree)
    if compact:
        body = _compacted(tree, nodes)
        if body:
            short = ast.Module(body=body, type_ignores=[])
            if not normalize:
                return ast.unparse(short)
            # straight-line: each statement binds its one target, in order
            assigned = list(dict.fromkeys(t for t in map(_target, body) if t not in KEEP))
            return _numbered(short, _nodes(short), assigned) or program  # never None: no scopes
        if body is not None:  # nothing but constants: the inliner changed the tree
            tree = ast.parse(program)
            nodes = _nodes(tree)
    if normalize:
        numbered = _numbered(tree, nodes)
        return program if numbered is None else numbered  # an empty module is written out as ""
    return program


def normalize_names(program: str) -> str:
    """``program`` with its assigned variables renamed ``v1, v2 …``; unchanged if it does not parse
    or defines functions/classes (whose scopes a plain rename could break)."""
    return student_form(program, compact=False, normalize=True)


def compact_program(program: str) -> str:
    """``program`` in the student's short form.

    A name bound once to a number literal (or to a name the program never binds, such as a masked slot
    ``N1``) is replaced by that value where it is used, and a final ``ans = x`` whose ``x`` was computed
    on the line before (and is read nowhere else) is folded into that line. Only straight-line programs
    (one plain name assigned per line, no loops or scopes) are rewritten; any other program, and one
    that does not parse, comes back unchanged. The result computes the same value.
    """
    return student_form(program, compact=True, normalize=False)
