"""Settings every service shares: where it listens, how it logs, which environment it runs in, and the
service token.

Each service subclasses ``ServiceSettings`` with its own env prefix. ``database_url_or_default`` gives the
embedded default (a SQLite file in the state directory) when no database server is configured.

The service token is one variable for all services, ``FDD_SERVICE_TOKEN`` (no service prefix): the
teacher and the student require it, the orchestrator sends it. One token rather than one per service
because the callers that exist need all of it: the orchestrator calls both services, and the CLI's user
holds the admin token, with which runs already spend the teacher's budget. It is apart from the admin
token, which is handed to people; this one lives only in the services' environments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fdd.clients.base import DEV_SERVICE_TOKEN
from fdd.config import core_settings

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev-token", DEV_SERVICE_TOKEN}


class ServiceSettings(BaseSettings):
    # populate_by_name: ``service_token=…`` works in code as well as FDD_SERVICE_TOKEN in the environment.
    model_config = SettingsConfigDict(populate_by_name=True)

    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    log_level: str = Field("INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    environment: Literal["development", "production"] = Field(
        "development", description="In production, placeholder secrets are refused at start-up."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL (postgresql+psycopg://…); default: a SQLite file in FDD_STATE_DIR."
    )
    service_token: SecretStr = Field(
        SecretStr(DEV_SERVICE_TOKEN),
        validation_alias="FDD_SERVICE_TOKEN",
        description="Bearer token between services, one for all (the teacher and student require it, the "
        "orchestrator and the CLI send it; `fdd up` generates one). A placeholder is refused in production.",
        json_schema_extra={"required_in_production": True},
    )

    def state_dir(self) -> Path:
        path = core_settings().state_dir
        path.mkdir(parents=True, exist_ok=True)
        return path

    def database_url_or_default(self, filename: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.state_dir() / filename).resolve()}"

    @model_validator(mode="after")
    def _check_secrets(self) -> ServiceSettings:
        """In production, refuse every secret left at a placeholder, naming them all at once."""
        if self.environment != "production":
            return self
        refused = []
        for name, field in type(self).model_fields.items():
            if field.annotation in (SecretStr, SecretStr | None) and (field.json_schema_extra or {}).get(
                "required_in_production"
            ):
                value = getattr(self, name)
                if value is None or value.get_secret_value() in PLACEHOLDER_SECRETS:
                    alias = field.validation_alias
                    refused.append(f"{name} ({alias})" if isinstance(alias, str) else name)
        if refused:
            names = " and ".join(refused)
            raise ValueError(f"{names} must be set to a real secret when environment=production")
        return self
