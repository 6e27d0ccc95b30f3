"""The store: schema, migration of an old store, one transaction per article, reviews."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from factcheck import store
from factcheck.records import Article, Claim, Conflict, Sentence, stable_id

DATA = Path(__file__).parent / "data"


def _article(aid="a1", text="Lavrov spoke in Jakarta on Tuesday. He praised ASEAN."):
    return Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(text), text=text)


def _records(art: Article):
    s1 = Sentence(stable_id(art.id, "0", "35"), art.id, 0, 0, 35, art.text[:35])
    c1 = Claim(stable_id(art.id, "0", "35"), art.id, s1.id, 0, 0, 35, art.text[:35], art.text[:35], None)
    return [s1], [c1]


def test_blank_store_has_the_schema(db):
    tables = set(db.table_names())
    assert {"articles", "sentences", "claims", "runs", "embeddings", "fluency", "clusters",
            "conflicts", "scores", "reviews"} <= tables
    assert db["claims"].columns_dict == {
        "id": str, "article_id": str, "sentence_id": str, "idx": int, "start": int, "end": int,
        "text": str, "standalone": str, "speaker": str}
    assert db["reviews"].columns_dict["decision"] is str


def test_old_store_is_migrated_and_keeps_its_rows(tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(DATA / "fc-v1.db", old)
    db = store.open_db(old)
    assert "reviews" in db.table_names() and "embeddings" in db.table_names()
    (art,) = store.load_articles(db)
    assert art.id == "old_article" and art.text.startswith("Lavrov")
    assert store.load_sentences(db)[0].text == "Lavrov spoke in Jakarta on Tuesday."


def test_replacing_an_article_is_all_or_nothing(db, monkeypatch):
    art = _article()
    sents, claims = _records(art)
    store.save_article(db, art, sents, claims)
    bad_claim = Claim("dup", art.id, "no-such-sentence", 0, 0, 5, "Lavro", "Lavro")
    with pytest.raises(Exception):
        # a claim pointing at a missing sentence violates a foreign key: nothing may change
        store.save_article(db, art, [], [bad_claim])
    assert [c.id for c in store.load_claims(db)] == [claims[0].id]
    assert len(store.load_sentences(db)) == 1


def test_embedding_cache_round_trips_float32(db):
    v = np.random.default_rng(0).random((2, 384)).astype(np.float32)
    store.store_vectors(db, "st:x", ["a", "b"], v)
    got = store.cached_vectors(db, "st:x", ["a", "b", "c"])
    assert set(got) == {"a", "b"} and np.array_equal(got["a"], v[0])
    assert store.cached_vectors(db, "st:other", ["a"]) == {}


def test_reviews_are_appended_and_undo_takes_back(db):
    x = Conflict("x1", "c1", "c2", "title", 0.8, "001 'A' ≠ 002 'B'")
    store.save_analysis(db, fluency=[], sentence_article={}, facts={}, claim_article={}, origins={},
                        clusters=[], conflicts=[x], fingerprints={"x1": "fp1"}, scores=[], state={})
    store.add_review(db, "x1", "not-conflict", reviewer="ana", fingerprint="fp1")
    assert store.load_conflicts(db)[0].status == "dismissed"
    store.add_review(db, "x1", "undo", reviewer="ana", fingerprint="fp1")
    assert store.load_conflicts(db)[0].status == "open"
    store.add_review(db, "x1", "a", reviewer="ana", fingerprint="fp1")
    assert store.conflict_status(db)["x1"] == ("confirmed", "a")
    assert len(store.review_history(db)) == 3          # nothing was rewritten


def test_a_review_lapses_when_the_claims_change(db):
    x = Conflict("x1", "c1", "c2", "title", 0.8, "e")
    store.add_review(db, "x1", "not-conflict", fingerprint="old-text")
    store.save_analysis(db, fluency=[], sentence_article={}, facts={}, claim_article={}, origins={},
                        clusters=[], conflicts=[x], fingerprints={"x1": "new-text"}, scores=[], state={})
    assert store.load_conflicts(db)[0].status == "open"


def test_match_cache_keeps_only_the_current_rules_of_a_family(db):
    """Saving entries under "m:<rules>:" drops the "m:" entries of other rules, not other families."""
    db.table("match_cache").insert_all([{"key": k, "features": b"\0" * 8} for k in
                                        ("m:aaa:x", "m:bbb:y", "m:ccc:z", "o:aaa:w", "n:zzz:v")], pk="key")
    store.save_analysis(db, fluency=[], sentence_article={}, facts={}, claim_article={}, origins={},
                        clusters=[], conflicts=[], fingerprints={}, scores=[], state={},
                        match_cache={"m:bbb:": {"q": (1.0,)}})
    keys = [r[0] for r in db.execute("select key from match_cache order by key")]
    assert keys == ["m:bbb:q", "m:bbb:y", "n:zzz:v", "o:aaa:w"]
