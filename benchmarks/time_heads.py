"""Time the reads of every article's stored heads that each `factcheck ci` makes, alone, on the
stores `bench_ci.py` prepares: what grows with the corpus in one run besides the search.

    .venv/bin/python benchmarks/time_heads.py [--articles 1000,2000] [--runs 15] [--work DIR] [--distinct]
                                              [--against TREE]

Each read runs `--runs` times in this process on a copy of the store (after one read that warms
the page cache, as the `ci` process's first stages do); prints the median ms per read at each
size (the 5 seeds first) and their sum. The analysis makes each once a run.

With --against TREE (another source tree, e.g. `git worktree add /tmp/old REV`), that tree's
package and its own `benchmarks/time_heads.py` are loaded in this process under other names
(`factcheck_against`), and its reads, on the store its code analysed (`bench_ci.prepare_against`),
alternate with this tree's one by one: a comparison of a few ms that separate `ci` processes on
a busy host do not resolve. Both are printed.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ci  # noqa: E402

sys.path.insert(0, str(bench_ci.ROOT))
from factcheck import pipeline, store  # noqa: E402
from factcheck.stages import clusters  # noqa: E402


def reads(db) -> dict[str, object]:
    """Name -> a function making that read (as the analysis makes it)."""
    table = store.ArticleTable(db)
    shas = table.shas
    heads = store.knn_state_heads(db)
    norm_version = pipeline.norm_version()
    # (the articles the store's change log holds: a `ci` run compares the fluency context, the
    # normalisation cache and the merge input of those articles alone once the log stands)
    logged = table.changes if table.changes is not None else frozenset(list(shas)[:1])
    out = {
        "article content hashes": lambda: store.article_hashes(db),
        "article change log": lambda: store.article_changes(db),
        "claim columns' heads (logged)": lambda: store.ClaimTable(db, shas, pipeline.COLUMNS_VERSION,
                                                                  changes=logged).spans,
        "kNN rows' heads": lambda: store.knn_state_heads(db),
        "clusters with their slots": lambda: store.load_clusters_and_slots(db, lists_later=True),
        "copy-detection state": lambda: store.origin_state_rows(db),
        "origin groups": lambda: store.load_origins(db),
        "fluency context (logged)": lambda: store.fluency_context_articles(db, logged),
        "garbled sentences": lambda: store.stored_garbled_sentences(db),
        "normalised rows' heads (logged)": lambda: store.norm_cache_heads(db, norm_version, logged),
        "normalised, no summary": lambda: store.norm_cache_unsummarised(db, norm_version),
        "merge input (logged, count)": lambda: (store.norm_merge_articles(db, logged),
                                                store.count_rows(db, "norm_merge_articles")),
    }
    if heads is not None:
        out["kNN state from its heads"] = lambda: clusters.KnnState.from_heads(*heads)
    return out


def load_against(tree: Path, into: Path):
    """`tree`'s package and its `benchmarks/time_heads.py`, copied into `into` under the names
    `factcheck_against` and `time_heads_against` (their imports of the package renamed) and
    imported: that tree's `reads`."""
    pkg = into / "factcheck_against"
    shutil.copytree(tree / "factcheck", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    rename = re.compile(r"\b(from|import) factcheck(?=[.\s])")
    for f in [*pkg.rglob("*.py"), into / "time_heads_against.py"]:
        source = (tree / "benchmarks" / "time_heads.py") if f.name == "time_heads_against.py" else f
        f.write_text(rename.sub(r"\1 factcheck_against", source.read_text(encoding="utf-8")), encoding="utf-8")
    sys.path.insert(0, str(into))
    module = importlib.import_module("time_heads_against")
    return module.reads, module.store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_ci.add_store_args(ap, runs=15, articles="1000,2000")
    ap.add_argument("--distinct", action="store_true", help="the stores whose claim texts mostly differ")
    ap.add_argument("--against", type=Path, help="another source tree of the package: its reads alternate with "
                                                  "this tree's in this process, on the store it analysed")
    args = ap.parse_args()
    sizes = [0] + [int(x) for x in args.articles.split(",") if x]
    trees = ["this tree", *([str(args.against)] if args.against else [])]
    table: dict[str, dict[str, dict[int, float]]] = {t: {} for t in trees}
    with tempfile.TemporaryDirectory() as code_dir:
        readers = {"this tree": (reads, store)}
        if args.against:
            readers[str(args.against)] = load_against(args.against.resolve(), Path(code_dir))
        gc.disable()                       # (as the analysis runs: its collector is paused)
        for n in sizes:
            src = bench_ci.prepare(args.work, n, args.distinct)
            stores = {"this tree": src}
            if args.against:
                stores[str(args.against)] = bench_ci.prepare_against(args.work, n, src, args.against.resolve())
            with tempfile.TemporaryDirectory() as tmp:
                made = {}
                for k, (tree_reads, tree_store) in readers.items():
                    path = Path(tmp) / f"{len(made)}.db"
                    shutil.copy(stores[k], path)
                    db = tree_store.open_db(path)
                    made[k] = (db, tree_reads(db))
                names = list(dict.fromkeys(name for _, fns in made.values() for name in fns))
                for name in names:
                    mine = {k: fns[name] for k, (_, fns) in made.items() if name in fns}
                    for fn in mine.values():
                        fn()
                    times: dict[str, list[float]] = {k: [] for k in mine}
                    for _ in range(args.runs):            # (the trees' reads alternate)
                        for k, fn in mine.items():
                            t = time.perf_counter()
                            fn()
                            times[k].append(time.perf_counter() - t)
                    for k, got in times.items():
                        table[k].setdefault(name, {})[n] = statistics.median(got) * 1000
                for db, _ in made.values():
                    db.conn.close()
    for k in trees:
        print(f"{k}: median ms per read ({args.runs} runs)")
        print(f"{'read':34s}" + "".join(f"{n + 5:>9,d}" for n in sizes))
        for name, row in table[k].items():
            print(f"{name:34s}" + "".join(f"{row.get(n, float('nan')):9.2f}" for n in sizes))
        print(f"{'sum':34s}" + "".join(f"{sum(r.get(n, 0.0) for r in table[k].values()):9.2f}" for n in sizes))


if __name__ == "__main__":
    main()
