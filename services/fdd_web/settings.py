"""Settings every service shares: where it listens, how it logs, and which environment it runs in.

Each service subclasses ``ServiceSettings`` with its own env prefix. ``database_url_or_default`` gives the
embedded default (a SQLite file in the state directory) when no database server is configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings

from fdd.config import core_settings

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev-token"}


class ServiceSettings(BaseSettings):
    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    log_level: str = Field("INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    environment: Literal["development", "production"] = Field(
        "development", description="In production, placeholder secrets are refused at start-up."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL (postgresql+psycopg://…); default: a SQLite file in FDD_STATE_DIR."
    )

    def state_dir(self) -> Path:
        path = core_settings().state_dir
        path.mkdir(parents=True, exist_ok=True)
        return path

    def database_url_or_default(self, filename: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.state_dir() / filename).resolve()}"

    def _refuse_placeholder(self, name: str, value: SecretStr | None) -> None:
        if self.environment == "production" and (
            value is None or value.get_secret_value() in PLACEHOLDER_SECRETS
        ):
            raise ValueError(f"{name} must be set to a real secret when environment=production")

    @model_validator(mode="after")
    def _check_secrets(self) -> ServiceSettings:
        for name, field in type(self).model_fields.items():
            if field.annotation in (SecretStr, SecretStr | None) and (field.json_schema_extra or {}).get(
                "required_in_production"
            ):
                self._refuse_placeholder(name, getattr(self, name))
        return self
