"""The store's schema history: each change is a new mNNN_ function; an applied one is never edited."""
from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("factcheck")


@migrations()
def m001_articles_sentences_claims(db: Database) -> None:
    db.table("articles").create(
        {"id": str, "file": str, "sha256": str, "text": str, "format": str, "title": str,
         "outlet": str, "author": str, "dateline": str, "published": str,
         "published_source": str, "boilerplate": str, "ingested_at": str},
        pk="id",
    )
    db.table("articles").create_index(["sha256"])
    db.table("sentences").create(
        {"id": str, "article_id": str, "idx": int, "start": int, "end": int, "text": str,
         "kind": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("sentences").create_index(["article_id"])
    db.table("claims").create(
        {"id": str, "article_id": str, "sentence_id": str, "idx": int, "start": int,
         "end": int, "text": str, "standalone": str, "speaker": str},
        pk="id", foreign_keys=[("article_id", "articles", "id"), ("sentence_id", "sentences", "id")],
    )
    db.table("claims").create_index(["article_id"])
    db.table("runs").create(
        {"id": int, "started": str, "finished": str, "version": str, "command": str,
         "settings": str, "embedder": str, "timings": str, "counts": str, "corpus": str},
        pk="id",
    )


@migrations()
def m002_analysis(db: Database) -> None:
    db.table("embeddings").create(
        {"key": str, "embedder": str, "text_hash": str, "dim": int, "vector": bytes}, pk="key",
    )
    db.table("fluency").create(
        {"sentence_id": str, "article_id": str, "score": float, "garbled": int, "reasons": str},
        pk="sentence_id",
    )
    db.table("fluency").create_index(["article_id"])
    db.table("claim_facts").create({"claim_id": str, "article_id": str, "facts": str}, pk="claim_id")
    db.table("origins").create({"article_id": str, "origin": str}, pk="article_id")
    db.table("clusters").create(
        {"id": str, "claims": str, "articles": str, "independent_sources": int}, pk="id",
    )
    db.table("conflicts").create(
        {"id": str, "a": str, "b": str, "kind": str, "severity": float, "explanation": str,
         "a_span": str, "b_span": str, "fingerprint": str}, pk="id",
    )
    db.table("scores").create(
        {"article_id": str, "score": float, "counts": str, "terms": str}, pk="article_id",
    )
    db.table("state").create({"key": str, "value": str}, pk="key")


@migrations()
def m003_reviews(db: Database) -> None:
    # Append-only: the latest row per conflict is its decision; "undo" appends a row too.
    db.table("reviews").create(
        {"id": int, "conflict_id": str, "decision": str, "note": str, "time": str,
         "reviewer": str, "fingerprint": str},
        pk="id",
    )
    db.table("reviews").create_index(["conflict_id"])


@migrations()
def m004_analysis_caches(db: Database) -> None:
    # Per-sentence fluency signals that need the spaCy parse, keyed by a hash of the sentence text,
    # the fluency rule version and the fluency settings: unchanged sentences are never parsed again.
    db.table("fluency_cache").create({"key": str, "local": str}, pk="key")
    # Per-article normalisation: the article's name mentions and acronym definitions (keyed by its
    # content hash and the extraction versions) and its claims' facts, valid while the corpus-level
    # entity merge gives the article's names the same entities (`signature`).
    db.table("norm_cache").create(
        {"article_id": str, "sha256": str, "version": str, "names": str, "signature": str,
         "facts": str}, pk="article_id",
    )
    # The cosine-free part of a claim pair's match decision (8-byte floats, matching.STATIC order),
    # keyed by the matching rules' digest + both claims' (text, speaker) hashes.
    db.table("match_cache").create({"key": str, "features": bytes}, pk="key")


@migrations()
def m005_delta_state(db: Database) -> None:
    # Binary state an analysis leaves for the next one to work on the delta: the kNN graph
    # ("knn": clusters.KnnState) and the per-article word shingles of copy detection
    # ("origins": see pipeline._origins).
    db.table("blobs").create({"key": str, "value": bytes}, pk="key")


@migrations()
def m006_ci_lookups(db: Database) -> None:
    # `ci` reads only the checked articles' rows: the conflicts touching their claims and the
    # articles of their origin group
    db.table("conflicts").create_index(["a"])
    db.table("conflicts").create_index(["b"])
    db.table("origins").create_index(["origin"])


@migrations()
def m007_norm_summary(db: Database) -> None:
    # Per article, conflicts.fact_summary of each claim (its candidate keys and the offices it
    # states), so that an analysis of a delta need not decode every claim's facts.
    db.table("norm_cache").add_column("summary", str)


@migrations()
def m008_fluency_context(db: Database) -> None:
    # What each article adds to the corpus context of the fluency signals (kind "a": its content
    # hash; "v": word → count; "n": capitalised sequence → count; "w": first or last word of a
    # sequence of two words or more, ref = the sequence; "f": hyphenated word, ref = the next word),
    # and which context entries each sentence's verdict read ("v:word", "n:name", "w:word", "f:word"):
    # an analysis of a delta recombines only the sentences whose read entries changed.
    db.table("fluency_terms").create({"article_id": str, "kind": str, "key": str, "ref": str, "n": int})
    db.table("fluency_terms").create_index(["kind", "key"])
    db.table("fluency_terms").create_index(["article_id"])
    db.table("fluency_reads").create({"sentence_id": str, "article_id": str, "key": str})
    db.table("fluency_reads").create_index(["key"])
    db.table("fluency_reads").create_index(["sentence_id"])
    db.table("fluency_reads").create_index(["article_id"])


@migrations()
def m009_fluency_totals(db: Database) -> None:
    # The corpus totals of fluency_terms ("v"/"n": summed counts; "w": articles naming a sequence,
    # ref = the sequence, "" otherwise), so that a delta reads one row per entry, not one per article.
    db.execute("create table fluency_totals (kind text, key text, ref text, n integer, "
               "primary key (kind, key, ref))")
    # a store analysed under m008 gets its totals at its next full analysis: until then its
    # fluency state is not trusted
    db.execute("delete from state where key = 'fluency_context'")


@migrations()
def m010_claim_facts_article(db: Database) -> None:
    # The rows of a removed or re-read article are deleted by article id: without an index every
    # such delete read the whole table.
    db.table("claim_facts").create_index(["article_id"])


@migrations()
def m011_article_paths(db: Database) -> None:
    # The absolute path of the file each article was last read from: pruning a folder compares
    # that, not the stored display path resolved against whatever the working folder is then
    # (which removed every article when `run .` was started inside the folder).
    db.table("articles").add_column("abs_path", str)


@migrations()
def m012_norm_keys(db: Database) -> None:
    # Which articles name each entity-merge key, so that when the merge moves some keys a delta
    # reads the names of the articles naming them, not of every article. The merge's summed input
    # (state "norm_merge") is written with these rows; a store without it builds both at its
    # next analysis.
    db.table("norm_keys").create({"article_id": str, "key": str})
    db.table("norm_keys").create_index(["key"])
    db.table("norm_keys").create_index(["article_id"])
    db.execute("delete from state where key = 'norm_merge'")


@migrations()
def m013_fluency_garbled(db: Database) -> None:
    # A delta reads the stored garbled verdicts (who corroborates whom depends on them), not all.
    db.table("fluency").create_index(["garbled"])


@migrations()
def m014_claim_columns(db: Database) -> None:
    # Per article, the columns of its claims an analysis reads of every claim (ids, sentences,
    # speakers, embeddings-cache keys), as JSON: a delta reads these for the unchanged articles
    # and the claim rows of the new and changed ones, and writes back only theirs.
    db.table("claim_columns").create({"article_id": str, "sha256": str, "version": str, "embedder": str,
                                      "body": str}, pk="article_id")
    db.execute("delete from blobs where key = 'claims'")


@migrations()
def m015_origin_rows(db: Database) -> None:
    # Copy detection's state as rows (per article its text hash, content hash and shingles; the
    # copy pairs) instead of one blob rewritten whole by every analysis: a delta writes the rows
    # of the new and changed articles. An older store's blob goes: its next analysis compares
    # every article once.
    db.execute("create table origin_shingles (article_id text primary key, hash text, sha256 text, shingles blob)")
    db.execute("create table origin_edges (a text, b text, primary key (a, b))")
    db.execute("delete from blobs where key = 'origins'")


@migrations()
def m016_fact_index(db: Database) -> None:
    # The candidate keys and the (entity, office) pairs of every claim (conflicts.fact_summary) as
    # rows: a delta reads the members of the keys it touches and the offices of the entities it
    # touches, not every article's summary. Valid while state "fact_index" names the rules.
    db.table("fact_keys").create({"claim_id": str, "article_id": str, "key": str})
    db.table("fact_keys").create_index(["key"])
    db.table("fact_keys").create_index(["claim_id"])
    db.table("fact_keys").create_index(["article_id"])
    db.table("fact_offices").create({"claim_id": str, "article_id": str, "entity": str, "office": str})
    db.table("fact_offices").create_index(["entity"])
    db.table("fact_offices").create_index(["article_id"])
    db.execute("delete from state where key = 'fact_index'")


@migrations()
def m017_knn_rows(db: Database) -> None:
    # The clustering's kNN state as one row per article (clusters.KnnState.rows): a delta writes
    # the rows of the articles holding a claim whose neighbours changed, not a blob of every
    # claim's. An older store's blob goes: its next analysis clusters every claim once.
    db.execute("create table knn_rows (article_id text primary key, ids text, keys text, slots blob, "
               "nbr blob, sims blob, hub blob)")
    db.execute("delete from blobs where key = 'knn'")


@migrations()
def m018_stale_scores(db: Database) -> None:
    # Articles whose stored score may be out of date: `factcheck ci` scores the articles it checks
    # and leaves the others a new file moves (the articles it corroborates or disputes) for the
    # next analysis; `export`, `report`, `review` and `eval` rescore them first (pipeline.refresh_scores).
    db.execute("create table stale_scores (article_id text primary key)")


@migrations()
def m019_abs_path_index(db: Database) -> None:
    # `prune_missing` finds the articles read from files under a folder by a range of abs_path
    # (the resolved path's prefix), not by resolving every stored article's path.
    db.table("articles").create_index(["abs_path"])


@migrations()
def m020_verdicts_follow_terms(db: Database) -> None:
    # An article's fluency-context row of kind "a" (its content hash) now also says that its
    # verdicts are stored: ingest and removal blank it when they drop the verdicts, so a delta no
    # longer looks for sentences without a verdict over the whole store. Blank it once for the
    # articles an older store has without some of their verdicts.
    if "fluency_terms" in db.table_names() and "fluency" in db.table_names():
        db.execute("update fluency_terms set key = '' where kind = 'a' and article_id in ("
                   "select distinct s.article_id from sentences s left join fluency f "
                   "on f.sentence_id = s.id where f.sentence_id is null)")


@migrations()
def m021_knn_patches(db: Database) -> None:
    # Patches of the kNN state (clusters.KnnState.rows): per old claim whose neighbours or hub
    # level a delta changed, its row alone, overriding its article's row in knn_rows.
    db.execute("create table knn_patches (slot integer primary key, nbr blob, sims blob, hub real)")


@migrations()
def m022_norm_cache_head(db: Database) -> None:
    # What a delta reads of every article's normalisation cache row (its hash, rules, signature and
    # whether it holds a summary) from an index: the table's rows carry the facts, and reading a
    # column past them walks each row's overflow pages (18 ms against 2 ms at 2,000 articles).
    db.execute("create index norm_cache_head on norm_cache "
               "(article_id, sha256, version, signature, (summary is not null))")


@migrations()
def m023_origin_postings(db: Database) -> None:
    # Per shingle of copy detection's stored state, the articles holding it: a delta counts the
    # articles holding a new article's shingles by looking them up, not by going through every
    # article's shingles (store.OriginPostings). Filled from the stored state's rows.
    import numpy as np

    db.execute("create table origin_postings (shingle integer not null, article_id text not null, "
               "primary key (shingle, article_id)) without rowid")
    db.execute("create index idx_origin_postings_article_id on origin_postings (article_id)")
    for article_id, blob in db.execute("select article_id, shingles from origin_shingles").fetchall():
        db.conn.executemany("insert or ignore into origin_postings (shingle, article_id) values (?, ?)",
                            ((x, article_id) for x in np.frombuffer(blob, dtype="<i8").tolist()))


@migrations()
def m024_covering_heads(db: Database) -> None:
    # Every analysis reads a few short columns of every article's row in tables whose rows are
    # long (the article's text, its shingles, its verdict's reasons): from an index holding just
    # those columns it does not read the long rows' pages (2 to 5 times faster at 2,000 articles).
    db.execute("create index idx_articles_id_sha256 on articles (id, sha256)")
    db.execute("create index idx_origin_shingles_head on origin_shingles (article_id, hash, sha256)")
    db.execute("create index idx_fluency_terms_kind_article on fluency_terms (kind, article_id, key)")
    db.execute("create index idx_fluency_garbled_rows on fluency (garbled, sentence_id, article_id, score, reasons)")


@migrations()
def m025_cluster_slots(db: Database) -> None:
    # Per cluster, its members' stable numbers in the kNN state (clusters.KnnState.slots): a delta
    # finds the previous clusters' members by number instead of looking every member up by id.
    # Written with each cluster row; an older row has none (its members are looked up by id).
    db.execute("alter table clusters add column slots blob")


@migrations()
def m026_claim_vectors(db: Database) -> None:
    # Per article, its claims' vectors in claim order (float32 bytes), under the content hash,
    # extraction rules and embedder they were made for: when most claim texts are distinct, a
    # delta reads these runs of bytes instead of looking every vector up in the embeddings cache
    # by its text's key. An older store has none: an analysis writes them.
    db.execute("create table claim_vectors (article_id text primary key, sha256 text, version text, "
               "embedder text, vectors blob)")


@migrations()
def m027_id_stamps(db: Database) -> None:
    # Per article, a stamp of its claims' ids in order (records.ids_stamp) with its claim columns
    # and with its kNN row: a delta tells the articles whose kNN row holds the claims its claim
    # table has now by comparing two stamps, not their ids one by one. Filled from the rows.
    from .records import ids_stamp
    from .store import _decode_columns

    db.execute("alter table claim_columns add column stamp text")
    db.execute("alter table knn_rows add column stamp text")
    db.conn.executemany("update claim_columns set stamp = ? where article_id = ?", [
        (ids_stamp(_decode_columns(body)[0]), a)
        for a, body in db.execute("select article_id, body from claim_columns").fetchall()])
    db.conn.executemany("update knn_rows set stamp = ? where article_id = ?", [
        (ids_stamp(ids.split("\n") if ids else []), a)
        for a, ids in db.execute("select article_id, ids from knn_rows").fetchall()])


@migrations()
def m028_knn_heads(db: Database) -> None:
    # Per claim of a kNN row, the lowest cosine of its neighbours (float32), and an index holding
    # each row's head (article, stamp, slots, hub levels, lowest cosines): a delta reads the heads
    # of every row and the whole rows only of the claims its new ones enter (and of those listing
    # them). Filled from the rows' cosines.
    import json

    import numpy as np

    db.execute("alter table knn_rows add column worst blob")
    meta = db.execute("select value from state where key = 'knn_meta'").fetchone()
    k = int(json.loads(meta[0])["k"]) if meta else 0

    def lowest(slots: bytes, sims: bytes) -> bytes:
        n = len(slots) >> 2
        got = np.frombuffer(sims, dtype="<f4").reshape(n, k).min(axis=1) if k else np.full(n, -np.inf)
        return got.astype("<f4").tobytes()

    db.conn.executemany("update knn_rows set worst = ? where article_id = ?", [
        (lowest(slots, sims), a) for a, slots, sims in db.execute("select article_id, slots, sims from knn_rows")])
    db.execute("create index knn_rows_head on knn_rows (article_id, stamp, slots, hub, worst)")


@migrations()
def m029_claim_column_heads(db: Database) -> None:
    # Per article, the number of its claims with its claim columns, and an index holding each
    # row's head (extraction rules, article, content hash, embedder, stamp, count): an analysis
    # reads the heads of every row, and the columns themselves (ids, sentences, speakers, keys)
    # of the articles it asks for. Filled from the rows.
    from .store import _decode_columns

    db.execute("alter table claim_columns add column n integer")
    db.conn.executemany("update claim_columns set n = ? where article_id = ?", [
        (len(_decode_columns(body)[0]), a) for a, body in db.execute("select article_id, body from claim_columns")])
    db.execute("create index claim_columns_head on claim_columns (version, article_id, sha256, embedder, stamp, n)")


@migrations()
def m030_cluster_members(db: Database) -> None:
    # Each clustered claim's cluster, as rows (kept with `clusters` by the save): `ci` finds the
    # clusters of the claims it checks by look-ups, not by reading every cluster's members.
    db.execute("create table cluster_members (claim_id text primary key, cluster_id text) without rowid")
    db.execute("create index cluster_members_cluster on cluster_members (cluster_id)")
    db.execute("insert or replace into cluster_members (claim_id, cluster_id) "
               "select j.value, c.id from clusters c, json_each(c.claims) j")


@migrations()
def m031_norm_merge_articles(db: Database) -> None:
    # The articles the entity merge's stored input holds, with the content hash of what each
    # contributed, as rows: the input (state "norm_merge") then holds the distinct names and
    # acronym definitions alone, a few KB however many articles repeat them, and a delta writes
    # the rows of the articles that came, changed or left. Its next analysis builds both.
    db.execute("create table norm_merge_articles (article_id text primary key, sha256 text) without rowid")
    db.execute("delete from state where key = 'norm_merge'")


@migrations()
def m032_fact_probes(db: Database) -> None:
    # Per claim, with its facts, what a pair check needs to know of them to tell that it cannot
    # find a conflict (`conflicts.fact_probe`): a delta leaves such pairs out without reading their
    # facts. Filled as facts are written or read (state "fact_probes": the rules they follow).
    db.execute("alter table claim_facts add column probe text")


@migrations()
def m033_fact_offices_held(db: Database) -> None:
    # The offices of an entity as distinct (entity, office) pairs from the index alone: an entity
    # every article titles (a corpus restating one story) has a row per claim, which a delta no
    # longer reads one by one. (It serves the look-ups by entity too: the index on entity alone goes.)
    db.execute("create index if not exists fact_offices_held on fact_offices (entity, office, article_id)")
    db.execute("drop index if exists idx_fact_offices_entity")


@migrations()
def m034_parse_cache(db: Database) -> None:
    # Per article, its spaCy parse as bytes (`normalize.doc_bytes`), with the content hash and the
    # parser it was made from: an article whose facts must be made again while its text is the
    # same (a name it uses moved to another entity; the normalisation rules changed) reads its
    # parse back in a few ms instead of parsing again (about 160 ms an article).
    db.execute("create table parse_cache (article_id text primary key, sha256 text, parser text, doc blob)")


@migrations()
def m035_knn_verdicts(db: Database) -> None:
    # Per claim of a kNN row (and of a patch), per neighbour, what the matcher said of the pair at
    # that cosine (one byte: asked, "same", vetoed; `clusters._VERDICT_*`): a delta regrouping a
    # large cluster reads its pairs' decisions instead of their texts and features. An older row
    # has none (every pair is asked again, as before, and its answer kept when the row is written).
    db.execute("alter table knn_rows add column verdicts blob")
    db.execute("alter table knn_patches add column verdicts blob")


@migrations()
def m036_cluster_linkage(db: Database) -> None:
    # Per cluster, how the greedy linkage left it: the margin of its last merge and its members'
    # stable numbers in the order the linkage holds them (`clusters._linkage_bytes`). A delta that
    # only adds claims takes whole the clusters whose last merge came before the new claims' first
    # link, instead of linking their members again. A cluster stored before has none (linked again).
    db.execute("alter table clusters add column linkage blob")


@migrations()
def m037_file_stamps(db: Database) -> None:
    # Per article, the size and modification time (ns) of its file when its content was last
    # read or hashed ("size:mtime_ns"; none when the file had changed within the last seconds): a
    # file with the same stamp is unchanged without reading it, so `run` and `ci` look at a corpus
    # folder they leave alone by one stat a file.
    db.execute("alter table articles add column file_stamp text")


@migrations()
def m038_vector_numbers(db: Database) -> None:
    # Each cached vector's number (`num`: given once, never reused nor changed, where a VACUUM may
    # renumber rowids), and per article its claims' vectors' numbers in claim order (`refs` of
    # `claim_vectors`, int64): when claim texts repeat, a delta reads these numbers and each
    # distinct vector once by its number, not every claim's key. An older store's rows have none
    # (written by the next analysis).
    db.execute("alter table embeddings add column num integer")
    db.execute("update embeddings set num = rowid")
    db.execute("create unique index embeddings_num on embeddings (num)")
    db.execute("alter table claim_vectors add column refs blob")


@migrations()
def m039_claims_by_sentence(db: Database) -> None:
    # The claims of some sentences found by their ids (the weak flags of a delta: the claims of the
    # garbled sentences among the articles it looks at), and claims found by their articles and
    # places among those articles' claims (the records a delta reads by position), without reading
    # those articles' stored columns for their claims' ids.
    db.execute("create index if not exists claims_sentence on claims (sentence_id, article_id, idx)")
    db.execute("create index if not exists claims_place on claims (article_id, idx)")


@migrations()
def m040_fact_probes_by_claim(db: Database) -> None:
    # A delta reads the stored probes of the claims of the pairs it may check (`fact_probes`): from
    # an index holding them, not each claim's row with its facts.
    db.execute("create index if not exists claim_facts_probe on claim_facts (claim_id, probe)")


@migrations()
def m041_cluster_anchors(db: Database) -> None:
    # Each clustered claim's row names its cluster's anchor (`store.cluster_anchor`: the smallest
    # stable number of its members), which a cluster keeps while claims join it, not the cluster's
    # id, which hashes its members: a claim joining a cluster of hundreds wrote all their rows again.
    from .store import cluster_anchor

    if "anchor" not in {c.name for c in db.table("clusters").columns}:
        db.execute("alter table clusters add column anchor text")
    rows = [(cluster_anchor(cid, slots), cid, claims) for cid, claims, slots in
            db.execute("select id, claims, slots from clusters").fetchall()]
    db.conn.executemany("update clusters set anchor = ? where id = ?", ((a, cid) for a, cid, _ in rows))
    db.execute("create index if not exists clusters_anchor on clusters (anchor)")
    db.execute("drop table if exists cluster_members")
    db.execute("create table cluster_members (claim_id text primary key, anchor text) without rowid")
    db.conn.executemany("insert or replace into cluster_members (claim_id, anchor) values (?, ?)",
                        ((c, a) for a, _, claims in rows for c in json.loads(claims)))


@migrations()
def m042_article_changes(db: Database) -> None:
    # The articles stored, replaced or deleted since the last analysis was saved, logged by the
    # store itself (`store.article_changes`): a delta compares the stored state of those articles
    # with their content, not every article's. The log stands only after an analysis that reads it
    # is saved (state "article_changes"), which clears the entries that analysis saw.
    db.execute("create table if not exists article_changes (seq integer primary key, article_id text not null)")
    for event, row in (("insert", "new"), ("delete", "old")):
        db.execute(f"create trigger if not exists article_changes_{event} after {event} on articles "
                   f"begin insert into article_changes (article_id) values ({row}.id); end")
    db.execute("create trigger if not exists article_changes_update after update of id, sha256, text on articles "
               "begin insert into article_changes (article_id) values (old.id); "
               "insert into article_changes (article_id) values (new.id); end")
    db.execute("delete from state where key = 'article_changes'")


@migrations()
def m043_cluster_heads(db: Database) -> None:
    # What a delta reads of every stored cluster (its id, count of independent sources and
    # members' stable numbers) from an index: the rows hold the member lists and the linkage before
    # and after the numbers, so reading the numbers from the rows walked each large cluster's
    # overflow pages (2.4 against 0.75 ms for 901 clusters at 2,005 articles, warm).
    db.execute("create index if not exists clusters_head on clusters (id, independent_sources, slots)")


@migrations()
def m044_claim_vector_refs(db: Database) -> None:
    # A delta reads the vectors' numbers of nearly every article's `claim_vectors` row: from an
    # index holding them in one pass (1.3 ms at 2,005 articles), not by a look-up per article
    # (3.8 ms); the rows themselves hold their vectors' bytes before the numbers when texts differ.
    db.execute("create index if not exists claim_vectors_refs on claim_vectors (article_id, refs)")


@migrations()
def m045_partial_fluency_indexes(db: Database) -> None:
    # A new article's rows landed in every index of the fluency context and verdicts: those keyed by
    # term wrote one page per term the article uses (89 of the 423 pages a `ci` run wrote at 2,005
    # articles), though only the hyphenated words' followers ("f", 1% of the rows) are looked up
    # by term, only the content-hash rows ("a", one per article) by kind, and only the garbled
    # verdicts (8%) by verdict. The indexes now hold those rows alone (each with the column its
    # condition names, so that it covers the reads).
    db.execute("drop index if exists idx_fluency_terms_kind_key")
    db.execute("create index if not exists idx_fluency_terms_followers on fluency_terms "
               "(kind, key, ref, article_id) where kind = 'f'")
    db.execute("drop index if exists idx_fluency_terms_kind_article")
    db.execute("create index if not exists idx_fluency_terms_context on fluency_terms "
               "(kind, article_id, key) where kind = 'a'")
    db.execute("drop index if exists idx_fluency_garbled_rows")
    db.execute("drop index if exists idx_fluency_garbled")              # (m013's, on every verdict)
    db.execute("create index if not exists idx_fluency_garbled_only on fluency "
               "(garbled, sentence_id, article_id) where garbled = 1")
    # the corpus totals keyed by their primary key alone (a rowid table wrote each total twice:
    # the row and the key's index)
    db.execute("create table fluency_totals_new (kind text, key text, ref text, n integer, "
               "primary key (kind, key, ref)) without rowid")
    db.execute("insert into fluency_totals_new select kind, key, ref, n from fluency_totals")
    db.execute("drop table fluency_totals")
    db.execute("alter table fluency_totals_new rename to fluency_totals")
