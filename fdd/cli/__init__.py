"""The ``fdd`` command line (typer + rich): the local stack, runs, data, evaluation, demo, experiments.

Every command except ``up`` and ``demo`` talks to running services over their HTTP APIs — the same calls
a user makes with curl — so the CLI works the same against the local stack and a docker compose one.
"""

from __future__ import annotations

from fdd.cli.app import app


def main() -> None:
    app()
