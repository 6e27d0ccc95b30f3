"""How far the embedding model alone can take corroboration on a gold file: the cosine of every
cross-article pair of quotes within one corroboration group (same fact), next to the highest
cosines between quotes of different groups (different facts of the same story).

The quotes are the gold's own spans, a careful reader's atomic claims, so claim splitting plays no
part. When the same-fact cosines are not above the different-fact ones, no threshold or margin on
this model separates them.

Usage: python benchmarks/gold_pair_cosines.py [--gold tests/gold/seeds.gold.json] [--tier core]
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "seeds.gold.json")
    ap.add_argument("--tier", default="core", choices=["core", "all"])
    ap.add_argument("--top", type=int, default=5, help="how many different-fact pairs to show")
    args = ap.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(ROOT))
    import json

    from factcheck.stages.embeddings import get_embedder
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    tiers = {"core"} if args.tier == "core" else {"core", "hard"}
    quotes = [(g["id"], m["article"], m["quote"]) for g in gold["corroborations"] if g["tier"] in tiers
              for m in g["members"]]
    vectors = get_embedder().embed([q for _, _, q in quotes])
    same, other = [], []
    for (i, a), (j, b) in itertools.combinations(enumerate(quotes), 2):
        if a[1] == b[1]:
            continue                                  # an article never corroborates itself
        cos = float(vectors[i] @ vectors[j])
        (same if a[0] == b[0] else other).append((cos, a, b))
    print(f"same fact ({len(same)} cross-article pairs of {args.tier} groups):")
    for cos, a, b in sorted(same, reverse=True):
        print(f"  {cos:.2f}  {a[0]}  {a[1]} {a[2][:55]!r} ~ {b[1]} {b[2][:55]!r}")
    print(f"different facts, the {args.top} closest of {len(other)} cross-article pairs:")
    for cos, a, b in sorted(other, reverse=True)[:args.top]:
        print(f"  {cos:.2f}  {a[0]}/{b[0]}  {a[1]} {a[2][:50]!r} ~ {b[1]} {b[2][:50]!r}")
    s = [c for c, _, _ in same]
    top_other = max((c for c, _, _ in other), default=float("nan"))
    print(f"same fact: min {min(s):.2f} median {statistics.median(s):.2f} max {max(s):.2f}; "
          f"different facts: max {top_other:.2f}; same-fact pairs at or below that: "
          f"{sum(1 for c in s if c <= top_other)} of {len(s)}")
    # the loosest cosine threshold that still links 90 % of the same-fact pairs, and what it lets in
    need = sorted(s, reverse=True)[max(0, -(-9 * len(s) // 10) - 1)]
    print(f"a cosine threshold linking 90% of the same-fact pairs ({need:.2f}) also links "
          f"{sum(1 for c, _, _ in other if c >= need)} of the {len(other)} different-fact pairs")


if __name__ == "__main__":
    main()
