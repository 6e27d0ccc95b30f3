"""Time the reads of every article's stored heads that each `factcheck ci` makes, alone, on the
stores `bench_ci.py` prepares: what grows with the corpus in one run besides the search.

    .venv/bin/python benchmarks/time_heads.py [--articles 1000,2000] [--runs 15] [--work DIR] [--distinct]

Each read runs `--runs` times in this process on a copy of the store (after one read that warms
the page cache, as the `ci` process's first stages do); prints the median ms per read at each
size (the 5 seeds first) and their sum. The analysis makes each once a run.
"""
from __future__ import annotations

import argparse
import gc
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", default="1000,2000", help="synthetic corpus sizes, comma-separated")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-bench-ci"))
    ap.add_argument("--distinct", action="store_true", help="the stores whose claim texts mostly differ")
    args = ap.parse_args()
    sizes = [0] + [int(x) for x in args.articles.split(",") if x]
    table: dict[str, dict[int, float]] = {}
    gc.disable()                       # (as the analysis runs: its collector is paused)
    for n in sizes:
        src = bench_ci.prepare(args.work, n, args.distinct)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "factcheck.db"
            shutil.copy(src, path)
            db = store.open_db(path)
            for name, fn in reads(db).items():
                fn()
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - t)
                table.setdefault(name, {})[n] = statistics.median(times) * 1000
            db.conn.close()
    print(f"median ms per read ({args.runs} runs)")
    print(f"{'read':30s}" + "".join(f"{n + 5:>9,d}" for n in sizes))
    for name, row in table.items():
        print(f"{name:30s}" + "".join(f"{row.get(n, float('nan')):9.2f}" for n in sizes))
    print(f"{'sum':30s}" + "".join(f"{sum(r.get(n, 0.0) for r in table.values()):9.2f}" for n in sizes))


if __name__ == "__main__":
    main()
