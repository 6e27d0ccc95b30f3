"""The fluency stage over the store: every sentence's verdict, recomputing as few as possible.

A verdict combines the sentence's parse-based signals (cached by text) with the corpus context
(names, vocabulary, followers of hyphenated words). The context is kept in the store as what each
article adds to it (`fluency_terms`), and each verdict's reads of it as keys (`fluency_reads`).
When only some articles are new, changed or gone, the entries they add or remove are compared
before and after (by the value classes of `fluency.count_class` / `follower_class`), and only the
sentences that read an entry whose class moved, with those of the changed articles, are combined
again; the other verdicts are the stored ones. The result equals a full recomputation
(tests/test_delta.py compares them).
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlite_utils import Database

from . import store
from .pipeline import SMALL_DELTA
from .records import Article, Fluency, Sentence
from .settings import Settings



@dataclass
class FluencyRun:
    fluency: list[Fluency]                  # every verdict; after a delta, the recomputed ones
    cache: dict[str, str]                   # new fluency_cache entries (key -> JSON)
    parsed: int                             # sentences parsed
    recomputed: set[str] | None             # sentence ids combined again (None: all of them)
    # (delta only) the stored verdicts read: those of the sentences combined again and of the
    # changed articles, as sentence id -> (score, garbled, reasons JSON)
    stored: dict[str, tuple] = field(default_factory=dict)
    # (delta only) the sentences whose stored verdict is garbled, and their articles
    stored_garbled: dict[str, str] = field(default_factory=dict)
    garbled: set[str] = field(default_factory=set)           # the sentences garbled now
    gone: set[str] = field(default_factory=set)              # (delta only) stored verdicts of sentences gone
    read_all: object = None                                  # () -> every stored verdict (`every`)
    context: dict = field(default_factory=dict)              # rows for store._save_fluency_context
    ctx: object = None                                       # the FluencyContext the verdicts read
    basis: str = ""                                          # rules and settings digest (state "fluency_context")
    # (delta only) the article of each sentence in `fluency` and in `stored_garbled`
    article_of: dict[str, str] = field(default_factory=dict)
    parse_seconds: float = 0.0                               # in the parse of the texts not cached (timings)

    def every(self, sentences: Sequence[Sentence]) -> list[Fluency]:
        """A verdict for each of `sentences` (after a delta, the others' as stored)."""
        if self.recomputed is None:
            return self.fluency
        mine = {f.sentence_id: f for f in self.fluency}
        stored = self.read_all()
        return [mine.get(s.id) or Fluency(s.id, stored[s.id][0], bool(stored[s.id][1]), _reasons(stored[s.id][2]))
                for s in sentences]


def run_fluency(db: Database, articles: Mapping[str, Article], sentences: store.Sentences,
                settings: Settings, force: bool = False) -> FluencyRun:
    from .stages import fluency as fl

    digest = fl.settings_digest(settings.fluency)
    shas = articles.shas if hasattr(articles, "shas") else {a: x.sha256 for a, x in articles.items()}
    # the articles stored, replaced or deleted since the last analysis (the store's log, when it
    # stands: the stored terms of every other article are those of its content now)
    logged = getattr(articles, "changes", None)
    if force or store.get_state(db, "fluency_context") != digest:
        stored, changed = False, set(articles)
    elif logged is None:
        known = store.fluency_context_articles(db)
        stored = bool(known)
        changed = {a for a in articles if known.get(a) != shas[a]} | (set(known) - set(articles))
    else:
        known = store.fluency_context_articles(db, logged)
        stored = bool(known) or store.has_fluency_context(db)
        changed = {a for a in logged if (a in shas and known.get(a) != shas[a]) or (a in known and a not in shas)}
    run = None
    if stored and len(changed) <= SMALL_DELTA * max(1, len(articles)):
        run = _delta(db, articles, sentences, changed)
    if run is None:
        every = sentences.all()
        by_article: dict[str, list[Sentence]] = {}
        for s in every:
            by_article.setdefault(s.article_id, []).append(s)
        run = _full(articles, by_article, every)
        todo = every
    else:
        todo = sentences.by_ids(run.recomputed)     # only those sentences are read
    run.basis = digest
    _combine(db, todo, run, settings, digest)
    if run.recomputed is not None:
        run.article_of.update((x.id, x.article_id) for x in todo)
        # the stored verdicts stand for the others; of those, only which sentences are garbled is
        # read downstream (analyze writes the recomputed rows alone)
        run.garbled = {sid for sid in run.stored_garbled if sid not in run.recomputed and sid not in run.gone}
        run.read_all = lambda: store.stored_fluency_rows(db)
    run.garbled.update(f.sentence_id for f in run.fluency if f.garbled)
    return run


@functools.lru_cache(maxsize=4096)
def _reasons(stored: str | None) -> tuple[str, ...]:
    """A stored verdict's reasons (JSON) as a tuple: a corpus repeats a few reasons, so each
    distinct text is parsed once."""
    return tuple(json.loads(stored or "[]"))


def _terms(article: Article, c) -> list[tuple]:
    rows = [(article.id, "a", article.sha256, None, 1)]
    rows += [(article.id, "v", k, None, n) for k, n in c.vocabulary.items()]
    for k, n in c.names.items():
        rows.append((article.id, "n", k, None, n))
        words = k.split()
        if len(words) >= 2:
            rows += [(article.id, "w", w, k, 1) for w in {words[0], words[-1]}]
    rows += [(article.id, "f", a, b, 1) for a, b in c.follows]
    return rows


def _full(articles, by_article, sentences) -> FluencyRun:
    from .stages import fluency as fl

    contributions = {a: fl.contribution([s.text for s in by_article.get(a, [])]) for a in articles}
    run = FluencyRun([], {}, 0, None)
    if hasattr(articles, "fetch"):
        articles.fetch(list(articles))       # (every record, at once)
    rows = [t for a in sorted(articles) for t in _terms(articles[a], contributions[a])]
    run.context = {"all": True, "terms": rows,
                   "totals": [(kind, key, ref, n) for (kind, key, ref), n in sorted(_totals(rows).items())]}
    run.ctx = fl.context_from(contributions)
    return run


def _totals(rows) -> dict[tuple[str, str, str], int]:
    """Per-article term rows summed into corpus totals: "v"/"n" counts; "w" the number of articles
    naming that sequence ("f" stays per article: its rules need the articles themselves)."""
    out: dict[tuple[str, str, str], int] = {}
    for _, kind, key, ref, n in rows:
        if kind in ("v", "n", "w"):
            k = (kind, key, ref or "")
            out[k] = out.get(k, 0) + n
    return out


def _delta(db, articles, sentences: store.Sentences, changed: set[str]) -> FluencyRun | None:
    from .stages import fluency as fl

    present = sorted(a for a in changed if a in articles)
    sentences.of(present)                # one read for all of them
    mine = {a: sentences.of([a]) for a in present}
    new = {a: fl.contribution([s.text for s in ss]) for a, ss in mine.items()}
    old_rows = store.fluency_terms_of(db, changed)
    new_rows = [t for a in sorted(new) for t in _terms(articles[a], new[a])]
    # what the delta does to the corpus totals, and to the followers of hyphenated words
    change = _totals(new_rows)
    for k, n in _totals(old_rows).items():
        change[k] = change.get(k, 0) - n
    change = {k: n for k, n in change.items() if n}
    change_w: dict[str, dict[str, int]] = {}
    for (kind, key, ref), n in change.items():
        if kind == "w":
            change_w.setdefault(key, {})[ref] = n
    over_f: dict[str, dict[str, set[str]]] = {}
    for a, c in new.items():
        for x, y in c.follows:
            over_f.setdefault(x, {}).setdefault(y, set()).add(a)
    excluded = sorted(changed)

    def lookup(kind: str, keys, after: bool) -> dict:
        """Entries of one kind before the delta or after it (the store's, with the delta applied)."""
        keys = list(keys)
        if kind == "f":
            found = store.fluency_followers(db, keys, exclude=excluded if after else ())
            for k in keys if after else ():
                for b, arts in over_f.get(k, {}).items():
                    found.setdefault(k, {}).setdefault(b, set()).update(arts)
            return {k: {b: frozenset(arts) for b, arts in v.items()} for k, v in found.items()}
        found = store.fluency_totals(db, kind, keys)
        if not after:                    # only counts are compared before and after
            return found
        if kind == "w":
            out = {}
            for k in keys:
                refs = dict(found.get(k, {}))
                for ref, n in change_w.get(k, {}).items():
                    refs[ref] = refs.get(ref, 0) + n
                if any(n > 0 for n in refs.values()):
                    out[k] = {ref for ref, n in refs.items() if n > 0}
            return out
        return {k: n for k in keys if (n := found.get(k, 0) + change.get((kind, k, ""), 0)) > 0}

    # the entries whose value class moved
    moved: set[str] = set()
    for kind in ("v", "n"):
        keys = sorted({key for (k, key, _) in change if k == kind})
        before, now = lookup(kind, keys, False), lookup(kind, keys, True)
        for k in keys:
            if fl.count_class(before.get(k, 0)) != fl.count_class(now.get(k, 0)):
                moved.add(f"{kind}:{k}")
                words = k.split()
                if kind == "n" and len(words) >= 2:      # it joins or leaves the names of its words
                    moved.update((f"w:{words[0]}", f"w:{words[-1]}"))
    keys = sorted(set(over_f) | {key for _, kind, key, _, _ in old_rows if kind == "f"})
    before, now = lookup("f", keys, False), lookup("f", keys, True)
    for k in keys:
        b0, b1 = before.get(k, {}), now.get(k, {})
        if any(fl.follower_class(b0.get(y, set())) != fl.follower_class(b1.get(y, set())) for y in set(b0) | set(b1)):
            moved.add(f"f:{k}")

    recompute = {s.id for ss in mine.values() for s in ss}
    # (a reader of a changed article's is in `recompute` already, or gone)
    recompute |= {sid for sid, a in store.fluency_readers(db, moved) if a not in changed}
    # the stored verdicts this delta reads: which sentences are garbled (corroboration depends on
    # them), and the verdicts of those combined again (to tell which rows differ) and of the
    # changed articles (to drop those gone)
    garbled = store.stored_garbled_sentences(db)
    rows = store.stored_fluency_of(db, sorted(recompute), excluded)
    stored = {sid: r[1:] for sid, r in rows.items()}
    run = FluencyRun([], {}, 0, recompute, stored, garbled,
                     gone={sid for sid, r in rows.items() if r[0] in changed} - recompute,
                     article_of={**garbled, **{sid: r[0] for sid, r in rows.items()}})
    run.context = {"articles": excluded, "sentences": sorted(recompute), "terms": new_rows,
                   "totals": [(kind, key, ref, n) for (kind, key, ref), n in sorted(change.items())]}
    run.ctx = fl.ContextView(lambda kind, keys: lookup(kind, keys, True)).context()
    return run


def _combine(db, todo: Sequence[Sentence], run: FluencyRun, settings: Settings, digest: str) -> None:
    """Verdicts of `todo` into run.fluency, their reads into run.context["reads"]."""
    from .stages.fluency import LocalSignals, combine_signals, local_signals, recording

    keys = [hashlib.sha256(f"{digest}\x1f{s.text}".encode()).hexdigest() for s in todo]
    cached = store.cached_fluency(db, keys)
    missing = list(dict.fromkeys(s.text for s, k in zip(todo, keys) if k not in cached))
    t = time.perf_counter()
    fresh = dict(zip(missing, local_signals(missing, settings.fluency)))
    run.parse_seconds += time.perf_counter() - t
    decoded: dict[str, LocalSignals] = {}
    reads: list[tuple[str, str, str]] = []
    out: list[Fluency] = []
    for s, k in zip(todo, keys):
        if k in cached:
            if k not in decoded:
                decoded[k] = LocalSignals.from_json(json.loads(cached[k]))
            loc = decoded[k]
        else:
            loc = fresh[s.text]
            run.cache[k] = json.dumps(loc.to_json())
        log: set[str] = set()
        f = combine_signals(s.text, loc, recording(run.ctx, log), settings.fluency, s.article_id)
        out.append(Fluency(s.id, round(float(f.score), 4), bool(f.garbled), tuple(f.reasons)))
        reads += [(s.id, s.article_id, r) for r in log]
    run.fluency = out
    run.parsed = len(missing)
    run.context["reads"] = reads
