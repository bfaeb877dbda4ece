"""Getting a Program-of-Thought program out of a model's text, and measuring programs.

`extract` finds the program in whatever a teacher LLM or the student wrote — fenced blocks (with or
without a language tag, the last complete one wins), indented blocks, bare code amid prose — and
rewrites it into the canonical shape of a rationale: a straight program that ends by assigning `ans`.
A `def solution(): … return x` program is inlined when it is simple, else called (`ans = solution()`);
`print` calls are dropped (a final `print(x)` becomes `ans = x`); a program with no `ans` takes its
last bare expression or last assigned name. Comments and layout are kept where nothing is rewritten.
The rewrite itself is `fdd.programs.rewrite`; measuring programs is `fdd.programs.measure`'s job and
running them `fdd.programs.pool`'s.
"""

from __future__ import annotations

import ast
import re
import textwrap

from fdd.programs.rewrite import rewrite

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*$", re.MULTILINE)
_CODE_TAGS = {"", "python", "py", "python3", "py3", "pot", "code", "python-repl", "ipython"}
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
    try:
        return rewrite(source, tree)
    except (RecursionError, MemoryError):  # ast.unparse of a pathologically deep expression
        return None
