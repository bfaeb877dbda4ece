"""README stays true: its configuration table is the one the Settings classes generate, and the
commands it tells users to run exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fdd import settings_doc

README = Path(__file__).resolve().parents[2] / "README.md"


def test_configuration_table_matches_the_settings() -> None:
    assert settings_doc.block() in README.read_text(), "run: python -m fdd.settings_doc --write README.md"


def test_make_targets_named_in_the_readme_exist() -> None:
    makefile = (README.parent / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    for target in re.findall(r"^make ([a-z-]+)", README.read_text(), flags=re.MULTILINE):
        assert target in targets


def test_every_cli_variable_is_in_the_table() -> None:
    from fdd.cli.settings import CliSettings

    text = README.read_text()
    for name, field in CliSettings.model_fields.items():
        alias = field.validation_alias
        variable = alias if isinstance(alias, str) else f"FDD_CLI_{name.upper()}"
        assert f"`{variable}` | cli |" in text


def test_data_default_holds_outside_make(tmp_path: Path) -> None:
    """The README's data default (../shared/data when present) holds for any process, not only make's."""
    (tmp_path / "shared" / "data").mkdir(parents=True)
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "FDD_DATA_DIR"}
    code = "from fdd.config import CoreSettings; print(CoreSettings().data_dir)"

    def data_dir(cwd: Path) -> str:
        found = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
        assert found.returncode == 0, found.stderr
        return found.stdout.strip()

    assert data_dir(repo) == str((tmp_path / "shared" / "data").resolve())
    assert data_dir(tmp_path) == "data"
