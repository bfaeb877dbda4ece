"""Checkpoints as the API sees them: names under ``artifacts_root()/checkpoints``, listed and described.

A checkpoint's name is the id of the train job that wrote it. A name is only ever resolved inside the
checkpoints root (no separators, no leading dot), and a directory counts as a checkpoint once its fdd
meta file is there: ``training`` writes checkpoints atomically, so a half-written one is never listed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fdd.wire.student import CheckpointRead
from fdd_web.errors import NotFound
from student.settings import StudentSettings

# The same name as student.modeling.META_FILE, kept here so that the API never imports transformers
# just to list a directory (a test checks that the two agree).
META_FILE = "fdd_meta.json"
_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$")


def checkpoint_path(settings: StudentSettings, name: str) -> Path:
    """Where the checkpoint ``name`` lives (whether or not it exists); ``NotFound`` for a bad name."""
    if not _NAME.match(name):
        raise NotFound(f"no checkpoint named {name!r}", code="checkpoint_not_found")
    return settings.checkpoints_root() / name


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((path / META_FILE).read_text())
    except (OSError, ValueError):
        return None


def _describe(path: Path, meta: dict[str, Any]) -> CheckpointRead:
    created = meta.get("created_at")
    try:
        created_at = datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        created_at = None
    return CheckpointRead(name=path.name, created_at=created_at, meta=meta)


def existing_checkpoint(settings: StudentSettings, name: str) -> Path:
    """The directory of an existing checkpoint; ``NotFound`` (404) when there is none by that name."""
    path = checkpoint_path(settings, name)
    if not path.is_dir() or not (path / META_FILE).is_file():
        raise NotFound(f"no checkpoint named {name!r}", code="checkpoint_not_found")
    return path


def get_checkpoint(settings: StudentSettings, name: str) -> CheckpointRead:
    path = existing_checkpoint(settings, name)
    meta = _read_meta(path)
    if meta is None:
        raise NotFound(f"checkpoint {name!r} has an unreadable meta file", code="checkpoint_not_found")
    return _describe(path, meta)


def list_checkpoints(settings: StudentSettings) -> list[CheckpointRead]:
    """Every complete checkpoint, newest first."""
    found = []
    for path in settings.checkpoints_root().iterdir():
        meta = _read_meta(path) if path.is_dir() and _NAME.match(path.name) else None
        if meta is not None:
            found.append(_describe(path, meta))
    return sorted(found, key=lambda c: (str(c.meta.get("created_at") or ""), c.name), reverse=True)
