"""The store: schema, migration of an old store, one transaction per article, reviews."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from factcheck import store
from factcheck.records import Article, Claim, Cluster, Conflict, Sentence, ids_stamp, json_strings, stable_id

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
    key = {t: store.vector_key("st:x", t) for t in "abc"}
    got = store.cached_vector_bytes(db, key.values())
    assert set(got) == {key["a"], key["b"]} and np.array_equal(np.frombuffer(got[key["a"]], dtype="<f4"), v[0])
    assert store.cached_vector_bytes(db, [store.vector_key("st:other", "a")]) == {}


def test_each_cached_vector_keeps_its_number(db):
    """The numbers the claim rows hold stay those of their vectors: a key cached again keeps its
    row and number, numbers are not reused, and a VACUUM (which may renumber rowids) leaves them."""
    rng = np.random.default_rng(1)
    v = rng.random((3, 384)).astype(np.float32)
    store.store_vectors(db, "st:x", ["a", "b", "c"], v)
    key = {t: store.vector_key("st:x", t) for t in "abcd"}
    first = store.vector_numbers(db, key.values())
    assert set(first) == {key["a"], key["b"], key["c"]} and len(set(first.values())) == 3
    store.store_vectors(db, "st:x", ["b", "d"], rng.random((2, 384)).astype(np.float32))
    got = store.vector_numbers(db, key.values())
    assert {k: got[k] for k in first} == first and got[key["d"]] > max(first.values())
    assert np.array_equal(np.frombuffer(store.cached_vector_bytes(db, [key["b"]])[key["b"]], dtype="<f4"), v[1])
    db.execute("delete from embeddings where key = ?", [key["a"]])
    db.conn.commit()
    db.execute("vacuum")
    store.store_vectors(db, "st:x", ["e"], rng.random((1, 384)).astype(np.float32))
    after = store.vector_numbers(db, [*key.values(), store.vector_key("st:x", "e")])
    assert after[key["b"]] == first[key["b"]] and after[key["c"]] == first[key["c"]]
    assert first[key["a"]] not in after.values()
    found, blobs = store.vectors_by_number(db, np.array([first[key["c"]], first[key["a"]]]), "st:x")
    assert found.tolist() == [first[key["c"]]] and np.frombuffer(blobs[0], dtype="<f4").tolist() == v[2].tolist()
    assert store.vectors_by_number(db, np.array([first[key["c"]]]), "st:other")[0].tolist() == []


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


def _claims_of(art: Article, n: int, speaker=None):
    sents, claims = [], []
    for i in range(n):
        start, end = i * 10, i * 10 + 9
        s = Sentence(stable_id(art.id, str(start), str(end)), art.id, i, start, end, art.text[start:end])
        sents.append(s)
        claims.append(Claim(stable_id(art.id, "c", str(start)), art.id, s.id, i, start, end, s.text, s.text.upper(),
                            speaker if i == 0 else None))
    return sents, claims


def test_claim_table_from_stored_columns_reads_only_new_and_changed_articles(db, monkeypatch):
    from factcheck.records import ClaimRef

    def put(aid, text, n, speaker=None):
        art = Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(text), text=text)
        store.save_article(db, art, *_claims_of(art, n, speaker))
        return art

    arts = {a.id: a for a in (put("a1", "alpha one beta two gamma three", 3, "Lavrov"),
                              put("a2", "delta four epsilon five", 2), put("a3", "zeta six eta seven", 2))}
    shas = {a: x.sha256 for a, x in arts.items()}
    first = store.ClaimTable(db, shas, "v1")
    assert first.rewrite_all and list(first) == store.load_claims(db)
    store.write_claim_columns(db, first.columns("emb"), first.rewrite_all)
    # a2 changes, a3 goes, a0 comes (sorts first)
    arts["a2"] = put("a2", "delta four epsilon five theta eight", 3)
    store.delete_article(db, "a3")
    del arts["a3"]
    arts["a0"] = put("a0", "iota nine kappa ten", 2, "Peskov")
    shas = {a: x.sha256 for a, x in arts.items()}
    stored = store.load_claims(db)
    real = store.load_claims
    monkeypatch.setattr(store, "load_claims", lambda *a, **k: pytest.fail("every claim row was read"))
    table = store.ClaimTable(db, shas, "v1")
    # the unchanged article's claims are not read to build the columns
    assert not any(table.article_ids[i] == "a1" for i in table._claims)
    assert table.ids == [c.id for c in stored] and table.article_ids == [c.article_id for c in stored]
    assert table.sentence_ids == [c.sentence_id for c in stored] and table.speakers == [c.speaker for c in stored]
    assert table.vector_keys("emb") == [store.vector_key("emb", c.standalone) for c in stored]
    assert table.refs([stored[3].id, stored[0].id, "nope"]) == [
        ClaimRef(c.id, c.article_id, c.sentence_id, c.speaker) for c in (stored[0], stored[3])]
    assert table.by_id[stored[4].id] == stored[4] and "nope" not in table.by_id
    assert list(table) == stored
    # only the new and changed articles' rows are written back; under another embedder, all
    assert set(table.columns("emb")) == {"a0", "a2"}
    assert set(table.columns("other")) == {"a0", "a1", "a2"}
    store.write_claim_columns(db, table.columns("emb"))
    again = store.ClaimTable(db, shas, "v1")
    assert not again.rewrite and again.ids == table.ids
    # other extraction rules, or rows that changed without their file changing: every row is read
    monkeypatch.setattr(store, "load_claims", real)
    assert list(store.ClaimTable(db, shas, "v2")) == stored
    db.execute("delete from claims where id = ?", [stored[-1].id])
    assert list(store.ClaimTable(db, shas, "v1")) == stored[:-1]


def test_claim_table_reads_a_json_columns_row_among_compact_ones(db, monkeypatch):
    """A speaker holding a separator character makes its article's columns row JSON; the table
    read from the stored columns is still every claim's, in order."""
    for aid, text, speaker in (("a1", "alpha one beta two", "Lavrov"), ("a2", "gamma three delta four", "A\x1fB"),
                               ("a3", "epsilon five zeta six", None)):
        art = Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(text), text=text)
        store.save_article(db, art, *_claims_of(art, 2, speaker))
    shas = {r["id"]: r["sha256"] for r in db.query("select id, sha256 from articles")}
    first = store.ClaimTable(db, shas, "v1")
    store.write_claim_columns(db, first.columns("emb"), first.rewrite_all)
    assert db.execute("select body from claim_columns where article_id = 'a2'").fetchone()[0].startswith("{")
    stored = store.load_claims(db)
    monkeypatch.setattr(store, "load_claims", lambda *a, **k: pytest.fail("every claim row was read"))
    table = store.ClaimTable(db, shas, "v1")
    assert not table.rewrite and table.ids == [c.id for c in stored]
    assert table.speakers == [c.speaker for c in stored] and table.sentence_ids == [c.sentence_id for c in stored]
    assert table.spans == {"a1": range(0, 2), "a2": range(2, 4), "a3": range(4, 6)}


