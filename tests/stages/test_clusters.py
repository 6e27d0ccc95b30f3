"""Clustering of claims across articles and origin groups (copies are one source)."""
from __future__ import annotations


import numpy as np
import pytest
from conftest import FakeEmbedder  # the suite's bag-of-words stand-in for the model

from factcheck.records import Claim, stable_id
from factcheck.stages.clusters import cluster_claims, component_sizes, linkage_parts, neighbour_pairs, origin_groups
from factcheck.stages.matching import MatchSettings


def claim(article: str, text: str, i: int = 0, speaker: str | None = None) -> Claim:
    return Claim(id=stable_id(article, str(i), text), article_id=article, sentence_id=f"s{i}", index=i,
                 start=0, end=len(text), text=text, standalone=text, speaker=speaker)


ARMS = "Russia is the main supplier of weapons to the military of Myanmar."
ARMS2 = "Russia is the main supplier of weapons to Myanmar's military."
COUP = "The military of Myanmar seized power on February 1 and detained Aung San Suu Kyi."
COUP2 = "Myanmar's military seized power on February 1, detaining Aung San Suu Kyi."


def run(claims, **kw):
    vectors = FakeEmbedder().embed([c.standalone for c in claims])
    return cluster_claims(claims, vectors, MatchSettings(), **kw)


def test_same_fact_from_two_articles_is_one_cluster_and_other_facts_stay_apart():
    claims = [claim("a1", ARMS, 0), claim("a2", ARMS2, 0), claim("a1", COUP, 1), claim("a2", COUP2, 1),
              claim("a3", "The weather in Jakarta was hot and humid on Tuesday.", 0)]
    clusters = run(claims)
    groups = sorted(sorted(k.claim_ids) for k in clusters)
    assert groups == sorted([sorted([claims[0].id, claims[1].id]), sorted([claims[2].id, claims[3].id])])
    for k in clusters:
        assert k.id == "k" + stable_id(*sorted(k.claim_ids))
        assert k.article_ids == ("a1", "a2") and k.independent_sources == 2


def test_an_article_never_corroborates_itself():
    clusters = run([claim("a1", ARMS, 0), claim("a1", ARMS2, 1)])
    assert clusters == []


def test_two_claims_of_one_article_join_only_through_other_articles():
    claims = [claim("a1", ARMS, 0), claim("a1", ARMS2, 1), claim("a2", ARMS, 0)]
    clusters = run(claims)
    assert len(clusters) == 1 and set(clusters[0].claim_ids) == {c.id for c in claims}
    assert clusters[0].article_ids == ("a1", "a2")


def test_copies_of_one_origin_count_once_and_weak_claims_do_not_count_alone():
    claims = [claim("a1", ARMS, 0), claim("a2", ARMS2, 0), claim("a3", ARMS, 0)]
    (k,) = run(claims)
    assert k.independent_sources == 3
    (k,) = run(claims, origin_of={"a1": "a1", "a2": "a1", "a3": "a3"})
    assert k.independent_sources == 2
    (k,) = run(claims, weak={claims[2].id})
    assert k.independent_sources == 2 and len(k.claim_ids) == 3      # a weak claim still joins
    # the weak claims given as a flag per claim (what the analysis passes) count the same
    from factcheck.stages.clusters import cluster_incremental
    vectors = FakeEmbedder().embed([c.standalone for c in claims])
    (k,) = cluster_incremental(claims, vectors, MatchSettings(), weak=np.array([False, False, True])).clusters
    assert k.independent_sources == 2 and len(k.claim_ids) == 3


def test_clashing_numbers_are_not_clustered():
    claims = [claim("a1", "At least 892 people have been killed by the security forces.", 0),
              claim("a2", "At least 920 people have been killed by the security forces.", 0)]
    assert run(claims) == []


def test_a_bridge_claim_does_not_chain_two_facts():
    """Connected components at a low threshold chain A-facts and B-facts through one bridge; we do not."""
    rng = np.random.default_rng(0)
    ca, cb = rng.normal(size=384), rng.normal(size=384)
    ca, cb = ca / np.linalg.norm(ca), cb / np.linalg.norm(cb)

    def near(c):
        v = c + 0.35 * rng.normal(size=384) / np.sqrt(384)
        return v / np.linalg.norm(v)

    bridge = (ca + cb) / np.linalg.norm(ca + cb)             # cosine ~0.7 to both centres
    vectors = np.stack([near(ca) for _ in range(4)] + [bridge] + [near(cb) for _ in range(4)]).astype(np.float32)
    claims = [claim(f"a{i}", "A claim without numbers.", i) for i in range(len(vectors))]
    settings = MatchSettings(link_margin=1.0, candidate_cosine=0.5)
    src, dst, cos = neighbour_pairs(vectors, 8, 0.6)
    assert component_sizes(len(vectors), src, dst)[0] == 9                 # plain components chain all
    clusters = cluster_claims(claims, vectors, settings)
    assert clusters and max(len(k.claim_ids) for k in clusters) <= 5
    ids_a = {c.id for c in claims[:4]}
    ids_b = {c.id for c in claims[5:]}
    for k in clusters:
        assert not (set(k.claim_ids) & ids_a and set(k.claim_ids) & ids_b)


