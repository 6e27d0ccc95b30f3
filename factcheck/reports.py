"""Reports: the stored analysis in; per article a Markdown, HTML and JSON page, plus an index, out.

Invariants: every page is built from the store alone (no clock, stable ordering), so the same
store gives the same bytes; article text is untrusted and always escaped (`html.escape` in HTML,
`md_escape` in Markdown); files are written to a temporary name and renamed into place.
"""
from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import textwrap
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from . import store
from .errors import FactcheckError
from .records import Article, Claim, Cluster, Conflict, Fluency, Score, Sentence, not_judged, not_judged_language

FORMATS = ("md", "html", "json")
DASH = "\u2013"
NBSP = "\0"                                  # a space md_wrap never breaks at

# One status per claim, so a claim is counted once in the bars; checked in this order.
STATUSES = ("conflicting", "garbled", "corroborated", "single_source")
CHART_ORDER = ("corroborated", "conflicting", "single_source", "garbled")
LABEL = {"corroborated": "corroborated", "conflicting": "conflicting",
         "single_source": "single-source", "garbled": "garbled"}
COLOR = {"corroborated": "#1b9e77", "conflicting": "#d95f02", "single_source": "#a3a3a3",
         "garbled": "#7570b3"}
TEXT_GLYPH = {"corroborated": "=", "conflicting": "!", "single_source": ".", "garbled": "~"}
SCORE_INTRO = ("The score adds the terms below and keeps the sum between 0 and 1. The weights are "
               "the same for every article and are printed in every report, so anyone can "
               "recompute the score. The inputs are the formula's own counts: a claim that "
               "another source states counts as corroborated here even when it is also in a "
               "conflict or a garbled sentence, so they can differ from the counts at the top.")
VERDICT = {"open": "open, not reviewed yet", "wrong": "a reviewer found this article wrong",
           "right": "a reviewer found this article right",
           "dismissed": "dismissed by a reviewer: not a conflict"}
STATUS_RULE = ("Each claim is counted once: conflicting if it is in an open conflict (or a "
               "reviewer found it wrong), else garbled if its sentence is garbled, else "
               "corroborated if another independent source states it, else single-source.")

# What each published weight does; a weight missing here is still printed, with its name only.
WEIGHT_DOC = {
    "base": "starting point of every article",
    "corroborated": "+ weight \u00d7 share of claims corroborated",
    "attributed": "+ weight \u00d7 share of claims with a speaker",
    "garbled": "\u2212 weight \u00d7 share of garbled sentences",
    "single_source": "\u2212 weight \u00d7 share of single-source claims",
    "conflict": "\u2212 weight \u00d7 severity, per open conflict",
    "conflict_backed_other": "\u00d7 when more sources back the other side",
    "conflict_cap": "most the open conflicts can take away",
    "review_wrong": "\u2212 per conflict decided against it",
    "review_right": "+ per conflict decided for it",
}
# term of Score.terms -> (formula, input from Score.counts and this article's conflicts)
TERM_DOC = {
    "base": "the base weight",
    "corroborated": "+ corroborated \u00d7 corroborated claims / claims",
    "attributed": "+ attributed \u00d7 attributed claims / claims",
    "garbled": "\u2212 garbled \u00d7 garbled sentences / sentences",
    "single_source": "\u2212 single_source \u00d7 single-source claims / claims",
    "conflicts": "\u2212 min(conflict_cap, sum over open conflicts of conflict \u00d7 severity, "
                 "\u00d7 conflict_backed_other when more sources back the other side)",
    "reviews": "\u2212 review_wrong \u00d7 decided against + review_right \u00d7 decided for",
}


# ---------------------------------------------------------------- the data a page shows

@dataclass(frozen=True)
class Link:
    """The same claim in another article."""
    claim: Claim
    note: str = ""                           # "same origin" | "garbled" when it does not count


@dataclass(frozen=True)
class ClaimRow:
    claim: Claim
    status: str                              # one of STATUSES
    others: int                              # other independent sources stating it
    links: tuple[Link, ...]
    conflicts: tuple[str, ...]               # conflict ids (not dismissed)
    garbled: bool
    upheld: tuple[str, ...] = ()             # conflicts a reviewer decided for this claim


@dataclass(frozen=True)
class ConflictView:
    """A conflict seen from one article: `mine` is this article's claim."""
    conflict: Conflict
    number: int
    mine: Claim
    theirs: Claim
    my_span: tuple[int, int] | None
    their_span: tuple[int, int] | None
    decision: str | None                     # a | b | not-conflict | None
    verdict: str                             # open | wrong | right | dismissed (this article's side)


@dataclass
class Corpus:
    """Everything the reports read, loaded once."""
    articles: dict[str, Article]
    sentences: dict[str, Sentence]
    claims: dict[str, Claim]
    claims_by_article: dict[str, list[Claim]]
    fluency: dict[str, Fluency]
    cluster_of: dict[str, Cluster]
    conflicts: list[Conflict]
    decisions: dict[str, tuple[str, str | None]]
    scores: dict[str, Score]
    origins: dict[str, str]
    corpus_fp: str
    embedder: str
    run_weights: dict | None                 # score weights of the last run, when stored
    short: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)   # derived views, computed once per render

    def memo(self, key, make):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def origin(self, aid: str) -> str:
        return self.origins.get(aid, aid)

    def garbled(self, sentence_id: str) -> bool:
        f = self.fluency.get(sentence_id)
        return bool(f and f.garbled)


def load_corpus(db: Database) -> Corpus:
    """Read the store once for all pages."""
    articles = {a.id: a for a in store.load_articles(db)}
    claims = store.load_claims(db)
    by_article: dict[str, list[Claim]] = {}
    for c in claims:
        by_article.setdefault(c.article_id, []).append(c)
    clusters = store.load_clusters(db)
    run_weights = None
    runs = store.last_runs(db, 1)
    if runs and runs[0].get("settings"):
        try:
            run_weights = json.loads(runs[0]["settings"]).get("score")
        except (ValueError, AttributeError):
            run_weights = None
    corpus = Corpus(
        articles=articles,
        sentences={s.id: s for s in store.load_sentences(db)},
        claims={c.id: c for c in claims}, claims_by_article=by_article,
        fluency=store.load_fluency(db),
        cluster_of={cid: k for k in clusters for cid in k.claim_ids},
        conflicts=store.load_conflicts(db), decisions=store.conflict_status(db),
        scores=store.load_scores(db), origins=store.load_origins(db),
        corpus_fp=store.get_state(db, "corpus") or "", embedder=store.get_state(db, "embedder") or "",
        run_weights=run_weights)
    corpus.short = _short_names(list(articles))
    return corpus


def _short_names(ids: Sequence[str]) -> dict[str, str]:
    """'000_b7ee570cd5641bae' -> '000' when that prefix is unique; else the whole id."""
    prefix = {aid: aid.split("_", 1)[0] for aid in ids}
    seen: dict[str, int] = {}
    for p in prefix.values():
        seen[p] = seen.get(p, 0) + 1
    return {aid: p if seen[p] == 1 and p else aid for aid, p in prefix.items()}


