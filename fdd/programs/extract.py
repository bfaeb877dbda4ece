"""Getting a Program-of-Thought program out of a model's text, and measuring programs.

`extract` finds the program in whatever a teacher LLM or the student wrote — fenced blocks (with or
without a language tag, the last complete one wins), indented blocks, bare code amid prose — and
rewrites it into the canonical shape of a rationale: a straight program that ends by assigning `ans`.
A `def solution(): … return x` program is inlined when it is simple, else called (`ans = solution()`);
`print` calls are dropped (a final `print(x)` becomes `ans = x`); a program with no `ans` takes its
last bare expression or last assigned name. Comments and layout are kept where nothing is rewritten.
`canonicalize` gives the normal form used to de-duplicate programs, `count_steps` the number of
arithmetic operations. Running programs is `fdd.programs.pool`'s job.
"""

from __future__ import annotations

import ast
import re
import textwrap

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*$", re.MULTILINE)
_CODE_TAGS = {"", "python", "py", "python3", "py3", "pot", "code", "python-repl", "ipython"}
_SOLVER_NAMES = ("solution", "solve", "main", "compute", "calculate", "answer", "get_answer", "solver")
_CODE_LINE = re.compile(
    r"^\s*(?:[A-Za-z_]\w*(?:\[[^\]]*\])?\s*(?:[-+*/%]|//|\*\*)?=(?!=)|def |return\b|for |while |if |elif |"
    r"else\s*:|import |from \w+ import |print\s*\(|ans\b|#)"
)


def extract(text: str | None) -> str | None:
    """The program in a model's output, rewritten to end by assigning `ans`; None when there is none."""
    if not text or not text.strip():
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    for candidate in _candidates(text):
        program = _normalise(candidate)
        if program is not None:
            return program
    return None


def _candidates(text: str) -> list[str]:
    """Code regions, best first: fenced blocks (last first), else the text, indented and code-like runs."""
    fenced_complete, fenced_open = _fenced_blocks(text)
    found = list(reversed(fenced_complete))
    if not fenced_complete:
        found += fenced_open
        found.append(text)
        found += list(reversed(_line_runs(text, _indented)))
        found += list(reversed(_line_runs(text, lambda line: bool(_CODE_LINE.match(line)))))
    return found


def _fenced_blocks(text: str) -> tuple[list[str], list[str]]:
    """Contents of ``` / ~~~ blocks tagged Python or untagged: (complete ones, an unclosed last one)."""
    complete: list[str] = []
    opened: tuple[str, str, int] | None = None
    for match in _FENCE.finditer(text):
        fence, tag = match.group(1), match.group(2).lower()
        if opened is None:
            opened = (fence, tag, match.end())
        elif fence[0] == opened[0][0] and len(fence) >= len(opened[0]) and not tag:
            if opened[1] in _CODE_TAGS:
                complete.append(text[opened[2] : match.start()])
            opened = None
    unclosed = [text[opened[2] :]] if opened is not None and opened[1] in _CODE_TAGS else []
    return complete, unclosed


def _indented(line: str) -> bool:
    return line.startswith("    ") or line.startswith("\t")


def _line_runs(text: str, is_code) -> list[str]:
    """Maximal runs of lines for which is_code holds (blank lines and deeper indentation continue a run)."""
    runs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        continues = current and (
            not line.strip() or line.startswith((" ", "\t")) or line.lstrip().startswith(")")
        )
        if is_code(line) or continues:
            current.append(line)
        elif current:
            runs.append("\n".join(current))
            current = []
    if current:
        runs.append("\n".join(current))
    return runs


def _parse(block: str) -> tuple[str, ast.Module] | None:
    source = textwrap.dedent(block).strip("\n")
    source = "\n".join(
        line[4:] if line.startswith(">>> ") or line.startswith("... ") else line
        for line in source.split("\n")
    )
    if not source.strip():
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return source, tree if tree.body else None  # type: ignore[return-value]


def _normalise(block: str) -> str | None:
    parsed = _parse(block)
    if parsed is None or parsed[1] is None:
        return None
    source, tree = parsed
    if not any(
        isinstance(node, ast.Assign | ast.AugAssign | ast.FunctionDef | ast.Expr) for node in tree.body
    ):
        return None
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
            if called or function.name in _SOLVER_NAMES:
                return function
        return None

    def _plan_prints(self, solver: ast.FunctionDef | None) -> None:
        """Drop every print statement; a final top-level print(x) of a program without ans becomes ans = x."""
        last = self.tree.body[-1]
        for node in ast.walk(self.tree):
            if isinstance(node, ast.stmt) and _is_print(node):
                call = node.value  # type: ignore[attr-defined]
                if node is last and solver is None and not _assigns_ans(self.tree) and len(call.args) == 1:
                    self.to_ans[id(node)] = call.args[0]
                else:
                    self.delete.append(node)

    def _plan_solver(self, solver: ast.FunctionDef) -> None:
        calls = [
            s
            for s in self.tree.body
            if isinstance(s, ast.Expr)
            and (
                _calls(s.value, solver.name)
                or (_is_print(s) and any(_calls(a, solver.name) for a in s.value.args))
            )
        ]  # type: ignore[attr-defined]
        self.delete += [s for s in calls if s not in self.delete]
        others = [
            n
            for s in self.tree.body
            if s is not solver and s not in calls
            for n in ast.walk(s)
            if isinstance(n, ast.Name) and n.id == solver.name
        ]
        returns = [n for n in ast.walk(solver) if isinstance(n, ast.Return)]
        simple = (
            not others
            and len(returns) == 1
            and solver.body[-1] is returns[0]
            and returns[0].value is not None
            and not any(
                isinstance(n, ast.Global | ast.Nonlocal | ast.FunctionDef | ast.Lambda)
                for s in solver.body
                for n in ast.walk(s)
            )
        )
        stored = [
            s.targets[0].id
            for s in self.tree.body
            if isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and _calls(s.value, solver.name)
        ]
        if simple:
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
        if self.inline is not None:
            return None
        edits: dict[int, tuple[int, list[str]]] = {}  # first line index -> (end index, replacement)
        dropped = {id(s) for s in self.delete}
        for block in self._blocks():
            for stmt in block:
                if id(stmt) not in dropped and id(stmt) not in self.to_ans:
                    continue
                if not self._owns_lines(stmt):
                    return None
                indent = " " * stmt.col_offset
                if id(stmt) in self.to_ans:
                    segment = ast.get_source_segment(self.source, self.to_ans[id(stmt)]) or ""
                    new = [f"{indent}ans = ({segment})" if "\n" in segment else f"{indent}ans = {segment}"]
                else:
                    new = (
                        [f"{indent}pass"] if all(id(s) in dropped for s in block) and stmt is block[0] else []
                    )
                edits[stmt.lineno - 1] = (stmt.end_lineno, new)  # type: ignore[assignment]
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
            inner = [
                s
                for s in self.inline.body
                if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            ]
            returned = inner.pop()
            position = body.index(self.inline)
            body[position : position + 1] = [*inner, _assign_ans(returned.value)]  # type: ignore[attr-defined]
        if self.append is not None:
            body.append(_assign_ans(self.append))
        return ast.unparse(ast.fix_missing_locations(self.tree))


def _assign_ans(value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name("ans", ast.Store())], value)


def canonicalize(program: str) -> str:
    """Normal form for de-duplication: docstrings and comments dropped, layout and quotes normalised
    (ast.unparse). Text that does not parse is returned with its whitespace collapsed."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return " ".join(program.split())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            body[:] = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


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
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
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
