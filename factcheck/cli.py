"""The `factcheck` command line: parse options, call the library, print, set the exit code.

Heavy imports (numpy, torch, spaCy, sqlite-utils) happen inside the commands so that
`factcheck --help` starts fast.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli_options import DEFAULT_DB, ConfigOpt, DbOpt, _console, _Progress, _settings, print_removed  # noqa: F401
from .errors import user_errors

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=False,
                  help="Offline source-claim fact-checking across news articles about one story.")


def _print_errors(errors) -> None:
    for e in errors:
        typer.echo(f"Error: {e}", err=True)


def do_ingest(db_path: Path, paths: list[Path], settings, prune: bool = False):
    """Ingest `paths`, printing one line per bad file (and per article removed because its file
    left the folder, with `prune`); returns (db, IngestResult)."""
    from . import pipeline
    from .store import open_db
    db = open_db(db_path, lock=True)
    with _Progress() as progress:
        res = pipeline.ingest(db, paths, settings, progress, prune=prune)
    _print_errors(res.errors)
    print_removed(res.removed)
    return db, res



def _run_record(db, command: str, settings, embedder: str):
    from . import pipeline, store
    return store.start_run(db, command, pipeline.VERSION, settings.as_dict(), embedder)


@app.command()
@user_errors
def run(folder: Annotated[Path, typer.Argument(help="Folder (or file) of articles to check.")] = Path("seeds"),
        db: DbOpt = DEFAULT_DB,
        out: Annotated[Path, typer.Option("--out", help="Where reports are written.")] = Path("reports"),
        config: ConfigOpt = None,
        backend: Annotated[Optional[str], typer.Option(help="Embedding backend: auto, bf16 or fp32.")] = None,
        nli_model: Annotated[Optional[str], typer.Option(help="Local CrossEncoder NLI folder (optional).")] = None,
        report_formats: Annotated[str, typer.Option("--format", help="Report formats, comma-separated: md,html,json.")] = "md,html,json",
        ) -> None:
    """The main job: ingest FOLDER, analyse the corpus, write reports, print a summary table.

    Example: factcheck run seeds/
    """
    from . import embed_worker
    t0 = time.perf_counter()
    settings = _settings(config, backend=backend, nli_model=nli_model)
    # (the model loads on the other core while the analysis' modules are imported and the files read)
    with embed_worker.started(settings.embedder, settings.backend) as embedder:
        from . import pipeline, store
        dbh, ing = do_ingest(db, [folder], settings, prune=True)
        t_ingest = time.perf_counter() - t0
        if ing.processed == 0:
            typer.echo(f"Error: {folder}: no article could be read; nothing to analyse", err=True)
            raise typer.Exit(1)
        run_id = _run_record(dbh, "run", settings, settings.embedder)
        with _Progress() as progress:
            res = pipeline.analyze(dbh, settings, progress, embedder=embedder)
    t_report = time.perf_counter()
    written = _write_reports(dbh, settings, out, report_formats)
    timings = {"ingest": round(t_ingest, 3), **{k: round(v, 3) for k, v in res.timings.items()},
               "report": round(time.perf_counter() - t_report, 3),
               "total": round(time.perf_counter() - t0, 3)}
    counts = {"added": len(ing.added), "updated": len(ing.updated), "unchanged": len(ing.unchanged),
              "removed": len(ing.removed), "errors": len(ing.errors), "embedded": res.embedded,
              "embedding": embed_worker.describe(embedder), "analysis_skipped": res.skipped,
              "reports": written}
    store.finish_run(dbh, run_id, timings, counts, store.get_state(dbh, "corpus") or "")
    _console().print(_summary_table(dbh, ing, res, timings["total"]))


def _write_reports(db, settings, out: Path, formats: str) -> int:
    try:
        from .reports import write_reports
    except ImportError:
        return 0
    return write_reports(db, settings, out, [f.strip() for f in formats.split(",") if f.strip()])


def _summary_table(db, ing, res, seconds: float):
    from rich.table import Table
    from rich.text import Text
    from . import store
    scores = store.load_scores(db)
    articles = store.load_articles(db)
    from rich import box
    t = Table(title=Text(f"factcheck: {len(articles)} articles, {seconds:.1f} s"
                         + (" (no change since last analysis)" if res.skipped else "")),
              box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    # the article id is never cut: a reader copies it into `report` / `review`
    t.add_column("article", no_wrap=True, min_width=max((len(a.id) for a in articles), default=7))
    t.add_column("outlet", no_wrap=True, max_width=10, overflow="ellipsis")
    t.add_column("date", no_wrap=True)
    for col in ("claims", "corr", "confl", "garb", "score"):
        t.add_column(col, justify="right", no_wrap=True, min_width=len(col))
    tot = {"sentences": 0, "claims": 0}
    for a in sorted(articles, key=lambda a: (scores[a.id].score if a.id in scores else 0)):
        sc = scores.get(a.id)
        c = sc.counts if sc else {}
        tot["sentences"] += c.get("sentences", 0)
        tot["claims"] += c.get("claims", 0)
        t.add_row(Text(a.id), Text(a.outlet or "-"), Text(a.published or "unknown"),
                  str(c.get("claims", "")), str(c.get("corroborated", "")),
                  str(c.get("conflicting", "")), str(c.get("garbled_sentences", "")),
                  f"{sc.score:.2f}" if sc else "")
    t.caption = ("corr = corroborated claims, confl = conflicting claims, garb = garbled sentences. "
                 f"{len(ing.added)} added, {len(ing.updated)} updated, {len(ing.unchanged)} unchanged, "
                 + (f"{len(ing.removed)} removed, " if ing.removed else "")
                 + f"{len(ing.errors)} errors; {tot['sentences']} sentences, {tot['claims']} claims; "
                 f"{res.counts.get('clusters', '-') if not res.skipped else 'cached'} clusters, "
                 f"{res.counts.get('conflicts', '-') if not res.skipped else 'cached'} conflicts; "
                 f"{res.embedded} texts embedded")
    return t


@app.command()
@user_errors
def ingest(paths: Annotated[list[Path], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl).")],
           db: DbOpt = DEFAULT_DB, config: ConfigOpt = None) -> None:
    """Add or update articles in the store (no analysis). Example: factcheck ingest seeds/new.txt"""
    settings = _settings(config)
    dbh, res = do_ingest(db, paths, settings)
    from .store import checkpoint
    checkpoint(dbh)
    typer.echo(f"{len(res.added)} added, {len(res.updated)} updated, {len(res.unchanged)} unchanged, "
               f"{len(res.errors)} errors")
    if res.processed == 0:
        raise typer.Exit(1)


@app.command()
@user_errors
def analyze(db: DbOpt = DEFAULT_DB, config: ConfigOpt = None,
            force: Annotated[bool, typer.Option(help="Recompute even if nothing changed.")] = False,
            backend: Annotated[Optional[str], typer.Option(help="Embedding backend: auto, bf16 or fp32.")] = None,
            nli_model: Annotated[Optional[str], typer.Option(help="Local CrossEncoder NLI folder (optional).")] = None,
            ) -> None:
    """Claims, embeddings, clusters, conflicts, fluency and scores (incremental). Example: factcheck analyze"""
    from . import embed_worker
    settings = _settings(config, backend=backend, nli_model=nli_model)
    with embed_worker.started(settings.embedder, settings.backend) as embedder:
        from . import pipeline, store
        dbh = store.open_db(db, lock=True)
        t0 = time.perf_counter()
        with _Progress() as progress:
            res = pipeline.analyze(dbh, settings, progress, force=force, embedder=embedder)
    store.checkpoint(dbh)
    if res.skipped:
        typer.echo("Nothing changed since the last analysis.")
    else:
        typer.echo(", ".join(f"{v} {k}" for k, v in res.counts.items())
                   + f"; {res.embedded} texts embedded; {time.perf_counter() - t0:.1f} s")


@app.command()
@user_errors
def export(db: DbOpt = DEFAULT_DB,
           fmt: Annotated[str, typer.Option("--format", help="json (the export schema) or claimreview (JSON-LD).")] = "json",
           output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
           config: ConfigOpt = None,
           ) -> None:
    """Everything in the store, in the export schema. Example: factcheck export --format json > export.json"""
    from .errors import FactcheckError
    from .pipeline import refresh_scores
    from .settings import load_settings
    from .store import open_db
    dbh = open_db(db, lock=True)
    refresh_scores(dbh, load_settings(config))     # scores `factcheck ci` left out of date
    if fmt == "json":
        from .export import build_export
        data = build_export(dbh)
    elif fmt == "claimreview":
        try:
            from .reports import claimreview
        except ImportError as e:
            raise FactcheckError("claimreview export is not available in this version") from e
        data = claimreview(dbh)
    else:
        raise typer.BadParameter(f"unknown format {fmt!r}; use json or claimreview", param_hint="--format")
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_suffix(output.suffix + ".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(output)
    else:
        sys.stdout.write(text + "\n")


@app.command()
@user_errors
def compare(a: Annotated[Optional[str], typer.Argument(help="First claim text.")] = None,
            b: Annotated[Optional[str], typer.Argument(help="Second claim text.")] = None,
            pairs: Annotated[Optional[Path], typer.Option("--pairs", help="JSONL with a, b and maybe id per line.")] = None,
            config: ConfigOpt = None,
            backend: Annotated[Optional[str], typer.Option(help="Embedding backend: auto, bf16 or fp32.")] = None,
            nli_model: Annotated[Optional[str], typer.Option(help="Local CrossEncoder NLI folder (optional).")] = None,
            ) -> None:
    """Relation between two claims: same, conflict, related or unrelated, with reasons.

    Example: factcheck compare "Russia is Myanmar's top arms supplier" "Russia is one of the biggest weapons suppliers to Myanmar"
    """
    settings = _settings(config, backend=backend, nli_model=nli_model)
    if pairs is not None:
        rows = _read_jsonl(pairs, required=("a", "b"))
        if rows:
            for r, res in zip(rows, _compare_many([(r["a"], r["b"]) for r in rows], settings)):
                sys.stdout.write(json.dumps({"id": r.get("id"), **res}, ensure_ascii=False) + "\n")
        return
    if a is None or b is None:
        raise typer.BadParameter("give two claims A B, or --pairs FILE.jsonl")
    (res,) = _compare_many([(a, b)], settings)
    _console().print(_compare_text(res))


def _compare_many(pairs: list[tuple[str, str]], settings) -> list[dict]:
    """`compare.compare_many`, its model loading in the embedding worker while spaCy parses."""
    from . import embed_worker
    from .compare import compare_many
    with embed_worker.started(settings.embedder, settings.backend) as embedder:
        return compare_many(pairs, settings, embedder)


def _compare_text(res: dict):
    from rich.text import Text
    t = Text()
    t.append(f"{res['relation']}", style="bold")
    if res.get("kind"):
        t.append(f" ({res['kind']})")
    t.append(f"  similarity {res['similarity']:.3f}\n")
    if res.get("explanation"):
        t.append(res["explanation"] + "\n")
    for r in res.get("reasons", []):
        t.append(f"- {r}\n")
    return t


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    from .errors import FactcheckError
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise FactcheckError(f"{path}: no such file")
    except UnicodeDecodeError as e:
        raise FactcheckError(f"{path}: not UTF-8 (byte 0x{e.object[e.start]:02x} at offset {e.start})")
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise FactcheckError(f"{path}:{n}: not JSON ({e.msg})")
        if not isinstance(row, dict) or any(k not in row for k in required):
            raise FactcheckError(f"{path}:{n}: each line needs the fields {', '.join(required)}")
        rows.append(row)
    return rows


@app.command()
@user_errors
def fluency(text: Annotated[Optional[str], typer.Argument(help="A sentence to score.")] = None,
            sentences: Annotated[Optional[Path], typer.Option("--sentences", help="JSONL with text and maybe id per line.")] = None,
            config: ConfigOpt = None) -> None:
    """Garble score and reasons for sentences. Example: factcheck fluency "He is a arms dealer." """
    from .stages.fluency import score_sentences
    settings = _settings(config)
    if sentences is not None:
        rows = _read_jsonl(sentences, required=("text",))
        res = score_sentences([r["text"] for r in rows], None, settings.fluency)
        for r, f in zip(rows, res):
            sys.stdout.write(json.dumps({"id": r.get("id"), "garble_score": round(float(f.score), 4),
                                         "garbled": bool(f.garbled), "reasons": list(f.reasons)},
                                        ensure_ascii=False) + "\n")
        return
    if text is None:
        raise typer.BadParameter("give a TEXT or --sentences FILE.jsonl")
    (f,) = score_sentences([text], None, settings.fluency)
    from rich.text import Text

    from .records import not_judged
    verdict = "garbled" if f.garbled else "not judged" if not_judged(f.reasons) else "fluent"
    out = Text(f"{verdict}  score {f.score:.2f}\n")
    for r in f.reasons:
        out.append(f"- {r}\n")
    _console().print(out)


@app.command(name="eval")
@user_errors
def eval_(gold: Annotated[Path, typer.Option(help="The gold reference file.")] = Path("tests/gold/seeds.gold.json"),
          db: DbOpt = DEFAULT_DB,
          tier: Annotated[str, typer.Option(help="core or all.")] = "core",
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Metrics of the stored analysis against a gold file. Example: factcheck eval --gold tests/gold/seeds.gold.json"""
    from .eval import evaluate
    from .export import build_export
    from .pipeline import refresh_scores
    from .settings import load_settings
    from .store import load_articles, open_db
    dbh = open_db(db, lock=True)
    refresh_scores(dbh, load_settings())     # scores `factcheck ci` left out of date
    res = evaluate(build_export(dbh), gold, {a.id: a.text for a in load_articles(dbh)}, tier)
    if as_json:
        typer.echo(json.dumps(res, indent=1))
    else:
        for k, v in res.items():
            typer.echo(f"{k}: {v}")


from .report_cli import register as _register_report  # noqa: E402
from .review.cli import review_app  # noqa: E402
from .ci_cli import register as _register_ci  # noqa: E402

_register_report(app)
app.add_typer(review_app, name="review")
_register_ci(app)


def main() -> None:
    """The `factcheck` program: the app, then a quick exit.

    Once a command has returned, its output is flushed and every store it opened is closed (which
    folds the write-ahead log into the .db file); the process then ends at once instead of
    tearing the interpreter down, which with torch and spaCy loaded takes 0.5-1 s for nothing.
    An exception other than an exit (a bug) ends the usual way, with its traceback."""
    try:
        app(prog_name="factcheck")
        code: int | str | None = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):          # (SystemExit("message"): printed, exit status 1)
        print(code, file=sys.stderr)
        code = 1
    store = sys.modules.get("factcheck.store")     # (not imported: no store was opened)
    if store is not None:
        store.close_all()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more can reach it
            pass
    os._exit(int(code or 0))
