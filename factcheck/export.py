"""Everything in the store, in the export schema of PRODUCT.md (plus a few extra fields)."""
from __future__ import annotations

from sqlite_utils import Database

from . import store


def build_export(db: Database) -> dict:
    """The whole analysis as one JSON-ready dict; ordering is stable so output is reproducible."""
    articles = store.load_articles(db)
    scores = store.load_scores(db)
    fluency = store.load_fluency(db)
    clusters = store.load_clusters(db)
    cluster_of = {cid: k.id for k in clusters for cid in k.claim_ids}
    out_articles = []
    for a in articles:
        sc = scores.get(a.id)
        out_articles.append({
            "id": a.id, "file": a.file, "title": a.title, "outlet": a.outlet, "author": a.author,
            "dateline": a.dateline, "published": a.published, "published_source": a.published_source,
            "score": sc.score if sc else None, "counts": sc.counts if sc else {},
            "score_terms": sc.terms if sc else {},
        })
    sentences = []
    for s in store.load_sentences(db):
        f = fluency.get(s.id)
        sentences.append({"id": s.id, "article": s.article_id, "start": s.start, "end": s.end,
                          "kind": s.kind, "garbled": bool(f.garbled) if f else False,
                          "garble_score": f.score if f else None,
                          "reasons": list(f.reasons) if f else []})
    claims = [{"id": c.id, "article": c.article_id, "sentence": c.sentence_id, "start": c.start,
               "end": c.end, "text": c.text, "standalone": c.standalone, "speaker": c.speaker,
               "cluster": cluster_of.get(c.id)} for c in store.load_claims(db)]
    out_clusters = [{"id": k.id, "claims": list(k.claim_ids), "articles": list(k.article_ids),
                     "independent_sources": k.independent_sources} for k in clusters]
    conflicts = [{"id": x.id, "a": x.a, "b": x.b, "kind": x.kind, "severity": x.severity,
                  "explanation": x.explanation,
                  "a_span": list(x.a_span) if x.a_span else None,
                  "b_span": list(x.b_span) if x.b_span else None, "status": x.status}
                 for x in store.load_conflicts(db)]
    return {"articles": out_articles, "sentences": sentences, "claims": claims,
            "clusters": out_clusters, "conflicts": conflicts}
