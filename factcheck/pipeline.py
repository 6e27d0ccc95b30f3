"""The stage order, written once. Feeds each stage its records and saves what it returns.

Per-article stages (ingest, sentences, claims) run only for new or changed files (content
hash); corpus stages (fluency, normalise, embed, cluster, conflicts, scores) run only when the
corpus or the settings changed since the last analysis, and embeddings are cached by text.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import json
import operator
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace as _replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sqlite_utils import Database

from . import store
from .errors import IngestError
from .records import Article, Claim, to_plain
from .settings import Settings
from .stages.scoring import corroborated_by, corroborated_by_count, fluent_origins

SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".jsonl"}
VERSION = "0.1.0"
Progress = Callable[[str, int, int], None]   # (stage, done, total)
# An analysis whose new, changed or removed articles are at most this share of the corpus works
# on the delta with look-ups (fluency context, match caches); a larger one reads whole tables.
SMALL_DELTA = 0.3
# At most this many texts to embed, the later stages' inputs are made while the model computes
# their vectors (`embed_keyed`'s `meanwhile`); more, after.
MEANWHILE_TEXTS = 256


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while the analysis runs.

    It allocates millions of small records that live until it returns, and each collection walks
    the live objects (the loaded models' among them): the cost grows with the corpus times the
    allocations. Measured on one new file against 1,000 stored articles, the analysis took 5.6-6.0 s
    with collection and 3.1-3.7 s without; a full analysis of those articles kept the same peak
    memory (1,046 MB). Collection resumes afterwards. (Pausing it during ingest gained nothing, so
    ingest keeps it.)
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _gc_pausing(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _gc_paused():
            return fn(*args, **kwargs)
    return wrapper


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)      # one line each: "path: problem; skipped"
    duplicates: list[str] = field(default_factory=list)  # paths refused as copies of another file
    removed: list[str] = field(default_factory=list)     # stored articles whose file left the folder

    @property
    def processed(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)

    @property
    def seen(self) -> set[str]:
        """The articles read from a file in this call."""
        return set(self.added) | set(self.updated) | set(self.unchanged)


@dataclass
class AnalyzeResult:
    skipped: bool = False
    embedded: int = 0            # texts sent to the model this time (the rest came from the cache)
    parsed: int = 0              # sentences parsed for fluency this time (the rest came from the cache)
    normalised: int = 0          # articles parsed for normalisation this time (the rest from the cache)
    remapped: int = 0            # articles whose facts only took other entity ids (rewritten, not parsed)
    parses_read: int = 0         # of `normalised`, those whose parse was read back from the store
    matched: int = 0             # claim pairs whose match features were computed (the rest cached)
    delta: bool = False          # only the rows that changed were computed again and written
    regrouped: int = 0           # claims whose clusters were computed again (all on the full path)
    recombined: int = 0          # sentences whose fluency verdict was computed again (all on the full path)
    deferred: int = 0            # articles whose score may have moved, left stale (`only_scores`)
    # seconds of the analysis after the vectors were at hand: what adds to a command's wall after
    # the wait for the model, the work done while waiting (`embed_keyed`'s `meanwhile`) not
    after_model: float = 0.0
    timings: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Files to ingest from files and folders, sorted; errors for paths that do not exist, are not
    regular files, or are broken links (in a folder: an article file's name on a broken link)."""
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        if p.is_dir():
            found, broken = [], []
            for q in sorted(p.rglob("*")):
                if q.suffix.lower() not in SUFFIXES or any(part.startswith(".") for part in q.relative_to(p).parts):
                    continue
                if q.is_file():
                    found.append(q)
                elif q.is_symlink() and not q.exists():
                    broken.append(f"{q}: {_not_a_file(q)}")
            if not found and not broken:
                errors.append(f"{p}: no article files (.txt .md .html .json .jsonl) in this folder")
            files.extend(found)
            errors.extend(broken)
        elif p.is_file():
            files.append(p)
        else:
            errors.append(f"{p}: {_not_a_file(p)}")
    return files, errors


def _not_a_file(p: Path) -> str:
    """Why `p` (neither a folder nor a regular file) cannot be read as an article."""
    if p.is_symlink():
        try:
            p.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop"
        except OSError:
            try:
                target = os.readlink(p)
            except OSError:
                target = "?"
            return f"broken symbolic link (to {target})"
    if p.exists():
        return "not a regular file (a device, pipe or socket)"
    return "no such file or folder"


# Bump when ingest, sentence or claim rules change: stored articles are then re-read once.
EXTRACTOR_VERSION = "7"
# the rules the stored claim columns (`store.ClaimTable`) were made under
COLUMNS_VERSION = f"{VERSION}/{EXTRACTOR_VERSION}"


def ingest(db: Database, paths: Sequence[Path], settings: Settings,
           progress: Progress = _no_progress, prune: bool = False) -> IngestResult:
    """Read, split and store new or changed article files; one transaction per article.
    `prune`: a stored article whose file lies in one of the folders among `paths` and no longer
    exists is removed from the store (its file is listed in `removed`)."""
    from .nlp import load_nlp
    from .stages.claims import extract_claims
    from .stages.ingest import read_article, read_articles
    from .stages.sentences import split_sentences

    res = IngestResult()
    files, res.errors = expand_paths(paths)
    new_rules = store.get_state(db, "extractor") != EXTRACTOR_VERSION
    file_ids = FileIds(db, len(files))
    known = StoredHashes(db, None if new_rules else len(files), rows=file_ids)
    if new_rules:
        # the rules that turn a file into sentences and claims changed: re-read every file once
        known.forget_contents()
    seen_hashes: dict[str, str] = {}
    read_from: dict[str, str] = {}      # article id -> absolute path of the file it was read from
    folders: dict[Path, str] = {}       # folder -> resolved (each folder resolved once)
    stamps: dict[str, str | None] = {}  # article id -> its file's stamp, where it changed
    named: dict[str, str] = {}          # article id -> its file as named now (unchanged articles)
    nlp = None
    for i, path in enumerate(files):
        progress("ingest", i, len(files))
        display = str(path)
        abs_path = _resolved(path, folders)
        # the file's article id (a .jsonl's: its entries' prefix), the stem unless another file has
        # it; a file stored with this content under these rules is not read again: its stamp (size
        # and time), else its hash, says so
        fid, stamp, same = file_ids.check(path, abs_path, known, settings.max_bytes, settings.max_chars)

        def own_id(aid: str) -> str:
            return fid + aid[len(path.stem):]

        def evicted(aid: str) -> str:
            """An article the rules refuse as it is now leaves the store (its stored version was
            read under other rules or limits): the end of its error line, when it was stored."""
            if aid not in known:
                return ""
            store.delete_article(db, aid)
            known.pop(aid)
            return " and its stored version removed"

        def refused(e: IngestError) -> str:
            return str(e) + (evicted(own_id(e.refused_id)) if e.refused_id is not None else "")
        if same is not None and not any(seen_hashes.get(sha, aid) != aid for aid, _, sha in same):
            for aid, name, sha in same:
                seen_hashes[sha] = aid
                res.unchanged.append(aid)
                read_from[aid], named[aid] = abs_path, name
                if file_ids.stamp_of(aid) != stamp:
                    stamps[aid] = stamp
            continue
        try:
            if path.suffix.lower() == ".jsonl":
                articles, errs = read_articles(path, display=display, max_bytes=settings.max_bytes)
                res.errors.extend(refused(e) for e in errs)
            else:
                articles = [read_article(path, display=display, max_bytes=settings.max_bytes)]
        except IngestError as e:
            res.errors.append(refused(e))
            continue
        except OSError as e:
            res.errors.append(f"{display}: cannot read ({e.strerror or e}); skipped")
            continue
        if fid != path.stem:
            articles = [_replace(a, id=own_id(a.id)) for a in articles]
        for art in articles:
            if len(art.text) > settings.max_chars:
                # (a version stored before, under a larger limit, leaves: the analysis cannot parse it)
                res.errors.append(f"{art.file}: text too long ({len(art.text):,} characters, limit "
                                  f"{settings.max_chars:,}: `max_chars`); skipped" + evicted(art.id))
                continue
            first = seen_hashes.get(art.sha256) or _stored_copy(db, art, known)
            if first and first != art.id:
                res.errors.append(f"{art.file}: duplicate of {first} (same content); skipped")
                res.duplicates.append(art.file)
                continue
            seen_hashes[art.sha256] = art.id
            if known.get(art.id) == art.sha256:
                res.unchanged.append(art.id)
                read_from[art.id] = abs_path
                named[art.id] = art.file
                continue
            if nlp is None:
                nlp = load_nlp()
            try:
                sentences = split_sentences(art)
                claims = extract_claims(art, sentences, nlp)
            except Exception as e:  # a stage bug on odd text must not stop the other files
                res.errors.append(f"{art.file}: could not be analysed ({type(e).__name__}: {e}); skipped")
                continue
            store.save_article(db, art, sentences, claims, abs_path=abs_path, file_stamp=stamp)
            (res.updated if art.id in known else res.added).append(art.id)
            known[art.id] = art.sha256
    progress("ingest", len(files), len(files))
    # (only the paths that moved, or that were not recorded: the others are stored as they are)
    store.set_article_paths(db, {a: p for a, p in read_from.items() if file_ids.path_of(a) != p}, named)
    store.set_file_stamps(db, stamps)
    if prune:
        res.removed = prune_missing(db, [p for p in paths if p.is_dir()], keep=res.seen)
    if new_rules and not any(v == "" for v in known.values()):
        store.set_state(db, "extractor", EXTRACTOR_VERSION)
    return res


def prune_missing(db: Database, folders: Sequence[Path], keep: Iterable[str] = ()) -> list[str]:
    """Remove the stored articles whose file lies in one of `folders` and no longer exists;
    returns their files. A .jsonl entry goes with its file. `keep`: articles just read from a
    file (never removed). The file is the absolute path recorded when the article was read; a
    row from before those were recorded resolves its stored path against the working folder,
    and when that file is there, the path is recorded (as reading it again would), so that the
    next run finds the row by its path instead of resolving it again."""
    roots = [f.resolve() for f in folders]
    keep = set(keep)
    gone = []
    found: dict[str, str] = {}
    for aid, file, abs_path in store.articles_under(db, roots):
        if aid in keep:
            continue
        path = Path(abs_path) if abs_path else Path(
            re.sub(r":\d+$", "", file) if ".jsonl:" in file else file).resolve()
        if path.exists():
            if not abs_path:
                found[aid] = str(path)
        elif any(path.is_relative_to(r) for r in roots):
            store.delete_article(db, aid)
            gone.append(file)
    if found:
        store.set_article_paths(db, found)
    return gone


STAMP_SETTLE_NS = 2_000_000_000     # a file changed this recently gets no stamp (see file_stamp)


def file_stamp(path: Path) -> str | None:
    """"size:mtime_ns" of a file, what an unchanged file keeps; None when it cannot be read or
    changed within the last STAMP_SETTLE_NS (a write in the same tick of a coarse clock could
    leave size and time as they were: such a file is hashed until it has settled)."""
    try:
        st = path.stat()
    except OSError:
        return None
    if time.time_ns() - st.st_mtime_ns < STAMP_SETTLE_NS:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def _resolved(path: Path, folders: dict[Path, str]) -> str:
    """`path` resolved, its folder resolved once for all its files (`folders`: the cache)."""
    if path.is_symlink():
        return str(path.resolve())
    parent = path.parent
    if parent not in folders:
        folders[parent] = str(parent.resolve())
    return os.path.join(folders[parent], path.name)


