"""Prints pipeline timings measured in one run: start-up, a fresh run over the seeds, a second
run over unchanged seeds, one changed file, and export.

    .venv/bin/python benchmarks/bench_pipeline.py [--seeds seeds] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FC = [sys.executable, "-m", "factcheck"]


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return time.perf_counter() - t, p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(a.seeds, tmp / "seeds")
    db = str(tmp / "fc.db")

    helps = [timed(FC + ["--help"], tmp)[0] for _ in range(a.repeat)]
    print(f"factcheck --help: median {statistics.median(helps):.3f} s over {a.repeat}")

    t, p = timed(FC + ["run", "seeds", "--db", db, "--out", "reports"], tmp)
    assert p.returncode == 0, p.stderr
    print(f"first run over {len(list((tmp / 'seeds').iterdir()))} seeds: {t:.2f} s")

    seconds = []
    for _ in range(a.repeat):
        t, p = timed(FC + ["run", "seeds", "--db", db, "--out", "reports"], tmp)
        seconds.append(t)
    import sqlite3
    con = sqlite3.connect(db)
    last = con.execute("select counts, timings from runs order by id desc limit 1").fetchone()
    counts = json.loads(last[0])
    print(f"second run over unchanged seeds: median {statistics.median(seconds):.2f} s over "
          f"{a.repeat}; embedded {counts['embedded']}, added {counts['added']}, updated "
          f"{counts['updated']}, analysis skipped {counts['analysis_skipped']}")

    f = sorted((tmp / "seeds").glob("004_*"))[0]
    f.write_text(f.read_text(encoding="utf-8") + "\nThe delegation left on Friday.\n", encoding="utf-8")
    t, p = timed(FC + ["run", "seeds", "--db", db, "--out", "reports"], tmp)
    counts = json.loads(con.execute("select counts from runs order by id desc limit 1").fetchone()[0])
    print(f"run after changing one file: {t:.2f} s; updated {counts['updated']}, embedded {counts['embedded']}")

    exports = [timed(FC + ["export", "--format", "json", "--db", db, "-o", "e.json"], tmp)[0]
               for _ in range(3)]
    print(f"export --format json: median {statistics.median(exports):.2f} s")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
