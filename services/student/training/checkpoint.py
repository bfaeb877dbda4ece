"""Checkpoints of the student: weights (safetensors), tokenizer and the fdd meta JSON, written atomically.

A checkpoint directory holds what ``transformers`` needs to reload the model (``config.json``,
``model.safetensors``, tokenizer files) plus ``fdd_meta.json``: base model, data hash, the
``TrainConfig`` as a dict, metrics, the number-masking scheme, the prompt format and ``created_at``.
It is built in a hidden sibling directory and renamed into place, so a crash never leaves half a
checkpoint under the artifacts root.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tokenizers
import torch
import transformers

from student.modeling import META_FILE


def check_target(out_dir: Path) -> None:
    """Refuse, before any training, a target directory that already holds something."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(f"checkpoint directory {out_dir} already exists and is not empty")


def save_checkpoint(out_dir: Path, model: Any, tokenizer: Any, meta: dict[str, Any]) -> Path:
    """Write model, tokenizer and meta into ``out_dir`` (which must not hold anything yet)."""
    out_dir = Path(out_dir)
    check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        full = {
            **meta,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": {
                "torch": torch.__version__,
                "transformers": transformers.__version__,
                "tokenizers": tokenizers.__version__,
            },
        }
        (tmp / META_FILE).write_text(json.dumps(full, indent=2, sort_keys=True))
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked above)
        os.replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir
