"""Delta analysis: with a valid previous analysis, clustering, copy detection, conflicts, scores
and the saved rows are computed only for what changed; the results equal a full recompute
(`analyze(force=True)` over the same store) after adding, changing and deleting articles."""
from __future__ import annotations

import dataclasses
import json
import shutil
import sys

import numpy as np
import pytest

from factcheck import pipeline, store
from factcheck.records import ListLike, ids_stamp
from factcheck.settings import load_settings
from factcheck.stages import clusters as clustering
from factcheck.stages.clusters import linkage_parts

from conftest import ROOT, SEEDS

pytestmark = pytest.mark.model

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_ci  # noqa: E402  (the synthetic corpus generator)


def _snapshot(db) -> dict:
    return {"fluency": store.load_fluency(db), "facts": store.load_facts(db),
            "origins": store.load_origins(db), "clusters": store.load_clusters(db),
            "conflicts": store.load_conflicts(db), "scores": store.load_scores(db), "knn": _knn(db)}


_ULP = 1e-6


class _KnnSnapshot(dict):
    """The stored kNN state per claim id: (key, cosines in order, ids of the neighbours closer
    than the k-th, hub level). Two are equal when the keys and those ids are the same and the
    cosines and hub levels agree to 1e-6: a delta takes a new claim's cosine to an old claim
    from the new claim's row of a matrix product, a full search from the old claim's row of
    another, and on some processors the two differ in the last bit. Neighbours within 1e-6 of
    the k-th are tied with it (which of tied claims is kept is arbitrary)."""

    def __eq__(self, other) -> bool:
        if not isinstance(other, dict) or set(self) != set(other):
            return False
        for cid, (key, cos, ids, hub) in self.items():
            key2, cos2, ids2, hub2 = other[cid]
            if (key != key2 or ids != ids2 or len(cos) != len(cos2) or abs(hub - hub2) > _ULP
                    or any(abs(x - y) > _ULP for x, y in zip(cos, cos2))):
                return False
        return True

    __hash__ = None


def _stored_knn(db):
    """The stored kNN state with every row read."""
    import numpy as np
    from factcheck.stages.clusters import KnnState
    st = KnnState.from_heads(*store.knn_state_heads(db))
    # (its articles' first rows are those of its spans, which run end to end)
    assert st.article_starts.tolist() == [0, *(r.stop for r in st.spans.values())]
    st.load(np.arange(len(st.slots)))
    return st


def _knn(db) -> _KnnSnapshot:
    """The stored kNN state (see `_KnnSnapshot`)."""
    st = _stored_knn(db)
    out = _KnnSnapshot()
    for i, cid in enumerate(st.ids):
        got = [(float(c), st.ids[j]) for j, c in zip(st.idx[i], st.sims[i]) if j >= 0]
        last = min((c for c, _ in got), default=None)
        out[cid] = (st.keys[i], sorted(c for c, _ in got), sorted(x for c, x in got if c > last + _ULP),
                    float(st.hub[i]))
    return out


def _full(db, tmp_path, name, settings, emb) -> dict:
    """The same store analysed from scratch (no previous state), as a snapshot."""
    store.checkpoint(db)
    copy = tmp_path / f"{name}.db"
    shutil.copy(db.conn.execute("pragma database_list").fetchone()[2], copy)
    other = store.open_db(copy)
    res = pipeline.analyze(other, settings, embedder=emb, force=True)
    assert not res.delta
    return _snapshot(other)


def _analysed_corpus(tmp, name: str):
    """The seeds + 6 synthetic articles in `tmp`/corpus, ingested and analysed in `tmp`/`name`:
    (folder, settings, embedder, store, the first analysis)."""
    from conftest import FakeEmbedder
    folder = tmp / "corpus"
    shutil.copytree(SEEDS, folder)
    bench_ci.build_corpus(folder, 6, seed=3)
    # no cap on what conflicts take away: with it, an article with several conflicts scores the
    # same whichever side they back, which would hide a wrong "other sources back it" on the delta path
    settings = load_settings()
    settings = dataclasses.replace(settings, score=dataclasses.replace(settings.score, conflict_cap=100.0))
    emb = FakeEmbedder()
    db = store.open_db(tmp / name)
    pipeline.ingest(db, [folder], settings)
    return folder, settings, emb, db, pipeline.analyze(db, settings, embedder=emb)


@pytest.fixture(scope="module")
def steps(tmp_path_factory):
    # every kNN state a delta writes: what it writes by the stored articles it matched, against
    # what it writes when each article is looked up in the stored state's spans
    real_rows = clustering.KnnState.rows
    matched_rows = []

    def rows(self, stored=None):
        got = real_rows(self, stored)
        if self.matched is not None and self.matched[0] is stored:
            matched_rows.append((got, real_rows(dataclasses.replace(self, matched=None), stored)))
        return got
    clustering.KnnState.rows = rows
    try:
        out = _steps(tmp_path_factory.mktemp("delta"))
    finally:
        clustering.KnnState.rows = real_rows
    out["matched_rows"] = matched_rows
    return out