def test_claim_table_places_articles_read_afresh_between_runs_of_stored_ones(db, monkeypatch):
    """The stored articles' columns are copied in runs around the articles read afresh: the
    table is the full read's, claim for claim, with each article's span."""
    texts = {f"b{i}": f"word{i} one word{i} two word{i} three word{i} four" for i in range(1, 7)}
    arts = {}
    for aid, text in texts.items():
        arts[aid] = Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(text), text=text)
        store.save_article(db, arts[aid], *_claims_of(arts[aid], 1 + int(aid[1]) % 3, "Lavrov"))
    shas = {a: x.sha256 for a, x in arts.items()}
    first = store.ClaimTable(db, shas, "v1")
    store.write_claim_columns(db, first.columns("emb"), first.rewrite_all)
    for aid in ("b2", "b5", "b6"):                        # changed: between, and after, stored runs
        text = texts[aid] + " more"
        arts[aid] = Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(text), text=text)
        store.save_article(db, arts[aid], *_claims_of(arts[aid], 2))
    shas = {a: x.sha256 for a, x in arts.items()}
    stored = store.load_claims(db)
    monkeypatch.setattr(store, "load_claims", lambda *a, **k: pytest.fail("every claim row was read"))
    table = store.ClaimTable(db, shas, "v1")
    assert table.rewrite == {"b2", "b5", "b6"}
    assert list(table) == stored
    assert table.speakers == [c.speaker for c in stored] and table.article_ids == [c.article_id for c in stored]
    assert table.vector_keys("emb") == [store.vector_key("emb", c.standalone) for c in stored]
    want, at = {}, 0
    for c in stored:
        want[c.article_id] = range(want[c.article_id].start if c.article_id in want else at, at + 1)
        at += 1
    assert list(table.spans.items()) == list(want.items())


@pytest.mark.parametrize("speakers", [[None, "Lavrov"], ["", None], ["A\x1fB", None], ["\x00", "x\x1ey"]])
def test_claim_columns_round_trip_whatever_the_speakers_hold(speakers):
    ids, sentences, keys = ["c1", "c2"], ["s1", "s1"], ["k1", "k2"]
    body = store._encode_columns(ids, sentences, speakers, keys)
    assert store._decode_columns(body) == (ids, sentences, speakers, keys)
    # a row written as JSON (before the compact form) still reads
    old = json.dumps({"ids": ids, "sentences": sentences, "speakers": speakers, "keys": keys})
    assert store._decode_columns(old) == (ids, sentences, speakers, keys)


