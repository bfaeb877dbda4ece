"""The student service's settings (env prefix ``FDD_STUDENT_``)."""

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
    worker_threads: int | None = Field(
        None, ge=1, description="torch threads per worker; default: all cores."
    )

    def artifacts_root(self) -> Path:
        path = self.artifacts_dir or (self.state_dir() / "artifacts")
        path.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache
def get_settings() -> StudentSettings:
    return StudentSettings()
