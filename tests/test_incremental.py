"""Incremental analysis: unchanged sentences and articles are never parsed again, and the results
equal those of an analysis from scratch over the same files."""
from __future__ import annotations

import shutil

import pytest

from factcheck import pipeline, store
from factcheck.settings import load_settings

from conftest import SEEDS

pytestmark = pytest.mark.model

NEW_ARTICLE = """Myanmar junta chief returns to Moscow for defence talks

Moscow, Jul 4 (Agency) - Senior General Min Aung Hlaing arrived in Moscow on Sunday for talks with Russian defence officials, state broadcaster MRTV reported.
The visit is the latest sign of the close ties between the two militaries.
Russia is the main supplier of weapons to Myanmar's army and has trained thousands of its officers.
The generals discussed cooperation in energy projects and in security.
"""


def _snapshot(db) -> dict:
    """Every corpus-level result, in a comparable form."""
    return {
        "fluency": store.load_fluency(db),
        "facts": store.load_facts(db),
        "origins": store.load_origins(db),
        "clusters": store.load_clusters(db),
        "conflicts": store.load_conflicts(db),
        "scores": store.load_scores(db),
    }


def _analysed(path, folder, settings, emb):
    """A store at `path` with the files of `folder` ingested and analysed."""
    db = store.open_db(path)
    pipeline.ingest(db, [folder], settings)
    pipeline.analyze(db, settings, embedder=emb)
    return db


def _again(db, folder, settings, emb):
    """The files of `folder` ingested again into `db`, and the analysis of the change."""
    pipeline.ingest(db, [folder], settings)
    return pipeline.analyze(db, settings, embedder=emb)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from conftest import FakeEmbedder
    tmp = tmp_path_factory.mktemp("incremental")
    folder = tmp / "seeds"
    shutil.copytree(SEEDS, folder)
    settings = load_settings()
    emb = FakeEmbedder()

    inc = store.open_db(tmp / "inc.db")
    pipeline.ingest(inc, [folder], settings)
    first = pipeline.analyze(inc, settings, embedder=emb)
    again = pipeline.analyze(inc, settings, embedder=emb, force=True)
    new_file = folder / "zz_new.txt"
    new_file.write_text(NEW_ARTICLE, encoding="utf-8")
    ing = pipeline.ingest(inc, [folder], settings)
    added = pipeline.analyze(inc, settings, embedder=emb)

    scratch = store.open_db(tmp / "scratch.db")
    pipeline.ingest(scratch, [folder], settings)
    full = pipeline.analyze(scratch, settings, embedder=emb)
    return {"inc": inc, "scratch": scratch, "first": first, "again": again, "added": added,
            "full": full, "new_id": ing.added[0]}


def test_first_analysis_parses_everything(runs):
    counts = runs["first"].counts
    assert runs["first"].parsed > 0 and runs["first"].parsed <= counts["sentences"]
    assert runs["first"].normalised == counts["articles"]


def test_unchanged_corpus_parses_nothing(runs):
    assert runs["again"].parsed == 0
    assert runs["again"].normalised == 0


def test_one_new_article_parses_only_its_sentences(runs):
    inc = runs["inc"]
    new_texts = {s.text for s in store.load_sentences(inc, runs["new_id"])}
    old_texts = {s.text for s in store.load_sentences(inc) if s.article_id != runs["new_id"]}
    assert 0 < runs["added"].parsed == len(new_texts - old_texts)
    # only the new article is parsed for normalisation (the others' entities did not move)
    assert runs["added"].normalised == 1
    assert runs["full"].parsed > runs["added"].parsed


def test_incremental_results_equal_a_full_analysis(runs):
    a, b = _snapshot(runs["inc"]), _snapshot(runs["scratch"])
    for key in a:
        assert a[key] == b[key], key
    cache_counters = ("parsed", "normalised", "remapped", "parses_read", "matched")
    assert {k: v for k, v in runs["added"].counts.items() if k not in cache_counters} == \
        {k: v for k, v in runs["full"].counts.items() if k not in cache_counters}


def test_match_decisions_are_cached_per_pair(runs):
    assert runs["again"].matched == 0
    assert 0 < runs["added"].matched < runs["full"].matched


def test_changed_fluency_settings_invalidate_the_cache(runs, tmp_path):
    import dataclasses
    settings = load_settings()
    settings = dataclasses.replace(settings, fluency=dataclasses.replace(settings.fluency, unknown_zipf=1.5))
    from conftest import FakeEmbedder
    db = runs["inc"]
    res = pipeline.analyze(db, settings, embedder=FakeEmbedder(), force=True)
    assert res.parsed == len({s.text for s in store.load_sentences(db)})
    assert res.normalised == 0


