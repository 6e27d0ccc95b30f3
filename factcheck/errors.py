"""Errors a user can act on: the CLI prints them as one line, never a traceback."""
from __future__ import annotations

import functools


class FactcheckError(Exception):
    """Something the user can fix; the message names the input, the problem and the way out."""


class IngestError(FactcheckError):
    """One article file cannot be read; the run goes on with the others."""

    def __init__(self, path: str, problem: str, refused_id: str | None = None) -> None:
        super().__init__(f"{path}: {problem}; skipped")
        self.path, self.problem = path, problem
        # the article the rules refuse as it is (not the file: it was read), whose stored version,
        # read under other rules, leaves the store
        self.refused_id = refused_id


def not_utf8(e: UnicodeDecodeError, skipped: int = 0) -> str:
    """The problem of bytes that are not UTF-8, as a file's error line names it (`skipped`: the
    bytes before those decoded, a byte order mark, so that the offset is the file's)."""
    return (f"not UTF-8 (byte 0x{e.object[e.start]:02x} at offset {e.start + skipped}); "
            "re-save the file as UTF-8")


def user_errors(command):
    """For a CLI command: FactcheckError -> one 'Error: ...' line on stderr, exit code 1 (and so
    is a claims store another process keeps busy past the wait: SQLite's "database is locked").
    The store locks the command took are given back when it ends (`locking`)."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except FactcheckError as e:
            import typer
            typer.echo(f"Error: {e}", err=True)
            raise typer.Exit(1)
        except Exception as e:
            import sqlite3
            if not (isinstance(e, sqlite3.OperationalError) and ("locked" in str(e) or "busy" in str(e))):
                raise
            import typer
            typer.echo(f"Error: the claims store stayed busy: another process kept writing it ({e}); "
                       "run this command again when it ends", err=True)
            raise typer.Exit(1)
        finally:
            from . import locking
            locking.release_all()
    return wrapper