def _conflict_roles(corpus: Corpus) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """claim id -> conflicts that count against it, and conflicts a reviewer decided for it."""
    against: dict[str, list[str]] = {}
    upheld: dict[str, list[str]] = {}
    for x in corpus.conflicts:
        status, decision = corpus.decisions.get(x.id, ("open", None))
        if status == "dismissed":
            continue
        for side, cid in (("a", x.a), ("b", x.b)):
            if status == "confirmed" and decision == side:
                upheld.setdefault(cid, []).append(x.id)
            else:
                against.setdefault(cid, []).append(x.id)
    return against, upheld


def claim_rows(corpus: Corpus, aid: str) -> list[ClaimRow]:
    """Each claim of article `aid` with its status and where else it is stated."""
    return corpus.memo(("rows", aid), lambda: _claim_rows(corpus, aid))


def _claim_rows(corpus: Corpus, aid: str) -> list[ClaimRow]:
    mine_conf, upheld = corpus.memo("roles", lambda: _conflict_roles(corpus))
    rows = []
    for c in corpus.claims_by_article.get(aid, []):
        k = corpus.cluster_of.get(c.id)
        links, independent = [], set()
        for oid in (k.claim_ids if k else ()):
            o = corpus.claims.get(oid)
            if o is None or o.article_id == aid:
                continue
            note = ""
            if corpus.origin(o.article_id) == corpus.origin(aid):
                note = "same origin"
            elif corpus.garbled(o.sentence_id):
                note = "garbled"
            else:
                independent.add(corpus.origin(o.article_id))
            links.append(Link(o, note))
        links.sort(key=lambda link: (link.claim.article_id, link.claim.index))
        garbled = corpus.garbled(c.sentence_id)
        conflicts = tuple(mine_conf.get(c.id, ()))
        status = ("conflicting" if conflicts else "garbled" if garbled
                  else "corroborated" if independent else "single_source")
        rows.append(ClaimRow(c, status, len(independent), tuple(links), conflicts, garbled,
                             tuple(upheld.get(c.id, ()))))
    return rows


def conflict_views(corpus: Corpus, aid: str) -> list[ConflictView]:
    """The conflicts article `aid` takes part in, most severe first, dismissed ones last."""
    views = []
    for x in corpus.memo("conflicts_by_article", lambda: _conflicts_by_article(corpus)).get(aid, ()):
        a, b = corpus.claims[x.a], corpus.claims[x.b]
        mine_is_a = a.article_id == aid
        status, decision = corpus.decisions.get(x.id, ("open", None))
        if status == "dismissed":
            verdict = "dismissed"
        elif status == "confirmed" and decision in ("a", "b"):
            verdict = "right" if (decision == "a") == mine_is_a else "wrong"
        else:
            verdict = "open"
        mine, theirs = (a, b) if mine_is_a else (b, a)
        my_span, their_span = (x.a_span, x.b_span) if mine_is_a else (x.b_span, x.a_span)
        views.append(ConflictView(x, 0, mine, theirs, my_span, their_span, decision, verdict))
    views.sort(key=lambda v: v.verdict == "dismissed")           # stable: keeps severity order
    return [dataclasses.replace(v, number=i) for i, v in enumerate(views, 1)]


def _conflicts_by_article(corpus: Corpus) -> dict[str, list[Conflict]]:
    out: dict[str, list[Conflict]] = {}
    for x in corpus.conflicts:                   # keeps the store's order: most severe first
        a, b = corpus.claims.get(x.a), corpus.claims.get(x.b)
        if a is None or b is None:
            continue
        for aid in dict.fromkeys((a.article_id, b.article_id)):
            out.setdefault(aid, []).append(x)
    return out


def garbled_sentences(corpus: Corpus, aid: str) -> list[tuple[Sentence, Fluency]]:
    by_article = corpus.memo("garbled", lambda: _garbled_by_article(corpus))
    return by_article.get(aid, [])


def not_judged_sentences(corpus: Corpus, aid: str) -> list[tuple[Sentence, Fluency]]:
    """The article's sentences the fluency stage did not judge (not in English)."""
    by_article = corpus.memo("not_judged", lambda: _garbled_by_article(corpus, judged=False))
    return by_article.get(aid, [])


def _garbled_by_article(corpus: Corpus, judged: bool = True) -> dict[str, list[tuple[Sentence, Fluency]]]:
    """Per article its garbled sentences (`judged=False`: those not judged) in text order."""
    out: dict[str, list[tuple[Sentence, Fluency]]] = {}
    for s in sorted(corpus.sentences.values(), key=lambda s: (s.article_id, s.index)):
        if corpus.garbled(s.id) if judged else ((f := corpus.fluency.get(s.id)) is not None and not_judged(f.reasons)):
            out.setdefault(s.article_id, []).append((s, corpus.fluency[s.id]))
    return out


def _language_of(f: Fluency) -> str:
    """The language a sentence not judged reads as."""
    return not_judged_language(f.reasons) or "another language"


def status_counts(rows: Sequence[ClaimRow]) -> dict[str, int]:
    counts = {s: 0 for s in CHART_ORDER}
    for r in rows:
        counts[r.status] += 1
    return counts


def ranking(corpus: Corpus) -> list[str]:
    """Article ids, highest score first; unscored articles last; ties by id."""
    def key(aid: str):
        sc = corpus.scores.get(aid)
        return (sc is None, -(sc.score if sc else 0.0), aid)
    return corpus.memo("ranking", lambda: sorted(corpus.articles, key=key))


def quote_parts(text: str, claim: Claim, span: tuple[int, int] | None) -> tuple[str, str, str]:
    """(before, differing span, after) of the quote: the claim, widened to cover the span."""
    lo, hi = claim.start, claim.end
    if span and 0 <= span[0] < span[1] <= len(text):
        s, e = span
        # A span far from its claim is shown with the claim only: better no mark than a wall of text.
        if min(lo, s) >= lo - 300 and max(hi, e) <= hi + 300:
            lo, hi = min(lo, s), max(hi, e)
            return _ws(text[lo:s]).lstrip(), _ws(text[s:e]), _ws(text[e:hi]).rstrip()
    return _ws(text[lo:hi]).strip(), "", ""


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s)


# ---------------------------------------------------------------- escaping

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=#>]|\d+[.)])")