def _steps(tmp):
    folder, settings, emb, db, first = _analysed_corpus(tmp, "inc.db")
    out = {"first": first}
    # a reviewer dismissed one conflict and decided another, as `factcheck review` records them:
    # the deltas below must score with those decisions as a full analysis does
    conflicts = store.load_conflicts(db)
    fps = store.conflict_fingerprints(db)
    store.add_review(db, conflicts[0].id, "not-conflict", fingerprint=fps[conflicts[0].id])
    store.add_review(db, conflicts[-1].id, "a", fingerprint=fps[conflicts[-1].id])
    pipeline.rescore(db, settings)
    out["reviewed"] = (conflicts[0].id, conflicts[-1].id)

    (folder / "zz_new.txt").write_text(bench_ci.NEW_ARTICLE, encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    import factcheck.records as records
    real_strings = records.json_strings
    added_reads = []       # its claims restate clustered ones: the clusters they join are read
    records.json_strings = lambda v: added_reads.append(v) or real_strings(v)
    column_reads = []      # the articles whose stored claim columns are read (None: every one)
    real_bodies = store.ClaimTable._read_bodies
    store.ClaimTable._read_bodies = lambda self, a: column_reads.append(a and sorted(a)) or real_bodies(self, a)
    try:
        added = pipeline.analyze(db, settings, embedder=emb)
    finally:
        records.json_strings = real_strings
        store.ClaimTable._read_bodies = real_bodies
    out["added_cluster_reads"] = (added_reads, store.count_rows(db, "clusters"))
    out["added_column_reads"] = column_reads
    out["added"] = (added, _snapshot(db), _full(db, tmp, "added", settings, emb))

    target = folder / "syn_0003.txt"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("Lavrov", "Shoigu") + "The talks lasted 7 hours, officials said on Monday.\n",
                      encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    out["changed"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                      _full(db, tmp, "changed", settings, emb))

    gone = next(a.id for a in store.load_articles(db) if a.id.startswith("syn_0005") or "syn_0005" in a.file)
    (folder / "syn_0005.txt").unlink()
    store.delete_article(db, gone)
    out["deleted"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                      _full(db, tmp, "deleted", settings, emb))
    out["gone_rows"] = {t: db.execute(f"select count(*) from {t} where article_id = ?", [gone]).fetchone()[0]
                        for t in ("fluency", "claim_facts", "origins", "scores", "norm_cache", "norm_keys",
                                  "claim_columns", "claim_vectors", "origin_shingles", "knn_rows")}

    # a store whose cached facts predate the stored summaries (migration m007): they are read from
    # the facts once and written back
    db.execute("update norm_cache set summary = null")
    (folder / "zz_second.txt").write_text(bench_ci.NEW_ARTICLE.replace("Sunday", "Monday"), encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    out["old_rows"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                       _full(db, tmp, "old_rows", settings, emb))
    out["old_rows_filled"] = db.execute("select count(*) from norm_cache where summary is null").fetchone()[0]
    out["old_rows_facts_lost"] = db.execute("select count(*) from norm_cache where facts is null").fetchone()[0]

    # the next delta decodes only the facts of the claims it checks
    calls = []
    real = pipeline.decode_facts
    pipeline.decode_facts = lambda d: calls.append(d["claim_id"]) or real(d)
    full_reads = []
    real_load = store.load_conflicts
    store.load_conflicts = lambda *a, **k: full_reads.append(1) or real_load(*a, **k)
    sentence_reads = []
    real_sentences = store.load_sentences
    store.load_sentences = lambda *a, **k: sentence_reads.append(1) or real_sentences(*a, **k)
    real_of = store.Sentences.of
    store.Sentences.of = lambda self, ids: sentence_reads.extend(ids := list(ids)) or real_of(self, ids)
    facts_reads = []
    real_facts = store.norm_cache_facts
    store.norm_cache_facts = lambda db_, ids: facts_reads.extend(ids := list(ids)) or real_facts(db_, ids)
    name_reads = []        # articles whose cached names are read
    real_names, real_norm = store.norm_cache_names, store.load_norm_cache
    store.norm_cache_names = lambda db_, ids: name_reads.extend(ids := list(ids)) or real_names(db_, ids)
    cache_row_reads = []   # articles whose normalisation cache rows are read
    store.load_norm_cache = lambda db_, article_ids, names=True, summaries=True: (
        cache_row_reads.extend(article_ids := list(article_ids))) or (
        name_reads.extend(article_ids) if names else None) or real_norm(db_, article_ids, names, summaries)
    verdict_reads = []     # reads of every stored fluency verdict
    real_verdicts = store.stored_fluency_rows
    store.stored_fluency_rows = lambda db_: verdict_reads.append(1) or real_verdicts(db_)
    summary_reads = []     # articles whose stored fact summaries are read
    real_summaries = store.norm_cache_summaries
    store.norm_cache_summaries = lambda db_, ids: summary_reads.extend(ids := list(ids)) or real_summaries(db_, ids)
    claim_reads = []       # reads of every claim row
    real_claims = store.load_claims
    store.load_claims = lambda *a, **k: claim_reads.append(1) or real_claims(*a, **k)
    written = []           # rows of copy detection's and the claim columns' state written
    real_origin_write, real_columns_write = store.write_origin_state, store.write_claim_columns
    real_knn_write = store.write_knn_state
    store.write_knn_state = lambda db_, rows, gone, every, patches, unpatch, meta: written.append(
        ("knn", sorted(r[0] for r in rows), every, len(patches))) or real_knn_write(db_, rows, gone, every, patches, unpatch, meta)
    store.write_origin_state = lambda db_, rows, *a: written.append(("origins", len(rows), a[-1])) \
        or real_origin_write(db_, rows, *a)
    store.write_claim_columns = lambda db_, rows, replace_all=False: written.append(
        ("columns", len(rows), replace_all)) or real_columns_write(db_, rows, replace_all)
    from factcheck.stages import conflicts as conflict_rules
    real_may = conflict_rules.may_level
    ruled_out = []         # pairs the stored probes left out of every check
    conflict_rules.may_level = lambda a, b: real_may(a, b) or ruled_out.append(1) or 0
    cluster_reads = []     # the stored clusters' member lists read (their JSON)
    real_strings = records.json_strings
    records.json_strings = lambda v: cluster_reads.append(v) or real_strings(v)
    out["clusters_stored"] = store.count_rows(db, "clusters")
    article_reads = []     # article records read (every one: "all")
    real_articles = store.load_articles
    store.load_articles = lambda db_, ids=None: article_reads.extend(["all"] if ids is None else list(ids)) \
        or real_articles(db_, ids)
    compared = []          # (read, the articles whose stored state it compares: "all" for every one)
    real_compared = {name: getattr(store, name) for name in
                     ("fluency_context_articles", "norm_cache_heads", "norm_merge_articles")}

    def comparing(name):
        def read(db_, *args):
            among = args[-1] if args and not isinstance(args[-1], str) else None
            compared.append((name, "all" if among is None else sorted(among)))
            return real_compared[name](db_, *args)
        return read
    for name in real_compared:
        setattr(store, name, comparing(name))
    try:
        (folder / "zz_third.txt").write_text("Myanmar's foreign minister met ASEAN envoys in Jakarta on Friday. "
                                             "Lavrov arrived in Myanmar on Tuesday.\n", encoding="utf-8")
        pipeline.ingest(db, [folder], settings)
        res = pipeline.analyze(db, settings, embedder=emb)
    finally:
        pipeline.decode_facts = real
        store.load_conflicts = real_load
        store.load_sentences = real_sentences
        store.Sentences.of = real_of
        store.norm_cache_facts = real_facts
        store.norm_cache_names, store.load_norm_cache = real_names, real_norm
        store.stored_fluency_rows = real_verdicts
        store.load_claims = real_claims
        store.norm_cache_summaries = real_summaries
        store.load_articles = real_articles
        store.write_origin_state, store.write_claim_columns = real_origin_write, real_columns_write
        store.write_knn_state = real_knn_write
        records.json_strings = real_strings
        conflict_rules.may_level = real_may
        for name, fn in real_compared.items():
            setattr(store, name, fn)
    out["compared"] = (compared, sorted(a.id for a in store.load_articles(db) if "zz_third" in a.file))
    out["decoded"] = (res, len(set(calls)), len(full_reads))
    out["ruled_out"] = len(ruled_out)
    out["cluster_reads"] = cluster_reads
    out["sentence_reads"] = (sentence_reads, len(store.load_articles(db)))
    out["facts_reads"] = facts_reads
    out["name_reads"] = name_reads
    out["cache_row_reads"] = cache_row_reads
    out["verdict_reads"] = verdict_reads
    out["claim_reads"] = claim_reads
    out["summary_reads"] = summary_reads
    out["article_reads"] = article_reads
    out["written"] = written
    out["after_decoded"] = (_snapshot(db), _full(db, tmp, "decoded", settings, emb))
    # a new article gives a person another office: the claims where that person speaks without a
    # title are checked again (the offices per entity moved), through the stored index
    (folder / "zz_office.txt").write_text(
        "Lavrov takes a new post\n\nMoscow, Jul 9 (Agency) - Defence Minister Sergei Lavrov said on Monday "
        "that the army would train more officers from Myanmar this year.\n"
        "Prime Minister Min Aung Hlaing said the talks in Moscow had been useful for both sides.\n",
        encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    # (one row of the articles the merge's input holds lost: the input is built again, not added to)
    db.execute("delete from norm_merge_articles where article_id = (select min(article_id) from norm_merge_articles)")
    out["office"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                     _full(db, tmp, "office", settings, emb))
    out["merge_office"] = _merge_input(db)
    # a store analysed before the per-article state (migrations m012-m015): none of it is stored.
    # The next analysis still takes the delta path, builds that state and equals a full one.
    for table in ("claim_columns", "claim_vectors", "origin_shingles", "origin_edges", "norm_keys"):
        db.execute(f"delete from {table}")
    db.execute("delete from state where key = 'norm_merge'")
    (folder / "zz_third_new.txt").write_text(bench_ci.NEW_ARTICLE.replace("Sunday", "Friday"), encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    out["upgraded"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                       _full(db, tmp, "upgraded", settings, emb))
    # after all those deltas, the entity merge's stored input and key index are what the cached
    # names of the analysed articles give
    import json as _json
    from factcheck.stages.normalize import name_keys
    out["merge"] = _merge_input(db)
    rows = {r[0]: (r[1], _json.loads(r[2])) for r in db.execute("select article_id, sha256, names from norm_cache")
            if r[0] in {r[0] for r in db.execute("select distinct article_id from claims")}}
    # ... and so is the index of the pair checks (candidate keys, offices) and the corpus state
    from factcheck.stages.conflicts import corpus_state
    summaries = {}
    for (enc,) in db.execute("select summary from norm_cache where article_id in (select article_id from claims)"):
        summaries.update(_json.loads(enc))
    owner = dict(db.execute("select id, article_id from claims").fetchall())
    out["fact_index"] = (
        sorted(db.execute("select claim_id, article_id, key from fact_keys").fetchall()),
        sorted((c, owner[c], k) for c, (keys, _) in summaries.items() for k in keys),
        sorted(db.execute("select claim_id, article_id, entity, office from fact_offices").fetchall()),
        sorted((c, owner[c], e, o) for c, (_, offices) in summaries.items() for e, o in offices),
        _json.loads(store.get_state(db, "conflicts_state")), _json.loads(_json.dumps(corpus_state({}, summaries))))
    out["norm_keys"] = (sorted(db.execute("select article_id, key from norm_keys").fetchall()),
                        sorted((a, k) for a, (_, (raw, _)) in rows.items() for k in name_keys(x[0] for x in raw)))
    # ... every stored cluster's member numbers are those of its claims in the stored kNN state
    knn = _stored_knn(db)
    id_of_slot = dict(zip(knn.slots.tolist(), knn.ids))
    clusters_now, slots_now, linkage_now = store.load_clusters_and_slots(db)
    # ... and the pair-check index holds rows of the articles the kNN state lists only (a delta
    # takes the articles it lists and that have no claims now for those whose rows go)
    out["index_articles"] = (
        {r[0] for r in db.execute("select article_id from fact_keys union select article_id from fact_offices")},
        set(knn.spans))
    out["member_slots"] = ([[id_of_slot.get(x) for x in np.frombuffer(b, dtype="<i8").tolist()]
                            for b in slots_now], [list(k.claim_ids) for k in clusters_now])
    # ... and its linkage (a delta takes a settled cluster whole from it) holds its claims' numbers
    out["linkage"] = ([None if b is None else sorted(id_of_slot.get(x) for x in linkage_parts(b, len(k.claim_ids))[1].tolist())
                       for b, k in zip(linkage_now[:], clusters_now)], [sorted(k.claim_ids) for k in clusters_now])
    # ... and each clustered claim's row in `cluster_members` names its cluster's anchor, the
    # smallest number of its members (one per cluster)
    anchor_of = dict(db.execute("select id, anchor from clusters").fetchall())
    out["cluster_members"] = (sorted(db.execute("select claim_id, anchor from cluster_members").fetchall()),
                              sorted((c, anchor_of[k.id]) for k in clusters_now for c in k.claim_ids),
                              [anchor_of[k.id] for k in clusters_now],
                              [store.cluster_anchor(k.id, b) for k, b in zip(clusters_now, slots_now)])
    # ... and every stored probe is that of the claim's stored facts; under other rules (a stored
    # probe made by them) the next delta drops them, then fills those of the facts it reads
    from factcheck.pipeline import decode_facts

    def probes_held() -> tuple[list, int]:
        got = db.execute("select claim_id, facts, probe from claim_facts").fetchall()
        return ([(c, p, conflict_rules.fact_probe(decode_facts(_json.loads(f)))) for c, f, p in got if p is not None],
                sum(p is None for _, _, p in got))
    out["probes"] = probes_held()
    some = db.execute("select claim_id from claim_facts where probe is not null order by claim_id limit 1").fetchone()[0]
    db.execute("update claim_facts set probe = 'q' where claim_id = ?", [some])
    store.set_state(db, "fact_probes", "rules of another version")
    (folder / "zz_fourth.txt").write_text("Lavrov left Myanmar on Thursday.\n", encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    out["probes_reset"] = (pipeline.analyze(db, settings, embedder=emb), probes_held(),
                           store.get_state(db, "fact_probes"), _snapshot(db), _full(db, tmp, "probes", settings, emb))
    # after all those deltas, the stored fluency totals are still the sums of the per-article terms
    out["totals"] = (
        sorted(db.execute("select kind, key, ref, n from fluency_totals").fetchall()),
        sorted(db.execute("select kind, key, coalesce(ref, ''), sum(n) from fluency_terms "
                          "where kind in ('v', 'n', 'w') group by kind, key, coalesce(ref, '')").fetchall()))
    return out


@pytest.mark.parametrize("step", ["added", "changed", "deleted", "old_rows", "office", "upgraded"])
def test_delta_equals_full_recompute(steps, step):
    res, inc, full = steps[step]
    assert res.delta, "the delta path was not taken"
    assert 0 < res.regrouped < res.counts["claims"]   # only a region was grouped again
    assert 0 < res.recombined < res.counts["sentences"] / 2   # and few fluency verdicts combined again
    for key in inc:
        assert inc[key] == full[key], key
    # the run's count of conflicts (kept in the state, not counted) is that of the full analysis
    assert res.counts["conflicts"] == len(full["conflicts"])


def test_reviews_count_on_the_delta_path(steps):
    dismissed, decided = steps["reviewed"]
    _, inc, full = steps["added"]
    assert inc["conflicts"] == full["conflicts"]
    status = {x.id: x.status for x in inc["conflicts"]}
    assert status.get(dismissed) == "dismissed" and status.get(decided) == "confirmed"


def test_cached_rows_without_summaries_get_them(steps):
    assert steps["old_rows_filled"] == 0


def test_delta_reads_only_the_facts_and_conflicts_it_checks(steps):
    res, decoded, full_reads = steps["decoded"]
    assert res.delta
    assert 0 < decoded < res.counts["claims"] / 2, (decoded, res.counts["claims"])
    assert full_reads == 0        # the stored conflicts at risk only, by indexed look-ups
    inc, full = steps["after_decoded"]
    for key in inc:
        assert inc[key] == full[key], key
    assert res.counts["conflicts"] == len(full["conflicts"])


def test_delta_reads_the_cached_facts_of_the_articles_it_checks(steps):
    _, n_articles = steps["sentence_reads"]
    assert len(set(steps["facts_reads"])) < n_articles / 2
    assert steps["old_rows_facts_lost"] == 0          # rows written back keep their facts


def test_delta_reads_the_names_of_few_articles(steps):
    # the entity merge's input is updated with the new article's names, not summed again over
    # every article's
    _, n_articles = steps["sentence_reads"]
    reads = steps["name_reads"]
    assert "all" not in reads
    assert len(set(reads)) < n_articles / 2
    # ... and the cached rows of the articles whose row stands as it is are not read one by one
    rows = steps["cache_row_reads"]
    assert "all" not in rows
    assert len(set(rows)) < n_articles / 2


def test_stored_clusters_name_their_members_by_their_numbers_in_the_knn_state(steps):
    """After adds, changes (a claim changed under the same id takes a new number) and deletions,
    each cluster row's member numbers still lead to its claims: the next delta finds them by number."""
    by_number, members = steps["member_slots"]
    assert members and by_number == members


def test_every_stored_cluster_keeps_a_linkage_of_its_own_claims_after_the_deltas(steps):
    """Each cluster row's linkage (what a delta adding articles reads to take the cluster whole)
    numbers exactly its claims, after adds, changes, deletions and kept clusters counted again."""
    linked, members = steps["linkage"]
    assert members and linked == members


def test_each_clustered_claim_names_its_cluster_after_the_deltas(steps):
    rows, want, anchors, smallest = steps["cluster_members"]
    assert rows == want and len(want) > 20
    assert anchors == smallest and len(set(anchors)) == len(anchors)
    assert all(a.startswith("#") for a in anchors)


def test_the_pair_check_index_holds_only_articles_the_knn_state_lists(steps):
    indexed, listed = steps["index_articles"]
    assert indexed and indexed <= listed


def _merge_input(db) -> tuple:
    """(the entity merge's stored input, the one the cached names of the analysed articles build;
    the articles the store says it holds, those analysed) with their content hashes."""
    from factcheck.stages.normalize import AcronymDef, MergeInput
    with_claims = {r[0] for r in db.execute("select distinct article_id from claims")}
    rows = {r[0]: (r[1], json.loads(r[2])) for r in db.execute("select article_id, sha256, names from norm_cache")
            if r[0] in with_claims}
    built = MergeInput.build({a: ([(x[0], x[3]) for x in raw], [AcronymDef(*d) for d in defs])
                              for a, (_, (raw, defs)) in rows.items()})
    stored = json.loads(store.get_state(db, "norm_merge"))
    return ({k: v for k, v in stored.items() if k != "version"},
            {"articles": len(rows), **json.loads(json.dumps(built.to_json()))},
            store.norm_merge_articles(db), {a: sha for a, (sha, _) in rows.items()})


@pytest.mark.parametrize("step", ["merge_office", "merge"])
def test_the_merge_input_and_key_index_stay_those_of_the_cached_names(steps, step):
    # (before "merge_office" a row of the articles the input holds was lost: built again)
    stored, built, held, analysed = steps[step]
    assert stored["articles"] and stored == built
    assert held == analysed
    rows, expected = steps["norm_keys"]
    assert rows and rows == expected


def test_a_delta_compares_the_stored_state_of_the_articles_stored_since_the_last_analysis_alone(steps):
    """The store's log of the articles stored, replaced or deleted tells which ones a delta looks
    at: the fluency context, the normalisation cache and the entity merge's input of the others are
    not read to be compared with their content (and the delta still equals a full analysis)."""
    compared, new = steps["compared"]
    assert new and {name for name, _ in compared} == {"fluency_context_articles", "norm_cache_heads",
                                                      "norm_merge_articles"}
    assert all(among == new for _, among in compared), compared


def test_delta_reads_the_garbled_and_recombined_verdicts_not_all(steps):
    assert steps["verdict_reads"] == []


def test_delta_reads_no_stored_fact_summary(steps):
    # the pair checks read the stored index of candidate keys and offices instead
    assert steps["summary_reads"] == []


def test_the_pair_check_index_and_corpus_state_stay_those_of_the_summaries(steps):
    keys, keys_expected, offices, offices_expected, state, state_expected = steps["fact_index"]
    assert keys and keys == keys_expected
    assert offices == offices_expected
    assert state == state_expected


def test_delta_reads_the_claim_rows_of_the_new_article_not_all(steps):
    assert steps["claim_reads"] == []


def test_stored_probes_leave_pairs_out_and_are_those_of_the_stored_facts(steps):
    # the delta above left pairs out of its checks and equals a full analysis (see the test before)
    assert steps["ruled_out"] > 0
    held, empty = steps["probes"]
    assert len(held) > 100 and all(p == want for _, p, want in held)
    # under other rules: the wrong probe is dropped, the delta still equals a full analysis
    res, (held, empty), basis, inc, full = steps["probes_reset"]
    assert res.delta and basis != "rules of another version"
    assert held and all(p == want for _, p, want in held) and empty > 0
    for key in inc:
        assert inc[key] == full[key], key


def test_a_delta_regrouping_clusters_reads_the_stored_claim_columns_of_the_articles_it_scores_alone(steps):
    # the claims a delta regroups are claims of most articles: their ids come from their clusters'
    # stored lists, their positions, sentences, speakers and records from their claim rows; the
    # stored columns of the articles it scores are read, not every article's
    res, inc, _ = steps["added"]
    reads = steps["added_column_reads"]
    spanned = {a for k in inc["clusters"] if len(k.article_ids) > 1 for a in k.article_ids}
    assert res.regrouped > 10 and len(spanned) >= 10
    # (before: one article at a time, then every article's past the bound of singles)
    assert None not in reads and 0 < len({a for r in reads for a in r}) <= 2


def test_delta_reads_the_members_of_the_clusters_it_looks_at_not_all(steps):
    # an article restating clustered claims, and a new two-sentence article: the clusters kept as
    # stored are not read, only those of the claims whose cluster or score may move
    reads, stored = steps["added_cluster_reads"]
    assert 0 < len(reads) // 2 < stored // 2
    assert len(steps["cluster_reads"]) // 2 < steps["clusters_stored"] // 4


def test_the_knn_rows_a_delta_writes_are_those_of_each_article_looked_up_in_the_stored_state(steps):
    # (the delta matched the stored articles once; the rows written, the articles whose row goes
    # and the patches are those of looking each article up: every step, including an article
    # changed, one deleted and one with fewer claims)
    assert len(steps["matched_rows"]) >= 6
    assert any(got[1] for got, _ in steps["matched_rows"])        # (an article's row went)
    for got, plain in steps["matched_rows"]:
        assert got == plain


def test_a_claim_table_takes_the_heads_the_last_analysis_saved_and_reads_the_logged_articles_rows(tmp_path):
    """While the store's log of article changes stands, a claim table takes every article's claim
    columns head from what the last analysis saved with the rows, and reads the rows of the logged
    articles alone (replaced, new, deleted): the table one reading every head makes."""
    folder, settings, emb, db, _ = _analysed_corpus(tmp_path, "heads.db")
    ids = sorted(store.ArticleTable(db).shas)
    replaced = next(p for p in sorted(folder.glob("*.txt")) if p.stem in ids[1])
    replaced.write_text(replaced.read_text(encoding="utf-8") + "\nShoigu left Moscow on Friday.\n", encoding="utf-8")
    (folder / "zz_new.txt").write_text(bench_ci.NEW_ARTICLE, encoding="utf-8")
    # ... one changed and changed back: logged, its row stands for its content again
    back = next(p for p in sorted(folder.glob("*.txt")) if p.stem in ids[4])
    text = back.read_text(encoding="utf-8")
    back.write_text(text + "\nShoigu left Moscow on Friday.\n", encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    back.write_text(text, encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    store.delete_article(db, ids[3])

    def tables():
        articles = store.ArticleTable(db)
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        kept = store.ClaimTable(db, articles.shas, pipeline.COLUMNS_VERSION, changes=articles.changes)
        db.conn.set_trace_callback(None)
        scanned = store.ClaimTable(db, articles.shas, pipeline.COLUMNS_VERSION)
        for attr in ("rewrite", "rewrite_all", "spans", "_stored_embedder", "_keys_of"):
            assert getattr(kept, attr) == getattr(scanned, attr), attr
        assert kept.stamps() == scanned.stamps() and list(kept.ids) == list(scanned.ids)
        # (every head read: the heads' read without a list of articles)
        return articles.changes, any("stamp, n from claim_columns" in s and "article_id in" not in s
                                     for s in statements)

    logged, every_head = tables()
    assert len(logged) == 4 and not every_head
    # the next analysis saves the heads of its rows: none logged since
    pipeline.analyze(db, settings, embedder=emb)
    assert tables() == (frozenset(), False)
    # rows that are not those the heads were saved with (one went, outside the program): every
    # head is read
    db.execute("delete from claim_columns where article_id = ?", [ids[0]])
    assert tables() == (frozenset(), True)


def test_delta_writes_the_state_rows_of_the_new_article_only(steps):
    # copy detection's shingles and the claim columns: the new article's rows, not every article's
    written = {w[0]: w[1:] for w in steps["written"]}
    assert written.pop("columns") == (1, False) and written.pop("origins") == (1, False)
    # the kNN rows: the new article's; the old claims its claims became neighbours of are patches
    (knn_rows, every, patches), = written.values()
    assert not every and len(knn_rows) == 1 and knn_rows[0].startswith("zz_third"), knn_rows
    assert patches > 0


def test_delta_reads_the_article_records_it_parses_or_scores_not_all(steps):
    _, n_articles = steps["sentence_reads"]
    reads = steps["article_reads"]
    assert "all" not in reads and 0 < len(set(reads)) < n_articles / 2


def test_delta_reads_the_sentences_of_the_articles_it_looks_at(steps):
    reads, n_articles = steps["sentence_reads"]
    assert 1 not in reads                              # no read of every sentence
    assert 0 < len(set(reads)) < n_articles / 2


def test_fluency_totals_stay_the_sums_of_the_terms(steps):
    totals, sums = steps["totals"]
    assert totals and totals == sums


def test_the_search_is_timed_apart_from_the_rest_of_clustering(steps):
    for step in ("first", "added"):
        res = steps[step] if step == "first" else steps[step][0]
        assert 0 < res.timings["cluster.search"] <= res.timings["cluster"]


def test_the_clustering_reads_its_stored_state_while_the_model_computes_the_new_vectors(tmp_path, monkeypatch):
    """With an embedder that takes texts and gives their vectors later (the embedding worker's
    `submit`), the copy detection, the stored kNN state and clusters (mapped onto the claims) and
    the pair checks' index are read after the new texts are handed over and before their vectors
    are waited for; the analysis stores what it stores when they are read after the vectors, and
    times what followed the vectors apart."""
    from conftest import FakeEmbedder
    events = []

    class Later(FakeEmbedder):
        def submit(self, texts):
            events.append("submit")

            def vectors():
                events.append("vectors")
                return self.embed(texts)
            return vectors

    folder, settings, _, db, _ = _analysed_corpus(tmp_path, "later.db")
    store.checkpoint(db)
    shutil.copy(db.conn.execute("pragma database_list").fetchone()[2], tmp_path / "plain.db")
    plain = store.open_db(tmp_path / "plain.db")
    new = tmp_path / "new"
    new.mkdir()
    bench_ci.build_corpus(new, 8, seed=11)
    files = sorted(new.iterdir())[-2:]
    for name in ("knn_state_heads", "origin_state_rows", "load_origins", "fact_key_members"):
        real = getattr(store, name)

        def logged(*a, _real=real, _name=name, **k):
            events.append(_name)
            return _real(*a, **k)
        monkeypatch.setattr(store, name, logged)
    real_members = clustering._member_numbers

    def members(*a, **k):
        events.append("previous clusters' members")
        return real_members(*a, **k)
    monkeypatch.setattr(clustering, "_member_numbers", members)
    pipeline.ingest(db, files, settings)
    res = pipeline.analyze(db, settings, embedder=Later())
    assert res.delta and res.embedded
    # (the pair checks' index reads the members of the fact keys that moved before the vectors;
    # the checks may read those of more keys after them)
    assert events[:events.index("vectors") + 1] == ["submit", "origin_state_rows", "load_origins", "knn_state_heads",
                                                    "previous clusters' members", "fact_key_members", "vectors"]
    for stage in ("cluster", "conflicts", "save"):
        assert 0 < res.timings[f"{stage}.inputs"] < res.timings[stage]
    assert 0 < res.after_model < sum(v for k, v in res.timings.items() if "." not in k)
    monkeypatch.undo()
    pipeline.ingest(plain, files, settings)
    res_plain = pipeline.analyze(plain, settings, embedder=FakeEmbedder())
    assert res_plain.delta
    assert _snapshot(db) == _snapshot(plain)


def test_with_many_texts_to_embed_the_later_stages_inputs_wait_for_the_vectors(tmp_path, monkeypatch):
    """Past `MEANWHILE_TEXTS` new texts the model computes for long on every core: the inputs are
    made after its vectors, and counted in the analysis' time after them."""
    from conftest import FakeEmbedder
    events = []

    class Later(FakeEmbedder):
        def submit(self, texts):
            events.append(("submit", len(texts)))
            return lambda: events.append("vectors") or self.embed(texts)

    folder, settings, _, db, _ = _analysed_corpus(tmp_path, "many.db")
    real = store.knn_state_heads
    monkeypatch.setattr(store, "knn_state_heads", lambda *a, **k: events.append("knn_state_heads") or real(*a, **k))
    monkeypatch.setattr(pipeline, "MEANWHILE_TEXTS", 3)
    new = tmp_path / "new"
    new.mkdir()
    bench_ci.build_corpus(new, 8, seed=12)
    pipeline.ingest(db, sorted(new.iterdir())[-2:], settings)
    res = pipeline.analyze(db, settings, embedder=Later())
    assert res.delta and res.embedded > 3
    assert [e if isinstance(e, str) else e[0] for e in events] == ["submit", "vectors", "knn_state_heads"]
    inputs = sum(res.timings[f"{k}.inputs"] for k in ("cluster", "conflicts", "save"))
    assert res.after_model >= inputs + res.timings["cluster.search"]


def test_a_deleted_article_leaves_no_rows_after_a_delta(steps):
    assert steps["deleted"][0].delta
    assert steps["gone_rows"] == {"fluency": 0, "claim_facts": 0, "origins": 0, "scores": 0, "norm_cache": 0,
                                  "norm_keys": 0, "claim_columns": 0, "claim_vectors": 0, "origin_shingles": 0,
                                  "knn_rows": 0}


def test_first_analysis_is_full(steps):
    assert not steps["first"].delta


def test_knn_state_roundtrip():
    import numpy as np
    from factcheck.stages.clusters import KnnState, OriginState
    # three claims: a1, a2 of article "a", b1 of article "b"
    st = KnnState(["a1", "a2", "b1"], ["k1", "k2", "k3"], np.array([[2, 1], [2, 0], [0, -1]]),
                  np.array([[0.9, 0.5], [0.8, 0.5], [0.9, -np.inf]], dtype=np.float32),
                  np.array([0.4, 0.3, 0.2], dtype=np.float32), "basis", np.array([10, 11, 12]), 13,
                  {"a": range(0, 2), "b": range(2, 3)}, verdicts=np.array([[3, 1], [0, 5], [7, 0]], dtype=np.uint8))
    rows, gone, every, patches, unpatch = st.rows()
    assert every and patches == [] and unpatch is None and [r[0] for r in rows] == ["a", "b"] and gone == []
    back = KnnState.from_rows(rows, st.meta())
    assert back.ids == st.ids and back.keys == st.keys and back.basis == "basis" and back.next_slot == 13
    assert (back.idx == st.idx).all() and (back.sims == st.sims).all() and (back.hub == st.hub).all()
    assert back.spans == st.spans and (back.slots == st.slots).all()
    assert back.verdicts.tolist() == st.verdicts.tolist()      # what the matcher said of each pair
    # an article that sorts first comes in: the stored rows name neighbours by stable number, so
    # the others read back right although their positions moved
    rows0 = [("0", "z1", "k0", np.array([13], "<i4").tobytes(), np.array([10, 12], "<i4").tobytes(),
              np.array([0.7, 0.6], "<f4").tobytes(), np.array([0.1], "<f4").tobytes())]
    moved = KnnState.from_rows(rows0 + rows, json.dumps({"basis": "basis", "k": 2, "next_slot": 14}))
    assert moved.ids == ["z1", "a1", "a2", "b1"]
    assert moved.idx.tolist() == [[1, 3], [3, 2], [3, 1], [1, -1]]
    assert moved.verdicts.tolist() == [[0, 0], [3, 1], [0, 5], [7, 0]]     # (a row stored without them: none)
    # a delta writes the articles holding a changed row, and drops the rows of articles gone
    # an old claim whose neighbours changed is a patch of its own, read back over its article's row
    st.written, st.new_from = np.array([False, False, True]), 13
    stored_rows = rows
    rows, gone, every, patches, unpatch = st.rows(stored={"a": range(0, 2), "b": range(2, 3), "c": range(3, 4)})
    assert not every and rows == [] and gone == ["c"] and unpatch == []
    assert patches == [(12, np.array([10, -1], "<i4").tobytes(), st.sims[2].tobytes(), float(st.hub[2]),
                        bytes([7, 0]))]
    new_b = (12, np.array([11, 10], "<i4").tobytes(), np.array([0.95, 0.9], "<f4").tobytes(), 0.7, bytes([1, 3]))
    patched = KnnState.from_rows(stored_rows, st.meta(), [new_b])
    assert patched.idx.tolist() == [[2, 1], [2, 0], [1, 0]] and patched.hub.tolist()[2] == pytest.approx(0.7)
    assert patched.verdicts.tolist() == [[3, 1], [0, 5], [1, 3]]
    assert patched.patched.tolist() == [False, False, True]
    # a new claim (slot >= new_from) or one fewer claim: its article's row is written whole, and
    # the patches of its claims go
    patched.written, patched.new_from = np.array([True, False, False]), 13
    rows, gone, every, patches, unpatch = patched.rows(stored={"a": range(0, 3), "b": range(2, 3)})
    assert [r[0] for r in rows] == ["a"] and patches == [] and unpatch == []
    patched.slots = np.array([10, 11, 13])
    rows, gone, every, patches, unpatch = patched.rows(stored={"a": range(0, 2), "b": range(2, 3)})
    assert [r[0] for r in rows] == ["b"] and [p[0] for p in patches] == [10] and unpatch == [13]
    # the stored articles as a delta matched them (per article its index in the stored spans, and
    # their numbers of claims) give what looking each article up gives: a claim fewer, gone, new
    for stored, whole, gone in [({"a": range(0, 3), "b": range(3, 4)}, ["a", "b"], []),
                                ({"a": range(0, 2), "c": range(2, 3)}, ["b"], ["c"]),
                                ({"b": range(0, 1)}, ["a", "b"], [])]:
        at = np.array([list(stored).index(a) if a in stored else -1 for a in patched.spans])
        told = dataclasses.replace(patched, matched=(stored, at, np.array([len(r) for r in stored.values()])))
        assert told.rows(stored) == patched.rows(stored)
        assert [r[0] for r in told.rows(stored)[0]] == whole and told.rows(stored)[1] == gone
    # claims not in article order (a1, b1, a2): each article's row holds its own, wherever they are
    mixed = KnnState(["a1", "b1", "a2"], ["k1", "k3", "k2"], np.array([[1, 2], [0, -1], [1, 0]]),
                     np.array([[0.9, 0.5], [0.9, -np.inf], [0.8, 0.5]], dtype=np.float32),
                     np.array([0.4, 0.2, 0.3], dtype=np.float32), "basis", np.array([10, 12, 11]), 13,
                     {"a": [0, 2], "b": range(1, 2)})
    back = KnnState.from_rows(mixed.rows()[0], mixed.meta())
    assert back.ids == st.ids and back.keys == st.keys and back.idx.tolist() == st.idx.tolist()
    assert (back.sims == st.sims).all() and (back.hub == st.hub).all()
    empty = KnnState([], [], np.zeros((0, 1), dtype=np.int64), np.zeros((0, 1), dtype=np.float32),
                     np.zeros(0, dtype=np.float32), "basis", np.zeros(0, dtype=np.int64), 0, {})
    assert KnnState.from_rows(*(empty.rows()[0], empty.meta())).ids == []
    o = OriginState(["a", "b"], ["h1", "h2"], [np.array([1, 2], dtype=np.uint64), np.array([], dtype=np.uint64)],
                    [("a", "b")])
    rows, gone, add, drop = o.changes_since(None)
    ob = OriginState.from_rows(rows, add)
    assert ob.ids == o.ids and ob.edges == o.edges and [list(x) for x in ob.shingles] == [[1, 2], []]
    # what changes: the rows of a new or changed article, the rows that go, the copy pairs
    o2 = OriginState(["a", "c"], ["h1", "h3"], [np.array([1, 2], dtype=np.uint64), np.array([5], dtype=np.uint64)],
                     [("a", "c")], ["", ""])
    rows, gone, add, drop = o2.changes_since(ob)
    assert [r[0] for r in rows] == ["c"] and gone == ["b"] and add == [("a", "c")] and drop == [("a", "b")]


def test_a_read_back_knn_state_gives_each_claims_id_and_key_however_they_are_asked_for():
    """The ids and keys read back from the rows are split when asked for: one item, a slice or a
    pass all give the stored ones, an article without claims included, and each article's stamp
    is that of its ids; a delta's keys are its own or the previous rows'."""
    import numpy as np
    from factcheck.stages.clusters import KnnState, _RowKeys

    def row(a, ids, slots):
        n = len(ids)
        return (a, "\n".join(ids), "\n".join("k" + x for x in ids), np.array(slots, "<i4").tobytes(),
                np.full(2 * n, -1, "<i4").tobytes(), np.zeros(2 * n, "<f4").tobytes(), np.zeros(n, "<f4").tobytes())

    rows = [row("a", ["a1", "a2"], [0, 1]), row("b", [], []), row("c", ["c1", "c2", "c3"], [2, 3, 4])]
    every = ["a1", "a2", "c1", "c2", "c3"]
    for asked in ("item", "slice", "pass"):
        st = KnnState.from_rows(rows, json.dumps({"basis": "x", "k": 2, "next_slot": 5}))
        if asked == "item":
            assert [st.ids[i] for i in range(5)] == every and st.ids[-1] == "c3" and st.keys[3] == "kc2"
            with pytest.raises(IndexError):
                st.ids[5]
        elif asked == "slice":
            assert st.ids[1:4] == ["a2", "c1", "c2"] and st.keys[:2] == ["ka1", "ka2"]
        else:
            assert list(st.ids) == every and st.ids == every and len(st.keys) == 5
        assert st.spans == {"a": range(0, 2), "b": range(2, 2), "c": range(2, 5)}
        # (rows without their stamp: each made from its ids)
        assert st.stamps() == [ids_stamp(["a1", "a2"]), ids_stamp([]), ids_stamp(["c1", "c2", "c3"])]
    keys = _RowKeys(["k0", "k1", "k2"], np.array([2, -1, 0]), {1: "new"})
    assert list(keys) == ["k2", "new", "k0"] and keys[0:2] == ["k2", "new"] and keys == ["k2", "new", "k0"]


def test_a_delta_maps_as_runs_the_articles_whose_stamps_say_their_rows_hold_their_claims():
    """Of the articles not read afresh, those whose kNN row holds the ids they have now (equal
    stamps) are carried over as runs of articles next to each other in both states; a run breaks
    where an article between them left, and every other article is matched claim by claim."""
    import numpy as np
    from factcheck.stages.clusters import KnnState, _unchanged_runs

    def row(a, ids, slots):
        n = len(ids)
        return (a, "\n".join(ids), "\n".join("k" + x for x in ids), np.array(slots, "<i4").tobytes(),
                np.full(2 * n, -1, "<i4").tobytes(), np.zeros(2 * n, "<f4").tobytes(), np.zeros(n, "<f4").tobytes(),
                ids_stamp(ids))

    before = {"a": ["a1", "a2"], "b": ["b1"], "c": ["c1", "c2"], "d": ["d1"], "e": ["e1", "e2"], "g": ["g1"]}
    slots = iter(range(100))
    prev = KnnState.from_rows([row(a, ids, [next(slots) for _ in ids]) for a, ids in before.items()],
                              json.dumps({"basis": "x", "k": 2, "next_slot": 9}))
    # now: b holds another claim, d left, f is new
    now = {"a": ["a1", "a2"], "b": ["b9"], "c": ["c1", "c2"], "e": ["e1", "e2"], "f": ["f1"], "g": ["g1"]}
    spans, at = {}, 0
    for a, ids in now.items():
        spans[a] = range(at, at + len(ids))
        at += len(ids)
    stamps = [ids_stamp(ids) for ids in now.values()]

    def runs(*args):
        return _unchanged_runs(*args)[:2]
    assert runs(spans, stamps, prev, {"f"}) == ([(0, 2, 0), (3, 5, 3), (5, 7, 6), (8, 9, 8)], ["b", "f"])
    # each article's index in the state of then (d left, f is new)
    assert _unchanged_runs(spans, stamps, prev, {"f"})[2].tolist() == [0, 1, 2, 4, -1, 5]
    # an article read afresh is matched claim by claim even when its ids are those of then
    assert runs(spans, stamps, prev, {"c", "f"}) == ([(0, 2, 0), (5, 7, 6), (8, 9, 8)], ["b", "c", "f"])
    # without `fresh`, every article is
    assert _unchanged_runs(spans, stamps, prev, None) == ([], list(now), None)
    # a row whose stamp is not read back is told by the stamp of the ids it holds
    bare = KnnState.from_rows([row(a, ids, [0] * len(ids))[:7] for a, ids in before.items()], prev.meta())
    assert runs(spans, stamps, bare, {"f"}) == runs(spans, stamps, prev, {"f"})
    # the articles' first positions, when both states give them (a claim table's, a state read
    # back from its heads), give the same runs
    import dataclasses
    told = dataclasses.replace(prev, article_starts=np.array([0, *(r.stop for r in prev.spans.values())]))
    starts = np.array([0, *(r.stop for r in spans.values())])
    for fresh in ({"f"}, {"c", "f"}):
        assert runs(spans, stamps, told, fresh, starts) == runs(spans, stamps, prev, fresh)


def test_a_store_from_before_the_stamps_and_heads_gets_them_from_its_rows(tmp_path, monkeypatch):
    """Migrations m027 and m028 give each stored article's claim columns and kNN row the stamp of
    the ids they hold, and each kNN row its claims' lowest cosines, so the store's first delta
    after them maps the unchanged articles and reads the rows' heads as they would be written;
    m029 gives the claim columns their number of claims, which a claim table reads their heads by."""
    import numpy as np
    db = store.open_db(tmp_path / "s.db")
    ids = {"a": ["a1", "a2"], "b": ["b1"], "c": []}
    sims = {"a": [[0.9, 0.5], [0.7, -np.inf]], "b": [[0.3, 0.2]], "c": np.zeros((0, 2))}
    with db.atomic():
        store.write_claim_columns(db, {a: ("sha-" + a, "v1", "e", store._encode_columns(x, x, [None] * len(x), x),
                                           "not a stamp", 99) for a, x in ids.items() if x})
        store.write_knn_state(db, [(a, "\n".join(x), "\n".join(x), np.arange(len(x), dtype="<i4").tobytes(),
                                    np.zeros(2 * len(x), "<i4").tobytes(), np.array(sims[a], "<f4").tobytes(),
                                    np.zeros(len(x), "<f4").tobytes(), "not a stamp", b"not these", None)
                                   for a, x in ids.items()],
                              [], True, [], None, json.dumps({"basis": "x", "k": 2, "next_slot": 3}))
    db.execute("drop index knn_rows_head")
    db.execute("drop index claim_columns_head")
    for t, c in (("claim_columns", "stamp"), ("claim_columns", "n"), ("knn_rows", "stamp"), ("knn_rows", "worst")):
        db.execute(f"alter table {t} drop column {c}")
    db.execute("delete from _sqlite_migrations where name in ('m027_id_stamps', 'm028_knn_heads', "
               "'m029_claim_column_heads')")
    db.conn.commit()
    again = store.open_db(tmp_path / "s.db")
    assert dict(again.execute("select article_id, stamp from claim_columns").fetchall()) == {
        a: ids_stamp(x) for a, x in ids.items() if x}
    assert dict(again.execute("select article_id, n from claim_columns").fetchall()) == {"a": 2, "b": 1}
    # (the store holds no claim rows: the table is told it holds those its columns name)
    monkeypatch.setattr(store, "count_rows", lambda db_, t: 3 if t == "claims" else 0)
    table = store.ClaimTable(again, {"a": "sha-a", "b": "sha-b"}, "v1")
    assert list(table.spans.items()) == [("a", range(0, 2)), ("b", range(2, 3))]
    assert table.ids[:] == ["a1", "a2", "b1"] and table.stamps() == [ids_stamp(["a1", "a2"]), ids_stamp(["b1"])]
    heads = store.knn_state_heads(again)[0]
    assert [h[1] for h in heads] == [ids_stamp(x) for x in ids.values()]
    assert [np.frombuffer(h[4], "<f4").tolist() for h in heads] == [[0.5, -np.inf], [np.float32(0.2)], []]


def test_too_many_knn_patches_are_folded_into_their_articles_rows(monkeypatch):
    import numpy as np
    from factcheck.stages import clusters
    from factcheck.stages.clusters import KnnState
    st = KnnState(["a1", "a2", "b1", "c1"], ["k1", "k2", "k3", "k4"], np.array([[2, 1], [2, 0], [0, 1], [0, 1]]),
                  np.full((4, 2), 0.5, dtype=np.float32), np.full(4, 0.3, dtype=np.float32), "basis",
                  np.array([10, 11, 12, 13]), 14, {"a": range(0, 2), "b": range(2, 3), "c": range(3, 4)},
                  written=np.array([False, False, True, False]), new_from=14,
                  patched=np.array([True, False, False, False]))
    stored = {"a": range(0, 2), "b": range(2, 3), "c": range(3, 4)}
    rows, _, _, patches, unpatch = st.rows(stored)
    assert rows == [] and [p[0] for p in patches] == [12] and unpatch == []
    monkeypatch.setattr(clusters, "_PATCH_MIN", 1)
    monkeypatch.setattr(clusters, "_PATCH_SHARE", 0.0)
    # two patched claims (a1 stored, b1 now) pass the limit: their articles are written whole
    rows, _, every, patches, unpatch = st.rows(stored)
    assert not every and sorted(r[0] for r in rows) == ["a", "b"] and patches == [] and unpatch is None
    back = KnnState.from_rows(rows + st.rows()[0][2:], st.meta())
    assert back.idx.tolist() == st.idx.tolist() and not back.patched.any()


def test_stored_shingle_postings_follow_the_copy_detection_state(tmp_path):
    """The store's posting table answers what the state's shingles say (which articles hold a
    shingle, how many) after a full write, a delta that adds, changes and removes articles, and
    a store migrated from rows written before the table existed."""
    import numpy as np
    from factcheck.stages.clusters import OriginState, StoredShingles

    def state(shingles: dict[str, list[int]]) -> OriginState:
        ids = sorted(shingles)
        return OriginState(ids, [f"h-{a}-{sorted(shingles[a])}" for a in ids],
                           [np.array(sorted(shingles[a]), dtype=np.uint64) for a in ids], [], [""] * len(ids))

    big = 2 ** 64 - 5                                        # past int64: stored with the same bits
    first = {"a": [1, 2, 3, big], "b": [2, 3, 9], "c": [3, 7]}
    second = {"a": [1, 2, 3, big], "b": [3, 4, big], "d": [2, 8]}   # b changed, c removed, d new
    db = store.open_db(tmp_path / "o.db")
    for before, now in ((None, first), (first, second)):
        old = state(before) if before is not None else None
        cur = state(now)
        with db.atomic():
            store.write_origin_state(db, *cur.changes_since(old), old is None)
        rows, edges, postings = store.origin_state_rows(db)
        back = OriginState.from_rows(rows, edges, stored=postings)
        assert back.ids == cur.ids and [list(x) for x in back.shingles] == [sorted(now[a]) for a in back.ids]
        mem = StoredShingles({a: np.array(sorted(v), dtype=np.uint64) for a, v in now.items()})
        few = np.array(sorted({1, 2, 3, 4, 5, 9, big}), dtype=np.uint64)
        assert postings.counts(few).tolist() == mem.counts(few).tolist()
        assert sorted(zip(*postings.holders(few))) == sorted(zip(*mem.holders(few)))
    assert postings.counts(np.array([3, big], dtype=np.uint64)).tolist() == [2, 2]
    # a store whose postings were never written (before migration m023): the migration fills them
    db.execute("delete from origin_postings")
    db.execute("delete from _sqlite_migrations where name = 'm023_origin_postings'")
    db.execute("drop table origin_postings")
    db.conn.commit()
    again = store.open_db(tmp_path / "o.db")
    assert store.origin_state_rows(again)[2].counts(np.array([3, big], dtype=np.uint64)).tolist() == [2, 2]


@pytest.mark.parametrize("stock", [2, 3, 50])
def test_origin_delta_equals_full_when_a_shingle_becomes_a_stock_phrase(monkeypatch, stock):
    """Old copy pairs are recounted only when a new article pushed a shingle over the
    stock-phrase limit; with or without such a shingle the delta equals the full computation."""
    from factcheck.stages import clusters
    monkeypatch.setattr(clusters, "_STOCK", stock)
    a = ("The junta chief flew to Moscow on Sunday for talks with defence officials. "
         "Russia is the main supplier of weapons to the army of Myanmar today. "
         "The visit is the latest sign of close ties between the two militaries now.")
    b = a.replace("Sunday", "Monday")
    c = "Other news entirely about rice prices in the delta region this week and more. " * 2
    old = {"a": a, "b": b, "c": c}
    shas = {k: f"sha-{k}" for k in "abcde"}
    _, state = clusters.origin_groups_state(old, shas=shas)
    assert ("a", "b") in state.edges
    rows, _, edges, _ = state.changes_since(None)          # (as stored and read back)
    state = clusters.OriginState.from_rows(rows, edges)
    assert state.shas == ["sha-a", "sha-b", "sha-c"]
    for extra in ({"d": a.replace("Sunday", "Friday")}, {"d": a, "e": b.replace("chief", "head")},
                  {"d": c.replace("rice", "fish")}):
        texts = {**old, **extra}
        full = clusters.origin_groups_state(texts)
        asked: list[str] = []

        class Cache(dict):
            def get(self, key, default=None):
                asked.append(key)
                return super().get(key, default)

        read: list[str] = []

        class Texts(dict):
            def __getitem__(self, key):
                read.append(key)
                return super().__getitem__(key)

        delta = clusters.origin_groups_state(Texts(texts), previous=state, pair_cache=Cache(), shas=shas)
        assert delta[0] == full[0] and delta[1].edges == full[1].edges
        # an unchanged article's text is read only to compare it with a new one like it
        unrelated = {"a", "b"} if extra["d"].startswith("Other news") else {"c"}
        assert set(extra) <= set(read) and not unrelated & set(read)
        # the stored copy pair (a, b) is not compared again while it still shares shingles
        if ("a", "b") in delta[1].edges:
            assert state.hashes[0] + state.hashes[1] not in asked


def test_a_delta_keeping_every_stored_copy_pair_joins_the_stored_groups_without_reading_the_pairs():
    """When no article changed or left, the origin groups are the stored ones joined by the pairs
    the new articles make (one new article can join two stored groups, under the smaller id);
    the stored pairs are not read, and what is written adds the new pairs alone. With an article
    gone, or without the stored groups, the pairs are read and the groups made from them."""
    from factcheck.stages import clusters
    a = ("The junta chief flew to Moscow on Sunday for talks with defence officials. "
         "Russia is the main supplier of weapons to the army of Myanmar today. ")
    c = ("Rice prices in the delta region rose again this week after the floods. "
         "Farmers said the harvest was the worst they could remember in years. ")
    old = {"b": a, "c": a.replace("Sunday", "Monday"), "d": c, "e": c.replace("week", "month"), "f": "Nothing. " * 3}
    shas = {k: f"sha-{k}-{v[:30]}" for k, v in old.items()}
    _, state = clusters.origin_groups_state(old, shas=shas)
    stored_groups = clusters.origin_groups_state(old)[0]
    assert stored_groups == {"b": "b", "c": "b", "d": "d", "e": "d", "f": "f"}
    rows, _, edges, _ = state.changes_since(None)

    class Pairs(ListLike):              # the stored pairs, as the store gives them: counted when read
        reads = 0

        def __init__(self, pairs):
            self._pairs = list(pairs)

        def __getitem__(self, i):
            Pairs.reads += 1
            return self._pairs[i]

        def __len__(self):
            Pairs.reads += 1
            return len(self._pairs)

    # "a" copies both stories: it joins b's group and d's, under its own id (the smallest)
    new = {**old, "a": a.replace("Sunday", "Friday") + c.replace("week", "year"), "g": "Unrelated text. " * 3}
    new_shas = {**shas, "a": "sha-a", "g": "sha-g"}
    full = clusters.origin_groups_state(new)
    stored = clusters.OriginState.from_rows(rows, Pairs(edges))
    got, st = clusters.origin_groups_state(new, previous=stored, shas=new_shas, previous_groups=stored_groups)
    assert got == full[0] and got["e"] == got["c"] == "a" and got["g"] == "g" and Pairs.reads == 0
    assert st.changes_since(stored)[2] == sorted(set(full[1].edges) - set(edges)) and Pairs.reads == 0
    assert st.edges == full[1].edges
    # an article gone: the stored pairs are read, and the groups made from every pair
    gone = {k: v for k, v in new.items() if k != "c"}
    Pairs.reads = 0
    stored = clusters.OriginState.from_rows(rows, Pairs(edges))
    got, _ = clusters.origin_groups_state(gone, previous=stored, shas=new_shas, previous_groups=stored_groups)
    assert got == clusters.origin_groups_state(gone)[0] and Pairs.reads > 0
    # without the stored groups: made from every pair
    got, _ = clusters.origin_groups_state(new, previous=clusters.OriginState.from_rows(rows, edges), shas=new_shas)
    assert got == full[0]


@pytest.mark.parametrize("stock", [2, 50])
@pytest.mark.parametrize("case", ["copy removed", "copy changed", "third copy removed", "article becomes a copy"])
def test_origin_delta_equals_full_when_articles_change_or_leave(monkeypatch, stock, case):
    """Changed and removed articles: their stored shingles leave the counts (a stock phrase can
    become informative again and make an unchanged pair a copy) and the changed ones are compared
    afresh; the delta equals the full computation."""
    from factcheck.stages import clusters
    monkeypatch.setattr(clusters, "_STOCK", stock)
    a = ("The junta chief flew to Moscow on Sunday for talks with defence officials. "
         "Russia is the main supplier of weapons to the army of Myanmar today. "
         "The visit is the latest sign of close ties between the two militaries now.")
    c = "Other news entirely about rice prices in the delta region this week and more. " * 2
    old = {"a": a, "b": a.replace("Sunday", "Monday"), "c": c, "d": a.replace("Sunday", "Friday")}
    new = dict(old)
    if case == "copy removed":
        del new["b"]
    elif case == "copy changed":
        new["b"] = c.replace("rice", "fish")
    elif case == "third copy removed":      # with a limit of 2 the shared shingles were stock phrases
        del new["d"]
    else:
        new["c"] = a.replace("Sunday", "Tuesday")
    shas = {k: f"sha-{k}-{v[:40]}" for k, v in new.items()}
    old_shas = {k: f"sha-{k}-{v[:40]}" for k, v in old.items()}
    _, state = clusters.origin_groups_state(old, shas=old_shas)
    full = clusters.origin_groups_state(new)
    delta = clusters.origin_groups_state(new, previous=state, shas=shas)
    assert delta[0] == full[0] and delta[1].edges == full[1].edges
    if case == "third copy removed" and stock == 2:
        assert not state.edges and ("a", "b") in delta[1].edges


# ---------------------------------------------------------------- the fluency context on a delta

FLUENCY_CORPUS = {
    "a.txt": "The minister later met Recep Tayyipgan at the palace.\n"
             "The minister backed the Five-Point Alliance as the basis for talks.\n"
             "Officials in the capital said the talks went well on Tuesday.\n",
    "b.txt": "Recep Tayyip Erdogan later hosted a dinner for the delegation.\n"
             "Leaders agreed on a five-point consensus in April last year.\n",
    "c.txt": "Fishermen in the delta said the rains came early this year.\n",
    "e.txt": "Rice prices rose for a third month in the northern provinces.\n"
             "Diplomats said the five-point consensus still stood after the vote.\n",
    "f.txt": "The central bank kept its main interest rate unchanged on Thursday.\n",
    "g.txt": "The minister later met him at the palace.\n",
}
VISIT_A = "Lavrov arrived in Naypyitaw on Wednesday for talks with the generals."
VISIT_B = "Lavrov arrived in Naypyitaw on Wednesday afternoon for talks with the generals."
ECHO = ("Recep Tayyip Erdogan arrived in Ankara on Monday for the summit.\n"
        "The bloc's five-point plan calls for an end to violence.\n")


def _fluency_corpus(tmp):
    """FLUENCY_CORPUS in `tmp`/corpus, ingested into `tmp`/fl.db: (folder, settings, embedder, store)."""
    from conftest import FakeEmbedder
    folder = tmp / "corpus"
    folder.mkdir()
    for name, text in FLUENCY_CORPUS.items():
        (folder / name).write_text(text, encoding="utf-8")
    # (few neighbours per claim: the new article's claims do not reach every claim of so small a corpus)
    settings, emb = load_settings(), FakeEmbedder()
    settings = dataclasses.replace(settings, match=dataclasses.replace(settings.match, knn=2))
    db = store.open_db(tmp / "fl.db")
    pipeline.ingest(db, [folder], settings)
    return folder, settings, emb, db


@pytest.fixture(scope="module")
def fluency_steps(tmp_path_factory):
    """Verdicts that another article's arrival and departure change (a name the corpus now uses
    twice, a wording the other articles no longer agree on), analysed as a delta and from scratch."""
    tmp = tmp_path_factory.mktemp("fluency_delta")
    folder, settings, emb, db = _fluency_corpus(tmp)
    out = {"first": (pipeline.analyze(db, settings, embedder=emb), _snapshot(db))}
    (folder / "d.txt").write_text(ECHO, encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    out["added"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                    _full(db, tmp, "fl_added", settings, emb))
    gone = next(a.id for a in store.load_articles(db) if a.file.endswith("d.txt"))
    (folder / "d.txt").unlink()
    store.delete_article(db, gone)
    out["deleted"] = (pipeline.analyze(db, settings, embedder=emb), _snapshot(db),
                      _full(db, tmp, "fl_deleted", settings, emb))
    out["texts"] = {s.id: s.text for s in store.load_sentences(db)}
    return out


def _verdict(snapshot, texts, start: str):
    [sid] = [i for i, t in texts.items() if t.startswith(start)]
    return snapshot["fluency"][sid]


def test_fluency_delta_follows_the_corpus_context(fluency_steps):
    texts = fluency_steps["texts"]
    first = fluency_steps["first"][1]
    res, added, full = fluency_steps["added"]
    assert res.recombined < res.counts["sentences"]       # only the sentences that read what moved
    assert added["fluency"] == full["fluency"]
    # "Recep Tayyip Erdogan" is now used twice: "Recep Tayyipgan" reads as its garbled cut
    before = _verdict(first, texts, "The minister later met Recep")
    after = _verdict(added, texts, "The minister later met Recep")
    assert not any("near-miss" in r for r in before.reasons)
    assert after.garbled and any("near-miss name: 'Recep Tayyipgan'" in r for r in after.reasons)
    # its claim and g's stay one cluster, which the delta keeps, but the garbled one no longer
    # counts as a source: the kept cluster is counted again, as a full analysis counts it
    assert added["clusters"] == full["clusters"]
    (met,) = [k for k in added["clusters"] if k.article_ids == ("a", "g")]
    assert met.independent_sources == 1
    assert [k.independent_sources for k in fluency_steps["first"][1]["clusters"] if k.id == met.id] == [2]
    # "five-point" was always followed by "consensus" elsewhere (in two articles); now by "plan" too:
    # no consensus to depart from
    assert any("Five-Point Alliance" in r for r in _verdict(first, texts, "The minister backed").reasons)
    assert not any("Five-Point Alliance" in r for r in _verdict(added, texts, "The minister backed").reasons)
    # and when that article leaves, the verdicts return to what they were
    res, deleted, full = fluency_steps["deleted"]
    assert res.recombined < res.counts["sentences"]
    assert deleted["fluency"] == full["fluency"] == first["fluency"]
    assert deleted["clusters"] == full["clusters"] == first["clusters"]


def test_an_article_stored_again_with_the_same_content_gets_its_verdicts_back(tmp_path):
    """Storing an article again (as new splitting rules do: same content, new rows) drops its
    fluency verdicts; the next delta analysis must give it verdicts again, without looking for
    sentences without one over the whole store."""
    folder, settings, emb, db = _fluency_corpus(tmp_path)
    pipeline.analyze(db, settings, embedder=emb)
    before = store.load_fluency(db)
    art = next(a for a in store.load_articles(db) if a.file.endswith("a.txt"))
    store.save_article(db, art, store.load_sentences(db, art.id), store.load_claims(db, art.id))
    assert len(store.load_fluency(db)) < len(before)
    store.set_state(db, "corpus", "")        # (new rules change the corpus fingerprint too)
    res = pipeline.analyze(db, settings, embedder=emb)
    assert res.recombined < res.counts["sentences"]          # a delta, not the whole corpus again
    assert store.load_fluency(db) == before


def test_the_migration_marks_the_articles_an_older_store_has_without_verdicts(tmp_path):
    from factcheck.migrations import m020_verdicts_follow_terms
    folder, settings, emb, db = _fluency_corpus(tmp_path)
    pipeline.analyze(db, settings, embedder=emb)
    before = store.load_fluency(db)
    art = next(a for a in store.load_articles(db) if a.file.endswith("b.txt"))
    db.execute("delete from fluency where article_id = ?", [art.id])      # (as an older store could)
    db.execute("delete from state where key = 'article_changes'")   # (nor had it the log of m042)
    db.conn.commit()
    m020_verdicts_follow_terms(db)
    assert {a for a, sha in store.fluency_context_articles(db).items() if not sha} == {art.id}
    store.set_state(db, "corpus", "")
    pipeline.analyze(db, settings, embedder=emb)
    assert store.load_fluency(db) == before


def test_a_store_without_knn_rows_clusters_in_full_once_then_takes_the_delta_path(tmp_path):
    # what migration m017 leaves of an older store: no kNN rows (its blob is dropped)
    from conftest import FakeEmbedder
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    settings, emb = load_settings(), FakeEmbedder()
    db = store.open_db(tmp_path / "k.db")
    pipeline.ingest(db, [folder], settings)
    pipeline.analyze(db, settings, embedder=emb)
    rows = store.count_rows(db, "knn_rows")
    assert rows == len({c.article_id for c in store.load_claims(db)})
    db.execute("delete from knn_rows")
    db.execute("delete from state where key = 'knn_meta'")
    (folder / "zz_new.txt").write_text(bench_ci.NEW_ARTICLE, encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    res = pipeline.analyze(db, settings, embedder=emb)
    assert not res.delta and res.regrouped == res.counts["claims"]
    assert store.count_rows(db, "knn_rows") == rows + 1
    assert _snapshot(db) == _full(db, tmp_path, "knn_upgraded", settings, emb)
    (folder / "zz_other.txt").write_text(bench_ci.NEW_ARTICLE.replace("Sunday", "Monday"), encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    assert pipeline.analyze(db, settings, embedder=emb).delta


# ---------------------------------------------------------------- scores `factcheck ci` leaves stale

@pytest.fixture(scope="module")
def deferred(tmp_path_factory):
    """The seeds + 6 synthetic articles analysed, then a new article analysed the way `ci` does
    (`only_scores`: its own score now, the others it moves left stale)."""
    tmp = tmp_path_factory.mktemp("deferred")
    folder, settings, emb, db, _ = _analysed_corpus(tmp, "ci.db")
    before = store.load_scores(db)
    (folder / "zz_new.txt").write_text(bench_ci.NEW_ARTICLE, encoding="utf-8")
    ing = pipeline.ingest(db, [folder], settings)
    (new,) = ing.added
    res = pipeline.analyze(db, settings, embedder=emb, only_scores=[new])
    return dict(db=db, tmp=tmp, settings=settings, emb=emb, new=new, res=res, before=before,
                after=store.load_scores(db), stale=store.stale_scores(db),
                full=_full(db, tmp, "deferred_full", settings, emb)["scores"])


def test_ci_scores_the_new_article_and_marks_the_articles_it_moves_stale(deferred):
    d = deferred
    assert d["res"].delta and d["res"].deferred == len(d["stale"]) > 0
    assert d["new"] not in d["stale"] and d["after"][d["new"]] == d["full"][d["new"]]
    # a stored score that is not marked stale is the full analysis' score
    wrong = {a for a in d["full"] if d["after"].get(a) != d["full"][a]}
    assert wrong and wrong <= d["stale"]
    # the stale ones keep their previous score until they are scored again
    assert all(d["after"][a] == d["before"][a] for a in d["stale"] if a in d["before"])


def test_stale_scores_are_scored_by_the_next_analysis_not_skipped(deferred, tmp_path):
    d = deferred
    store.checkpoint(d["db"])
    copy = tmp_path / "next.db"
    shutil.copy(d["tmp"] / "ci.db", copy)
    db = store.open_db(copy)
    # `ci` again on the new file alone: nothing changed and its own score is fresh, so it skips
    assert pipeline.analyze(db, d["settings"], embedder=d["emb"], only_scores=[d["new"]]).skipped
    res = pipeline.analyze(db, d["settings"], embedder=d["emb"])
    assert not res.skipped and res.delta
    assert store.load_scores(db) == d["full"] and not store.stale_scores(db)


def test_export_report_and_eval_refresh_the_stale_scores_first(deferred, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from factcheck.cli import app
    d = deferred
    store.checkpoint(d["db"])
    copy = tmp_path / "export.db"
    shutil.copy(d["tmp"] / "ci.db", copy)
    cfg = tmp_path / "cap.toml"          # the settings the store was analysed with
    cfg.write_text("[score]\nconflict_cap = 100.0\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["export", "--db", str(copy), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    exported = {a["id"]: a["score"] for a in json.loads(res.stdout)["articles"]}
    assert exported == {a: s.score for a, s in d["full"].items()}
    assert not store.stale_scores(store.open_db(copy))
    # report does the same
    copy = tmp_path / "report.db"
    shutil.copy(d["tmp"] / "ci.db", copy)
    assert store.stale_scores(store.open_db(copy))
    res = CliRunner().invoke(app, ["report", "--db", str(copy), "--config", str(cfg), "--format", "json",
                                   "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert not store.stale_scores(store.open_db(copy))
    assert {a: s.score for a, s in store.load_scores(store.open_db(copy)).items()} == \
        {a: s.score for a, s in d["full"].items()}
    # and eval
    copy = tmp_path / "eval.db"
    shutil.copy(d["tmp"] / "ci.db", copy)
    monkeypatch.chdir(tmp_path)          # (eval reads the settings of the folder it runs in)
    (tmp_path / "factcheck.toml").write_text(cfg.read_text(encoding="utf-8"), encoding="utf-8")
    res = CliRunner().invoke(app, ["eval", "--db", str(copy), "--gold", str(ROOT / "tests" / "gold" / "seeds.gold.json"),
                                   "--json"])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.stdout)["scores"]
    assert not store.stale_scores(store.open_db(copy))
    assert {a: s.score for a, s in store.load_scores(store.open_db(copy)).items()} == \
        {a: s.score for a, s in d["full"].items()} and scores


def _spy_vector_reads(monkeypatch) -> tuple[list[str], list[int]]:
    """(the keys the embeddings cache is asked for, the claim-table columns made whole), as they
    come: with most articles' rows valid, the keys are not all read, not even to count the
    distinct texts."""
    asked: list[str] = []
    real = store.cached_vector_bytes
    monkeypatch.setattr(store, "cached_vector_bytes", lambda db_, ks, *more: asked.extend(ks) or real(db_, ks, *more))
    whole: list[int] = []
    real_flat = store._ArticleColumns.flat
    monkeypatch.setattr(store._ArticleColumns, "flat", lambda self, k: whole.append(k) or real_flat(self, k))
    return asked, whole


def _delta_without_keys(folder, name, text, db, settings, emb, asked: list, whole: list):
    """Write a new article file, ingest it and analyse: a delta that made no key column whole
    (`asked`, `whole`: as `_spy_vector_reads` gives them, emptied first)."""
    asked.clear()
    whole.clear()
    (folder / name).write_text(text, encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    res = pipeline.analyze(db, settings, embedder=emb)
    assert res.delta and 3 not in whole, whole
    return res


def test_a_delta_reads_the_unchanged_articles_vectors_from_their_rows(tmp_path, monkeypatch):
    folder, settings, emb, db, first = _analysed_corpus(tmp_path, "vectors.db")
    claims = store.ClaimTable(db, store.ArticleTable(db).shas, pipeline.COLUMNS_VERSION)
    keys = claims.vector_keys(emb.name)
    from_cache, _ = pipeline.embed_keyed(db, emb, keys, lambda i: claims[i].standalone)
    # every article with claims has its row: its claims' vectors, the cache's bytes, in claim order
    rows = dict(db.execute("select article_id, vectors from claim_vectors"))
    assert set(rows) == {a for a, r in claims.spans.items() if len(r)}
    for a, r in claims.spans.items():
        if len(r):
            assert rows[a] == from_cache[r.start:r.stop].tobytes()

    asked, whole = _spy_vector_reads(monkeypatch)

    def add(name: str, text: str):
        return _delta_without_keys(folder, name, text, db, settings, emb, asked, whole)

    # a new article: the cache is asked for its claims' vectors only, and the clusters are those
    # of a full analysis (which reads every vector from the cache)
    add("zz_vectors.txt", bench_ci.NEW_ARTICLE)
    new_id = next(a.id for a in store.load_articles(db) if a.file.endswith("zz_vectors.txt"))
    table = store.ClaimTable(db, store.ArticleTable(db).shas, pipeline.COLUMNS_VERSION)
    own = set(table.vector_keys(emb.name)[table.spans[new_id].start:table.spans[new_id].stop])
    assert asked and set(asked) <= own
    assert store.load_clusters(db) == _full(db, tmp_path, "vectors_full", settings, emb)["clusters"]

    # a row that no longer matches its article (another content hash) is not read: that article's
    # vectors come from the cache, and its row is written again
    victim = next(a for a, r in table.spans.items() if len(r) and a != new_id)
    db.execute("update claim_vectors set sha256 = 'stale', vectors = zeroblob(length(vectors)) where article_id = ?",
               [victim])
    add("zz_vectors_2.txt", bench_ci.NEW_ARTICLE.replace("Sunday", "Tuesday"))
    table = store.ClaimTable(db, store.ArticleTable(db).shas, pipeline.COLUMNS_VERSION)
    r = table.spans[victim]
    assert set(table.vector_keys(emb.name)[r.start:r.stop]) <= set(asked)
    assert db.execute("select sha256 from claim_vectors where article_id = ?", [victim]).fetchone()[0] \
        == store.ArticleTable(db).shas[victim]
    again, _ = pipeline.embed_keyed(db, emb, table.vector_keys(emb.name), lambda i: table[i].standalone)
    assert dict(db.execute("select article_id, vectors from claim_vectors"))[victim] == again[r.start:r.stop].tobytes()
    assert store.load_clusters(db) == _full(db, tmp_path, "vectors_full_2", settings, emb)["clusters"]


def test_a_delta_over_repeated_texts_reads_each_distinct_vector_once_by_its_number(tmp_path, monkeypatch):
    """Many outlets carrying the same sentences: the rows hold each claim's vector number, not its
    bytes; a delta reads the numbers and each distinct vector once, never every claim's key, and
    gets the vectors (and clusters) of a full analysis. A vector gone from the cache sends its
    articles back to their keys (the model), and their rows are written again."""
    from conftest import FakeEmbedder
    folder = tmp_path / "corpus"
    bench_ci.build_corpus(folder, 30, seed=5)
    for i, f in enumerate(sorted(folder.iterdir())):      # (each story carried by two more outlets)
        head, body = f.read_text(encoding="utf-8").split("\n", 1)
        for j, outlet in enumerate(["Wire One", "Wire Two"]):
            (folder / f"copy_{i:02d}_{j}.txt").write_text(f"{head.split(' | ')[0]} | {outlet}\n{body}", encoding="utf-8")
    settings = load_settings()
    emb = FakeEmbedder()
    db = store.open_db(tmp_path / "repeated.db")
    pipeline.ingest(db, [folder], settings)
    pipeline.analyze(db, settings, embedder=emb)
    claims = store.ClaimTable(db, store.ArticleTable(db).shas, pipeline.COLUMNS_VERSION)
    keys = list(claims.vector_keys(emb.name))
    assert len(set(keys)) < 0.25 * len(keys)          # (the texts repeat)
    from_cache, _ = pipeline.embed_keyed(db, emb, keys, lambda i: claims[i].standalone)
    rows = {r[0]: r[1:] for r in db.execute("select article_id, vectors, refs from claim_vectors")}
    assert set(rows) == {a for a, r in claims.spans.items() if len(r)}
    number = dict(db.execute("select key, num from embeddings"))
    for a, r in claims.spans.items():
        if len(r):
            assert rows[a][0] is None
            assert np.frombuffer(rows[a][1], dtype="<i8").tolist() == [number[k] for k in keys[r.start:r.stop]]

    real = store.cached_vector_bytes
    asked, whole = _spy_vector_reads(monkeypatch)
    real_embed = pipeline.embed_keyed
    got: list[np.ndarray] = []
    monkeypatch.setattr(pipeline, "embed_keyed", lambda *a, **k: got.append(real_embed(*a, **k)[0]) or (got[-1], 0))

    def add(name: str, text: str):
        got.clear()
        _delta_without_keys(folder, name, text, db, settings, emb, asked, whole)
        table = store.ClaimTable(db, store.ArticleTable(db).shas, pipeline.COLUMNS_VERSION)
        keys = table.vector_keys(emb.name)
        cached = real(db, keys)
        # the vectors the delta used are the cache's, each claim its own text's
        assert np.array_equal(got[0], np.stack([np.frombuffer(cached[k], dtype="<f4") for k in keys]))
        return table

    table = add("zz_new.txt", bench_ci.NEW_ARTICLE)
    new_id = next(a.id for a in store.load_articles(db) if a.file.endswith("zz_new.txt"))
    r = table.spans[new_id]
    assert asked and set(asked) <= set(table.vector_keys(emb.name)[r.start:r.stop])
    assert store.load_clusters(db) == _full(db, tmp_path, "repeated_full", settings, emb)["clusters"]

    # a vector gone from the cache (one that a stored article's row numbers)
    victim = next(a for a, r in table.spans.items() if len(r) and a != new_id)
    gone = np.frombuffer(db.execute("select refs from claim_vectors where article_id = ?", [victim]).fetchone()[0],
                         dtype="<i8")[0]
    db.execute("delete from embeddings where num = ?", [int(gone)])
    before = emb.calls
    table = add("zz_new_2.txt", bench_ci.NEW_ARTICLE.replace("Sunday", "Tuesday"))
    assert emb.calls > before                       # (the lost text embedded again)
    r = table.spans[victim]
    refs = np.frombuffer(db.execute("select refs from claim_vectors where article_id = ?", [victim]).fetchone()[0],
                         dtype="<i8")
    assert int(gone) not in refs.tolist()
    number = dict(db.execute("select key, num from embeddings"))
    assert refs.tolist() == [number[k] for k in table.vector_keys(emb.name)[r.start:r.stop]]
    assert store.load_clusters(db) == _full(db, tmp_path, "repeated_full_2", settings, emb)["clusters"]


def test_a_kept_cluster_whose_articles_became_copies_counts_them_once(tmp_path):
    """A new article copies two stored ones (other paragraphs than those of a cluster they
    share): their cluster is kept, untouched by the new claims, but its two articles are now one
    origin. The delta counts it again, as a full analysis counts it."""
    from conftest import FakeEmbedder
    p1 = "The foreign ministry published a long statement about regional trade routes and river ports on Friday."
    p2 = "Farmers in the southern districts reported that the harvest of rice and beans was smaller than expected."
    q1 = "Engineers at the new hydropower dam said the turbines would start producing electricity before the monsoon."
    q2 = "Teachers in several northern towns said schools had reopened after months of closures caused by floods."
    files = {"a.txt": f"{VISIT_A}\n{p1}\n{p2}\n", "b.txt": f"{VISIT_B}\n{q1}\n{q2}\n",
             "e.txt": "Rice prices rose for a third month in the northern provinces.\n"}
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = load_settings()
    settings = dataclasses.replace(settings, match=dataclasses.replace(settings.match, knn=2))
    emb = FakeEmbedder()
    db = store.open_db(tmp_path / "copies.db")
    pipeline.ingest(db, [folder], settings)
    pipeline.analyze(db, settings, embedder=emb)
    (visit,) = store.load_clusters(db)
    assert visit.article_ids == ("a", "b") and visit.independent_sources == 2
    (folder / "c.txt").write_text(f"{p1}\n{p2}\n{q1}\n{q2}\n", encoding="utf-8")
    pipeline.ingest(db, [folder], settings)
    res = pipeline.analyze(db, settings, embedder=emb)
    inc, full = _snapshot(db), _full(db, tmp_path, "copies_full", settings, emb)
    assert res.delta and inc["origins"]["a"] == inc["origins"]["b"]
    assert inc["clusters"] == full["clusters"] and inc["scores"] == full["scores"]
    (now,) = [k for k in inc["clusters"] if k.id == visit.id]
    assert now.claim_ids == visit.claim_ids and now.independent_sources == 1


def _visit_corpus(tmp_path, visits: dict[str, str]):
    """Three outlets' reports of a visit (`visits`: file name -> its sentence), each with other
    news, and twenty articles of other news (so that the corpus holds more claims than a neighbour
    list: a delta's size), ingested and analysed with the bag-of-words embedder: (folder,
    settings, embedder, store, the visit's cluster)."""
    from conftest import FakeEmbedder
    other = {"a.txt": "The foreign ministry published a long statement about river ports on Friday.",
             "b.txt": "Farmers in the southern districts reported a smaller harvest of rice and beans.",
             "c.txt": "Teachers in several northern towns said schools had reopened after the floods."}
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in visits.items():
        (folder / name).write_text(f"{text}\n{other[name]}\n", encoding="utf-8")
    for i, topic in enumerate(["rice prices", "bus fares", "school fees", "fuel imports", "river levels", "power cuts",
                               "port fees", "bank rates", "tea exports", "road tolls", "train delays", "water bills",
                               "gold prices", "steel output", "flight routes", "hotel rooms", "crop yields",
                               "coal stocks", "wage talks", "rent levels"]):
        (folder / f"f{i:02d}.txt").write_text(f"Officials in district {i} said {topic} changed sharply over "
                                              f"{i + 2} weeks.\n", encoding="utf-8")
    settings = load_settings()
    emb = FakeEmbedder()
    db = store.open_db(tmp_path / "visit.db")
    pipeline.ingest(db, [folder], settings)
    pipeline.analyze(db, settings, embedder=emb)
    (visit,) = [k for k in store.load_clusters(db) if len(k.article_ids) == 3]
    return folder, settings, emb, db, visit


def _fourth_report(folder, db, settings) -> None:
    """A fourth outlet's fluent report of the visit (`_visit_corpus`), ingested."""
    (folder / "d.txt").write_text("Russian minister Lavrov arrived in the capital Naypyitaw on Wednesday for talks "
                                  "with generals.\n", encoding="utf-8")
    pipeline.ingest(db, [folder], settings)


def test_a_claim_joining_a_cluster_of_two_sources_or_more_leaves_its_members_unread(tmp_path):
    """Three outlets report a visit; a fourth article reports it too. The cluster had three
    independent sources and has four: each of its claims is corroborated before and after, and
    so is the new one. Neither the delta's reckoning of the scores that may move nor the new
    article's score reads the other members' rows (a claim joining a cluster of hundreds would
    read them all), the save writes only the new claim's `cluster_members` row, and the result is
    a full analysis'."""
    folder, settings, emb, db, visit = _visit_corpus(tmp_path, {
        "a.txt": "Lavrov arrived in Naypyitaw on Wednesday for talks with the generals.",
        "b.txt": "Lavrov arrived in Naypyitaw on Wednesday afternoon for talks with the generals.",
        "c.txt": "On Wednesday Lavrov arrived in Naypyitaw for talks with the military generals."})
    assert visit.independent_sources == 3
    _fourth_report(folder, db, settings)
    # (the members' rows the save writes)
    db.execute("create temp table members_written (claim_id text)")
    db.execute("create temp trigger members_written after insert on main.cluster_members "
               "begin insert into members_written values (new.claim_id); end")
    asked = []
    real_refs = store.ClaimTable.refs
    store.ClaimTable.refs = lambda self, ids: asked.extend(ids := list(ids)) or real_refs(self, ids)
    try:
        res = pipeline.analyze(db, settings, embedder=emb)
    finally:
        store.ClaimTable.refs = real_refs
    inc, full = _snapshot(db), _full(db, tmp_path, "visit_full", settings, emb)
    (now,) = [k for k in inc["clusters"] if set(visit.claim_ids) < set(k.claim_ids)]
    assert res.delta and now.article_ids == ("a", "b", "c", "d") and now.independent_sources == 4
    assert not set(visit.claim_ids) & set(asked)
    assert inc["clusters"] == full["clusters"] and inc["scores"] == full["scores"]
    assert inc["scores"]["d"].counts["corroborated"] == 1
    # the cluster keeps its anchor: only the new claim's members row is written, and the claims of
    # then find the cluster of now through theirs
    written = {r[0] for r in db.execute("select claim_id from members_written")}
    assert written == set(now.claim_ids) - set(visit.claim_ids)
    assert store.load_clusters_of(db, [visit.claim_ids[0]]) == [now]


def test_a_fluent_claim_joining_a_cluster_of_garbled_claims_corroborates_them_without_reading_them(tmp_path):
    """Three outlets carry a garbled report of a visit (repeated words): its cluster counts no
    fluent origin, so none of its claims is corroborated. A fourth article reports the visit
    fluently: the cluster counts one origin, the new article's, so each claim of the three is
    corroborated now. Their counts tell it: `ci` (which scores only the new article) marks the
    three articles' scores stale without reading the members' rows, the new claim is not
    corroborated (the one origin is its own), and once refreshed every score is a full
    analysis'."""
    folder, settings, emb, db, visit = _visit_corpus(tmp_path, {
        "a.txt": "Lavrov arrived arrived in Naypyitaw on on Wednesday for talks with the the generals.",
        "b.txt": "Lavrov arrived arrived in Naypyitaw on Wednesday for for talks with the the generals.",
        "c.txt": "Lavrov Lavrov arrived in Naypyitaw on Wednesday for talks talks with the the generals."})
    assert visit.independent_sources == 0
    assert all(s.counts["corroborated"] == 0 for a, s in store.load_scores(db).items() if a in "abc")
    _fourth_report(folder, db, settings)
    asked = []
    real_refs = store.ClaimTable.refs
    store.ClaimTable.refs = lambda self, ids: asked.extend(ids := list(ids)) or real_refs(self, ids)
    try:
        res = pipeline.analyze(db, settings, embedder=emb, only_scores=["d"])
    finally:
        store.ClaimTable.refs = real_refs
    (now,) = [k for k in store.load_clusters(db) if set(visit.claim_ids) < set(k.claim_ids)]
    assert res.delta and now.article_ids == ("a", "b", "c", "d") and now.independent_sources == 1
    assert not set(visit.claim_ids) & set(asked)
    assert store.stale_scores(db) == {"a", "b", "c"}
    assert store.load_scores(db)["d"].counts["corroborated"] == 0
    assert pipeline.refresh_scores(db, settings) == 3
    inc, full = _snapshot(db), _full(db, tmp_path, "garbled_full", settings, emb)
    assert inc["clusters"] == full["clusters"] and inc["scores"] == full["scores"]
    assert all(inc["scores"][a].counts["corroborated"] == 1 for a in "abc")


def test_a_clusters_count_of_fluent_origins_tells_corroboration_without_its_members():
    """Two or more: yes; none: no; one: no for a claim in a fluent sentence (the origin is its
    own), and for any claim, whether its origin is another than the one the clustering names."""
    from factcheck.records import Cluster
    from factcheck.stages.scoring import corroborated_by_count

    def counting(n: int) -> Cluster:
        return Cluster("k", ("a1", "b1"), ("a", "b"), n)
    assert corroborated_by_count(counting(2)) is True
    assert corroborated_by_count(counting(0), garbled_own=True) is False
    assert corroborated_by_count(counting(1), garbled_own=False) is False
    assert corroborated_by_count(counting(1), garbled_own=True) is None
    assert corroborated_by_count(counting(1), True, own_origin="a", sole="b") is True
    assert corroborated_by_count(counting(1), None, own_origin="b", sole="b") is False
