"""Whether a run's ``student.base_model`` can be loaded, checked when the run is created (not a round later).

Runs after ``fdd.references.check_model_reference`` has kept the name inside the allowed roots. ``tiny``
is always there. A local path must be a model directory (one with a ``config.json``); a path inside a root
that does not exist on this host (the student's artifacts on another machine) is left to the student. A
hub id must be in the local Hugging Face cache, or the hub must answer for it: with no hub access
(``HF_HUB_OFFLINE``, or nothing answers at ``HF_ENDPOINT``) an uncached id is refused in one line naming
the model. The variables are Hugging Face's own, read as the student's loader reads them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import httpx
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fdd.references import HUB_ID, within

HUB_TIMEOUT_S = 5.0


class HubSettings(BaseSettings):
    """Hugging Face's variables (no FDD_ prefix): where the hub is, whether to reach it, where it caches."""

    model_config = SettingsConfigDict(extra="ignore")

    hf_endpoint: str = "https://huggingface.co"
    hf_hub_offline: bool = Field(
        False, validation_alias=AliasChoices("hf_hub_offline", "transformers_offline")
    )
    hf_hub_cache: Path | None = Field(
        None, validation_alias=AliasChoices("hf_hub_cache", "huggingface_hub_cache")
    )
    hf_home: Path | None = None
    xdg_cache_home: Path | None = None

    def cache_dir(self) -> Path:
        if self.hf_hub_cache is not None:
            return self.hf_hub_cache
        home = self.hf_home or (self.xdg_cache_home or Path.home() / ".cache") / "huggingface"
        return home / "hub"


class ModelNotFound(ValueError):
    """A base model that is neither a local model directory nor a hub id this host can load."""


def in_hub_cache(repo_id: str, cache_dir: Path) -> bool:
    """Whether a snapshot of ``repo_id`` with a ``config.json`` is in the Hugging Face cache."""
    snapshots = cache_dir / f"models--{repo_id.replace('/', '--')}" / "snapshots"
    return snapshots.is_dir() and any((s / "config.json").is_file() for s in snapshots.iterdir())


def on_hub(repo_id: str, endpoint: str) -> bool | None:
    """True when the hub knows ``repo_id``, False when it says it does not, None when it cannot be asked."""
    try:
        response = httpx.get(f"{endpoint.rstrip('/')}/api/models/{repo_id}", timeout=HUB_TIMEOUT_S)
    except httpx.HTTPError:
        return None
    if response.status_code == 200:
        return True
    return False if response.status_code in (401, 403, 404) else None


def _check_path(name: str, real: Path, roots: Iterable[str | Path]) -> None:
    if real.is_dir():
        if not (real / "config.json").is_file():
            raise ModelNotFound(f"{name!r} is not a model directory (no config.json in it)")
        return
    seen = [Path(os.path.realpath(r)) for r in roots if Path(r).is_dir()]
    if any(real.is_relative_to(root) for root in seen):
        raise ModelNotFound(f"{name!r}: no such model directory")
    # The root itself is not on this host (the student's artifacts elsewhere): the student checks it.


def check_base_model(name: str, roots: Iterable[str | Path], hub: HubSettings | None = None) -> None:
    """Raise ``ModelNotFound`` (a one-line message naming the model) unless ``name`` can be loaded."""
    if name == "tiny":
        return
    roots = list(roots)
    if not HUB_ID.fullmatch(name) or os.path.lexists(name):
        real = within(name, roots)
        if real is not None:
            _check_path(name, real, roots)
        return
    hub = hub or HubSettings()
    if in_hub_cache(name, hub.cache_dir()):
        return
    found = None if hub.hf_hub_offline else on_hub(name, hub.hf_endpoint)
    if found is None:
        raise ModelNotFound(
            f"{name!r} not found locally and no hub access: fetch it first (into the Hugging Face cache "
            f"{hub.cache_dir()}, or `fdd models fetch` and give its directory)"
        )
    if not found:
        raise ModelNotFound(f"{name!r} not found locally nor on the hub ({hub.hf_endpoint})")
