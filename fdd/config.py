"""Settings of the shared core: where benchmark data and run-time state live.

Every service reads these (env prefix ``FDD_``) next to its own settings; nothing else in the core
reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SHARED_DATA = Path("../shared/data")


def default_data_dir() -> Path:
    """``../shared/data`` (absolute) when that directory exists, else ``./data`` — for every entry point,
    not only under make."""
    return SHARED_DATA.resolve() if SHARED_DATA.is_dir() else Path("data")


class CoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory holding the benchmark files (gsm8k/, svamp/, asdiv/, multiarith/).",
        json_schema_extra={"doc_default": "`../shared/data` if present, else `data`"},
    )
    state_dir: Path = Field(
        default=Path("var"),
        description="Directory for local state: SQLite files, artifacts, reports (embedded defaults).",
    )


@lru_cache
def core_settings() -> CoreSettings:
    return CoreSettings()