def test_a_claim_table_from_stored_columns_gives_each_column_however_it_is_asked_for(db, monkeypatch):
    """The stored articles' columns are split when asked for: by item (in any order), by slice
    across articles, whole, as whole articles' ids joined, and by the claims of some sentences;
    each way gives what the full read gives, a JSON row and an article read afresh among them.
    A claim's position is looked up in the store for a few ids and mapped for many."""
    import random
    texts = {f"d{i}": f"w{i} one w{i} two w{i} three w{i} four w{i} five" for i in range(8)}
    speakers = {"d2": "A\x1fB", "d3": "", "d5": "Lavrov"}      # (d2: a JSON row)
    arts = {}
    for aid, text in texts.items():
        arts[aid] = Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(text), text=text)
        store.save_article(db, arts[aid], *_claims_of(arts[aid], 1 + int(aid[1]) % 4, speakers.get(aid)))
    shas = {a: x.sha256 for a, x in arts.items()}
    first = store.ClaimTable(db, shas, "v1")
    store.write_claim_columns(db, first.columns("emb"), first.rewrite_all)
    text = texts["d4"] + " six"                              # read afresh, between stored ones
    arts["d4"] = Article(id="d4", file="seeds/d4.txt", sha256=stable_id(text), text=text)
    store.save_article(db, arts["d4"], *_claims_of(arts["d4"], 3, "Peskov"))
    shas["d4"] = arts["d4"].sha256
    full = store.ClaimTable(db, shas, "v1", use_columns=False)
    want = {"ids": list(full.ids), "article_ids": list(full.article_ids), "sentence_ids": list(full.sentence_ids),
            "speakers": list(full.speakers)}
    n = len(want["ids"])
    monkeypatch.setattr(store, "load_claims", lambda *a, **k: pytest.fail("every claim row was read"))
    rng = random.Random(7)
    for name, every in want.items():
        table = store.ClaimTable(db, shas, "v1")
        assert table.rewrite == {"d4"}
        col = getattr(table, name)
        for i in rng.sample(range(n), n):
            assert col[i] == every[i] and col[i - n] == every[i]
        for lo, hi in [(0, n), (1, 4), (2, n - 1), (5, 5), (n - 2, n + 3)]:
            assert col[lo:hi] == every[lo:hi]
        assert col[::3] == every[::3] and list(col) == every and col == every and len(col) == n
        with pytest.raises(IndexError):
            col[n]
    table = store.ClaimTable(db, shas, "v1")
    spans = table.spans
    # each article's stamp, as stored with its columns or (the article read afresh) made from its ids
    assert table.stamps() == [ids_stamp(want["ids"][r.start:r.stop]) for r in spans.values()]
    # the claims of some sentences, found without splitting the others
    picked = [c for c in full if c.article_id in ("d1", "d2", "d4", "d7")][::2]
    flags = table.in_sentences([c.sentence_id for c in picked], [c.article_id for c in picked])
    assert flags.tolist() == [s in {c.sentence_id for c in picked} for s in want["sentence_ids"]]
    # positions: a few looked up, absent ids too; past many, every claim's map (same answers)
    pos = table.position
    for i in rng.sample(range(n), 5):
        assert pos[want["ids"][i]] == i and want["ids"][i] in pos
    assert "nope" not in pos and pos.get("nope", -1) == -1
    assert table.refs([want["ids"][3], "nope", want["ids"][0]]) == [table.ref(0), table.ref(3)]
    for name in ("_POSITION_LOOKUPS", "_POSITION_SINGLES"):      # (past either bound: the map)
        monkeypatch.setattr(store, name, 2)
        many = store.ClaimTable(db, shas, "v1").position
        assert [many[c] for c in want["ids"]] == list(range(n)) and "nope" not in many
        assert many._every is not None and dict(many) == {c: i for i, c in enumerate(want["ids"])}
        monkeypatch.undo()
    # positions a caller read (the clustering's region) answer without the store, and do not count
    # towards the bound past which every claim's map is made
    monkeypatch.setattr(store, "_POSITION_LOOKUPS", 2)
    taught = store.ClaimTable(db, shas, "v1")
    taught.position.learn(want["ids"][:n - 1], range(n - 1))
    asked: list = []
    real_in = store._tuples_in
    monkeypatch.setattr(store, "_tuples_in", lambda *a, **k: asked.append(a[2]) or real_in(*a, **k))
    taught.position.look_up(want["ids"])
    assert asked == [[want["ids"][-1]]] and taught.position._every is None
    assert [taught.position[c] for c in want["ids"]] == list(range(n)) and len(asked) == 1
    monkeypatch.undo()