def stored_unchanged(path: Path, known: Mapping[str, str], fid: str, max_bytes: int,
                     max_chars: int | None = None) -> list[tuple[str, str, str]] | None:
    """(article id, file as named, content hash) of each article of `path` when every one is stored
    under its id (`fid`: `FileIds.of`; a .jsonl's entries `<fid>-<line>`) with this content
    (`known`: article id -> content hash, "" for those to read again), else None: the file is read.
    A file past `max_bytes`, or whose bytes may hold more than `max_chars` characters, is read."""
    try:
        if path.stat().st_size > min(max_bytes, max_chars or max_bytes):
            return None
        raw = path.read_bytes()
    except OSError:
        return None                   # reading it names the problem
    display = str(path)
    if path.suffix.lower() != ".jsonl":
        sha = hashlib.sha256(raw).hexdigest()
        return [(fid, display, sha)] if known.get(fid) == sha else None
    try:
        lines = raw.decode("utf-8-sig").split("\n")
    except UnicodeDecodeError:
        return None
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            sha = hashlib.sha256(line.encode()).hexdigest()
            if known.get(f"{fid}-{n}") != sha:
                return None
            out.append((f"{fid}-{n}", f"{display}:{n}", sha))
    return out or None


FEW_FILES = 50
"""Up to this many files, what ingest and `ci` ask the store about each file is looked up through
the indexes; past it, every stored article's row is read at once (`FileIds`, `StoredHashes`)."""


class StoredHashes(MutableMapping):
    """article id -> the content hash stored for it, as ingest asks about the articles of its files
    (and records those it stores). For a few files (`files`, at most `FEW_FILES`) each id is looked
    up when first asked about, so `ci` on one new file reads no row per stored article; for many
    (or `files` None), every article's hash is read at once. Iterating reads every one. `rows`:
    the run's `FileIds`, whose article rows hold the hashes too (then read once for both)."""

    def __init__(self, db: Database, files: int | None = None, rows: "FileIds | None" = None) -> None:
        # (without the run's rows, rows looked up one by one)
        self._rows = rows if rows is not None else FileIds(db, 0)
        self.whole = files is None or files > FEW_FILES
        # id -> hash ("": to read again; None: not stored), of the ids looked up or set
        self._got: dict[str, str | None] = self._rows.hashes() if self.whole else {}

    def _get(self, aid: str) -> str | None:
        if aid not in self._got and not self.whole:
            self._got[aid] = self._rows.hash_of(aid)
        return self._got.get(aid)

    def _read_whole(self) -> None:
        if not self.whole:
            self._got = {**self._rows.hashes(), **self._got}
            self.whole = True

    def forget_contents(self) -> None:
        """Every stored article is to be read again (its hash ""): the extraction rules changed."""
        self._read_whole()
        self._got = {a: "" if v is not None else None for a, v in self._got.items()}

    def __getitem__(self, aid: str) -> str:
        v = self._get(aid)
        if v is None:
            raise KeyError(aid)
        return v

    def __contains__(self, aid: object) -> bool:
        return isinstance(aid, str) and self._get(aid) is not None

    def __setitem__(self, aid: str, sha: str) -> None:
        self._got[aid] = sha

    def __delitem__(self, aid: str) -> None:
        if self._get(aid) is None:
            raise KeyError(aid)
        self._got[aid] = None

    def __iter__(self) -> Iterator[str]:
        self._read_whole()
        return iter([a for a, v in self._got.items() if v is not None])

    def __len__(self) -> int:
        self._read_whole()
        return sum(1 for v in self._got.values() if v is not None)


class FileIds:
    """The article id each file gets (`of`). For many files, every stored article's id, path,
    stamp and content hash are read at once; for a few (`files`, at most `FEW_FILES`), each is
    looked up through the indexes, so that `ci` on one new file reads no row per stored article."""

    def __init__(self, db: Database, files: int | None = None) -> None:
        self._db = db
        self.claimed: dict[str, str] = {}           # id -> absolute path of the file that took it now
        self._rows: dict[str, tuple[str, str | None, str]] = {}     # article id -> (abs path, stamp, hash), read
        self._at: dict[str, list[str]] = {}         # absolute path -> the ids of its articles, read
        self._lines: dict[str, list[str]] = {}      # "<prefix>" of ids "<prefix>-<n>" -> their paths
        self.whole = files is None or files > FEW_FILES
        if not self.whole:
            return
        for aid, abs_path, stamp, sha in db.execute("select id, abs_path, file_stamp, sha256 from articles"):
            self._rows[aid] = (abs_path or "", stamp, sha)
            if abs_path:
                self._at.setdefault(abs_path, []).append(aid)
            prefix, _, n = aid.rpartition("-")
            if prefix and n.isdigit():
                self._lines.setdefault(prefix, []).append(abs_path or "")

    def _row(self, aid: str) -> tuple[str, str | None, str] | None:
        if aid not in self._rows and not self.whole:
            r = self._db.execute("select abs_path, file_stamp, sha256 from articles where id = ?", [aid]).fetchone()
            if r is not None:
                self._rows[aid] = (r[0] or "", r[1], r[2])
        return self._rows.get(aid)

    def hash_of(self, aid: str) -> str | None:
        """The content hash stored for the article (None: no such article)."""
        r = self._row(aid)
        return r[2] if r else None

    def hashes(self) -> dict[str, str]:
        """Every stored article's content hash (from the rows read at once, when they were)."""
        return {a: r[2] for a, r in self._rows.items()} if self.whole else store.article_hashes(self._db)

    def path_of(self, aid: str) -> str | None:
        """The absolute path the article was stored from ("" unknown; None: no such article)."""
        r = self._row(aid)
        return r[0] if r else None

    def stamp_of(self, aid: str) -> str | None:
        r = self._row(aid)
        return r[1] if r else None

    def ids_at(self, abs_path: str) -> list[str]:
        """The ids of the articles stored from this file."""
        if abs_path not in self._at and not self.whole:
            rows = self._db.execute("select id, file_stamp, sha256 from articles where abs_path = ?",
                                    [abs_path]).fetchall()
            self._at[abs_path] = [r[0] for r in rows]
            self._rows.update((r[0], (abs_path, r[1], r[2])) for r in rows)
        return self._at.get(abs_path, [])

    def lines_of(self, prefix: str) -> list[str]:
        """The paths of the articles stored as the entries `<prefix>-<n>` of a .jsonl file."""
        if prefix not in self._lines and not self.whole:
            rows = self._db.execute("select id, abs_path from articles where id >= ? and id < ?",
                                    [prefix + "-", prefix + "."]).fetchall()
            self._lines[prefix] = [r[1] or "" for r in rows if r[0][len(prefix) + 1:].isdigit()]
        return self._lines.get(prefix, [])

    def of(self, path: Path, abs_path: str | None = None, same: Callable[[str], bool] | None = None) -> str:
        """The id of the article read from `path` (of a .jsonl file: the prefix of its entries' ids,
        `<prefix>-<line>`): the id it was stored under before, else the file's name without its
        suffix unless another file holds that (stored from a path that still exists, or taken by
        another file earlier in this run), else that name with the folders above the file, nearest
        first (`story~b`, `story~b~a`), the first that is free. So two files of one name in
        different folders are two articles, and a file moved to another folder keeps its id.
        `abs_path`: `path` resolved, when known. `same`: whether the articles stored under an id
        hold this file's content; such a file is the stored one wherever the other file is (a
        copy of the corpus folder, read with the store of the original)."""
        abs_path = abs_path or str(path.resolve())
        jsonl = path.suffix.lower() == ".jsonl"
        fid = self._choose(path, abs_path, jsonl, same)
        self.claimed[fid] = abs_path
        return fid

    def unchanged(self, path: Path, abs_path: str, known: Mapping[str, str], stamp: str | None,
                  max_bytes: int, max_chars: int | None = None) -> list[tuple[str, str, str]] | None:
        """As `stored_unchanged`, from the file's stamp alone (`file_stamp`): when every article
        stored from this file (its own path) has this stamp and its content is current (`known`
        not ""), the file is unchanged without reading it; None otherwise (and for a file whose
        size passes the limits, which may have been lowered since it was stored)."""
        ids = self.ids_at(abs_path)
        if not stamp or not ids or any(self.stamp_of(a) != stamp or not known.get(a) for a in ids):
            return None
        if int(stamp.split(":", 1)[0]) > min(max_bytes, max_chars or max_bytes):
            return None
        jsonl = path.suffix.lower() == ".jsonl"
        return [(a, f"{path}:{a.rpartition('-')[2]}" if jsonl else str(path), known[a]) for a in sorted(ids)]

    def check(self, path: Path, abs_path: str, known: Mapping[str, str], max_bytes: int,
              max_chars: int | None = None) -> tuple[str, str | None, list[tuple[str, str, str]] | None]:
        """(the file's id (`of`), its stamp now (`file_stamp`), its articles when stored unchanged
        (`unchanged` by the stamp, else `stored_unchanged` by the hash), or None: it is read).
        The file's bytes are read and hashed at most once per id asked about."""
        hashed: dict[str, list[tuple[str, str, str]] | None] = {}

        def by_hash(cand: str) -> list[tuple[str, str, str]] | None:
            if cand not in hashed:
                hashed[cand] = stored_unchanged(path, known, cand, max_bytes, max_chars)
            return hashed[cand]
        fid = self.of(path, abs_path, lambda cand: by_hash(cand) is not None)
        stamp = file_stamp(path)
        same = self.unchanged(path, abs_path, known, stamp, max_bytes, max_chars)
        return fid, stamp, same if same is not None else by_hash(fid)

    def _choose(self, path: Path, abs_path: str, jsonl: bool, same: Callable[[str], bool] | None) -> str:
        own = sorted(self.ids_at(abs_path))
        if own:
            return own[0].rsplit("-", 1)[0] if jsonl else own[0]

        def holders(cand: str) -> list[str]:
            if not jsonl:
                return [p] if (p := self.path_of(cand)) is not None else []
            return self.lines_of(cand)                   # (a .jsonl's entries: "<prefix>-<line>")

        def free(cand: str) -> bool:
            if self.claimed.get(cand, abs_path) != abs_path:
                return False
            return (not any(h and h != abs_path and Path(h).exists() for h in holders(cand))
                    or (same is not None and same(cand)))

        parents = [p.name for p in path.resolve().parents if p.name][:6]
        for k in range(len(parents) + 1):
            cand = "~".join([path.stem, *parents[:k]])
            if free(cand):
                return cand
        return f"{path.stem}~{hashlib.sha256(abs_path.encode()).hexdigest()[:10]}"


def _stored_copy(db: Database, art: Article, known: Mapping[str, str]) -> str | None:
    if known.get(art.id) == art.sha256:
        return None
    other = store.article_by_hash(db, art.sha256)
    return other if other != art.id else None


def _member_slots(claims: store.ClaimTable, state) -> Callable[[Sequence[str]], bytes]:
    """A cluster's members' stable numbers in the kNN state `state` (a clusters.KnnState): what
    `store.save_analysis` writes with each cluster row, so that the next delta finds them by number."""
    def of(claim_ids: Sequence[str]) -> bytes:
        position = claims.position
        return np.fromiter((state.slots[position[c]] for c in claim_ids), dtype="<i8",
                           count=len(claim_ids)).tobytes()
    return of


def corpus_fingerprint(db: Database, settings: Settings, shas: Mapping[str, str] | None = None) -> str:
    """The digest of every article's content hash, the settings and the rules (`shas`: article
    id -> content hash, when read already)."""
    if shas is None:
        shas = store.article_hashes(db)
    # ("id:hash\n" per article, in id order; joined in C)
    h = hashlib.sha256(("\n".join(map(":".join, sorted(shas.items()))) + ("\n" if shas else "")).encode())
    h.update(settings.digest().encode())
    h.update(VERSION.encode())
    h.update(EXTRACTOR_VERSION.encode())
    return h.hexdigest()[:24]


