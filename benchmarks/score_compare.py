"""Score `factcheck compare --pairs` output against the labels of its input.

Usage:
    factcheck compare --pairs PAIRS.jsonl > OUT.jsonl
    python benchmarks/score_compare.py PAIRS.jsonl OUT.jsonl

Paraphrase files (`label` 0/1, or STS `score` 0-5 with label = score >= 4): accuracy and F1 of
relation == "same". Contradiction files (`label` refutes / supports / not_enough_info): precision
and recall of relation == "conflict" for `refutes` against `supports` (other rows left out).
"""
from __future__ import annotations

import json
import sys


def main(pairs_path: str, out_path: str) -> int:
    rows = [json.loads(l) for l in open(pairs_path, encoding="utf-8") if l.strip()]
    out = [json.loads(l) for l in open(out_path, encoding="utf-8") if l.strip()]
    if len(rows) != len(out):
        print(f"{len(rows)} input rows but {len(out)} output rows", file=sys.stderr)
        return 2
    name = pairs_path.rsplit("/", 1)[-1]
    if rows and isinstance(rows[0].get("label"), str):
        kept = [(r["label"], o["relation"]) for r, o in zip(rows, out) if r["label"] in ("refutes", "supports")]
        tp = sum(1 for lab, rel in kept if rel == "conflict" and lab == "refutes")
        fp = sum(1 for lab, rel in kept if rel == "conflict" and lab == "supports")
        pos = sum(1 for lab, _ in kept if lab == "refutes")
        prec = tp / (tp + fp) if tp + fp else 0.0
        print(f"{name}: {len(kept)} rows (refutes vs supports): conflict precision {prec:.3f} ({tp}/{tp + fp}), "
              f"recall {tp / pos if pos else 0:.3f} ({tp}/{pos})")
        return 0
    y = [int(r["label"]) if "label" in r else int(float(r["score"]) >= 4) for r in rows]
    p = [int(o["relation"] == "same") for o in out]
    tp = sum(1 for a, b in zip(y, p) if a and b)
    fp = sum(1 for a, b in zip(y, p) if b and not a)
    fn = sum(1 for a, b in zip(y, p) if a and not b)
    acc = sum(1 for a, b in zip(y, p) if a == b) / len(y) if y else 0.0
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(f"{name}: {len(y)} rows: relation == same accuracy {acc:.3f}, F1 {f1:.3f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
