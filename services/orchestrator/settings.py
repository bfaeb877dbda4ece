"""The orchestrator's settings (env prefix ``FDD_ORCHESTRATOR_``).

Besides its own admin token, the orchestrator sends the shared service token (``FDD_SERVICE_TOKEN``,
``fdd_web.settings``) to the teacher and the student.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from fdd.wire.student import MAX_JOB_WAIT_S
from fdd_web.settings import ServiceSettings


class OrchestratorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_ORCHESTRATOR_", extra="ignore")

    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    admin_token: SecretStr = Field(
        SecretStr("dev-token"),
        description="Bearer token of the admin API (a placeholder is refused in production).",
        json_schema_extra={"required_in_production": True},
    )
    teacher_url: str = Field("http://127.0.0.1:8001", description="Base URL of the teacher service.")
    student_url: str = Field("http://127.0.0.1:8002", description="Base URL of the student service.")
    student_queues: list[str] = Field(
        ["cpu", "gpu"],
        min_length=1,
        validation_alias="FDD_STUDENT_QUEUES",
        description="The student's queues, which a run's student.queue must name (the student's own setting, "
        "read under the same variable).",
    )
    driver_enabled: bool = Field(True, description="Run the background driver that advances runs.")
    driver_interval_s: float = Field(1.0, gt=0, description="Seconds between driver polls.")
    driver_lease_ttl_s: float = Field(30.0, gt=0, description="Lease on a run; renewed every third of it.")
    driver_max_runs: int = Field(4, ge=1, description="Runs one replica drives at the same time.")
    driver_teacher_chunk: int = Field(32, ge=1, le=256, description="Problems per teacher request.")
    driver_teacher_concurrency: int = Field(4, ge=1, description="Teacher requests in flight per run.")
    driver_chunks_per_step: int = Field(
        8, ge=1, description="Teacher requests per driver step, recorded a concurrency's worth at a time."
    )
    driver_poll_s: float = Field(
        0.5,
        ge=0,
        le=MAX_JOB_WAIT_S,
        description="Seconds between two looks at a running student job: each is a long poll, so the job's "
        "end is heard of at once and its progress every this many seconds.",
    )
    driver_max_attempts: int = Field(4, ge=1, description="Failed tries of a step before the run fails.")
    driver_backoff_s: float = Field(2.0, ge=0, description="First wait after a failed step (doubles).")
    max_body_bytes: int = Field(
        16 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted (an uploaded GSM8K train set is about 4 MB).",
    )
    data_dir: Path | None = Field(
        None, description="Benchmark files for dataset imports (gsm8k/, svamp/, …); default: FDD_DATA_DIR."
    )

    def sqlalchemy_url(self) -> str:
        return self.database_url_or_default("orchestrator.db")


@lru_cache
def get_settings() -> OrchestratorSettings:
    return OrchestratorSettings()
