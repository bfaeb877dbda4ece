"""The student service's settings (env prefix ``FDD_STUDENT_``): broker, database, artifacts, job limits.

The API process and the worker processes read the same settings, so both agree on where checkpoints
live, which database holds the job rows and how long a job may run or stay silent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fdd_web.settings import ServiceSettings


class StudentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_STUDENT_", extra="ignore")

    port: int = Field(8002, ge=1, le=65535, description="Port to listen on.")
    redis_url: str | None = Field(
        None,
        description="Celery broker and result backend; default: a filesystem transport in FDD_STATE_DIR.",
    )
    artifacts_dir: Path | None = Field(None, description="Checkpoints root; default FDD_STATE_DIR/artifacts.")
    task_time_limit_s: int = Field(6 * 3600, ge=10, description="Hard time limit of one job.")
    task_soft_time_limit_s: int | None = Field(
        None,
        ge=1,
        description="Soft limit: the job fails with 'time limit'; default: the hard limit less 30 s.",
    )
    visibility_timeout_s: int | None = Field(
        None,
        ge=1,
        description=(
            "Redis only: an unacknowledged message is redelivered after this long. Default: the hard time "
            "limit plus 10 minutes, so a job still running is never delivered twice; a dead worker's job "
            "is recovered sooner by the heartbeat reaper."
        ),
    )
    worker_threads: int | None = Field(
        None, ge=1, description="torch threads per worker; default: all cores."
    )
    heartbeat_interval_s: float = Field(
        1.0, gt=0, description="How often a running job writes its progress and heartbeat, and checks cancel."
    )
    stale_after_s: float = Field(
        60.0, gt=0, description="A running job whose heartbeat is older than this has lost its worker."
    )
    reap_interval_s: float = Field(
        10.0,
        gt=0,
        description="How often the API looks for lost jobs: dead workers, unsent or lost messages.",
    )
    max_attempts: int = Field(3, ge=1, description="Attempts of a job before a lost worker fails it.")
    resend_queued_after_s: float = Field(
        600.0,
        gt=0,
        description=(
            "A job still queued this long after its message was sent is sent again (a broker restart "
            "without persistence loses messages); a duplicate is harmless, a job is claimed once."
        ),
    )
    queues: list[str] = Field(
        ["cpu", "gpu"],
        min_length=1,
        description="Queues a job may name (JSON list; the first is the default); workers take them with -Q.",
    )
    preload_library: bool = Field(
        False,
        description=(
            "Import torch and the student library in the worker's parent before it forks (children share "
            "it and start jobs warm); off by default so that a worker is ready in a second, on in the "
            "local stack (`fdd up`, `fdd demo`) and docker-compose, where it saves the first job ~5 s."
        ),
    )
    max_body_bytes: int = Field(
        256 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted (a train job carries up to 500,000 examples inline).",
    )
    predictor_cache_size: int = Field(
        2, ge=1, description="Checkpoints kept loaded in the API process for /v1/generate."
    )

    def artifacts_root(self) -> Path:
        path = self.artifacts_dir or (self.state_dir() / "artifacts")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def checkpoints_root(self) -> Path:
        """Where train jobs write their checkpoints (one directory per job id)."""
        path = self.artifacts_root() / "checkpoints"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def soft_time_limit_s(self) -> int:
        return self.task_soft_time_limit_s or max(self.task_time_limit_s - 30, 5)

    def visibility_timeout(self) -> int:
        return self.visibility_timeout_s or self.task_time_limit_s + 600


@lru_cache
def get_settings() -> StudentSettings:
    return StudentSettings()
