"""Frozen records passed between stages.

Offsets are character offsets into `Article.text` (the file as read, UTF-8 decoded, newlines
kept; for HTML and JSON inputs the extracted text, see README), `end` exclusive.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


def stable_id(*parts: str) -> str:
    """Same inputs, same id: re-runs update rows, never add."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def ids_stamp(ids: Sequence[str]) -> str:
    """A stamp of an article's claim ids in order, stored with each per-article row that holds
    them (`claim_columns`, `knn_rows`): two rows hold the same ids when their stamps are equal."""
    return hashlib.blake2b("\n".join(ids).encode(), digest_size=12).hexdigest()


class ListLike(Sequence):
    """A sequence that compares equal to any sequence with the same items (a list among them): the
    lazily read columns stages are given in place of lists."""

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None


class LazyList(ListLike):
    """A list made when first read (`_make`), then kept."""

    _made: list | None = None

    def _make(self) -> list:
        raise NotImplementedError

    def _items(self) -> list:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __len__(self) -> int:
        return len(self._items())

    def __getitem__(self, i):
        return self._items()[i]

    def __iter__(self):
        return iter(self._items())


def _shape(hint):
    """What a record field's type hint holds, as `from_plain` and `to_plain` convert it: the record
    class of a `tuple[Record, ...]`, "tuple" for another tuple (a span), None for a plain value;
    an optional (`X | None`) as X."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        inner = [_shape(h) for h in typing.get_args(hint) if h is not type(None)]
        return next((c for c in inner if c is not None), None)
    if typing.get_origin(hint) is not tuple:
        return None
    args = typing.get_args(hint)
    return args[0] if len(args) == 2 and args[1] is Ellipsis and dataclasses.is_dataclass(args[0]) else "tuple"


@functools.cache
def from_plain(cls: type) -> Callable[[Mapping], object]:
    """The inverse of `dataclasses.asdict` for a frozen, slotted record, after a JSON round trip:
    a field annotated `tuple[Record, ...]` holds records again, one annotated as another tuple
    (a span) a tuple. It sets each slot directly: a frozen record's `__init__` sets each field
    through `object.__setattr__`, which made decoding stored facts take twice as long. The
    record is equal to the one built by its own `__init__` (a test checks every kind of fact)."""
    def convert(hint):
        """How a field's plain value becomes the field's (None: as it is)."""
        shape = _shape(hint)
        if isinstance(shape, type):
            item = from_plain(shape)
            return lambda v: tuple(map(item, v))
        return tuple if shape == "tuple" else None

    hints = typing.get_type_hints(cls)
    slots = [(f.name, getattr(cls, f.name).__set__, convert(hints[f.name])) for f in dataclasses.fields(cls)]
    plain = [(name, put) for name, put, conv in slots if conv is None]
    converted = [s for s in slots if s[2] is not None]
    new = object.__new__

    def make(d: Mapping):
        o = new(cls)
        try:
            for name, put in plain:
                put(o, d[name])
            for name, put, conv in converted:
                v = d[name]
                put(o, None if v is None else conv(v))
        except KeyError:              # a field left out: its default, through the record's own __init__
            return cls(**{name: v if conv is None or v is None else conv(v)
                          for name, _, conv in slots if (v := d.get(name, d)) is not d})
        return o
    return make


@functools.cache
def to_plain(cls: type) -> Callable[[object], dict]:
    """`dataclasses.asdict` for a frozen, slotted record whose fields hold plain values, spans
    (tuples of plain values) or tuples of such records: the same dict (tuples stay tuples),
    made from each field's slot without `asdict`'s deep copy of every value (which took a fifth
    of the time to make an article's facts). A test checks every kind of fact."""
    def convert(hint):
        """How a field's value becomes its plain value (None: as it is)."""
        shape = _shape(hint)
        if isinstance(shape, type):
            item = to_plain(shape)
            return lambda v: tuple(map(item, v))
        return None

    hints = typing.get_type_hints(cls)
    fields = [(f.name, getattr(cls, f.name).__get__, convert(hints[f.name])) for f in dataclasses.fields(cls)]

    def make(o) -> dict:
        out = {}
        for name, get, conv in fields:
            v = get(o)
            out[name] = v if conv is None or v is None else conv(v)
        return out
    return make


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of an article's text, e.g. a boilerplate line, with why it was marked."""
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article file; `text` is what every offset indexes into."""
    id: str
    file: str
    sha256: str
    text: str
    format: str = "txt"                      # txt | md | html | json
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    dateline: str | None = None              # place of the dateline, e.g. "Bangkok"
    published: str | None = None             # "YYYY-MM-DD" or "YYYY-MM" or "YYYY"; None = unknown
    published_source: str = "unknown"        # how `published` was found (date line, dateline, field...)
    boilerplate: tuple[Span, ...] = ()       # spans that are page furniture, not article text


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence; `article.text[start:end] == text` always holds."""
    id: str                                  # stable_id(article_id, str(start), str(end))
    article_id: str
    index: int
    start: int
    end: int
    text: str
    kind: str = "body"                       # body | headline | quote-only | caption


@dataclass(frozen=True, slots=True)
class Claim:
    """One checkable statement; `article.text[start:end] == text` always holds.

    `standalone` is the claim rewritten to stand alone (pronoun resolved, attribution
    removed); it is what gets embedded and compared.
    """
    id: str                                  # stable_id(article_id, str(start), str(end))
    article_id: str
    sentence_id: str
    index: int
    start: int
    end: int
    text: str
    standalone: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """What scoring reads of a claim: which it is, where it stands and whether it is attributed."""
    id: str
    article_id: str
    sentence_id: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Fluency:
    """Garble verdict for one sentence."""
    sentence_id: str
    score: float                             # 0 fluent .. 1 garbled
    garbled: bool
    reasons: tuple[str, ...] = ()


# the reason of a sentence's verdict when the sentence is not in English, so not judged
# (`fluency.combine_signals`: a quotation in its original language is no garbled English)
NOT_ENGLISH = "not English"


def not_judged(reasons: Sequence[str]) -> bool:
    """Whether a fluency verdict with these reasons is that of a sentence not judged (not in English)."""
    return not_judged_language(reasons) is not None


def not_judged_language(reasons: Sequence[str]) -> str | None:
    """The language a sentence not judged reads as, from its verdict's one reason
    ("not English (reads as French): not judged"); None for a judged sentence."""
    if len(reasons) != 1 or not reasons[0].startswith(NOT_ENGLISH + " (reads as "):
        return None
    return reasons[0][len(NOT_ENGLISH + " (reads as "):].partition("): not judged")[0]


def json_strings(v: str) -> tuple[str, ...]:
    """A JSON list of strings as `json.dumps` writes it, read back. Without a backslash no item
    holds a quote (nor anything escaped), so the items are what lies between the '", "'
    separators: split, not parsed (half the time for a corpus' clusters). Anything else (other
    separators, escapes, an empty list) is parsed."""
    if v.startswith('["') and v.endswith('"]') and "\\" not in v and '","' not in v:
        return tuple(v[2:-2].split('", "'))
    return tuple(json.loads(v))


class Cluster:
    """Claims from different articles that state the same fact: `id`, `claim_ids`,
    `article_ids` (tuples), `independent_sources`. Frozen; equal when those four are.

    A cluster read from the store (`stored`) keeps its two lists as the JSON of its row until one
    is first asked for: a delta against a large corpus keeps most clusters as they are, and
    splitting every stored cluster's ids was most of what reading them cost."""

    __slots__ = ("id", "_claims", "_articles", "independent_sources")

    def __init__(self, id: str, claim_ids: tuple[str, ...], article_ids: tuple[str, ...],
                 independent_sources: int) -> None:
        _set_cluster(self, id, claim_ids, article_ids, independent_sources)

    @classmethod
    def stored(cls, id: str, claims_json: str | Callable[[str], tuple[str, str]], articles_json: str | None,
               independent_sources: int) -> "Cluster":
        """A cluster from its stored row: its lists (JSON) are read when first asked for. With a
        function for `claims_json` (id -> the JSON of both lists), the lists are also fetched then."""
        made = object.__new__(cls)
        if callable(claims_json):
            _set_cluster(made, id, claims_json, claims_json, independent_sources)   # (not fetched yet)
        else:
            _set_cluster(made, id, claims_json, articles_json, independent_sources)  # (a str: not read yet)
        return made

    def _list(self, field: str) -> tuple[str, ...]:
        """One of the two lists, read from its JSON the first time (then kept); a list not read
        from the store yet (a callable giving both lists' JSON) is read first."""
        v = object.__getattribute__(self, field)
        if callable(v):
            claims_json, articles_json = v(self.id)
            object.__setattr__(self, "_claims", claims_json)
            object.__setattr__(self, "_articles", articles_json)
            v = object.__getattribute__(self, field)
        if isinstance(v, str):
            v = json_strings(v)
            object.__setattr__(self, field, v)
        return v

    claim_ids = property(lambda self: self._list("_claims"), doc="The claims' ids (a tuple).")
    article_ids = property(lambda self: self._list("_articles"), doc="Their articles' ids (a tuple).")

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r}: a Cluster is frozen")

    __delattr__ = __setattr__

    def _key(self) -> tuple:
        return self.id, self.claim_ids, self.article_ids, self.independent_sources

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, Cluster):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Cluster(id={self.id!r}, claim_ids={self.claim_ids!r}, article_ids={self.article_ids!r}, "
                f"independent_sources={self.independent_sources!r})")

    def __reduce__(self):
        return Cluster, self._key()


_CLUSTER_SLOTS = tuple(getattr(Cluster, n).__set__ for n in Cluster.__slots__)


def _set_cluster(obj: Cluster, id, claims, articles, independent_sources) -> None:
    """A frozen cluster's four slots set by their descriptors (a store reads hundreds at once)."""
    put_id, put_claims, put_articles, put_sources = _CLUSTER_SLOTS
    put_id(obj, id)
    put_claims(obj, claims)
    put_articles(obj, articles)
    put_sources(obj, independent_sources)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two claims that cannot both be true, with an explanation quoting both."""
    id: str                                  # stable_id(a, b, kind)
    a: str                                   # claim id
    b: str                                   # claim id
    kind: str                                # number | date | name | title | role | negation | gender | ...
    severity: float                          # 0..1
    explanation: str
    a_span: tuple[int, int] | None = None    # differing span in a's article
    b_span: tuple[int, int] | None = None
    status: str = "open"                     # open | confirmed | dismissed


@dataclass(frozen=True, slots=True)
class Score:
    """Reliability of one article with the terms that made it."""
    article_id: str
    score: float
    counts: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
