"""Article scores: claims, fluency, clusters, conflicts and reviews in, one Score per article out.

Invariant: a score is in [0, 1] and `terms` holds every addend, so a report can show exactly
what drove it (README, 'The score').
"""
from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence

from ..records import Article, Claim, Cluster, Conflict, Score, Sentence


def fluent_origins(claim_ids: Iterable[str], claim_by_id: Mapping[str, Claim], garbled: Container[str],
                   origin: Callable[[str], str]) -> set[str]:
    """The origins (copy groups) of the claims among `claim_ids` stated in sentences that are not garbled."""
    return {origin(o.article_id) for o in (claim_by_id[x] for x in claim_ids if x in claim_by_id)
            if o.sentence_id not in garbled}


def corroborated_by(found: set[str], own_origin: str) -> bool:
    """A claim is corroborated when another origin states it in a sentence that is not garbled
    (`found`: the fluent origins of its cluster)."""
    return len(found) > 1 or (len(found) == 1 and own_origin not in found)


def corroborates_each(cluster: Cluster) -> bool:
    """Whether a cluster corroborates each of its claims by its count alone: two independent
    sources or more (its count of fluent origins, made by the clustering from the same sentences'
    verdicts and copy groups) hold another than any claim's own. Its members need not be read."""
    return cluster.independent_sources > 1


def corroborated_by_count(cluster: Cluster, garbled_own: bool | None = None, own_origin: str | None = None,
                          sole: str | None = None) -> bool | None:
    """Whether a claim of `cluster` is corroborated, told by the cluster's count of fluent origins
    without reading its members: two or more, yes (`corroborates_each`); none, no; one, whether
    the claim's own origin (`own_origin`) is another than that one (`sole`: what the clustering
    says it is), else no for a claim stated in a fluent sentence (`garbled_own` False: that one
    origin is its own). None: not told so (a claim in a garbled sentence, or of unknown fluency,
    in a cluster counting one whose origin is not given: the members must be read)."""
    if corroborates_each(cluster):
        return True
    if cluster.independent_sources < 1:
        return False
    if sole is not None and own_origin is not None:
        return own_origin != sole
    return False if garbled_own is False else None


def score_articles(articles: Sequence[Article], sentences: Sequence[Sentence],
                   claims: Sequence[Claim], garbled_sentences: Container[str],
                   clusters: Sequence[Cluster], conflicts: Sequence[Conflict],
                   statuses: Mapping[str, tuple[str, str | None]], settings,
                   origins: Mapping[str, str] | None = None, sole: Mapping[str, str] | None = None) -> list[Score]:
    """One Score per article, with its counts and the terms of the formula (`garbled_sentences`:
    the ids of the sentences whose fluency verdict is garbled; `sole`: per cluster counting one
    fluent origin, that origin, where the clustering tells it: `corroborated_by_count`)."""
    origins = origins or {}
    sole = sole or {}
    claim_by_id = {c.id: c for c in claims}
    cluster_of = {cid: k for k in clusters for cid in k.claim_ids}

    def origin(aid: str) -> str:
        return origins.get(aid, aid)

    cluster_origins: dict[str, set[str]] = {}   # cluster id -> origins of its claims in fluent sentences

    def corroborated(c: Claim) -> bool:
        k = cluster_of.get(c.id)
        if k is None:
            return False
        told = corroborated_by_count(k, c.sentence_id in garbled_sentences, origin(c.article_id), sole.get(k.id))
        if told is not None:
            return told
        found = cluster_origins.get(k.id)
        if found is None:
            found = cluster_origins[k.id] = fluent_origins(k.claim_ids, claim_by_id, garbled_sentences, origin)
        return corroborated_by(found, origin(c.article_id))

    def support(c: Claim) -> int:
        k = cluster_of.get(c.id)
        return k.independent_sources if k else 1

    open_conf: dict[str, list[tuple[Conflict, Claim, Claim]]] = {}
    decided: dict[str, list[str]] = {}
    for x in conflicts:
        st, decision = statuses.get(x.id, ("open", None))
        a, b = claim_by_id.get(x.a), claim_by_id.get(x.b)
        if a is None or b is None or st == "dismissed":
            continue
        if st == "confirmed" and decision in ("a", "b"):
            right, wrong = (a, b) if decision == "a" else (b, a)
            decided.setdefault(wrong.article_id, []).append("wrong")
            if right.article_id != wrong.article_id:
                decided.setdefault(right.article_id, []).append("right")
            continue
        open_conf.setdefault(a.article_id, []).append((x, a, b))
        if b.article_id != a.article_id:
            open_conf.setdefault(b.article_id, []).append((x, b, a))

    sents_by_article: dict[str, list[Sentence]] = {}
    for s in sentences:
        sents_by_article.setdefault(s.article_id, []).append(s)
    claims_by_article: dict[str, list[Claim]] = {}
    for c in claims:
        claims_by_article.setdefault(c.article_id, []).append(c)

    out = []
    w = settings
    for art in articles:
        cl = claims_by_article.get(art.id, [])
        body = [s for s in sents_by_article.get(art.id, []) if s.kind == "body"] or \
            sents_by_article.get(art.id, [])
        n = len(cl)
        n_corr = sum(1 for c in cl if corroborated(c))
        n_attr = sum(1 for c in cl if c.speaker)
        n_garbled_claims = sum(1 for c in cl if c.sentence_id in garbled_sentences)
        n_garbled_sent = sum(1 for s in body if s.id in garbled_sentences)
        conflicting = {mine.id for _, mine, _ in open_conf.get(art.id, [])}
        n_single = sum(1 for c in cl if not corroborated(c) and c.id not in conflicting)
        conflict_sum = 0.0
        for x, mine, theirs in open_conf.get(art.id, []):
            backed_other = support(theirs) > support(mine)
            conflict_sum += w.conflict * x.severity * (w.conflict_backed_other if backed_other else 1.0)
        share = (lambda k: k / n) if n else (lambda k: 0.0)
        garble_rate = n_garbled_sent / len(body) if body else 0.0
        reviews = decided.get(art.id, [])
        terms = {
            "base": w.base,
            "corroborated": round(w.corroborated * share(n_corr), 4),
            "attributed": round(w.attributed * share(n_attr), 4),
            "garbled": round(-w.garbled * garble_rate, 4),
            "single_source": round(-w.single_source * share(n_single), 4),
            "conflicts": round(-min(w.conflict_cap, conflict_sum), 4),
            "reviews": round(-w.review_wrong * reviews.count("wrong")
                             + w.review_right * reviews.count("right"), 4),
        }
        score = max(0.0, min(1.0, sum(terms.values())))
        counts = {"claims": n, "corroborated": n_corr, "conflicting": len(conflicting),
                  "single_source": n_single, "garbled": n_garbled_claims,
                  "attributed": n_attr, "sentences": len(body), "garbled_sentences": n_garbled_sent}
        out.append(Score(art.id, round(score, 4), counts, terms))
    return out
