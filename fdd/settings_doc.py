"""The configuration table in README.md, generated from the services' Settings classes.

``python -m fdd.settings_doc`` prints it; ``--write`` replaces the block between the README's markers.
A test fails when the README's table and the Settings classes disagree.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings

START = "<!-- config-table:start -->"
END = "<!-- config-table:end -->"
SOURCES = [
    ("fdd.config", "CoreSettings", "all"),
    ("teacher.settings", "TeacherSettings", "teacher"),
    ("student.settings", "StudentSettings", "student"),
    ("orchestrator.settings", "OrchestratorSettings", "orchestrator"),
    ("fdd.cli.settings", "CliSettings", "cli"),
]


def _default(field: object, annotation: object) -> str:
    extra = getattr(field, "json_schema_extra", None)
    if isinstance(extra, dict) and "doc_default" in extra:  # a default that depends on the machine
        return str(extra["doc_default"])
    factory = getattr(field, "default_factory", None)
    default = factory() if factory is not None else getattr(field, "default", None)
    if annotation in (SecretStr, SecretStr | None) or isinstance(default, SecretStr):
        return "*(secret)*"
    if default is None or default == {} or default == []:
        return ""
    return f"`{default}`"


def table() -> str:
    rows = ["| variable | service | default | meaning |", "| --- | --- | --- | --- |"]
    for module, name, service in SOURCES:
        cls: type[BaseSettings] = getattr(importlib.import_module(module), name)
        prefix = cls.model_config.get("env_prefix", "")
        for field_name, field in cls.model_fields.items():
            description = (field.description or "").replace("|", "\\|")
            default = _default(field, field.annotation)
            alias = field.validation_alias  # a variable shared by all services (FDD_SERVICE_TOKEN)
            variable = alias if isinstance(alias, str) else f"{prefix}{field_name.upper()}"
            rows.append(f"| `{variable}` | {service} | {default} | {description} |")
    return "\n".join(rows)


def block() -> str:
    return f"{START}\n{table()}\n{END}"


def write(readme: Path) -> None:
    text = readme.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    readme.write_text(head + block() + tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="README to update in place")
    args = parser.parse_args()
    if args.write:
        write(args.write)
    else:
        print(table())


if __name__ == "__main__":
    main()
