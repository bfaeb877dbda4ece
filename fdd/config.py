"""Settings of the shared core: where benchmark data and run-time state live.

Every service reads these (env prefix ``FDD_``) next to its own settings; nothing else in the core
reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory holding the benchmark files (gsm8k/, svamp/, asdiv/, multiarith/).",
    )
    state_dir: Path = Field(
        default=Path("var"),
        description="Directory for local state: SQLite files, artifacts, reports (embedded defaults).",
    )


@lru_cache
def core_settings() -> CoreSettings:
    return CoreSettings()
