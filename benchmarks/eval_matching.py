"""Accuracy of the claim matcher on paraphrase pair files, next to plain cosine.

Usage:
    python benchmarks/eval_matching.py [PAIRS.jsonl ...] [--backend auto|fp32|bf16] [--tune]

Without files it runs the dev sets in ../shared/bench/dev/ (MRPC test dev rows, STS-B headlines)
and skips cleanly when that folder is absent. A pair file has one JSON object per line with `a`,
`b` and `label` (0/1) or `score` (0-5, label = score >= 4), and optionally `id`.

MRPC rows are split in two halves by a hash of their id: the weights in MatchSettings were fitted
on half "A" (`--tune` refits and prints them); half "B" was not seen. Plain cosine is reported at
its best threshold chosen on the same rows (an oracle, so it flatters cosine).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck.stages.embeddings import get_embedder  # noqa: E402
from factcheck.stages.matching import FEATURES, MatchSettings, match_many, pair_features  # noqa: E402

DEV = ROOT.parent / "shared" / "bench" / "dev"
DEFAULT_FILES = ("paraphrase_mrpc_test.jsonl", "paraphrase_stsb_headlines.jsonl")


def load_pairs(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        if "label" in r and r["label"] in (0, 1, True, False):
            label = int(r["label"])
        elif "score" in r:
            label = int(float(r["score"]) >= 4.0)
        else:
            raise SystemExit(f"{path}:{n}: needs 'label' (0/1) or 'score' (0-5)")
        rows.append({"id": str(r.get("id", n)), "a": r["a"], "b": r["b"], "label": label})
    return rows


def half(row_id: str) -> str:
    return "AB"[int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % 2]


def scores(pred: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    tp = int((pred & y).sum())
    f1 = 2 * tp / max(1, int(pred.sum()) + int(y.sum()))
    return float((pred == y).mean()), f1


def best_cosine(cos: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    best = max((float(((cos >= t) == y).mean()), t) for t in np.arange(0.0, 1.0, 0.005))
    acc, t = best
    return acc, scores(cos >= t, y)[1], float(t)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.3) -> np.ndarray:
    """Newton's method on L2-regularised logistic loss; last weight is the bias (not penalised)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.r_[np.full(len(w) - 1, l2), 0.0]
    for _ in range(50):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        w -= np.linalg.solve(hess, grad)
    return w


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--backend", default="auto")
    ap.add_argument("--tune", action="store_true", help="refit the weights on MRPC half A and print them")
    args = ap.parse_args()
    files = args.files or [DEV / f for f in DEFAULT_FILES]
    files = [f for f in files if f.exists()]
    if not files:
        print(f"no pair files found (looked in {DEV}); skipped")
        return 0
    embedder = get_embedder(backend=args.backend)
    settings = MatchSettings()
    print(f"embedder {embedder.name}")
    for path in files:
        rows = load_pairs(path)
        texts = sorted({t for r in rows for t in (r["a"], r["b"])})
        vec = dict(zip(texts, embedder.embed(texts), strict=True))
        va = np.stack([vec[r["a"]] for r in rows])
        vb = np.stack([vec[r["b"]] for r in rows])
        cos = np.einsum("ij,ij->i", va, vb)
        y = np.array([r["label"] for r in rows]) == 1
        parts = {"all": np.ones(len(rows), dtype=bool)}
        if "mrpc" in path.name:
            h = np.array([half(r["id"]) for r in rows])
            parts = {"A (fit)": h == "A", "B (held out)": h == "B", "all": parts["all"]}
            if args.tune:
                feats = np.array([[pair_features(r["a"], r["b"], c)[f] for f in FEATURES]
                                  for r, c in zip(rows, cos, strict=True)])
                w = fit_logistic(feats[h == "A"], y[h == "A"].astype(float))
                settings = replace(settings, weights=tuple(round(float(v), 2) for v in w[:-1]),
                                   bias=round(float(w[-1]), 2))
                print(f"tuned on {int((h == 'A').sum())} rows: weights={settings.weights} bias={settings.bias}")
        variants = {"matcher": settings, "matcher, no vetoes": replace(settings, veto_numbers=False,
                                                                          veto_names=False)}
        preds = {}
        for name, s in variants.items():
            matches = match_many([(r["a"], r["b"]) for r in rows], va, vb, s)
            preds[name] = np.array([m.relation == "same" for m in matches])
        print(f"\n{path.name}: {len(rows)} rows, {y.mean():.1%} positive")
        print(f"  {'rows':<14}{'n':>5}  {'matcher acc/F1':>16}  {'no-veto acc/F1':>16}  {'cosine acc/F1 @best t':>24}")
        for label, mask in parts.items():
            m_acc, m_f1 = scores(preds["matcher"][mask], y[mask])
            n_acc, n_f1 = scores(preds["matcher, no vetoes"][mask], y[mask])
            c_acc, c_f1, t = best_cosine(cos[mask], y[mask])
            print(f"  {label:<14}{int(mask.sum()):>5}  {m_acc:>8.3f} / {m_f1:.3f}  {n_acc:>8.3f} / {n_f1:.3f}"
                  f"  {c_acc:>8.3f} / {c_f1:.3f} @ {t:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