def test_a_claim_table_reads_the_stored_columns_of_the_articles_asked_for(db, monkeypatch):
    """A claim table reads the heads of the stored claim columns (article, content hash, stamp,
    number of claims) and the columns themselves of the articles it is asked for, at once for a
    slice across articles; past a few articles asked for one by one, a quarter of them at once, or
    a whole column, every article's. Either way each item is that of the claim rows."""
    texts = {f"d{i}": f"w{i} one w{i} two w{i} three w{i} four w{i} five" for i in range(12)}
    arts = {aid: Article(id=aid, file=f"seeds/{aid}.txt", sha256=stable_id(t), text=t) for aid, t in texts.items()}
    for aid, art in arts.items():
        store.save_article(db, art, *_claims_of(art, 1 + int(aid[1:]) % 4, None))
    shas = {a: x.sha256 for a, x in arts.items()}
    store.write_claim_columns(db, store.ClaimTable(db, shas, "v1").columns("emb"), True)
    want = list(store.ClaimTable(db, shas, "v1", use_columns=False).ids)
    read: list[list[str] | None] = []
    real = store.ClaimTable._read_bodies
    monkeypatch.setattr(store.ClaimTable, "_read_bodies", lambda self, a: read.append(a and sorted(a)) or real(self, a))
    table = store.ClaimTable(db, shas, "v1")
    assert read == [] and len(table) == len(want) and table.spans == store.ClaimTable(db, shas, "v1").spans
    r = table.spans["d5"]
    assert table.ids[r.start] == want[r.start] and read == [["d5"]]
    lo, hi = table.spans["d1"].start, table.spans["d10"].stop       # (d1, d10: next to each other)
    assert table.ids[lo:hi] == want[lo:hi] and read == [["d5"], ["d1", "d10"]]
    assert list(table.ids) == want and read[-1] is None and len(read) == 3
    monkeypatch.setattr(store, "_COLUMN_SINGLES", 2)
    table, read[:] = store.ClaimTable(db, shas, "v1"), []
    sentences = list(store.ClaimTable(db, shas, "v1", use_columns=False).sentence_ids)
    read.clear()
    assert [table.sentence_ids[table.spans[a].start] for a in ("d0", "d7", "d9")] == [
        sentences[table.spans[a].start] for a in ("d0", "d7", "d9")]
    assert read == [["d0"], ["d7"], None]
    # the positions of claims of several articles, and the claims of several articles' sentences:
    # found through the claim rows (their places among their articles' claims), no article's
    # columns read (one by one, the singles' bound would read them all)
    table, read[:] = store.ClaimTable(db, shas, "v1"), []
    picked = [want[table.spans[a].stop - 1] for a in ("d2", "d3", "d6")]
    table.position.look_up(picked)
    assert [table.position[c] for c in picked] == [want.index(c) for c in picked] and read == []
    assert table.position._every is None
    # ... what scoring reads of those claims came with their rows: no record is read for it
    whole = store.ClaimTable(db, shas, "v1", use_columns=False)
    assert table.refs(picked) == whole.refs(picked) and table._claims == {} and read == []
    table, read[:] = store.ClaimTable(db, shas, "v1"), []
    asked = [sentences[table.spans[a].stop - 1] for a in ("d1", "d8", "d11")]
    hit = table.in_sentences(asked, ["d1", "d8", "d11"])
    assert hit.tolist() == [s in asked for s in sentences] and hit.sum() >= 3 and read == []
    rows = np.array([table.spans["d8"].start, table.spans["d8"].stop - 1, table.spans["d9"].start])
    assert table.in_sentences(asked, ["d1", "d8", "d11"], rows).tolist() == [sentences[i] in asked for i in rows]
    # ... and by a search of the claims' indexes, never a scan of every claim row
    said: list = []
    real_execute = db.execute
    monkeypatch.setattr(db, "execute", lambda sql, *a: said.append((sql, *a)) or real_execute(sql, *a))
    table = store.ClaimTable(db, shas, "v1")
    table.position.look_up(picked)
    table.in_sentences(asked, ["d1", "d8", "d11"])
    table.fetch([table.spans["d3"].start, table.spans["d9"].stop - 1])
    assert [c.id for c in table.of_ids(picked)] == sorted(picked, key=want.index)
    monkeypatch.undo()
    plans = [[r[3] for r in db.execute("explain query plan " + sql, *a).fetchall()]
             for sql, *a in said if "claims" in sql and "claim_columns" not in sql and "count(" not in sql]
    scans = [p for p in plans for step in p if step.startswith(("SCAN claims", "SCAN c ")) or step == "SCAN c"]
    assert len(plans) >= 3 and scans == [] and all(any("SEARCH" in step for step in p) for p in plans), plans
    # the stored probes of some claims are read from an index holding them (m040), not the rows
    said.clear()
    monkeypatch.setattr(db, "execute", lambda sql, *a: said.append((sql, *a)) or real_execute(sql, *a))
    store.fact_probes(db, picked)
    monkeypatch.undo()
    plan = [r[3] for sql, *a in said for r in db.execute("explain query plan " + sql, *a).fetchall()]
    assert any("COVERING INDEX claim_facts_probe" in step for step in plan), plan
    # (a claim row whose place is not one of its article's: every claim's map is made instead)
    db.execute("update claims set idx = 99 where id = ?", [picked[0]])
    table = store.ClaimTable(db, shas, "v1")
    table.position.look_up(picked)
    assert table.position._every is not None
    db.execute("update claims set idx = ? where id = ?", [want.index(picked[0]) - table.spans["d2"].start, picked[0]])
    # (a stored count that is not its row's: every claim row is read instead)
    db.execute("update claim_columns set n = n + 1 where article_id = 'd4'")
    assert list(store.ClaimTable(db, shas, "v1").ids) == want
    db.execute("update claim_columns set n = n - 1 where article_id = 'd4'")
    # a row that changed after its head was read: told, not read as other claims
    table = store.ClaimTable(db, shas, "v1")
    db.execute("update claim_columns set body = ? where article_id = 'd4'",
               [store._encode_columns(["x", "y"], ["s", "s"], [None, None], ["k", "k"])])
    with pytest.raises(ValueError, match="d4"):
        table.ids[table.spans["d4"].start]