def test_cached_match_features_decide_like_decide():
    """clusters.link_pairs with a pair cache must decide exactly as matching._decide."""
    import random
    import re
    import dataclasses

    import numpy as np
    from factcheck.stages.matching import MatchSettings, _decide, decide_static_many, pair_static
    from factcheck.stages.clusters import _vetoed
    texts = [s for f in sorted(SEEDS.glob("*.txt"))
             for s in re.split(r"(?<=[.!?])\s+", f.read_text(encoding="utf-8")) if len(s.split()) > 5]
    rng = random.Random(3)
    speakers = [None, "Lavrov", "Sergei Lavrov", "the junta spokesman"]
    for settings in (MatchSettings(), dataclasses.replace(MatchSettings(), veto_numbers=False, veto_names=False,
                                                          speaker_penalty=3.0)):
        statics, cosines, expected = [], [], []
        for _ in range(400):
            a, b = rng.choice(texts), rng.choice(texts)
            sa, sb = rng.choice(speakers), rng.choice(speakers)
            cos = rng.uniform(0.3, 1.0)
            m = _decide(a, b, cos, settings, sa, sb)
            statics.append(pair_static(a, b, sa, sb)), cosines.append(cos)
            expected.append((m.relation == "same", _vetoed(m)))
        # all at once, as link_pairs decides them
        same, vetoed = decide_static_many(np.array(statics), np.array(cosines), settings)
        assert list(zip(same.tolist(), vetoed.tolist())) == expected
        assert any(s for s, _ in expected) and any(v for _, v in expected)


def test_an_article_whose_entity_moved_takes_the_new_entity_without_a_parse(tmp_path, monkeypatch):
    """A new article names "Wunna Maung Lwin": the entity another article called "Lwin" now shows
    that name, so that article's facts change (its stored signature no longer holds). Only the
    entity's id and name moved, so its facts of then are rewritten, not parsed again; its claim
    that does not name him keeps its facts, and the pair checks take it as unchanged. The results
    equal an analysis from scratch."""
    from conftest import FakeEmbedder
    from factcheck.stages import conflicts
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Talks in Jakarta\n\nForeign Minister Lwin said on Monday that the talks in Jakarta went well. "
        "Lwin later met the envoys of five countries at the hotel. "
        "Rice prices in the city rose by 40 percent in a month.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "Rice prices\n\nRice prices rose for a third month in the northern provinces, traders said on "
        "Friday. The central bank kept its main rate unchanged.\n", encoding="utf-8")
    settings, emb = load_settings(), FakeEmbedder()
    db = _analysed(tmp_path / "inc.db", folder, settings, emb)
    (folder / "c.txt").write_text(
        "Minister in Jakarta\n\nMyanmar's Foreign Minister Wunna Maung Lwin arrived in Jakarta on Tuesday "
        "for talks with envoys. Wunna Maung Lwin will meet the envoys again on Friday.\n", encoding="utf-8")
    changed: list[set] = []
    real = conflicts.Previous
    monkeypatch.setattr(conflicts, "Previous", lambda **kw: changed.append(set(kw["changed"])) or real(**kw))
    res = _again(db, folder, settings, emb)
    assert res.normalised == 1                     # c.txt parsed
    assert res.remapped == 1                       # a.txt, whose "Lwin" moved, rewritten
    texts = {c.id: c.text for c in store.load_claims(db)}
    # c.txt's claims, and of a.txt's the one whose facts hold the entity (the parse finds no name
    # in "Lwin later met", and the third names nobody: their facts are those of then)
    assert sorted(texts[c][:12] for c in changed[0]) == ["Foreign Mini", "Myanmar's Fo", "Wunna Maung "]
    lwin = [m for f in store.load_facts(db).values() if f["article_id"].startswith("a")
            for m in f["mentions"] if m["text"] == "Lwin"]
    assert lwin and all(m["entity"] == "e:wunna-maung-lwin" for m in lwin)
    assert _snapshot(db) == _snapshot(_analysed(tmp_path / "scratch.db", folder, settings, emb))
    # with nothing moved, a further unchanged file set reads no article again
    (folder / "d.txt").write_text("Rice again\n\nRice prices fell in the southern provinces on Monday.\n",
                                  encoding="utf-8")
    assert _again(db, folder, settings, emb).normalised == 1


def test_an_article_whose_entity_moved_beyond_its_id_reads_its_stored_parse(tmp_path, monkeypatch):
    """When a move is more than a new id (`normalize.remap_facts` declines), the article's facts
    are made again from its parse as stored (table parse_cache), not from a new parse; the
    results still equal an analysis from scratch."""
    from conftest import FakeEmbedder
    from factcheck.stages import normalize
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Talks in Jakarta\n\nForeign Minister Lwin said on Monday that the talks in Jakarta went well.\n",
        encoding="utf-8")
    settings, emb = load_settings(), FakeEmbedder()
    db = _analysed(tmp_path / "inc.db", folder, settings, emb)
    (folder / "c.txt").write_text(
        "Minister in Jakarta\n\nMyanmar's Foreign Minister Wunna Maung Lwin arrived in Jakarta on Tuesday.\n",
        encoding="utf-8")
    monkeypatch.setattr(normalize, "remap_facts", lambda *a: None)
    parsed: list[int] = []
    real = normalize.parse_articles
    monkeypatch.setattr(normalize, "parse_articles", lambda texts: parsed.append(len(texts)) or real(texts))
    res = _again(db, folder, settings, emb)
    assert (res.normalised, res.remapped, res.parses_read) == (2, 0, 1)
    assert parsed == [1]                           # c.txt alone
    assert _snapshot(db) == _snapshot(_analysed(tmp_path / "scratch.db", folder, settings, emb))


