#!/usr/bin/env python3
"""Evaluate conflict detection.

    python benchmarks/eval_conflicts.py seeds      # gold conflicts / traps on seeds/, sentence = claim
    python benchmarks/eval_conflicts.py vitaminc   # refutes vs supports, precision/recall
    python benchmarks/eval_conflicts.py emergent   # a headline against a claim vs for/observing
    python benchmarks/eval_conflicts.py mnli       # contradiction vs entailment+neutral, per kind/category
    python benchmarks/eval_conflicts.py all [--nli PATH]

Seeds mode treats every pysbd sentence as a claim and every pair as a candidate (no clusters),
and links gold quotes to claims the way ../shared/tools/score_export.py does (overlap >= 50% of
the shorter). `--export FILE` also writes an export JSON that score_export.py can read.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
import time
from collections import Counter, defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck.records import Article, Claim, stable_id  # noqa: E402
from factcheck.stages.conflicts import ConflictSettings, NLIScorer, compare_claims, find_conflicts  # noqa: E402
from factcheck.stages.normalize import normalize_claims  # noqa: E402

BENCH = pathlib.Path("/work/shared/bench/dev")


def sentence_claims(article: Article) -> list[Claim]:
    """Each pysbd sentence (per line) as a claim, offsets found by searching."""
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    out, pos = [], 0
    for line in article.text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        cursor = line_start
        for s in seg.segment(line):
            s = s.strip()
            if not s:
                continue
            i = article.text.find(s, cursor)
            if i < 0:
                continue
            cursor = i + len(s)
            cid = stable_id(article.id, str(i), str(i + len(s)))
            out.append(Claim(cid, article.id, cid, len(out), i, i + len(s), s, s))
    return out


def seed_articles(seeds: pathlib.Path, gold: dict) -> dict[str, Article]:
    pub = {}
    for a in gold["articles"]:
        m = re.match(r"\d{4}(?:-\d{2})?(?:-\d{2})?", a.get("published") or "")
        pub[a["id"]] = m.group(0) if m else None
    arts = {}
    for p in sorted(seeds.glob("*.txt")):
        aid = p.stem
        arts[aid] = Article(aid, str(p), "", p.read_text(encoding="utf-8"), published=pub.get(aid[:3]),
                            published_source="gold file")
    return arts


def run_seeds(args) -> dict:
    gold = json.loads((ROOT / "tests/gold/seeds.gold.json").read_text(encoding="utf-8"))
    arts = seed_articles(ROOT / "seeds", gold)
    claims = [c for a in arts.values() for c in sentence_claims(a)]
    t0 = time.time()
    facts = normalize_claims(claims, arts)
    nli = NLIScorer(args.nli) if args.nli else None
    conflicts = find_conflicts(claims, facts, None, arts, ConflictSettings(), nli=nli)
    elapsed = time.time() - t0
    pairs = {(x.a, x.b) for x in conflicts} | {(x.b, x.a) for x in conflicts}

    def claims_at(q):
        text = arts[next(k for k in arts if k.startswith(q["article"]))].text
        s = text.find(q["quote"])
        e = s + len(q["quote"])
        return [c.id for c in claims if c.article_id.startswith(q["article"])
                and (ov := max(0, min(e, c.end) - max(s, c.start))) and ov >= 0.5 * min(e - s, c.end - c.start)]

    def linked(p):
        return any((u, v) in pairs for u in claims_at(p["a"]) for v in claims_at(p["b"]) if u != v)

    found = [c["id"] for c in gold["conflicts"] if linked(c)]
    missed = [c["id"] for c in gold["conflicts"] if not linked(c)]
    false = [n["id"] for n in gold["not_conflicts"] if linked(n)]
    print(f"seeds: {len(claims)} sentence-claims, {len(conflicts)} conflicts in {elapsed:.1f}s")
    print(f"  gold conflicts found {len(found)}/{len(gold['conflicts'])}: {found}  missed: {missed}")
    print(f"  traps flagged {len(false)}/{len(gold['not_conflicts'])}: {false}")
    print(f"  by kind: {dict(Counter(x.kind for x in conflicts))}")
    if args.verbose:
        for x in conflicts:
            print(f"   [{x.kind} {x.severity}] {x.explanation}")
    if args.export:
        ex = {"articles": [{"id": a.id, "file": a.file, "published": a.published} for a in arts.values()],
              "sentences": [], "clusters": [],
              "claims": [{"id": c.id, "article": c.article_id, "sentence": c.sentence_id, "start": c.start,
                          "end": c.end, "text": c.text, "speaker": None, "cluster": None} for c in claims],
              "conflicts": [{"id": x.id, "a": x.a, "b": x.b, "kind": x.kind, "explanation": x.explanation,
                             "status": x.status} for x in conflicts]}
        pathlib.Path(args.export).write_text(json.dumps(ex, indent=1, ensure_ascii=False), encoding="utf-8")
    return {"found": found, "missed": missed, "false": false, "total": len(conflicts)}


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (BENCH / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _judge(rows: list[dict], positive: str, args) -> tuple[list[tuple[dict, object, bool]], dict, dict[str, Counter]]:
    """compare_claims over `rows`: (row, result, gold) per row, the totals, and right/wrong per kind."""
    nli = NLIScorer(args.nli) if args.nli else None
    out, kinds = [], defaultdict(Counter)
    tp = fp = fn = 0
    for r in rows:
        res = compare_claims(r["a"], r["b"], nli=nli)
        gold = r["label"] == positive
        if res.conflict:
            kinds[res.kind]["tp" if gold else "fp"] += 1
            if args.verbose:
                print(f"  {'TP' if gold else 'FP'} [{res.kind}] {res.explanation}")
        tp += gold and res.conflict
        fp += (not gold) and res.conflict
        fn += gold and not res.conflict
        out.append((r, res, gold))
    p = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return out, {"precision": p, "recall": rec, "tp": tp, "fp": fp, "fn": fn}, kinds


def _headline(name: str, what: str, n: int, seconds: float, t: dict) -> None:
    print(f"{name} ({n} rows: {what}, {seconds:.1f}s): precision {t['precision']:.3f} ({t['tp']}/{t['tp'] + t['fp']}), "
          f"recall {t['recall']:.3f} ({t['tp']}/{t['tp'] + t['fn']})")


def _run_pairs(args, name: str, file: str, positive: str, what: str, keep=lambda r: True) -> dict:
    """compare_claims over one pair file: the headline and the right and wrong verdicts per kind."""
    rows = [r for r in _rows(file) if keep(r)]
    t0 = time.time()
    _, totals, kinds = _judge(rows, positive, args)
    _headline(name, what, len(rows), time.time() - t0, totals)
    for k, c in sorted(kinds.items()):
        print(f"  {k}: {c['tp']} right, {c['fp']} wrong")
    return totals


def run_vitaminc(args) -> dict:
    return _run_pairs(args, "vitaminc", "contradiction_vitaminc_sample.jsonl", "refutes", "refutes vs supports",
                      keep=lambda r: r["label"] in ("refutes", "supports"))


def run_emergent(args) -> dict:
    """Emergent claims against headlines about them: "against" (the headline calls the claim
    untrue, or says the opposite) vs "for" and "observing"."""
    return _run_pairs(args, "emergent", "contradiction_emergent_claim_headline.jsonl", "against",
                      "against vs for+observing")


def run_mnli(args) -> dict:
    rows = _rows("contradiction_mnli_dev_taxinli.jsonl")
    t0 = time.time()
    judged, totals, by_kind = _judge(rows, "contradiction", args)
    by_cat: dict[str, Counter] = defaultdict(Counter)
    for r, res, gold in judged:
        for cat in r.get("taxinli_categories") or ["(none)"]:
            by_cat[cat]["n_contra" if gold else "n_other"] += 1
            if res.conflict:
                by_cat[cat]["tp" if gold else "fp"] += 1
    _headline("mnli", "contradiction vs entailment+neutral", len(rows), time.time() - t0, totals)
    print("  precision per conflict kind:")
    for k, c in sorted(by_kind.items()):
        print(f"    {k}: {c['tp']}/{c['tp'] + c['fp']} = {c['tp'] / (c['tp'] + c['fp']):.2f}")
    print("  per TaxiNLI category: flagged contradictions (recall) / flagged non-contradictions, precision:")
    for cat, c in sorted(by_cat.items(), key=lambda kv: -kv[1]["n_contra"]):
        flagged = c["tp"] + c["fp"]
        prec = f"{c['tp'] / flagged:.2f}" if flagged else "-"
        print(f"    {cat:24s} recall {c['tp']}/{c['n_contra']}  false {c['fp']}/{c['n_other']}  precision {prec}")
    return {"precision": totals["precision"], "recall": totals["recall"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["seeds", "vitaminc", "emergent", "mnli", "all"])
    ap.add_argument("--nli", help="local CrossEncoder NLI folder (optional extra signal)")
    ap.add_argument("--export", help="seeds: write an export JSON for score_export.py")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.what in ("seeds", "all"):
        run_seeds(args)
    if args.what in ("vitaminc", "all"):
        run_vitaminc(args)
    if args.what in ("emergent", "all"):
        run_emergent(args)
    if args.what in ("mnli", "all"):
        run_mnli(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
