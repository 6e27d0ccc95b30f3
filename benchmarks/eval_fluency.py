#!/usr/bin/env python3
"""Evaluate the fluency stage: MLQE-PE AUROC (bad vs good), seeds garble P/R/F1 (core tier), speed.

Usage: .venv/bin/python benchmarks/eval_fluency.py [--mlqe FILE] [--seeds DIR] [--gold FILE] [--show]

The seeds are split by the pipeline's own ingest and sentence stages; a gold quote counts as flagged when any sentence overlapping it is garbled,
as in ../shared/tools/score_export.py.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck.stages.fluency import build_context, score_sentences  # noqa: E402


def split_file(path: pathlib.Path) -> list[tuple[int, int, str]]:
    """(start, end, text) of the pipeline's own sentences of an article file."""
    from factcheck.stages.ingest import read_article
    from factcheck.stages.sentences import split_sentences

    return [(x.start, x.end, x.text) for x in split_sentences(read_article(path))]


def auroc(scores: list[float], labels: list[int]) -> float:
    """Probability that a random bad item scores above a random good one (ties count half)."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return float("nan")
    import numpy as np

    p, n = np.array(pos)[:, None], np.array(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (len(pos) * len(neg)))


def eval_mlqe(path: pathlib.Path, show: bool) -> dict:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["mt"] for r in rows]
    t0 = time.perf_counter()
    # each MT output is its own "article": no cross-sentence corpus to lean on
    results = score_sentences(texts, build_context({str(i): [t] for i, t in enumerate(texts)}),
                              article_ids=[str(i) for i in range(len(texts))])
    dt = time.perf_counter() - t0
    labels = [int(r["is_bad"]) for r in rows]
    scores = [r.score for r in results]
    out = {"n": len(rows), "auroc": auroc(scores, labels), "seconds": dt, "per_pair": {}}
    by_pair = defaultdict(list)
    for r, res in zip(rows, results):
        by_pair[r["lang_pair"]].append((res.score, int(r["is_bad"]), res.garbled))
    for lp, items in sorted(by_pair.items()):
        s, y, g = zip(*items)
        out["per_pair"][lp] = {"n": len(items), "auroc": auroc(list(s), list(y)),
                               "flag_rate_bad": sum(gg for gg, yy in zip(g, y) if yy) / max(1, sum(y)),
                               "flag_rate_good": sum(gg for gg, yy in zip(g, y) if not yy) / max(1, len(y) - sum(y))}
    flagged = [(r, res) for r, res in zip(rows, results) if res.garbled]
    out["flagged"] = len(flagged)
    out["flagged_bad_precision"] = sum(r["is_bad"] for r, _ in flagged) / max(1, len(flagged))
    if show:
        for r, res in flagged:
            print(f"  [{'BAD ' if r['is_bad'] else 'good'} {r['lang_pair']}] {res.score:.2f} {r['mt'][:110]!r} {res.reasons}")
    return out


def eval_seeds(seeds: pathlib.Path, gold_path: pathlib.Path, show: bool) -> dict:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    files = {p.name[:3]: p for p in sorted(seeds.glob("*.txt"))}
    texts = {k: p.read_text(encoding="utf-8") for k, p in files.items()}
    sents = {k: split_file(p) for k, p in files.items()}
    context = build_context({k: [s for _, _, s in v] for k, v in sents.items()})
    flat = [(k, s, e, t) for k, v in sents.items() for s, e, t in v]
    t0 = time.perf_counter()
    results = score_sentences([t for *_, t in flat], context, article_ids=[k for k, *_ in flat])
    dt = time.perf_counter() - t0
    rows = [(k, s, e, t, r) for (k, s, e, t), r in zip(flat, results)]

    def flagged(q: dict) -> bool:
        text = texts[q["article"]]
        i = text.find(q["quote"])
        j = i + len(q["quote"])
        return any(r.garbled for k, s, e, _, r in rows if k == q["article"] and min(e, j) > max(s, i))

    tp = fn = fp = 0
    missed, false_pos, hard_hits = [], [], 0
    for g in gold["garbled"]:
        hit = flagged(g)
        if g["tier"] != "core":
            hard_hits += hit
            continue
        tp += hit
        fn += not hit
        if not hit:
            missed.append(g["quote"])
    for f in gold["fluent"]:
        if flagged(f):
            fp += 1
            false_pos.append(f["quote"])
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    per_article = {k: sum(1 for kk, *_, res in rows if kk == k and res.garbled) for k in texts}
    if show:
        for k, s, e, t, res in rows:
            if res.garbled or res.score > 0:
                print(f"  {k} {'GARBLED' if res.garbled else '       '} {res.score:.2f} {t[:90]!r} {list(res.reasons)}")
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fn": fn,
            "fp": fp, "hard_flagged": hard_hits, "hard_total": sum(g["tier"] == "hard" for g in gold["garbled"]),
            "flagged_per_article": per_article, "sentences": len(rows), "seconds": dt,
            "missed": missed, "false_positives": false_pos}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mlqe", default="/work/shared/bench/dev/mt_quality_mlqe_pe_test20.jsonl")
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    ap.add_argument("--gold", default=str(ROOT / "tests" / "gold" / "seeds.gold.json"))
    ap.add_argument("--show", action="store_true", help="print flagged sentences with reasons")
    a = ap.parse_args()

    t0 = time.perf_counter()
    from factcheck.nlp import load_nlp

    load_nlp()
    print(f"spaCy load: {time.perf_counter() - t0:.1f} s")
    score_sentences(["Warm-up sentence for the caches."])

    s = eval_seeds(pathlib.Path(a.seeds), pathlib.Path(a.gold), a.show)
    print(f"seeds (core tier): precision {s['precision']:.3f} recall {s['recall']:.3f} F1 {s['f1']:.3f} "
          f"(tp {s['tp']}, fn {s['fn']}, fp {s['fp']}); hard tier flagged {s['hard_flagged']}/{s['hard_total']}")
    print("  flagged sentences per article: " + ", ".join(f"{k}: {v}" for k, v in s["flagged_per_article"].items()))
    for q in s["missed"]:
        print(f"  missed: {q[:100]!r}")
    for q in s["false_positives"]:
        print(f"  false positive: {q[:100]!r}")

    m = eval_mlqe(pathlib.Path(a.mlqe), a.show)
    print(f"MLQE-PE test20 (bad vs good, n={m['n']}): AUROC {m['auroc']:.3f}; flagged {m['flagged']} "
          f"of which bad {m['flagged_bad_precision']:.2f}")
    for lp, v in m["per_pair"].items():
        print(f"  {lp}: n={v['n']} AUROC {v['auroc']:.3f}  flagged bad {v['flag_rate_bad']:.2f} good {v['flag_rate_good']:.2f}")

    n = m["n"] + s["sentences"]
    secs = m["seconds"] + s["seconds"]
    print(f"speed (rules + spaCy, no language model): {n / secs:.0f} sentences/s ({n} sentences, {secs:.1f} s)")
    print("speed with the language model: not measured (no LM in this stage; see docs/fluency.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
