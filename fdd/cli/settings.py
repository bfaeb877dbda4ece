"""The CLI's settings (env prefix ``FDD_CLI_``): where the orchestrator and the student are, how to
authenticate, and whether errors show their traceback.

Two tokens: the orchestrator's admin token (``FDD_CLI_TOKEN``) and, for the student API (``fdd eval``,
``fdd checkpoints``), the services' shared token ``FDD_SERVICE_TOKEN`` — taken from the environment, else
from the file where `fdd up` writes the token it generated, else the services' development default.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from fdd.clients.base import DEV_SERVICE_TOKEN

DEV_TOKEN = "dev-token"  # the local stack's admin token (`fdd up` prints it)


class CliSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_CLI_", extra="ignore", populate_by_name=True)

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
    service_token: SecretStr | None = Field(
        None,
        validation_alias="FDD_SERVICE_TOKEN",
        description="The services' token, sent to the student API; default: FDD_CLI_SERVICE_TOKEN_FILE's "
        "content, else the services' development default.",
    )
    service_token_file: Path = Field(
        Path("var/stack/service-token"),
        description="Where `fdd up` (default --state-dir) writes the service token it generated.",
    )
    debug: bool = Field(False, description="Show the traceback of an error (same as `fdd --debug`).")

    def service_token_value(self) -> str:
        """The service token to send: FDD_SERVICE_TOKEN, the running `fdd up`'s, or the development one."""
        if self.service_token is not None:
            return self.service_token.get_secret_value()
        try:
            written = self.service_token_file.read_text().strip()
        except OSError:
            written = ""
        return written or DEV_SERVICE_TOKEN

    def student_base_url(self) -> str:
        """The student API's URL: set explicitly, or next to the orchestrator as in `fdd up` and compose."""
        if self.student_url:
            return self.student_url
        parts = urlsplit(self.url)
        port = (parts.port or (443 if parts.scheme == "https" else 80)) + 2
        return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))
