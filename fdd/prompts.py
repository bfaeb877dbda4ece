"""The teacher's prompts: rationale, harder variant, similar problem — versioned, with their parsers.

A prompt is a list of chat messages. Its version is part of every cache key and is returned with every
item the teacher produces, so a change of wording never mixes with cached answers of the old one.
A variant completion is either ``<problem>…</problem>`` or ``<declined>reason</declined>``.
Each builder places the problem between ``<problem>`` tags on purpose: the outputs are machine-parseable
and the offline synthetic teacher reads the task and the problem back from the messages, as an LLM would.
"""

from __future__ import annotations

import re
from enum import StrEnum

PROMPT_VERSION = "pot-v2"


class Task(StrEnum):
    RATIONALE = "rationale"
    COMPLEX = "complex"
    SIMILAR = "similar"


_SYSTEM = (
    "You are an expert math teacher who solves grade-school word problems by writing short, correct "
    "Python programs (Program-of-Thought)."
)

_RATIONALE_RULES = """Solve the problem below by writing a Python program.
Rules:
- Write one program in a single ```python fenced block.
- Use only plain arithmetic, variables, and the `math` and `fractions` modules; no input, no printing.
- Give each quantity from the problem a meaningful variable name, one step per line.
- The program must end by assigning the final numeric answer to the variable `ans`."""

_FEW_SHOT = [
    (
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
        "How many clips did Natalia sell altogether in April and May?",
        "clips_april = 48\nclips_may = clips_april / 2\nans = clips_april + clips_may",
    ),
    (
        "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. "
        "How much did she earn?",
        "hourly_rate = 12\nminutes = 50\nrate_per_minute = hourly_rate / 60\nans = rate_per_minute * minutes",
    ),
]

_VARIANT_RULES = {
    Task.COMPLEX: (
        "Write ONE new math word problem that extends the problem below so that solving it needs more "
        "reasoning steps (for example one or two additional operations on the same situation). "
        "Its answer must be a single number."
    ),
    Task.SIMILAR: (
        "Write ONE new math word problem that is similar to the problem below: the same kind of reasoning "
        "and the same number of steps, but with different people, objects and numbers. "
        "Its answer must be a single number."
    ),
}

_VARIANT_FORMAT = (
    "Reply with the new problem only, between <problem> and </problem> tags. Do not solve it. "
    "If the problem cannot be extended this way, reply with the reason between <declined> and "
    "</declined> tags."
)

_PROBLEM_RE = re.compile(r"<problem>\s*(.*?)\s*</problem>", re.DOTALL)
_DECLINED_RE = re.compile(r"<declined>\s*(.*?)\s*</declined>", re.DOTALL)
_TASK_RE = re.compile(r"^Task: (\w+)$", re.MULTILINE)


def _problem_block(text: str) -> str:
    return f"<problem>\n{text.strip()}\n</problem>"


def rationale_messages(problem_text: str) -> list[dict[str, str]]:
    """Messages asking for a PoT program that solves ``problem_text`` (few-shot, canonical form)."""
    messages = [{"role": "system", "content": _SYSTEM}]
    for question, program in _FEW_SHOT:
        messages.append(
            {
                "role": "user",
                "content": f"Task: {Task.RATIONALE}\n{_RATIONALE_RULES}\n\n{_problem_block(question)}",
            }
        )
        messages.append({"role": "assistant", "content": f"```python\n{program}\n```"})
    messages.append(
        {
            "role": "user",
            "content": f"Task: {Task.RATIONALE}\n{_RATIONALE_RULES}\n\n{_problem_block(problem_text)}",
        }
    )
    return messages


def variant_messages(task: Task, problem_text: str) -> list[dict[str, str]]:
    """Messages asking for a harder (``COMPLEX``) or ``SIMILAR`` new problem derived from ``problem_text``."""
    if task not in _VARIANT_RULES:
        raise ValueError(f"not a variant task: {task!r}")
    content = f"Task: {task}\n{_VARIANT_RULES[task]}\n{_VARIANT_FORMAT}\n\n{_problem_block(problem_text)}"
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": content}]


def parse_request(messages: list[dict[str, str]]) -> tuple[Task, str]:
    """Recover (task, problem text) from messages built here; ``ValueError`` if they are not ours."""
    if not messages or messages[-1].get("role") != "user":
        raise ValueError("the last message must be the user's request")
    content = messages[-1].get("content", "")
    task_match = _TASK_RE.search(content)
    blocks = _PROBLEM_RE.findall(content)  # the rules mention the tags too: the problem is the last block
    if task_match is None or not blocks:
        raise ValueError("the request names no task or no <problem> block")
    try:
        task = Task(task_match.group(1))
    except ValueError as exc:
        raise ValueError(f"unknown task {task_match.group(1)!r}") from exc
    return task, blocks[-1].strip()


def parse_problem(completion: str) -> str | None:
    """The new problem text in a variant completion (the last ``<problem>`` block), or ``None``."""
    found = _PROBLEM_RE.findall(completion)
    if not found:
        return None
    text = found[-1].strip()
    return text or None


def parse_decline(completion: str) -> str | None:
    """The reason in a ``<declined>`` block of a variant completion (``"declined"`` if empty), or ``None``."""
    found = _DECLINED_RE.findall(completion)
    if not found:
        return None
    return found[-1].strip() or "declined"


def decline(reason: str) -> str:
    """The completion that declines a variant task for ``reason`` (what backends that refuse reply)."""
    return f"<declined>{reason.strip()}</declined>"
