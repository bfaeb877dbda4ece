"""README stays true: its configuration table is the one the Settings classes generate, and the
commands it tells users to run exist."""

from __future__ import annotations

import re
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
