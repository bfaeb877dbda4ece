"""Turn GSM8K's annotated worked solutions into Program-of-Thought programs.

This module owns the conversion of a GSM8K gold solution, whose steps carry calculator
annotations such as ``<<48/2=24>>``, into a straight Python program: one assignment per
annotation (and per un-annotated ``a + b = c`` in the prose whose arithmetic checks out, since
many solutions leave their last step bare), in order, where a literal that equals an earlier step's
result is replaced by that step's variable, and a last line ``ans = <step>`` naming the step whose
value equals the gold answer after ``####`` (the last such step; later steps are dropped).
Variables are named from the words that follow the annotation (``<<16-3-4=9>>9 duck eggs`` gives
``duck_eggs``), else ``v1, v2 …``.
``convert`` checks the program with its own evaluator of the same Python int/float arithmetic the
program will run (no ``eval``; huge powers and complex results refused); ``convert_dataset``
additionally runs every program in the sandbox (``fdd.programs.execute_many``) and compares with
``fdd.answers.answers_equal``. Loading GSM8K is ``fdd.datasets``'s job.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import math
import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from fdd.datasets import Problem, gsm8k_gold

_ANNOTATION = re.compile(r"<<([^<>]*?)=([^<>=]*)>>")
_LEADING_ZEROS = re.compile(r"(?<![\d.])0+(?=\d)")
_FOLLOWING_WORDS = re.compile(r"[ \t]*\$?-?[\d,]*\.?\d*%?[ \t]*([A-Za-z][A-Za-z' \t-]*)")
# An un-annotated calculation in the prose, such as "12 + 10 = 22" or "$50 − $6 = $44".
# Possessive quantifiers: a chain that is not followed by "=" fails at once (no backtracking blow-up).
_NUM = r"\$?(?:\d[\d,]*+(?:\.\d+)?|\.\d+)%?"
_TERM = rf"\(*+{_NUM}\)*+"
_OP = r"\s*+(?:[-+*/×÷−]|(?<=\s)x(?=\s))\s*+"
_PLAIN = re.compile(rf"(?<![\w.$])({_TERM}(?:{_OP}{_TERM})++)\s*=\s*({_NUM})(?![\d\w])")
_PLAIN_SYMBOLS = str.maketrans({"×": "*", "x": "*", "÷": "/", "−": "-", "$": None, ",": None, "%": None})
_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or but so as is are was were be been it its this that "
    "these those each every per he she they we you i his her their our your them him me my than then "
    "if all total left more less which who will would can could do does did has have had not no there "
    "here what how many much after before into out up down over about just only also now".split()
)
_SKIPPABLE = frozenset({"more", "less", "fewer", "total", "left", "all", "in", "the"})
_RESERVED = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | {"ans", "math", "Fraction"}
MAX_NAME_WORDS = 2
_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
MAX_EXPONENT = 64  # GSM8K exponents are tiny; anything larger is refused, never evaluated
MAX_INT_BITS = 1_000  # ~1e301: still a float, and far beyond any GSM8K quantity
MAX_EXPRESSION_CHARS = 500  # GSM8K's longest annotation is far shorter; bounds recursion depth


class ConversionError(ValueError):
    """A solution that cannot become a program; ``reason`` is a short stable label for reports."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class _Step:
    name: str
    expr: ast.expr
    value: float | int
    claimed: float | None  # the result the solution states (may be rounded)
    literals: frozenset  # numbers written in the step's own expression