@functools.cache
def _sources_digest() -> str:
    """The digest of the analysis' own code: the stages and this module."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in [here / "pipeline.py", *sorted((here / "stages").glob("*.py"))]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def rules_digest() -> str:
    """What the analysis' results follow besides the files and settings: its code and the version
    strings. A store analysed under other rules is analysed again by a plain `analyze` (each stage
    then reuses what its own rules left valid), not skipped as unchanged."""
    return hashlib.sha256(f"{_sources_digest()}/{VERSION}/{EXTRACTOR_VERSION}".encode()).hexdigest()[:24]


# From this share of distinct texts among the claims up, the unchanged articles' vectors are read
# from their `claim_vectors` rows' vector bytes (in claim order) rather than from the embeddings
# cache by their numbers (`refs`). Measured here for 36,000 claims of 2,000 articles, all texts
# distinct: 48-68 ms from those rows, against 190-220 ms from the cache in one scan of a
# 40,000-row table (370-450 ms key by key); the cache costs about 5.5 us per distinct text, the
# rows 1.3-1.9 us per claim. The synthetic bench corpus (2,064 distinct texts among 35,565
# claims) reads its cache in 9 ms.
_VECTOR_ROWS_SHARE = 0.25


class _VectorRuns(NamedTuple):
    width: int                  # the length in bytes of one vector (0: nothing cached yet)
    rows: dict[str, range]      # article -> its positions, read from its `claim_vectors` row's vector bytes
    refs: dict[str, range]      # ... from the cache by the numbers its row holds (`refs`)
    write: list[str]            # the articles whose row is to be written
    with_vectors: bool          # whether the rows written hold the vectors' bytes (most texts distinct)
    numbers: dict[str, int]     # (filled by `embed_keyed`) key -> vector number, for the rows written
    stored: int = 0             # the number of `claim_vectors` rows stored


def _vector_runs(db: Database, claims: store.ClaimTable, keys: Sequence[str], embedder: str) -> _VectorRuns:
    """Where the vectors of this analysis come from: the articles whose `claim_vectors` row is valid
    (same content hash, extraction rules and embedder, and as many vectors or numbers as it has
    claims) from that row, the others' by their keys, from the cache or the model; and the rows to
    write. (With nothing cached yet, no row is valid.)

    Whether the rows written hold the vectors' bytes (most texts distinct) is what the previous
    analyses found when most articles have a valid row (their keys are not read to count the
    distinct texts again); otherwise it is counted."""
    width = store.vector_width(db, embedder) or 0
    heads = store.claim_vector_index(db, claims.version, embedder) if width else []
    rows: dict[str, range] = {}
    refs: dict[str, range] = {}
    if heads:
        # a row stands for its article's vectors when the article's content is the row's, its
        # claims are not read afresh, and the row holds a vector (or a number) per claim: every
        # row told at once
        spans, m = claims.spans, len(heads)
        names, shas, vector_bytes, ref_bytes = zip(*heads)
        pos = list(map(spans.get, names, itertools.repeat(range(0))))
        n = np.fromiter(map(len, pos), dtype=np.int64, count=m)
        ok = ((n > 0) & np.fromiter(map(operator.eq, shas, map(claims.shas.get, names)), dtype=bool, count=m)
              & ~np.fromiter(map(claims.rewrite.__contains__, names), dtype=bool, count=m))
        whole = ok & (np.array(vector_bytes, dtype=np.float64) == n * width)        # (None: nan)
        numbered = ok & ~whole & (np.array(ref_bytes, dtype=np.float64) == n * 8)
        rows = dict(zip(itertools.compress(names, whole.tolist()), itertools.compress(pos, whole.tolist())))
        refs = dict(zip(itertools.compress(names, numbered.tolist()), itertools.compress(pos, numbered.tolist())))
    write = [a for a in claims.spans if a not in rows and a not in refs]
    if 2 * (len(rows) + len(refs)) > len(claims.spans):
        with_vectors = len(rows) > len(refs)
    else:
        with_vectors = len(keys) > 0 and len(set(keys)) >= _VECTOR_ROWS_SHARE * len(keys)
    return _VectorRuns(width, rows, refs, write, with_vectors, {}, len(heads))


class _ByNumber(NamedTuple):
    positions: np.ndarray       # the claims' positions whose vectors the rows number
    rows: np.ndarray            # for each, its row in `vectors`
    vectors: np.ndarray         # the distinct vectors they number, each once
    lost: list[str]             # the articles whose numbers are not all cached (left to their keys)


def _distinct(nums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(nums, return_inverse=True)` for non-negative numbers below a few times their
    count (vector numbers): by a table of them rather than a sort."""
    if not len(nums):
        return nums[:0], np.zeros(0, dtype=np.int64)
    top = int(nums.max()) + 1
    if nums.min() < 0 or top > 8 * len(nums) + 1024:
        distinct, inverse = np.unique(nums, return_inverse=True)
        return distinct, inverse.astype(np.int64, copy=False)
    present = np.zeros(top, dtype=bool)
    present[nums] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    return np.nonzero(present)[0].astype(nums.dtype, copy=False), rank[nums]


def _vectors_by_refs(db: Database, runs: _VectorRuns, embedder: str) -> _ByNumber:
    """The cached vectors the rows of the articles of `runs.refs` number, each distinct vector
    read once. An article one of whose numbers is no longer cached (a vector gone from the cache)
    is left out and named in `lost`: its vectors come by their keys, and its row is written again."""
    per = runs.width // 4
    if not runs.refs:
        return _ByNumber(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                         np.zeros((0, per), dtype="<f4"), [])
    rows = store.read_claim_refs(db, runs.refs, runs.stored)
    if len(rows) != len(runs.refs):
        raise ValueError("stored vector numbers went missing during the analysis")
    names = [a for a, _ in rows]
    starts = np.fromiter((runs.refs[a].start for a in names), dtype=np.int64, count=len(names))
    counts = np.fromiter((len(runs.refs[a]) for a in names), dtype=np.int64, count=len(names))
    blobs_in = [b or b"" for _, b in rows]
    if any(len(b) != 8 * c for b, c in zip(blobs_in, counts.tolist())):
        raise ValueError("the stored vector numbers of an article changed during the analysis")
    nums = np.frombuffer(b"".join(blobs_in), dtype="<i8")
    # each number's claim position: its article's run, laid end to end as the numbers are
    at = np.arange(len(nums), dtype=np.int64) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
    distinct, inverse = _distinct(nums)
    found, blobs = store.vectors_by_number(db, distinct, embedder)
    if any(len(b) != runs.width for b in blobs):
        raise ValueError("the embeddings cache holds vectors of more than one length for this embedder")
    lost: list[str] = []
    if len(found) < len(distinct):
        gone = np.isin(nums, np.setdiff1d(distinct, found))
        lost = sorted({names[j] for j in np.searchsorted(np.cumsum(counts), np.nonzero(gone)[0], side="right").tolist()})
        at, nums = at[~gone], nums[~gone]
        distinct, inverse = _distinct(nums)
    vectors = np.empty((len(distinct), per), dtype="<f4")
    if len(found):
        vectors[np.searchsorted(distinct, found)] = np.fromiter(
            blobs, dtype=f"S{runs.width}", count=len(blobs)).view("<f4").reshape(len(blobs), per)
    return _ByNumber(at, inverse, vectors, lost)