def test_cached_vectors_read_by_look_up_or_by_scan_are_the_same(db, monkeypatch):
    """Asked for most of the embeddings table, the vectors are read in one scan of it; asked for
    a few, key by key. Either way each present key's stored bytes come back, and absent keys
    do not."""
    import numpy as np
    texts = [f"claim number {i}" for i in range(1500)]
    vectors = np.arange(1500 * 4, dtype=np.float32).reshape(1500, 4)
    store.store_vectors(db, "emb", texts, vectors)
    want = {store.vector_key("emb", t): v.astype("<f4").tobytes() for t, v in zip(texts, vectors)}
    keys = list(want)
    scans = []
    real_execute = db.execute

    def execute(sql, *a, **k):
        scans.append("from embeddings" in sql and " in (" not in sql and "max(" not in sql)   # (a whole-table read)
        return real_execute(sql, *a, **k)

    monkeypatch.setattr(db, "execute", execute)
    many = store.cached_vector_bytes(db, [*keys[:1200], "absent-key"])
    assert many == {k: want[k] for k in keys[:1200]} and any(scans)
    scans.clear()
    few = store.cached_vector_bytes(db, [keys[7], keys[1400], "absent-key"])
    assert few == {keys[7]: want[keys[7]], keys[1400]: want[keys[1400]]} and not any(scans)


@pytest.mark.parametrize("items", [
    [], ["a"], ["0789e997f5101efe", "117b175c8ba04699"], ['say "hi"', "x"], ["a\\b", "c"], ["Zürich", "b"],
    ['a", "b', "c"], ["", ""], [" ", ", "], ["tab\there", "new\nline"]])
def test_stored_string_lists_read_back_as_json_reads_them(items):
    # the clusters' claim and article lists are split, not parsed, when that gives the same items
    for text in (json.dumps(items), json.dumps(items, separators=(",", ":")), json.dumps(items, ensure_ascii=False)):
        assert json_strings(text) == tuple(json.loads(text)), text


def test_a_stored_cluster_reads_its_lists_when_asked_and_equals_the_one_it_was_written_from(db):
    import pickle
    built = Cluster("k1", ("c1", "c2"), ("a", "b"), 2)
    kept = Cluster.stored("k1", json.dumps(["c1", "c2"]), json.dumps(["a", "b"]), 2)
    assert kept == built and hash(kept) == hash(built) and repr(kept) == repr(built)
    assert kept.claim_ids == ("c1", "c2") and kept.article_ids == ("a", "b") and kept.independent_sources == 2
    assert kept != Cluster("k1", ("c1", "c2"), ("a", "b"), 3) and kept != Cluster("k1", ("c1",), ("a",), 2)
    assert pickle.loads(pickle.dumps(kept)) == built and {kept, built} == {built}
    with pytest.raises(AttributeError):
        kept.independent_sources = 3
    # as the store gives them back: lists not read until asked for, then those written
    other = Cluster("k2", ('say "hi"', "c4"), ("a", "c"), 1)
    db.table("clusters").insert_all({"id": k.id, "claims": json.dumps(list(k.claim_ids)),
                                     "articles": json.dumps(list(k.article_ids)),
                                     "independent_sources": k.independent_sources} for k in (built, other))
    got, slots, linkage = store.load_clusters_and_slots(db)
    assert [k.id for k in got] == ["k1", "k2"] and slots == [None, None] and linkage[:] == [None, None]
    assert got == [built, other] and got[1].claim_ids == ('say "hi"', "c4")


def test_the_clusters_of_some_claims_are_found_by_their_members_rows(tmp_path):
    """`load_clusters_of` finds the clusters holding some claims through `cluster_members`; a
    store from before that table (migration m030) and its anchors (m041) gets its rows from the
    stored clusters: each member names the smallest of its cluster's stable numbers, or the
    cluster's id when the row holds none."""
    db = store.open_db(tmp_path / "m.db")
    kept = [Cluster("k1", ("c1", "c2"), ("a", "b"), 2), Cluster("k2", ('say "x"', "c4"), ("a", "c"), 1),
            Cluster("k3", ("c5", "c6"), ("b", "c"), 2)]
    slots = {"k1": np.array([7, 3], dtype="<i8").tobytes(), "k2": None, "k3": np.array([4, 9], dtype="<i8").tobytes()}
    db.execute("drop index clusters_anchor")
    db.execute("alter table clusters drop column anchor")
    db.table("clusters").insert_all({"id": k.id, "claims": json.dumps(list(k.claim_ids)),
                                     "articles": json.dumps(list(k.article_ids)),
                                     "independent_sources": k.independent_sources, "slots": slots[k.id]} for k in kept)
    db.execute("drop table cluster_members")
    db.execute("delete from _sqlite_migrations where name in ('m030_cluster_members', 'm041_cluster_anchors')")
    db.conn.commit()
    again = store.open_db(tmp_path / "m.db")
    anchors = {"k1": "#3", "k2": "k2", "k3": "#4"}
    assert sorted(again.execute("select claim_id, anchor from cluster_members").fetchall()) == sorted(
        (c, anchors[k.id]) for k in kept for c in k.claim_ids)
    assert store.load_clusters_of(again, ["c6", 'say "x"', "c5", "nope"]) == [kept[1], kept[2]]
    assert store.load_clusters_of(again, ["nope"]) == []


