"""The teacher service's settings (env prefix ``FDD_TEACHER_``).

Everything the teacher can be told from the environment lives here: which backend answers, how the
OpenAI-compatible upstream is reached (URL, model, key as a ``SecretStr``, timeouts, retries, concurrency),
what each model costs, the cache, the sandbox's time limit and the request size limit. The service
token it requires is the shared ``FDD_SERVICE_TOKEN`` (``fdd_web.settings``); the oracle backend reads
GSM8K from the shared ``FDD_DATA_DIR`` (``fdd.config``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from fdd_web.settings import ServiceSettings


class Price(BaseModel):
    """USD per one million tokens."""

    prompt: float = Field(0.0, ge=0.0)
    completion: float = Field(0.0, ge=0.0)


class TeacherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FDD_TEACHER_", extra="ignore")

    port: int = Field(8001, ge=1, le=65535, description="Port to listen on.")
    backend: Literal["synthetic", "openai", "oracle"] = Field(
        "synthetic",
        description="Default backend: 'openai' (any OpenAI-compatible server), offline 'synthetic', or "
        "'oracle' (GSM8K's gold solutions as programs, from FDD_DATA_DIR).",
    )
    openai_base_url: str = Field(
        "https://api.openai.com/v1", description="Base URL of the chat-completions API."
    )
    openai_model: str = Field("gpt-4o-mini", description="Model name sent upstream.")
    openai_api_key: SecretStr | None = Field(None, description="API key (never logged or returned).")
    openai_timeout_s: float = Field(60.0, gt=0.0, description="Timeout of one upstream HTTP call.")
    openai_max_concurrency: int = Field(16, ge=1, le=1024, description="Upstream calls in flight at most.")
    openai_max_attempts: int = Field(6, ge=1, le=50, description="Attempts per upstream call (retries + 1).")
    openai_backoff_max_s: float = Field(30.0, ge=0.0, description="Longest wait between two attempts.")
    openai_send_n: bool = Field(True, description="Ask for n choices in one call (servers may ignore it).")
    prices: dict[str, Price] = Field(
        default_factory=dict,
        description='Prices per model as JSON: {"gpt-4o-mini": {"prompt": 0.15, "completion": 0.6}}.',
    )
    cache_enabled: bool = Field(True, description="Serve identical requests from the response cache.")
    cache_memory_items: int = Field(50_000, ge=0, description="Completions also kept in memory (LRU).")
    replay_memory_mb: float = Field(
        64.0,
        ge=0.0,
        description="Memory for replaying responses served wholly from the cache, by exact body (0: off).",
    )
    replay_front: bool = Field(
        True,
        description="Answer replays before routing, in middleware (off: in the route; for comparison).",
    )
    exec_timeout_s: float = Field(2.0, gt=0.0, description="Sandbox time limit per program.")
    exec_workers: int | None = Field(
        None, ge=1, le=64, description="Sandbox worker processes (default: CPUs)."
    )
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    synthetic_error_rate: float = Field(
        0.1, ge=0.0, le=1.0, description="Share of wrong synthetic rationales."
    )
    synthetic_seed: int = Field(0, description="Seed of the synthetic teacher.")
    synthetic_processes: int = Field(
        1,
        ge=0,
        le=64,
        description="Processes the synthetic teacher writes in, as a remote model computes elsewhere "
        "(0: in the teacher's event loop).",
    )

    def price_of(self, model: str) -> Price:
        """The configured price of ``model`` (free when none is configured)."""
        return self.prices.get(model, Price())


@lru_cache
def get_settings() -> TeacherSettings:
    return TeacherSettings()
