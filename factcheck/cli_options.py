"""Options and helpers shared by the command modules (cli.py, report_cli.py, ci_cli.py, review/cli.py).

A module of its own so that importing any command module first (a test importing ci_cli) does not
go round through cli.py, which registers those modules' commands at its end.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

DbOpt = Annotated[Path, typer.Option("--db", envvar="FACTCHECK_DB",
                                     help="The claims store (SQLite); created on first use.")]
ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="Settings file (factcheck.toml or pyproject.toml); default: the one in "
                     "the working folder, if any.")]
DEFAULT_DB = Path("claims/factcheck.db")


def _console(stderr: bool = False):
    from rich.console import Console
    return Console(stderr=stderr, highlight=False)


def _settings(config: Path | None, **overrides):
    from .settings import load_settings
    return load_settings(config, **overrides)


class _Progress:
    """A rich progress bar on stderr, shown only on a terminal and only for long work."""

    def __init__(self) -> None:
        from rich.progress import Progress
        self.bar = Progress(console=_console(stderr=True), transient=True,
                            disable=not sys.stderr.isatty())
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=max(total, 1))
        self.bar.update(self.tasks[stage], completed=done, total=max(total, 1))


def print_removed(files) -> None:
    """One line per stored article removed because its file left the corpus folder."""
    for f in files:
        typer.echo(f"Note: {f}: no longer in the folder; removed from the claims store", err=True)
