"""Time `factcheck ci` for one new article file against the 5 seeds and against a 1,000-article corpus.

    .venv/bin/python benchmarks/bench_ci.py [--articles 1000 | 500,1000] [--runs 3] [--work DIR] [--new-file F]
        [--distinct] [--in-folder] [--against DIR] [--ms]

The synthetic corpus recombines the seeds' sentences with other numbers and names, so clusters
and conflicts look like real coverage of one story. It repeats many sentences (2,064 distinct
claim texts among 35,565 at 2,000 articles); with --distinct most sentences open with two words
of `OPENERS`, so that nearly every claim text differs, as in real coverage. It is ingested and analysed once (kept in
--work and reused), then each run copies the analysed store, adds one new file and runs
`factcheck ci` in a subprocess; runs alternate between the two stores. Prints the median wall
time and the median of each stage from the run record `ci` writes (timings of ingest, every
analyze stage and the check itself).

With --against DIR (another source tree, e.g. a `git worktree` of an earlier commit), that code's
`ci` runs too, on a copy of each store analysed from scratch by it, the runs alternating. When it
lacks one of the current code's migrations or cannot open the store, it builds its own from the
same files (a copy would keep the current code's tables and indexes).
"""
from __future__ import annotations

import argparse
import compileall
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

NEW_ARTICLE = """Myanmar junta chief returns to Moscow for defence talks

Moscow, Jul 4 (Agency) - Senior General Min Aung Hlaing arrived in Moscow on Sunday for talks with Russian defence officials, state broadcaster MRTV reported.
The visit is the latest sign of the close ties between the two militaries.
Russia is the main supplier of weapons to Myanmar's army and has trained thousands of its officers.
The generals discussed cooperation in energy projects and in security.
Russian Foreign Minister Sergei Lavrov is expected to meet ASEAN foreign ministers in Cambodia later this month.
"""

NAMES = [("Lavrov", ["Shoigu", "Zakharova", "Peskov"]), ("Jakarta", ["Hanoi", "Bangkok", "Manila"]),
         ("Marsudi", ["Saifuddin", "Balakrishnan"]), ("Moscow", ["St Petersburg", "Kazan"]),
         ("Indonesia", ["Vietnam", "Thailand", "Malaysia"]), ("Cambodia", ["Laos", "Brunei"]),
         ("Wunna Maung Lwin", ["Than Swe", "Kyaw Tin"]), ("Patrushev", ["Fomin", "Kasatonov"])]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def seed_sentences() -> list[str]:
    out = []
    for f in sorted(SEEDS.glob("*.txt")):
        for line in f.read_text(encoding="utf-8").splitlines():
            for s in re.split(r"(?<=[.!?”])\s+(?=[A-Z“])", line.strip()):
                if len(s.split()) >= 8 and s[-1:] in ".”\"":
                    out.append(s)
    return out


def vary(sentence: str, rng: random.Random) -> str:
    """The same kind of statement with other numbers, names, months or weekdays."""
    def number(m: re.Match) -> str:
        v = int(m.group(0).replace(",", ""))
        if 1900 <= v <= 2030:
            return str(v + rng.choice([-1, 0, 0, 1]))
        return f"{max(1, int(v * rng.uniform(0.6, 1.6))):,}"
    s = re.sub(r"\b\d[\d,]*\b", number, sentence)
    for name, others in NAMES:
        if name in s and rng.random() < 0.3:
            s = s.replace(name, rng.choice(others))
    if rng.random() < 0.2:
        s = re.sub("|".join(MONTHS), lambda m: rng.choice(MONTHS), s)
    if rng.random() < 0.2:
        s = re.sub("|".join(WEEKDAYS), lambda m: rng.choice(WEEKDAYS), s)
    return s


# (--distinct) sentence openers: with them most claim texts of the corpus differ, as in real
# coverage, where the vectors cannot come from a few cached texts
OPENERS = ["Separately", "Meanwhile", "In addition", "Notably", "Elsewhere", "Earlier", "Later", "Again",
           "Moreover", "Also", "Still", "Indeed", "Similarly", "In turn", "Likewise", "At the same time",
           "By contrast", "In particular", "Above all", "As expected", "Once more", "In short", "Besides",
           "Even so", "Overall", "For now", "In practice", "In fact", "Of note", "Importantly"]