def md_escape(text: str) -> str:
    """Article text as inert Markdown: one line, markup characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _ws(text).strip())


def md_wrap(text: str, indent: str = "", first: str | None = None, width: int = 80) -> str:
    """Wrap already-escaped Markdown at `width`, lines indented by `indent` (the first by `first`).

    A wrapped line never starts as a block marker; NUL characters (unbreakable spaces in our
    own link labels and anchors) become spaces after wrapping.
    """
    text = text.replace("<a id=", "<a\0id=")          # keep our anchors whole
    lines = textwrap.wrap(text, width=width, initial_indent=indent if first is None else first,
                          subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    out = []
    for i, line in enumerate(lines):
        if i > 0:
            body = line[len(indent):]
            m = _MD_LINE_START.match(body)
            if m:
                mark = m.group(2)
                body = m.group(1) + (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark) \
                    + body[m.end():]
            line = indent + body
        out.append(line.replace("\0", " "))
    return "\n".join(out)


def _md_code(text: str) -> str:
    """A code span that no backtick in `text` can close early."""
    return "`" + _ws(text).replace("`", "'") + "`"


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def file_stem(aid: str) -> str:
    """The report file name of an article: its id, with anything unsafe in a path replaced."""
    stem = re.sub(r"[^\w.\-]", "_", aid)
    return "_" + stem if stem.startswith(".") or not stem else stem


def href(aid: str, ext: str, anchor: str = "") -> str:
    return urllib.parse.quote(file_stem(aid), safe="") + "." + ext + (f"#{anchor}" if anchor else "")


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _wfmt(v: float) -> str:
    return f"{v:.2f}" if round(v, 2) == v else f"{v:g}"


def _signed(x: float) -> str:
    return f"{x:+.4f}".replace("-", "\u2212")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _weights(settings) -> dict[str, float]:
    w = getattr(settings, "score", settings)
    if w is None:
        from .settings import ScoreSettings
        w = ScoreSettings()
    return {f.name: getattr(w, f.name) for f in dataclasses.fields(w)}


def _date(a: Article) -> str:
    if not a.published:
        return "date unknown (no date found in the file)"
    if a.published_source and a.published_source != "unknown":
        return f"published {a.published} (from the {a.published_source})"
    return f"published {a.published} (source not recorded)"


def _not_judged_line(p: "Page") -> str:
    """One line naming the sentences not judged for garbling (not in English)."""
    return (f"Not judged: {_plural(len(p.not_judged), 'sentence')} not in English, so not counted as garbled: "
            + ", ".join(f"S{s.index + 1} ({_language_of(f)})" for s, f in p.not_judged) + ".")


def _title(a: Article) -> str:
    return _ws(a.title or "").strip() or Path(a.file).name or a.id


# ---------------------------------------------------------------- per-article facts shared by formats

@dataclass(frozen=True)
class Page:
    article: Article
    score: Score | None
    rank: int
    total: int
    rows: list[ClaimRow]
    views: list[ConflictView]
    garbled: list[tuple[Sentence, Fluency]]
    weights: dict[str, float]
    label: dict[str, str]                    # claim id -> "C4" / "001 C3"
    conflict_label: dict[str, str]           # conflict id -> "X2"
    not_judged: list[tuple[Sentence, Fluency]] = field(default_factory=list)   # sentences not in English

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(self.rows)


def build_page(corpus: Corpus, aid: str, weights: dict[str, float]) -> Page:
    ranks = ranking(corpus)
    rows = claim_rows(corpus, aid)
    views = conflict_views(corpus, aid)
    shown = [r.claim for r in rows] + [link.claim for r in rows for link in r.links] \
        + [c for v in views for c in (v.mine, v.theirs)]
    label = {c.id: f"C{c.index + 1}" if c.article_id == aid
             else f"{corpus.short[c.article_id]} C{c.index + 1}" for c in shown}
    return Page(corpus.articles[aid], corpus.scores.get(aid), ranks.index(aid) + 1, len(ranks),
                rows, views, garbled_sentences(corpus, aid), weights, label,
                {v.conflict.id: f"X{v.number}" for v in views}, not_judged_sentences(corpus, aid))


def term_rows(page: Page) -> list[tuple[str, str, str, float]]:
    """(term, formula, input, value) for every term of the article's score."""
    if page.score is None:
        return []
    c = page.score.counts
    n = c.get("claims", 0)
    open_n = sum(1 for v in page.views if v.verdict == "open")
    inputs = {
        "base": "",
        "corroborated": f"{c.get('corroborated', 0)}/{n} claims",
        "attributed": f"{c.get('attributed', 0)}/{n} claims",
        "garbled": f"{c.get('garbled_sentences', 0)}/{c.get('sentences', 0)} sentences",
        "single_source": f"{c.get('single_source', 0)}/{n} claims",
        "conflicts": _plural(open_n, "open conflict"),
        "reviews": f"{sum(v.verdict == 'wrong' for v in page.views)} against, "
                   f"{sum(v.verdict == 'right' for v in page.views)} for",
    }
    return [(k, TERM_DOC.get(k, ""), inputs.get(k, ""), float(v)) for k, v in page.score.terms.items()]


def _weights_note(corpus: Corpus, weights: dict[str, float]) -> str:
    rw = corpus.run_weights
    if not rw:
        return ""
    diff = sorted(k for k in weights if k in rw and float(rw[k]) != float(weights[k]))
    if not diff:
        return ""
    return ("The stored scores were computed with other values of " + ", ".join(diff)
            + "; run `factcheck analyze --force` to recompute them with these weights.")


# ---------------------------------------------------------------- JSON

