"""What each store statement of a `factcheck ci` run for one new file costs, and what it writes.

Measured inside the `ci` processes that `bench_ci.py` times.

    .venv/bin/python benchmarks/sql_ci.py [--articles 1000,2000] [--runs 5] [--work DIR]
        [--top 30] [--new-file F] [--distinct] [--pages]

Each run is `bench_ci.one_run` (a copy of the prepared store, one new file, `factcheck ci` in a
subprocess). In that process every statement made through sqlite-utils' `Database.execute` (the
store's reads, its deletes and updates, the fold of the write-ahead log at the end) is timed, its
rows' fetch included; statements differing only in the number of their placeholders count as one.
`conn.executemany` (the bulk inserts) is not. Prints, per statement, the median milliseconds per run at
each corpus size, sorted by how much that grows from the smallest corpus to the largest, and the
rows it returned at the largest. With `--pages`: the pages the run wrote to the write-ahead log,
per table or index (the log's frame headers name the pages, the `dbstat` table their owners),
counted just before the fold: what the fold writes again.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ci  # noqa: E402

# loaded by the `ci` process at start-up (PYTHONPATH): wraps `Database.execute`, and writes what it
# found to FACTCHECK_SQL_OUT when the process ends (the command line ends with os._exit)
SITECUSTOMIZE = r'''
import os
# (taken out of the environment: the processes `ci` starts, its embedding worker, do not load it)
_out, _with_pages = os.environ.pop("FACTCHECK_SQL_OUT", ""), os.environ.pop("FACTCHECK_SQL_PAGES", "")
if _out:
    import collections, json, re, struct, time
    import sqlite_utils.db as _sdb
    _spent = collections.defaultdict(lambda: [0.0, 0])
    _pages = {}

    def _key(sql):
        return re.sub(r"\?(\s*,\s*\?)+", "?..", re.sub(r"\s+", " ", sql.strip()))[:160]

    class _Cursor:
        def __init__(self, cur, key):
            self._cur, self._key = cur, key

        def _timed(self, fetch, *args):
            t = time.perf_counter()
            rows = fetch(*args)
            _spent[self._key][0] += time.perf_counter() - t
            return rows

        def fetchall(self):
            rows = self._timed(self._cur.fetchall)
            _spent[self._key][1] += len(rows)
            return rows

        def fetchone(self):
            return self._timed(self._cur.fetchone)

        def fetchmany(self, *args):
            return self._timed(self._cur.fetchmany, *args)

        def __iter__(self):
            it = iter(self._cur)
            while True:
                t = time.perf_counter()
                row = next(it, None)
                _spent[self._key][0] += time.perf_counter() - t
                if row is None:
                    return
                _spent[self._key][1] += 1
                yield row

        def __getattr__(self, name):
            return getattr(self._cur, name)

    def _wal_pages(db):
        path = db.conn.execute("pragma database_list").fetchone()[2]
        try:
            with open(path + "-wal", "rb") as fh:
                wal = fh.read()
        except OSError:
            return
        size = struct.unpack(">I", wal[8:12])[0] if len(wal) >= 32 else 0
        frames = [struct.unpack(">I", wal[o:o + 4])[0] for o in range(32, len(wal) - 24 - size + 1, 24 + size)]
        owner = dict(db.conn.execute("select pageno, name from dbstat"))
        for p in frames:
            name = owner.get(p, "(free or new)")
            _pages[name] = _pages.get(name, 0) + 1

    _execute = _sdb.Database.execute

    def execute(self, sql, parameters=None):
        key = _key(sql)
        if "wal_checkpoint" in key and _with_pages:
            _wal_pages(self)
        t = time.perf_counter()
        cur = _execute(self, sql, parameters)
        _spent[key][0] += time.perf_counter() - t
        return _Cursor(cur, key)

    _sdb.Database.execute = execute
    _exit = os._exit

    def _exit_after_dump(code=0):
        with open(_out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"spent": _spent, "pages": _pages}) + "\n")
        _exit(code)

    os._exit = _exit_after_dump
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_ci.add_store_args(ap)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--new-file", type=Path, default=None)
    ap.add_argument("--distinct", action="store_true", help="the stores of `bench_ci.py --distinct`")
    ap.add_argument("--pages", action="store_true",
                    help="also the pages the run wrote to the write-ahead log, per table or index")
    args = ap.parse_args()
    new_text = args.new_file.read_text(encoding="utf-8") if args.new_file else bench_ci.NEW_ARTICLE
    sizes = [0] + sorted({int(x) for x in str(args.articles).split(",") if int(x) > 0})
    args.work.mkdir(parents=True, exist_ok=True)
    stores = {n: bench_ci.prepare(args.work, n, args.distinct) for n in sizes}
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    with bench_ci.injected(SITECUSTOMIZE, {"FACTCHECK_SQL_PAGES": "1" if args.pages else "",
                                           "FACTCHECK_SQL_OUT": ""}) as tmp:
        # the runs alternate between the stores, so that a change in the host's load hits all alike
        for i in range(args.runs):
            for n, db_path in stores.items():
                out = tmp / f"run_{n}_{i}.json"
                os.environ["FACTCHECK_SQL_OUT"] = str(out)
                bench_ci.one_run(db_path, args.work, i, new_text)
                if out.exists():
                    runs[n].append(json.loads(out.read_text(encoding="utf-8").splitlines()[-1]))
    if not all(runs.values()):
        raise SystemExit("no statement was recorded (the `ci` runs did not load the wrapper)")

    def median_ms(n: int, key: str) -> float:
        return statistics.median(r["spent"].get(key, [0.0, 0])[0] * 1000 for r in runs[n])

    keys = set().union(*(r["spent"] for n in sizes for r in runs[n]))
    first, last = sizes[0], sizes[-1]
    growth = {k: median_ms(last, k) - median_ms(first, k) for k in keys}
    print(f"median ms per run of each statement ({args.runs} runs at each size), by its growth")
    print(f"{'growth':>8s}" + "".join(f"{n:>9d}" for n in sizes) + f"{'rows':>8s}  statement")
    for k in sorted(keys, key=lambda k: -growth[k])[:args.top]:
        rows = statistics.median(r["spent"].get(k, [0.0, 0])[1] for r in runs[last])
        print(f"{growth[k]:+8.2f}" + "".join(f"{median_ms(n, k):9.2f}" for n in sizes) + f"{rows:8.0f}  {k[:110]}")
    totals = {n: statistics.median(sum(v[0] for v in r["spent"].values()) * 1000 for r in runs[n]) for n in sizes}
    print(f"{'all':>8s}" + "".join(f"{totals[n]:9.2f}" for n in sizes))
    if args.pages:
        names = set().union(*(r["pages"] for n in sizes for r in runs[n]))

        def pages(n: int, name: str) -> float:
            return statistics.median(r["pages"].get(name, 0) for r in runs[n])

        print("\npages written to the write-ahead log per run (medians), by table or index")
        print(f"{'':40s}" + "".join(f"{n:>9d}" for n in sizes))
        for name in sorted(names, key=lambda x: -pages(last, x)):
            print(f"{name[:40]:40s}" + "".join(f"{pages(n, name):9.0f}" for n in sizes))
        print(f"{'all':40s}" + "".join(
            f"{statistics.median(sum(r['pages'].values()) for r in runs[n]):9.0f}" for n in sizes))


if __name__ == "__main__":
    main()