def build_corpus(folder: Path, n: int, seed: int = 7, distinct: bool = False) -> None:
    """n article files, each 10-18 sentences drawn from a few seed 'stories' and varied (with
    `distinct`, most sentences also open with two of `OPENERS`)."""
    rng = random.Random(seed)
    sents = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        start = rng.randrange(len(sents))
        k = rng.randint(10, 18)
        picked = [sents[(start + j * rng.randint(1, 3)) % len(sents)] for j in range(k)]
        body = [vary(s, rng) for s in picked]
        if distinct:
            body = [f"{rng.choice(OPENERS)} and {rng.choice(OPENERS).lower()}, {b}" for b in body]
        title = " ".join(body[0].split()[:8]).rstrip(",.")
        outlet = rng.choice(["Asia Wire", "Mekong Times", "Daily Brief", "Regional Post", "Newsdesk"])
        text = f"{title} | {outlet}\n\n" + "\n".join(body) + "\n"
        (folder / f"syn_{i:04d}.txt").write_text(text, encoding="utf-8")


def prepare(work: Path, n: int, distinct: bool = False) -> Path:
    """An analysed store holding the seeds and n synthetic articles (reused when present;
    `distinct`: see `build_corpus`)."""
    suffix = "d" if distinct and n else ""          # (the 5 seeds alone are the same store)
    name = f"corpus_{n}{suffix}"
    db_path = work / f"{name}.db"
    stamp = work / f"{name}.source"
    sys.path.insert(0, str(ROOT))
    from factcheck import pipeline
    from factcheck.settings import load_settings
    from factcheck.store import checkpoint, open_db
    if db_path.exists():
        if stamp.exists() and stamp.read_text() == source_stamp():
            return db_path
        # analysed by other code: its caches and delta state would not be reused, so every run
        # would time a full analysis. Analyse it again with this code first, after reading its
        # files again as `factcheck run` would (under other extraction rules every file is read
        # again once; a store left with the old ones would have `ci` re-read the seeds each run)
        db = open_db(db_path)
        t = time.perf_counter()
        files = sorted(SEEDS.glob("*.txt"))
        if n:
            folder = work / f"synthetic_{n}{suffix}"
            if not folder.is_dir():
                build_corpus(folder, n, distinct=distinct)
            files += sorted(folder.glob("*.txt"))
        pipeline.ingest(db, files, load_settings())
        pipeline.analyze(db, load_settings(), force=True)
        checkpoint(db)
        db.conn.close()
        stamp.write_text(source_stamp())
        print(f"  re-analysed {db_path.name} with the current code: {time.perf_counter() - t:.1f} s", flush=True)
        return db_path
    tmp = work / f"{name}.db.tmp"
    tmp.unlink(missing_ok=True)
    db = open_db(tmp)
    settings = load_settings()
    files = sorted(SEEDS.glob("*.txt"))
    if n:
        folder = work / f"synthetic_{n}{suffix}"
        build_corpus(folder, n, distinct=distinct)
        files += sorted(folder.glob("*.txt"))
    t = time.perf_counter()
    res = pipeline.ingest(db, files, settings)
    t_ingest = time.perf_counter() - t
    t = time.perf_counter()
    an = pipeline.analyze(db, settings)
    print(f"  prepared {len(res.added)} articles ({len(res.errors)} refused): ingest {t_ingest:.1f} s, "
          f"analyze {time.perf_counter() - t:.1f} s {json.dumps({k: round(v, 1) for k, v in an.timings.items()})}",
          flush=True)
    db.conn.close()
    tmp.replace(db_path)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    stamp.write_text(source_stamp())
    return db_path


def source_stamp(root: Path = ROOT) -> str:
    """Digest of the package's source and settings: a prepared store is reused only under them."""
    h = hashlib.sha256()
    for p in sorted((root / "factcheck").rglob("*.py")) + [root / "pyproject.toml"]:
        h.update(p.read_bytes())
    return h.hexdigest()[:24]