def embed_keyed(db: Database, embedder, keys: Sequence[str], text_of: Callable[[int], str],
                timings: dict[str, float] | None = None,
                runs: _VectorRuns | None = None,
                meanwhile: Callable[[], None] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for the texts whose embeddings-cache keys are `keys` (`text_of(i)`: the i-th text,
    asked for only when its vector is not cached); returns (vectors, n computed). `timings`
    ["embed.model"]: the seconds spent waiting for the model (loading it and embedding the texts
    not cached); ["embed.after_model"]: those spent after its vectors came (caching them and
    filling their rows: the claims' other vectors are gathered while the model computes).
    `meanwhile` is called once, after the texts are handed to the model and before its vectors
    are waited for (past `MEANWHILE_TEXTS` texts, after them): work that does not need them
    (with an embedder that has `submit`, such as the embedding worker's, it runs while the model
    loads or computes).
    `runs` (`_vector_runs`): the vectors of its valid articles' rows are read from those rows (their
    bytes, or the cache by the numbers they hold), the others' by their keys, from the cache or the
    model; `runs.numbers` is filled with the numbers of the keys of the rows to write."""
    n = len(keys)
    todo: Sequence[int] = range(n)
    by_number = None
    if runs is not None and (runs.rows or runs.refs):
        by_number = _vectors_by_refs(db, runs, embedder.name)
        for a in by_number.lost:
            del runs.refs[a]
            runs.write.append(a)
        covered = np.zeros(n, dtype=bool)
        for r in itertools.chain(runs.rows.values(), runs.refs.values()):
            covered[r.start:r.stop] = True
        todo = np.nonzero(~covered)[0].tolist()
        keys_todo: Sequence[str] = [keys[i] for i in todo]
    else:
        keys_todo = keys
    unique = list(dict.fromkeys(keys_todo))             # (in first-seen order)
    numbers: dict[str, int] = {}
    cached = store.cached_vector_bytes(db, unique, numbers)
    missing_keys = {k for k in unique if k not in cached}
    first: dict[str, int] = {}
    if missing_keys:
        for i, k in enumerate(keys_todo):
            if k in missing_keys and k not in first:
                first[k] = todo[i]
    missing = [first[k] for k in unique if k in missing_keys]
    chunks = [[text_of(j) for j in missing[i:i + 1024]] for i in range(0, len(missing), 1024)]
    # the first chunk is handed to the model before `meanwhile` runs (an embedder that computes
    # in this process computes when asked for the vectors, after it). Past `MEANWHILE_TEXTS` texts
    # `meanwhile` runs after the vectors: the model then computes for long on both cores, and work
    # beside it slows it down as much as it gains (a first run over a corpus), whereas a few texts
    # leave the wait to the model's loading, on one core.
    submit = getattr(embedder, "submit", None)
    pending = submit(chunks[0]) if chunks and submit is not None else None
    if meanwhile is not None and len(missing) > MEANWHILE_TEXTS:
        after, meanwhile = meanwhile, None
    else:
        after = None
    # the claims' vectors are gathered while the model computes those of the texts not cached
    # (their rows are filled when they come), unless no vector tells the width yet
    width = runs.width if runs is not None and runs.width else (
        len(cached[keys_todo[0]]) if n and keys_todo and keys_todo[0] in cached else None)
    out = None
    if n and width is not None:
        zero = bytes(width)
        out, source = _gather_vectors(db, n, width, unique, lambda k: cached.get(k, zero), todo, keys_todo,
                                      by_number, runs)
    if meanwhile is not None:
        meanwhile()
    new_vectors = []
    for i, chunk in enumerate(chunks):
        t_model = time.perf_counter()
        vecs = np.asarray(pending() if i == 0 and pending is not None else embedder.embed(chunk), dtype="<f4")
        if timings is not None:
            timings["embed.model"] = timings.get("embed.model", 0.0) + time.perf_counter() - t_model
        t_after = time.perf_counter()
        store.store_vectors(db, embedder.name, chunk, vecs)
        new_vectors.append(vecs)
        if timings is not None:
            timings["embed.after_model"] = timings.get("embed.after_model", 0.0) + time.perf_counter() - t_after
    if after is not None:
        after()
    t_after = time.perf_counter()
    if runs is not None and runs.write:
        # (the numbers of the keys just cached: those read with the cache's vectors stand)
        runs.numbers.update(numbers)
        runs.numbers.update(store.vector_numbers(db, missing_keys))
    if not n:
        return np.zeros((0, 384), dtype=np.float32), 0
    fresh = np.concatenate(new_vectors) if new_vectors else np.zeros((0, 0), dtype="<f4")
    if width is not None and fresh.size and fresh.shape[1] * 4 != width:
        raise ValueError("the embeddings cache holds vectors of more than one length for this embedder")
    if out is None:           # (nothing was cached: gathered now)
        cached.update(zip((keys[j] for j in missing), (v.tobytes() for v in fresh)))
        width = runs.width if runs is not None and runs.width else len(cached[keys_todo[0]])
        out, _ = _gather_vectors(db, n, width, unique, cached.__getitem__, todo, keys_todo, by_number, runs)
    elif len(fresh):
        # the rows of the texts just embedded (of `unique`, numbered by their place in it, which
        # `missing` follows; a row of an article some of whose numbers were lost may take a vector
        # read by number)
        in_fresh = np.full(len(unique) + (len(by_number.vectors) if by_number is not None else 0), -1, dtype=np.int64)
        in_fresh[[i for i, k in enumerate(unique) if k in missing_keys]] = np.arange(len(missing))
        todo_rows = np.asarray(todo, dtype=np.int64)
        got = in_fresh[source[todo_rows]]
        rows = got >= 0
        out[todo_rows[rows]] = fresh[got[rows]]
    if timings is not None:
        timings["embed.after_model"] = timings.get("embed.after_model", 0.0) + time.perf_counter() - t_after
    return out, len(missing)


def _gather_vectors(db: Database, n: int, width: int, unique: Sequence[str], vector_of: Callable[[str], bytes],
                    todo: Sequence[int], keys_todo: Sequence[str], by_number: _ByNumber | None,
                    runs: _VectorRuns | None) -> tuple[np.ndarray, np.ndarray]:
    """The claims' vectors (n, width / 4) and, for the rows of `todo`, the row of `unique` each
    was taken from: those of `unique` by their bytes (`vector_of(key)`), those `by_number` read,
    and the articles' stored rows of `runs`."""
    # The cached texts' float32 bytes, each distinct text's once (one copy, into a numpy array
    # rather than a joined bytes object; fixed-width items pad a shorter one with zeros: the
    # vectors, one embedder's, must all have the same length), then gathered by number into the
    # claims' rows in one copy: a repeated text's bytes repeated (one sentence carried by many
    # outlets: at 35,565 claims of 2,064 texts, 14 ms against 55 ms for the copy of every claim's
    # bytes). (A large numpy array may get huge pages, which the kernel faults in far fewer
    # times: for the 55 MB of 35,565 vectors, 21 ms against 58 ms for a joined bytes object.)
    got = list(map(vector_of, unique))
    if any(len(b) != width for b in got):
        raise ValueError("the embeddings cache holds vectors of more than one length for this embedder")
    per = width // 4
    keyed = np.fromiter(got, dtype=f"S{width}", count=len(unique)).view("<f4").reshape(len(unique), per)
    number = dict(zip(unique, range(len(unique))))
    source = np.empty(n, dtype=np.int64)              # each claim's row in the vectors gathered from
    source[todo] = np.fromiter(map(number.__getitem__, keys_todo), dtype=np.int64, count=len(keys_todo))
    if by_number is None or not len(by_number.positions):
        gathered = keyed
    else:
        source[by_number.positions] = len(unique) + by_number.rows
        gathered = np.concatenate([keyed, by_number.vectors])
    if runs is None or not runs.rows:
        return gathered[source], source
    # most texts distinct: the rows' bytes copied into their claims' rows, each article's at once
    out = np.empty((n, per), dtype="<f4")
    rest = np.ones(n, dtype=bool)
    flat = out.reshape(-1)
    read = 0
    for a, blob in store.read_claim_vectors(db, runs.rows):
        r = runs.rows[a]
        if len(blob) != len(r) * width:
            raise ValueError(f"the stored vectors of {a} changed during the analysis")
        flat[r.start * per:r.stop * per] = np.frombuffer(blob, dtype="<f4")
        rest[r.start:r.stop] = False
        read += 1
    if read != len(runs.rows):
        raise ValueError("stored claim vectors went missing during the analysis")
    rest = np.nonzero(rest)[0]
    out[rest] = gathered[source[rest]]
    return out, source


@_gc_pausing
def analyze(db: Database, settings: Settings, progress: Progress = _no_progress,
            force: bool = False, embedder=None, only_scores: Iterable[str] | None = None) -> AnalyzeResult:
    """Fluency, facts, embeddings, clusters, conflicts and scores over the whole store.

    `only_scores` (what `factcheck ci` passes: the articles it checks): of the articles whose
    score may have moved, score only these now and mark the others stale (table stale_scores,
    left for the next analysis; `refresh_scores`). None: score every one of them, the stale
    ones too.
    """
    res = AnalyzeResult()
    t = time.perf_counter()
    # every article's content hash; the records (with their texts) are read when a stage needs them
    articles = store.ArticleTable(db)
    fp = corpus_fingerprint(db, settings, articles.shas)
    load_seconds = time.perf_counter() - t
    left_stale = store.stale_scores(db)       # scores an earlier `ci` left out of date
    wanted_stale = left_stale if only_scores is None else left_stale & set(only_scores)
    rules = rules_digest()
    if (not force and store.get_state(db, "corpus") == fp and store.get_state(db, "rules") == rules
            and not wanted_stale):
        res.skipped = True
        return res

    from .stages import clusters as clustering
    from .stages.conflicts import find_conflicts
    from .stages.embeddings import get_embedder
    from .stages.scoring import score_articles

    t = time.perf_counter()
    # the sentences, read for the articles a stage looks at
    sentences = store.Sentences(db)
    # the claims' ids, articles, sentences and speakers; their rows are read when a stage needs
    # them (with the columns the previous analysis stored, only the new and changed articles' now)
    claims = store.ClaimTable(db, articles.shas, COLUMNS_VERSION, use_columns=not force, changes=articles.changes)
    res.timings["load"] = load_seconds + time.perf_counter() - t

    t = time.perf_counter()
    progress("fluency", 0, len(sentences))
    from .fluency_run import run_fluency
    fl_run = run_fluency(db, articles, sentences, settings, force=force)
    fluency, new_fluency, res.parsed = fl_run.fluency, fl_run.cache, fl_run.parsed
    res.recombined = len(sentences) if fl_run.recomputed is None else len(fl_run.recomputed)
    res.timings["fluency"] = time.perf_counter() - t
    res.timings["fluency.parse"] = fl_run.parse_seconds   # of which parsing the texts not cached

    t = time.perf_counter()
    progress("normalise", 0, len(claims))
    normalised = _normalise(db, claims, articles, force)
    facts, summaries, new_norm = normalised.facts, normalised.summaries, normalised.rows
    recomputed, reread = normalised.parsed, normalised.reread
    res.normalised, res.remapped = len(recomputed) - normalised.remapped, normalised.remapped
    res.parses_read = normalised.parses_read
    res.timings["normalise"] = time.perf_counter() - t
    res.timings["normalise.parse"] = normalised.parse_seconds   # of which parsing the articles read afresh

    t = time.perf_counter()
    progress("embed", 0, len(claims))
    embedder = embedder or get_embedder(settings.embedder, settings.backend)
    res.timings["embed.model"] = 0.0      # of which waiting for the model (the rest: reading cached vectors)
    keys = claims.vector_keys(embedder.name)
    # with mostly distinct texts, the unchanged articles' vectors come from their stored rows
    runs = _vector_runs(db, claims, keys, embedder.name)
    before: dict[str, object] = {}      # what `before_vectors` made, by stage

    def before_vectors() -> None:
        # what the later stages read and make that does not depend on the vectors (the clustering's
        # copy detection, weak flags, stored kNN state and clusters; the pair checks' stored state
        # and index; the claim columns the save writes), made while the model computes the
        # vectors: with the embedding worker, on this core while the other loads the model,
        # rather than after it
        t_in = time.perf_counter()
        late = res.timings["embed.model"] > 0        # (the model gave its vectors first: many texts)
        got = _cluster_inputs(db, settings, force, embedder.name, articles, sentences, claims, fl_run, reread)
        # (a delta maps the previous state and clusters onto the claims now; the search waits)
        steps = clustering.cluster_steps(claims, settings.match, origin_of=got.origins, weak=got.weak,
                                         pair_cache=got.pair_cache, previous=got.prev_knn, basis=got.basis,
                                         fresh=reread, unsettled=got.unsettled)
        next(steps)
        before["cluster"] = (got, steps)
        t_conflicts = time.perf_counter()
        res.timings["cluster.inputs"] = t_conflicts - t_in
        before["conflicts"] = _conflict_inputs(db, settings, force, got, summaries, new_norm, claims)
        t_save = time.perf_counter()
        res.timings["conflicts.inputs"] = t_save - t_conflicts
        # the claim columns' rows to write, and every article's head of them after that (what the
        # next analysis reads while the store's log of article changes stands)
        columns = claims.columns(embedder.name)
        before["save"] = (columns, claims.heads_state())
        t_end = time.perf_counter()
        res.timings["save.inputs"] = t_end - t_save
        before["after_model"] = t_end - t_in if late else 0.0

    vectors, res.embedded = embed_keyed(db, embedder, keys, lambda i: claims[i].standalone, res.timings,
                                        runs=runs, meanwhile=before_vectors)
    t_vectors = time.perf_counter()
    res.timings["embed"] = t_vectors - t - sum(res.timings[f"{k}.inputs"] for k in ("cluster", "conflicts", "save"))

    t = time.perf_counter()
    progress("cluster", 0, len(claims))
    from .stages import matching
    from .stages import conflicts as conflict_rules
    made, steps = before["cluster"]
    cluster_basis, delta_ok = made.basis, made.delta_ok
    origin_prefix, origin_cache, match_prefix, pair_cache = made.origin_prefix, made.origin_cache, made.match_prefix, made.pair_cache
    stored_origins, stored_groups, origins, origin_state = made.stored_origins, made.stored_groups, made.origins, made.origin_state
    prev_knn, prev_clusters = made.prev_knn, made.prev_clusters
    new_origins = {k: (float(v),) for k, v in origin_cache.new.items()}
    garbled_sentences = fl_run.garbled
    cres = clustering.finish_steps(steps, vectors)
    clusters = cres.clusters
    sole = cres.sole or {}          # (clusters made now counting one fluent origin: that origin)
    res.regrouped = len(claims) if cres.touched is None else len(cres.touched)
    new_pairs = pair_cache.new
    res.matched = len(new_pairs)
    res.timings["cluster"] = time.perf_counter() - t + res.timings["cluster.inputs"]
    res.timings["cluster.search"] = cres.search     # of which the nearest-neighbour search itself

    t = time.perf_counter()
    progress("conflicts", 0, len(clusters))
    nli = None
    if settings.nli_model:
        from .stages.conflicts import NLIScorer
        nli = NLIScorer(settings.nli_model)
    made_c = before["conflicts"]
    basis = made_c.basis
    previous = None
    prev_conflicts = None
    cluster_delta = delta_ok and prev_clusters is not None and cres.touched is not None
    if made_c.state is not None:
        st = made_c.state

        # (delta path) with the claims of the previous analysis that are gone, which its kNN state
        # lists: the conflicts they left dangling are found through the index too
        gone = (cres.gone if cres.gone is not None else
                set(prev_knn[0].ids).difference(claims.ids) if prev_knn is not None else set())

        def stored_conflicts(ids: set[str] | None):
            if ids is None:
                return store.load_conflicts(db, with_status=False)
            return store.load_conflicts_touching(db, set(ids) | gone, with_status=False)

        previous = conflict_rules.Previous(
            changed=claims.ids_in(recomputed) - normalised.same_facts,
            clusters=prev_clusters if prev_clusters is not None else store.load_clusters(db),
            key_sizes=st["key_sizes"], offices=st["offices"],
            # on the delta path only the stored conflicts that may change are read
            conflicts=stored_conflicts if cluster_delta else store.load_conflicts(db, with_status=False))
    # (the index made before the vectors serves a delta of the clusters only)
    index = made_c.index if previous is not None and cluster_delta else None
    if previous is None:
        facts.fill()       # every candidate pair is checked: most facts are read
    probe_basis, probes_ok = made_c.probe_basis, made_c.probes_ok
    unprobed: set[str] = set()
    made: dict[str, str] = {}                     # the probes made from facts (kept for the save)

    def probe_of(ids: set[str]) -> dict[str, frozenset[str]]:
        mine = {c for c in ids & previous.changed if c in facts}      # (facts read afresh)
        made.update((c, conflict_rules.fact_probe(facts[c])) for c in mine)
        got = {c: made[c] for c in mine}
        if probes_ok:
            got.update(store.fact_probes(db, ids - mine))
        unprobed.update(ids - got.keys())
        # (one set per distinct probe: the claims of one cluster mostly share a few, and the pair
        # checks' verdicts on them are kept per pair of sets)
        tokens = {v: conflict_rules.probe_tokens(v) for v in set(got.values())}
        return {c: tokens[v] for c, v in got.items()}

    def pair_cosines(pairs: Sequence[tuple[str, str]]) -> list[float]:
        """The cosine of each pair of claims (their embeddings', found by position at once)."""
        position = claims.position
        if hasattr(position, "look_up"):
            position.look_up({c for p in pairs for c in p})
        a = np.fromiter((position[x] for x, _ in pairs), dtype=np.int64, count=len(pairs))
        b = np.fromiter((position[y] for _, y in pairs), dtype=np.int64, count=len(pairs))
        return np.einsum("ij,ij->i", vectors[a], vectors[b]).tolist()

    def same_story(pairs: Sequence[tuple[str, str]], cosines: Sequence[float]) -> list[bool]:
        """Per pair, whether the matcher calls it "same story, different fact" (its texts read at once)."""
        of = {c.id: c for c in claims.of_ids({c for p in pairs for c in p})}
        return [matching.same_story(of[x].standalone, of[y].standalone, cos, settings.match,
                                    of[x].speaker, of[y].speaker) for (x, y), cos in zip(pairs, cosines)]
    conflicts = find_conflicts(claims, facts, clusters, articles, settings.conflicts, nli=nli,
                               previous=previous, summaries=summaries, index=index,
                               cluster_at=cres.cluster_at(claims.position),
                               probes=probe_of if previous is not None and cluster_delta else None,
                               cosines=pair_cosines, same_story=same_story)
    # partial: `conflicts` holds only those touching changed or regrouped claims (and `prev_conflicts`
    # the stored ones read); every other stored conflict is unchanged
    prev_conflicts = previous.loaded if previous is not None else None
    partial = previous is not None and previous.partial
    claim_by_id = claims.by_id
    res.timings["conflicts"] = time.perf_counter() - t + res.timings["conflicts.inputs"]

    t = time.perf_counter()
    # the delta of this analysis against the stored one: only those rows are written again
    delta = None
    if cluster_delta and prev_conflicts is not None:
        delta = _delta_rows(db, articles, sentences, claims, fl_run, recomputed, reread,
                            origins, cres, prev_clusters, conflicts, prev_conflicts, stored_groups)
    score_claims, score_clusters = claims, clusters
    deferred: set[str] = set()
    if delta is None:
        score_for, score_sentences, score_conflicts = articles.values(), sentences.all(), conflicts
        new_conflicts = conflicts
    else:
        # only the articles whose score may change; an article's score reads its own sentences
        # and the conflicts of its claims (the claims, fluency and clusters of everyone)
        wanted = (delta["scores"] | left_stale) & set(articles)
        if only_scores is not None:       # the others' scores wait for the next analysis
            deferred = wanted - set(only_scores)
            wanted -= deferred
        delta["scores"] = wanted
        mine = claims.ids_in(wanted)
        articles.fetch(sorted(wanted))
        score_for = [articles[a] for a in sorted(wanted) if a in articles]
        score_sentences = sentences.of(sorted(wanted))
        score_conflicts = [x for x in conflicts if x.a in mine or x.b in mine]
        if partial:       # and the stored conflicts of those articles that were not read
            seen = {x.id for x in conflicts} | delta["conflicts"]
            score_conflicts += [x for x in store.load_conflicts_touching(db, mine, with_status=False, sides_only=True)
                                if x.id not in seen and x.a in claim_by_id and x.b in claim_by_id]
            score_conflicts.sort(key=lambda x: (-x.severity, x.id))
        new_conflicts = [x for x in conflicts if x.id in delta["conflicts"]]
        # what those scores read: their claims, the clusters of those claims with every member
        # (corroboration), the other sides of their conflicts and the clusters of those (how many
        # independent sources back each side)
        sides = {c for x in score_conflicts for c in (x.a, x.b)}
        # (found through each claim's cluster, not by going through every cluster's members)
        own_at = cres.holding(claims.rows_in(wanted))
        own = [clusters[j] for j in own_at]
        score_clusters = own + [clusters[j] for j in sorted(set(cres.holding(claims.positions(sides))) - set(own_at))]
        # (a cluster whose count tells whether each of those claims is corroborated: its members
        # are not read; `corroborated_by_count`)
        own_refs = claims.refs(mine)
        cluster_of_own = cres.cluster_at(claims.position)(mine)
        unsure = {j for r in own_refs if (j := cluster_of_own.get(r.id)) is not None and corroborated_by_count(
            clusters[j], r.sentence_id in garbled_sentences, origins.get(r.article_id, r.article_id),
            sole.get(clusters[j].id)) is None}
        score_claims = claims.refs(mine.union(sides, *(clusters[j].claim_ids for j in unsure)))
    claims.of_ids({c for x in new_conflicts for c in (x.a, x.b)})      # (read at once)
    fingerprints = {x.id: conflict_fingerprint(claim_by_id[x.a], claim_by_id[x.b]) for x in new_conflicts}
    # Reviews are read from the store so that a dismissed conflict stops counting at once.
    statuses = store.conflict_status(db, fingerprints)
    scores = score_articles(score_for, score_sentences, score_claims, garbled_sentences, score_clusters,
                            score_conflicts, statuses, settings.score, origins, sole)
    res.timings["score"] = time.perf_counter() - t

    t = time.perf_counter()
    claim_article = claims.article_map()
    if delta is None:
        facts.fill()
        rows = dict(fluency=fl_run.every(sentences.all()), facts={cid: facts.plain(cid) for cid in facts}, origins=origins,
                    clusters=clusters, conflicts=conflicts)
    else:
        # a cluster holding a claim given a new stable number (new, or changed under the same id)
        # is written again even when its members are those stored: its row holds their numbers
        st = cres.state
        renumbered = {clusters[j].id for j in cres.holding(np.nonzero(st.slots >= st.new_from)[0])}
        rows = dict(fluency=[f for f in fluency if f.sentence_id in delta["fluency"]],
                    facts={cid: facts.plain(cid) for cid in delta["claim_facts"] if cid in facts},
                    origins={a: o for a, o in origins.items() if a in delta["origins"]},
                    # (after a full clustering every cluster, with its linkage)
                    clusters=(clusters if cres.touched is None else
                              [k for k in clusters if k.id in delta["clusters"] or k.id in renumbered]),
                    conflicts=new_conflicts)
    # the probes of the facts written, and of the facts read whose probe was not stored (every
    # claim a pair check asked a probe for and did not get was checked: its facts are read); after
    # every pair was checked (most facts read), those of every claim
    probes = {c: made[c] if c in made else conflict_rules.fact_probe(facts[c])
              for c in (facts if previous is None else itertools.chain(rows["facts"], unprobed)) if c in facts}
    # the articles of the sentences whose verdicts are written
    sentence_article = sentences.articles_of(f.sentence_id for f in rows["fluency"])
    origin_changes = origin_state.changes_since(stored_origins)
    columns, claim_heads = before["save"]
    n_conflicts = store.save_analysis(
        db, sentence_article=sentence_article, claim_article=claim_article, **rows,
        fingerprints=fingerprints, scores=scores,
        state={"corpus": fp, "rules": rules, "embedder": embedder.name, "conflicts_basis": basis,
               "cluster_basis": cluster_basis, "fluency_context": fl_run.basis,
               "conflicts_state": json.dumps(index.state() if index is not None
                                             else conflict_rules.corpus_state(facts, summaries)),
               "fact_index": normalised.version, "fact_probes": probe_basis,
               "norm_canon": normalised.canon_state, "norm_merge": normalised.merge_state,
               "claim_heads": claim_heads},
        fluency_context=fl_run.context,
        fluency_cache=new_fluency, norm_cache=new_norm, parse_cache=normalised.parses, match_cache={match_prefix: new_pairs, origin_prefix: new_origins},
        delta=delta, stale=deferred, member_slots=_member_slots(claims, cres.state), linkage=cres.linkage,
        knn_state=(*cres.state.rows(prev_knn[0].spans if prev_knn is not None else None), cres.state.meta()),
        origin_state=(*origin_changes, stored_origins is None),
        # (the articles of the stored copy-detection state no longer in the store: those analysed
        # before that left since)
        gone_articles=origin_changes[1] if stored_origins is not None else None,
        claim_columns=columns, claim_columns_all=claims.rewrite_all,
        # (the rows of the articles whose row was not valid)
        claim_vectors=claims.vector_rows(embedder.name, vectors, runs.write, runs.numbers, runs.with_vectors),
        claim_vectors_all=claims.rewrite_all,
        norm_keys=normalised.keys, norm_keys_all=normalised.all_keys, norm_merged=normalised.merged,
        fact_index=((summaries.fresh, claim_article, index.stale, False) if index is not None
                    else (dict(summaries), claim_article, (), True)),
        probes=probes, probes_reset=not probes_ok, changes_seen=articles.changes_seq)
    res.timings["save"] = time.perf_counter() - t + res.timings["save.inputs"]
    res.counts = {"articles": len(articles), "sentences": len(sentences), "claims": len(claims),
                  "clusters": len(clusters), "conflicts": n_conflicts,
                  "garbled": len(garbled_sentences), "parsed": res.parsed,
                  "normalised": res.normalised, "remapped": res.remapped, "parses_read": res.parses_read,
                  "matched": res.matched}
    res.delta = delta is not None
    res.deferred = len(deferred)
    res.after_model = res.timings.get("embed.after_model", 0.0) + before["after_model"] + time.perf_counter() - t_vectors
    return res


def refresh_scores(db: Database, settings: Settings) -> int:
    """Bring the scores `factcheck ci` left stale up to date, from the stored analysis (`rescore`:
    no model, no new analysis); what `export`, `report`, `review` and `eval` run before reading them.
    Returns how many were stale."""
    stale = store.stale_scores(db)
    if stale:
        rescore(db, settings)
    return len(stale)


def _moved_origins(origins: Mapping[str, str], stored: Mapping[str, str]) -> set[str]:
    """The articles whose origin differs from the stored one (or that have only one of them)."""
    moved = set(itertools.compress(origins, map(operator.ne, map(stored.get, origins), origins.values())))
    return moved.union(set(stored).difference(origins))


class _ClusterInputs(NamedTuple):
    """What the clustering reads and makes before it has the vectors (`_cluster_inputs`)."""
    basis: str                       # the rules, settings and embedder its stored state holds for
    delta_ok: bool                   # whether the stored state may be reused
    origin_prefix: str
    origin_cache: store.PairCache    # copy detection's verdicts on pairs of articles
    match_prefix: str
    pair_cache: store.PairCache      # the matcher's verdicts on pairs of claims
    stored_origins: object           # copy detection's stored state (`OriginState`), or None
    stored_groups: dict              # the stored origins table
    origins: dict                    # each article's origin group now
    origin_state: object             # copy detection's state now
    weak: object                     # `_weak_flags`
    unsettled: object
    prev_knn: tuple | None           # the stored kNN state, clusters, slots and linkage
    prev_clusters: list | None


def _cluster_inputs(db: Database, settings: Settings, force: bool, embedder_name: str, articles, sentences,
                    claims: store.ClaimTable, fl_run, reread) -> _ClusterInputs:
    """The clustering's inputs other than the vectors: copy detection's origin groups, the weak
    flags, the pair caches, and the previous analysis' kNN state and clusters (read as heads)."""
    from .stages import clusters as clustering
    from .stages import matching
    # the previous analysis' state is reused only under the same rules, settings and embedder
    basis = hashlib.sha256("\x1f".join(
        (_source_digest(clustering, settings), _source_digest(matching), embedder_name)).encode()).hexdigest()[:24]
    delta_ok = not force and store.get_state(db, "cluster_basis") == basis
    origin_prefix = "o:" + _source_digest(clustering)[:12] + ":"
    # a small delta looks up the few pairs it needs; otherwise the whole cache is read at once
    import struct
    preload = not (delta_ok and len(reread) <= SMALL_DELTA * max(1, len(articles)))
    origin_cache = store.PairCache(db, origin_prefix, lambda blob: bool(struct.unpack("<d", blob[:8])[0]),
                                   preload=preload)
    # copy detection's stored state (its rows are written back as the difference from it)
    stored_origins = None
    if (rows := store.origin_state_rows(db)) is not None:
        stored_origins = clustering.OriginState.from_rows(rows[0], rows[1], stored=rows[2])
    prev_origins_state = stored_origins if delta_ok else None
    # copy detection reads only the new and changed articles' texts (and those it compares them
    # with) when it has its previous state; otherwise it hashes and shingles every text
    if prev_origins_state is None or not prev_origins_state.knows_files:
        sentences.all()
    # the stored origin groups (table `origins`: those of the stored copy pairs), read once: copy
    # detection joins them when it keeps every stored pair, and the weak flags and the delta's
    # rows tell the articles whose group moved
    stored_groups = store.load_origins(db)
    origins, origin_state = clustering.origin_groups_state(
        _ArticleTexts(articles, sentences), pair_cache=origin_cache, previous=prev_origins_state,
        shas=articles.shas, previous_groups=stored_groups)
    # per claim, whether its sentence is garbled (such a claim is no independent source)
    weak, unsettled = _weak_flags(claims, fl_run, origins, stored_groups)
    match_prefix = "m:" + _source_digest(matching)[:12] + ":"
    pair_cache = store.PairCache(db, match_prefix, preload=preload)
    prev_knn = None
    prev_clusters = None
    if delta_ok and (knn_heads := store.knn_state_heads(db)) is not None:
        prev_clusters, prev_slots, prev_linkage = store.load_clusters_and_slots(db, lists_later=True)
        prev_knn = (clustering.KnnState.from_heads(*knn_heads), prev_clusters, prev_slots, prev_linkage)
    return _ClusterInputs(basis, delta_ok, origin_prefix, origin_cache, match_prefix, pair_cache,
                          stored_origins, stored_groups, origins, origin_state, weak, unsettled, prev_knn,
                          prev_clusters)


class _ConflictInputs(NamedTuple):
    """What the pair checks read and make before the vectors (`_conflict_inputs`)."""
    basis: str                       # the rules and settings their stored state holds for
    state: dict | None               # the previous analysis' `corpus_state`, when under these rules
    index: object                    # `conflicts.FactIndex` for a delta, or None
    probe_basis: str
    probes_ok: bool                  # whether the stored fact probes follow these rules


def _conflict_inputs(db: Database, settings: Settings, force: bool, clustering: _ClusterInputs, summaries,
                     new_norm, claims: store.ClaimTable) -> _ConflictInputs:
    """The pair checks' stored state and, for a delta of the clusters, their index of fact keys
    and offices (its members of the keys that moved read), none of which needs the vectors."""
    from .stages import conflicts as conflict_rules
    from .stages import matching
    # (the matcher's "same story" verdicts make pairs one event: its rules are the conflicts' too)
    basis = _source_digest(conflict_rules, settings) + _source_digest(matching)[:8]
    state = None
    prev_state = store.get_state(db, "conflicts_state")
    if not force and prev_state and store.get_state(db, "conflicts_basis") == basis:
        state = json.loads(prev_state)
    index = None
    prev_knn = clustering.prev_knn
    if state is not None and clustering.delta_ok and prev_knn is not None and isinstance(summaries, _Summaries):
        # the stored rows of the articles normalised afresh, and of those gone or without claims
        # now, are no longer theirs (the index holds the rows of the articles that had claims at
        # the last analysis, which the stored kNN state lists)
        stale = {r["article_id"] for r in new_norm} | (set(prev_knn[0].spans) - set(claims.spans))
        index = conflict_rules.FactIndex(
            summaries.fresh, stale, lambda a: store.fact_index_rows_of(db, a),
            lambda k: store.fact_key_members(db, k), lambda c: store.fact_keys_of(db, c),
            lambda e: store.fact_offices_held(db, e, stale), state["key_sizes"], state["offices"])
    # the stored probes of the claims' facts (`conflict_rules.fact_probe`), under the rules they
    # follow: a delta leaves out the pairs they rule out without reading those facts; the claims
    # asked for without a stored probe get one at the save
    probe_basis = _source_digest(conflict_rules)
    probes_ok = store.get_state(db, "fact_probes") == probe_basis
    return _ConflictInputs(basis, state, index, probe_basis, probes_ok)


def _weak_flags(claims: store.ClaimTable, fl_run, origins: Mapping[str, str], stored_origins: Mapping[str, str]):
    """Whether each claim's sentence is garbled, for the clustering: (flags, unsettled articles).
    `stored_origins`: the stored origins table.

    After a full fluency pass, a bool per claim and no unsettled articles (None: every kept
    cluster is counted again). After a fluency delta, a function giving the flags of the rows the
    clustering counts (only the articles holding a garbled sentence are looked at), and the
    articles whose claims' flag or origin group may have moved since the stored analysis: those
    holding a sentence whose verdict turned, and those whose origin moved."""
    if fl_run.recomputed is None:
        return (np.fromiter(map(fl_run.garbled.__contains__, claims.sentence_ids), dtype=bool,
                            count=len(claims)), None)
    garbled = list(fl_run.garbled)
    garbled_articles = list(map(fl_run.article_of.__getitem__, garbled))

    def weak(rows: np.ndarray) -> np.ndarray:
        return claims.in_sentences(garbled, garbled_articles, rows)

    unsettled = _moved_origins(origins, stored_origins)
    for f in fl_run.fluency:
        if f.sentence_id in fl_run.recomputed:
            then = fl_run.stored.get(f.sentence_id)
            if f.garbled != (then is not None and bool(then[1])):
                unsettled.add(fl_run.article_of[f.sentence_id])
    return weak, unsettled


def _delta_rows(db: Database, articles, sentences, claims: store.ClaimTable, fl_run, recomputed, reread,
                origins, cres, prev_clusters, conflicts, prev_conflicts,
                stored_origins: Mapping[str, str]) -> dict[str, set[str]]:
    """Per result table, the keys whose rows differ from the stored analysis; "scores": the
    articles whose score may differ (their claims, fluency, clusters, origins or conflicts, or
    those of a claim their corroboration or conflicts depend on, changed). `stored_origins`: the
    stored origins table. `cres`: the clustering's result (its clusters, and each claim's)."""
    clusters = cres.clusters
    # the articles of the sentences combined again (of every sentence after a full fluency pass)
    sent_article = sentences.article_of if fl_run.recomputed is None else sentences.articles_of(fl_run.recomputed)
    # the verdicts not combined again are the stored ones
    stored_fl = fl_run.stored if fl_run.recomputed is not None else store.stored_fluency_rows(db)
    fl_keys: set[str] = set()
    touched_articles: set[str] = set()
    for f in fl_run.fluency:
        if fl_run.recomputed is not None and f.sentence_id not in fl_run.recomputed:
            continue
        if stored_fl.get(f.sentence_id) != (f.score, int(f.garbled), json.dumps(list(f.reasons))):
            fl_keys.add(f.sentence_id)
            touched_articles.add(sent_article[f.sentence_id])
    # stored verdicts of sentences that are gone (after a fluency delta, those of changed articles)
    fl_keys |= fl_run.gone if fl_run.recomputed is not None else set(stored_fl) - set(sent_article)
    fact_keys = claims.ids_in(recomputed)
    touched_articles |= {a for a in recomputed if a in claims.spans}
    origin_keys = _moved_origins(origins, stored_origins)
    touched_articles |= origin_keys
    before = dict(zip(map(operator.attrgetter("id"), prev_clusters), prev_clusters))
    after = dict(zip(map(operator.attrgetter("id"), clusters), clusters))
    # (a kept cluster is the stored one itself: told equal without reading its members)
    both = before.keys() | after.keys()
    cluster_keys = set(itertools.compress(both, map(operator.ne, map(before.get, both), map(after.get, both))))
    claim_article = claims.article_map()
    # a claim's corroboration depends on its cluster mates' origins and garbled sentences
    moved_claims = {cid for i in cluster_keys for k in (before.get(i), after.get(i)) if k for cid in k.claim_ids}
    # the clusters of the touched articles' claims that did not change (found through each claim's
    # cluster: a cluster's articles are those of its claims)
    kept_touched = [k for j in cres.holding(claims.rows_in(touched_articles))
                    if (k := clusters[j]).id not in cluster_keys]
    for k in kept_touched:
        moved_claims.update(k.claim_ids)
    # ... and a score reads only whether each claim is corroborated: the article of a moved claim
    # is touched when that flips (a claim joining a large cluster leaves its members' scores alone)
    garbled_then = (set(fl_run.stored_garbled) if fl_run.recomputed is not None
                    else {sid for sid, row in stored_fl.items() if row[1]})
    garbled_now = fl_run.garbled
    # the clusters of the moved claims, then and now: a moved claim is in a cluster that changed or
    # in a kept one of `kept_touched` (in both analyses), or in none
    then_of = {cid: k for k in [*(before[i] for i in cluster_keys if i in before), *kept_touched]
               for cid in k.claim_ids}
    now_of = {cid: k for k in [*(after[i] for i in cluster_keys if i in after), *kept_touched]
              for cid in k.claim_ids}
    memo_then: dict = {}
    memo_now: dict = {}
    # A moved claim of a recomputed article is touched. For another, its clusters' counts of fluent
    # origins tell whether it is corroborated then and now when they can: then, a changed cluster
    # counting two or more (each of its claims is) or none (none is), when every member of it is a
    # claim of now of an article not read afresh (whose data of then is that of now); now, a
    # changed cluster made now, likewise, or counting one whose origin the clustering tells. Only
    # the others' clusters are looked at, member by member. (A claim joining a cluster of hundreds
    # leaves them alone without reading them.)
    then_clusters = list({id(k): k for k in then_of.values()}.values())
    # (the articles of the claims asked for below, found at once: the clustering knows most)
    claim_article.look_up(itertools.chain(moved_claims, *(k.claim_ids for k in then_clusters)))
    counted_then = {k.id for k in then_clusters
                    if k.id in cluster_keys and corroborated_by_count(k) is not None
                    and all((a := claim_article.get(x)) is not None and a not in reread for x in k.claim_ids)}
    sole = cres.sole or {}            # (made now, counting one: that origin)
    rest = set()
    for c in moved_claims:
        a = claim_article.get(c)
        if a is None:
            continue                  # (gone: no score of it)
        if a in recomputed:
            touched_articles.add(a)
            continue
        t, n = then_of.get(c), now_of.get(c)
        was_told = False if t is None else corroborated_by_count(t) if t.id in counted_then else None
        now_told = (False if n is None else None if n.id not in cluster_keys
                    else corroborated_by_count(n, own_origin=origins.get(a, a), sole=sole.get(n.id)))
        if was_told is None or now_told is None:
            rest.add(c)
        elif was_told != now_told:
            touched_articles.add(a)
    # what a score reads of the other claims and of their clusters' members, looked up at once and
    # once each: the clusters' checks below ask for each member's more than once
    looked = set(rest).union(*(k.claim_ids for c in rest for k in (then_of.get(c), now_of.get(c)) if k))
    claim_by_id = {r.id: r for r in claims.refs(looked)}
    touched_articles |= {r.article_id for c in rest if (r := claim_by_id.get(c)) is not None and (
        _corroborated(c, then_of.get(c), claim_by_id, garbled_then, stored_origins, reread, memo_then)
        != _corroborated(c, now_of.get(c), claim_by_id, garbled_now, origins, (), memo_now))}
    old_x = {x.id: x for x in prev_conflicts}
    new_x = {x.id: x for x in conflicts}
    conflict_keys = {i for i in set(old_x) | set(new_x) if old_x.get(i) != new_x.get(i)}
    for i in conflict_keys:
        for x in (old_x.get(i), new_x.get(i)):
            if x:
                touched_articles.update(claim_article[c] for c in (x.a, x.b) if c in claim_article)
    # a conflict weighs more when the other side has more support (its cluster's independent
    # sources): the other article's score moves only when that number moved
    support_before = {c: k.independent_sources for i in cluster_keys if (k := before.get(i)) for c in k.claim_ids}
    support_after = {c: k.independent_sources for i in cluster_keys if (k := after.get(i)) for c in k.claim_ids}
    support_moved = {c for c in set(support_before) | set(support_after)
                     if support_before.get(c, 1) != support_after.get(c, 1)}
    if support_moved:
        # ... and only when the comparison of the two sides' support flips (the support now of the
        # conflicts' sides, through each claim's cluster)
        ends = {c for x in conflicts if x.a in support_moved or x.b in support_moved for c in (x.a, x.b)}
        now = {c: clusters[j].independent_sources for c, j in cres.cluster_at(claims.position)(ends).items()}

        def then(c: str) -> int:
            return support_before.get(c, 1) if c in support_moved else now.get(c, 1)

        for x in conflicts:
            if (x.a in support_moved or x.b in support_moved) and (
                    (now.get(x.a, 1) > now.get(x.b, 1)) != (then(x.a) > then(x.b))
                    or (now.get(x.b, 1) > now.get(x.a, 1)) != (then(x.b) > then(x.a))):
                touched_articles.update((claim_article[x.a], claim_article[x.b]))
    # (the stored articles without a score, found by the store rather than against every id)
    touched_articles.update(r[0] for r in db.execute(
        "select id from articles where id not in (select article_id from scores)"))
    return {"fluency": fl_keys, "claim_facts": fact_keys, "origins": origin_keys, "clusters": cluster_keys,
            "conflicts": conflict_keys, "scores": {a for a in touched_articles if a in articles}}


def _corroborated(cid: str, cluster, claim_by_id, garbled: set[str], origins: Mapping[str, str],
                  unknown: Iterable[str], memo: dict) -> bool | None:
    """Whether claim `cid` counts as corroborated in `cluster` in one state (the rule of
    scoring.corroborated_by); None when a member's data is not known for that state (a removed
    claim, or one of an article in `unknown`). `memo`: cluster id -> its fluent origins."""
    if cluster is None:
        return False
    if cluster.id not in memo:
        known = all(x in claim_by_id and claim_by_id[x].article_id not in unknown for x in cluster.claim_ids)
        memo[cluster.id] = (fluent_origins(cluster.claim_ids, claim_by_id, garbled,
                                           lambda a: origins.get(a, a)) if known else None)
    found = memo[cluster.id]
    if found is None:
        return None
    mine = claim_by_id[cid].article_id
    return corroborated_by(found, origins.get(mine, mine))


@dataclass
class _Normalised:
    facts: "_LazyFacts"           # claim id -> ClaimFacts, decoded on access
    summaries: dict               # claim id -> conflicts.fact_summary
    rows: list[dict]              # new norm_cache rows
    parsed: set[str]              # articles whose facts were made afresh (parsed, or `remapped`)
    reread: set[str]              # articles read afresh: new, changed or under other rules
    canon_state: str              # the merge, to store as state "norm_canon"
    merge_state: str              # its summed input, to store as state "norm_merge"
    keys: dict[str, list[str]]    # article -> its merge keys, to replace its norm_keys rows
    merged: dict[str, str | None]  # article -> its content hash in the merge's input (None: left)
    all_keys: bool                # `keys` and `merged` hold every article (the tables are written anew)
    version: str = ""             # the normalisation rules (state "fact_index" of the pair-check index)
    parse_seconds: float = 0.0    # in the parse of the articles read afresh (timings)
    remapped: int = 0             # of `parsed`, those whose facts of then were rewritten, not parsed
    parses: list[dict] = field(default_factory=list)   # new parse_cache rows (the articles parsed now)
    parses_read: int = 0          # articles whose parse was read back from parse_cache
    same_facts: set[str] = field(default_factory=set)   # claims of `parsed` whose facts are those of then


class _Summaries(Mapping):
    """claim id -> conflicts.fact_summary: those computed by this analysis at once, the stored ones
    of the other articles read all together on first use (a delta checks pairs through the stored
    index, `conflicts.FactIndex`, and never reads them)."""

    def __init__(self, db: Database, fresh: dict, stored_articles: list[str]) -> None:
        self._db, self.fresh, self._stored = db, fresh, stored_articles
        self._all: dict | None = None

    def _every(self) -> dict:
        if self._all is None:
            self._all = {}
            for encoded in store.norm_cache_summaries(self._db, self._stored):
                self._all.update(json.loads(encoded))
            self._all.update(self.fresh)
        return self._all

    def __getitem__(self, cid: str):
        return self.fresh[cid] if cid in self.fresh else self._every()[cid]

    def __iter__(self):
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())


