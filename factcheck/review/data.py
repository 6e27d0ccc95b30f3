"""The review's edge to the store: conflicts in as `ReviewItem`s, decisions out as reviews rows.

The app never sees the database; it gets items built here and a callback that calls `decide`.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from .. import store
from ..errors import FactcheckError
from ..records import Claim, Conflict
from .app import DECISION_STATUS, ReviewItem, ReviewSide, status_of

# Stand-in for a decision whose claims have changed since it was taken (see store.conflict_status).
STALE = "stale"
CHOICES = ("a", "b", "not-conflict", "skip", "undo")


def _histories(db: Database) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """conflict id -> effective decisions (oldest first), and the ids whose last row is a skip.

    Mirrors store.conflict_status: 'undo' pops, 'skip' is not a decision, and a decision taken
    for other claim text (fingerprint differs) counts as no decision.
    """
    fps = store.conflict_fingerprints(db)
    rows = store.review_history(db)

    def decision(r) -> str:
        cid = r["conflict_id"]
        stale = bool(r["fingerprint"] and fps.get(cid) and r["fingerprint"] != fps[cid])
        return STALE if stale else r["decision"]

    last_row = {r["conflict_id"]: r["decision"] for r in rows}
    return ({cid: tuple(decision(r) for r in s) for cid, s in store.review_stacks(rows).items()},
            {cid for cid, d in last_row.items() if d == "skip"})


def load_items(db: Database) -> list[ReviewItem]:
    """Every stored conflict as a ReviewItem, most severe first (the store's order)."""
    conflicts = store.load_conflicts(db)
    if not conflicts:
        return []
    claims = {c.id: c for c in store.load_claims(db)}
    sentences = {s.id: s for s in store.load_sentences(db)}
    articles = {a.id: a for a in store.load_articles(db)}
    scores = store.load_scores(db)
    clusters = store.load_clusters(db)
    cluster_of = {cid: k for k in clusters for cid in k.claim_ids}
    history, skipped = _histories(db)

    def side(claim: Claim) -> ReviewSide:
        art = articles.get(claim.article_id)
        return ReviewSide(claim=claim, sentence=sentences.get(claim.sentence_id),
                          outlet=art.outlet if art else None, title=art.title if art else None,
                          score=scores.get(claim.article_id))

    items = []
    for x in conflicts:
        a, b = claims.get(x.a), claims.get(x.b)
        if a is None or b is None:      # the analysis is older than the claims; a re-run fixes it
            continue
        neighbour_ids: list[str] = []
        for k in (cluster_of.get(a.id), cluster_of.get(b.id)):
            for cid in (k.claim_ids if k else ()):
                if cid not in (a.id, b.id) and cid not in neighbour_ids and cid in claims:
                    neighbour_ids.append(cid)
        k = cluster_of.get(a.id) or cluster_of.get(b.id)
        items.append(ReviewItem(
            conflict=x, a=side(a), b=side(b),
            neighbours=tuple(claims[c] for c in neighbour_ids),
            cluster_id=k.id if k else None,
            independent_sources=k.independent_sources if k else 0,
            history=history.get(x.id, ()), skipped=x.id in skipped))
    return items


def resolve_id(db: Database, text: str) -> str:
    """The conflict id that `text` names, whole or as a unique prefix."""
    ids = [r["id"] for r in db.query("select id from conflicts order by id")]
    if text in ids:
        return text
    matches = [i for i in ids if i.startswith(text)] if text else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise FactcheckError(f"no conflict with id {text!r}; `factcheck review --list` shows the ids")
    raise FactcheckError(f"conflict id {text!r} is ambiguous ({len(matches)} match: "
                         f"{', '.join(matches[:3])}{', ...' if len(matches) > 3 else ''}); "
                         "give more characters")


def decide(db: Database, conflict_id: str, decision: str, note: str = "",
           reviewer: str | None = None, settings=None) -> str:
    """Append one decision for `conflict_id`, rescore when `settings` is given; the new status."""
    if decision not in CHOICES:
        raise FactcheckError(f"unknown decision {decision!r}; use one of {', '.join(CHOICES)}")
    fingerprint = store.conflict_fingerprints(db).get(conflict_id)
    if fingerprint is None:
        raise FactcheckError(f"no conflict with id {conflict_id!r}; it may be gone since the last run")
    from .. import locking
    with locking.hold(store.path_of(db)):          # (no analysis saves meanwhile)
        store.add_review(db, conflict_id, decision, note, reviewer, fingerprint)
        if settings is not None and decision != "skip":
            from ..pipeline import rescore
            rescore(db, settings)
    return store.conflict_status(db).get(conflict_id, ("open", None))[0]


def item_dict(item: ReviewItem) -> dict:
    """One conflict for `review --list --json`: the export's conflict fields plus both claims."""
    x: Conflict = item.conflict

    def side(s: ReviewSide) -> dict:
        return {"claim": s.claim.id, "article": s.claim.article_id, "outlet": s.outlet,
                "text": s.claim.text, "score": s.score.score if s.score else None}

    return {"id": x.id, "kind": x.kind, "severity": x.severity, "explanation": x.explanation,
            "status": status_of(item.history), "decision": item.history[-1] if item.history
            and item.history[-1] in DECISION_STATUS else None,
            "a": side(item.a), "b": side(item.b),
            "a_span": list(x.a_span) if x.a_span else None,
            "b_span": list(x.b_span) if x.b_span else None,
            "cluster": item.cluster_id, "others": [c.id for c in item.neighbours]}


def filter_items(items: Sequence[ReviewItem], kind: str | None = None, article: str | None = None,
                 status: str | None = None) -> list[ReviewItem]:
    """The items that pass the same filters as the app's `/` (see app.ItemFilter)."""
    from .app import ItemFilter
    f = ItemFilter(kind=kind, article=article, status=status)
    return [i for i in items if f.matches(i, status_of(i.history))]
