"""Check that `factcheck ci` deltas on a large corpus give what a full clustering gives.

    .venv/bin/python benchmarks/check_delta.py [--articles 2000] [--work DIR] [--new-file F ...] [--distinct]

On a copy of the store `bench_ci.py` prepares (seeds + N synthetic articles, kept in --work), runs
`factcheck ci` with each new file in turn (each a delta from the state the one before stored;
default: the story's file `bench_ci.NEW_ARTICLE`, then `benchmarks/data/other_story.txt`), then a
plain `analyze` (which scores the articles those runs left stale). A second copy of the result is
then clustered in full (its stored cluster state dropped, so the clusters, conflicts and scores
are computed again from every claim). Prints both results' counts and whether their clusters,
conflicts and scores are the same, and how many stored clusters have a linkage (the next delta
reads it) and how many of those store their merges; exits 1 when they differ. The suite checks
the same on small corpora; this is the check at the sizes the benchmark times.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ci  # noqa: E402

ROOT = bench_ci.ROOT


def _results(path: Path) -> tuple[list, list, dict]:
    con = sqlite3.connect(path)
    clusters = sorted(tuple(sorted(json.loads(c))) for (c,) in con.execute("select claims from clusters"))
    conflicts = sorted(con.execute("select a, b, kind, severity from conflicts").fetchall())
    scores = dict(con.execute("select article_id, score from scores").fetchall())
    con.close()
    return clusters, conflicts, scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/factcheck-bench-ci"))
    ap.add_argument("--new-file", type=Path, action="append", default=None,
                    help="a new article file (repeat for several, run in turn)")
    ap.add_argument("--distinct", action="store_true", help="the store of `bench_ci.py --distinct`")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db_path = bench_ci.prepare(args.work, args.articles, args.distinct)
    news = ([p.read_text(encoding="utf-8") for p in args.new_file] if args.new_file else
            [bench_ci.NEW_ARTICLE, (ROOT / "benchmarks" / "data" / "other_story.txt").read_text(encoding="utf-8")])
    run = args.work / "check_delta"
    shutil.rmtree(run, ignore_errors=True)
    (run / "claims").mkdir(parents=True)
    shutil.copytree(bench_ci.SEEDS, run / "seeds")
    shutil.copy(db_path, run / "claims" / "factcheck.db")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        for i, text in enumerate(news):
            (run / "seeds" / f"new_{i}.txt").write_text(text, encoding="utf-8")
            p = subprocess.run(bench_ci.ci_command() + [f"seeds/new_{i}.txt"], cwd=run, capture_output=True,
                               text=True, env=env)
            print(f"ci new_{i}.txt: exit {p.returncode}", flush=True)
            if p.returncode not in (0, 3):
                raise SystemExit(p.stderr[-2000:])
        sys.path.insert(0, str(ROOT))
        from factcheck import pipeline, store
        from factcheck.settings import load_settings
        db = store.open_db(run / "claims" / "factcheck.db")
        pipeline.analyze(db, load_settings())
        store.checkpoint(db)
        from factcheck.stages.clusters import linkage_parts
        rows = db.execute("select claims, linkage from clusters").fetchall()
        parts = [None if b is None else linkage_parts(b, len(json.loads(c))) for c, b in rows]
        linked = (sum(p is not None for p in parts), len(rows), sum(p is not None and p[2] is not None for p in parts))
        db.conn.close()
        full = run / "full.db"
        shutil.copy(run / "claims" / "factcheck.db", full)
        db = store.open_db(full)
        db.execute("delete from state where key in ('cluster_basis', 'corpus')")
        db.conn.commit()
        res = pipeline.analyze(db, load_settings())
        db.conn.close()
        if res.timings.get("cluster", 0) <= 0:
            raise SystemExit("the full clustering did not run")
        delta, again = _results(run / "claims" / "factcheck.db"), _results(full)
    finally:
        shutil.rmtree(run, ignore_errors=True)
    moved = sum(1 for a in set(delta[2]) | set(again[2]) if delta[2].get(a) != again[2].get(a))
    print(f"clusters: deltas {len(delta[0])}, full {len(again[0])}, the same: {delta[0] == again[0]}")
    print(f"conflicts: deltas {len(delta[1])}, full {len(again[1])}, the same: {delta[1] == again[1]}")
    print(f"scores that differ: {moved} of {len(again[2])}")
    print(f"stored clusters with a linkage after the deltas: {linked[0]} of {linked[1]}, "
          f"{linked[2]} of them with their merges")
    if delta[0] != again[0] or delta[1] != again[1] or moved:
        sys.exit(1)


if __name__ == "__main__":
    main()
