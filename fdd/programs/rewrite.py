"""Rewriting a parsed program into the canonical shape of a rationale: a straight program ending `ans = …`.

Used by `fdd.programs.extract` once it has found code. The plan: drop `print` statements (a final
`print(x)` becomes `ans = x`); inline a simple zero-argument solver function (`def solution(): …
return x` → its body, then `ans = x`) or else call it (`ans = solution()`); in a program with neither
`ans` nor a solver, the last bare expression or the last assigned name becomes `ans`. The rewrite is
rendered by line edits when every edited statement owns its lines (comments and layout survive),
else through `ast.unparse`.
"""

from __future__ import annotations

import ast
import textwrap

SOLVER_NAMES = ("solution", "solve", "main", "compute", "calculate", "answer", "get_answer", "solver")


def rewrite(source: str, tree: ast.Module) -> str | None:
    """The program in canonical shape, or None when nothing in it can be the answer."""
    return _Rewriter(source, tree).program()


def _is_print(stmt: ast.stmt) -> bool:
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"


def _calls(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == name
        and not node.args
    )


def _assigns_ans(tree: ast.Module) -> bool:
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "ans" for t in targets):
            return True
    return False


def _printed_value(call: ast.Call) -> ast.expr | None:
    """What a print shows as its answer: its last argument that is not a string literal, looking
    inside f-strings (`print(f"Total: {x}")` and `print("Total:", x)` both give x)."""
    values: list[ast.expr] = []
    for arg in call.args:
        if isinstance(arg, ast.JoinedStr):
            values += [part.value for part in arg.values if isinstance(part, ast.FormattedValue)]
        elif not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            values.append(arg)
    return values[-1] if values else None


def _calls_solver(stmt: ast.Expr, name: str) -> bool:
    """`name()` or `print(name())` as a statement."""
    return _calls(stmt.value, name) or (
        _is_print(stmt) and any(_calls(arg, name) for arg in stmt.value.args)  # type: ignore[attr-defined]
    )


def _inlinable(solver: ast.FunctionDef) -> bool:
    """One `return value` as the last statement, no nested scopes or global/nonlocal: safe to flatten."""
    returns = [n for n in ast.walk(solver) if isinstance(n, ast.Return)]
    return (
        len(returns) == 1
        and solver.body[-1] is returns[0]
        and returns[0].value is not None
        and not any(
            isinstance(n, ast.Global | ast.Nonlocal | ast.FunctionDef | ast.Lambda)
            for s in solver.body
            for n in ast.walk(s)
        )
    )


