"""The teacher's backends, one file each, and ``build_backend`` that makes the configured one.

``openai`` talks to any OpenAI-compatible chat-completions server; ``synthetic`` is the offline
curriculum teacher, the default when no LLM is configured; ``oracle`` answers GSM8K questions with their
gold solutions as programs (from the data directory) and declines the rest.
"""

from __future__ import annotations

from pathlib import Path

from fdd.config import core_settings
from teacher.backends.base import BackendError, Completion, TeacherBackend
from teacher.backends.openai import OpenAIBackend
from teacher.backends.oracle import OracleBackend
from teacher.backends.synthetic import SyntheticBackend
from teacher.settings import TeacherSettings

__all__ = [
    "BackendError",
    "Completion",
    "OpenAIBackend",
    "OracleBackend",
    "SyntheticBackend",
    "TeacherBackend",
    "build_backend",
]


def build_backend(settings: TeacherSettings) -> TeacherBackend:
    """The backend ``settings.backend`` names, configured from ``settings``."""
    if settings.backend == "openai":
        return OpenAIBackend(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key,
            timeout_s=settings.openai_timeout_s,
            max_concurrency=settings.openai_max_concurrency,
            max_attempts=settings.openai_max_attempts,
            backoff_max_s=settings.openai_backoff_max_s,
            send_n=settings.openai_send_n,
        )
    if settings.backend == "oracle":
        return OracleBackend(Path(core_settings().data_dir))
    return SyntheticBackend(
        error_rate=settings.synthetic_error_rate,
        seed=settings.synthetic_seed,
        processes=settings.synthetic_processes,
    )
