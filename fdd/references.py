"""Where a data or model reference taken from a request may point, and the one refusal for the rest.

A reference in a request (a dataset import's ``benchmark``, a run's ``evaluation.benchmarks`` or
``student.base_model``, a student job's ``benchmark`` or ``base_model``) names a file or directory on the
host that serves it. ``jsonl:<path>`` is accepted only inside the data directory (a relative path is read
from there); a model path only inside the allowed model roots (the data directory, ``FDD_STATE_DIR/models``
and the student's artifacts); a model may also be ``tiny`` or a hub id (``org/name``). Paths are resolved
with symlinks followed before the check, and a refused reference gets the same message whether or not the
path exists or what it holds, so a refusal tells a caller nothing about the host's files. What happens
inside the roots (a missing file, a bad line) is reported as usual: those files are the operator's data.
Loading is left to ``fdd.datasets`` and the student's model loader.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from fdd.config import core_settings

JSONL_PREFIX = "jsonl:"
JSONL_REFUSED = "refused: jsonl:<path> must name a file inside the data directory (FDD_DATA_DIR)"
MODEL_REFUSED = (
    "refused: base_model must be 'tiny', a hub id (org/name), or a path inside the data directory, "
    "FDD_STATE_DIR/models or the student's artifacts directory"
)
# A Hugging Face repository id: one or two names of letters, digits, '_', '.', '-' ('..' is never one).
_HUB_PART = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_-])?"
HUB_ID = re.compile(rf"{_HUB_PART}(?:/{_HUB_PART})?")


class RefusedReference(ValueError):
    """A reference outside the allowed roots; its message is the same for every refused value."""


def within(path: str | Path, roots: Iterable[str | Path], base: str | Path | None = None) -> Path | None:
    """The real path of ``path`` (relative ones taken from ``base``, else the working directory) when it
    lies inside one of ``roots`` (symlinks followed on both sides), else None."""
    try:
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = Path(base if base is not None else Path.cwd()) / candidate
        real = Path(os.path.realpath(candidate))
        for root in roots:
            top = Path(os.path.realpath(root))
            if real == top or real.is_relative_to(top):
                return real
    except (OSError, ValueError):  # a NUL byte, a path too long: refused like any other outside path
        return None
    return None


def resolve_jsonl(path: str | Path, data_dir: str | Path | None = None) -> Path:
    """The file a ``jsonl:<path>`` reference names, inside ``data_dir`` (default ``FDD_DATA_DIR``);
    ``RefusedReference`` for anything outside it."""
    root = Path(data_dir) if data_dir is not None else core_settings().data_dir
    if str(path) == "":
        raise RefusedReference(JSONL_REFUSED)
    real = within(path, [root], base=root)
    if real is None:
        raise RefusedReference(JSONL_REFUSED)
    return real


def check_benchmark_reference(name: str, data_dir: str | Path | None = None) -> None:
    """Refuse a ``jsonl:<path>`` benchmark name outside the data directory (other names pass)."""
    if name.startswith(JSONL_PREFIX):
        resolve_jsonl(name.removeprefix(JSONL_PREFIX), data_dir)


def model_roots(*extra: str | Path) -> tuple[Path, ...]:
    """The directories a model path may lie in: the data directory, ``FDD_STATE_DIR/models``, ``extra``."""
    core = core_settings()
    return (Path(core.data_dir), Path(core.state_dir) / "models", *(Path(p) for p in extra))


def check_model_reference(name: str, roots: Iterable[str | Path]) -> None:
    """Accept ``tiny``, a hub id, or a path inside ``roots``; ``RefusedReference`` for anything else.

    A name shaped like a hub id that is also a directory relative to the working directory is checked as
    a path: the model loader would read that directory instead of the hub.
    """
    if name == "tiny":
        return
    if HUB_ID.fullmatch(name) and ".." not in name and not os.path.lexists(name):
        return
    if within(name, roots) is None:
        raise RefusedReference(MODEL_REFUSED)
