"""The claims store: SQLite through sqlite-utils. The only module that knows table names.

Every write that belongs to one article happens in one transaction, so a crash or a bad
file never leaves an article half-written.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import json
import operator
import os
import sqlite3
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from .errors import FactcheckError
from .migrations import migrations
from .records import (Article, Claim, ClaimRef, Cluster, Conflict, Fluency, LazyList, ListLike, Score, Sentence,
                      Span, ids_stamp)


class _Connection(sqlite3.Connection):
    """A store's connection, which `close_all` can find (a plain sqlite3.Connection takes no weak
    reference, and a store's Database object may be gone while its connection is still open)."""


_OPENED: "weakref.WeakSet[_Connection]" = weakref.WeakSet()


# how long a statement waits for another connection's write transaction to end (the save of a
# full analysis of a large corpus takes seconds) before "database is locked"
BUSY_TIMEOUT = 60.0


def open_db(path: Path | str, lock: bool = False) -> Database:
    """Open (creating if needed) the store at `path` and bring its schema up to date. `lock`
    (what the commands that may write it pass): hold the store's command lock first, waiting for
    another command that holds it (`locking`)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if lock:
            from . import locking
            locking.acquire(path)
        conn = sqlite3.connect(str(path), factory=_Connection, timeout=BUSY_TIMEOUT)
        _OPENED.add(conn)
        # (sqlite-utils plugins installed alongside do not act on the store, and their entry points
        # are not looked for: 10-20 ms of every command)
        db = Database(conn, execute_plugins=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        changes = db.conn.total_changes
        migrations.apply(db)
        if db.conn.total_changes != changes:
            # a migration may have changed the stored results: the article change log stands
            # again after the next analysis (`article_changes`)
            db.execute("delete from state where key = 'article_changes'")
    except FactcheckError:
        raise
    except Exception as e:  # sqlite3.DatabaseError, OSError
        raise FactcheckError(f"{path}: cannot open the claims store ({e})") from e
    return db


def path_of(db: Database) -> Path | None:
    """The file of the store `db` is connected to (None: a store in memory)."""
    file = next((r[2] for r in db.execute("pragma database_list") if r[1] == "main"), "")
    return Path(file) if file else None


def close_all() -> None:
    """Close every store `open_db` opened that is still open (the last connection's close folds
    the write-ahead log into the .db file): what the program does before its quick exit."""
    for conn in list(_OPENED):
        try:
            conn.close()
        except sqlite3.Error:
            pass
    _OPENED.clear()


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- articles

def _article_row(a: Article) -> dict:
    row = asdict(a)
    row["boilerplate"] = json.dumps([[s.start, s.end, s.label] for s in a.boilerplate])
    row["ingested_at"] = now()
    return row


def _article(row: Mapping) -> Article:
    spans = tuple(Span(s, e, l) for s, e, l in json.loads(row["boilerplate"] or "[]"))
    return Article(id=row["id"], file=row["file"], sha256=row["sha256"], text=row["text"],
                   format=row["format"] or "txt", title=row["title"], outlet=row["outlet"],
                   author=row["author"], dateline=row["dateline"], published=row["published"],
                   published_source=row["published_source"] or "unknown", boilerplate=spans)


def articles_under(db: Database, roots: Sequence[Path]) -> list[tuple[str, str, str | None]]:
    """(id, file, abs_path) of the articles read from a file under one of these resolved folders
    (a range of the indexed abs_path), and of those stored without an abs_path (their file is
    resolved by the caller); ordered by file."""
    rows: dict[str, tuple] = {}
    for root in roots:
        prefix = str(root) if str(root).endswith(os.sep) else str(root) + os.sep
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        for r in db.execute("select id, file, abs_path from articles where abs_path >= ? and abs_path < ?",
                            [prefix, upper]):
            rows[r[0]] = tuple(r)
    for r in db.execute("select id, file, abs_path from articles where abs_path is null or abs_path = ''"):
        rows[r[0]] = tuple(r)
    return sorted(rows.values(), key=lambda r: r[1])


def article_hashes(db: Database) -> dict[str, str]:
    """article id -> sha256 of its stored content."""
    return dict(db.execute("select id, sha256 from articles").fetchall())     # (plain rows: read per analysis)


def article_changes(db: Database) -> tuple[int, frozenset[str] | None]:
    """The store's log of the articles stored, replaced or deleted (m042's triggers on `articles`):
    the number of its last entry (0: none), and the ids it holds since the last analysis saved
    with it (`save_analysis(changes_seen=)`). Those ids are None when the log does not stand for
    every change since the results were saved: no analysis has saved with it since the log began,
    or a save without it came after (then every article's stored state is compared)."""
    if get_state(db, "article_changes") != "kept":
        return db.execute("select coalesce(max(seq), 0) from article_changes").fetchone()[0], None
    rows = db.execute("select seq, article_id from article_changes").fetchall()
    return max((r[0] for r in rows), default=0), frozenset(r[1] for r in rows)


class ArticleTable(Mapping):
    """Every stored article by id (in id order), as an analysis reads them: the content hashes of
    all at once (`shas`), the Article records with their texts when asked for (a delta reads the
    texts of the articles it parses or quotes, not of the corpus)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # the hashes and the change log (`article_changes`) of one moment: read in one transaction
        # (an analysis' save clears the log's entries up to `changes_seq`, all of which it saw)
        with db.atomic():
            self.shas: dict[str, str] = dict(db.execute("select id, sha256 from articles order by id").fetchall())
            self.changes_seq, self.changes = article_changes(db)
        self._rows: dict[str, Article] = {}

    def fetch(self, ids: Iterable[str]) -> None:
        """Read the records of these articles that are not read yet, at once."""
        want = [a for a in ids if a not in self._rows and a in self.shas]
        if want:
            self._rows.update((a.id, a) for a in load_articles(self._db, want))

    def __getitem__(self, aid: str) -> Article:
        if aid not in self._rows:
            if aid not in self.shas:
                raise KeyError(aid)
            self.fetch([aid])
        return self._rows[aid]

    def __contains__(self, aid) -> bool:
        return aid in self.shas

    def __iter__(self):
        return iter(self.shas)

    def __len__(self) -> int:
        return len(self.shas)

    def values(self) -> list[Article]:            # (every record: read at once)
        self.fetch(self.shas)
        return [self._rows[a] for a in self.shas]

    def items(self) -> list[tuple[str, Article]]:
        return list(zip(self.shas, self.values()))


def article_by_hash(db: Database, sha: str) -> str | None:
    rows = list(db.query("select id from articles where sha256 = ? limit 1", [sha]))
    return rows[0]["id"] if rows else None


def load_articles(db: Database, ids: Iterable[str] | None = None) -> list[Article]:
    if ids is None:
        return [_article(r) for r in db.query("select * from articles order by id")]
    rows = _rows_in(db, "select * from articles where id in ({})", sorted(set(ids)))
    return [_article(r) for r in sorted(rows, key=lambda r: r["id"])]


def _iter_in(db: Database, sql: str, keys: Iterable[str], before: Sequence = (), after: Sequence = (),
             chunk: int = 500) -> Iterator[tuple]:
    """Runs `sql` (one "in ({})" placeholder: a select, or a delete) for `keys`, in chunks of at
    most `chunk` keys, and yields the plain rows one at a time; `before` / `after`: the parameters
    around the placeholder's."""
    for query, part in _chunked(sql, keys, chunk):
        yield from db.execute(query, [*before, *part, *after])


def _chunked(sql: str, keys: Iterable[str], chunk: int) -> Iterator[tuple[str, list[str]]]:
    """`sql` (one "in ({})" placeholder) with its placeholders filled for each chunk of at most
    `chunk` keys, and that chunk."""
    keys = list(keys)
    for i in range(0, len(keys), chunk):
        part = keys[i:i + chunk]
        yield sql.format(",".join("?" * len(part))), part


def _tuples_in(db: Database, sql: str, keys: Iterable[str], before: Sequence = (), after: Sequence = (),
               chunk: int = 500) -> list[tuple]:
    """`_iter_in`'s rows as a list."""
    return list(_iter_in(db, sql, keys, before, after, chunk))


def _deleted_in(db: Database, sql: str, keys: Iterable[str], chunk: int = 500) -> int:
    """Runs the delete `sql` (one "in ({})" placeholder) for `keys` in chunks; the rows it deleted."""
    return sum(db.execute(query, part).rowcount for query, part in _chunked(sql, keys, chunk))


def _rows_of_articles(db: Database, select: str, among: Iterable[str] | None, where: str = "",
                      params: Sequence = ()) -> list[tuple]:
    """The plain rows of `select` (with the condition `where` on `params`, if any) of every
    article, or of the `among` articles only (by `article_id`)."""
    if among is None:
        return db.execute(select + (f" where {where}" if where else ""), list(params)).fetchall()
    return _tuples_in(db, f"{select} where {where + ' and ' if where else ''}article_id in ({{}})", sorted(among),
                      before=params)


def _rows_in(db: Database, sql: str, keys: Sequence[str], chunk: int = 500) -> list[dict]:
    """Rows of `sql` (one "in ({})" placeholder) for `keys`, in chunks of at most `chunk` keys."""
    return [row for query, part in _chunked(sql, keys, chunk) for row in db.query(query, part)]


def save_article(db: Database, article: Article, sentences: Sequence[Sentence],
                 claims: Sequence[Claim], abs_path: str | None = None, file_stamp: str | None = None) -> None:
    """Replace one article and its sentences and claims, all or nothing. `abs_path`: the absolute
    path of the file it was read from (what pruning checks); `file_stamp`: that file's size and
    time when it was read (`pipeline.file_stamp`)."""
    with db.atomic():
        _delete_article_rows(db, article.id)
        db.table("articles").insert({**_article_row(article), "abs_path": abs_path, "file_stamp": file_stamp},
                                    replace=True)
        db.table("sentences").insert_all(
            ({"id": s.id, "article_id": s.article_id, "idx": s.index, "start": s.start,
              "end": s.end, "text": s.text, "kind": s.kind} for s in sentences), replace=True)
        db.table("claims").insert_all(
            ({"id": c.id, "article_id": c.article_id, "sentence_id": c.sentence_id,
              "idx": c.index, "start": c.start, "end": c.end, "text": c.text,
              "standalone": c.standalone, "speaker": c.speaker} for c in claims), replace=True)


def _delete_article_rows(db: Database, article_id: str) -> None:
    for table in ("claim_facts", "fluency"):
        db.execute(f"delete from {table} where article_id = ?", [article_id])
    # its verdicts are gone: its fluency-context terms no longer stand for its content, so the next
    # analysis takes it for a changed (or removed) article (their other rows are its old terms)
    db.execute("update fluency_terms set key = '' where article_id = ? and kind = 'a'", [article_id])
    db.execute("delete from claims where article_id = ?", [article_id])
    db.execute("delete from sentences where article_id = ?", [article_id])
    db.execute("delete from articles where id = ?", [article_id])


def set_file_stamps(db: Database, stamps: Mapping[str, str | None]) -> None:
    """article id -> its file's stamp (`pipeline.file_stamp`; None: none to trust)."""
    with db.atomic():
        db.conn.executemany("update articles set file_stamp = ? where id = ? and file_stamp is not ?",
                            [(v, a, v) for a, v in stamps.items()])


def set_article_paths(db: Database, paths: Mapping[str, str], files: Mapping[str, str] | None = None) -> None:
    """article id -> the absolute path of the file it was just read from (unchanged articles);
    `files`: article id -> the file as named when read, which a file moved elsewhere (another
    absolute path than the stored one) takes; the same file named from another folder keeps the
    name it was stored under."""
    with db.atomic():
        db.conn.executemany("update articles set file = ? where id = ? and abs_path != ?",
                            [(f, a, paths[a]) for a, f in (files or {}).items() if a in paths])
        db.conn.executemany("update articles set abs_path = ? where id = ? and abs_path is not ?",
                            [(p, a, p) for a, p in paths.items()])


def delete_article(db: Database, article_id: str) -> None:
    with db.atomic():
        _delete_article_rows(db, article_id)


# ---------------------------------------------------------------- sentences, claims

def load_sentences(db: Database, article_id: str | None = None) -> list[Sentence]:
    where, args = ("where article_id = ?", [article_id]) if article_id else ("", [])
    # plain tuples in the records' field order: a whole corpus loads in a third of the time
    rows = db.execute(f"select id, article_id, idx, start, [end], text, kind from sentences {where} "
                      "order by article_id, idx", args)
    return list(itertools.starmap(Sentence, rows))


class Sentences:
    """The stored sentences for an analysis, read per article when asked for, so that a delta
    reads the sentences of the articles it looks at, not the corpus; `articles_of` the articles of
    some sentences; `all()` and `article_of` read every row (the full path)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._article_of: dict[str, str] | None = None
        self._known: dict[str, str] = {}           # sentence id -> article, of the rows looked up
        self._rows: dict[str, list[Sentence]] = {}
        self._all: list[Sentence] | None = None
        self._len = count_rows(db, "sentences")

    def __len__(self) -> int:
        return self._len

    @property
    def article_of(self) -> dict[str, str]:
        """Every sentence id -> its article."""
        if self._article_of is None:
            self._article_of = dict(self._db.execute("select id, article_id from sentences"))
        return self._article_of

    def articles_of(self, ids: Iterable[str]) -> dict[str, str]:
        """sentence id -> its article, for these ids (unknown ids left out)."""
        if self._article_of is not None:
            return {i: self._article_of[i] for i in ids if i in self._article_of}
        ids = set(ids)
        want = [i for i in ids if i not in self._known]
        self._known.update(_tuples_in(self._db, "select id, article_id from sentences where id in ({})", want))
        return {i: self._known[i] for i in ids if i in self._known}

    def of(self, article_ids: Iterable[str]) -> list[Sentence]:
        """The sentences of `article_ids`, article by article in the given order, each in text order."""
        article_ids = list(article_ids)
        want = sorted({a for a in article_ids if a not in self._rows})
        for a in want:
            self._rows[a] = []
        for r in _tuples_in(self._db, "select id, article_id, idx, start, [end], text, kind from sentences "
                            "where article_id in ({}) order by article_id, idx", want):
            self._rows[r[1]].append(Sentence(*r))
        return [x for a in article_ids for x in self._rows[a]]

    def by_ids(self, ids: Iterable[str]) -> list[Sentence]:
        """The sentences of `ids` (unknown ids left out), in (article, text) order."""
        ids = set(ids)
        arts = sorted(set(self.articles_of(ids).values()))
        return [x for x in self.of(arts) if x.id in ids]

    def all(self) -> list[Sentence]:
        if self._all is None:
            self._all = load_sentences(self._db)
            self._rows = {}
            for x in self._all:
                self._rows.setdefault(x.article_id, []).append(x)
        return self._all


def load_claims(db: Database, article_id: str | None = None) -> list[Claim]:
    where, args = ("where article_id = ?", [article_id]) if article_id else ("", [])
    rows = db.execute(f"select id, article_id, sentence_id, idx, start, [end], text, standalone, speaker "
                      f"from claims {where} order by article_id, idx", args)
    return list(itertools.starmap(Claim, rows))


_CLAIM_COLUMNS = "id, article_id, sentence_id, idx, start, [end], text, standalone, speaker"
# the claim rows at some (article, place) pairs, by a join with their list (which searches index
# m039 for each: "(article_id, idx) in (values ...)" scans the table); {} holds the list's rows
_CLAIMS_AT_PLACES = ("with k(a, i) as (values {}) select "
                     + ", ".join(f"c.{x.strip()}" for x in _CLAIM_COLUMNS.split(","))
                     + " from k join claims c on c.article_id = k.a and c.idx = k.i")


_SEP_FIELD, _SEP_ITEM, _NONE = "\x1e", "\x1f", "\x00"
# past this many articles whose claim columns were read one at a time, a claim table reads every
# article's at once
_COLUMN_SINGLES = 64


def _encode_columns(ids: Sequence[str], sentences: Sequence[str], speakers: Sequence[str | None],
                    keys: Sequence[str]) -> str:
    """One article's claim columns as one string: four fields of items, split by control
    characters (a tenth of the cost of JSON to read, and every analysis reads every article's);
    JSON when a value holds one of those characters."""
    fields = (ids, sentences, [_NONE if s is None else s for s in speakers], keys)
    if not ids or any(_SEP_FIELD in v or _SEP_ITEM in v for f in (ids, sentences, keys) for v in f) or any(
            s is not None and (_SEP_FIELD in s or _SEP_ITEM in s or _NONE in s) for s in speakers):
        return json.dumps({"ids": list(ids), "sentences": list(sentences), "speakers": list(speakers),
                           "keys": list(keys)}, separators=(",", ":"))
    return _SEP_FIELD.join(_SEP_ITEM.join(f) for f in fields)


def _decode_columns(body: str) -> tuple[list[str], list[str], list[str | None], list[str]]:
    """`_encode_columns` read back (ids, sentences, speakers, keys)."""
    if body.startswith("{"):
        v = json.loads(body)
        return v["ids"], v["sentences"], v["speakers"], v["keys"]
    ids, sentences, speakers, keys = (f.split(_SEP_ITEM) for f in body.split(_SEP_FIELD))
    return ids, sentences, [None if s == _NONE else s for s in speakers], keys


_NO_ITEMS = (None, None, None, None)     # (an article's items of no column split yet)


class _ArticleColumns:
    """The claim table's four columns (ids, sentence ids, speakers, vector keys) per article, in
    table order. A stored article's are its `claim_columns` body, read when one of its items is
    first asked for (with `load`: the bodies of many articles at once, or of every one) and split
    then (that article's field alone); an article read afresh has them as lists. A pass over
    every claim of one column reads every body and splits that field of all at once (`flat`).

    Reading the bodies and making one string per claim is most of what the columns cost (a delta
    against a large corpus asks for a few articles' items, and at most for one column of every
    claim)."""

    def __init__(self, load: Callable[[list[str] | None], Iterable[tuple[str, str]]] | None = None) -> None:
        self.names: list[str] = []
        self.starts: list[int] = [0]                 # each article's first position, then the count
        self._bodies: list[str | None] = []          # (None: an article read afresh, or a body not read yet)
        self._unread: dict[str, int] = {}            # stored article -> its index, body not read yet
        self._fields: list[list[str] | None] = []    # a body's four fields, once cut
        self._lists: dict[int, list[list | None]] = {}   # per article (its index) and column its
                                                         # items, once split (none: not yet)
        self._flat: list[list | None] = [None] * 4   # per column every item, once made
        self._stamps: list[str | None] = []          # per article its ids' stamp (None: not made yet)
        self._load = load                            # (article names, or None: every one) -> (name, body)
        self._singles = 0                            # bodies read one article at a time so far

    def __len__(self) -> int:
        return len(self.names)

    def add(self, name: str, body: str | None = None, lists: Sequence[list] | None = None) -> None:
        """An article's columns: its stored body, or its lists (ids, sentences, speakers, keys)."""
        if body is None:
            self._lists[len(self.names)] = list(lists)
        self.names.append(name)
        self.starts.append(self.starts[-1] + (len(lists[0]) if body is None else 0))
        self._bodies.append(None)
        self._fields.append(None)
        self._stamps.append(None)
        self._flat = [None] * 4
        if body is not None:
            self._set_body(len(self.names) - 1, body, count=None)

    def extend(self, names: Sequence[str], counts: Sequence[int], stamps: Sequence[str | None]) -> None:
        """Stored articles whose bodies are read when asked for (`load`), with their claims'
        counts and their ids' stamps as stored, at once (every analysis adds most of a corpus' so)."""
        self._unread.update(zip(names, range(len(self.names), len(self.names) + len(names))))
        self.names += names
        self.starts += list(itertools.accumulate(counts, initial=self.starts[-1]))[1:]
        self._bodies += [None] * len(names)
        self._fields += [None] * len(names)
        self._stamps += stamps
        self._flat = [None] * 4

    def _set_body(self, j: int, body: str, count: int | None) -> None:
        if body.startswith("{"):                     # (a JSON body: read now)
            lists = _decode_columns(body)
            got = len(lists[0])
            self._lists[j] = [mine if mine is not None else list(x)
                              for mine, x in zip(self._lists.get(j, _NO_ITEMS), lists)]
        else:
            got = body.count(_SEP_ITEM, 0, body.find(_SEP_FIELD)) + 1
            self._bodies[j] = body
        if count is None:
            self.starts[-1] += got
        elif got != count:
            raise ValueError(f"the stored claim columns of {self.names[j]} changed during the analysis")

    def _need(self, js: Iterable[int] | None = None) -> None:
        """Read the bodies of these articles (None: of every one) not read yet, at once. Past
        `_COLUMN_SINGLES` articles read one at a time, every body is read."""
        if not self._unread:
            return
        if js is None:
            want = None
        else:
            want = [self.names[j] for j in js if self.names[j] in self._unread]
            if not want:
                return
            if len(want) == 1:
                self._singles += 1
                if self._singles > _COLUMN_SINGLES:
                    want = None
        if want is None or len(want) > len(self._unread) // 4:
            want = None
        for name, body in self._load(want):
            j = self._unread.pop(name, None)
            if j is not None:
                self._set_body(j, body, self.starts[j + 1] - self.starts[j])
        if want is None and self._unread or want is not None and any(a in self._unread for a in want):
            raise ValueError("stored claim columns went missing during the analysis")

    def at(self, i: int) -> int:
        """The article holding position i."""
        return bisect.bisect_right(self.starts, i) - 1

    def _cut(self, j: int) -> list[str]:
        fields = self._fields[j]
        if fields is None:
            fields = self._fields[j] = self._bodies[j].split(_SEP_FIELD)
        return fields

    def prefetch(self, lo: int, hi: int) -> None:
        """Read at once the bodies of the articles holding positions lo..hi-1."""
        if self._unread and lo < hi:
            self._need(range(self.at(lo), self.at(hi - 1) + 1))

    def items(self, j: int, k: int) -> list:
        """Article j's items of column k."""
        flat = self._flat[k]
        if flat is not None:
            return flat[self.starts[j]:self.starts[j + 1]]
        got = self._lists.get(j, _NO_ITEMS)[k]
        if got is None and self.names[j] in self._unread:
            self._need((j,))
            got = self._lists.get(j, _NO_ITEMS)[k]
        if got is None:
            got = self._cut(j)[k].split(_SEP_ITEM)
            if k == 2 and _NONE in got:
                got = [None if s == _NONE else s for s in got]
            self._lists.setdefault(j, [None] * 4)[k] = got
        return got

    def known_item(self, j: int, k: int, i: int):
        """The item of column k at position i (of article j) if that article's body is read
        already, else None (nothing is read)."""
        if self._flat[k] is not None:
            return self._flat[k][i]
        if self.names[j] in self._unread:
            return None
        return self.items(j, k)[i - self.starts[j]]

    def whole(self, k: int) -> list | None:
        """Column k end to end, if made already (`flat`)."""
        return self._flat[k]

    def item(self, j: int, k: int, at: int):
        """Article j's item `at` of column k."""
        flat = self._flat[k]
        return flat[self.starts[j] + at] if flat is not None else self.items(j, k)[at]

    def flat(self, k: int) -> list:
        """Column k, every article's items end to end: runs of bodies not split yet split at once."""
        flat = self._flat[k]
        if flat is None:
            self._need()
            flat = []
            n, j = len(self.names), 0
            while j < n:
                if self._lists.get(j, _NO_ITEMS)[k] is not None:
                    flat += self._lists[j][k]
                    j += 1
                    continue
                end = j
                while end < n and self._lists.get(end, _NO_ITEMS)[k] is None:
                    end += 1
                run = _SEP_ITEM.join([self._cut(x)[k] for x in range(j, end)]).split(_SEP_ITEM)
                if k == 2 and _NONE in run:
                    run = [None if s == _NONE else s for s in run]
                flat += run
                j = end
            self._flat[k] = flat
            for lists in self._lists.values():       # (each article's items are now read from it)
                lists[k] = None
        return flat

    def set_items(self, j: int, k: int, items: list) -> None:
        """Replace article j's items of column k (as many as it has)."""
        if self._flat[k] is not None:
            self._flat[k][self.starts[j]:self.starts[j + 1]] = items
        else:
            self._lists.setdefault(j, [None] * 4)[k] = items

    def stamps(self) -> list[str]:
        """Per article the stamp of its ids (`records.ids_stamp`): as stored, else made from them."""
        got = self._stamps
        if None in got:
            for j in [j for j, x in enumerate(got) if x is None]:
                got[j] = ids_stamp(self.items(j, 0))
        return got


class _Column(ListLike):
    """One column of a claim table by position (`_ArticleColumns`; k None: each claim's article)."""

    def __init__(self, cols: _ArticleColumns, k: int | None) -> None:
        self._c, self._k = cols, k

    def __len__(self) -> int:
        return self._c.starts[-1]

    def _part(self, j: int) -> list:
        c = self._c
        if self._k is None:
            return [c.names[j]] * (c.starts[j + 1] - c.starts[j])
        return c.items(j, self._k)

    def __getitem__(self, i):
        c, k = self._c, self._k
        if k is not None and c._flat[k] is not None:
            return c._flat[k][i]
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            if step != 1:
                return [self[x] for x in range(lo, hi, step)]
            if k is not None:
                c.prefetch(lo, hi)
            out: list = []
            j = c.at(lo) if lo < hi else len(c)
            while j < len(c) and c.starts[j] < hi:
                s = c.starts[j]
                out += self._part(j)[max(lo, s) - s:min(hi, c.starts[j + 1]) - s]
                j += 1
            return out
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        j = c.at(i)
        if k is None:
            return c.names[j]
        return c.items(j, k)[i - c.starts[j]]

    def __iter__(self):
        c = self._c
        if self._k is None:
            return itertools.chain.from_iterable(map(itertools.repeat, c.names, np.diff(c.starts).tolist()))
        return iter(c.flat(self._k))


def _claim_heads(db: Database, version: str, shas: Mapping[str, str], among: Iterable[str] | None = None
                 ) -> tuple[list[str], list[str], list[str], list[int]]:
    """(articles, embedders, stamps, numbers of claims), in article order, of the `claim_columns`
    heads under these extraction rules (of the `among` articles only, when given; the index m029
    adds holds them: the bodies are not read) that are those of the articles' content now and
    hold their number of claims."""
    rows = sorted(r for r in _rows_of_articles(db, "select article_id, sha256, embedder, stamp, n from claim_columns "
                                                   "indexed by claim_columns_head", among, "version = ?", [version])
                  if r[4] is not None and shas.get(r[0]) == r[1])
    names, _, embedders, stamps, counts = (list(c) for c in zip(*rows)) if rows else ([],) * 5
    return names, embedders, stamps, counts


def _claim_heads_kept(db: Database, version: str, shas: Mapping[str, str], changes: Collection[str]
                      ) -> tuple[list[str], list[str], list[str], list[int]] | None:
    """`_claim_heads` of every article, without reading every head: the heads the last analysis
    saved with its rows (`ClaimTable.heads_state`), but for the articles the store's log holds
    since (`changes`: stored, replaced or deleted), whose rows are read as they are now. None
    when no such heads are saved under these extraction rules, or when the number of rows is not
    theirs."""
    raw = get_state(db, "claim_heads")
    got = json.loads(raw) if raw else None
    if not isinstance(got, dict) or got.get("version") != version:
        return None
    names, stamps, counts = got["names"], got["stamps"], got["counts"]
    embedders = list(itertools.chain.from_iterable(itertools.repeat(e, k) for e, k in got["embedders"]))
    if not len(names) == len(stamps) == len(counts) == len(embedders):
        return None
    # (the rows are those the heads were saved with, as far as their number tells: only an
    # analysis' save writes them)
    if db.execute("select count(*) from claim_columns indexed by claim_columns_head where version = ?",
                  [version]).fetchone()[0] != len(names):
        return None
    # (an article not in the store now left it: the log holds it too)
    keep = list(map(operator.and_, map(shas.__contains__, names),
                    map(operator.not_, map(changes.__contains__, names))))
    if not all(keep):
        names, embedders, stamps, counts = (list(itertools.compress(c, keep))
                                            for c in (names, embedders, stamps, counts))
    logged = _claim_heads(db, version, shas, [a for a in changes if a in shas]) if changes else ([],) * 4
    for j, a in enumerate(logged[0]):
        at = bisect.bisect_left(names, a)
        for col, got_col in zip((names, embedders, stamps, counts), logged):
            col.insert(at, got_col[j])
    return names, embedders, stamps, counts


class ClaimTable(Sequence):
    """Every stored claim, in (article, index) order, as an analysis reads them: per claim its
    id, article, sentence and speaker (`ids`, `article_ids`, `sentence_ids`, `speakers`), the
    Claim records when asked for (by position, `by_id`, or all of them by iterating).

    With `use_columns`, the per-article rows the previous analysis left in `claim_columns` (those
    columns and each claim's embeddings-cache key, under the same extraction rules `version`)
    stand for the claims of the articles whose content did not change, so that a delta reads the
    claim rows of the new and changed articles only; otherwise every row is read. The columns of
    those rows are split when asked for (`_ArticleColumns`): a delta asks for a few articles'.
    With `changes` too (the articles the store's log holds since the last analysis, when it
    stands: `store.article_changes`), those rows' heads are the ones that analysis saved
    (`heads_state`), but for the logged articles', which are read."""

    def __init__(self, db: Database, shas: Mapping[str, str], version: str, use_columns: bool = True,
                 changes: Collection[str] | None = None) -> None:
        self._db, self._version = db, version
        self._claims: dict[int, Claim] = {}
        self._refs: dict[int, ClaimRef] = {}         # (what `ref` gives, read with a position looked up)
        self._shas = dict(shas)
        self._position: _Positions | None = None
        heads = None
        if use_columns and changes is not None:
            heads = _claim_heads_kept(db, version, shas, changes)
        if use_columns and heads is None:
            heads = _claim_heads(db, version, shas)           # (every article's)
        names, embedders, stamps, counts = heads if heads is not None else ([],) * 4
        # the articles whose stored columns are not those of their claims now: written at save
        self.rewrite: set[str] = set(shas).difference(names)
        self.rewrite_all = not names
        self._stored_embedder = dict(zip(names, embedders))
        if not names:
            self._read_all()
            return
        by_article: dict[str, list[Claim]] = {}
        for r in _tuples_in(db, f"select {_CLAIM_COLUMNS} from claims where article_id in ({{}}) "
                                "order by article_id, idx", sorted(self.rewrite)):
            by_article.setdefault(r[1], []).append(Claim(*r))
        cols = self._cols = _ArticleColumns(self._read_bodies)
        self._keys_of: dict[str, str | None] = dict(self._stored_embedder)   # article -> the embedder its keys are of
        self._keys_all: str | None = None            # the embedder every article's keys are of, once made so
        # runs of stored articles are added at once, the articles read afresh one by one, in order
        lo = 0
        for a in sorted(by_article):
            hi = bisect.bisect_left(names, a, lo)
            cols.extend(names[lo:hi], counts[lo:hi], stamps[lo:hi])
            lo = hi
            mine = by_article[a]
            for i, c in enumerate(mine, start=cols.starts[-1]):
                self._claims[i] = c
            cols.add(a, lists=([c.id for c in mine], [c.sentence_id for c in mine], [c.speaker for c in mine],
                               [None] * len(mine)))
            self._keys_of[a] = None
        cols.extend(names[lo:], counts[lo:], stamps[lo:])
        self._set_spans()
        if count_rows(db, "claims") != len(self):   # the store changed other than through its files
            self._read_all()

    def heads_state(self) -> str:
        """What the next analysis reads instead of every stored article's `claim_columns` head
        while the store's log of article changes stands (`_claim_heads_kept`): per article with
        claims, in order, its stamp, number of claims and the embedder of its stored keys. Made
        after `columns`, whose rows the save writes with it."""
        c = self._cols
        return json.dumps({"version": self._version, "names": c.names, "stamps": c.stamps(),
                           "counts": np.diff(np.asarray(c.starts, dtype=np.int64)).tolist(),
                           "embedders": [[e, len(list(g))] for e, g in itertools.groupby(
                               map(self._keys_of.get, c.names))]}, separators=(",", ":"))

    def _read_bodies(self, articles: list[str] | None) -> Iterator[tuple[str, str]]:
        """(article, body) of the stored claim columns of these articles (None: of every one)."""
        if articles is None:
            return iter(self._db.execute("select article_id, body from claim_columns where version = ?",
                                         [self._version]))
        return _iter_in(self._db, "select article_id, body from claim_columns where version = ? and article_id in ({})",
                        articles, before=[self._version])

    def _set_spans(self) -> None:
        c = self._cols
        # per article, its claims' positions
        self.spans: dict[str, range] = dict(zip(c.names, itertools.starmap(range, zip(c.starts, c.starts[1:]))))

    def _read_all(self) -> None:
        claims = load_claims(self._db)
        self._claims, self._stored_embedder, self._refs = dict(enumerate(claims)), {}, {}
        cols = self._cols = _ArticleColumns()
        for a, group in itertools.groupby(claims, key=lambda c: c.article_id):    # (in article order)
            mine = list(group)
            cols.add(a, lists=([c.id for c in mine], [c.sentence_id for c in mine], [c.speaker for c in mine],
                               [None] * len(mine)))
        for k in range(4):
            cols.flat(k)
        self._keys_of = dict.fromkeys(cols.names)
        self._keys_all = None
        self._set_spans()
        self._position = None
        self.rewrite, self.rewrite_all = set(self._shas), True

    def _column(self, k: int | None) -> Sequence:
        # (a column made whole already is given as its list)
        flat = self._cols.whole(k) if k is not None else None
        return flat if flat is not None else _Column(self._cols, k)

    @property
    def ids(self) -> Sequence[str]:
        return self._column(0)

    @property
    def article_ids(self) -> Sequence[str]:
        return self._column(None)

    @property
    def sentence_ids(self) -> Sequence[str]:
        return self._column(1)

    @property
    def speakers(self) -> Sequence[str | None]:
        return self._column(2)

    @property
    def shas(self) -> Mapping[str, str]:
        """article -> its content hash (every article of the analysis)."""
        return self._shas

    @property
    def version(self) -> str:
        """The extraction rules the claims were read under."""
        return self._version

    def vector_rows(self, embedder: str, vectors: np.ndarray, articles: Iterable[str],
                    numbers: Mapping[str, int], with_vectors: bool
                    ) -> dict[str, tuple[str, str, str, bytes | None, bytes] | None]:
        """The `claim_vectors` rows of these articles: (content hash, extraction rules, embedder,
        its claims' vectors as float32 bytes in claim order when `with_vectors`, their numbers in
        the embeddings cache as int64 bytes (`numbers`: key -> number)), None for an article
        without claims."""
        out: dict[str, tuple[str, str, str, bytes | None, bytes] | None] = {}
        keys = self.vector_keys(embedder)
        for a in articles:
            r = self.spans.get(a)
            if not r:
                out[a] = None
                continue
            refs = np.fromiter((numbers[k] for k in keys[r.start:r.stop]), dtype="<i8", count=len(r)).tobytes()
            out[a] = (self._shas.get(a, ""), self._version, embedder,
                      np.ascontiguousarray(vectors[r.start:r.stop], dtype="<f4").tobytes() if with_vectors else None,
                      refs)
        return out

    def columns(self, embedder: str) -> dict[str, tuple[str, str, str, str, str, int] | None]:
        """The `claim_columns` rows to write for the next analysis: article -> (content hash,
        extraction rules, embedder, its claims' columns and vector keys under `embedder`, encoded
        by `_encode_columns`, the stamp of its ids, their number), None for an article without
        claims; every article's with `rewrite_all`, else those of `rewrite` and of the articles
        whose stored keys are another embedder's."""
        self._keys_under(embedder)
        got = self._stored_embedder
        want = set(self.rewrite).union(itertools.compress(got, map(operator.ne, got.values(), itertools.repeat(embedder))))
        out: dict[str, tuple[str, str, str, str, str, int] | None] = {a: None for a in want}
        c = self._cols
        if self.rewrite_all:
            js: Iterable[int] = range(len(c.names))
        else:
            index = dict(zip(c.names, range(len(c.names))))
            js = sorted(j for j in map(index.get, want) if j is not None)
        for j in js:
            ids = c.items(j, 0)
            out[c.names[j]] = (self._shas.get(c.names[j], ""), self._version, embedder,
                               _encode_columns(*(c.items(j, k) for k in range(4))), ids_stamp(ids), len(ids))
        return out

    def stamps(self) -> list[str]:
        """Per article (in the order of `spans`) the stamp of its claims' ids (`records.ids_stamp`)."""
        return self._cols.stamps()

    def _keys_under(self, embedder: str) -> None:
        # the articles whose keys are not of this embedder: their claims' texts hashed
        if self._keys_all == embedder:
            return
        c = self._cols
        odd = itertools.compress(range(len(c.names)),
                                 map(operator.ne, map(self._keys_of.get, c.names), itertools.repeat(embedder)))
        todo = [(j, self.spans[c.names[j]]) for j in odd]
        self.fetch(i for _, r in todo for i in r)
        for j, r in todo:
            c.set_items(j, 3, [vector_key(embedder, self._claims[i].standalone) for i in r])
            self._keys_of[c.names[j]] = embedder
        self._keys_all = embedder

    def vector_keys(self, embedder: str) -> Sequence[str]:
        """Each claim's key in the embeddings cache (of its standalone text) under `embedder`."""
        self._keys_under(embedder)
        return self._column(3)

    def run_lengths(self) -> np.ndarray:
        """Per article (in the order of `spans`, whose ranges run end to end) its number of claims."""
        return np.diff(self.article_starts())

    def article_starts(self) -> np.ndarray:
        """Per article (in the order of `spans`, whose ranges run end to end) its first position,
        then the number of claims."""
        return np.asarray(self._cols.starts, dtype=np.int64)

    def read_claim(self, i: int) -> Claim | None:
        """The Claim record at position i if it is read already (None: not read)."""
        return self._claims.get(i)

    def known_id(self, i: int) -> str | None:
        """The id at position i if its article's columns are read already (None: not read)."""
        return self._cols.known_item(self._cols.at(i), 0, i)

    def fetch(self, positions: Iterable[int]) -> None:
        """Read the Claim records at these positions that are not read yet, at once: by their
        articles and places among those articles' claims (index m039), so that the articles'
        columns are not read for their ids."""
        cols = self._cols
        want = sorted({i for i in positions if i not in self._claims})
        if not want:
            return
        keys = [(cols.names[j], i - cols.starts[j]) for i, j in zip(want, map(cols.at, want))]
        got = 0
        for part in range(0, len(keys), 400):
            chunk = keys[part:part + 400]
            sql = _CLAIMS_AT_PLACES.format(",".join(["(?, ?)"] * len(chunk)))
            for r in self._db.execute(sql, [x for key in chunk for x in key]):
                i = self.spans[r[1]].start + r[3]
                if self.known_id(i) not in (None, r[0]):
                    raise ValueError(f"the stored claims of {r[1]} changed during the analysis")
                self._claims[i] = Claim(*r)
                got += 1
        if got != len(want):
            raise ValueError("stored claims went missing during the analysis")

    @property
    def position(self) -> Mapping[str, int]:
        """claim id -> its position."""
        if self._position is None:
            self._position = _Positions(self)
        return self._position

    def ids_in(self, articles: Iterable[str]) -> set[str]:
        """The ids of these articles' claims (through the articles' spans, not every claim)."""
        out: set[str] = set()
        ids = self.ids
        for a in articles:
            r = self.spans.get(a)
            if r is not None:
                out.update(ids[r.start:r.stop])
        return out

    def in_sentences(self, sentence_ids: Sequence[str], articles: Sequence[str],
                     rows: np.ndarray | None = None) -> np.ndarray:
        """A bool per claim (per position of `rows`, if given): whether its sentence is one of
        `sentence_ids` (of `articles`, one for each). Only the sentence ids of those articles
        (and of the articles of `rows`) are looked at."""
        cols, hit = self._cols, []
        pairs: Iterable[tuple[str, str]] = zip(sentence_ids, articles, strict=True)
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            asked = set(map(cols.names.__getitem__,
                            np.unique(np.searchsorted(cols.starts, rows, side="right") - 1).tolist()))
            pairs = list(itertools.compress(pairs, map(asked.__contains__, articles)))
        of: dict[str, list[str]] = {}
        for s, a in pairs:
            of.setdefault(a, []).append(s)
        # the claims of those sentences by the sentences' ids (index m039), at their rows' `idx`
        # among their articles' claims: the articles' columns are not read
        for a, i in _tuples_in(self._db, "select article_id, idx from claims where sentence_id in ({})",
                               [s for mine in of.values() for s in mine]):
            r = self.spans.get(a)
            if r is None or a not in of:
                continue
            if not 0 <= i < len(r):
                raise ValueError(f"the stored claims of {a} changed during the analysis")
            hit.append(r.start + i)
        out = np.zeros(len(self), dtype=bool)
        out[hit] = True
        return out if rows is None else out[rows]

    def article_map(self) -> Mapping[str, str]:
        """claim id -> its article, looked up through `position` (no dict of every claim)."""
        articles = self.article_ids
        return _ClaimsById(self, lambda i: articles[i])

    def rows_in(self, articles: Iterable[str]) -> Iterator[int]:
        """The positions of these articles' claims (through the articles' spans)."""
        return itertools.chain.from_iterable(self.spans.get(a, ()) for a in articles)

    def positions(self, ids: Iterable[str]) -> list[int]:
        """The positions of these ids (unknown ids left out), in table order."""
        ids = set(ids)
        position = self.position
        position.look_up(ids)
        return sorted(p for c in ids if (p := position.get(c)) is not None)

    def ref(self, i: int) -> ClaimRef:
        """What scoring reads of the claim at position `i`: as read with its row when its position
        was looked up, or from its Claim record when read, else from the columns (no claim row is
        read)."""
        c = self._cols
        if i < 0:
            i += len(self)
        if (got := self._refs.get(i)) is not None:
            return got
        if (r := self._claims.get(i)) is not None:
            return ClaimRef(r.id, r.article_id, r.sentence_id, r.speaker)
        j = c.at(i)
        at = i - c.starts[j]
        return ClaimRef(c.item(j, 0, at), c.names[j], c.item(j, 1, at), c.item(j, 2, at))

    def of_ids(self, ids: Iterable[str]) -> list[Claim]:
        """The Claim records of these ids (unknown ids left out), in table order."""
        pos = self.positions(ids)
        self.fetch(pos)
        return [self._claims[i] for i in pos]

    def refs(self, ids: Iterable[str]) -> list[ClaimRef]:
        """`ref` of these ids (unknown ids left out), in table order: the claims whose articles'
        columns are not read have their rows read at once instead (the members of a cluster
        holding a claim of most articles would read every article's columns)."""
        pos = self.positions(ids)
        self.fetch(i for i in pos if i not in self._refs and self.known_id(i) is None)
        return [self.ref(i) for i in pos]

    @property
    def by_id(self) -> Mapping[str, Claim]:
        """claim id -> Claim, each read on first use."""
        return _ClaimsById(self, self.__getitem__)

    @property
    def ref_by_id(self) -> Mapping[str, ClaimRef]:
        """claim id -> what scoring reads of it (`refs`), from the columns."""
        return _ClaimsById(self, self.ref)

    def __len__(self) -> int:
        return self._cols.starts[-1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i not in self._claims:
            self.fetch([i])
        return self._claims[i]

    def __iter__(self):
        self.fetch(range(len(self)))
        return (self._claims[i] for i in range(len(self)))


# ids whose positions are looked up in the store before a map of every claim is made instead (or a
# sixteenth of the claims, if more); of ids asked for one at a time (a query each), this many
_POSITION_LOOKUPS = 1024
_POSITION_SINGLES = 64


class _Positions(Mapping):
    """claim id -> its position in a ClaimTable. An id is looked up in the store's `claims` rows
    (which the table holds, see `ClaimTable`): its article's first position plus its row's place
    among that article's claims (`idx`); past
    `_POSITION_LOOKUPS` ids asked for (`_POSITION_SINGLES` asked for one by one), a map of every
    claim is made instead."""

    def __init__(self, table: ClaimTable) -> None:
        self._t = table
        self._every: dict[str, int] | None = None
        self._known: dict[str, int | None] = {}
        self._asked = 0                              # ids looked up in the store so far
        self._singles = 0                            # ids looked up one at a time so far

    def _all(self) -> dict[str, int]:
        if self._every is None:
            ids = self._t.ids
            self._every = dict(zip(ids, range(len(ids))))
        return self._every

    def look_up(self, ids: Iterable[str]) -> None:
        """Find these ids' positions at once (before asking for them one by one)."""
        if self._every is not None:
            return
        want = [c for c in ids if c not in self._known]
        if not want:
            return
        self._asked += len(want)
        if self._asked > max(_POSITION_LOOKUPS, len(self._t) // 16):
            self._all()
            return
        t, found = self._t, dict.fromkeys(want)
        # a claim's place among its article's claims is its row's `idx` (the table holds each
        # article's claims in that order): its article's columns are not read; what scoring reads
        # of it (`ref`) comes with the row
        refs = {}
        for cid, a, i, sid, speaker in _tuples_in(
                t._db, "select id, article_id, idx, sentence_id, speaker from claims where id in ({})", want):
            r = t.spans.get(a)
            if r is None or not 0 <= i < len(r) or t.known_id(r.start + i) not in (None, cid):
                self._all()                     # (the rows are not the table's: every claim's map)
                return
            found[cid] = r.start + i
            refs[r.start + i] = ClaimRef(cid, a, sid, speaker)
        self._known.update(found)
        t._refs.update(refs)

    def learn(self, ids: Sequence[str], rows: Sequence[int]) -> None:
        """These ids are at these positions (the table's own ids, read at them by the caller):
        not looked up when asked for, nor counted among the ids looked up."""
        if self._every is None:
            self._known.update(zip(ids, rows))

    def get(self, cid, default=None):
        if self._every is None:
            if cid not in self._known:
                self._singles += 1
                if self._singles > _POSITION_SINGLES:
                    self._all()
                    return self._every.get(cid, default)
                self.look_up([cid])
            if self._every is None:
                p = self._known[cid]
                return default if p is None else p
        return self._every.get(cid, default)

    def __getitem__(self, cid: str) -> int:
        p = self.get(cid)
        if p is None:
            raise KeyError(cid)
        return p

    def __contains__(self, cid) -> bool:
        return self.get(cid) is not None

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._t)


class _ClaimsById(Mapping):
    """claim id -> `value(position)` of a ClaimTable (its Claim, ClaimRef or article)."""

    def __init__(self, table: ClaimTable, value) -> None:
        self._t, self._value = table, value

    def __getitem__(self, cid: str):
        return self._value(self._t.position[cid])

    def __contains__(self, cid) -> bool:
        return cid in self._t.position

    def look_up(self, ids: Iterable[str]) -> None:
        """Find these ids' positions at once (before asking for them one by one)."""
        self._t.position.look_up(ids)

    def __iter__(self):
        return iter(self._t.ids)

    def __len__(self) -> int:
        return len(self._t.ids)


# ---------------------------------------------------------------- embeddings cache

def _embedding_key(embedder: str, thash: str) -> str:
    return hashlib.sha256(f"{embedder}\x1f{thash}".encode()).hexdigest()


def vector_key(embedder: str, text: str) -> str:
    """The embeddings-cache key of `text`'s vector under `embedder`."""
    return _embedding_key(embedder, text_hash(text))


# past this share of the embeddings table's rows, the vectors asked for are read in one scan of the
# table rather than looked up key by key: for 36,000 distinct keys of a 40,000-row table the scan
# took 0.21-0.27 s against 0.38-0.41 s of look-ups, and for the 2,064 keys of the 2,005-article
# bench store 11-14 ms against 17-24 ms (a corpus asks for nearly all of its vectors)
_VECTOR_SCAN_SHARE = 0.3


def vector_width(db: Database, embedder: str) -> int | None:
    """The length in bytes of the cached vectors of this embedder (None: none cached)."""
    row = db.execute("select length(vector) from embeddings where embedder = ? limit 1", [embedder]).fetchone()
    return row[0] if row else None


def _cached_rows(db: Database, column: str, values: Sequence, embedder: str | None = None) -> Iterator[tuple]:
    """(value, number, float32 bytes) of the cached vectors (of `embedder`, if given) whose
    `column` ("key" or "num") is one of `values`: one scan of the table when they are most of it
    (`_VECTOR_SCAN_SHARE`), else looked up."""
    mine = " and embedder = ?" if embedder is not None else ""
    after = [embedder] if embedder is not None else []
    if len(values) >= 1000:
        top = db.execute("select max(rowid) from embeddings").fetchone()[0] or 0   # (>= its rows)
        if len(values) >= _VECTOR_SCAN_SHARE * top:
            wanted = set(values)
            yield from (r for r in db.execute(f"select {column}, num, vector from embeddings where 1{mine}", after)
                        if r[0] in wanted)
            return
    yield from _iter_in(db, f"select {column}, num, vector from embeddings where {column} in ({{}}){mine}",
                        values, after=after)


def cached_vector_bytes(db: Database, keys: Iterable[str], numbers: dict[str, int] | None = None
                        ) -> dict[str, bytes]:
    """key (`vector_key`) -> its stored vector as little-endian float32 bytes, for the keys present
    (`numbers`, if given: filled with key -> the vector's number)."""
    out: dict[str, bytes] = {}
    for key, num, vector in _cached_rows(db, "key", list(keys)):
        out[key] = vector
        if numbers is not None:
            numbers[key] = num
    return out


def store_vectors(db: Database, embedder: str, texts: Sequence[str], vectors: np.ndarray) -> None:
    """Cache these texts' vectors, each under the next number (`num`); a key cached already keeps
    its row and its number (its vector is the same: the key is the embedder's and the text's)."""
    with db.atomic():
        top = db.execute("select coalesce(max(num), 0) from embeddings").fetchone()[0]
        db.conn.executemany(
            "insert or ignore into embeddings (key, embedder, text_hash, dim, vector, num) values (?, ?, ?, ?, ?, ?)",
            ((_embedding_key(embedder, text_hash(t)), embedder, text_hash(t), int(v.shape[0]),
              np.asarray(v, dtype="<f4").tobytes(), top + 1 + i) for i, (t, v) in enumerate(zip(texts, vectors))))


def vector_numbers(db: Database, keys: Iterable[str]) -> dict[str, int]:
    """key (`vector_key`) -> the number of its cached vector, for the keys present."""
    return dict(_tuples_in(db, "select key, num from embeddings where key in ({})", list(dict.fromkeys(keys))))


def vectors_by_number(db: Database, numbers: np.ndarray, embedder: str) -> tuple[np.ndarray, list[bytes]]:
    """The cached vectors of `embedder` numbered `numbers` (distinct): (the numbers found, in no
    set order; their vectors' float32 bytes, in that order)."""
    rows = list(_cached_rows(db, "num", numbers.tolist(), embedder))
    return np.array([r[0] for r in rows], dtype=np.int64), [r[2] for r in rows]


# ---------------------------------------------------------------- per-sentence / per-article caches

def cached_fluency(db: Database, keys: Sequence[str]) -> dict[str, str]:
    """cache key -> stored local fluency signals (JSON), for the keys present."""
    out: dict[str, str] = {}
    keys = list(dict.fromkeys(keys))
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for r in db.query(f"select key, local from fluency_cache where key in ({marks})", chunk):
            out[r["key"]] = r["local"]
    return out


_NORM_COLUMNS = ("article_id", "sha256", "version", "names", "signature", "summary")


class _NamedRow(tuple):
    """A row as a tuple whose fields are also found by column name, as a dict's are (`_names`:
    name -> position, set per query): one per article of a large table is made in a tenth of the
    time of a dict."""

    __slots__ = ()
    _names: Mapping[str, int] = {}

    def __getitem__(self, k):
        return tuple.__getitem__(self, self._names[k] if isinstance(k, str) else k)

    def get(self, k: str, default=None):
        i = self._names.get(k)
        return default if i is None else tuple.__getitem__(self, i)

    def __contains__(self, k) -> bool:
        return k in self._names

    def keys(self):
        return self._names.keys()


def load_norm_cache(db: Database, article_ids: Iterable[str], names: bool = True,
                    summaries: bool = True) -> dict[str, Mapping]:
    """article id -> {sha256, version, names, signature, summary} of these articles' rows (JSON
    strings left as text; a row read as a mapping). The facts, most of the table's bytes, are read
    per article with `norm_cache_facts`; without `names`, the names too (`norm_cache_names`);
    without `summaries`, "summary" is 1 when the row has one (`norm_cache_summaries` reads them).
    Every row's head is `norm_cache_heads`."""
    columns = [c for c in _NORM_COLUMNS if names or c != "names"]
    sql = "select " + ", ".join(c if summaries or c != "summary" else "summary is not null" for c in columns)
    row = type("NormRow", (_NamedRow,), {"__slots__": (), "_names": {c: i for i, c in enumerate(columns)}})
    return {r[0]: row(r) for r in _tuples_in(db, sql + " from norm_cache where article_id in ({})", article_ids)}


def norm_cache_heads(db: Database, version: str, among: Iterable[str] | None = None) -> list[tuple[str, str, int]]:
    """(article id, content hash, 1 when it holds a summary) of the cached rows made under these
    rules (of the `among` articles only, when given), read from the index m022 adds (every column
    is in it: the rows' overflow pages, which hold the facts, are not read)."""
    return _rows_of_articles(db, "select article_id, sha256, summary is not null from norm_cache "
                                 "indexed by norm_cache_head", among, "version = ?", [version])


def norm_cache_unsummarised(db: Database, version: str) -> set[str]:
    """The articles whose cached row made under these rules holds no summary (a scan of m022's
    index that returns those rows alone: a store from before m007 has them)."""
    return {r[0] for r in db.execute("select article_id from norm_cache indexed by norm_cache_head "
                                     "where version = ? and (summary is not null) = 0", [version])}


def norm_merge_articles(db: Database, among: Iterable[str] | None = None) -> dict[str, str]:
    """The articles the stored input of the entity merge (state "norm_merge") holds -> the content
    hash of what each contributed (of the `among` articles only, when given)."""
    return dict(_rows_of_articles(db, "select article_id, sha256 from norm_merge_articles", among))


def norm_cache_summaries(db: Database, article_ids: Iterable[str]) -> list[str]:
    """The cached fact summaries (JSON) of these articles."""
    return [r[0] for r in _tuples_in(db, "select summary from norm_cache where article_id in ({})", article_ids)]


# the candidate-key index and the offices per entity of the pair checks (migration m016)

def fact_index_rows_of(db: Database, article_ids: Iterable[str]) -> tuple[list[tuple], list[tuple]]:
    """((claim, key) rows, (claim, entity, office) rows) stored for these articles."""
    article_ids = list(article_ids)
    return (_tuples_in(db, "select claim_id, key from fact_keys where article_id in ({})", article_ids),
            _tuples_in(db, "select claim_id, entity, office from fact_offices where article_id in ({})", article_ids))


def fact_key_members(db: Database, keys: Iterable[str]) -> list[tuple[str, str, str]]:
    """(key, claim, article) rows of these keys."""
    return _tuples_in(db, "select key, claim_id, article_id from fact_keys where key in ({})", keys)


def fact_keys_of(db: Database, claim_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(claim, key) rows of these claims."""
    return _tuples_in(db, "select claim_id, key from fact_keys where claim_id in ({})", claim_ids)


def fact_offices_held(db: Database, entities: Iterable[str], leaving: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The distinct (entity, office) of these entities that an article other than `leaving` holds
    (read from the index m033 adds: however many claims repeat an office, one row each)."""
    return _tuples_in(db, "select entity, office from fact_offices where entity in ({}) and article_id not in "
                          "(select value from json_each(?)) group by entity, office", entities,
                      after=[json.dumps(sorted(leaving))])


def write_fact_index(db: Database, summaries: Mapping[str, tuple], claim_article: Mapping[str, str],
                     drop: Iterable[str], replace_all: bool) -> None:
    """Replace the index rows of the `drop` articles (every row with `replace_all`) by those of
    `summaries` (claim -> conflicts.fact_summary)."""
    drop = list(drop)
    _replace_article_rows(db, "fact_keys", ("article_id", "claim_id", "key"), drop,
                          ((claim_article[c], c, k) for c, (keys, _) in summaries.items() for k in keys), replace_all)
    _replace_article_rows(db, "fact_offices", ("article_id", "claim_id", "entity", "office"), drop,
                          ((claim_article[c], c, e, o) for c, (_, offices) in summaries.items() for e, o in offices),
                          replace_all)


def norm_cache_names(db: Database, article_ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """article id -> (sha256, version, names JSON) of its cached row."""
    return {r[0]: r[1:] for r in _tuples_in(
        db, "select article_id, sha256, version, names from norm_cache where article_id in ({})", article_ids)}


def articles_naming(db: Database, keys: Iterable[str]) -> set[str]:
    """The articles one of whose name mentions has one of these entity-merge keys (`norm_keys`)."""
    return {r[0] for r in _tuples_in(db, "select distinct article_id from norm_keys where key in ({})", keys)}


def parse_cache_docs(db: Database, shas: Mapping[str, str], parser: str) -> dict[str, bytes]:
    """article id -> its stored parse, of the articles (id -> content hash) whose parse was made
    from that content by that parser (`normalize.parser_key`)."""
    rows = _tuples_in(db, "select article_id, sha256, parser, doc from parse_cache where article_id in ({})", shas)
    return {a: doc for a, sha, p, doc in rows if shas.get(a) == sha and p == parser}


def norm_cache_facts(db: Database, article_ids: Iterable[str]) -> dict[str, str]:
    """article id -> the cached facts JSON of its claims."""
    return dict(_tuples_in(db, "select article_id, facts from norm_cache where article_id in ({})", article_ids))


class PairCache:
    """The match_cache entries under `prefix` (pair key without the prefix -> decoded features) as
    the matching stages use a dict: `get` and item assignment; `new` collects the entries added.
    `preload`: read them all at once (a full analysis looks at most pairs); otherwise one key at a
    time on first use (a small delta looks at a few, and reading all grows with the corpus)."""

    def __init__(self, db: Database, prefix: str, decode=None, preload: bool = False) -> None:
        import struct
        self._db, self._prefix = db, prefix
        self._decode = decode or (lambda blob: struct.unpack(f"<{len(blob) // 8}d", blob))
        self._read: dict = {}
        self.new: dict = {}
        if preload:
            n = len(prefix)
            for key, blob in db.execute("select key, features from match_cache where key >= ? and key < ?",
                                        [prefix, prefix + "\uffff"]).fetchall():
                self._read[key[n:]] = self._decode(blob)
        self._complete = preload

    def get(self, key: str, default=None):
        if key in self.new:
            return self.new[key]
        if key not in self._read:
            if self._complete:
                return default
            row = self._db.execute("select features from match_cache where key = ?",
                                   [self._prefix + key]).fetchone()
            self._read[key] = self._decode(row[0]) if row else None
        found = self._read[key]
        return default if found is None else found

    def __setitem__(self, key: str, value) -> None:
        self.new[key] = value


# ---------------------------------------------------------------- analysis results

def save_analysis(db: Database, *, fluency: Sequence[Fluency], sentence_article: Mapping[str, str],
                  facts: Mapping[str, dict], claim_article: Mapping[str, str],
                  origins: Mapping[str, str], clusters: Sequence[Cluster],
                  conflicts: Sequence[Conflict], fingerprints: Mapping[str, str],
                  scores: Sequence[Score], state: Mapping[str, str],
                  fluency_cache: Mapping[str, str] | None = None,
                  norm_cache: Sequence[dict] | None = None, parse_cache: Sequence[dict] = (),
                  match_cache: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
                  delta: Mapping[str, Iterable[str]] | None = None,
                  fluency_context: Mapping | None = None,
                  norm_keys: Mapping[str, Sequence[str]] | None = None, norm_keys_all: bool = False,
                  norm_merged: Mapping[str, str | None] | None = None,
                  claim_columns: Mapping[str, tuple | None] | None = None, claim_columns_all: bool = False,
                  claim_vectors: Mapping[str, tuple | None] | None = None, claim_vectors_all: bool = False,
                  origin_state: tuple | None = None, fact_index: tuple | None = None,
                  knn_state: tuple | None = None, stale: Iterable[str] = (),
                  member_slots: Callable[[Sequence[str]], bytes] | None = None,
                  linkage: Mapping[str, bytes] | None = None,
                  gone_articles: Sequence[str] | None = None,
                  probes: Mapping[str, str] | None = None, probes_reset: bool = False,
                  changes_seen: int | None = None) -> int:
    """Replace the corpus-level results at once: readers never see a mix of two analyses; returns
    the number of conflicts stored.

    `fluency_cache` (key -> JSON) and `norm_cache` (rows) are new cache entries, written in the
    same transaction; norm_cache rows of articles no longer in the store are dropped. `parse_cache`:
    rows of table parse_cache (article_id, sha256, parser, doc) to write, the same way.

    Without `delta` every result table is emptied and written again from the arguments. With
    `delta` (table -> keys), only those rows of each result table are deleted (fluency:
    sentence ids, claim_facts: claim ids, origins/scores: article ids, clusters/conflicts: ids)
    and the arguments hold just the rows to insert; rows of articles no longer in the store
    are dropped too. `fluency_context`: the rows of the fluency context to replace (see
    `_save_fluency_context`). `norm_keys`: article -> its entity-merge keys, replacing the rows of
    those articles (`norm_keys_all`: of every article); `norm_merged`: article -> the content hash
    it contributes to the merge's stored input (None: none), replacing its `norm_merge_articles`
    row (every row with `norm_keys_all`). `claim_columns`: article -> its row of
    `claim_columns` (None: no row), replacing theirs (`claim_columns_all`: every row);
    `claim_vectors` and `claim_vectors_all` the same for `claim_vectors`.
    `origin_state`: the arguments of `write_origin_state`; `fact_index`: of `write_fact_index`;
    `knn_state`: of `write_knn_state`. `stale`: articles whose score was not computed although it
    may have moved (their stored score, if any, stays and is marked stale); the articles in `scores`
    stop being stale. `gone_articles`: with `delta`, the articles analysed before that are no
    longer in the store, whose rows go (None: found from the result tables). `probes`: claim id ->
    its `conflicts.fact_probe`, written with its facts row (the rows of `facts`) or into its stored
    row; `probes_reset`: every stored probe is dropped first (they followed other rules).
    `linkage`: cluster id -> its linkage (`clusters._linkage_bytes`), written with its row (read
    before any row goes: a kept cluster's may be read from its stored row). `changes_seen`: the
    last entry of the article change log (`article_changes`) the analysis saw, when it read the
    articles and wrote every stage's state for them: the log's entries up to it go and the log
    stands from then on; without it, the log no longer stands (a save of some results only)."""
    linked = {c.id: linkage.get(c.id) for c in clusters} if linkage is not None else {}
    slots_of = {c.id: member_slots(c.claim_ids) for c in clusters} if member_slots is not None else {}
    anchors = {c.id: cluster_anchor(c.id, slots_of.get(c.id)) for c in clusters}
    conflicts_gone = 0
    with db.atomic():
        # the members' rows of the clusters that go, by their anchors (`cluster_anchor`): a cluster
        # written under the anchor of one that goes rewrites only the rows of the claims that
        # were not in that one, and the rows of claims in no cluster now go
        then: dict[str, list[str]] = {}
        if delta is not None:
            then = {a: json.loads(claims) for a, claims in _tuples_in(
                db, "select anchor, claims from clusters where id in ({})", delta.get("clusters", ()))}
        if fluency_context is not None:
            _save_fluency_context(db, fluency_context)
        if fluency_cache:
            db.table("fluency_cache").insert_all(
                ({"key": k, "local": v} for k, v in fluency_cache.items()), replace=True)
        if norm_cache:
            db.table("norm_cache").insert_all(norm_cache, replace=True)
        if parse_cache:
            db.table("parse_cache").insert_all(parse_cache, replace=True)
        if delta is None:
            for t in ("norm_cache", "parse_cache", "norm_keys", "claim_columns", "claim_vectors"):
                db.execute(f"delete from {t} where article_id not in (select id from articles)")
        if norm_keys or norm_keys_all:
            _replace_article_rows(db, "norm_keys", ("article_id", "key"), norm_keys or {},
                                  ((a, k) for a, ks in (norm_keys or {}).items() for k in ks), norm_keys_all)
        if norm_merged is not None:
            _replace_article_rows(db, "norm_merge_articles", ("article_id", "sha256"), norm_merged,
                                  ((a, h) for a, h in norm_merged.items() if h is not None), norm_keys_all)
        write_claim_columns(db, claim_columns or {}, claim_columns_all)
        write_claim_vectors(db, claim_vectors or {}, claim_vectors_all)
        if origin_state is not None:
            write_origin_state(db, *origin_state)
        if knn_state is not None:
            write_knn_state(db, *knn_state)
        if fact_index is not None:
            write_fact_index(db, *fact_index)
        if match_cache:
            # prefix -> new entries; a prefix is "<family>:<rules digest>:", and entries of the same
            # family made under other rules are dropped
            import struct
            for prefix, entries in match_cache.items():
                if not entries:
                    continue
                family = prefix[:prefix.rindex(":", 0, len(prefix) - 1) + 1]
                # the family's keys outside this prefix, as two ranges of the primary key (keys are
                # ASCII, so "\uffff" sorts after every key that starts with the prefix)
                db.execute("delete from match_cache where (key >= ? and key < ?) or (key >= ? and key < ?)",
                           [family, prefix, prefix + "\uffff", family + "\uffff"])
                db.table("match_cache").insert_all(
                    ({"key": prefix + k, "features": struct.pack(f"<{len(v)}d", *v)}
                     for k, v in entries.items()), replace=True)
        if delta is None:
            for t in ("fluency", "claim_facts", "origins", "clusters", "cluster_members", "conflicts", "scores",
                      "stale_scores"):
                db.execute(f"delete from {t}")
        else:
            pks = {"fluency": "sentence_id", "claim_facts": "claim_id", "origins": "article_id",
                   "clusters": "id", "conflicts": "id", "scores": "article_id"}
            for t, keys in delta.items():
                gone_rows = _deleted_in(db, f"delete from {t} where {pks[t]} in ({{}})", keys)
                if t == "conflicts":
                    conflicts_gone = gone_rows
            # rows of articles no longer in the store: every analysed article has a score, origin
            # or norm_cache row, and those tables have one row per article (no scan of the rest)
            gone = list(gone_articles) if gone_articles is not None else [r[0] for r in db.execute(
                "select article_id from scores union select article_id from origins "
                "union select article_id from norm_cache except select id from articles")]
            for t in ("fluency", "claim_facts", "origins", "scores", "norm_cache", "parse_cache", "norm_keys",
                      "claim_columns", "claim_vectors", "fact_keys", "fact_offices", "stale_scores"):
                _tuples_in(db, f"delete from {t} where article_id in ({{}})", gone)
            _tuples_in(db, "delete from stale_scores where article_id in ({})", [s.article_id for s in scores])
        db.table("fluency").insert_all(
            ({"sentence_id": f.sentence_id, "article_id": sentence_article[f.sentence_id],
              "score": f.score, "garbled": int(f.garbled), "reasons": json.dumps(list(f.reasons))}
             for f in fluency), replace=True)
        probes = probes or {}
        if probes_reset:
            db.execute("update claim_facts set probe = null where probe is not null")
        db.table("claim_facts").insert_all(
            ({"claim_id": cid, "article_id": claim_article[cid], "facts": json.dumps(f, default=str),
              "probe": probes.get(cid)} for cid, f in facts.items()), replace=True)
        db.conn.executemany("update claim_facts set probe = ? where claim_id = ?",
                            ((v, c) for c, v in probes.items() if c not in facts))
        db.table("origins").insert_all(
            ({"article_id": a, "origin": o} for a, o in origins.items()), replace=True)
        db.table("clusters").insert_all(
            ({"id": c.id, "claims": json.dumps(list(c.claim_ids)),
              "articles": json.dumps(list(c.article_ids)),
              "independent_sources": c.independent_sources,
              "slots": slots_of.get(c.id), "anchor": anchors[c.id],
              "linkage": linked.get(c.id)} for c in clusters),
            replace=True)
        members: dict[str, str] = {}
        for c in clusters:
            kept = set(then.get(anchors[c.id], ()))
            members.update((cid, anchors[c.id]) for cid in c.claim_ids if cid not in kept)
        held = {cid for c in clusters for cid in c.claim_ids}
        _deleted_in(db, "delete from cluster_members where claim_id in ({})",
                    sorted({cid for claims in then.values() for cid in claims} - held))
        db.conn.executemany("insert or replace into cluster_members (claim_id, anchor) values (?, ?)",
                            members.items())
        db.table("conflicts").insert_all(
            ({"id": x.id, "a": x.a, "b": x.b, "kind": x.kind, "severity": x.severity,
              "explanation": x.explanation, "a_span": json.dumps(x.a_span),
              "b_span": json.dumps(x.b_span), "fingerprint": fingerprints.get(x.id, "")}
             for x in conflicts), replace=True)
        db.table("scores").insert_all(
            ({"article_id": s.article_id, "score": s.score, "counts": json.dumps(s.counts),
              "terms": json.dumps(s.terms)} for s in scores), replace=True)
        db.conn.executemany("insert or ignore into stale_scores (article_id) values (?)", ((a,) for a in stale))
        # the number of stored conflicts, kept in the state (a delta's: the stored number, less the
        # rows it deleted, plus those it wrote, every one of which it deleted first), so that no
        # analysis counts the table's rows
        before = get_state(db, "conflicts_count") if delta is not None else None
        if delta is None:
            n_conflicts = len(conflicts)
        elif before is not None and before.isdigit() and {x.id for x in conflicts} <= set(delta.get("conflicts", ())):
            n_conflicts = int(before) - conflicts_gone + len(conflicts)
        else:
            n_conflicts = count_rows(db, "conflicts")
        db.table("state").insert_all(({"key": k, "value": v} for k, v in
                                      {**state, "conflicts_count": str(n_conflicts)}.items()), replace=True)
        if changes_seen is not None:
            db.execute("delete from article_changes where seq <= ?", [changes_seen])
            db.execute("insert or replace into state (key, value) values ('article_changes', 'kept')")
        else:
            db.execute("delete from state where key = 'article_changes'")
    return n_conflicts


def _replace_article_rows(db: Database, table: str, columns: Sequence[str], articles: Iterable[str],
                          rows: Iterable[tuple], replace_all: bool = False) -> None:
    """Replace the rows of a per-article table (its first column: article_id) that belong to
    `articles` (every row with `replace_all`) by `rows`."""
    if replace_all:
        db.execute(f"delete from {table}")
    else:
        _tuples_in(db, f"delete from {table} where article_id in ({{}})", articles)
    db.conn.executemany(f"insert or replace into {table} ({', '.join(columns)}) "
                        f"values ({', '.join('?' * len(columns))})", rows)


def write_claim_columns(db: Database, rows: Mapping[str, tuple | None], replace_all: bool = False) -> None:
    """Replace these articles' `claim_columns` rows (`ClaimTable.columns`: content hash, extraction
    rules, embedder, body, stamp of its ids, number of claims; None: no row), or every row."""
    _replace_article_rows(db, "claim_columns", ("article_id", "sha256", "version", "embedder", "body", "stamp", "n"),
                          rows,
                          ((a, *r) for a, r in rows.items() if r is not None), replace_all)


def claim_vector_index(db: Database, version: str, embedder: str) -> list[tuple[str, str, int | None, int | None]]:
    """(article, content hash, length in bytes of its vectors, of its vectors' numbers) of each
    stored `claim_vectors` row under these extraction rules and embedder (neither is read)."""
    return db.execute("select article_id, sha256, length(vectors), length(refs) from claim_vectors "
                      "where version = ? and embedder = ?", [version, embedder]).fetchall()


def read_claim_vectors(db: Database, article_ids: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """(article, its claims' vectors as float32 bytes) of these articles' `claim_vectors` rows, in
    article order, one row at a time (each row's bytes can go once copied)."""
    yield from _iter_in(db, "select article_id, vectors from claim_vectors where article_id in ({}) "
                            "order by article_id", sorted(set(article_ids)))


def read_claim_refs(db: Database, article_ids: Collection[str], rows: int = 0) -> list[tuple[str, bytes]]:
    """(article, its claims' vectors' numbers as int64 bytes) of these articles' `claim_vectors` rows.
    `rows`: how many rows the table holds; when the articles are a third of them or more, the
    index of the numbers (m044) is read whole in one pass rather than looked up per article."""
    if 3 * len(article_ids) >= rows > 0:
        want = article_ids if isinstance(article_ids, (set, frozenset, dict)) else set(article_ids)
        return [r for r in db.execute("select article_id, refs from claim_vectors indexed by claim_vectors_refs")
                if r[0] in want]
    return _tuples_in(db, "select article_id, refs from claim_vectors where article_id in ({})", article_ids)


def write_claim_vectors(db: Database, rows: Mapping[str, tuple | None], replace_all: bool = False) -> None:
    """Replace these articles' `claim_vectors` rows (article -> (content hash, extraction rules,
    embedder, vectors' bytes or none, their numbers' bytes); None: no row), or every row."""
    _replace_article_rows(db, "claim_vectors", ("article_id", "sha256", "version", "embedder", "vectors", "refs"), rows,
                          ((a, *r) for a, r in rows.items() if r is not None), replace_all)


def knn_state_heads(db: Database
                    ) -> tuple[list[tuple], str, list[tuple], Callable[[list[str] | None], list[tuple]]] | None:
    """The clustering's stored kNN state as `clusters.KnnState.from_heads` reads it: per article
    (in article order) the head of its row (article, stamp, slots, hub levels, lowest cosines),
    from the index m028 adds (the rows' long columns are not read); the meta (JSON); the patch
    rows; and a function giving some articles' rows (None: every article's) in the columns of
    `write_knn_state`, those the heads hold left empty. None when none is stored, or when a row
    has no lowest cosines."""
    meta = get_state(db, "knn_meta")
    if meta is None:
        return None
    heads = db.execute("select article_id, stamp, slots, hub, worst from knn_rows indexed by knn_rows_head "
                       "order by article_id").fetchall()
    if None in map(operator.itemgetter(4), heads):
        return None

    def rows_of(article_ids: list[str] | None) -> list[tuple]:
        # (the numbers, hub levels, stamps and lowest cosines are the heads': not read again)
        columns = "select article_id, ids, keys, null, nbr, sims, null, null, null, verdicts from knn_rows"
        if article_ids is None:                              # (every row)
            return db.execute(columns).fetchall()
        return _tuples_in(db, columns + " where article_id in ({})", article_ids)

    return heads, meta, db.execute("select slot, nbr, sims, hub, verdicts from knn_patches").fetchall(), rows_of


def write_knn_state(db: Database, rows: Sequence[tuple], gone: Iterable[str], replace_all: bool,
                    patches: Sequence[tuple], unpatch: Sequence[int] | None, meta: str) -> None:
    """Apply `KnnState.rows` to the stored rows (every article row replaced with `replace_all`;
    every patch dropped with `replace_all` or `unpatch` None)."""
    _replace_article_rows(db, "knn_rows", ("article_id", "ids", "keys", "slots", "nbr", "sims", "hub", "stamp",
                                           "worst", "verdicts"),
                          [*gone, *(r[0] for r in rows)], rows, replace_all)
    if replace_all or unpatch is None:
        db.execute("delete from knn_patches")
    else:
        _tuples_in(db, "delete from knn_patches where slot in ({})", unpatch)
    db.conn.executemany("insert or replace into knn_patches (slot, nbr, sims, hub, verdicts) values (?, ?, ?, ?, ?)",
                        patches)
    db.table("state").insert({"key": "knn_meta", "value": meta}, pk="key", replace=True)


def origin_state_rows(db: Database) -> tuple[list[tuple], Sequence[tuple[str, str]], "OriginPostings"] | None:
    """Copy detection's stored state: per article (id, text hash, content hash), the copy pairs
    in order (`OriginEdges`, read when first asked for), and the shingles (`OriginPostings`, read
    on demand); None when none is stored."""
    rows = db.execute("select article_id, hash, sha256 from origin_shingles").fetchall()
    if not rows:
        return None
    return rows, OriginEdges(db), OriginPostings(db)


class OriginEdges(LazyList):
    """The stored copy pairs (a, b) in order, read when first asked for: a delta that keeps every
    one of them and knows the groups they give does not read them (a corpus has thousands)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _make(self) -> list[tuple[str, str]]:
        return self._db.execute("select a, b from origin_edges order by a, b").fetchall()


def _signed(shingles: np.ndarray) -> list[int]:
    """Shingles (uint64) as SQLite integers (int64 with the same bits)."""
    return np.ascontiguousarray(shingles, dtype=np.uint64).view(np.int64).tolist()


class OriginPostings:
    """The stored shingles of copy detection (clusters.StoredShingles): an article's from its
    row, and the articles holding a shingle from the posting table (migration m023)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def of(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        rows = _tuples_in(self._db, "select article_id, shingles from origin_shingles where article_id in ({})",
                          article_ids)
        return {a: np.frombuffer(b, dtype="<u8").astype(np.uint64) for a, b in rows}

    def counts(self, few: np.ndarray) -> np.ndarray:
        got = dict(_tuples_in(self._db, "select shingle, count(*) from origin_postings where shingle in ({}) "
                                        "group by shingle", _signed(few)))
        return np.array([got.get(x, 0) for x in _signed(few)], dtype=np.int64)

    def holders(self, few: np.ndarray) -> tuple[np.ndarray, list[str]]:
        rows = _tuples_in(self._db, "select shingle, article_id from origin_postings where shingle in ({})",
                          _signed(few))
        return np.array([r[0] for r in rows], dtype=np.int64).view(np.uint64), [r[1] for r in rows]


def write_origin_state(db: Database, rows: Sequence[tuple], gone: Sequence[str],
                       add: Sequence[tuple[str, str]], drop: Sequence[tuple[str, str]], replace_all: bool) -> None:
    """Apply `OriginState.changes_since` to the stored rows (every row replaced with `replace_all`),
    and to the posting table of their shingles."""
    _replace_article_rows(db, "origin_shingles", ("article_id", "hash", "sha256", "shingles"), gone, rows, replace_all)
    if replace_all:
        db.execute("delete from origin_postings")
    else:
        _tuples_in(db, "delete from origin_postings where article_id in ({})", [*gone, *(r[0] for r in rows)])
    db.conn.executemany("insert into origin_postings (shingle, article_id) values (?, ?)",
                        ((x, r[0]) for r in rows for x in np.frombuffer(r[3], dtype="<i8").tolist()))
    if replace_all:
        db.execute("delete from origin_edges")
    db.conn.executemany("delete from origin_edges where a = ? and b = ?", drop)
    db.conn.executemany("insert or replace into origin_edges (a, b) values (?, ?)", add)


# ---------------------------------------------------------------- fluency context (migration m008)

def fluency_context_articles(db: Database, among: Iterable[str] | None = None) -> dict[str, str]:
    """article id -> the content hash its stored fluency-context terms were made from (of the
    `among` articles only, when given)."""
    return dict(_rows_of_articles(db, "select article_id, key from fluency_terms", among, "kind = 'a'"))


def has_fluency_context(db: Database) -> bool:
    """Whether any article's fluency-context terms are stored."""
    return db.execute("select 1 from fluency_terms where kind = 'a' limit 1").fetchone() is not None


def fluency_terms_of(db: Database, article_ids: Iterable[str]) -> list[tuple[str, str, str, str | None, int]]:
    """The stored (article_id, kind, key, ref, n) rows of these articles."""
    return _tuples_in(db, "select article_id, kind, key, ref, n from fluency_terms where article_id in ({})",
                      article_ids)


def fluency_followers(db: Database, words: Iterable[str], exclude: Sequence[str] = ()) -> dict:
    """word -> {next word: set of article ids} for these hyphenated words, leaving out the rows
    of the `exclude` articles."""
    skip = f" and article_id not in ({','.join('?' * len(exclude))})" if exclude else ""
    out: dict = {}
    for key, ref, art in _tuples_in(db, "select key, ref, article_id from fluency_terms where kind = 'f' "
                                        "and key in ({})" + skip, words, after=exclude):
        out.setdefault(key, {}).setdefault(ref, set()).add(art)
    return out


def fluency_totals(db: Database, kind: str, keys: Iterable[str]) -> dict:
    """Corpus totals of one kind for `keys`: "v"/"n": key -> count; "w": key -> {sequence: articles}."""
    out: dict = {}
    for key, ref, n in _tuples_in(db, "select key, ref, n from fluency_totals where kind = ? and key in ({})",
                                  keys, before=[kind]):
        if kind == "w":
            out.setdefault(key, {})[ref] = n
        else:
            out[key] = n
    return out


def fluency_readers(db: Database, keys: Iterable[str]) -> set[tuple[str, str]]:
    """(sentence id, article id) of the sentences whose stored fluency verdict read one of these
    context entries."""
    return set(_tuples_in(db, "select distinct sentence_id, article_id from fluency_reads where key in ({})", keys))


def stored_fluency_rows(db: Database) -> dict[str, tuple[float, int, str]]:
    """sentence id -> (score, garbled, reasons JSON) as stored."""
    return {r[0]: r[1:] for r in db.execute("select sentence_id, score, garbled, reasons from fluency")}


def stored_garbled_sentences(db: Database) -> dict[str, str]:
    """sentence id -> article id of the sentences whose stored verdict is garbled."""
    return dict(db.execute("select sentence_id, article_id from fluency where garbled = 1").fetchall())


def stored_fluency_of(db: Database, sentence_ids: Iterable[str] = (), article_ids: Iterable[str] = ()
                      ) -> dict[str, tuple[str, float, int, str]]:
    """sentence id -> (article id, score, garbled, reasons JSON) of the stored verdicts of these
    sentences and of these articles' sentences."""
    cols = "select sentence_id, article_id, score, garbled, reasons from fluency where"
    rows = _tuples_in(db, cols + " sentence_id in ({})", sentence_ids)
    rows += _tuples_in(db, cols + " article_id in ({})", article_ids)
    return {r[0]: r[1:] for r in rows}


def _save_fluency_context(db: Database, ctx: Mapping) -> None:
    """`ctx`: "all" (replace everything) or "articles" and "sentences" whose terms and reads are
    dropped; "terms" (article_id, kind, key, ref, n) and "reads" (sentence_id, article_id, key) rows;
    "totals" (kind, key, ref, n): the corpus totals, or with a delta what to add to them."""
    if ctx.get("all"):
        db.execute("delete from fluency_terms")
        db.execute("delete from fluency_reads")
    else:
        arts, sents = ctx.get("articles", ()), ctx.get("sentences", ())
        for table, col, keys in (("fluency_terms", "article_id", arts), ("fluency_reads", "article_id", arts),
                                 ("fluency_reads", "sentence_id", sents)):
            _tuples_in(db, f"delete from {table} where {col} in ({{}})", keys)
    db.conn.executemany("insert into fluency_terms (article_id, kind, key, ref, n) values (?, ?, ?, ?, ?)",
                        ctx.get("terms", ()))
    # "totals": the whole table (with "all") or the changes to add to it
    if ctx.get("all"):
        db.execute("delete from fluency_totals")
    totals = list(ctx.get("totals", ()))
    db.conn.executemany("insert into fluency_totals (kind, key, ref, n) values (?, ?, ?, ?) "
                        "on conflict (kind, key, ref) do update set n = n + excluded.n", totals)
    db.conn.executemany("delete from fluency_totals where kind = ? and key = ? and ref = ? and n <= 0",
                        [t[:3] for t in totals])
    db.conn.executemany("insert into fluency_reads (sentence_id, article_id, key) values (?, ?, ?)",
                        ctx.get("reads", ()))


def set_state(db: Database, key: str, value: str) -> None:
    with db.atomic():
        db.table("state").insert({"key": key, "value": value}, pk="key", replace=True)


def get_state(db: Database, key: str) -> str | None:
    rows = list(db.query("select value from state where key = ?", [key]))
    return rows[0]["value"] if rows else None


def load_fluency(db: Database) -> dict[str, Fluency]:
    return {r["sentence_id"]: Fluency(r["sentence_id"], r["score"], bool(r["garbled"]),
                                      tuple(json.loads(r["reasons"] or "[]")))
            for r in db.query("select * from fluency")}


def load_facts(db: Database, claim_ids: Iterable[str] | None = None) -> dict[str, dict]:
    """claim id -> its stored facts (plain dicts); all, or those of `claim_ids` present."""
    rows = (db.execute("select claim_id, facts from claim_facts") if claim_ids is None else
            _tuples_in(db, "select claim_id, facts from claim_facts where claim_id in ({})", sorted(set(claim_ids))))
    return {c: json.loads(f) for c, f in rows}


def fact_probes(db: Database, claim_ids: Iterable[str]) -> dict[str, str]:
    """claim id -> its stored `conflicts.fact_probe`, for those of `claim_ids` that have one."""
    return {c: v for c, v in _tuples_in(db, "select claim_id, probe from claim_facts where claim_id in ({}) "
                                            "and probe is not null", sorted(set(claim_ids)))}


def load_origins(db: Database) -> dict[str, str]:
    return dict(db.execute("select article_id, origin from origins").fetchall())


class StoredLinkage(Sequence):
    """Per stored cluster (in id order), its linkage (`clusters._linkage_bytes`; None when its row
    has none), read when asked for: a delta asks for those of a few clusters. `get(cluster id)`
    reads one by id."""

    def __init__(self, db: Database, ids: Sequence[str]) -> None:
        self._db, self._ids = db, ids
        self._got: dict[str, bytes | None] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def fetch(self, indices: Iterable[int]) -> None:
        """Read the linkage of these clusters (by index) at once."""
        want = [self._ids[i] for i in indices if self._ids[i] not in self._got]
        for cid, b in _tuples_in(self._db, "select id, linkage from clusters where id in ({})", want):
            self._got[cid] = b

    def get(self, cid: str) -> bytes | None:
        if cid not in self._got:
            row = self._db.execute("select linkage from clusters where id = ?", [cid]).fetchone()
            self._got[cid] = row[0] if row else None
        return self._got[cid]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self.get(self._ids[i])


def load_clusters_and_slots(db: Database, lists_later: bool = False
                            ) -> tuple[list[Cluster], list[bytes | None], StoredLinkage]:
    """`load_clusters`, and per cluster its members' stable numbers in the stored kNN state
    (int64 bytes in the order of its claim ids; None when the row has none), and its linkage,
    read when asked for (`StoredLinkage`). The clusters' lists are read when first asked for
    (`Cluster.stored`); with `lists_later`, also fetched from the store then, by id (a delta asks
    for a few clusters' lists: reading every row's lists was half of this read at 2,005
    articles). The lists must then be asked for before the analysis is saved."""
    if lists_later:
        # (from the index m043 adds: the rows' member lists are not read)
        rows = db.execute("select id, independent_sources, slots from clusters indexed by clusters_head "
                          "order by id").fetchall()
        lists = _ClusterLists(db)
        return ([Cluster.stored(i, lists, None, n) for i, n, _ in rows], [r[2] for r in rows],
                StoredLinkage(db, [r[0] for r in rows]))
    rows = db.execute("select id, claims, articles, independent_sources, slots from clusters order by id").fetchall()
    return ([Cluster.stored(i, c, a, n) for i, c, a, n, _ in rows], [r[4] for r in rows],
            StoredLinkage(db, [r[0] for r in rows]))


class _ClusterLists:
    """A stored cluster's two lists (JSON), fetched by its id when first asked for; past `few`
    clusters asked for, every cluster's at once (a full clustering after a delta's read asks for
    most of them)."""

    def __init__(self, db: Database, few: int = 64) -> None:
        self._db, self._left = db, few
        self._all: dict[str, tuple[str, str]] | None = None

    def __call__(self, cid: str) -> tuple[str, str]:
        if self._all is None and self._left <= 0:
            self._all = {i: (c, a) for i, c, a in self._db.execute("select id, claims, articles from clusters")}
        if self._all is not None:
            row = self._all.get(cid)
        else:
            self._left -= 1
            row = self._db.execute("select claims, articles from clusters where id = ?", [cid]).fetchone()
        if row is None:
            raise RuntimeError(f"the stored cluster {cid} left the store before its members were read")
        return row[0], row[1]


def load_clusters(db: Database) -> list[Cluster]:
    return load_clusters_and_slots(db)[0]


def _span(v: str | None) -> tuple[int, int] | None:
    if not v or v == "null":
        return None
    if v[0] == "[" and v[-1] == "]" and v.count(",") == 1:   # the common "[start, end]": no JSON parse
        try:
            a, b = v[1:-1].split(",")
            return int(a), int(b)
        except ValueError:
            pass
    x = json.loads(v)
    return tuple(x) if x else None


def load_conflicts(db: Database, with_status: bool = True) -> list[Conflict]:
    """Stored conflicts with the status their latest review gives them (open when none;
    `with_status=False`: always open, the reviews are not read)."""
    status = conflict_status(db) if with_status else {}
    rows = db.execute("select id, a, b, kind, severity, explanation, a_span, b_span from conflicts "
                      "order by severity desc, id").fetchall()     # plain tuples: ~70k rows load fast
    return [Conflict(id=i, a=a, b=b, kind=kind, severity=sev, explanation=expl, a_span=_span(sa),
                     b_span=_span(sb), status=status.get(i, ("open", None))[0])
            for i, a, b, kind, sev, expl, sa, sb in rows]


def count_rows(db: Database, table: str) -> int:
    return db.execute(f"select count(*) from [{table}]").fetchone()[0]


def stale_scores(db: Database) -> set[str]:
    """Articles whose stored score may be out of date (left by `factcheck ci`, see m018)."""
    return {r[0] for r in db.execute("select article_id from stale_scores")}


def load_conflicts_touching(db: Database, claim_ids: Iterable[str], *, with_status: bool = True,
                            sides_only: bool = False) -> list[Conflict]:
    """Stored conflicts with a side among `claim_ids`, in the order of `load_conflicts` (indexed
    look-ups on `conflicts.a` / `conflicts.b`: for `ci`, which checks a few articles, and for a
    delta analysis). `with_status=False`: always open, reviews not read. `sides_only`: what a
    score reads of them (id, sides, severity; no kind, explanation or spans)."""
    keys = sorted(set(claim_ids))
    cols = ("id, a, b, '', severity, '', null, null" if sides_only
            else "id, a, b, kind, severity, explanation, a_span, b_span")
    rows = {r[0]: r for side in ("a", "b")
            for r in _tuples_in(db, f"select {cols} from conflicts where {side} in ({{}})", keys)}
    status = conflict_status(db) if with_status else {}
    out = [Conflict(id=i, a=a, b=b, kind=kind, severity=sev, explanation=expl, a_span=_span(sa), b_span=_span(sb),
                    status=status.get(i, ("open", None))[0])
           for i, a, b, kind, sev, expl, sa, sb in rows.values()]
    out.sort(key=lambda x: (-x.severity, x.id))
    return out


def load_claims_by_id(db: Database, claim_ids: Iterable[str]) -> list[Claim]:
    rows = _rows_in(db, "select * from claims where id in ({})", sorted(set(claim_ids)))
    return [Claim(id=r["id"], article_id=r["article_id"], sentence_id=r["sentence_id"],
                  index=r["idx"], start=r["start"], end=r["end"], text=r["text"],
                  standalone=r["standalone"], speaker=r["speaker"]) for r in rows]


def cluster_anchor(cluster_id: str, slots: bytes | None) -> str:
    """What a cluster's members' `cluster_members` rows name: the smallest of their stable numbers
    in the kNN state (`slots`, int64 bytes), which a claim joining the cluster leaves as it is (a
    new claim takes the next free number); without them, the cluster's id."""
    if slots:
        return f"#{int(np.frombuffer(slots, dtype='<i8').min())}"
    return cluster_id


def load_clusters_of(db: Database, claim_ids: Iterable[str]) -> list[Cluster]:
    """The stored clusters holding one of `claim_ids` (found through `cluster_members`)."""
    rows = _tuples_in(db, "select id, claims, articles, independent_sources from clusters where anchor in "
                          "(select anchor from cluster_members where claim_id in ({}))", sorted(set(claim_ids)))
    return [Cluster.stored(*r) for r in sorted({r[0]: r for r in rows}.values())]


def load_origins_of(db: Database, article_ids: Iterable[str]) -> dict[str, str]:
    return {r["article_id"]: r["origin"]
            for r in _rows_in(db, "select * from origins where article_id in ({})", sorted(set(article_ids)))}


def origin_members(db: Database, origin: str) -> list[str]:
    return [r["article_id"] for r in db.query("select article_id from origins where origin = ?", [origin])]


def load_fluency_of(db: Database, article_id: str) -> dict[str, Fluency]:
    return {r["sentence_id"]: Fluency(r["sentence_id"], r["score"], bool(r["garbled"]),
                                      tuple(json.loads(r["reasons"] or "[]")))
            for r in db.query("select * from fluency where article_id = ?", [article_id])}


def conflict_fingerprints(db: Database, ids: Iterable[str] | None = None) -> dict[str, str]:
    rows = (db.query("select id, fingerprint from conflicts") if ids is None
            else _rows_in(db, "select id, fingerprint from conflicts where id in ({})", sorted(set(ids))))
    return {r["id"]: r["fingerprint"] for r in rows}


def load_scores(db: Database, ids: Iterable[str] | None = None) -> dict[str, Score]:
    rows = (db.query("select * from scores") if ids is None
            else _rows_in(db, "select * from scores where article_id in ({})", sorted(set(ids))))
    return {r["article_id"]: Score(r["article_id"], r["score"], json.loads(r["counts"]),
                                   json.loads(r["terms"]))
            for r in rows}


# ---------------------------------------------------------------- reviews

DECISIONS = {"a": "confirmed", "b": "confirmed", "not-conflict": "dismissed", "skip": "open",
             "undo": "open"}


def add_review(db: Database, conflict_id: str, decision: str, note: str = "",
               reviewer: str | None = None, fingerprint: str = "") -> None:
    """Append one decision (a | b | not-conflict | skip | undo); never rewrites history."""
    with db.atomic():
        db.table("reviews").insert({"conflict_id": conflict_id, "decision": decision,
                                    "note": note or "", "time": now(),
                                    "reviewer": reviewer or os.environ.get("USER", "unknown"),
                                    "fingerprint": fingerprint})


def review_history(db: Database) -> list[dict]:
    return list(db.query("select * from reviews order by id"))


def review_stacks(rows: Sequence[Mapping]) -> dict[str, list[Mapping]]:
    """conflict id -> the review rows in force, oldest first: 'undo' takes back the decision
    before it and 'skip' decides nothing (a conflict whose decisions were all undone maps to [])."""
    stacks: dict[str, list[Mapping]] = {}
    for r in rows:
        stack = stacks.setdefault(r["conflict_id"], [])
        if r["decision"] == "undo":
            if stack:
                stack.pop()
        elif r["decision"] != "skip":
            stack.append(r)
    return stacks


def effective_reviews(db: Database) -> dict[str, Mapping]:
    """conflict id -> the review row in force."""
    return {cid: s[-1] for cid, s in review_stacks(review_history(db)).items() if s}


def conflict_status(db: Database, fresh: Mapping[str, str] | None = None) -> dict[str, tuple[str, str | None]]:
    """conflict id -> (status, decision) from the latest effective review.

    'undo' takes back the decision before it; a review made for other claim text (its
    fingerprint differs from the conflict's) no longer applies. The conflicts' fingerprints are
    the stored ones of the reviewed conflicts, or `fresh` (id -> fingerprint) for conflicts an
    analysis has just found and not saved yet.
    """
    reviews = effective_reviews(db)
    fps = {**conflict_fingerprints(db, [c for c in reviews if c not in (fresh or {})]), **(fresh or {})}
    out: dict[str, tuple[str, str | None]] = {}
    for cid, last in reviews.items():
        if cid in fps and last["fingerprint"] and fps[cid] and last["fingerprint"] != fps[cid]:
            continue
        out[cid] = (DECISIONS.get(last["decision"], "open"), last["decision"])
    return out


# ---------------------------------------------------------------- runs

def start_run(db: Database, command: str, version: str, settings: dict, embedder: str) -> int:
    with db.atomic():
        return db.table("runs").insert({"started": now(), "command": command, "version": version,
                                        "settings": json.dumps(settings, default=str),
                                        "embedder": embedder}).last_pk


def finish_run(db: Database, run_id: int, timings: dict, counts: dict, corpus: str = "") -> None:
    with db.atomic():
        db.table("runs").update(run_id, {"finished": now(), "timings": json.dumps(timings),
                                         "counts": json.dumps(counts), "corpus": corpus})
    checkpoint(db)


def checkpoint(db: Database) -> None:
    """Fold the write-ahead log into the .db file, so the file alone holds everything
    (users copy and back up that one file)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def last_runs(db: Database, n: int = 5) -> list[dict]:
    return list(db.query("select * from runs order by id desc limit ?", [n]))
