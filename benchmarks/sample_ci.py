"""Where `factcheck ci` spends its time for one new file, line by line of one function.

Measured inside the `ci` processes that `bench_ci.py` times.

    .venv/bin/python benchmarks/sample_ci.py [--articles 1000,2000] [--runs 5] [--work DIR]
        [--function clusters.py:_delta] [--top 25] [--new-file F] [--distinct]

Each run is `bench_ci.one_run` (a copy of the prepared store, one new file, `factcheck ci` in a
subprocess) with a sampling thread started in that process: every millisecond it finds the
innermost frame of FUNCTION on the main thread's stack and charges the time elapsed since the
previous sample to that frame's current line. Charging elapsed time, not counting samples, keeps
long calls that hold the interpreter lock (a SQLite read, a numpy gather) at their real weight; a
line profiler instead inflates lines that run much Python several times over. Prints, per line, the
milliseconds per run at each corpus size (the stores are those of `bench_ci.py --work`, prepared
the same way) and the function's total. With `--function '*'`: every function of the process,
charged the time it was anywhere on the stack, sorted by how much that grows with the corpus.
"""
from __future__ import annotations

import argparse
import collections
import linecache
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ci  # noqa: E402

# loaded by the `ci` process at start-up (PYTHONPATH): samples the main thread, and writes what it
# found to SAMPLE_OUT when the process ends (the command line ends with os._exit, so that is wrapped)
SITECUSTOMIZE = '''
import os, sys, threading, time, collections
_func = os.environ.get("FACTCHECK_SAMPLE_FUNCTION", "")
_file, _, _func = _func.rpartition(":")
if _func and os.environ.get("FACTCHECK_SAMPLE_OUT"):
    _spent = collections.Counter()
    _main = threading.main_thread().ident
    _stop = threading.Event()

    def _sample():
        last = time.perf_counter()
        while not _stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            spent, last = now - last, now
            f = sys._current_frames().get(_main)
            if _func == "*":                  # every function on the stack, once: inclusive time
                seen = set()
                while f is not None:
                    key = (f.f_code.co_filename, f.f_code.co_firstlineno)
                    if key not in seen:
                        seen.add(key)
                        _spent[key] += spent
                    f = f.f_back
                continue
            while f is not None:
                if f.f_code.co_name == _func and f.f_code.co_filename.endswith(_file):
                    _spent[(f.f_code.co_filename, f.f_lineno or 0)] += spent
                    break
                f = f.f_back

    def _dump():
        _stop.set()
        _sampler.join()
        with open(os.environ["FACTCHECK_SAMPLE_OUT"], "a", encoding="utf-8") as fh:
            for (path, line), seconds in _spent.items():
                fh.write(f"{path}\\t{line}\\t{seconds!r}\\n")

    _sampler = threading.Thread(target=_sample, daemon=True)
    _sampler.start()
    _exit = os._exit

    def _exit_after_dump(code):
        _dump()
        _exit(code)

    os._exit = _exit_after_dump
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_ci.add_store_args(ap)
    ap.add_argument("--function", default="clusters.py:_delta",
                    help="the function whose lines are charged: NAME, or FILE:NAME when other files have one; "
                         "'*': every function of the process, charged its inclusive time (shown by its first line), "
                         "sorted by what it grows from the smallest corpus to the largest")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--new-file", type=Path, default=None)
    ap.add_argument("--distinct", action="store_true", help="the stores of `bench_ci.py --distinct`")
    args = ap.parse_args()
    new_text = args.new_file.read_text(encoding="utf-8") if args.new_file else bench_ci.NEW_ARTICLE
    sizes = [0] + sorted({int(x) for x in str(args.articles).split(",") if int(x) > 0})
    args.work.mkdir(parents=True, exist_ok=True)
    stores = {n: bench_ci.prepare(args.work, n, args.distinct) for n in sizes}
    spent: dict[int, collections.Counter] = {}
    for n, db_path in stores.items():
        with bench_ci.injected(SITECUSTOMIZE, {"FACTCHECK_SAMPLE_FUNCTION": args.function,
                                               "FACTCHECK_SAMPLE_OUT": ""}) as tmp:
            out = tmp / f"spent_{n}.tsv"
            os.environ["FACTCHECK_SAMPLE_OUT"] = str(out)
            for i in range(args.runs):
                bench_ci.one_run(db_path, args.work, i, new_text)
            got: collections.Counter = collections.Counter()
            if out.exists():
                for row in out.read_text(encoding="utf-8").splitlines():
                    file, line, seconds = row.split("\t")
                    got[(file, int(line))] += float(seconds) * 1000 / args.runs
            spent[n] = got
    last = spent[sizes[-1]]
    first = spent[sizes[0]]
    if args.function == "*":
        def order(k):
            return -(last.get(k, 0.0) - first.get(k, 0.0))
    else:
        def order(k):
            return -last.get(k, 0.0)
    lines = sorted(set().union(*spent.values()), key=order)[:args.top]
    print(f"ms per run in {args.function} (medians are not used: the sums of {args.runs} runs, divided)")
    print(f"{'line':34s}" + "".join(f"{n:>8d}" for n in sizes))
    for file, line in lines:
        where = f"{Path(file).name}:{line}"
        print(f"{where:34s}" + "".join(f"{spent[n].get((file, line), 0.0):8.1f}" for n in sizes)
              + "  " + linecache.getline(file, line).strip()[:80])
    if args.function == "*":
        return                                        # (inclusive times: their sum means nothing)
    print(f"{'total':34s}" + "".join(f"{sum(spent[n].values()):8.1f}" for n in sizes))


if __name__ == "__main__":
    main()