def test_new_normalisation_rules_read_the_stored_parses(tmp_path, monkeypatch):
    """After an upgrade, a plain `analyze` is not skipped although no file changed. Under the new
    normalisation rules every article's facts are made again, from its stored parse: no article
    is parsed, and (the rules being the same in substance here) the facts are those made from the
    parses themselves."""
    from conftest import FakeEmbedder
    from factcheck.stages import normalize
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    settings, emb = load_settings(), FakeEmbedder()
    db = _analysed(tmp_path / "inc.db", folder, settings, emb)
    before = _snapshot(db)
    parsers = {r[0] for r in db.execute("select parser from parse_cache")}
    assert store.count_rows(db, "parse_cache") == 5 and len(parsers) == 1
    # (an upgrade: other code, whose normalisation rules carry another version)
    monkeypatch.setattr(normalize, "NORMALIZE_VERSION", normalize.NORMALIZE_VERSION + "-next")
    monkeypatch.setattr(pipeline, "rules_digest", lambda: "next")
    monkeypatch.setattr(normalize, "parse_articles", lambda texts: pytest.fail("parsed again"))
    res = pipeline.analyze(db, settings, embedder=emb)
    assert (res.normalised, res.parses_read) == (5, 5)
    assert _snapshot(db) == before


def test_a_nationality_stated_later_drops_a_role_conflict(tmp_path):
    """"Foreign Minister Marsudi said" something about ASEAN, and so did "Russia's ambassador":
    with nothing known of Marsudi's nation, one statement is put in the mouths of two officials (a
    role conflict). A new article calls her Indonesian Foreign Minister Retno Marsudi: officials of
    two nations, the conflict goes, on the delta path as from scratch."""
    from conftest import FakeEmbedder
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "zz_a.txt").write_text(
        "Envoy on ASEAN\n\nRussia's ambassador said the ASEAN plan should be the basis for a solution.\n",
        encoding="utf-8")
    (folder / "zz_b.txt").write_text(
        "Talks in Jakarta\n\nForeign Minister Retno Marsudi arrived in Jakarta on Monday. "
        "Foreign Minister Marsudi said ASEAN wants all parties to end the violence.\n", encoding="utf-8")
    settings, emb = load_settings(), FakeEmbedder()
    db = _analysed(tmp_path / "inc.db", folder, settings, emb)

    def hers() -> list:
        """The role conflicts of the claim where Marsudi speaks."""
        said = {c.id for c in store.load_claims(db) if c.text.startswith("Foreign Minister Marsudi said")}
        assert len(said) == 1
        return [x for x in store.load_conflicts(db) if x.kind == "role" and said & {x.a, x.b}]
    assert hers()
    (folder / "zz_c.txt").write_text(
        "Minister meets envoys\n\nIndonesian Foreign Minister Retno Marsudi met the envoys of five "
        "countries on Tuesday.\n", encoding="utf-8")
    res = _again(db, folder, settings, emb)
    assert res.delta and res.normalised == 1
    assert hers() == [] and any(x.kind == "role" for x in store.load_conflicts(db))
    assert _snapshot(db) == _snapshot(_analysed(tmp_path / "scratch.db", folder, settings, emb))


def test_near_reports_conflict_on_the_delta_path_as_from_scratch(tmp_path):
    """Two reports of one quake that differ in its magnitude are kept apart by the matcher, and
    conflict all the same (`near_cosine`); a later article that repeats one of them conflicts
    with the other too, on the delta path as in an analysis from scratch."""
    from conftest import FakeEmbedder
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    quake = "Lima, March 3, 2024 (Agency) - A magnitude {} earthquake struck southern Peru on Sunday.\n"
    (folder / "zz_a.txt").write_text("Quake in Peru\n\n" + quake.format("6.8"), encoding="utf-8")
    (folder / "zz_b.txt").write_text("Peru quake\n\n" + quake.format("7.4"), encoding="utf-8")
    settings, emb = load_settings(), FakeEmbedder()
    db = _analysed(tmp_path / "inc.db", folder, settings, emb)

    def magnitudes() -> list[tuple[str, str]]:
        of = {c.id: c.article_id for c in store.load_claims(db)}
        return sorted(tuple(sorted((of[x.a], of[x.b]))) for x in store.load_conflicts(db)
                      if "magnitude" in x.explanation or "earthquake" in x.explanation)
    assert magnitudes() == [("zz_a", "zz_b")]
    (folder / "zz_c.txt").write_text("Peru earthquake\n\n" + quake.format("6.8"), encoding="utf-8")
    res = _again(db, folder, settings, emb)
    assert res.delta
    assert magnitudes() == [("zz_a", "zz_b"), ("zz_b", "zz_c")]
    assert _snapshot(db) == _snapshot(_analysed(tmp_path / "scratch.db", folder, settings, emb))