def test_cached_normalisation_rows_read_back_as_mappings(db):
    row = {"article_id": "a", "sha256": "s", "version": "v", "names": "[[], []]", "signature": "g",
           "facts": "{}", "summary": '{"c": 1}'}
    db.table("norm_cache").insert_all([row, {**row, "article_id": "b", "summary": None}])
    every = store.load_norm_cache(db, ["a", "b"])
    assert {a: dict(r) for a, r in every.items()} == {
        "a": {k: v for k, v in row.items() if k != "facts"},
        "b": {**{k: v for k, v in row.items() if k != "facts"}, "article_id": "b", "summary": None}}
    heads = store.load_norm_cache(db, ["a", "b"], names=False, summaries=False)
    a = heads["a"]
    assert (a["sha256"], a.get("summary"), heads["b"].get("summary"), a.get("names", "-")) == ("s", 1, 0, "-")
    assert "names" not in a and "signature" in a and {**a, "names": "x"}["names"] == "x" and a[1] == "s"
    # the rows of some articles; the heads of the rows made under some rules, from their index
    db.table("norm_cache").insert_all([{**row, "article_id": "c", "version": "w"}])
    assert list(store.load_norm_cache(db, ["c", "b", "z"], names=False, summaries=False)) == ["b", "c"]
    assert store.norm_cache_heads(db, "v") == [("a", "s", 1), ("b", "s", 0)]


def test_the_merge_input_from_before_its_article_rows_is_built_again(tmp_path):
    """A store from before `norm_merge_articles` (migration m031) kept the articles of the entity
    merge's input in its state: the state goes, and the next analysis builds both."""
    db = store.open_db(tmp_path / "m.db")
    with db.atomic():
        db.table("state").insert({"key": "norm_merge", "value": json.dumps({"version": "v", "uses": [], "defs": {},
                                                                            "articles": {"a": "s"}})})
        store.save_analysis(db, sentence_article={}, claim_article={}, fluency=[], facts={}, origins={},
                            clusters=[], conflicts=[], fingerprints={}, scores=[], state={},
                            norm_merged={"a": "sa", "b": "sb", "c": None}, delta={})
    assert store.norm_merge_articles(db) == {"a": "sa", "b": "sb"}
    with db.atomic():
        store.save_analysis(db, sentence_article={}, claim_article={}, fluency=[], facts={}, origins={},
                            clusters=[], conflicts=[], fingerprints={}, scores=[], state={},
                            norm_merged={"a": None, "c": "sc"}, delta={})
    assert store.norm_merge_articles(db) == {"b": "sb", "c": "sc"}
    db.execute("drop table norm_merge_articles")
    db.execute("delete from _sqlite_migrations where name = 'm031_norm_merge_articles'")
    db.conn.commit()
    again = store.open_db(tmp_path / "m.db")
    assert store.get_state(again, "norm_merge") is None and store.norm_merge_articles(again) == {}


def test_cached_vectors_come_back_bit_for_bit_in_the_claims_order(db):
    # vectors ending in zero bytes (a 0.0 last), repeated texts, and one text embedded afresh
    from factcheck.pipeline import embed_keyed

    class Embedder:
        name = "test-embedder"
        calls: list = []

        def embed(self, texts):
            self.calls.append(list(texts))
            return np.array([[len(t), 0.0, -0.0, 0.0] for t in texts], dtype=np.float32)

    texts = ["alpha", "beta beta", "alpha", "gamma"]
    stored = np.array([[1.5, 0.0, 2.0, 0.0], [np.nan, 1e-38, 0.0, 0.0], [-1.0, 3.0, 0.0, 0.0]], dtype=np.float32)
    store.store_vectors(db, "test-embedder", texts[:2] + ["unused"], stored)
    keys = [store.vector_key("test-embedder", t) for t in texts]
    emb = Embedder()
    vectors, computed = embed_keyed(db, emb, keys, texts.__getitem__)
    assert computed == 1 and emb.calls == [["gamma"]]
    want = np.stack([stored[0], stored[1], stored[0], [5.0, 0.0, -0.0, 0.0]]).astype(np.float32)
    assert vectors.dtype == np.float32 and vectors.tobytes() == want.tobytes()
    # a second call reads all four from the cache, the same bytes
    again, computed = embed_keyed(db, emb, keys, texts.__getitem__)
    assert computed == 0 and again.tobytes() == want.tobytes()
    # most texts repeated (the distinct texts' vectors copied once, then gathered): the same bytes
    many = [texts[i] for i in (0, 1, 0, 0, 3, 1, 0, 3, 0, 0)]
    again, computed = embed_keyed(db, emb, [store.vector_key("test-embedder", t) for t in many], many.__getitem__)
    by_text = dict(zip(texts, want))
    assert computed == 0 and again.tobytes() == np.stack([by_text[t] for t in many]).tobytes()
    assert again.flags.c_contiguous and again.shape == (10, 4)