def render_json(corpus: Corpus, aid: str, weights: dict[str, float]) -> str:
    p = build_page(corpus, aid, weights)
    a = p.article
    text = a.text
    data = {
        "article": {"id": a.id, "file": a.file, "title": a.title, "outlet": a.outlet,
                    "author": a.author, "dateline": a.dateline, "published": a.published,
                    "published_source": a.published_source},
        "score": p.score.score if p.score else None,
        "rank": p.rank, "of": p.total,
        "terms": p.score.terms if p.score else {},
        "counts": p.score.counts if p.score else {},
        "statuses": p.counts,
        "weights": p.weights,
        "claims": [{
            "id": r.claim.id, "label": p.label[r.claim.id], "start": r.claim.start,
            "end": r.claim.end, "text": r.claim.text, "speaker": r.claim.speaker,
            "status": r.status, "other_independent_sources": r.others,
            "same_claim_in": [{"article": link.claim.article_id, "claim": link.claim.id,
                               "text": link.claim.text, "counts": not link.note,
                               "note": link.note or None} for link in r.links],
            "conflicts": list(r.conflicts), "upheld_in": list(r.upheld), "garbled": r.garbled,
        } for r in p.rows],
        "conflicts": [{
            "id": v.conflict.id, "label": f"X{v.number}", "kind": v.conflict.kind,
            "severity": v.conflict.severity, "status": v.conflict.status, "decision": v.decision,
            "verdict": v.verdict, "explanation": v.conflict.explanation,
            "this": {"claim": v.mine.id, "text": v.mine.text,
                     "span": _json_span(text, v.my_span)},
            "other": {"article": v.theirs.article_id, "claim": v.theirs.id, "text": v.theirs.text,
                      "span": _json_span(corpus.articles[v.theirs.article_id].text, v.their_span)},
        } for v in p.views],
        "garbled_sentences": [{"id": s.id, "index": s.index, "start": s.start, "end": s.end,
                               "text": s.text, "garble_score": f.score, "reasons": list(f.reasons)}
                              for s, f in p.garbled],
        "not_judged_sentences": [{"id": s.id, "index": s.index, "start": s.start, "end": s.end,
                                  "text": s.text, "language": _language_of(f), "reasons": list(f.reasons)}
                                 for s, f in p.not_judged],
        "corpus": corpus.corpus_fp or None,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _json_span(text: str, s: tuple[int, int] | None) -> dict | None:
    if not s or not 0 <= s[0] < s[1] <= len(text):
        return None
    return {"start": s[0], "end": s[1], "text": text[s[0]:s[1]]}


# ---------------------------------------------------------------- Markdown

def _md_bar(value: float, width: int = 20) -> str:
    n = round(max(0.0, min(1.0, value)) * width)
    return "\u2588" * n + "\u2591" * (width - n)


def _md_quote(text: str, claim: Claim, span) -> str:
    before, mid, after = quote_parts(text, claim, span)
    if not mid.strip():
        return md_escape(before + mid + after)
    lead, core, trail = re.match(r"^(\s*)(.*?)(\s*)$", mid).groups()
    parts = [md_escape(before) + (" " if lead or before.endswith(" ") else ""),
             "**" + md_escape(core) + "**",
             (" " if trail or after.startswith(" ") else "") + md_escape(after)]
    return "".join(parts).strip()


def _md_link(corpus: Corpus, page: Page, c: Claim) -> str:
    return f"[{page.label[c.id].replace(' ', NBSP)}]({href(c.article_id, 'md', 'c-' + c.id)})"


def _md_section(add, anchor: str, title: str, empty: str = "") -> None:
    """An anchored `##` section heading, and `empty` as its text when it has no items."""
    add(f'<a id="{anchor}"></a>')
    add("")
    add(f"## {title}")
    add("")
    if empty:
        add(empty)
        add("")


def render_markdown(corpus: Corpus, aid: str, weights: dict[str, float]) -> str:
    p = build_page(corpus, aid, weights)
    a = p.article
    out: list[str] = []
    add = out.append
    add("# " + md_escape(_title(a)))                   # a heading cannot wrap
    add("")
    meta = [md_escape(a.outlet) if a.outlet else "outlet unknown", md_escape(_date(a))]
    if a.dateline:
        meta.append("dateline " + md_escape(a.dateline))
    if a.author:
        meta.append("by " + md_escape(a.author))
    add(md_wrap(" \u00b7 ".join(meta)))
    add("")
    add(md_wrap(f"Article {_md_code(a.id)}, file {_md_code(a.file)}"))
    add("")
    if p.score:
        add(f"**Score {_fmt(p.score.score)}** of 1 `{_md_bar(p.score.score)}` "
            f"rank {p.rank} of {p.total}")
    else:
        add("**Not scored yet**: run `factcheck analyze`.")
    add("")
    cnt = p.counts
    add("| claims | corroborated | conflicting | single-source | garbled |")
    add("|-------:|-------------:|------------:|--------------:|--------:|")
    add(f"| {len(p.rows):>6} | {cnt['corroborated']:>12} | {cnt['conflicting']:>11} "
        f"| {cnt['single_source']:>13} | {cnt['garbled']:>7} |")
    add("")
    add(md_wrap(STATUS_RULE))
    add("")
    add("[All articles](index.md) \u00b7 [Claims](#claims) \u00b7 [Conflicts](#conflicts) \u00b7 "
        "[Garbled sentences](#garbled)")
    add("\u00b7 [How the score is made](#score)")
    add("")

    _md_section(add, "claims", f"Claims ({len(p.rows)})", "" if p.rows else "No claims were found in this article.")
    for r in p.rows:
        c = r.claim
        head = f"**{p.label[c.id]} {LABEL[r.status]}**"
        if r.status == "corroborated":
            head += f" by {_plural(r.others, 'other independent source')}"
        elif r.status == "conflicting":
            head += " (" + ", ".join(f"[{p.conflict_label.get(x, 'X?')}](#x-{x})"
                                     for x in r.conflicts) + ")"
        if r.garbled and r.status != "garbled":
            head += ", garbled sentence"
        if r.upheld:
            head += ", upheld by a reviewer"
        add(md_wrap(f'- <a id="c-{c.id}"></a>{head}', indent="  ", first=""))
        add("")
        body = md_escape(c.text)
        if c.speaker:
            body += f" (speaker: {md_escape(c.speaker)})"
        add(md_wrap(body, indent="  "))
        add("")
        if r.links:
            links = ", ".join(_md_link(corpus, p, link.claim) + (f" ({link.note})" if link.note else "")
                              for link in r.links)
            add(md_wrap("Also in " + links, indent="  "))
            add("")
    add("")

    _md_section(add, "conflicts", f"Conflicts ({len(p.views)})",
                "" if p.views else "No conflict with another article was found.")
    for v in p.views:
        x = v.conflict
        other = corpus.articles[v.theirs.article_id]
        add(f'<a id="x-{x.id}"></a>')
        add("")
        add(f"### X{v.number}: {md_escape(x.kind)}, severity {_fmt(x.severity)}")
        add("")
        add(f"*{VERDICT[v.verdict]}*")
        add("")
        add(md_wrap(md_escape(x.explanation)))
        add("")
        add(md_wrap(f"- This article, {_md_link(corpus, p, v.mine)}: "
                    + _md_quote(a.text, v.mine, v.my_span), indent="  ", first=""))
        who = ("Also this article, " + _md_link(corpus, p, v.theirs) if other.id == a.id else
               f"{_md_link(corpus, p, v.theirs)} ({md_escape(other.outlet or _title(other))})")
        add(md_wrap(f"- {who}: "
                    + _md_quote(other.text, v.theirs, v.their_span), indent="  ", first=""))
        add("")

    _md_section(add, "garbled", f"Garbled sentences ({len(p.garbled)})",
                "" if p.garbled else "No sentence was flagged as garbled.")
    for s, f in p.garbled:
        add(md_wrap(f"- **S{s.index + 1}** (garble score {_fmt(f.score)}): {md_escape(s.text)}",
                    indent="  ", first=""))
        if f.reasons:
            add(md_wrap("Reasons: " + "; ".join(md_escape(x) for x in f.reasons), indent="  "))
    if p.not_judged:
        add("")
        add(md_wrap(md_escape(_not_judged_line(p))))
    add("")

    _md_section(add, "score", "How the score is made")
    add(md_wrap(md_escape(SCORE_INTRO)))
    add("")
    add(_md_terms(p))
    add("")
    add(_md_weights(p.weights))
    note = _weights_note(corpus, p.weights)
    if note:
        add("")
        add(md_wrap("**Note:** " + note))
    add("")
    add(_md_footer(corpus))
    return "\n".join(out) + "\n"


def _md_terms(p: Page) -> str:
    rows = term_rows(p)
    if not rows:
        return "This article has no score yet."
    lines = ["| term            | input                    |     value |",
             "|-----------------|--------------------------|----------:|"]
    for k, _formula, inp, v in rows:
        lines.append(f"| {_md_code(k):<15} | {md_escape(inp):<24} | {_signed(v):>9} |")
    total = sum(v for *_, v in rows)
    lines.append(f"| **score**       | {'sum, kept within 0..1' if not 0 <= total <= 1 else 'sum':<24} "
                 f"| {'**' + _fmt(p.score.score) + '**':>9} |")
    lines.append("")
    lines.append("Formulas:")
    lines.append("")
    for k, formula, _inp, _v in rows:
        if formula:
            lines.append(md_wrap(f"- {_md_code(k)} = {md_escape(formula)}", indent="  ", first=""))
    return "\n".join(lines)


def _md_weights(weights: dict[str, float]) -> str:
    lines = ["Published weights:", "",
             "| weight                  |  value | what it does                             |",
             "|-------------------------|-------:|------------------------------------------|"]
    for k, v in weights.items():
        lines.append(f"| {_md_code(k):<23} | {_wfmt(v):>6} | {md_escape(WEIGHT_DOC.get(k, '')):<40} |")
    return "\n".join(lines)


def _footer(corpus: Corpus, code) -> str:
    """The provenance line of every page; `code` formats a value as code (Markdown or HTML)."""
    bits = ["Made by factcheck from the claims store"]
    if corpus.corpus_fp:
        bits.append(f"corpus {code(corpus.corpus_fp[:16])}")
    if corpus.embedder:
        bits.append(f"embedder {code(corpus.embedder)}")
    return ", ".join(bits) + "."


def _md_footer(corpus: Corpus) -> str:
    return md_wrap(_footer(corpus, _md_code))


def render_index_markdown(corpus: Corpus, weights: dict[str, float]) -> str:
    ids = ranking(corpus)
    out = [f"# factcheck: {_plural(len(ids), 'article')}, ranked by score", ""]
    add = out.append
    add(md_wrap("Highest score first. " + STATUS_RULE))
    add("")
    for i, aid in enumerate(ids, 1):
        a = corpus.articles[aid]
        sc = corpus.scores.get(aid)
        cnt = status_counts(claim_rows(corpus, aid))
        n = sum(cnt.values())
        line = (f"{i}. [{md_escape(corpus.short[aid])} \u00b7 {md_escape(_title(a))}]"
                f"({href(aid, 'md')}) \u2014 {md_escape(a.outlet or 'outlet unknown')}, "
                f"{md_escape(a.published or 'date unknown')}. "
                + (f"Score **{_fmt(sc.score)}**: " if sc else "Not scored: ")
                + f"{_plural(n, 'claim')}, {cnt['corroborated']} corroborated, "
                  f"{cnt['conflicting']} conflicting, {cnt['single_source']} single-source, "
                  f"{cnt['garbled']} garbled.")
        add(md_wrap(line, indent=" " * (len(str(i)) + 2), first=""))
    add("")
    add(md_wrap("Share of claims: " + ", ".join(f"`{TEXT_GLYPH[s]}` {LABEL[s]}" for s in CHART_ORDER)))
    add("")
    add("```text")
    name_w = max((len(corpus.short[a]) for a in ids), default=7)
    name_w = min(max(name_w, 7), 20)
    add(f"{'#':>2}  score  {'article':<{name_w}}  claims")
    for i, aid in enumerate(ids, 1):
        sc = corpus.scores.get(aid)
        cnt = status_counts(claim_rows(corpus, aid))
        name = corpus.short[aid].replace("`", "'")
        name = name if len(name) <= name_w else name[:name_w - 1] + "\u2026"
        score = _fmt(sc.score) if sc else "  -  "
        add(f"{i:>2}  {score:>5}  {name:<{name_w}}  {_text_bar(cnt, 40)} {sum(cnt.values())}")
    add("```")
    add("")
    add("## How the score is made")
    add("")
    add(md_wrap("Each article page shows its own terms. These weights are the same for every "
                "article:"))
    add("")
    add(_md_weights(weights))
    add("")
    add(_md_footer(corpus))
    return "\n".join(out) + "\n"


def _shares(cnt: dict[str, int], width: int) -> list[tuple[str, int]]:
    """Split `width` units among the statuses in proportion (largest remainder, stable)."""
    total = sum(cnt.values())
    if not total:
        return []
    exact = [(s, cnt[s] * width / total) for s in CHART_ORDER]
    units = {s: int(v) for s, v in exact}
    left = width - sum(units.values())
    for s, v in sorted(exact, key=lambda p: (-(p[1] - int(p[1])), CHART_ORDER.index(p[0])))[:left]:
        units[s] += 1
    return [(s, units[s]) for s in CHART_ORDER]


def _text_bar(cnt: dict[str, int], width: int) -> str:
    parts = _shares(cnt, width)
    if not parts:
        return " " * width
    return "".join(TEXT_GLYPH[s] * n for s, n in parts)


# ---------------------------------------------------------------- HTML

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa;
  --corroborated: #1b9e77; --conflicting: #d95f02; --single: #a3a3a3; --garbled: #7570b3; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.wrap { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: .2em 0 .3em; }
h2 { font-size: 1.3rem; margin: 2em 0 .6em; padding-bottom: .25em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .4em; }
code { font: .85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft);
  padding: .1em .35em; border-radius: 4px; }