def test_exact_and_hnsw_neighbours_agree():
    pytest.importorskip("faiss")
    rng = np.random.default_rng(1)
    v = rng.normal(size=(600, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v = np.vstack([v, v[:300] + 0.05 * rng.normal(size=(300, 384)).astype(np.float32)])
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    exact = set(zip(*[x.tolist() for x in neighbour_pairs(v, 3, 0.5)[:2]]))
    approx = set(zip(*[x.tolist() for x in neighbour_pairs(v, 3, 0.5, exact_max=10)[:2]]))
    assert len(exact) >= 300 and len(exact & approx) / len(exact) >= 0.95


def _copies_corpus(seed: int = 2) -> tuple[np.ndarray, list[np.ndarray]]:
    """600 distinct unit vectors, 300 near-copies of some, then one vector carried 200 times and
    another 40 times (a wire sentence many outlets print as it is), shuffled; and the rows of each
    carried vector."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(600, 384)).astype(np.float32)
    v = np.vstack([v, v[:300] + 0.05 * rng.normal(size=(300, 384)).astype(np.float32)])
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v = np.vstack([v, np.repeat(v[[7]], 200, axis=0), np.repeat(v[[650]], 40, axis=0)])
    order = rng.permutation(len(v))
    at = np.argsort(order)                                      # original row -> its row now
    return (np.ascontiguousarray(v[order]),
            [np.sort(at[np.r_[7, 900:1100]]), np.sort(at[np.r_[650, 1100:1140]])])


@pytest.mark.parametrize("exact_max", [1_000, 800])   # the distinct vectors searched exactly / with HNSW
def test_past_the_exact_limit_a_sentence_many_outlets_carry_lists_its_copies(exact_max):
    from factcheck.stages.clusters import _exact_knn, knn_graph
    if exact_max < 900:
        pytest.importorskip("faiss")
    v, carried = _copies_corpus()
    idx, sims = knn_graph(v, 10, exact_max=exact_max)           # (1,140 rows, 900 distinct)
    assert not (idx == np.arange(len(v))[:, None]).any()
    for rows in carried:                # each copy lists ten of the others, at cosine 1
        assert np.isin(idx[rows], rows).all()
        assert np.allclose(sims[rows], 1.0, atol=1e-5)
    assert (np.diff(sims, axis=1) <= 0).all()                  # best first
    # every row's lowest listed cosine is the exact search's (with HNSW, nearly every row's)
    _, ex_sims = _exact_knn(v, 10)
    close = np.isclose(sims.min(axis=1), ex_sims.min(axis=1), atol=1e-5)
    assert close.mean() >= (1.0 if exact_max >= 900 else 0.97)


def test_hnsw_rows_drop_the_claim_itself_wherever_the_index_puts_it():
    from factcheck.stages.clusters import _drop_self
    # faiss returns k + 1 hits per row: itself (usually first, not always), or -1 past the last
    idx = np.array([[0, 4, 2], [3, 1, 2], [0, 1, -1], [1, 2, 0]])
    sims = np.array([[1.0, .9, .8], [.95, .94, .5], [.7, .6, -3e38], [.9, .8, .7]], dtype=np.float32)
    out_idx, out_sims = _drop_self(idx, sims, 2)
    assert out_idx.tolist() == [[4, 2], [3, 2], [0, 1], [1, 2]]
    assert out_sims[1].tolist() == pytest.approx([.95, .5]) and out_sims[0].tolist() == pytest.approx([.9, .8])
    assert not (out_idx == np.arange(4)[:, None]).any()


def test_empty_and_single_inputs():
    assert cluster_claims([], np.zeros((0, 384), dtype=np.float32)) == []
    assert run([claim("a1", ARMS)]) == []
    with pytest.raises(ValueError):
        cluster_claims([claim("a1", ARMS)], np.zeros((2, 384), dtype=np.float32))


WIRE = """Russian Foreign Minister Sergey Lavrov arrived in Myanmar on Wednesday for an official visit.
The visit comes ahead of his attendance at a meeting of foreign ministers of the Association of Southeast Asian Nations.
Russia is Myanmar's top arms supplier and has stymied coordinated international sanctions at the UN Security Council.
Myanmar has been in turmoil since the army seized power in February of last year, overthrowing the elected government.
Lavrov met with his colleague Wunna Maung Lwin and other top officials during the day in the capital.
Western nations have ostracised Myanmar's ruling generals and maintain economic and political sanctions against them."""

OTHER = """A Russian military delegation secretly visited Myanmar in June, local media reported on Wednesday.
The delegation consisted of twenty representatives, mainly navy officers, and met the junta's commanders.
No state media outlet in either country reported the visit, which took place a week before the junta chief went to Moscow.
Russia has not openly condemned the coup and is one of the biggest weapons suppliers to the country.
Analysts say Moscow sees the junta as a reliable buyer of its fighter jets and helicopters for years to come."""


def test_a_lightly_edited_republication_is_one_origin():
    copy = ("Home | World News\n[ad_1]\n" + WIRE.replace("Wednesday", "Wednesday morning")
            .replace("ostracised", "ostracized").replace("top officials", "senior officials")
            + "\nSource link\nBack to top button")
    groups = origin_groups({"x1": WIRE, "x2": copy, "x3": OTHER})
    assert groups["x1"] == groups["x2"] == "x1"
    assert groups["x3"] == "x3"


def test_different_articles_on_one_story_are_two_origins_even_with_a_shared_quote():
    quote = "“We reiterated our strong support for the ASEAN five-point consensus on the crisis,” Lavrov said."
    groups = origin_groups({"x1": WIRE + "\n" + quote, "x3": OTHER + "\n" + quote})
    assert groups == {"x1": "x1", "x3": "x3"}


def test_copy_chains_join_one_origin():
    part = "\n".join(WIRE.splitlines()[:4])
    groups = origin_groups({"b": WIRE, "a": part, "c": WIRE.replace("Wednesday", "Tuesday")})
    assert set(groups.values()) == {"a"}


FILLER = ["The weather in Jakarta was hot and humid on Tuesday.", "Tickets for the concert sold out in an hour.",
          "The river flooded three villages after heavy rain.", "A new bridge opened to traffic in the north.",
          "The football team won its fifth straight game.", "Prices of rice rose sharply at local markets.",
          "The museum reopened after a long renovation.", "Farmers protested against the new water tax.",
          "A small earthquake shook the coastal town at night.", "The school added classes in computer science.",
          "Fishermen reported a record catch of tuna.", "The airline cancelled flights because of fog."]


VISIT = "Lavrov arrived in Naypyitaw on Wednesday for talks with the generals."
VISIT2 = "Lavrov arrived in Naypyitaw on Wednesday afternoon for talks with the generals."


def test_delta_clustering_equals_full_and_recounts_kept_clusters():
    """A new article joins one cluster and a changed claim (same text, now with a speaker) is
    compared again; a third cluster is kept as it was, but a copy relation found since makes its
    sources fewer. The delta, which trusts the stored keys of the articles not read afresh, gives
    what a full clustering gives."""
    from factcheck.stages.clusters import cluster_incremental

    emb = FakeEmbedder()
    settings = MatchSettings(knn=2)
    base = [claim("a1", ARMS, 0), claim("a2", ARMS2, 0), claim("a1", COUP, 1), claim("a2", COUP2, 1),
            claim("b1", VISIT, 0), claim("b2", VISIT2, 0)]
    base += [claim(f"f{i}", t, 0) for i, t in enumerate(FILLER)]
    first = cluster_incremental(base, emb.embed([c.standalone for c in base]), settings)
    (visit,) = [k for k in first.clusters if base[4].id in k.claim_ids]
    assert visit.independent_sources == 2

    now = [c if c.id != base[3].id else claim("a2", COUP2, 1, speaker="the agency") for c in base]
    now.append(claim("a4", ARMS, 0))
    vectors = emb.embed([c.standalone for c in now])
    origin_of = {"b2": "b1"}                               # b2 turned out to copy b1
    delta = cluster_incremental(now, vectors, settings, origin_of=origin_of,
                                previous=(first.state, first.clusters), fresh={"a2", "a4"})
    full = cluster_incremental(now, vectors, settings, origin_of=origin_of)
    assert delta.touched is not None and full.touched is None
    assert not {base[4].id, base[5].id} & delta.touched           # the visit cluster was kept
    assert base[3].id in delta.touched                              # the changed claim was not
    assert delta.clusters == full.clusters
    assert delta.state.keys == full.state.keys and delta.state.ids == full.state.ids
    (visit,) = [k for k in delta.clusters if base[4].id in k.claim_ids]
    assert visit.independent_sources == 1
    (arms,) = [k for k in delta.clusters if now[-1].id in k.claim_ids]
    assert arms.article_ids == ("a1", "a2", "a4") and arms.independent_sources == 3
    # a changed claim keeps its id: nothing is gone; an article removed next: its claims are
    assert delta.gone == set()
    later = [c for c in now if c.article_id != "f3"]
    vectors = emb.embed([c.standalone for c in later])
    again = cluster_incremental(later, vectors, settings, origin_of=origin_of,
                                previous=(delta.state, delta.clusters), fresh=set())
    assert again.touched is not None and again.gone == {c.id for c in now if c.article_id == "f3"}
    assert again.clusters == cluster_incremental(later, vectors, settings, origin_of=origin_of).clusters


@pytest.mark.parametrize("every_row", [False, True])
def test_a_delta_from_the_rows_heads_reads_the_rows_of_the_claims_its_new_ones_enter(monkeypatch, every_row):
    """A previous state read back from its rows' heads reads an article's whole row only when a
    new claim enters the list of one of its claims, or one of its claims lists such a claim or is
    in a cluster judged again (past `_LAZY_ROWS` claims entered: every row). The clusters and
    the rows written are those of a delta from the whole rows, and of a full clustering."""
    from factcheck.stages import clusters
    from factcheck.stages.clusters import KnnState, cluster_incremental

    if every_row:
        monkeypatch.setattr(clusters, "_LAZY_ROWS", 0)
    emb = FakeEmbedder()
    settings = MatchSettings(knn=2)
    base = [claim("a1", ARMS, 0), claim("a1", COUP, 1), claim("a2", ARMS2, 0), claim("a2", COUP2, 1),
            claim("b1", VISIT, 0), claim("b2", VISIT2, 0)]
    # fillers in threes of near copies: each one's list holds the other two, closer than any new claim
    base += [claim(f"f{i:02d}{x}", t + end, 0) for i, t in enumerate(FILLER[:4])
             for x, end in (("a", ""), ("b", " today"), ("c", " again"))]
    first = cluster_incremental(base, emb.embed([c.standalone for c in base]), settings)
    rows = first.state.rows()[0]
    meta = first.state.meta()
    read: list[str] = []

    def rows_of(article_ids: list[str] | None) -> list[tuple]:
        got = [r for r in rows if article_ids is None or r[0] in article_ids]
        read.extend(r[0] for r in got)
        return got

    heads = [(r[0], r[7], r[3], r[6], r[8]) for r in rows]
    # each cluster's members by their stable numbers, as stored with it
    at = {c.id: i for i, c in enumerate(base)}
    numbers = [first.state.slots[[at[c] for c in k.claim_ids]].astype("<i8").tobytes() for k in first.clusters]
    now = sorted([*base, claim("a3", ARMS, 0)], key=lambda c: (c.article_id, c.index))
    vectors = emb.embed([c.standalone for c in now])
    lazy = cluster_incremental(now, vectors, settings, fresh={"a3"},
                               previous=(KnnState.from_heads(heads, meta, [], rows_of), first.clusters, numbers))
    whole = cluster_incremental(now, vectors, settings, fresh={"a3"},
                                previous=(KnnState.from_rows(rows, meta), first.clusters, numbers))
    full = cluster_incremental(now, vectors, settings)
    assert lazy.touched is not None and lazy.clusters == whole.clusters == full.clusters
    (arms,) = [k for k in lazy.clusters if now[4].id in k.claim_ids]
    assert arms.article_ids == ("a1", "a2", "a3")
    stored = {r[0]: range(0, len(r[3]) >> 2) for r in rows}
    assert lazy.state.rows(stored) == whole.state.rows(stored)
    assert lazy.state.idx.tolist() == whole.state.idx.tolist() or not every_row
    articles = sorted({c.article_id for c in base})
    if every_row:
        assert sorted(set(read)) == articles
    else:
        # the arms claims' articles (entered, and judged again) are read; no filler's is
        assert {"a1", "a2"} <= set(read) and not any(a.startswith("f") for a in read)
        assert len(read) == len(set(read))                      # (each row read once)


def _random_story(rng, articles: int):
    """Fourteen facts of six topics told three to an article (some reworded) in `articles`
    articles: (the facts, article -> its texts, a maker of more such sentences)."""
    topics = [[f"w{t}x{i}" for i in range(12)] for t in range(6)]
    common = ["the", "said", "on", "in", "officials", "Monday"]

    def sentence() -> str:
        return " ".join(rng.sample(topics[rng.randrange(6)], 6) + rng.sample(common, 2)).capitalize() + "."

    facts = [sentence() for _ in range(14)]
    arts = {f"a{a:02d}": [t if rng.random() < 0.6 else t.replace(".", " again.") for t in rng.sample(facts, 3)]
            for a in range(articles)}
    return facts, arts, sentence


@pytest.mark.parametrize("seed", range(8))
def test_a_delta_from_the_rows_heads_equals_a_full_clustering_on_random_corpora(seed, monkeypatch):
    """Random corpora of a few facts told in many articles (some reworded), two new articles
    repeating some of them: a delta from a state read back from its rows' heads gives the
    clusters of a full clustering and writes the rows a delta from the whole rows writes. (A
    row listing a claim that a new one entered, or one in a cluster judged again, must be read:
    without either, most of these corpora give other clusters. Past a quarter of the articles,
    every row is read at once.) The clusters kept whole are the stored ones, whose members the
    delta does not read; each claim's cluster is told by the results."""
    import json
    import random

    from factcheck import records
    from factcheck.records import Cluster
    from factcheck.stages.clusters import KnnState, cluster_incremental

    rng = random.Random(seed)
    facts, arts, _ = _random_story(rng, 20)
    new = {f"n{x}": rng.sample(facts, 2) for x in range(2)}

    def claims_of(texts: dict[str, list[str]]) -> list[Claim]:
        return [claim(a, t, i) for a in sorted(texts) for i, t in enumerate(texts[a])]

    emb = FakeEmbedder()
    settings = MatchSettings(knn=3)
    base = claims_of(arts)
    first = cluster_incremental(base, emb.embed([c.standalone for c in base]), settings)
    rows, meta = first.state.rows()[0], first.state.meta()
    heads = [(r[0], r[7], r[3], r[6], r[8]) for r in rows]
    at = {c.id: i for i, c in enumerate(base)}
    numbers = [first.state.slots[[at[c] for c in k.claim_ids]].astype("<i8").tobytes() for k in first.clusters]
    now = claims_of({**arts, **new})
    vectors = emb.embed([c.standalone for c in now])

    def rows_of(article_ids: list[str] | None) -> list[tuple]:
        return [r for r in rows if article_ids is None or r[0] in article_ids]

    # the previous clusters as the store gives them: their member lists read when asked for
    as_stored = [Cluster.stored(k.id, json.dumps(list(k.claim_ids)), json.dumps(list(k.article_ids)),
                                k.independent_sources) for k in first.clusters]
    read: list[str] = []
    monkeypatch.setattr(records, "json_strings", lambda v, real=records.json_strings: read.append(v) or real(v))
    lazy = cluster_incremental(now, vectors, settings, fresh=set(new),
                               previous=(KnnState.from_heads(heads, meta, [], rows_of), as_stored, numbers))
    read_in_delta = list(read)
    whole = cluster_incremental(now, vectors, settings, fresh=set(new),
                                previous=(KnnState.from_rows(rows, meta), first.clusters, numbers))
    full = cluster_incremental(now, vectors, settings)
    assert lazy.clusters == full.clusters
    stored = {r[0]: range(0, len(r[3]) >> 2) for r in rows}
    assert lazy.state.rows(stored) == whole.state.rows(stored)
    # the clusters kept whole are the stored ones, their members not read by the delta
    kept = [k for k in lazy.clusters if any(k is x for x in as_stored)]
    assert kept and not {json.dumps(list(k.claim_ids)) for k in kept} & set(read_in_delta)
    # each claim's cluster, as the results give it, is the one whose members name it
    for res, listed in ((lazy, now), (whole, now), (full, now), (first, base)):
        at = {c.id: i for i, c in enumerate(listed)}
        want = np.full(len(listed), -1)
        for j, k in enumerate(res.clusters):
            want[[at[c] for c in k.claim_ids]] = j
        assert res.cluster_rows.tolist() == want.tolist()
        assert res.holding(range(len(want))) == sorted(set(want.tolist()) - {-1})


def test_a_row_that_may_list_a_row_a_new_claim_entered_is_told_by_angles():
    """On the unit circle: a new claim at 0 degrees entered rows at 10 and 40 degrees. A row that
    lists one of them lies within its own lowest cosine's angle of it, so within that angle plus
    the widest entry (40) of the new claim: a row at 70 degrees whose lowest cosine is at 30 may
    list one, one at 100 may not; a row with fewer neighbours than k (lowest -inf) may."""
    from factcheck.stages.clusters import _may_list

    deg = np.radians
    angles = np.array([10.0, 40.0, 70.0, 100.0, 150.0])
    new_cols = np.cos(deg(angles))[None, :].astype(np.float32)          # the new claim's cosines
    entered = np.array([[True, True, False, False, False]])
    worst = np.cos(deg(np.array([20.0, 20.0, 30.0, 30.0, 180.0]))).astype(np.float32)
    worst[4] = -np.inf
    assert _may_list(new_cols, entered, worst).tolist() == [True, True, True, False, True]
    # nothing entered: no row
    assert not _may_list(new_cols, np.zeros_like(entered), worst).any()


def test_a_delta_counts_again_only_the_kept_clusters_holding_an_unsettled_articles_claims():
    """Told which articles' claims may have moved origin group or weak flag since the previous
    analysis (`unsettled`), a delta counts again the kept clusters holding one of their claims,
    and asks the weak flags (a function of rows) of the claims it counts alone; a kept cluster
    holding none keeps its stored count."""
    from factcheck.stages.clusters import cluster_incremental

    emb = FakeEmbedder()
    settings = MatchSettings(knn=2)
    base = [claim("a1", ARMS, 0), claim("a2", ARMS2, 0), claim("b1", VISIT, 0), claim("b2", VISIT2, 0)]
    base += [claim(f"f{i}", t, 0) for i, t in enumerate(FILLER)]
    first = cluster_incremental(base, emb.embed([c.standalone for c in base]), settings)
    now = [*base, claim("a4", ARMS, 0)]
    vectors = emb.embed([c.standalone for c in now])
    fillers = {i for i, c in enumerate(now) if c.article_id.startswith("f")}
    for origin_of, flagged, moved in [({"b2": "b1"}, set(), {"b2"}), ({}, {2}, {"b1"})]:
        asked: list[int] = []

        def weak(rows: np.ndarray) -> np.ndarray:
            asked.extend(rows.tolist())
            return np.isin(rows, list(flagged))

        told = cluster_incremental(now, vectors, settings, origin_of=origin_of, weak=weak,
                                   previous=(first.state, first.clusters), fresh={"a4"}, unsettled=moved)
        flags = np.isin(np.arange(len(now)), list(flagged))
        full = cluster_incremental(now, vectors, settings, origin_of=origin_of, weak=flags)
        assert told.clusters == full.clusters
        (visit,) = [k for k in told.clusters if base[2].id in k.claim_ids]
        assert visit.independent_sources == 1
        assert {2, 3, len(now) - 1} <= set(asked) and not fillers & set(asked)
        # nothing unsettled: the kept cluster is not counted again (the caller knows nothing moved)
        kept = cluster_incremental(now, vectors, settings, origin_of=origin_of, weak=weak,
                                   previous=(first.state, first.clusters), fresh={"a4"}, unsettled=set())
        (visit,) = [k for k in kept.clusters if base[2].id in k.claim_ids]
        assert visit.independent_sources == 2


def test_in_sorted_is_isin():
    import numpy as np
    from factcheck.stages.clusters import _in_sorted
    rng = np.random.default_rng(0)
    values = rng.integers(0, 2**63, size=5000, dtype=np.uint64)
    few = np.unique(np.concatenate([values[:40], rng.integers(0, 2**63, size=40, dtype=np.uint64)]))
    assert (_in_sorted(values, few) == np.isin(values, few)).all()
    assert _in_sorted(values, few).sum() >= 40
    assert not _in_sorted(values, few[:0]).any()


def test_hub_levels_of_many_rows_at_once_are_each_rows_own_bit_for_bit():
    """A claim's hub level is the mean cosine of its `top` nearest claims from other articles
    (the floor when it has none). Taken for many rows at once it is the same float32 value as
    taken row by row, so a delta's hub levels stay those of a full clustering."""
    import numpy as np
    from factcheck.stages.clusters import _hub_rows

    def one_row(r, idx, sims, art, top, floor):
        ok = (idx[r] >= 0) & (art[np.maximum(idx[r], 0)] != art[r])
        vals = np.sort(sims[r][ok])[::-1][:top]
        return max(floor, float(vals.mean())) if len(vals) else floor

    rng = np.random.default_rng(7)
    n, k = 900, 10
    idx = rng.integers(-1, n, size=(n, k))
    sims = (rng.random((n, k)) * 1.2 - 0.2).astype(np.float32)
    sims[idx < 0] = -np.inf
    art = rng.integers(0, 40, size=n)
    idx[0] = np.where(art[np.maximum(idx[0], 0)] == art[0], idx[0], -1)     # row 0: no other article
    idx[1, :4] = np.nonzero(art != art[1])[0][:4]                             # row 1: a -inf cosine
    sims[1, 0], sims[1, 1:4] = -np.inf, 0.9
    idx[1, 4:] = -1
    for top in (1, 3, 7, 9):
        rows = np.nonzero(rng.random(n) < 0.6)[0]
        rows = np.union1d(rows, [0, 1])
        out = np.full(n, 0.35, dtype=np.float32)
        _hub_rows(out, rows, idx, sims, art, top, 0.35)
        want = np.full(n, 0.35, dtype=np.float32)
        want[rows] = [one_row(r, idx, sims, art, top, 0.35) for r in rows]
        assert out.view(np.int32).tolist() == want.view(np.int32).tolist()
        assert out[0] == np.float32(0.35)


def test_a_delta_keeps_every_claims_nearest_neighbours_those_of_a_full_search():
    """New articles' claims enter the neighbour lists of the old claims they are closer to than
    those lists' last; after the delta every claim's k nearest neighbours are the exact ones."""
    from factcheck.stages.clusters import cluster_incremental

    rng = np.random.default_rng(11)
    old = [claim(f"a{i // 4:02d}", f"old claim {i}", i % 4) for i in range(120)]
    new = [claim(f"n{i // 3}", f"new claim {i}", i % 3) for i in range(9)]
    vectors = rng.normal(size=(129, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[120:] = vectors[:9] * 0.6 + vectors[120:] * 0.4       # close to some old claims
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    settings = MatchSettings(knn=5)
    first = cluster_incremental(old, vectors[:120], settings)
    now = sorted(old + new, key=lambda c: (c.article_id, c.index))
    order = [(old + new).index(c) for c in now]
    delta = cluster_incremental(now, vectors[order], settings, previous=(first.state, first.clusters),
                                fresh={"n0", "n1", "n2"})
    full = cluster_incremental(now, vectors[order], settings)
    assert delta.touched is not None
    entered = 0
    for r in range(len(now)):
        got = {delta.state.ids[x] for x in delta.state.idx[r]}
        assert got == {full.state.ids[x] for x in full.state.idx[r]}
        assert np.allclose(np.sort(delta.state.sims[r]), np.sort(full.state.sims[r]))
        entered += now[r].article_id.startswith("a") and any(delta.state.ids[x] in {c.id for c in new}
                                                             for x in delta.state.idx[r])
    assert entered >= 9                  # old claims whose lists the new claims entered
    assert delta.clusters == full.clusters


def test_greedy_linkage_with_kept_group_rows_is_the_plain_greedy_linkage(monkeypatch):
    """The linkage keeps each group's vectors and number sets as groups merge, and remembers a
    refused merge until one of the two groups changes; the groups are those of the plain
    algorithm that gathers every member's vector and numbers and checks again at every link."""
    from factcheck.stages import clusters
    from factcheck.stages.clusters import _can_merge, _Groups, group_indices
    from factcheck.stages.matching import numbers_in

    def plain(links, vectors, texts, settings, hub):
        groups = _Groups(len(vectors))
        for _, i, j in links:
            a, b = groups.find(i), groups.find(j)
            if a == b:
                continue
            ma, mb = groups.of(a), groups.of(b)
            sets_a = set(filter(None, (numbers_in(texts[x]) for x in ma)))
            sets_b = set(filter(None, (numbers_in(texts[x]) for x in mb)))
            if clusters._can_merge(vectors[ma], vectors[mb], hub[ma], hub[mb], sets_a, sets_b, settings):
                groups.merge(a, b)
        return [sorted(m) for m in groups.groups()]

    rng = np.random.default_rng(5)
    facts = ["", "7 officers", "in 2021", "on March 3", "12%", "", "", "300 people"]
    settings = MatchSettings()
    biggest = saved = 0
    for _ in range(12):
        n = int(rng.integers(40, 300))
        centers = rng.normal(size=(max(1, n // 120), 32))
        v = centers[rng.integers(0, len(centers), n)] + rng.normal(size=(n, 32)) * rng.uniform(0.02, 0.25)
        v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        texts = [f"the claim says {facts[rng.integers(0, len(facts))]}" for _ in range(n)]
        hub = rng.uniform(0.3, 0.6, n).astype(np.float32)
        i, j = rng.integers(0, n, 4 * n), rng.integers(0, n, 4 * n)
        links = sorted({(float(rng.random()), int(a), int(b)) for a, b in zip(i, j) if a != b}, reverse=True)
        checks = []
        monkeypatch.setattr(clusters, "_can_merge", lambda *a: checks.append(1) or _can_merge(*a))
        got = group_indices(links, v, texts, settings, hub)
        monkeypatch.undo()
        plain_checks = []
        monkeypatch.setattr(clusters, "_can_merge", lambda *a: plain_checks.append(1) or _can_merge(*a))
        assert got == plain(links, v, texts, settings, hub)
        monkeypatch.undo()
        biggest = max([biggest, *map(len, got)])
        saved += len(plain_checks) - len(checks)
    assert biggest >= 20                      # groups grew well past their buffers' first size
    assert saved > 100                        # refusals were remembered, not checked again


def test_the_merges_the_linkage_gives_rebuild_each_group_and_its_groups_at_any_earlier_link():
    """Per group, `_linkage(merges=...)` gives one merge fewer than its members: runs of its
    members (in linkage order) that nest, the last one the whole group at its last margin. The
    outermost runs merged above a margin (`_runs_before`) are the groups a linkage of only the
    links above that margin makes, members in the same order."""
    from factcheck.stages.clusters import _MERGE, _linkage, _runs_before

    rng = np.random.default_rng(11)
    settings = MatchSettings()
    cut_checked = 0
    for _ in range(10):
        n = int(rng.integers(40, 200))
        centers = rng.normal(size=(max(1, n // 60), 24))
        v = centers[rng.integers(0, len(centers), n)] + rng.normal(size=(n, 24)) * rng.uniform(0.02, 0.2)
        v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        texts = ["the claim says so"] * n
        hub = rng.uniform(0.3, 0.6, n).astype(np.float32)
        i, j = rng.integers(0, n, 4 * n), rng.integers(0, n, 4 * n)
        # (distinct float32 margins, best first, as the links of a clustering are)
        margins = np.unique(rng.random(4 * n).astype(np.float32))[::-1][:4 * n]
        links = [(float(m), int(a), int(b)) for m, a, b in zip(margins, i, j) if a != b]
        merges: list = []
        groups, lasts = _linkage(links, v, texts, settings, hub, merges=merges)
        assert len(merges) == len(groups)
        for members, last, made in zip(groups, lasts, merges):
            assert len(made) == len(members) - 1
            top = max(made, key=lambda m: m[3] - m[1])
            assert (top[1], top[3]) == (0, len(members)) and top[0] == last
            for m, s0, s1, s2 in made:
                assert 0 <= s0 < s1 < s2 <= len(members)
        stored = [np.array(made, dtype=_MERGE) for made in merges]
        for k in rng.integers(0, len(links) - 1, 3).tolist():
            cut = (links[k][0] + links[k + 1][0]) / 2          # (between two links' margins)
            early, _ = _linkage([t for t in links if t[0] > cut], v, texts, settings, hub)
            rebuilt = []
            for members, made in zip(groups, stored):
                rebuilt += [members[s0:s1] for s0, s1, _, _ in _runs_before(made, cut)]
            assert sorted(rebuilt) == sorted(early)
            cut_checked += len(early)
        # at a merge's own margin, whether the merge came before is not told
        assert _runs_before(stored[0], float(stored[0]["margin"][0])) is None
    assert cut_checked > 20


def test_connected_components_are_those_scipy_finds_labelled_by_their_smallest_node():
    """Copy groups and component sizes come from a numpy labelling (no scipy import in `ci`):
    the same partition as scipy's, each node labelled with its component's smallest node, on
    random graphs with isolated nodes, self-loops, repeated edges and long chains."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from factcheck.stages.clusters import _component_labels

    rng = np.random.default_rng(11)
    cases = [(1, [], []), (5, [], []), (6, [0, 5, 3], [5, 0, 3])]
    chain = rng.permutation(300)
    cases.append((300, chain[:-1].tolist(), chain[1:].tolist()))          # one path through every node
    for _ in range(40):
        n = int(rng.integers(2, 400))
        m = int(rng.integers(0, n * 2))
        cases.append((n, rng.integers(0, n, m).tolist(), rng.integers(0, n, m).tolist()))
    for n, src, dst in cases:
        got = _component_labels(n, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64))
        ref = connected_components(coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)), directed=False)[1]
        smallest = {}
        for node, c in enumerate(ref.tolist()):
            smallest.setdefault(c, node)
        assert got.tolist() == [smallest[c] for c in ref.tolist()], (n, len(src))


def test_the_linkage_mean_is_numpys_mean_bit_for_bit():
    """The merge check's mean (`_mean32`, without np.mean's overhead) is the same float as
    np.mean of the float32 matrix, for one item, a row, a column and large matrices."""
    from factcheck.stages.clusters import _mean32

    rng = np.random.default_rng(3)
    shapes = [(1, 1), (1, 7), (300, 1), (2, 2)] + [(int(rng.integers(1, 400)), int(rng.integers(1, 60)))
                                                    for _ in range(400)]
    for shape in shapes:
        a = (rng.uniform(-1.0, 1.0, size=shape) / rng.uniform(0.3, 0.7, size=shape)).astype(np.float32)
        assert _mean32(a) == float(a.mean()), shape


@pytest.mark.parametrize("knn", [4, 6])
def test_rows_a_new_claim_enters_below_their_nearest_keep_their_links_and_clusters(knn, monkeypatch):
    """A new claim entering an old claim's list leaves that claim's links as they were unless its
    hub level moves (the new claim is among its `margin_k` nearest of other articles) or a
    neighbour it pushed out leaves a pair that changes. Such rows are not judged again, and their
    clusters are kept when nothing else touches them; on random corpora of a few facts told many
    times, every delta still gives the clusters of a full clustering."""
    import random

    from factcheck.stages import clusters as stage

    told = {"entered": 0, "judged": 0, "regrouped": 0}
    real = stage._settled

    def settled(rows, *a, **k):
        relink, regroup = real(rows, *a, **k)
        told["entered"] += len(rows)
        told["judged"] += len(relink)
        told["regrouped"] += len(regroup)
        return relink, regroup

    monkeypatch.setattr(stage, "_settled", settled)
    kept_while_entered = 0
    for seed in range(12):
        rng = random.Random(seed)
        facts, arts, sentence = _random_story(rng, 24)
        new = {"n0": [rng.choice(facts).replace(".", " too."), sentence()]}
        base = [claim(a, t, i) for a in sorted(arts) for i, t in enumerate(arts[a])]
        now = [claim(a, t, i) for a, ts in sorted({**arts, **new}.items()) for i, t in enumerate(ts)]
        emb = FakeEmbedder()
        settings = MatchSettings(knn=knn)
        first = stage.cluster_incremental(base, emb.embed([c.standalone for c in base]), settings)
        vectors = emb.embed([c.standalone for c in now])
        before = dict(told)
        delta = stage.cluster_incremental(now, vectors, settings, fresh=set(new),
                                          previous=(first.state, first.clusters))
        assert delta.clusters == stage.cluster_incremental(now, vectors, settings).clusters, seed
        if told["entered"] - before["entered"] > told["judged"] - before["judged"]:
            # some entered rows kept their links: a cluster holding one of them can be kept whole
            entered_ids = {delta.state.ids[r] for r in np.nonzero(delta.state.written)[0]}
            kept_while_entered += any(any(k is x for x in first.clusters) and entered_ids & set(k.claim_ids)
                                      for k in delta.clusters)
    assert told["entered"] > told["judged"] > 0
    assert kept_while_entered > 0


def test_a_link_a_new_claim_pushes_out_of_a_list_regroups_the_cluster_it_held_together():
    """y and z are one cluster through a single link, which only y's list holds (z lists four closer
    claims). A new claim enters y's list below its three nearest (its hub level stays) and pushes z
    out: the link is gone, so the cluster it held together is regrouped and y and z part, as a full
    clustering has them."""
    from factcheck.stages import clusters as stage

    def unit(*parts: tuple[int, float]) -> np.ndarray:
        v = np.zeros(10, dtype=np.float32)
        for i, x in parts:
            v[i] = x
        return v / np.linalg.norm(v)

    said = "Officials said {} soldiers died on Monday."
    rows = [("a", said.format(7), unit((0, 1.0)))]                                     # y
    rows += [(f"n{i}", said.format(9), unit((0, 0.95), (i, (1 - 0.95 ** 2) ** 0.5))) for i in (1, 2, 3)]
    z = unit((0, 0.9), (4, (1 - 0.81) ** 0.5))
    rows += [("b", said.format(7), z)]                                                 # z
    for j in range(4):                                   # z's four nearest, closer to it than y
        w = 0.97 * z + 0.243 * unit((5 + j, 1.0))
        rows.append((f"w{j}", said.format(3), w / np.linalg.norm(w)))
    new = ("x", said.format(11), unit((0, 0.92), (9, (1 - 0.92 ** 2) ** 0.5)))

    def claims_of(items):
        items = sorted(items, key=lambda r: r[0])
        return [claim(a, t) for a, t, _ in items], np.stack([v for _, _, v in items])

    settings = MatchSettings(knn=4)
    base, vb = claims_of(rows)
    first = stage.cluster_incremental(base, vb, settings)
    y, zc = base[0], next(c for c in base if c.article_id == "b")
    assert any({y.id, zc.id} == set(k.claim_ids) for k in first.clusters)
    now, vn = claims_of(rows + [new])
    delta = stage.cluster_incremental(now, vn, settings, fresh={"x"}, previous=(first.state, first.clusters))
    full = stage.cluster_incremental(now, vn, settings)
    assert delta.clusters == full.clusters
    assert not any(y.id in k.claim_ids for k in full.clusters)


def test_a_delta_reads_the_verdicts_of_its_regions_pairs_instead_of_asking_the_matcher(monkeypatch):
    """What the matcher said of each pair in the neighbour lists is kept with them: a new claim
    that joins a large cluster regroups it by reading those verdicts, and the matcher is asked
    of the pairs the new claim is in, not of the cluster's. The clusters are those of a full
    clustering, and those of a delta from a state stored without verdicts (which asks again)."""
    from factcheck.stages import clusters
    from factcheck.stages.clusters import cluster_incremental

    rng = np.random.default_rng(3)
    places = ["Moscow", "Naypyidaw", "Kazan", "Hanoi", "Jakarta", "Bangkok"]
    old = [claim(f"a{i:03d}", f"Russia trained officers of the army near {places[i % 6]} in week {i % 5}.", 0)
           for i in range(60)]
    old += [claim(f"b{i:03d}", f"Ministers met in {places[i % 6]} to talk about rice exports.", 0) for i in range(30)]
    new = [claim("n000", "Russia trained officers of the army near Moscow.", 0)]
    story, other = rng.normal(size=16), rng.normal(size=16)
    v = np.vstack([story + rng.normal(size=(60, 16)) * 0.15, other + rng.normal(size=(30, 16)) * 0.15,
                   story + rng.normal(size=(1, 16)) * 0.1]).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    settings = MatchSettings(knn=6)
    first = cluster_incremental(old, v[:90], settings, pair_cache={})
    assert first.state.verdicts is not None and (first.state.verdicts & clusters._VERDICT_ASKED).any()
    big = max(first.clusters, key=lambda c: len(c.claim_ids))
    assert len(big.claim_ids) >= 20                            # the story's claims make one large cluster

    asked: list[tuple[str, str]] = []
    real = clusters.pair_static
    monkeypatch.setattr(clusters, "pair_static", lambda a, b, *s: asked.append((a, b)) or real(a, b, *s))
    now = old + new
    delta = cluster_incremental(now, v, settings, pair_cache={}, previous=(first.state, first.clusters),
                                fresh={"n000"})
    assert delta.touched is not None and len(delta.touched) > len(big.claim_ids)   # the cluster was regrouped
    # the matcher is asked of the new claim's pairs, and of the few old pairs never asked before
    # (they could not link at the hub levels of then, which the new claim moved)
    old_asked = sum(new[0].text not in pair for pair in asked)
    assert any(new[0].text in pair for pair in asked) and old_asked <= 5
    joined = next(c for c in delta.clusters if new[0].id in c.claim_ids)      # it corroborates the story
    assert len(joined.article_ids) > 2 and all(a.startswith(("a", "n")) for a in joined.article_ids)
    full = cluster_incremental(now, v, settings, pair_cache={})
    assert delta.clusters == full.clusters

    asked.clear()
    first.state.verdicts = None                                 # (as a state stored before them)
    again = cluster_incremental(now, v, settings, pair_cache={}, previous=(first.state, first.clusters),
                                fresh={"n000"})
    assert again.clusters == full.clusters
    assert sum(new[0].text not in pair for pair in asked) > max(len(big.claim_ids), 5 * old_asked)


def test_a_delta_writes_the_lists_it_changed_not_those_it_only_read():
    """A new claim that joins a tight cluster without entering its members' lists: the delta reads
    the members' rows to regroup the cluster, and writes back the new claim's row alone (the
    members' lists and verdicts are as stored)."""
    from factcheck.stages.clusters import KnnState, _lowest, cluster_incremental

    rng = np.random.default_rng(4)
    center = rng.normal(size=16)
    tight = center + rng.normal(size=(12, 16)) * 0.05
    other = -center + rng.normal(size=(30, 16)) * 0.05                  # another story, far from it
    new_v = center + rng.normal(size=(1, 16)) * 0.45
    v = np.vstack([tight, other, new_v]).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    words = ["new", "late", "short", "long", "first", "second", "local", "brief", "full", "early", "wire", "daily"]
    old = [claim(f"a{i:03d}", f"Russia trained officers of the army near Moscow, a {w} report said.", 0)
           for i, w in enumerate(words)]
    old += [claim(f"b{i:03d}", f"Ministers met in city {i} to talk about rice exports.", 0) for i in range(30)]
    new = claim("n000", "Russia trained officers of the army near Moscow.", 0)
    settings = MatchSettings(knn=5)
    first = cluster_incremental(old, v[:42], settings, pair_cache={})
    rows, _, _, patches, _ = first.state.rows()

    def head(r):
        return r[0], r[7], r[3], r[6], r[8]
    lazy = KnnState.from_heads([head(r) for r in rows], first.state.meta(), patches,
                               lambda ids: [r for r in rows if ids is None or r[0] in ids])
    assert not lazy.known.any()
    delta = cluster_incremental(old + [new], v, settings, pair_cache={}, previous=(lazy, first.clusters),
                                fresh={"n000"})
    new_cos = v[:42] @ v[42]
    assert (new_cos[:12] < _lowest(first.state.sims[:12])).all()        # it enters no member's list
    joined = next(c for c in delta.clusters if new.id in c.claim_ids)
    assert len(joined.article_ids) > 5 and "n000" in joined.article_ids   # it joins the cluster
    assert not any(42 in delta.state.idx[r] for r in range(42))          # nor any other list
    # written: the new claim's row, not the members' rows the regrouping read
    assert delta.state.known[:12].all() and delta.state.written.nonzero()[0].tolist() == [42]
    assert delta.clusters == cluster_incremental(old + [new], v, settings, pair_cache={}).clusters


def _deltas_equal_full(stage, arts: dict[str, list[str]], steps: list[dict[str, list[str]]],
                       settings: MatchSettings, check=None) -> None:
    """Cluster `arts` in full, then add each step's articles by a delta from the state and the
    linkage the one before stored: each delta gives the clusters of a full clustering (`check`:
    called with each delta, the full result and the claims)."""
    def claims_of(texts: dict[str, list[str]]) -> list[Claim]:
        return [claim(a, t, i) for a in sorted(texts) for i, t in enumerate(texts[a])]

    emb = FakeEmbedder()
    base = claims_of(arts)
    state = stage.cluster_incremental(base, emb.embed([c.standalone for c in base]), settings)
    corpus = dict(arts)
    for step in steps:
        corpus.update(step)
        now = claims_of(corpus)
        vectors = emb.embed([c.standalone for c in now])
        linkage = [state.linkage.get(k.id) for k in state.clusters]
        delta = stage.cluster_incremental(now, vectors, settings, fresh=set(step),
                                          previous=(state.state, state.clusters, None, linkage))
        full = stage.cluster_incremental(now, vectors, settings)
        assert delta.clusters == full.clusters
        if check is not None:
            check(delta, full, now)
        state = delta


def test_a_delta_adding_articles_takes_whole_the_clusters_settled_before_their_links(monkeypatch):
    """When only new articles come, a delta takes whole each cluster whose last merge came before
    the first link of a new claim (its linkage as the previous clustering stored it), and links
    only the rest: the clusters of a full clustering, also for a second delta made from the
    linkage the first one stored. On random corpora of facts many articles carry word for word."""
    import random

    from factcheck.stages import clusters as stage

    # (links of the region, links walked, clusters taken whole, groups of clusters started part-way)
    walked: list[tuple[int, int, int, int]] = []
    real = stage._settled_start

    def spy(links, *a):
        kept, start, taken = real(links, *a)
        walked.append((len(links), len(kept), len(taken), len(start) - len(taken)))
        return kept, start, taken
    monkeypatch.setattr(stage, "_settled_start", spy)

    def linkage_names_the_claims(delta, full, now) -> None:
        for res in (delta, full):                    # the linkage each stores numbers the cluster's claims
            row_of = {int(x): i for i, x in enumerate(res.state.slots)}
            for k in res.clusters:
                numbers = linkage_parts(res.linkage.get(k.id), len(k.claim_ids))[1].tolist()
                assert sorted(now[row_of[x]].id for x in numbers) == sorted(k.claim_ids)

    settings = MatchSettings(knn=4)
    for seed in range(8):
        rng = random.Random(seed)
        facts, _, sentence = _random_story(rng, 0)
        # facts carried word for word by many articles (some reworded): lists full of copies, which
        # the new articles' rewordings do not enter
        arts = {f"a{a:02d}": [t if rng.random() < 0.85 else t.replace(".", " again.") for t in rng.sample(facts, 4)]
                for a in range(40)}
        more = {f"n{x}": [t.replace(".", " once more.") for t in rng.sample(facts, 2)] + [sentence()]
                for x in range(2)}
        later = {"p0": [t.replace(".", " as well.") for t in rng.sample(facts, 3)]}
        _deltas_equal_full(stage, arts, [more, later], settings, linkage_names_the_claims)
    # most of the 16 steps took clusters whole and walked fewer links (a step whose new claims link
    # before every last merge, or move hub levels in every cluster, links them all again)
    assert len(walked) == 16 and sum(1 for links, kept, whole, _ in walked if whole and kept < links) >= 8
    # ... and some started clusters merged last after a new claim's link from the groups they had
    # before it (their stored merges tell them)
    assert any(parts for *_, parts in walked)


def test_a_cluster_whose_last_merge_comes_after_a_new_claims_link_is_linked_again():
    """`_settled_start` takes whole only the clusters whose last merge came strictly before the
    first link with a new claim; the links before it are kept only inside the other clusters."""
    from factcheck.stages.clusters import _linkage_bytes, _settled_start

    # rows 0-2: cluster 0 (last merge at margin 1.5), rows 3-5: cluster 1 (last merge at 1.2),
    # row 6 alone, row 7 new
    links = [(1.9, 0, 1), (1.8, 3, 4), (1.6, 1, 3), (1.5, 0, 2), (1.4, 2, 6), (1.375, 7, 0),
             (1.25, 4, 5), (1.2, 3, 5), (1.1, 7, 5)]
    cluster_of = np.array([0, 0, 0, 1, 1, 1, -1, -1])
    is_new = np.arange(8) == 7
    slots = np.arange(8, dtype=np.int64)
    linkage = [_linkage_bytes([0, 1, 2], 1.5, slots), _linkage_bytes([3, 5, 4], 1.2, slots)]
    kept, start, taken = _settled_start(links, is_new, cluster_of, np.array([0, 1]), linkage, np.array([3, 3]),
                                        np.append(slots, -1))
    assert [g[:2] for g in start] == [([0, 1, 2], 1.5)] and taken == [0]
    assert kept == [(1.8, 3, 4), (1.375, 7, 0), (1.25, 4, 5), (1.2, 3, 5), (1.1, 7, 5)]
    # with its merges stored, cluster 1 starts from the group it had before the new link (3 and 4,
    # merged at 1.8), whose link is dropped too; not when a merge of it is at the new link's margin
    merged = _linkage_bytes([3, 4, 5], 1.2, slots, [(1.8, 0, 1, 2), (1.2, 0, 2, 3)])
    kept, start, taken = _settled_start(links, is_new, cluster_of, np.array([0, 1]), [linkage[0], merged],
                                        np.array([3, 3]), np.append(slots, -1))
    f32 = float(np.float32(1.8))                      # (margins are float32 numbers, stored as such)
    assert [g[:2] for g in start] == [([0, 1, 2], 1.5), ([3, 4], f32)] and taken == [0]
    assert start[1][2].tolist() == [(f32, 0, 1, 2)]
    assert kept == [(1.375, 7, 0), (1.25, 4, 5), (1.2, 3, 5), (1.1, 7, 5)]
    tied = _linkage_bytes([3, 4, 5], 1.2, slots, [(1.375, 0, 1, 2), (1.2, 0, 2, 3)])
    kept, start, taken = _settled_start(links, is_new, cluster_of, np.array([0, 1]), [linkage[0], tied],
                                        np.array([3, 3]), np.append(slots, -1))
    assert [g[:2] for g in start] == [([0, 1, 2], 1.5)] and (1.8, 3, 4) in kept
    # a last merge at the new link's margin is not before it; a linkage of other size is not read
    linkage[0] = _linkage_bytes([0, 1, 2], 1.375, slots)
    assert _settled_start(links, is_new, cluster_of, np.array([0, 1]), linkage, np.array([3, 3]),
                          np.append(slots, -1))[1] == []
    linkage[0] = _linkage_bytes([0, 1], 1.5, slots)
    assert _settled_start(links, is_new, cluster_of, np.array([0, 1]), linkage, np.array([3, 3]),
                          np.append(slots, -1))[1] == []


def test_a_cluster_an_earlier_link_joins_to_one_holding_a_claim_judged_again_is_linked_again():
    """`_settled_start` with claims of then judged again (row 3: its hub level moved): their
    cluster (1) is linked again, and so is cluster 0, which an earlier link joins to it (refused
    then, maybe not now), with that link; cluster 2, joined to neither, starts whole, unless a
    merging link of its own is gone (`disturbed`)."""
    from factcheck.stages.clusters import _linkage_bytes, _settled_start

    # rows 0-1: cluster 0 (last merge 1.9375), 2-3: cluster 1 (last merge 1.75, by row 3's link),
    # 6-7: cluster 2 (last merge 1.96875), 4 alone, 8 new
    links = [(1.96875, 6, 7), (1.9375, 0, 1), (1.875, 2, 0), (1.8125, 4, 6), (1.75, 2, 3), (1.5, 8, 6)]
    cluster_of = np.array([0, 0, 1, 1, -1, -1, 2, 2, -1])
    changed = np.isin(np.arange(9), [3, 8])
    slots = np.arange(9, dtype=np.int64)
    linkage = [_linkage_bytes([0, 1], 1.9375, slots), _linkage_bytes([2, 3], 1.75, slots),
               _linkage_bytes([6, 7], 1.96875, slots)]
    args = (cluster_of, np.array([0, 1, 2]), linkage, np.array([2, 2, 2]), np.append(slots, -1))
    kept, start, taken = _settled_start(links, changed, *args)
    assert [g[:2] for g in start] == [([6, 7], 1.96875)] and taken == [2]
    assert kept == [(1.9375, 0, 1), (1.875, 2, 0), (1.75, 2, 3), (1.5, 8, 6)]
    # without the claim judged again, every cluster is whole before the new claim's link
    kept, start, taken = _settled_start(links, np.arange(9) == 8, *args)
    assert taken == [0, 1, 2] and kept == [(1.5, 8, 6)]
    # a merging link of cluster 2 gone: it is linked again, with what an earlier link joins to it
    kept, start, taken = _settled_start(links, changed, *args, np.isin(np.arange(9), [7]))
    assert taken == [] and (1.96875, 6, 7) in kept and (1.8125, 4, 6) in kept


def test_a_delta_whose_new_claims_move_hub_levels_of_then_still_takes_the_untouched_clusters_whole(monkeypatch):
    """New articles whose claims enter lists of then and move those claims' hub levels: the
    clusters holding such a claim, and any an earlier link joins to one, are linked again; the
    others may still start whole. Every delta gives the clusters of a full clustering."""
    import random

    from factcheck.stages import clusters as stage

    # (links of the region, links walked, clusters taken whole, clustered claims of then judged again)
    calls: list[tuple[int, int, int, int]] = []
    real = stage._settled_start

    def spy(links, changed, cluster_of, *a):
        kept, start, taken = real(links, changed, cluster_of, *a)
        calls.append((len(links), len(kept), len(taken), int(np.count_nonzero(changed & (cluster_of >= 0)))))
        return kept, start, taken
    monkeypatch.setattr(stage, "_settled_start", spy)

    for seed in range(12):
        rng = random.Random(100 + seed)
        facts, arts, sentence = _random_story(rng, 30)
        settings = MatchSettings(knn=rng.choice([3, 4, 6]))
        _deltas_equal_full(stage, arts, [{f"n{seed}": rng.sample(facts, 2) + [sentence()]},
                                         {f"p{seed}": rng.sample(facts, 3)}], settings)
    # most deltas judged clustered claims of then again; some of those still took clusters whole
    assert sum(1 for *_, upset in calls if upset) >= 12
    assert any(whole and kept < links and upset for links, kept, whole, upset in calls)


def test_the_sources_of_some_claims_look_up_the_origin_groups_of_their_articles_alone():
    # four articles, two of them copies of one origin: the independent sources of two groups of
    # claims, counted from the origin groups of the counted claims' articles alone
    from factcheck.stages.clusters import _claim_sources, _per_article, _sources_counted
    spans = {"a": range(0, 2), "b": range(2, 5), "c": range(5, 6), "d": range(6, 8)}
    ids = [f"c{i}" for i in range(8)]
    origin_of = {"a": "a", "b": "a", "c": "c", "d": "d"}
    art = _per_article(spans, 8, range(4))
    weak = np.zeros(8, dtype=bool)
    weak[5] = True                                    # (c's claim: its sentence is garbled)
    rows = np.array([0, 3, 5, 1, 2])
    groups = np.array([0, 0, 0, 1, 1])
    asked = {}
    full = _claim_sources(ids, spans, origin_of, weak)
    some = _claim_sources(ids, spans, origin_of, lambda r: asked.setdefault("rows", r.tolist()) and weak[r],
                          rows, art=art)
    assert _sources_counted(rows, groups, 2, full).tolist() == [1, 1]      # a and b are one source
    assert _sources_counted(rows, groups, 2, some).tolist() == [1, 1] and asked["rows"] == [0, 1, 2, 3, 5]
    # the article d holds no counted claim: its origin group is not looked up
    assert (some[0][spans["d"].start:spans["d"].stop] == -1).all()
    assert (some[0][[0, 1, 2, 3, 4]] == some[0][0]).all() and some[0][5] != some[0][0]
    with pytest.raises(ValueError):
        _sources_counted(np.array([6]), np.array([0]), 1, some)


def test_pairs_of_some_rows_look_through_only_the_lists_read():
    """A delta's graph holds the lists of the rows it read; the others are all -1. Looking for the
    pairs with an end in some rows through the lists read alone finds the pairs the whole graph
    gives, and so does a row -1 entries would point at (row 0)."""
    from factcheck.stages.clusters import _pairs_from_knn
    rng = np.random.default_rng(5)
    n, k = 400, 6
    idx = rng.integers(0, n, size=(n, k))
    sims = rng.uniform(0.2, 1.0, size=(n, k)).astype(np.float32)
    read = rng.random(n) < 0.2
    idx[~read] = -1
    sims[~read] = -np.inf
    for chosen in ([0, 7, 19], [3], list(range(0, n, 37))):
        only = np.zeros(n, dtype=bool)
        only[chosen] = True
        whole = _pairs_from_knn(idx, sims, 0.3, only, entries=True)
        some = _pairs_from_knn(idx, sims, 0.3, only, entries=True, listed=read)
        assert len(whole[0]) > 0
        for a, b in zip(whole, some):
            assert np.array_equal(a, b)
