"""`factcheck report`: per-article reports and an index from the stored analysis.

Registered on the main app by `register(app)` at the bottom of cli.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli_options import DEFAULT_DB, ConfigOpt, DbOpt
from .errors import user_errors


@user_errors
def report(articles: Annotated[Optional[list[str]], typer.Argument(
               help="Article ids (or a unique prefix such as 000, or the file name); default: all.")] = None,
           fmt: Annotated[str, typer.Option("--format", help="Report formats, comma-separated: md,html,json.")] = "md,html,json",
           out: Annotated[Path, typer.Option("--out", help="Where reports are written.")] = Path("reports"),
           db: DbOpt = DEFAULT_DB, config: ConfigOpt = None) -> None:
    """Per-article reports (Markdown, HTML, JSON) and an index ranking every article.

    Reads the stored analysis only; run `factcheck run` or `factcheck analyze` first.
    Example: factcheck report 000 003 --format html --out reports/
    """
    from .errors import FactcheckError
    from .reports import FORMATS, write_reports
    from .settings import load_settings
    from .store import open_db

    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise typer.BadParameter(f"unknown format(s) {', '.join(bad) or '(none)'}; "
                                 f"use any of {', '.join(FORMATS)}", param_hint="--format")
    if not db.is_file():
        raise FactcheckError(f"{db}: no claims store here; run `factcheck run DIR --db {db}` first")
    from .pipeline import refresh_scores
    dbh, settings = open_db(db, lock=True), load_settings(config)
    refresh_scores(dbh, settings)        # scores `factcheck ci` left out of date
    written = write_reports(dbh, settings, out, formats, articles or None)
    typer.echo(f"{written} report files written to {out}/")


def register(app: typer.Typer) -> None:
    """Add `report` to the main command line."""
    app.command(name="report")(report)