class _Rewriter:
    """Plans the rewrite of one parsed program, then renders it by line edits (keeping comments) when
    every edit covers whole lines, else through the AST (ast.unparse)."""

    def __init__(self, source: str, tree: ast.Module) -> None:
        self.source, self.tree = source, tree
        self.lines = source.split("\n")
        self.delete: list[ast.stmt] = []
        self.to_ans: dict[int, ast.expr] = {}  # id(stmt) -> expression it becomes `ans = …` of
        self.append: ast.expr | None = None
        self.inline: ast.FunctionDef | None = None

    def program(self) -> str | None:
        solver = self._solver()
        self._plan_prints(solver)
        if solver is not None:
            self._plan_solver(solver)
        elif not _assigns_ans(self.tree) and not self.to_ans:
            self._plan_answer()
            if self.append is None and not self.to_ans:
                return None
        if not (self.delete or self.to_ans or self.inline is not None or self.append is not None):
            return self.source.strip("\n") + "\n"  # already canonical: nothing to render
        text = self._render_lines()
        if text is None:
            text = self._render_ast()
        return text.strip("\n") + "\n"

    def _solver(self) -> ast.FunctionDef | None:
        """A zero-argument top-level function that computes the answer, when the program has no `ans`."""
        if _assigns_ans(self.tree):
            return None
        functions = [s for s in self.tree.body if isinstance(s, ast.FunctionDef) and not s.args.args]
        for function in reversed(functions):
            called = any(
                _calls(n, function.name)
                for s in self.tree.body
                if not isinstance(s, ast.FunctionDef)
                for n in ast.walk(s)
            )
            if called or function.name in SOLVER_NAMES:
                return function
        return None

    def _plan_prints(self, solver: ast.FunctionDef | None) -> None:
        """Drop every print statement; a final top-level print(x) of a program without ans becomes ans = x."""
        last = self.tree.body[-1]
        for node in ast.walk(self.tree):
            if isinstance(node, ast.stmt) and _is_print(node):
                printed = _printed_value(node.value)  # type: ignore[attr-defined]
                if node is last and solver is None and not _assigns_ans(self.tree) and printed is not None:
                    self.to_ans[id(node)] = printed
                else:
                    self.delete.append(node)

    def _plan_solver(self, solver: ast.FunctionDef) -> None:
        """Drop the top-level calls `solver()` / `print(solver())`; inline the solver when it is simple,
        else answer with `result` of an existing `result = solver()`, else with `ans = solver()`."""
        calls = [s for s in self.tree.body if isinstance(s, ast.Expr) and _calls_solver(s, solver.name)]
        self.delete += [s for s in calls if s not in self.delete]
        others = [
            n
            for s in self.tree.body
            if s is not solver and s not in calls
            for n in ast.walk(s)
            if isinstance(n, ast.Name) and n.id == solver.name
        ]
        stored = [
            s.targets[0].id
            for s in self.tree.body
            if isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and _calls(s.value, solver.name)
        ]
        if not others and _inlinable(solver):
            self.inline = solver
        elif stored:  # `result = solution()` already there: answer with it rather than call twice
            self.append = ast.Name(stored[-1], ast.Load())
        else:
            self.append = ast.Call(ast.Name(solver.name, ast.Load()), [], [])

    def _plan_answer(self) -> None:
        """No ans and no solver: the last bare expression, or the last assigned name, is the answer."""
        last = self.tree.body[-1]
        if isinstance(last, ast.Expr) and not _is_print(last) and id(last) not in self.to_ans:
            self.to_ans[id(last)] = last.value
            return
        for stmt in reversed(self.tree.body):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
            if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign) and isinstance(
                targets[-1], ast.Name
            ):
                self.append = ast.Name(targets[-1].id, ast.Load())
                return

    # -- rendering ---------------------------------------------------------------------------------

    def _blocks(self) -> list[list[ast.stmt]]:
        """Every statement list of the program (module body, function and loop bodies, else branches)."""
        return [
            block
            for node in ast.walk(self.tree)
            for field in ("body", "orelse")
            if isinstance(block := getattr(node, field, None), list)
            and block
            and isinstance(block[0], ast.stmt)
        ]

    def _owns_lines(self, stmt: ast.stmt) -> bool:
        """True when the statement alone occupies its lines (a trailing comment is allowed)."""
        first, last = self.lines[stmt.lineno - 1], self.lines[stmt.end_lineno - 1]  # type: ignore[operator]
        before = first.encode()[: stmt.col_offset].decode(errors="replace")
        after = last.encode()[stmt.end_col_offset :].decode(errors="replace").strip()
        return not before.strip() and (not after or after.startswith("#"))

    def _render_lines(self) -> str | None:
        """Apply the plan as line edits (comments survive); None when an edit does not cover whole lines."""
        inner = {id(n) for n in ast.walk(self.inline)} if self.inline is not None else set()
        edits: dict[int, tuple[int, list[str]]] = {}  # first line index -> (end index, replacement)
        dropped = {id(s) for s in self.delete}
        for block in self._blocks():
            for stmt in block:
                if id(stmt) in inner or (id(stmt) not in dropped and id(stmt) not in self.to_ans):
                    continue
                if not self._owns_lines(stmt):
                    return None
                new = [] if id(stmt) in dropped else [_answer_line(self.source, self.to_ans[id(stmt)], stmt)]
                if id(stmt) in dropped and stmt is block[0] and all(id(s) in dropped for s in block):
                    new = [" " * stmt.col_offset + "pass"]
                edits[stmt.lineno - 1] = (stmt.end_lineno, new)  # type: ignore[assignment]
        if self.inline is not None:
            flat = self._inlined_lines(self.inline, dropped)
            if flat is None:
                return None
            edits[self.inline.lineno - 1] = (self.inline.end_lineno, flat)  # type: ignore[assignment]
        lines = list(self.lines)
        for start in sorted(edits, reverse=True):
            end, new = edits[start]
            lines[start:end] = new
        if self.append is not None:
            lines.append(f"ans = {ast.unparse(self.append)}")
        text = "\n".join(lines)
        try:
            ast.parse(text)
        except SyntaxError:
            return None
        return text

    def _inlined_lines(self, solver: ast.FunctionDef, dropped: set[int]) -> list[str] | None:
        """The solver's body lines, dedented, its docstring and dropped statements left out, its
        `return x` turned into `ans = x`; None when the layout does not allow a line-wise edit."""
        body, returned = solver.body, solver.body[-1]
        assert isinstance(returned, ast.Return)  # see _inlinable
        assert returned.value is not None
        # an emptied block fails the re-parse, and the AST rendering takes over
        skipped = [s for s in ast.walk(solver) if isinstance(s, ast.stmt) and id(s) in dropped]
        if _is_docstring(body[0]):
            skipped.append(body[0])
        if body[0].lineno <= solver.lineno or not all(self._owns_lines(s) for s in [returned, *skipped]):
            return None
        skip = {i for s in skipped for i in range(s.lineno - 1, s.end_lineno)}  # type: ignore[arg-type]
        kept = [self.lines[i] for i in range(solver.lineno, returned.lineno - 1) if i not in skip]
        answer = _answer_line(self.source, returned.value, returned)
        return textwrap.dedent("\n".join([*kept, answer])).split("\n")

    def _render_ast(self) -> str:
        dropped = {id(s) for s in self.delete}
        for block in self._blocks():
            block[:] = [
                _assign_ans(self.to_ans[id(s)]) if id(s) in self.to_ans else s
                for s in block
                if id(s) not in dropped
            ] or [ast.Pass()]
        body = self.tree.body
        if self.inline is not None:
            inner = [s for s in self.inline.body if not _is_docstring(s)]
            returned = inner.pop()
            position = body.index(self.inline)
            body[position : position + 1] = [*inner, _assign_ans(returned.value)]  # type: ignore[attr-defined]
        if self.append is not None:
            body.append(_assign_ans(self.append))
        return ast.unparse(ast.fix_missing_locations(self.tree))


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _answer_line(source: str, value: ast.expr, where: ast.stmt) -> str:
    """`ans = <value as written>` at the indentation of `where`."""
    segment = ast.get_source_segment(source, value) or ast.unparse(value)
    indent = " " * where.col_offset
    return f"{indent}ans = ({segment})" if "\n" in segment else f"{indent}ans = {segment}"


def _assign_ans(value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name("ans", ast.Store())], value)
