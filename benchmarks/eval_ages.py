"""Person facts on news text we did not write: stories built from the FNC-1 bodies of the
development set (`../shared/bench/dev/contradiction_fnc1_headline_body.jsonl`), one per person
named with an age, each run end to end (`factcheck run` + `export`), printing the conflicts by
kind and those about a person's age or gender.

    .venv/bin/python benchmarks/eval_ages.py [--dev DIR] [--story KEYWORD ...]

A story is every distinct body longer than 300 characters that holds the keyword and an age
("Fan Lung, 32,", "32-year-old ..."); those bodies are different outlets' reports of one event,
so a conflict on a person's age or gender is either a real disagreement or a false one.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORIES = ("Fan Lung", "Rivers", "Tridevil", "Manson", "Sotloff")
_AGED = re.compile(r"\b\d{1,2}-year-old|, \d{2},")


def bodies(dev: Path) -> list[str]:
    seen: dict[str, None] = {}
    with open(dev / "contradiction_fnc1_headline_body.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            for text in (row["a"], row["b"]):
                if len(text) > 300 and _AGED.search(text):
                    seen.setdefault(text)
    return list(seen)


def run(texts: list[str]) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, t in enumerate(texts):
            (folder / f"{i:02d}.txt").write_text(t, encoding="utf-8")
        db, out = Path(tmp) / "fc.db", Path(tmp) / "e.json"
        cli = [sys.executable, "-m", "factcheck"]
        subprocess.run([*cli, "run", str(folder), "--db", str(db), "--out", str(Path(tmp) / "rep")],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([*cli, "export", "--format", "json", "--db", str(db), "-o", str(out)],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "bench" / "dev")
    ap.add_argument("--story", nargs="*", default=list(STORIES))
    args = ap.parse_args()
    every = bodies(args.dev)
    total: collections.Counter = collections.Counter()
    for key in args.story:
        texts = [t for t in every if key in t]
        export = run(texts)
        kinds = collections.Counter(c["kind"] for c in export["conflicts"])
        total.update(kinds)
        print(f"## {key}: {len(texts)} articles, {len(export['claims'])} claims, conflicts {dict(kinds) or '{}'}")
        for c in export["conflicts"]:
            if c["kind"] == "gender" or "(age" in c["explanation"]:
                print("   ", c["kind"], c["explanation"][:200])
    print(f"total: {dict(total)}")


if __name__ == "__main__":
    main()
