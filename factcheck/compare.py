"""`factcheck compare`: the relation between two claim texts (same, conflict, related, unrelated).

Embeddings and lexical/entity features come from the matching stage; the conflict check from
the conflicts stage. A conflict needs the two claims to be about the same thing, so it is only
reported for pairs the matcher finds `same` or `related`.
"""
from __future__ import annotations

from collections.abc import Sequence

from .settings import Settings


def compare_many(pairs: Sequence[tuple[str, str]], settings: Settings, embedder=None) -> list[dict]:
    """One result dict per (a, b): similarity, relation, reasons, and kind/explanation for conflicts."""
    from .stages.conflicts import compare_claims
    from .stages.embeddings import get_embedder
    from .stages.matching import match_many

    if not pairs:
        return []
    nli = None
    if settings.nli_model:
        from .stages.conflicts import NLIScorer
        nli = NLIScorer(settings.nli_model)
    # the conflict checks (spaCy) first: an embedder in a worker process (`embed_worker`) loads
    # its model meanwhile
    checks = [compare_claims(a, b, settings=settings.conflicts, nli=nli) for a, b in pairs]
    embedder = embedder or get_embedder(settings.embedder, settings.backend)
    texts = list(dict.fromkeys(t for p in pairs for t in p))
    vecs = dict(zip(texts, embedder.embed(texts)))
    import numpy as np

    va = np.stack([vecs[a] for a, _ in pairs])
    vb = np.stack([vecs[b] for _, b in pairs])
    matches = match_many(list(pairs), va, vb, settings.match)
    out = []
    for (a, b), m, c in zip(pairs, matches, checks):
        res = {"similarity": round(float(m.similarity), 4), "relation": m.relation,
               "reasons": list(m.reasons)}
        if c.conflict and m.relation in ("same", "related"):
            res.update(relation="conflict", kind=c.kind, explanation=c.explanation,
                       severity=round(float(c.severity), 3))
        out.append(res)
    return out