def _evaluate(node: ast.AST, env: dict[str, float | int]) -> float | int:
    """Evaluate an arithmetic expression the way the program will run (Python numbers)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left, env), _evaluate(node.right, env)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ConversionError("unsafe_expression", f"exponent {right}")
        result = _OPERATORS[type(node.op)](left, right)
        huge_int = isinstance(result, int) and result.bit_length() > MAX_INT_BITS
        if (
            isinstance(result, complex)
            or huge_int
            or (isinstance(result, float) and not math.isfinite(result))
        ):
            raise ConversionError(
                "unsafe_expression", f"{ast.unparse(node)[:60]} is complex, infinite or huge"
            )
        return result
    raise ConversionError("unsupported_expression", ast.dump(node)[:80])


def _parse_expression(text: str) -> ast.expr:
    source = _LEADING_ZEROS.sub("", text.strip()).replace("^", "**")
    if not source:
        raise ConversionError("unparseable_expression", "empty annotation")
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ConversionError("unsafe_expression", f"{len(source)} characters")
    try:
        return ast.parse(source, mode="eval").body
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ConversionError("unparseable_expression", text) from exc


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)  # the tolerance of fdd.answers.answers_equal


def _parse_number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("$", "").rstrip("%").strip())
    except ValueError:
        return None


class _Rewriter(ast.NodeTransformer):
    """Replace a literal equal to an earlier step's value (or stated result) by that step's variable.

    The latest such step wins; a step is referenced at most once per expression (``4 * 4`` after a
    step worth 4 becomes ``step * 4``), and never for a number written in its own expression
    (after ``cups = 180 * 1``, a later ``180`` stays the question's 180).
    """

    def __init__(self, steps: list[_Step]):
        self.steps, self.taken = steps, set()

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if not isinstance(node.value, int | float) or isinstance(node.value, bool):
            return node
        for step in reversed(self.steps):
            if step.name in self.taken or node.value in step.literals:
                continue
            if node.value == step.value or node.value == step.claimed:
                self.taken.add(step.name)
                return ast.Name(id=step.name, ctx=ast.Load())
        return node


def _literals(expr: ast.expr) -> frozenset:
    return frozenset(n.value for n in ast.walk(expr) if isinstance(n, ast.Constant))


def _name_from_words(following: str, used: set[str], index: int) -> str:
    """Pick a variable name from the words that follow an annotation; ``v<index>`` if none fit.

    Up to two leading quantity modifiers are skipped (``6 more jewels`` names ``jewels``), but not
    rate words (``18 a month`` is no ``month``); the name is the next run of at most two content words
    on the same line.
    """
    match = _FOLLOWING_WORDS.match(following)
    candidates = [re.sub(r"[^a-z]", "", word) for word in (match.group(1).lower().split() if match else [])]
    skip = 0
    while skip < min(2, len(candidates)) and candidates[skip] in _SKIPPABLE:
        skip += 1
    words: list[str] = []
    for word in candidates[skip:]:
        if not word or word in _STOPWORDS or len(words) == MAX_NAME_WORDS:
            break
        words.append(word)
    name = "_".join(words) or f"v{index}"
    if name in _RESERVED:
        name = f"{name}_{index}"
    candidate, suffix = name, 2
    while candidate in used:
        candidate, suffix = f"{name}_{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def _calculations(solution: str) -> list[tuple[str, str, int, bool]]:
    """Every calculation in reading order: ``(expression, stated result, end offset, annotated)``.

    Annotations come first-class; plain ``a op b = c`` text outside annotations is picked up too,
    because many solutions leave their last step un-annotated.
    """
    found = [(m.start(), m.group(1), m.group(2), m.end(), True) for m in _ANNOTATION.finditer(solution)]
    masked = _ANNOTATION.sub(lambda m: "\x00" * len(m.group(0)), solution)
    found += [
        (m.start(), m.group(1).translate(_PLAIN_SYMBOLS), m.group(2), m.end(), False)
        for m in _PLAIN.finditer(masked)
    ]
    return [(expr, result, end, annotated) for _, expr, result, end, annotated in sorted(found)]


def _steps(solution: str) -> list[_Step]:
    steps: list[_Step] = []
    used: set[str] = set()
    for index, (text, result, end, annotated) in enumerate(_calculations(solution), start=1):
        try:
            parsed = _parse_expression(text)
            literals = _literals(parsed)
            expr = _Rewriter(steps).visit(parsed)
            value = _evaluate(expr, {s.name: s.value for s in steps})
        except (ArithmeticError, OverflowError, ConversionError) as exc:
            if not annotated:
                continue  # prose that only looked like a calculation
            if isinstance(exc, ConversionError):
                raise
            raise ConversionError("evaluation_error", f"{text}: {exc}") from exc
        claimed = _parse_number(result)
        if not annotated and (claimed is None or not _close(float(value), claimed)):
            continue
        name = _name_from_words(solution[end : end + 60], used, index)
        steps.append(_Step(name, expr, value, claimed, literals))
    return steps


def convert_or_raise(solution: str) -> str:
    """Return the program for a GSM8K solution, or raise ``ConversionError`` saying why not."""
    try:
        gold = gsm8k_gold(solution)
    except ValueError as exc:
        raise ConversionError("no_gold_answer", str(exc)) from exc
    steps = _steps(solution)
    if not steps:
        raise ConversionError("no_annotations")
    answer_at = max((i for i, s in enumerate(steps) if _close(float(s.value), float(gold))), default=None)
    if answer_at is None:
        raise ConversionError("no_step_equals_gold", f"gold {gold}, last step {steps[-1].value}")
    lines = [f"{s.name} = {ast.unparse(s.expr)}" for s in steps[: answer_at + 1]]
    lines.append(f"ans = {steps[answer_at].name}")
    return "\n".join(lines) + "\n"


def convert(solution: str) -> str | None:
    """Return the Program-of-Thought program for a GSM8K worked solution, or None if it does not convert."""
    try:
        return convert_or_raise(solution)
    except ConversionError:
        return None


@dataclass
class ConversionReport:
    """Result of converting a set of GSM8K problems: programs by problem id, failures by reason.

    Reasons: ``no_solution`` (no ``meta["solution"]``), ``no_gold_answer`` (no ``####`` line),
    ``no_annotations`` (no calculation at all, e.g. algebra in words), ``no_step_equals_gold``,
    ``unparseable_expression``, ``unsupported_expression``, ``unsafe_expression``,
    ``evaluation_error``, and after sandbox verification ``execution_<error kind>`` or
    ``executed_answer_mismatch``.
    """

    total: int
    programs: dict[str, str] = field(default_factory=dict)
    failures: Counter = field(default_factory=Counter)
    failed_ids: dict[str, str] = field(default_factory=dict)

    @property
    def converted(self) -> int:
        """How many problems got a verified program."""
        return len(self.programs)

    @property
    def share(self) -> float:
        """Converted fraction of the problems (0 when there were none)."""
        return self.converted / self.total if self.total else 0.0

    def summary(self) -> str:
        """One line: converted/total (share) and the failure counts by reason."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.failures.most_common())
        return f"{self.converted}/{self.total} converted ({self.share:.2%}); failures: {reasons or 'none'}"


def convert_dataset(
    problems: Iterable[Problem], verify: bool = True, timeout: float = 2.0
) -> ConversionReport:
    """Convert every problem's ``meta["solution"]``; with ``verify`` (the default), run each program
    in the sandbox and keep it only if its executed answer equals the problem's gold answer."""
    problems = list(problems)
    report = ConversionReport(total=len(problems))
    candidates: dict[str, tuple[str, Problem]] = {}
    for problem in problems:
        try:
            solution = problem.meta.get("solution")
            if not solution:
                raise ConversionError("no_solution")
            candidates[problem.id] = (convert_or_raise(solution), problem)
        except ConversionError as exc:
            report.failures[exc.reason] += 1
            report.failed_ids[problem.id] = exc.reason
    if verify and candidates:
        _verify(candidates, report, timeout)
    else:
        report.programs.update({pid: program for pid, (program, _) in candidates.items()})
    return report


def _verify(candidates: dict[str, tuple[str, Problem]], report: ConversionReport, timeout: float) -> None:
    from fdd.answers import answers_equal  # imported late: convert() needs neither module
    from fdd.programs import execute_many

    ids = list(candidates)
    results = execute_many([candidates[pid][0] for pid in ids], timeout=timeout)
    for pid, result in zip(ids, results, strict=True):
        program, problem = candidates[pid]
        if not result.ok:
            reason = f"execution_{result.error_kind}"
        elif not answers_equal(result.value, problem.answer):
            reason = "executed_answer_mismatch"
        else:
            report.programs[pid] = program
            continue
        report.failures[reason] += 1
        report.failed_ids[pid] = reason
