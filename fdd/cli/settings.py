"""The CLI's settings (env prefix ``FDD_CLI_``): where the orchestrator and the student are, how to
authenticate, and whether errors show their traceback."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_TOKEN = "dev-token"  # the local stack's admin token (`fdd up` prints it)


class CliSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_CLI_", extra="ignore")

    url: str = Field("http://127.0.0.1:8000", description="Base URL of the orchestrator.")
    token: SecretStr = Field(
        SecretStr(DEV_TOKEN),
        description="Admin bearer token of the orchestrator (its FDD_ORCHESTRATOR_ADMIN_TOKEN; "
        "`fdd up` uses and prints `dev-token`).",
    )
    student_url: str | None = Field(
        None,
        description="Base URL of the student API (fdd eval, fdd checkpoints); "
        "default: FDD_CLI_URL with the port plus 2.",
    )
    debug: bool = Field(False, description="Show the traceback of an error (same as `fdd --debug`).")

    def student_base_url(self) -> str:
        """The student API's URL: set explicitly, or next to the orchestrator as in `fdd up` and compose."""
        if self.student_url:
            return self.student_url
        parts = urlsplit(self.url)
        port = (parts.port or (443 if parts.scheme == "https" else 80)) + 2
        return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))