def prepare_against(work: Path, n: int, db_path: Path, tree: Path) -> Path:
    """A copy of the prepared store analysed from scratch by the code in `tree`, or a store that
    code builds from the same files when it lacks one of this code's migrations or cannot open
    the copy (reused when present): what that code's `ci` runs against."""
    out = work / f"against_{db_path.stem.removeprefix('corpus_')}.db"
    stamp = out.with_suffix(".source")
    if out.exists() and stamp.exists() and stamp.read_text() == source_stamp(tree) + source_stamp():
        return out
    code = ("from factcheck import pipeline, store; from factcheck.settings import load_settings; "
            f"db = store.open_db({str(out)!r}); pipeline.analyze(db, load_settings(), force=True); store.checkpoint(db)")
    t = time.perf_counter()
    # a store this code migrated holds its schema (tables, indexes) even where the tree's code can
    # open it: the tree's runs would then time this code's schema
    analysed = False
    if not set(_migration_names(ROOT)) - set(_migration_names(tree)):
        shutil.copy(db_path, out)
        for suffix in ("-wal", "-shm"):
            Path(str(out) + suffix).unlink(missing_ok=True)
        analysed = subprocess.run([sys.executable, "-c", code], cwd=work, env=_env(tree),
                                  capture_output=True).returncode == 0
    if not analysed:
        # the tree's code would take over this code's schema, or cannot open a store the current
        # code migrated (a table it does not know): it builds one of its own from the same files
        for suffix in ("", "-wal", "-shm"):
            Path(str(out) + suffix).unlink(missing_ok=True)
        folder = work / f"synthetic_{db_path.stem.removeprefix('corpus_')}"
        files = [str(p) for p in sorted(SEEDS.glob("*.txt"))] + (
            [str(p) for p in sorted(folder.glob("*.txt"))] if n else [])
        code = ("import sys; from pathlib import Path; from factcheck import pipeline, store; "
                "from factcheck.settings import load_settings; "
                f"db = store.open_db({str(out)!r}); pipeline.ingest(db, [Path(p) for p in sys.argv[1:]], load_settings()); "
                "pipeline.analyze(db, load_settings(), force=True); store.checkpoint(db)")
        subprocess.run([sys.executable, "-c", code, *files], cwd=work, env=_env(tree), check=True, capture_output=True)
    stamp.write_text(source_stamp(tree) + source_stamp())
    print(f"  analysed {out.name} with {tree}: {time.perf_counter() - t:.1f} s", flush=True)
    return out


def _migration_names(tree: Path) -> list[str]:
    """The store migrations the code in `tree` knows (its `mNNN_` functions)."""
    return re.findall(r"^def (m\d+_\w+)\(", (tree / "factcheck" / "migrations.py").read_text(encoding="utf-8"),
                      flags=re.M)


def _env(tree: Path | None) -> dict[str, str]:
    """The environment of a `ci` run: this tree's package, or `tree`'s first on the path."""
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    if tree is not None:
        env["PYTHONPATH"] = str(tree) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def ci_command() -> list[str]:
    return [sys.executable, "-m", "factcheck", "ci"]


def add_store_args(ap: argparse.ArgumentParser, runs: int = 5, articles: str = "1000") -> None:
    """The options of a script that measures on this script's stores: the corpus sizes, the runs
    at each, and the folder of the stores."""
    ap.add_argument("--articles", default=articles, help="synthetic corpus sizes, comma-separated")
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-bench-ci"))


