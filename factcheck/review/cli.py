"""`factcheck review`: the conflict review TUI and its non-interactive twins for scripts.

Registered in factcheck/cli.py with `app.add_typer(review_app, name="review")`. Textual, the
store and the settings are imported inside the commands so that `factcheck --help` stays fast.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import user_errors

from ..cli_options import DEFAULT_DB, ConfigOpt, DbOpt

review_app = typer.Typer(
    invoke_without_command=True, no_args_is_help=False, pretty_exceptions_show_locals=False,
    add_completion=False)


def _open_existing(path: Path):
    from ..errors import FactcheckError
    from ..store import open_db
    if not path.exists():
        raise FactcheckError(f"{path}: no claims store here; run `factcheck run` first or pass --db")
    return open_db(path)


def _settings(config: Path | None):
    from ..settings import load_settings
    return load_settings(config)


@review_app.callback()
@user_errors
def review(ctx: typer.Context,
           db: DbOpt = DEFAULT_DB,
           config: ConfigOpt = None,
           as_list: Annotated[bool, typer.Option("--list", help="Print the conflicts instead of opening the review screen.")] = False,
           as_json: Annotated[bool, typer.Option("--json", help="With --list: print JSON.")] = False,
           kind: Annotated[Optional[str], typer.Option(help="Only this kind (number, date, name, ...).")] = None,
           article: Annotated[Optional[str], typer.Option(help="Only conflicts involving this article (id prefix or outlet).")] = None,
           status: Annotated[Optional[str], typer.Option(help="open, confirmed, dismissed, decided or all.")] = None,
           ) -> None:
    """Go through conflicts and decide which article is right, in the terminal.

    Keys: a (article A is right), b (article B is right), n (not a conflict), s (skip),
    u (undo), / (filter), ? (help), q (quit). Each decision is stored at once and changes
    scores, reports and ci; the next start resumes at the first undecided conflict.
    For scripts: `factcheck review --list --json` and `factcheck review decide ID a|b|not-conflict`.

    Example: factcheck review --db claims/factcheck.db
    """
    ctx.obj = {"db": db, "config": config}
    if ctx.invoked_subcommand is not None:
        return
    from ..errors import FactcheckError
    from .app import ItemFilter
    from .data import filter_items, item_dict, load_items
    try:
        item_filter = ItemFilter.parse(" ".join(
            f"{k}:{v}" for k, v in (("kind", kind), ("article", article), ("status", status)) if v))
    except ValueError as e:
        raise typer.BadParameter(str(e))
    dbh = _open_existing(db)
    settings = _settings(config)
    from .. import locking
    from ..pipeline import refresh_scores
    with locking.hold(db):
        refresh_scores(dbh, settings)     # scores `factcheck ci` left out of date
    items = load_items(dbh)
    if as_list:
        shown = filter_items(items, item_filter.kind, item_filter.article, item_filter.status)
        if as_json:
            sys.stdout.write(json.dumps([item_dict(i) for i in shown], ensure_ascii=False, indent=1) + "\n")
        else:
            _print_list(shown)
        return
    if as_json:
        raise typer.BadParameter("--json goes with --list", param_hint="--json")
    if not items:
        typer.echo(f"No conflicts to review in {db}.")
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FactcheckError("the review screen needs a terminal; use `factcheck review --list` "
                             "and `factcheck review decide ID a|b|not-conflict` in scripts")
    from .app import ReviewApp
    from .data import decide

    def on_decide(cid: str, decision: str, note: str) -> None:
        decide(dbh, cid, decision, note, settings=settings)

    result = ReviewApp(items, on_decide, item_filter).run()
    if result:
        n = {s: sum(1 for v in result.values() if v == s) for s in ("confirmed", "dismissed", "open")}
        typer.echo(f"{len(result)} conflicts reviewed: {n['confirmed']} confirmed, "
                   f"{n['dismissed']} dismissed, {n['open']} open.")


def _print_list(items) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    from .app import short_labels, status_of
    labels = short_labels(c.article_id for i in items for c in (i.a.claim, i.b.claim))
    tty = sys.stdout.isatty()
    t = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("id", "status", "kind", "sev", "A", "B", "explanation"):
        t.add_column(col, no_wrap=col != "explanation" or not tty, justify="right" if col == "sev" else "left")
    for i in items:
        x = i.conflict
        st = status_of(i.history)
        t.add_row(Text(x.id), Text(st if st == "open" else f"{st} ({i.history[-1]})"), Text(x.kind),
                  f"{x.severity:.2f}", Text(labels[i.a.claim.article_id]),
                  Text(labels[i.b.claim.article_id]), Text(x.explanation))
    # In a pipe one conflict is one line, whatever its length, so scripts can grep and cut.
    console = Console(highlight=False, width=None if tty else 100_000)
    console.print(t)
    n_open = sum(1 for i in items if status_of(i.history) == "open")
    typer.echo(f"{len(items)} conflicts, {n_open} open", err=True)


@review_app.command()
@user_errors
def decide(ctx: typer.Context,
           conflict: Annotated[str, typer.Argument(help="Conflict id, or a prefix of it that is unique.")],
           decision: Annotated[str, typer.Argument(help="a (article A is right), b (article B is right), not-conflict, or undo.")],
           note: Annotated[str, typer.Option(help="Why; stored with the decision.")] = "",
           db: Annotated[Optional[Path], typer.Option("--db", envvar="FACTCHECK_DB", help="The claims store (SQLite).")] = None,
           config: ConfigOpt = None,
           ) -> None:
    """Record one decision without the screen. Example: factcheck review decide 3f2a a --note "AP photo caption"."""
    from .data import decide as record
    from .data import resolve_id
    if decision not in ("a", "b", "not-conflict", "undo"):
        raise typer.BadParameter(f"{decision!r}: use a, b, not-conflict or undo", param_hint="DECISION")
    parent = ctx.obj or {}
    dbh = _open_existing(db or parent.get("db") or DEFAULT_DB)
    cid = resolve_id(dbh, conflict)
    status = record(dbh, cid, decision, note, settings=_settings(config or parent.get("config")))
    typer.echo(f"{cid}: {status} ({decision})")
