"""`factcheck eval`: metrics of an export against a gold file, with the same definitions as
the shared scorer (score_export.py): a gold quote is found in its article's text with
str.find and linked to every claim overlapping it by at least half of the shorter span."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .errors import FactcheckError


def _overlap(s1: int, e1: int, s2: int, e2: int) -> int:
    return max(0, min(e1, e2) - max(s1, s2))


def evaluate(export: dict, gold_path: Path, texts: Mapping[str, str], tier: str = "core") -> dict:
    """Metrics of `export` against the gold file; `texts` maps article id -> text."""
    try:
        gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FactcheckError(f"{gold_path}: gold file not found")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FactcheckError(f"{gold_path}: not a JSON gold file ({e})")
    tiers = {"core"} if tier == "core" else {"core", "hard"}
    key = lambda x: str(x)[:3]  # noqa: E731  gold names articles by their 3-digit prefix
    seeds = {key(aid): t for aid, t in texts.items()}
    claims = export.get("claims", [])
    sentences = export.get("sentences", [])
    cluster_of: dict[str, str] = {}
    for cl in export.get("clusters", []):
        for cid in cl.get("claims", []):
            cluster_of[cid] = cl["id"]

    def span(q):
        t = seeds.get(q["article"], "")
        i = t.find(q["quote"])
        return (i, i + len(q["quote"])) if i >= 0 else (-1, -1)

    def claims_at(q):
        s, e = span(q)
        if s < 0:
            return []
        return [c["id"] for c in claims if key(c["article"]) == q["article"]
                and (ov := _overlap(s, e, c["start"], c["end"]))
                and ov >= 0.5 * min(e - s, c["end"] - c["start"])]

    def sentences_at(q):
        s, e = span(q)
        return [x for x in sentences if key(x["article"]) == q["article"] and s >= 0
                and _overlap(s, e, x["start"], x["end"])]

    found = total = 0
    missed = []
    group_claims: dict[str, set] = {}
    for g in gold.get("corroborations", []):
        if g["tier"] not in tiers:
            continue
        ms = g["members"]
        group_claims[g["id"]] = set()
        for m in ms:
            group_claims[g["id"]].update(claims_at(m))
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                if ms[i]["article"] == ms[j]["article"]:
                    continue
                total += 1
                ki = {cluster_of.get(x) for x in claims_at(ms[i])} - {None}
                kj = {cluster_of.get(x) for x in claims_at(ms[j])} - {None}
                if ki & kj:
                    found += 1
                else:
                    missed.append(f"{g['id']}: {ms[i]['article']} ~ {ms[j]['article']}")
    seen: dict[str, int] = {}
    for v in group_claims.values():
        for c in v:
            seen[c] = seen.get(c, 0) + 1
    group_claims = {k: {c for c in v if seen[c] == 1} for k, v in group_claims.items()}
    gids = list(group_claims)
    merges = 0
    for i in range(len(gids)):
        for j in range(i + 1, len(gids)):
            ki = {cluster_of.get(x) for x in group_claims[gids[i]]} - {None}
            kj = {cluster_of.get(x) for x in group_claims[gids[j]]} - {None}
            merges += bool(ki & kj)

    pairs = set()
    for x in export.get("conflicts", []):
        pairs.add((x["a"], x["b"]))
        pairs.add((x["b"], x["a"]))

    def linked(p):
        return any((u, v) in pairs for u in claims_at(p["a"]) for v in claims_at(p["b"]) if u != v)

    cf = [c for c in gold.get("conflicts", []) if c["tier"] in tiers]
    c_found = [c["id"] for c in cf if linked(c)]
    false_conf = [n["id"] for n in gold.get("not_conflicts", []) if linked(n)]

    tp = fp = fn = 0
    for g in gold.get("garbled", []):
        if g["tier"] not in tiers:
            continue
        if any(x.get("garbled") for x in sentences_at(g)):
            tp += 1
        else:
            fn += 1
    for f in gold.get("fluent", []):
        fp += any(x.get("garbled") for x in sentences_at(f))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    leaks = sum(1 for b in gold.get("boilerplate", []) if claims_at(b))

    scores = {key(x["id"]): x.get("score") for x in export.get("articles", [])}
    order = gold.get("expected_order", {})
    ranked = sorted((k for k in scores if isinstance(scores[k], (int, float))), key=lambda k: scores[k])
    order_ok = bool(order) and len(ranked) >= 2 and ranked[0] == order.get("lowest") \
        and ranked[1] == order.get("second_lowest")
    corroborated = set()
    for cl in export.get("clusters", []):
        if len({key(a) for a in cl.get("articles", [])}) >= 2:
            corroborated.update(cl.get("claims", []))
    ss_bad = sum(1 for s in gold.get("single_source", []) if set(claims_at(s)) & corroborated)
    return {
        "corroboration_recall": round(found / total, 3) if total else 0.0,
        "cross_group_merges": merges,
        "conflict_recall": round(len(c_found) / len(cf), 3) if cf else 0.0,
        "false_conflicts": len(false_conf),
        "conflicts_total": len(export.get("conflicts", [])),
        "garble_precision": round(prec, 3),
        "garble_recall": round(rec, 3),
        "garble_f1": round(f1, 3),
        "boilerplate_leaks": leaks,
        "order_ok": order_ok,
        "single_source_wrongly_corroborated": ss_bad,
        "claims": len(claims),
        "scores": scores,
        "missed_corroborations": missed,
        "conflicts_found": c_found,
        "false_conflict_ids": false_conf,
    }
