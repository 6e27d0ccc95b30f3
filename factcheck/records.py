"""Frozen records passed between stages.

Offsets are character offsets into `Article.text` (the file as read, UTF-8 decoded, newlines
kept; for HTML and JSON inputs the extracted text, see README), `end` exclusive.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
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


@dataclass(frozen=True, slots=True)
class Cluster:
    """Claims from different articles that state the same fact."""
    id: str
    claim_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    independent_sources: int


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
