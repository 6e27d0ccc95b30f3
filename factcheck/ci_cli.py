"""`factcheck ci`: the command a repository of articles runs on every push or pre-commit.

Registered on the main app by `register(app)` (see the bottom of cli.py). Heavy imports stay
inside the command, as in cli.py.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli_options import DEFAULT_DB, ConfigOpt, DbOpt, _Progress, _settings, print_removed
from .errors import user_errors

FORMATS = ("text", "github", "sarif", "junit")


@user_errors
def ci(paths: Annotated[Optional[list[Path]], typer.Argument(
           help="Article files to check (ingested if new). Default: the files under --dir the store "
                "has not seen with this content.", show_default=False)] = None,
       since: Annotated[Optional[str], typer.Option(
           "--since", metavar="REF",
           help="Check the article files under --dir changed since the git ref REF (from its merge "
                "base with HEAD), e.g. origin/main.")] = None,
       folder: Annotated[Path, typer.Option(
           "--dir", help="The corpus folder: always ingested, so new files are checked against all of it.")] = Path("seeds"),
       db: DbOpt = DEFAULT_DB,
       config: ConfigOpt = None,
       min_score: Annotated[Optional[float], typer.Option(
           min=0.0, max=1.0, help="Fail an article scoring below this (settings: tool.factcheck.ci; default 0.45).",
           show_default=False)] = None,
       max_conflicts: Annotated[Optional[int], typer.Option(
           min=0, help="Fail an article with more conflicts at or above --severity (default 0).",
           show_default=False)] = None,
       severity: Annotated[Optional[float], typer.Option(
           min=0.0, max=1.0, help="Conflicts below this severity are reported, never counted (default 0.6).",
           show_default=False)] = None,
       max_garble_rate: Annotated[Optional[float], typer.Option(
           min=0.0, max=1.0, help="Fail an article with a larger share of garbled sentences (default 0.25).",
           show_default=False)] = None,
       fail_on_duplicates: Annotated[Optional[bool], typer.Option(
           "--fail-on-duplicates/--no-fail-on-duplicates",
           help="Fail an article that copies another, or only warn (default: fail).",
           show_default=False)] = None,
       fmt: Annotated[str, typer.Option(
           "--format", help="Output: text, github (workflow annotations), sarif (2.1.0) or junit (XML).")] = "text",
       output: Annotated[Optional[Path], typer.Option(
           "--output", "-o", help="Write the output here instead of stdout.")] = None,
       summary: Annotated[Optional[Path], typer.Option(
           "--summary", help="Also write a Markdown summary here (appended when it is $GITHUB_STEP_SUMMARY).")] = None,
       ) -> None:
    """Check new or changed article files; exit 3 when one fails the thresholds.

    Exit codes: 0 passed, 3 thresholds failed, 1 could not run (or a file could not be read), 2 usage.

    Example: factcheck ci --since origin/main --format github --summary "$GITHUB_STEP_SUMMARY"
    """
    from . import embed_worker

    if fmt not in FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; use {', '.join(FORMATS)}", param_hint="--format")
    if paths and since:
        raise typer.BadParameter("give article PATHs or --since REF, not both", param_hint="--since")
    settings = _settings(config, ci__min_score=min_score, ci__max_conflicts=max_conflicts,
                         ci__severity=severity, ci__max_garble_rate=max_garble_rate,
                         ci__fail_on_duplicates=fail_on_duplicates)
    # the embedding model loads in a worker while the gate's modules are imported and the files
    # are found, read and parsed
    embedder = embed_worker.start(settings.embedder, settings.backend)
    from . import ci as gate
    from . import pipeline, store

    t0 = time.perf_counter()
    dbh = store.open_db(db, lock=True)
    timings: dict[str, float] = {}

    selected = gate.find_changed(dbh, paths or [], since=since, folder=folder, max_bytes=settings.max_bytes)
    if not selected:
        embed_worker.stop(embedder)
    timings["find"] = time.perf_counter() - t0
    result = gate.CIResult((), settings.ci)
    embedded = deferred = 0
    if selected:
        run_id = store.start_run(dbh, "ci", pipeline.VERSION, settings.as_dict(), settings.embedder)
        t = time.perf_counter()
        chosen = {p.resolve() for p in selected}
        names = {p.name for p in chosen} | {p.name for p in selected}
        corpus = []
        if folder.is_dir():  # the rest of the corpus first, so a new copy is the one refused
            # (a file is resolved only when its name is one of the chosen files': a link may be one)
            corpus = [p for p in pipeline.expand_paths([folder])[0]
                      if p.name not in names and not p.is_symlink() or p.resolve() not in chosen]
        with _Progress() as progress:
            read = set()
            if corpus:
                ing_corpus = pipeline.ingest(dbh, corpus, settings, progress)
                read = ing_corpus.seen
                for e in ing_corpus.errors:
                    typer.echo(f"Warning: {e}", err=True)
            if folder.is_dir():  # a file deleted from the corpus folder no longer counts
                print_removed(pipeline.prune_missing(dbh, [folder], keep=read))
            ing = pipeline.ingest(dbh, selected, settings, progress)
        timings["ingest"] = time.perf_counter() - t
        refused = {}
        for dup in ing.duplicates:
            line = next((e for e in ing.errors if e.startswith(f"{dup}: duplicate of ")), "")
            refused[dup] = line.split(": duplicate of ", 1)[-1].split(" ", 1)[0] if line else "another article"
        errors = [e for e in ing.errors if not any(e.startswith(f"{d}: duplicate of ") for d in ing.duplicates)]
        ids = ing.added + ing.updated + ing.unchanged
        if ids:
            with _Progress() as progress:
                # the checked articles are scored now; the others a new file moves wait (stale)
                res = pipeline.analyze(dbh, settings, progress, only_scores=ids, embedder=embedder)
            embedded, deferred = res.embedded, res.deferred
            timings.update({f"analyze.{k}": v for k, v in res.timings.items()})
            timings["analyze"] = sum(v for k, v in res.timings.items() if "." not in k)   # stages, not their parts
            timings["after_model"] = res.after_model
        embed_worker.stop(embedder)
        t = time.perf_counter()
        result = gate.check(dbh, ids, settings, refused=refused, errors=errors)
        timings["check"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t0
        store.finish_run(dbh, run_id, {k: round(v, 3) for k, v in timings.items()},
                         {"checked": len(result.checks), "failed": len(result.failed),
                          "errors": len(result.errors), "embedded": embedded,
                          "scores_left_stale": deferred,
                          "embedding": embed_worker.describe(embedder),
                          "exit_code": result.exit_code},
                         store.get_state(dbh, "corpus") or "")

    text = gate.to_sarif(result, pipeline.VERSION) if fmt == "sarif" else gate.FORMATTERS[fmt](result)
    if output:
        _write(output, text)
    else:
        typer.echo(text, nl=False)
    if summary:
        step = os.environ.get("GITHUB_STEP_SUMMARY")
        append = bool(step) and Path(step).resolve() == summary.resolve()
        _write(summary, gate.to_summary_md(result), append=append)
    if fmt != "text" and (result.failed or result.errors):
        typer.echo(f"factcheck ci: {gate.verdict(result)}", err=True)
    raise typer.Exit(result.exit_code)


def _write(path: Path, text: str, append: bool = False) -> None:
    from .errors import FactcheckError
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a" if append else "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        raise FactcheckError(f"{path}: cannot write ({e.strerror or e})") from e


def register(app: typer.Typer) -> None:
    """Add `factcheck ci` to the main app."""
    app.command(name="ci")(ci)