def _merge_part(names: tuple) -> tuple[list[tuple[str, str]], list]:
    """What an article's cached names (mentions as [text, start, end, label] lists, acronym
    definitions) contribute to the entity merge's input: (text, label) per mention, the definitions."""
    raw, defs = names
    return [(x[0], x[3]) for x in raw], defs


def norm_version() -> str:
    """The rules the normalised rows (`norm_cache`) are made under: they hold each claim's facts
    and its `fact_summary` too."""
    from .stages import normalize as norm
    from .stages.conflicts import SUMMARY_VERSION
    return f"{norm.NORMALIZE_VERSION}/{SUMMARY_VERSION}/{_source_digest(norm)}"


def _normalise(db: Database, claims: store.ClaimTable, articles: store.ArticleTable, force: bool = False
               ) -> _Normalised:
    """ClaimFacts of every claim. Per article, the parse-based part (name mentions, acronym
    definitions) is cached by content hash; its claims' facts are reused while the corpus-level
    entity merge maps its names to the same entities.

    The merge's input summed over the articles (`normalize.MergeInput`, state "norm_merge") is kept
    between analyses: a delta takes away the names of the articles that changed or left and adds
    those of the new and changed ones, and reads the names of the unchanged articles only when
    the merge moved a key one of them names (table `norm_keys`)."""
    from .stages import normalize as norm
    from .stages.conflicts import fact_summary

    version = norm_version()
    needed = sorted(claims.spans)

    def ids_of(a: str) -> list[str]:
        """The article's claim ids."""
        r = claims.spans[a]
        return claims.ids[r.start:r.stop]
    merge = None
    merged: dict[str, str] = {}          # the articles the stored input holds -> their content hash
    # the articles stored, replaced or deleted since the last analysis (the store's log, when it
    # stands), of which alone the stored rows are compared with the content now when that analysis
    # normalised under these rules: it left a cached row (with a summary) and the merge's input
    # for every article with claims then, by its content, and the others' claims have not changed
    logged = getattr(articles, "changes", None)
    if not force and (stored := store.get_state(db, "norm_merge")):
        st = json.loads(stored)
        if st.get("version") == version:
            merge = norm.MergeInput.from_json(st)
            merged = store.norm_merge_articles(db, logged)
            if (len(merged) if logged is None else store.count_rows(db, "norm_merge_articles")) != st.get("articles"):
                merge = None             # (its rows are not those it was written with)
    if merge is None:
        logged = None
    # with the index of the pair checks stored under these rules (m016), the summaries of the
    # articles not read afresh are read only if the conflicts stage checks every pair
    lazy = not force and store.get_state(db, "fact_index") == version
    shas = articles.shas
    # the articles whose cached row holds their content under these rules (from the rows' heads;
    # set operations, not a pass per article), and those of them whose row has no summary
    heads = store.norm_cache_heads(db, version, logged)
    if logged is None:
        valid = {a for a, _ in shas.items() & {(a, h) for a, h, _ in heads}} & claims.spans.keys()
    else:
        valid = (claims.spans.keys() - logged) | (
            {a for a, h, _ in heads if shas.get(a) == h} & claims.spans.keys())
    unsummarised = ({a for a, _, has in heads if not has} if logged is None
                    else store.norm_cache_unsummarised(db, version))
    # per article its mentions ([text, start, end, label] lists as cached, or `_Raw` records when
    # just parsed) and acronym definitions; the merge and the signatures read (text, label) only
    names: dict = {}

    def decode(encoded: str) -> tuple:
        raw, defs = json.loads(encoded)
        return raw, [norm.AcronymDef(*d) for d in defs]

    def read_names(aids: Iterable[str]) -> None:
        want = sorted(a for a in aids if a not in names)
        names.update((a, decode(row[2])) for a, row in store.norm_cache_names(db, want).items())

    # the parses made now (rows of parse_cache), and the seconds spent making them
    parses: list[dict] = []
    t_parse, read = [0.0], [0]

    def parsed(aids: list[str]) -> dict:
        """The parses of these articles: read back from parse_cache when it holds one of the same
        content by the same parser, else made now."""
        if not aids:
            return {}
        parser = norm.parser_key()
        stored = store.parse_cache_docs(db, {a: shas[a] for a in aids}, parser) if not force else {}
        out = dict(zip(stored, norm.docs_from_bytes(list(stored.values()))))
        read[0] += len(out)
        rest = [a for a in aids if a not in out]
        if rest:
            articles.fetch(rest)
            t = time.perf_counter()
            out.update(zip(rest, norm.parse_articles([articles[a].text for a in rest])))
            t_parse[0] += time.perf_counter() - t
            parses.extend({"article_id": a, "sha256": shas[a], "parser": parser, "doc": norm.doc_bytes(out[a])}
                          for a in rest)
        return {a: out[a] for a in aids}

    todo = [aid for aid in needed if aid not in valid]
    articles.fetch(todo)
    docs = parsed(todo)
    for aid in todo:
        raws, defs = norm.article_names(docs[aid], articles[aid].text)
        names[aid] = (norm.raws_to_json(raws), defs)
    full = merge is None        # the merge's input is built from every article's names
    leaving: list[str] = []
    joining: list[str] = needed
    if merge is not None:
        unchanged = valid & {a for a, _ in merged.items() & shas.items()}
        if logged is not None:           # (`merged` holds the logged articles' rows alone)
            unchanged |= valid - logged
        leaving = sorted(merged.keys() - unchanged)
        joining = sorted(claims.spans.keys() - unchanged)
        # what a leaving article contributed: its cached row, made from the same content
        old = store.norm_cache_names(db, leaving)
        if all(a in old and old[a][0] == merged[a] and old[a][1] == version for a in leaving):
            for a in leaving:
                merge.remove(a, *_merge_part(decode(old[a][2])))
            read_names(joining)
            for a in joining:
                merge.add(a, *_merge_part(names[a]))
            full = not merge.complete
        else:
            full = True
    if full:
        leaving, joining = [], needed
        read_names(valid)
        merge = norm.MergeInput.build({a: _merge_part(names[a]) for a in needed})
    canon = merge.canonicalise()
    signer = norm.CanonSigner(canon)
    # A stored signature was made under the previous analysis' merge (a row whose signature moved
    # was written again), so an article none of whose names changed entity keeps its signature
    # without hashing it again.
    canon_state = json.dumps({"version": version, "entries": signer.entries}, sort_keys=True)
    moved: set[str] | None = None
    before: dict = {}                    # the previous analysis' entries (`CanonSigner.entries`)
    if not force and (stored := store.get_state(db, "norm_canon")):
        state = json.loads(stored)
        if state.get("version") == version:
            before = state["entries"]
            moved = signer.moved_since(before)
    if moved is None:
        read_names(valid)
    elif moved and not full:
        # of the articles whose names were not read, those naming a key that moved
        read_names(store.articles_naming(db, moved) & valid)
    facts = _LazyFacts(claims.ids, claims.article_map(), db)
    summaries: dict = {}   # claim id -> conflicts.fact_summary (what the pair checks read of everyone)
    stored_summaries: list[str] = []     # (lazy) the articles whose summaries are left in norm_cache
    # the articles whose cached row stands as it is, found at once: valid, names not read (so none
    # moved to another entity) and a summary stored; the others are gone through one by one
    quiet = valid - names.keys() - unsummarised if lazy and moved is not None else set()
    facts.add_encoded_all(quiet)
    stored_summaries.extend(quiet)
    rest = sorted(claims.spans.keys() - quiet)
    cache = store.load_norm_cache(db, valid.intersection(rest), names=False, summaries=not lazy)
    rows: list[dict] = []
    reparse = []
    for aid in rest:
        if aid in valid and moved is not None and (
                aid not in names or not signer.touches([x[0] for x in names[aid][0]], moved)):
            sig = cache[aid]["signature"]
        else:
            sig = signer.sign(x[0] for x in names[aid][0])
        if aid in valid and cache[aid]["signature"] == sig:
            facts.add_encoded(aid)
            if cache[aid]["summary"] and lazy:
                stored_summaries.append(aid)
            elif cache[aid]["summary"]:
                summaries.update(json.loads(cache[aid]["summary"]))
            else:                      # a row from before summaries were stored: add them
                per_summary = {cid: fact_summary(facts[cid]) for cid in ids_of(aid)}
                summaries.update(per_summary)
                read_names([aid])
                rows.append({**cache[aid], "names": json.dumps([names[aid][0], [list(_astuple(d)) for d in names[aid][1]]]),
                             "facts": store.norm_cache_facts(db, [aid])[aid], "summary": json.dumps(per_summary)})
            continue
        if aid not in docs:
            reparse.append(aid)        # the merge moved one of its names to another entity
    # an article whose names moved to other entities only by id and display name: its facts of
    # then rewritten (`normalize.remap_facts`), not made again from a parse; the row's facts of
    # then are those of the previous merge when its signature is theirs
    remapped: set[str] = set()
    # (the facts of then of the articles made again for a move, decoded once: those the stored
    # verdicts read, and what a rewrite starts from)
    then_facts = {a: json.loads(e) for a, e in store.norm_cache_facts(db, reparse).items()} if reparse else {}
    made: dict[str, str] = {}              # claim id -> its new facts as JSON (of the rows written now)

    def add_row(aid: str, plain: Mapping[str, dict], per: Mapping[str, object]) -> None:
        """The article's facts made now (plain dicts and records): kept, and its cache row."""
        raw_json, defs = names[aid]
        per_summary = {cid: fact_summary(f) for cid, f in per.items()}
        facts.add_decoded({cid: (per[cid], plain[cid]) for cid in per})
        summaries.update(per_summary)
        made.update((cid, json.dumps(plain[cid])) for cid in per)
        rows.append({"article_id": aid, "sha256": shas[aid], "version": version,
                     "names": json.dumps([raw_json, [list(_astuple(d)) for d in defs]]),
                     "signature": signer.sign(x[0] for x in raw_json),
                     # (json.dumps of {claim id: facts}, from each claim's JSON made above)
                     "facts": "{" + ", ".join(f"{json.dumps(cid)}: {made[cid]}" for cid in per) + "}",
                     "summary": json.dumps(per_summary)})

    if reparse and moved:
        then = norm.CanonSigner.of_entries(before)
        maybe = [a for a in reparse if a in valid and cache[a]["signature"] == then.sign(x[0] for x in names[a][0])]
        for aid in maybe:
            plain = norm.remap_facts(then_facts[aid], [x[0] for x in names[aid][0]], before, signer.entries)
            if plain is None or list(plain) != ids_of(aid):
                continue
            add_row(aid, plain, {cid: decode_facts(d) for cid, d in plain.items()})
            remapped.add(aid)
        reparse = [a for a in reparse if a not in remapped]
    docs.update(parsed(reparse))
    for aid in needed:
        if aid not in docs:
            continue
        raw_json, defs = names[aid]
        per = norm.claims_facts(claims.of_ids(ids_of(aid)), articles[aid], docs[aid], norm.raws_from_json(raw_json),
                                defs, canon)
        add_row(aid, {cid: _facts_dict(f) for cid, f in per.items()}, per)
    # of the claims of the articles made again for a move, those whose facts came out as they were
    # (most claims of such an article do not name the moved entity): no verdict on their pairs moves
    same_facts = {cid for aid, was in then_facts.items() for cid in ids_of(aid)
                  if cid in was and json.dumps(was[cid]) == made[cid]}
    keys = {a: [] for a in leaving}
    keys.update((a, norm.name_keys(x[0] for x in names[a][0])) for a in joining)
    merge_state = json.dumps({"version": version, "articles": len(needed), **merge.to_json()})
    merged_now = {a: None for a in leaving}
    merged_now.update((a, shas[a]) for a in joining)
    if lazy:
        summaries = _Summaries(db, summaries, stored_summaries)
    return _Normalised(facts, summaries, rows, set(docs) | remapped, set(todo), canon_state, merge_state, keys,
                       merged_now, full, version, t_parse[0], len(remapped), parses, read[0], same_facts)


