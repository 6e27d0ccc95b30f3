"""Sentences: `Article` → list of `Sentence` (kind body | headline | dateline), in text order.

Invariant: `article.text[s.start:s.end] == s.text` (stripped), sorted, disjoint, never inside boilerplate.
Lines are split first; pysbd splits inside a line and its pieces are mapped back to offsets here.
"""
from __future__ import annotations

import functools
import re

from factcheck.records import Article, Sentence, stable_id
from factcheck.stages.ingest import match_dateline

_TERMINAL_RE = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_HEADING_RE = re.compile(r"#{1,6}\s+")
_BULLET_RE = re.compile(r"(?:[•·▪‣◦●■▶►*]|[-–—](?=\s))\s*")
# Sentences glued without a space: "reserved.Origin:", "(ASEAN).ASEAN)." (not "U.S.Army": needs 2 lower-case).
_GLUE_RE = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=\)[.!?])|(?<=[a-z][.!?][”\"]))(?=[A-Z][a-z]|[A-Z]{2,}\b)")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_MAX_HEADLINE_WORDS = 30
_CHUNK = 2000                                  # pysbd time grows faster than linearly with line length
_LIKELY_END_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z“\"‘])")


@functools.cache
def _segmenter():
    """pysbd English segmenter (clean=False keeps the text as is), built once."""
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _free_ranges(text: str, article: Article) -> list[tuple[int, int]]:
    """Per-line ranges of text not covered by boilerplate, whitespace-stripped, in order."""
    covered = sorted((s.start, s.end) for s in article.boilerplate)
    out: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        a, b = pos, pos + len(raw)
        pos = b + 1
        cur = a
        for s, e in covered:
            if e <= cur or s >= b:
                continue
            if s > cur:
                out.append((cur, s))
            cur = max(cur, e)
        if cur < b:
            out.append((cur, b))
    return [r for r in (_strip(text, a, b) for a, b in out) if r[1] > r[0]]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    """Range [a, b) without surrounding whitespace."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _chunks(seg: str) -> list[int]:
    """Start offsets of pieces of at most _CHUNK chars, cut at likely sentence ends (pysbd is superlinear)."""
    starts, pos = [0], 0
    while len(seg) - pos > _CHUNK:
        window = seg[pos:pos + _CHUNK]
        ends = [m.end() for m in _LIKELY_END_RE.finditer(window)]
        cut = ends[-1] if ends and ends[-1] > _CHUNK // 4 else (window.rfind(" ") + 1 or _CHUNK)
        if cut <= 0:
            cut = _CHUNK
        pos += cut
        starts.append(pos)
    return starts


def _boundaries(seg: str) -> list[int]:
    """Sentence end offsets inside `seg` (pysbd pieces mapped back by searching forward)."""
    starts = _chunks(seg)
    cuts: list[int] = [s for s in starts[1:]]
    for a, b in zip(starts, starts[1:] + [len(seg)]):
        cuts += [a + c for c in _pysbd_cuts(seg[a:b])]
    cuts = [c for c in cuts if 0 < c < len(seg)]
    cuts += [m.start() for m in _GLUE_RE.finditer(seg)]
    return sorted(set(cuts)) + [len(seg)]


def _pysbd_cuts(seg: str) -> list[int]:
    """End offsets of pysbd's pieces of `seg`, found by searching forward from a cursor."""
    try:
        pieces = _segmenter().segment(seg)
    except Exception:                          # pysbd fails on odd input: keep the line whole
        pieces = [seg]
    cuts: list[int] = []
    cursor = 0
    for piece in pieces:
        p = piece.strip()
        if not p:
            continue
        idx = seg.find(p, cursor)
        if idx < 0:                            # pysbd changed the piece: match its words loosely
            rx = r"\s*".join(re.escape(ch) for ch in re.sub(r"\s+", "", p))
            m = re.compile(rx).search(seg, cursor) if rx else None
            if not m:
                continue
            idx, end = m.start(), m.end()
        else:
            end = idx + len(p)
        cuts.append(end)
        cursor = end
    return cuts


def _is_junk(t: str) -> bool:
    """A fragment that is not a sentence of its own ('ASEAN).', '”', '—')."""
    if not _WORD_RE.search(t):
        return True
    words = t.split()
    return len(words) == 1 and not any(c.islower() for c in t) and t.count(")") > t.count("(")


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    """(start, end, kind) sentences of one boilerplate-free line range."""
    seg = text[a:b]
    out: list[tuple[int, int, str]] = []
    kind = "body"
    m = _HEADING_RE.match(seg)
    if m:
        kind, a = "headline", a + m.end()
    else:
        m = _BULLET_RE.match(seg)
        if m and m.end() < len(seg):
            a += m.end()
    seg = text[a:b]
    d = match_dateline(seg)
    if d:
        ds, de = _strip(text, a, a + d.end())
        out.append((ds, de, "dateline"))
        a, b = _strip(text, a + d.end(), b)
        seg = text[a:b]
        if not seg:
            return out
    cuts = _boundaries(seg)
    ranges: list[tuple[int, int]] = []
    prev = 0
    for c in cuts:
        s, e = _strip(text, a + prev, a + c)
        prev = c
        if e <= s:
            continue
        if ranges and _is_junk(text[s:e]):
            ranges[-1] = (ranges[-1][0], e)    # merge the fragment into the sentence before it
            continue
        ranges.append((s, e))
    if ranges and len(ranges) > 1 and _is_junk(text[ranges[0][0]:ranges[0][1]]):
        ranges[1] = (ranges[0][0], ranges[1][1])
        ranges.pop(0)
    if kind == "body" and len(ranges) == 1 and (
            (not _TERMINAL_RE.search(text[a:b]) and len(seg.split()) <= _MAX_HEADLINE_WORDS)
            or (text[a:b].rstrip("”\"'’").endswith("?") and len(seg.split()) <= 6)):
        kind = "headline"                      # a line with no final stop, or a short question: a subhead
    out.extend((s, e, kind) for s, e in ranges if re.search(r"\w", text[s:e]))
    return out


def split_sentences(article: Article) -> list[Sentence]:
    """Sentences of an article with exact offsets, outside boilerplate, in text order."""
    text = article.text
    found: list[tuple[int, int, str]] = []
    for a, b in _free_ranges(text, article):
        found.extend(_pieces(text, a, b))
    return [Sentence(id=stable_id(article.id, str(s), str(e)), article_id=article.id, index=i,
                     start=s, end=e, text=text[s:e], kind=kind)
            for i, (s, e, kind) in enumerate(found)]