def test_the_offices_an_entity_holds_are_read_once_each(db):
    """Every claim that titles a person adds a row; what a delta reads is each (entity, office)
    once, held by an article that is not leaving, from an index (not the rows one by one)."""
    summaries = {f"c{i}": ([], [["e:lavrov", "foreign minister"], ["e:lavrov", "nationality:russia"]])
                 for i in range(40)}
    summaries["d0"] = ([], [["e:lavrov", "ambassador"], ["e:shoigu", "defense minister"]])
    owner = {c: f"a{int(c[1:]) % 4}" if c.startswith("c") else "b" for c in summaries}
    store.write_fact_index(db, summaries, owner, [], True)
    assert sorted(store.fact_offices_held(db, ["e:lavrov", "e:nobody"])) == [
        ("e:lavrov", "ambassador"), ("e:lavrov", "foreign minister"), ("e:lavrov", "nationality:russia")]
    assert sorted(store.fact_offices_held(db, ["e:lavrov", "e:shoigu"], leaving={"b"})) == [
        ("e:lavrov", "foreign minister"), ("e:lavrov", "nationality:russia")]
    assert store.fact_offices_held(db, ["e:lavrov"], leaving={"a0", "a1", "a2", "a3", "b"}) == []
    plan = " ".join(r[-1] for r in db.execute(
        "explain query plan select entity, office from fact_offices where entity in (?) and article_id not in "
        "(select value from json_each(?)) group by entity, office", ["e:lavrov", "[]"]).fetchall())
    assert "COVERING INDEX fact_offices_held" in plan, plan


def _save_results(db, changes_seen=None):
    store.save_analysis(db, fluency=[], sentence_article={}, facts={}, claim_article={}, origins={},
                        clusters=[], conflicts=[], fingerprints={}, scores=[], state={}, changes_seen=changes_seen)


def test_the_store_logs_the_articles_stored_replaced_or_deleted_since_the_last_analysis(tmp_path):
    db = store.open_db(tmp_path / "fc.db")
    a, b = _article("a1"), _article("b2", "Min Aung Hlaing met Shoigu in Moscow on Monday.")
    for art in (a, b):
        store.save_article(db, art, *_records(art))
    seq, ids = store.article_changes(db)
    assert seq > 0 and ids is None                     # no analysis saved with the log yet
    _save_results(db, changes_seen=seq)
    assert store.article_changes(db) == (0, frozenset())
    # stored again (same content), replaced (new content), deleted; a path or stamp is no change
    store.save_article(db, a, *_records(a))
    changed = _article("b2", "Min Aung Hlaing met Shoigu in Moscow on Tuesday.")
    store.save_article(db, changed, *_records(changed))
    store.set_file_stamps(db, {"a1": "1:2"})
    assert store.article_changes(db)[1] == {"a1", "b2"}
    seen, _ = store.article_changes(db)
    store.delete_article(db, "a1")
    c = _article("c3", "Russia supplies arms to Myanmar.")
    store.save_article(db, c, *_records(c))
    # a save clears what its analysis saw, not what came after it
    _save_results(db, changes_seen=seen)
    assert store.article_changes(db)[1] == {"a1", "c3"}
    # a save of some results only: the log no longer stands
    _save_results(db)
    assert store.article_changes(db)[1] is None
    _save_results(db, changes_seen=store.article_changes(db)[0])
    assert store.article_changes(db)[1] == frozenset()
    db.conn.close()
    # a store migrated when opened: its results may have moved, the log stands after the next analysis
    raw = store.sqlite3.connect(tmp_path / "fc.db")
    raw.execute("delete from _sqlite_migrations where name = 'm042_article_changes'")
    raw.commit()
    raw.close()
    db = store.open_db(tmp_path / "fc.db")
    assert store.article_changes(db)[1] is None
    db.conn.close()


def test_the_vectors_numbers_of_many_articles_are_read_in_one_pass_as_those_of_a_few(db):
    rows = {f"a{i}": ("sha", "v1", "st:x", None, np.arange(i, i + 3, dtype="<i8").tobytes()) for i in range(6)}
    rows["b0"] = ("sha", "v1", "st:x", b"\0" * 16, np.array([7], dtype="<i8").tobytes())
    store.write_claim_vectors(db, rows)
    for asked in ({"a1", "a4", "b0"}, {"a0", "a1", "a2", "a3", "a5", "b0"}, {"a2", "zz"}):
        by_lookup = sorted(store.read_claim_refs(db, asked))
        assert by_lookup == sorted((a, rows[a][4]) for a in asked if a in rows)
        assert sorted(store.read_claim_refs(db, asked, rows=len(rows))) == by_lookup   # (one pass)