class _ArticleTexts(Mapping):
    """article id -> its sentences joined by newlines (copy detection's input), read when asked."""

    def __init__(self, articles: Iterable[str], sentences: store.Sentences) -> None:
        self._ids = sorted(articles)
        self._sentences = sentences
        self._done: dict[str, str] = {}

    def __getitem__(self, aid: str) -> str:
        if aid not in self._done:
            self._done[aid] = "\n".join(s.text for s in self._sentences.of([aid]))
        return self._done[aid]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@functools.cache
def _facts_maker():
    from .records import from_plain
    from .stages.normalize import ClaimFacts

    return from_plain(ClaimFacts)


def decode_facts(d: Mapping):
    """`normalize.facts_from_dict`, the same ClaimFacts built about twice as fast
    (`records.from_plain`): a delta decodes the facts of every claim it checks a new one against,
    hundreds when the new claims join large clusters."""
    return _facts_maker()(d)


class _LazyFacts(Mapping):
    """claim id -> ClaimFacts, decoded from the cached JSON of its article on first access: a
    delta analysis reads the facts of the claims it checks, not of every claim."""

    def __init__(self, order: Sequence[str], article_of: Mapping[str, str], db: Database | None = None) -> None:
        self._order = order
        self._db = db
        self._article = article_of                   # claim id -> its article (the claim table's)
        self._registered: set[str] = set()        # the articles whose cached facts stand
        self._encoded: dict[str, str] = {}
        self._facts: dict = {}
        self._plain: dict[str, dict] = {}

    def add_encoded(self, article_id: str, encoded: str | None = None) -> None:
        """The article's claims have cached facts: `encoded` (their JSON), or None to read it from
        the store's norm_cache when one of them is first read."""
        self._encoded[article_id] = encoded
        self._registered.add(article_id)

    def fill(self) -> None:
        """Read every cached facts JSON not read yet, at once (before reading most of the facts)."""
        pending = [a for a, e in self._encoded.items() if e is None]
        if pending and self._db is not None:
            self._encoded.update(store.norm_cache_facts(self._db, pending))

    def add_encoded_all(self, article_ids: Iterable[str]) -> None:
        """`add_encoded` of each of these articles, their JSON read when first needed."""
        article_ids = set(article_ids)
        self._encoded.update(dict.fromkeys(article_ids))
        self._registered |= article_ids

    def add_decoded(self, items: Mapping[str, tuple]) -> None:
        for cid, (f, plain) in items.items():
            self._facts[cid], self._plain[cid] = f, plain

    def prefetch(self, ids: Iterable[str]) -> None:
        """Read the facts of `ids` from `claim_facts` (what the previous analysis saved: for a claim
        whose cached row is reused, the same JSON) instead of parsing their articles' whole cached
        JSON; a claim not found there is read from its article's JSON as before."""
        want = {c for c in ids if c not in self._plain and self._article.get(c) in self._encoded}
        if self._db is not None and want:
            self._plain.update(store.load_facts(self._db, want))

    def plain(self, cid: str) -> dict:
        """The claim's facts as the plain dict the store keeps."""
        if cid not in self._plain:
            aid = self._article.get(cid)
            if aid not in self._registered:
                raise KeyError(cid)
            if aid in self._encoded:
                encoded = self._encoded.pop(aid)
                if encoded is None and self._db is not None:
                    encoded = store.norm_cache_facts(self._db, [aid]).get(aid)
                if encoded is not None:
                    self._plain.update(json.loads(encoded))
        return self._plain[cid]

    def __getitem__(self, cid: str):
        f = self._facts.get(cid)
        if f is None:
            f = self._facts[cid] = decode_facts(self.plain(cid))
        return f

    def __contains__(self, cid) -> bool:
        return cid in self._facts or self._article.get(cid) in self._registered

    def know(self, ids: Iterable[str]) -> None:
        """Find the articles of these claims at once (before asking whether each has facts)."""
        if hasattr(self._article, "look_up"):
            self._article.look_up(c for c in ids if c not in self._facts)

    def __iter__(self):
        return (cid for cid in self._order if cid in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _source_digest(module, settings: Settings | None = None) -> str:
    """Digest of a stage module's source (and the settings): cached results of an older rule set
    are never reused, even when nobody bumped a version string."""
    h = hashlib.sha256(Path(module.__file__).read_bytes())
    h.update(VERSION.encode())
    h.update(EXTRACTOR_VERSION.encode())
    if settings is not None:
        h.update(settings.digest().encode())
    return h.hexdigest()[:24]


def _astuple(x) -> tuple:
    import dataclasses
    return dataclasses.astuple(x)


def rescore(db: Database, settings: Settings) -> None:
    """Recompute scores only (after a review decision), from the stored analysis."""
    from .stages.scoring import score_articles

    articles = store.load_articles(db)
    sentences = store.load_sentences(db)
    claims = store.load_claims(db)
    garbled = set(store.stored_garbled_sentences(db))
    clusters = store.load_clusters(db)
    conflicts = store.load_conflicts(db)
    statuses = store.conflict_status(db)
    scores = score_articles(articles, sentences, claims, garbled, clusters, conflicts, statuses,
                            settings.score, store.load_origins(db))
    with db.atomic():
        db.execute("delete from scores")
        db.execute("delete from stale_scores")
        db.table("scores").insert_all(
            ({"article_id": s.article_id, "score": s.score, "counts": json.dumps(s.counts),
              "terms": json.dumps(s.terms)} for s in scores), replace=True)


def conflict_fingerprint(a: Claim, b: Claim) -> str:
    return hashlib.sha256(f"{a.text}\x1f{b.text}".encode()).hexdigest()[:16]


def _facts_dict(f) -> dict:
    import dataclasses
    if dataclasses.is_dataclass(f):
        return to_plain(type(f))(f)
    return dict(f) if isinstance(f, dict) else {"value": str(f)}