@contextlib.contextmanager
def injected(sitecustomize: str, env: dict[str, str]) -> Iterator[Path]:
    """Inside the block, the `ci` processes of `one_run` load `sitecustomize` (Python source) at
    start-up, with `env` set; both are undone after it. Yields the temporary folder holding it,
    where the runs may write what they found."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
        full = {"PYTHONPATH": os.pathsep.join(filter(None, [tmp, os.environ.get("PYTHONPATH")])), **env}
        saved = {k: os.environ.get(k) for k in full}
        os.environ.update(full)
        try:
            yield Path(tmp)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def one_run(db_path: Path, work: Path, i: int, new_text: str = NEW_ARTICLE,
            tree: Path | None = None, corpus: Path | None = None) -> tuple[float, dict, int]:
    """One `ci` run on a copy of the store (the run's seeds/ folder holds the 5 seeds and the new
    file). With `corpus` (the folder the synthetic corpus was stored from), `ci --dir` looks at
    that folder as it looks at a repository's corpus folder, every file of it, to find what changed."""
    run = work / f"run_{db_path.stem}_{i}"
    shutil.rmtree(run, ignore_errors=True)
    (run / "claims").mkdir(parents=True)
    shutil.copytree(SEEDS, run / "seeds")
    shutil.copy(db_path, run / "claims" / "factcheck.db")
    (run / "seeds" / "new_article.txt").write_text(new_text, encoding="utf-8")
    # the copy is written to disk before the run: left in the page cache, its dirty pages are
    # flushed by the first fsync of the store (the write-ahead log's fold when `ci` ends), which
    # then took 0.4 s at 2,005 articles (250 MB) against 0.015 s for a store at rest
    with open(run / "claims" / "factcheck.db", "rb+") as fh:
        os.fsync(fh.fileno())
    t = time.perf_counter()
    where = ["--dir", str(corpus.resolve())] if corpus is not None else []
    p = subprocess.run(ci_command() + ["seeds/new_article.txt", "--format", "github", *where], cwd=run,
                       capture_output=True, text=True, env=_env(tree))
    wall = time.perf_counter() - t
    if p.returncode not in (0, 3):
        raise SystemExit(f"factcheck ci failed ({p.returncode}):\n{p.stderr[-2000:]}")
    con = sqlite3.connect(run / "claims" / "factcheck.db")
    row = con.execute("select timings from runs where command = 'ci' order by id desc limit 1").fetchone()
    con.close()
    shutil.rmtree(run, ignore_errors=True)
    return wall, json.loads(row[0]) if row else {}, p.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", default="1000",
                    help="synthetic corpus sizes, comma-separated (e.g. 500,1000): one column each")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-bench-ci"))
    ap.add_argument("--new-file", type=Path, default=None,
                    help="time this article instead of the built-in one (which restates the corpus' story; "
                         "an article on another story shows what grows with the corpus alone)")
    ap.add_argument("--distinct", action="store_true",
                    help="synthetic sentences with varied openers, so that most claim texts differ (their own "
                         "stores: corpus_Nd.db)")
    ap.add_argument("--in-folder", action="store_true",
                    help="ci's corpus folder (--dir) is the one the synthetic corpus was stored from, "
                         "as a repository holds its articles: ci looks at every file to find what changed")
    ap.add_argument("--ms", action="store_true",
                    help="the table in milliseconds, one decimal (the stored timings are whole ms)")
    ap.add_argument("--against", type=Path, default=None,
                    help="another source tree of the package (e.g. `git worktree add /tmp/old REV`): its runs "
                         "alternate with this tree's, on stores it analysed itself, and both are reported")
    args = ap.parse_args()
    new_text = args.new_file.read_text(encoding="utf-8") if args.new_file else NEW_ARTICLE
    sizes = [0] + sorted({int(x) for x in str(args.articles).split(",") if int(x) > 0})
    args.work.mkdir(parents=True, exist_ok=True)
    prepared = {}
    for n in sizes:
        label = f"5 seeds + {n} synthetic" if n else "5 seeds"
        print(f"{label}:", flush=True)
        prepared[n] = (label, prepare(args.work, n, args.distinct))
    against = {n: prepare_against(args.work, n, db, args.against.resolve()) for n, (_, db) in prepared.items()} \
        if args.against else {}
    # the runs alternate between the stores (and the trees), so that a change in the host's load
    # hits all alike
    def corpus_of(n: int) -> Path | None:
        """The synthetic files the run's folder links to (--in-folder), as prepared."""
        if not args.in_folder or not n:
            return None
        return args.work / f"synthetic_{n}{'d' if args.distinct else ''}"

    # each tree's bytecode written first: where PYTHONDONTWRITEBYTECODE is set (as `make` expects),
    # a tree without it compiles its modules in every run (0.1-0.3 s of the wall, and of a stage
    # whose modules load lazily), which a comparison of two trees would count as theirs
    for tree in [ROOT, *([args.against.resolve()] if args.against else [])]:
        compileall.compile_dir(str(tree / "factcheck"), quiet=1)
    runs: dict[int, list] = {n: [] for n in prepared}
    other: dict[int, list] = {n: [] for n in against}
    for i in range(args.runs):
        for n, (_, db_path) in prepared.items():
            runs[n].append(one_run(db_path, args.work, i, new_text, corpus=corpus_of(n)))
            if n in against:
                other[n].append(one_run(against[n], args.work, i, new_text, args.against.resolve(), corpus_of(n)))
    rows = {}
    for n, got in runs.items():
        keys = sorted({k for _, t, _ in got for k in t})
        med = {k: statistics.median(t.get(k, 0.0) for _, t, _ in got) for k in keys}
        rows[n] = (statistics.median(w for w, _, _ in got), med, got[0][2])
        print(f"{prepared[n][0]}: wall {rows[n][0]:.2f} s (median of {args.runs}), exit {got[0][2]}; "
              + ", ".join(f"{k} {v:.2f}" for k, v in med.items()), flush=True)
    big = sizes[1:]
    unit = "ms" if args.ms else "s"
    print("\n" + f"{'stage (' + unit + ')':24s} {'5 seeds':>8s} " + " ".join(f"{'+' + str(n):>8s}" for n in big)
          + "   growth from 5 seeds")

    def row(name: str, vals: list[float]) -> None:
        """One row: the medians at each size, then their growth from the 5 seeds."""
        if args.ms:
            vals = [v * 1000 for v in vals]
        digits = 1 if args.ms else 2
        print(f"{name:24s} " + " ".join(f"{v:8.{digits}f}" for v in vals) + "   "
              + " ".join(f"{v - vals[0]:+7.{digits}f}" for v in vals[1:]))

    stages = sorted({k for r in rows.values() for k in r[1]})
    for k in stages:
        row(k, [rows[n][1].get(k, 0.0) for n in sizes])
    row("wall (subprocess)", [rows[n][0] for n in sizes])
    # the measure: what the analysis spends beyond the model (loading it and embedding the
    # new claims: `embed.model`; the rest of the embed stage, reading every cached vector, counts)
    # and the nearest-neighbour search itself, per run, then the median (medians do not add up)
    row("beyond model and search", [_beyond(runs[n]) for n in sizes])
    # ... and beyond reading the vectors the (exhaustive) search scans: the rest of the embed stage
    row("... and the vector read", [_beyond(runs[n], vectors=True) for n in sizes])
    # ... and beyond parsing the new file itself (fluency's and normalisation's spaCy parses of its
    # text: work of the file, not of the corpus, and the noisiest part of what is left)
    row("... and its own parses", [_beyond(runs[n], vectors=True, parses=True) for n in sizes])
    # the wall's share of the analysis: what it did after the model's vectors came, beyond the
    # search (the work done while waiting for them, the clustering's reads among it, is not; it
    # adds to the wall only where the run did not wait, `analyze.embed.model` near 0)
    if all("after_model" in t for n in sizes for _, t, _ in runs[n]):
        row("after the model, beyond search", [_after(runs[n]) for n in sizes])
    if other:
        print(f"\n{args.against} (runs alternating with the above), medians:")
        for k in stages:
            row(k, [statistics.median(t.get(k, 0.0) for _, t, _ in other[n]) for n in sizes])
        row("wall (subprocess)", [statistics.median(w for w, _, _ in other[n]) for n in sizes])
        row("beyond model and search", [_beyond(other[n]) for n in sizes])
        row("... and the vector read", [_beyond(other[n], vectors=True) for n in sizes])
        if all("analyze.fluency.parse" in t for n in sizes for _, t, _ in other[n]):
            row("... and its own parses", [_beyond(other[n], vectors=True, parses=True) for n in sizes])
        if all("after_model" in t for n in sizes for _, t, _ in other[n]):
            row("after the model, beyond search", [_after(other[n]) for n in sizes])

def _after(got: list) -> float:
    """The median over runs of what the analysis did after the model's vectors came, beyond the
    nearest-neighbour search."""
    return statistics.median(t["after_model"] - t.get("analyze.cluster.search", 0.0) for _, t, _ in got)


def _beyond(got: list, vectors: bool = False, parses: bool = False) -> float:
    """The median over runs of what the analysis spent beyond the model and the search (with
    `vectors`, also beyond reading the cached vectors: the whole embed stage; with `parses`, also
    beyond parsing the new file's text in the fluency and normalisation stages)."""
    return statistics.median(
        sum(v for k, v in t.items() if k.startswith("analyze.") and k.count(".") == 1)
        - t.get("analyze.embed" if vectors else "analyze.embed.model", 0.0)
        - t.get("analyze.cluster.search", 0.0)
        - (t.get("analyze.fluency.parse", 0.0) + t.get("analyze.normalise.parse", 0.0) if parses else 0.0)
        for _, t, _ in got)


if __name__ == "__main__":
    main()
