"""The teacher service's settings (env prefix ``FDD_TEACHER_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from fdd_web.settings import ServiceSettings


class TeacherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_TEACHER_", extra="ignore")

    port: int = Field(8001, ge=1, le=65535, description="Port to listen on.")
    backend: Literal["synthetic", "openai"] = Field(
        "synthetic",
        description="Default backend: 'openai' (any OpenAI-compatible server) or offline 'synthetic'.",
    )
    openai_base_url: str = Field(
        "https://api.openai.com/v1", description="Base URL of the chat-completions API."
    )
    openai_model: str = Field("gpt-4o-mini", description="Model name sent upstream.")
    openai_api_key: SecretStr | None = Field(None, description="API key (never logged or returned).")
    synthetic_error_rate: float = Field(
        0.1, ge=0.0, le=1.0, description="Share of wrong synthetic rationales."
    )
    synthetic_seed: int = Field(0, description="Seed of the synthetic teacher.")


@lru_cache
def get_settings() -> TeacherSettings:
    return TeacherSettings()
