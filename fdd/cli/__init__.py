"""The ``fdd`` command line (typer + rich): the local stack, runs, data, evaluation, demo, experiments.

Every command except ``up`` and ``demo`` talks to running services over their HTTP APIs — the same calls
a user makes with curl — so the CLI works the same against the local stack and a docker compose one.
An error that reaches the top is printed as one line by ``fdd.cli.errors`` (a traceback with ``--debug``).
"""

from __future__ import annotations

from fdd.cli import errors
from fdd.cli.app import app


def main() -> None:
    errors.run(app)