.crumbs { font-size: .9rem; margin-bottom: .8em; }
.meta { color: var(--muted); margin: 0 0 .2em; }
.meta span + span::before { content: " \\00b7  "; }
.file { color: var(--muted); font-size: .85rem; margin: 0 0 1em; }
.summary { display: grid; grid-template-columns: minmax(220px, 300px) 1fr; gap: 24px;
  align-items: center; background: var(--soft); border: 1px solid var(--line); border-radius: 10px;
  padding: 16px 20px; }
.score-num { font-size: 2.6rem; font-weight: 700; line-height: 1; }
.score-num small { font-size: .95rem; font-weight: 400; color: var(--muted); margin-left: .3em; }
.meter { display: block; width: 100%; height: 12px; margin: 10px 0 6px; }
.rank { color: var(--muted); font-size: .9rem; }
.counts { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; margin: 8px 0 0; padding: 0;
  font-size: .92rem; }
.counts b { font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .35em;
  vertical-align: -1px; }
.rule { color: var(--muted); font-size: .85rem; margin: .6em 0 0; }
.toc { margin: 1em 0 0; font-size: .92rem; }
.toc a + a::before { content: " \\00b7  "; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: .93rem; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.id { white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
tr:target, .conflict:target, li:target { background: #fff8c5; }
.speaker { display: block; color: var(--muted); font-size: .85rem; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: .8rem;
  font-weight: 600; color: #fff; white-space: nowrap; }
.b-corroborated { background: var(--corroborated); } .b-conflicting { background: var(--conflicting); }
.b-single_source { background: #6e7781; } .b-garbled { background: var(--garbled); }
.detail { display: block; color: var(--muted); font-size: .82rem; margin-top: 3px; }
.also { margin: 0; padding: 0; list-style: none; font-size: .88rem; }
.also li { white-space: nowrap; } .also .src { color: var(--muted); white-space: normal; }
.conflict { border: 1px solid var(--line); border-left: 4px solid var(--conflicting); border-radius: 8px;
  padding: 12px 16px; margin: 0 0 14px; }
.conflict.dismissed { border-left-color: var(--single); opacity: .8; }
.verdict { font-size: .8rem; font-weight: 600; margin-left: .6em; padding: 1px 8px;
  border-radius: 999px; background: var(--soft); color: var(--muted); border: 1px solid var(--line); }
.v-wrong { background: #ffebe9; color: #a40e26; border-color: #ff818266; }
.v-right { background: #dafbe1; color: #116329; border-color: #4ac26b66; }
.conflict .explanation { margin: .2em 0 .7em; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
blockquote { margin: 0; padding: 8px 12px; background: var(--soft); border-radius: 6px; }
blockquote cite { display: block; font-style: normal; font-size: .82rem; color: var(--muted);
  margin-bottom: 4px; }
mark { background: #ffe066; padding: 0 2px; border-radius: 2px; }
.garbled-list { padding-left: 1.2em; } .garbled-list > li { margin-bottom: .8em; }
td.input { white-space: nowrap; }
.reasons { margin: .2em 0 0; padding-left: 1.1em; color: var(--muted); font-size: .88rem; }
.formula { color: var(--muted); font-size: .85rem; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; }
.chart { width: 100%; height: auto; margin: .5em 0 1.5em; }
.chart text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
.chart .muted { fill: var(--muted); }
.chart text.count { fill: #fff; font-size: 12px; font-weight: 600; }
footer { margin-top: 3em; color: var(--muted); font-size: .82rem; border-top: 1px solid var(--line);
  padding-top: .8em; }
@media (max-width: 720px) { .summary, .sides { grid-template-columns: 1fr; } .wrap { padding: 16px; } }
""".strip()


def _html_page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
            f"<div class=\"wrap\">\n{body}</div>\n</body>\n</html>\n")


def _svg_stack(cnt: dict[str, int], x: float, y: float, w: float, h: float,
               labels: bool = False) -> str:
    """Rects of one stacked bar; an empty outline when there are no claims."""
    total = sum(cnt.values())
    if not total:
        return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none" '
                f'stroke="#d1d9e0"/>')
    out, pos = [], x
    for s in CHART_ORDER:
        if not cnt[s]:
            continue
        seg = w * cnt[s] / total
        out.append(f'<rect class="seg {s}" x="{pos:.2f}" y="{y:.1f}" width="{seg:.2f}" '
                   f'height="{h:.1f}" fill="{COLOR[s]}"/>')
        if labels and seg >= 9 * len(str(cnt[s])) + 8:
            out.append(f'<text class="count" x="{pos + seg / 2:.2f}" y="{y + h / 2 + 4.5:.1f}" '
                       f'text-anchor="middle">{cnt[s]}</text>')
        pos += seg
    return "".join(out)


def _svg_mini(cnt: dict[str, int], width: int = 300, height: int = 14) -> str:
    desc = ", ".join(f"{cnt[s]} {LABEL[s]}" for s in CHART_ORDER)
    return (f'<svg class="meter" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
            f'role="img" aria-label="{e(desc)}"><title>{e(desc)}</title>'
            f'{_svg_stack(cnt, 0, 0, width, height)}</svg>')


def _score_meter(score: float) -> str:
    w = 100 * max(0.0, min(1.0, score))
    return ('<svg class="meter" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" '
            f'aria-label="score {_fmt(score)} of 1">'
            '<rect x="0" y="0" width="100" height="6" rx="1" fill="#d1d9e0"/>'
            f'<rect x="0" y="0" width="{w:.1f}" height="6" rx="1" fill="#0b5cad"/></svg>')


def _legend_items(cnt: dict[str, int] | None = None) -> str:
    return "".join(f'<li><span class="swatch" style="background:{COLOR[s]}"></span>'
                   + (f"<b>{cnt[s]}</b> " if cnt is not None else "") + f"{LABEL[s]}</li>"
                   for s in CHART_ORDER)


def _h_quote(text: str, claim: Claim, span) -> str:
    before, mid, after = quote_parts(text, claim, span)
    return e(before) + (f"<mark>{e(mid)}</mark>" if mid else "") + e(after)


def _h_link(p: Page, c: Claim, text: str | None = None) -> str:
    return (f'<a href="{e(href(c.article_id, "html", "c-" + c.id))}" title="{e(_ws(c.text))}">'
            f"{e(text or p.label[c.id])}</a>")


def _h_other(p: Page, v: ConflictView, other: Article) -> str:
    if other.id == p.article.id:
        return f"Also this article, {_h_link(p, v.theirs)}"
    return f"{_h_link(p, v.theirs)} \u00b7 {e(other.outlet or _title(other))}"


def render_html(corpus: Corpus, aid: str, weights: dict[str, float]) -> str:
    p = build_page(corpus, aid, weights)
    a = p.article
    cnt = p.counts
    b: list[str] = []
    add = b.append
    add('<nav class="crumbs"><a href="index.html">\u2190 All articles</a></nav>\n<header>\n')
    add(f"<h1>{e(_title(a))}</h1>\n")
    meta = [f"<span>{e(a.outlet) if a.outlet else 'outlet unknown'}</span>", f"<span>{e(_date(a))}</span>"]
    if a.dateline:
        meta.append(f"<span>dateline {e(a.dateline)}</span>")
    if a.author:
        meta.append(f"<span>by {e(a.author)}</span>")
    add(f'<p class="meta">{"".join(meta)}</p>\n')
    add(f'<p class="file">Article <code>{e(a.id)}</code> \u00b7 file <code>{e(a.file)}</code></p>\n')
    add('<div class="summary">\n<div>')
    if p.score:
        add(f'<div class="score-num">{_fmt(p.score.score)}<small>score, of 1</small></div>'
            f"{_score_meter(p.score.score)}"
            f'<div class="rank">rank {p.rank} of {p.total} \u00b7 '
            '<a href="#score">how it is made</a></div>')
    else:
        add('<div class="score-num">\u2013<small>not scored yet</small></div>')
    add("</div>\n<div>")
    add(f"<div><b>{_plural(len(p.rows), 'claim')}</b></div>{_svg_mini(cnt)}")
    add(f'<ul class="counts">{_legend_items(cnt)}</ul>')
    add(f'<p class="rule">{e(STATUS_RULE)}</p>')
    add("</div>\n</div>\n")
    add('<nav class="toc"><a href="#claims">Claims</a>'
        f'<a href="#conflicts">Conflicts ({len(p.views)})</a>'
        f'<a href="#garbled">Garbled sentences ({len(p.garbled)})</a>'
        '<a href="#score">How the score is made</a></nav>\n</header>\n<main>\n')

    add(f'<section id="claims">\n<h2>Claims ({len(p.rows)})</h2>\n')
    if not p.rows:
        add("<p>No claims were found in this article.</p>\n")
    else:
        add('<table>\n<thead><tr><th>#</th><th>Claim</th><th>Status</th>'
            "<th>Same claim elsewhere</th></tr></thead>\n<tbody>\n")
        for r in p.rows:
            c = r.claim
            details = []
            if r.status == "corroborated":
                details.append(f"by {_plural(r.others, 'other independent source')}")
            if r.conflicts:
                details.append("in " + ", ".join(
                    f'<a href="#x-{e(x)}">{e(p.conflict_label.get(x, "X?"))}</a>' for x in r.conflicts))
            if r.garbled and r.status != "garbled":
                details.append("garbled sentence")
            if r.upheld:
                details.append("upheld by a reviewer")
            status = (f'<span class="badge b-{r.status}">{LABEL[r.status]}</span>'
                      + (f'<span class="detail">{"; ".join(details)}</span>' if details else ""))
            speaker = f'<span class="speaker">speaker: {e(c.speaker)}</span>' if c.speaker else ""
            links = "".join(
                f"<li>{_h_link(p, link.claim)} "
                f'<span class="src">{e(corpus.articles[link.claim.article_id].outlet or "")}'
                f'{" (" + e(link.note) + ", not counted)" if link.note else ""}</span></li>'
                for link in r.links)
            add(f'<tr id="c-{e(c.id)}"><td class="id">{e(p.label[c.id])}</td>'
                f"<td>{e(_ws(c.text))}{speaker}</td><td>{status}</td>"
                f'<td>{"<ul class=also>" + links + "</ul>" if links else DASH}</td></tr>\n')
        add("</tbody>\n</table>\n")
    add("</section>\n")

    add(f'<section id="conflicts">\n<h2>Conflicts ({len(p.views)})</h2>\n')
    if not p.views:
        add("<p>No conflict with another article was found.</p>\n")
    for v in p.views:
        x = v.conflict
        other = corpus.articles[v.theirs.article_id]
        cls = "conflict dismissed" if v.verdict == "dismissed" else "conflict"
        add(f'<div class="{cls}" id="x-{e(x.id)}">\n'
            f"<h3>X{v.number} \u00b7 {e(x.kind)} \u00b7 severity {_fmt(x.severity)} "
            f'<span class="verdict v-{v.verdict}">{VERDICT[v.verdict]}</span></h3>\n'
            f'<p class="explanation">{e(x.explanation)}</p>\n<div class="sides">\n'
            f"<blockquote><cite>This article, {_h_link(p, v.mine)}</cite>"
            f"{_h_quote(a.text, v.mine, v.my_span)}</blockquote>\n"
            f"<blockquote><cite>{_h_other(p, v, other)}</cite>{_h_quote(other.text, v.theirs, v.their_span)}</blockquote>\n</div>\n</div>\n")
    add("</section>\n")

    add(f'<section id="garbled">\n<h2>Garbled sentences ({len(p.garbled)})</h2>\n')
    if not p.garbled:
        add("<p>No sentence was flagged as garbled.</p>\n")
    else:
        add('<ol class="garbled-list">\n')
        for s, f in p.garbled:
            reasons = "".join(f"<li>{e(r)}</li>" for r in f.reasons)
            add(f'<li id="s-{e(s.id)}" value="{s.index + 1}">{e(_ws(s.text))} '
                f'<span class="detail">garble score {_fmt(f.score)}</span>'
                + (f'<ul class="reasons">{reasons}</ul>' if reasons else "") + "</li>\n")
        add("</ol>\n")
    if p.not_judged:
        add(f'<p class="detail">{e(_not_judged_line(p))}</p>\n')
    add("</section>\n")

    add('<section id="score">\n<h2>How the score is made</h2>\n'
        f"<p>{e(SCORE_INTRO)}</p>\n")
    add(_h_terms(p))
    add(_h_weights(p.weights))
    note = _weights_note(corpus, p.weights)
    if note:
        add(f'<p class="note">{e(note)}</p>\n')
    add("</section>\n</main>\n")
    add(_h_footer(corpus))
    return _html_page(f"{_title(a)} \u2014 factcheck report", "".join(b))


def _h_terms(p: Page) -> str:
    rows = term_rows(p)
    if not rows:
        return "<p>This article has no score yet.</p>\n"
    out = ['<table class="terms">\n<thead><tr><th>Term</th><th>Formula</th><th>Input</th>'
           '<th class="num">Value</th></tr></thead>\n<tbody>\n']
    for k, formula, inp, v in rows:
        out.append(f"<tr><td>{e(k)}</td><td class=\"formula\">{e(formula)}</td><td class=\"input\">{e(inp)}</td>"
                   f'<td class="num">{e(_signed(v))}</td></tr>\n')
    total = sum(v for *_, v in rows)
    out.append('<tr class="total"><td>score</td><td class="formula">sum'
               + (", kept within 0..1" if not 0 <= total <= 1 else "")
               + f'</td><td></td><td class="num">{_fmt(p.score.score)}</td></tr>\n</tbody>\n</table>\n')
    return "".join(out)


def _h_weights(weights: dict[str, float]) -> str:
    rows = "".join(f'<tr><td><code>{e(k)}</code></td><td class="num">{e(_wfmt(v))}</td>'
                   f"<td>{e(WEIGHT_DOC.get(k, ''))}</td></tr>\n" for k, v in weights.items())
    return ("<h3 style=\"margin-top:1.4em\">Published weights</h3>\n<table class=\"weights\">\n"
            '<thead><tr><th>Weight</th><th class="num">Value</th><th>What it does</th></tr></thead>\n'
            f"<tbody>\n{rows}</tbody>\n</table>\n")


def _h_footer(corpus: Corpus) -> str:
    return f"<footer>{_footer(corpus, lambda v: f'<code>{e(v)}</code>')}</footer>\n"


def index_chart(corpus: Corpus, ids: Sequence[str]) -> str:
    """One inline SVG: a legend, then one stacked bar per article in ranking order."""
    width, label_w, right_w, row_h, top = 960, 300, 90, 30, 44
    bar_w = width - label_w - right_w
    height = top + row_h * max(len(ids), 1) + 8
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="chart-title">'
           '<title id="chart-title">Share of each article\'s claims that are corroborated, '
           "conflicting, single-source or garbled</title>"]
    x = label_w
    for s in CHART_ORDER:
        out.append(f'<g class="legend"><rect x="{x}" y="8" width="14" height="14" rx="2" '
                   f'fill="{COLOR[s]}"/><text x="{x + 20}" y="20">{LABEL[s]}</text></g>')
        x += 20 + 9 * len(LABEL[s]) + 28
    out.append(f'<text class="muted" x="{width - 4}" y="20" text-anchor="end">score</text>')
    for i, aid in enumerate(ids):
        y = top + i * row_h
        a = corpus.articles[aid]
        sc = corpus.scores.get(aid)
        cnt = status_counts(claim_rows(corpus, aid))
        total = sum(cnt.values())
        name = f"{i + 1}. {corpus.short[aid]} \u00b7 {a.outlet or _title(a)}"
        name = name if len(name) <= 40 else name[:39] + "\u2026"
        tip = (f"{corpus.short[aid]} {_title(a)}: {_plural(total, 'claim')}, "
               + ", ".join(f"{cnt[s]} {LABEL[s]}" for s in CHART_ORDER))
        out.append(f'<g class="bar" data-article="{e(aid)}"><title>{e(tip)}</title>'
                   f'<a href="{e(href(aid, "html"))}"><text x="0" y="{y + 17}">{e(name)}</text></a>'
                   f"{_svg_stack(cnt, label_w, y + 3, bar_w, row_h - 8, labels=True)}"
                   + ("" if total else f'<text class="muted" x="{label_w + 8}" y="{y + 17}">'
                      "no claims</text>")
                   + f'<text x="{width - 4}" y="{y + 17}" text-anchor="end">'
                   f'{_fmt(sc.score) if sc else DASH}</text></g>')
    out.append("</svg>")
    return "".join(out)


def render_index_html(corpus: Corpus, weights: dict[str, float]) -> str:
    ids = ranking(corpus)
    b = [f"<header>\n<h1>factcheck: {_plural(len(ids), 'article')}, ranked by score</h1>\n"
         f'<p class="meta">Highest score first. {e(STATUS_RULE)}</p>\n</header>\n<main>\n'
         f'<section id="chart">\n{index_chart(corpus, ids)}\n</section>\n']
    b.append('<section id="ranking">\n<table>\n<thead><tr><th class="num">#</th><th>Article</th>'
             '<th>Outlet</th><th>Published</th><th class="num">Score</th><th class="num">Claims</th>'
             + "".join(f'<th class="num">{LABEL[s]}</th>' for s in CHART_ORDER)
             + "</tr></thead>\n<tbody>\n")
    for i, aid in enumerate(ids, 1):
        a = corpus.articles[aid]
        sc = corpus.scores.get(aid)
        cnt = status_counts(claim_rows(corpus, aid))
        b.append(f'<tr id="a-{e(aid)}"><td class="num">{i}</td>'
                 f'<td><a href="{e(href(aid, "html"))}">{e(_title(a))}</a>'
                 f'<span class="speaker">{e(aid)}</span></td>'
                 f"<td>{e(a.outlet or '')}</td><td><span class=\"nowrap\">{e(a.published or 'unknown')}</span>"
                 + (f'<span class="speaker">from the {e(a.published_source)}</span>'
                    if a.published and a.published_source not in ("", "unknown") else "")
                 + f'</td><td class="num"><b>{_fmt(sc.score) if sc else DASH}</b></td>'
                 f'<td class="num">{sum(cnt.values())}</td>'
                 + "".join(f'<td class="num">{cnt[s]}</td>' for s in CHART_ORDER) + "</tr>\n")
    b.append("</tbody>\n</table>\n</section>\n")
    b.append('<section id="score">\n<h2>How the score is made</h2>\n<p>Each article page shows '
             "the terms of its own score. These weights are the same for every article:</p>\n")
    b.append(_h_weights(weights))
    note = _weights_note(corpus, weights)
    if note:
        b.append(f'<p class="note">{e(note)}</p>\n')
    b.append("</section>\n</main>\n")
    b.append(_h_footer(corpus))
    return _html_page("factcheck: articles ranked by score", "".join(b))


# ---------------------------------------------------------------- writing files

def resolve_articles(corpus: Corpus, names: Sequence[str] | None) -> list[str]:
    """Article ids for `names` (an id, a unique id prefix such as '000', or a file name)."""
    if names is None:
        return sorted(corpus.articles)
    out, unknown, ambiguous = [], [], []
    by_file = {Path(a.file).name: a.id for a in corpus.articles.values()}
    for name in names:
        if name in corpus.articles:
            out.append(name)
        elif Path(name).name in by_file:
            out.append(by_file[Path(name).name])
        else:
            hits = [aid for aid in corpus.articles if aid.startswith(name)]
            if len(hits) == 1:
                out.append(hits[0])
            elif hits:
                ambiguous.append(f"{name} ({', '.join(sorted(hits))})")
            else:
                unknown.append(name)
    if unknown or ambiguous:
        msg = []
        if unknown:
            msg.append(f"unknown article id(s) {', '.join(unknown)}")
        if ambiguous:
            msg.append(f"ambiguous: {'; '.join(ambiguous)}")
        known = sorted(corpus.articles)
        listed = ", ".join(known[:6]) + (f", ... ({len(known)} in all)" if len(known) > 6 else "")
        raise FactcheckError("; ".join(msg) + f"; the store has {listed}")
    return list(dict.fromkeys(out))


def check_formats(formats: Sequence[str]) -> list[str]:
    fmts = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise FactcheckError(f"unknown report format(s) {', '.join(bad) or '(none)'}; "
                             f"use any of {', '.join(FORMATS)}")
    return list(dict.fromkeys(fmts))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


RENDER = {"md": render_markdown, "html": render_html, "json": render_json}
RENDER_INDEX = {"md": render_index_markdown, "html": render_index_html}


def write_reports(db: Database, settings, out: Path, formats: Sequence[str],
                  articles: Sequence[str] | None = None) -> int:
    """Write `<article id>.md/.html/.json` and `index.md/.html` into `out`; returns files written.

    `articles` limits the article pages (ids, unique prefixes or file names; unknown ones are a
    FactcheckError naming them); the index always ranks every article in the store.
    """
    fmts = check_formats(formats)
    corpus = load_corpus(db)
    if not corpus.articles:
        raise FactcheckError("the claims store has no articles; run `factcheck run DIR` first")
    ids = resolve_articles(corpus, articles)
    weights = _weights(settings)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FactcheckError(f"{out}: cannot create the reports folder ({err})") from err
    written = 0
    names: list[str] = []
    try:
        for aid in ids:
            for f in fmts:
                names.append(f"{file_stem(aid)}.{f}")
                _write_atomic(out / names[-1], RENDER[f](corpus, aid, weights))
                written += 1
        for f in fmts:
            if f in RENDER_INDEX:
                names.append(f"index.{f}")
                _write_atomic(out / names[-1], RENDER_INDEX[f](corpus, weights))
                written += 1
        _tidy(out, names, every_article=articles is None)
    except OSError as err:
        raise FactcheckError(f"{out}: cannot write reports ({err})") from err
    return written


MANIFEST = ".factcheck-reports.json"


def _tidy(out: Path, names: Sequence[str], every_article: bool) -> None:
    """Keep `out/.factcheck-reports.json`, the list of report files this tool wrote there. After a
    report of every article, the pages it wrote before and not now (an article that left the
    store) are deleted; files it did not write are never touched."""
    path = out / MANIFEST
    try:
        before = set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        before = set()
    now = set(names)
    if every_article:
        for name in sorted(before - now):
            if "/" not in name and "\\" not in name and not name.startswith("."):
                (out / name).unlink(missing_ok=True)
    else:
        now |= before
    _write_atomic(path, json.dumps(sorted(now), indent=0))


# ---------------------------------------------------------------- ClaimReview

def claimreview(db: Database, base_url: str = "") -> list[dict]:
    """schema.org ClaimReview JSON-LD for every conflict a reviewer has decided.

    Decision 'a' or 'b' names the side that is right; the other side is reviewed, rated
    "Incorrect" (1 of 5): a reviewer chose between two versions of one detail, which shows the
    claim is wrong, not that it was made up ("False"). Decision 'not-conflict' reviews side a,
    rated "Not a conflict" (no numeric value): it agrees with side b. `url` points at the conflict
    in the report of the reviewed article, relative unless `base_url` is given.
    """
    status = store.conflict_status(db)
    rows = store.effective_reviews(db)
    articles = {a.id: a for a in store.load_articles(db)}
    claims = {c.id: c for c in store.load_claims(db)}
    out = []
    for x in store.load_conflicts(db):
        st, decision = status.get(x.id, ("open", None))
        if decision not in ("a", "b", "not-conflict"):
            continue
        a, b = claims.get(x.a), claims.get(x.b)
        if a is None or b is None:
            continue
        if decision == "not-conflict":
            reviewed = a
            rating = {"@type": "Rating", "alternateName": "Not a conflict"}
            body = (f"Not a conflict: \"{_ws(a.text)}\" agrees with \"{_ws(b.text)}\" "
                    f"({_outlet(articles, b.article_id)}).")
        else:
            right, reviewed = (a, b) if decision == "a" else (b, a)
            rating = {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                      "alternateName": "Incorrect"}
            expl = _ws(x.explanation).strip()
            body = (f"{expl}{'' if expl.endswith(('.', '!', '?')) else '.'} A reviewer found \"{_ws(right.text)}\" "
                    f"({_outlet(articles, right.article_id)}) to be right.")
        review = rows.get(x.id, {})
        if review.get("note"):
            body += f" Note: {review['note']}"
        art = articles.get(reviewed.article_id)
        appearance = {"@type": "CreativeWork", "url": art.file if art else reviewed.article_id}
        if art and art.title:
            appearance["headline"] = art.title
        if art and art.published:
            appearance["datePublished"] = art.published
        item = {"@type": "Claim", "appearance": appearance,
                "author": {"@type": "Organization", "name": _outlet(articles, reviewed.article_id)}}
        if art and art.published:
            item["datePublished"] = art.published
        entry = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": x.id,
            "url": base_url + href(reviewed.article_id, "html", "x-" + x.id),
            "claimReviewed": _ws(reviewed.text).strip(),
            "itemReviewed": item,
            "reviewRating": rating,
            "reviewBody": body,
            "author": {"@type": "Person", "name": review.get("reviewer") or "unknown"},
        }
        if review.get("time"):
            entry["datePublished"] = str(review["time"])[:10]
        out.append(entry)
    return out


def _outlet(articles: dict[str, Article], aid: str) -> str:
    a = articles.get(aid)
    return (a.outlet if a and a.outlet else aid)