def test_the_fluency_reads_use_indexes_of_their_rows_alone_and_a_migrated_store_keeps_its_totals(tmp_path):
    """A new article's terms are not written into an index of every term (one page per term it
    uses): the context's reads (followers of hyphenated words, the content-hash rows, the garbled
    verdicts) are served by indexes holding only the rows they read, and a store made before them
    keeps its rows."""
    import sqlite3

    from sqlite_utils import Database

    from factcheck.migrations import migrations

    db = Database(sqlite3.connect(str(tmp_path / "old.db")))
    migrations.apply(db, stop_before="m045_partial_fluency_indexes")
    terms = [("a1", "a", "sha-1", None, 1), ("a1", "f", "well", "known", 1), ("a1", "v", "talks", None, 3),
             ("a1", "n", "Lavrov", None, 2), ("a2", "a", "sha-2", None, 1), ("a2", "f", "well", "placed", 1),
             ("a2", "v", "talks", None, 1), ("a2", "w", "Lavrov", "Sergei Lavrov", 1)]
    db.conn.executemany("insert into fluency_terms (article_id, kind, key, ref, n) values (?, ?, ?, ?, ?)", terms)
    totals = [("n", "Lavrov", "", 2), ("v", "talks", "", 4), ("w", "Lavrov", "Sergei Lavrov", 1)]
    db.conn.executemany("insert into fluency_totals (kind, key, ref, n) values (?, ?, ?, ?)", totals)
    db.conn.executemany("insert into fluency (sentence_id, article_id, score, garbled, reasons) values (?, ?, ?, ?, ?)",
                        [("s1", "a1", 0.1, 0, "[]"), ("s2", "a1", 0.9, 1, "[]"), ("s3", "a2", 0.2, 0, "[]")])
    db.conn.commit()
    migrations.apply(db)

    assert sorted(db.execute("select kind, key, ref, n from fluency_totals").fetchall()) == sorted(totals)
    assert "without rowid" in db.execute("select sql from sqlite_master where name = 'fluency_totals'").fetchone()[0]
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    assert store.fluency_followers(db, ["well"], exclude=["a2"]) == {"well": {"known": {"a1"}}}
    assert store.fluency_context_articles(db) == {"a1": "sha-1", "a2": "sha-2"}
    assert store.fluency_context_articles(db, ["a2"]) == {"a2": "sha-2"}
    assert store.has_fluency_context(db)
    assert store.stored_garbled_sentences(db) == {"s2": "a1"}
    assert store.fluency_totals(db, "v", ["talks"]) == {"talks": 4}
    db.conn.set_trace_callback(None)
    plans = {s: " ".join(r[3] for r in db.execute("explain query plan " + s).fetchall()) for s in statements}
    assert len(plans) == 6
    for s, plan in plans.items():
        assert "COVERING INDEX" in plan or "PRIMARY KEY" in plan, (s, plan)
    # each index holds the rows its condition names, nothing else
    conditions = {name: sql.split(" where ")[-1] for name, sql in db.execute(
        "select name, lower(sql) from sqlite_master where name in "
        "('idx_fluency_terms_followers', 'idx_fluency_terms_context', 'idx_fluency_garbled_only')")}
    assert conditions == {"idx_fluency_terms_followers": "kind = 'f'", "idx_fluency_terms_context": "kind = 'a'",
                          "idx_fluency_garbled_only": "garbled = 1"}
    assert {r[0] for r in db.execute("select name from sqlite_master where type = 'index' and tbl_name like 'fluency%'")
            if not r[0].startswith("sqlite_")} == {
        "idx_fluency_terms_followers", "idx_fluency_terms_context", "idx_fluency_terms_article_id",
        "idx_fluency_garbled_only", "idx_fluency_article_id", "idx_fluency_reads_key", "idx_fluency_reads_sentence_id",
        "idx_fluency_reads_article_id"}


def test_opening_the_store_neither_looks_for_nor_runs_sqlite_utils_plugins(tmp_path, monkeypatch):
    """A sqlite-utils plugin installed alongside (its `prepare_connection` hook) does not act on the
    store, and the installed distributions' entry points are not scanned for plugins (10-20 ms of
    every command)."""
    import sqlite_utils
    import sqlite_utils.db

    def refuse() -> None:
        raise AssertionError("the installed distributions' entry points were scanned")

    monkeypatch.setattr(sqlite_utils.db, "ensure_plugins_loaded", refuse)
    prepared = []

    class Plugin:
        @staticmethod
        @sqlite_utils.hookimpl
        def prepare_connection(conn):
            prepared.append(conn)

    sqlite_utils.db.pm.register(Plugin, name="factcheck-test-plugin")
    try:
        db = store.open_db(tmp_path / "claims" / "factcheck.db")
        store.set_state(db, "probe", "1")
        assert store.get_state(db, "probe") == "1"
        db.conn.close()
    finally:
        sqlite_utils.db.pm.unregister(name="factcheck-test-plugin")
    assert prepared == []
