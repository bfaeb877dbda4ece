"""The CLI's settings (env prefix ``FDD_CLI_``): where the orchestrator is and how to authenticate."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CliSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_CLI_", extra="ignore")

    url: str = Field("http://127.0.0.1:8000", description="Base URL of the orchestrator.")
    token: SecretStr = Field(SecretStr("dev-token"), description="Admin bearer token of the orchestrator.")
    student_url: str = Field("http://127.0.0.1:8002", description="Base URL of the student API (fdd eval).")
