"""Errors a user can act on: the CLI prints them as one line, never a traceback."""
from __future__ import annotations

import functools


class FactcheckError(Exception):
    """Something the user can fix; the message names the input, the problem and the way out."""


class IngestError(FactcheckError):
    """One article file cannot be read; the run goes on with the others."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}; skipped")
        self.path, self.problem = path, problem


def user_errors(command):
    """For a CLI command: FactcheckError -> one 'Error: ...' line on stderr, exit code 1."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except FactcheckError as e:
            import typer
            typer.echo(f"Error: {e}", err=True)
            raise typer.Exit(1)
    return wrapper
