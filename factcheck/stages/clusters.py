"""Claims + vectors → Clusters of claims from different articles that state the same fact.

Candidates come from a k-nearest-neighbour graph (exact matmul when small, faiss HNSW when large);
each candidate pair is judged by `matching`; groups merge only when every cross pair stays close
(mean and minimum cosine), so one bridge claim cannot chain two facts together.
Invariant: an article never corroborates itself (only cross-article pairs link), and copies of one
origin count once in `independent_sources`.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import json
import operator
import re
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from factcheck.records import Claim, Cluster, LazyList, ListLike, ids_stamp, stable_id
from factcheck.stages.matching import (MatchSettings, _decide, _numbers_clash, decide_static_many, numbers_in,
                                       pair_static)

_BLOCK = 2048  # rows per matmul block: 2048 x n float32 scores stay under 1 GB at n = 100k


# ---- candidate pairs ------------------------------------------------------------------------------

def _exact_knn(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(vectors)
    k = min(k, n - 1)
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, _BLOCK):
        block = vectors[start:start + _BLOCK] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf                    # a claim is not its own neighbour
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        idx[start:start + _BLOCK] = top
        sims[start:start + _BLOCK] = np.take_along_axis(block, top, axis=1)
    return idx, sims


def _hnsw_knn(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    import faiss  # optional: only needed past MatchSettings.exact_knn_max vectors

    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    index.add(vectors)
    index.hnsw.efSearch = max(64, 4 * k)
    sims, idx = index.search(vectors, k + 1)
    return _drop_self(idx, sims, k)


def _drop_self(idx: np.ndarray, sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's first k hits that are not the row itself, in order (-1 / -inf past the last)."""
    keep = idx != np.arange(len(idx))[:, None]                 # self hits (usually column 0) go
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]    # kept hits first, in their order
    taken = np.take_along_axis(keep, order, axis=1)
    out_idx = np.where(taken, np.take_along_axis(idx, order, axis=1), -1).astype(np.int64)
    out_sims = np.where(taken, np.take_along_axis(sims, order, axis=1), -np.inf).astype(np.float32)
    return out_idx, out_sims


def _has_faiss() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def knn_graph(vectors: np.ndarray, k: int, exact_max: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """(idx, sims): each row's k nearest neighbours (self excluded), exact or HNSW by size.

    Past `exact_max` rows, identical vectors (one sentence carried by many outlets) are searched
    once (`_knn_of_distinct`): exactly while the distinct ones number at most `exact_max`, else
    with HNSW, which finds few of a vector's copies among hundreds of them."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) > exact_max:
        return _knn_of_distinct(vectors, k, exact_max)
    return _exact_knn(vectors, k)


def _knn_of_distinct(vectors: np.ndarray, k: int, exact_max: int) -> tuple[np.ndarray, np.ndarray]:
    """`knn_graph` past `exact_max` rows: the distinct vectors' neighbours (exact up to `exact_max`
    of them, HNSW above when faiss is installed), each row's list then made of its copies first
    (other rows with the same vector, in row order), then the rows of its vector's neighbours,
    best first, each neighbour's in row order, up to k. Lists are sorted, best first."""
    n, d = vectors.shape
    k = min(k, n - 1)
    raw = vectors.view(np.dtype((np.void, d * vectors.itemsize))).ravel()
    _, first, inv = np.unique(raw, return_index=True, return_inverse=True)
    m = len(first)
    if m == n:                                        # (no copies: the search as it was)
        return _hnsw_knn(vectors, k) if _has_faiss() else _exact_knn(vectors, k)
    # the distinct vectors numbered in the order of their first rows
    order = np.argsort(first, kind="stable")
    number = np.empty(m, dtype=np.int64)
    number[order] = np.arange(m)
    inv = number[inv.ravel()]
    distinct = np.ascontiguousarray(vectors[first[order]])
    ku = min(k, m - 1)
    if ku < 1:
        uidx = np.zeros((m, 0), dtype=np.int64)
        usims = np.zeros((m, 0), dtype=np.float32)
    elif m > exact_max and _has_faiss():
        uidx, usims = _hnsw_knn(distinct, ku)
    else:
        uidx, usims = _exact_knn(distinct, ku)
    best = np.argsort(-usims, axis=1, kind="stable")  # (best first; HNSW's lists are already)
    uidx, usims = np.take_along_axis(uidx, best, axis=1), np.take_along_axis(usims, best, axis=1)
    # each distinct vector's first k + 1 rows, in row order (-1 past its last)
    rows = np.argsort(inv, kind="stable")
    counts = np.bincount(inv, minlength=m)
    at = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
    held = at <= k
    members = np.full((m, k + 1), -1, dtype=np.int64)
    members[inv[rows[held]], at[held]] = rows[held]
    # per distinct vector, the rows a list of one of its rows is taken from: its own (at the
    # vector's cosine with itself), then the first k of each neighbour's, at that neighbour's cosine
    own = np.einsum("ij,ij->i", distinct, distinct)
    theirs = members[np.maximum(uidx, 0), :k]
    theirs[uidx < 0] = -1
    cand = np.concatenate([members, theirs.reshape(m, -1)], axis=1)
    cand_sims = np.concatenate([np.repeat(own[:, None], k + 1, axis=1), np.repeat(usims, k, axis=1)], axis=1)
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, _BLOCK):                 # (blocks: bounded memory)
        r = np.arange(start, min(n, start + _BLOCK))
        c, cs = cand[inv[r]], cand_sims[inv[r]]
        ok = (c >= 0) & (c != r[:, None])             # (a row is not its own neighbour)
        pick = np.argsort(~ok, axis=1, kind="stable")[:, :k]
        taken = np.take_along_axis(ok, pick, axis=1)
        idx[r] = np.where(taken, np.take_along_axis(c, pick, axis=1), -1)
        sims[r] = np.where(taken, np.take_along_axis(cs, pick, axis=1), -np.inf)
    return idx, sims


def _pairs_from_knn(idx: np.ndarray, sims: np.ndarray, min_cosine: float, only: np.ndarray | None = None,
                    skip: np.ndarray | None = None, entries: bool = False,
                    listed: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Unique pairs (i < j) of the graph with cosine >= min_cosine, with the cosine of the first
    occurrence; `only` (bool per row): just the pairs with an end in it (the same rows, found
    before the sort, so a small delta does not sort the whole graph); `skip` (bool per row):
    without the pairs with an end in it. Both keep or drop a pair's two occurrences together.
    `entries`: also the first occurrence's place in the graph (row * k + column). `listed` (bool
    per row): the rows whose lists may hold entries (the others' are all -1: a delta's rows not
    read), the only ones whose lists are looked through for `only`'s rows."""
    n, k = idx.shape
    # the rows that can hold an occurrence of a pair kept: with `only`, its rows and those with a
    # neighbour in it; with `skip`, the rows not in it. Read in row order, the others left out,
    # each pair's occurrences come in the order of the whole graph's: the same first one
    scan = None
    if only is not None and listed is not None:
        scan = only.copy()
        rows = np.nonzero(listed)[0]
        scan[rows] |= only[np.maximum(idx[rows], 0)].any(axis=1)
    elif only is not None:
        scan = only | only[np.maximum(idx, 0)].any(axis=1)
    if skip is not None:
        scan = ~skip if scan is None else scan & ~skip
    if scan is None:
        src = np.repeat(np.arange(n), k)
        dst, cos = idx.ravel(), sims.ravel()
        at = np.arange(n * k) if entries else None
    else:
        rows = np.nonzero(scan)[0]
        src = np.repeat(rows, k)
        dst, cos = idx[rows].ravel(), sims[rows].ravel()
        at = (src * k + np.tile(np.arange(k), len(rows))) if entries else None
    ok = (dst >= 0) & (cos >= min_cosine)
    if only is not None:
        ok &= only[src] | only[np.maximum(dst, 0)]
    if skip is not None:                  # (no row read is in it)
        ok &= ~skip[np.maximum(dst, 0)]
    src, dst, cos = src[ok], dst[ok], cos[ok]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keys, first = np.unique(lo * n + hi, return_index=True)
    if entries:
        return keys // n, keys % n, cos[first], at[ok][first]
    return keys // n, keys % n, cos[first]


def neighbour_pairs(vectors: np.ndarray, k: int, min_cosine: float,
                    exact_max: int = 20_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique pairs (i < j) where j is among i's k nearest neighbours (or i among j's), cosine >= min."""
    n = len(vectors)
    if n < 2 or k < 1:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    idx, sims = knn_graph(vectors, k, exact_max)
    return _pairs_from_knn(idx, sims, min_cosine)


def hub_levels(idx: np.ndarray, sims: np.ndarray, articles: Sequence[str], top: int,
               floor: float) -> np.ndarray:
    """Per claim, the mean cosine of its `top` nearest claims from other articles.

    In a corpus about one story every claim is close to many others (same people, same places);
    this is how close a claim is to its neighbourhood, so a pair is judged by how far it stands
    out above both neighbourhoods (the margin), not by a raw cosine that the topic inflates.
    """
    art = np.asarray([hash(a) for a in articles])
    out = np.full(len(idx), floor, dtype=np.float32)
    _hub_rows(out, range(len(idx)), idx, sims, art, top, floor)
    return out


def _hub_rows(out: np.ndarray, rows, idx: np.ndarray, sims: np.ndarray, art: np.ndarray, top: int,
              floor: float) -> None:
    """`hub_levels` of the given rows, written into `out`: all at once when `top` is under 8 (the
    sum of so few cosines is then taken left to right, as one row's mean takes it), else row by row."""
    if top < 8:
        rows = np.asarray(rows, dtype=np.int64)
        for b in range(0, len(rows), 4096):                   # (blocks: bounded memory)
            rb = rows[b:b + 4096]
            nb = idx[rb]
            ok = (nb >= 0) & (art[np.maximum(nb, 0)] != art[rb][:, None])
            vals = -np.sort(-np.where(ok, sims[rb], -np.inf), axis=1)[:, :top]   # best first
            count = np.minimum(ok.sum(axis=1), vals.shape[1])      # (the other articles' ones)
            held = np.arange(vals.shape[1])[None, :] < count[:, None]
            mean = np.where(held, vals, np.float32(0)).sum(axis=1, dtype=np.float32) / np.maximum(count, 1)
            out[rb] = np.where(count > 0, np.maximum(floor, mean), floor)
        return
    for r in rows:
        ok = (idx[r] >= 0) & (art[np.maximum(idx[r], 0)] != art[r])
        vals = np.sort(sims[r][ok])[::-1][:top]
        out[r] = max(floor, float(vals.mean())) if len(vals) else floor


# ---- grouping -------------------------------------------------------------------------------------

_LINK_BLOCK = 256   # links whose ends' groups are compared at once (`group_indices`)


class _Groups:
    """Union of claim indices where a merge must pass the linkage check."""

    def __init__(self, n: int) -> None:
        # each claim's group, by its root: a merge gives the smaller group's members the larger's
        # root, so the groups of many links are told at once (`label[i] != label[j]`)
        self.label = np.arange(n, dtype=np.int64)
        self._members: dict[int, list[int]] = {}      # of the roots that merged (others: alone)

    def find(self, i: int) -> int:
        return int(self.label[i])

    def of(self, root: int) -> list[int]:
        """The members of the group with this root."""
        return self._members.get(root) or [root]

    def merge(self, a: int, b: int) -> None:
        ma, mb = self.of(a), self.of(b)
        if len(ma) < len(mb):
            a, b, ma, mb = b, a, mb, ma
        if len(mb) == 1:
            self.label[b] = a
        else:
            self.label[mb] = a
        if a in self._members:
            ma.extend(mb)
        else:
            self._members[a] = ma + mb
        self._members.pop(b, None)

    def groups(self) -> list[list[int]]:
        """The groups of two or more members."""
        return list(self._members.values())


def _mean32(a: np.ndarray) -> float:
    """`float(a.mean())` of a float32 array, the same number without `np.mean`'s overhead (a
    tenth of the linkage's time): the float32 sum of every item, divided as a double by their
    count and rounded to float32, as `np.mean` does."""
    return float(np.float32(float(np.add.reduce(a, axis=None)) / a.size))


def _can_merge(va: np.ndarray, vb: np.ndarray, ha: np.ndarray, hb: np.ndarray,
               sets_a: set | Callable[[], set], sets_b: set | Callable[[], set], settings: MatchSettings) -> bool:
    """Whether two groups (their vectors and hub levels; `sets_*`: the distinct non-empty sets of
    numbers their claims state, or a function giving them, asked only when the other group's are
    not empty) may merge: every cross pair stays close, and no two numbers clash."""
    cross = va @ vb.T
    if float(np.minimum.reduce(cross, axis=None)) < settings.link_min_cosine:
        return False
    margins = cross / ((ha[:, None] + hb[None, :]) / 2)
    if _mean32(margins) < settings.link_mean_margin and _mean32(cross) < settings.link_cosine:
        return False
    if settings.veto_numbers:  # a group never holds two claims that state clashing numbers or dates
        # (claims stating none cannot clash; equal sets are compared once; the sets given first)
        if callable(sets_a) and not callable(sets_b):
            sets_a, sets_b = sets_b, sets_a
        sets_a = sets_a() if callable(sets_a) else sets_a
        if not sets_a:
            return True
        sets_b = sets_b() if callable(sets_b) else sets_b
        return not any(_numbers_clash(x, y) for x in sets_a for y in sets_b)
    return True


def _vetoed(m) -> bool:
    return any(r.startswith(("numbers/dates differ", "no shared names")) for r in m.reasons)


# the bits of a neighbour-list entry's verdict (`_link_tuples`): the matcher was asked of the pair
# at that entry's cosine; it said "same"; numbers or names clash (vetoed)
_VERDICT_ASKED, _VERDICT_SAME, _VERDICT_VETOED = 1, 2, 4


def link_pairs(texts: Sequence[str], vectors: np.ndarray, articles: Sequence[str],
               settings: MatchSettings, speakers: Sequence[str | None] | None = None,
               pair_cache: dict | None = None, text_keys: Sequence[str] | None = None,
               knn: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
               only: np.ndarray | None = None
               ) -> tuple[list[tuple[float, int, int]], np.ndarray]:
    """Cross-article candidate pairs that state the same fact, as (margin, i, j), best first,
    and each claim's hub level (see `hub_levels`).

    With `pair_cache` (key -> `matching.pair_static` tuple; new entries are added to it) and
    `text_keys` (one key per claim for its text and speaker), the cosine-free part of each
    pair's decision is computed once per pair of texts, ever; the result is the same.

    `knn` = (idx, sims, hub) given (the incremental path) replaces the kNN search and the hub
    levels; `only` (bool per claim) keeps the candidate pairs with at least one end in it."""
    links, hub = _link_tuples(texts, vectors, articles, settings, speakers, pair_cache, text_keys, knn, only)
    return _margins_only(links), hub


def _margins_only(links: Sequence[tuple[float, float, int, int]]) -> list[tuple[float, int, int]]:
    return [(mg, i, j) for mg, _, i, j in links]


def _link_order(t: tuple[float, float, int, int]) -> tuple:
    """The order links are tried in: best margin first, then best cosine, then by their ends."""
    return -t[0], -t[1], t[2], t[3]


def _link_tuples(texts: Sequence[str], vectors: np.ndarray, articles: Sequence[str],
                 settings: MatchSettings, speakers: Sequence[str | None] | None = None,
                 pair_cache: dict | None = None, text_keys: Sequence[str] | None = None,
                 knn: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 only: np.ndarray | None = None, skip: np.ndarray | None = None,
                 art: np.ndarray | None = None, verdicts: np.ndarray | None = None,
                 wrote: list[np.ndarray] | None = None, listed: np.ndarray | None = None
                 ) -> tuple[list[tuple[float, float, int, int]], np.ndarray]:
    """`link_pairs` with each link as (margin, cosine, i, j) in `_link_order`; `skip` (bool per
    claim) leaves out the candidate pairs with an end in it; `art`: a number per claim, the same
    for the claims of one article and only for them (else `articles` are compared).

    `verdicts` (with `pair_cache`; uint8, the shape of the graph's `idx`): per entry of a
    neighbour list, what the matcher said of the pair at that entry's cosine (`_VERDICT_*` bits;
    0: not asked). A pair's decision is read from its first occurrence's entry when it is there,
    and written to it when made (its texts, their features and the cache are then not read);
    `wrote` (a list) gets the places of the entries written (row * k + column). `listed`: as
    `_pairs_from_knn` takes it."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) < 2:
        return [], np.zeros(len(vectors), dtype=np.float32)
    if knn is None:
        idx, sims = knn_graph(vectors, settings.knn, settings.exact_knn_max)
        hub = hub_levels(idx, sims, articles, settings.margin_k, settings.hub_floor)
    else:
        idx, sims, hub = knn
    if verdicts is not None and (pair_cache is None or text_keys is None or not verdicts.flags.c_contiguous):
        verdicts = None                              # (written through a flat view of it)
    if verdicts is not None:
        src, dst, cos, ent = _pairs_from_knn(idx, sims, settings.candidate_cosine, only, skip, entries=True,
                                             listed=listed)
    else:
        src, dst, cos = _pairs_from_knn(idx, sims, settings.candidate_cosine, only, skip, listed=listed)
    # A pair can link only if "same" is possible (cosine >= min_cosine_same) or its margin or
    # cosine alone is enough: the others are dropped before the (costly) text features.
    hub = np.asarray(hub, dtype=np.float32)
    margins = cos / ((hub[src] + hub[dst]) / 2)
    keep = ((cos >= settings.min_cosine_same) | (margins >= settings.link_margin)
            | (cos >= settings.link_cosine))
    # an article never corroborates itself
    if art is not None:
        keep &= art[src] != art[dst]
        src, dst, cos = src[keep], dst[keep], cos[keep]
    else:
        src, dst, cos = src[keep], dst[keep], cos[keep]
        other = np.fromiter((articles[i] != articles[j] for i, j in zip(src.tolist(), dst.tolist())),
                            dtype=bool, count=len(src))
        keep[keep] = other
        src, dst, cos = src[other], dst[other], cos[other]
    asked = np.ones(len(src), dtype=bool)           # (the pairs whose texts are read)
    if verdicts is not None:
        ent = ent[keep]
        said = verdicts.reshape(-1)[ent]
        asked = (said & _VERDICT_ASKED) == 0
    if hasattr(texts, "prefetch") and asked.any():  # texts read from the store: those of these pairs, at once
        texts.prefetch(set(src[asked].tolist()) | set(dst[asked].tolist()))
    links = []
    if pair_cache is None or text_keys is None:
        for i, j, c in zip(src.tolist(), dst.tolist(), cos.tolist(), strict=True):
            sa, sb = (speakers[i], speakers[j]) if speakers is not None else (None, None)
            m = _decide(texts[i], texts[j], c, settings, sa, sb)
            if _vetoed(m):
                continue
            margin = c / ((hub[i] + hub[j]) / 2)
            if m.relation == "same" or margin >= settings.link_margin or c >= settings.link_cosine:
                links.append((margin, c, i, j))
    elif len(src):
        # the cosine-free features of each pair not decided before (cached per pair of texts), then
        # every such decision at once
        statics = []
        for i, j in zip(src[asked].tolist(), dst[asked].tolist(), strict=True):
            key = text_keys[i] + text_keys[j]
            static = pair_cache.get(key)
            if static is None:
                sa, sb = (speakers[i], speakers[j]) if speakers is not None else (None, None)
                static = pair_cache[key] = pair_static(texts[i], texts[j], sa, sb)
            statics.append(static)
        same = np.zeros(len(src), dtype=bool)
        vetoed = np.zeros(len(src), dtype=bool)
        if statics:
            same[asked], vetoed[asked] = decide_static_many(np.array(statics, dtype=np.float64), cos[asked], settings)
        if verdicts is not None:
            told = ~asked
            same[told] = (said[told] & _VERDICT_SAME) != 0
            vetoed[told] = (said[told] & _VERDICT_VETOED) != 0
            verdicts.reshape(-1)[ent[asked]] = (_VERDICT_ASKED | np.where(same[asked], _VERDICT_SAME, 0)
                                                | np.where(vetoed[asked], _VERDICT_VETOED, 0)).astype(np.uint8)
            if wrote is not None:
                wrote.append(ent[asked])
        c64 = cos.astype(np.float64)
        margins = cos / ((hub[src] + hub[dst]) / 2)     # float32, as c / ((hub[i] + hub[j]) / 2) is
        ok = ~vetoed & (same | (margins >= settings.link_margin) | (c64 >= settings.link_cosine))
        links = [(mg, c, i, j) for mg, c, i, j in zip(margins[ok].tolist(), c64[ok].tolist(),
                                                       src[ok].tolist(), dst[ok].tolist(), strict=True)]
    links.sort(key=_link_order)
    return links, hub


def group_indices(links: Sequence[tuple[float, int, int]], vectors: np.ndarray, texts: Sequence[str],
                  settings: MatchSettings, hub: np.ndarray | None = None) -> list[list[int]]:
    """Greedy linkage over `links` (best first): merge two groups only if all cross pairs stay close."""
    return [sorted(m) for m in _linkage(links, vectors, texts, settings, hub)[0]]


def _numbers_of(texts: Sequence[str], members: Sequence[int]) -> set:
    """The distinct non-empty sets of numbers these claims state."""
    out = set()
    for m in members:
        found = numbers_in(texts[m])
        if found:
            out.add(found)
    return out


def _linkage(links: Sequence[tuple[float, int, int]], vectors: np.ndarray, texts: Sequence[str],
             settings: MatchSettings, hub: np.ndarray | None = None,
             start: Sequence[tuple] = (), merges: list | None = None) -> tuple[list[list[int]], list[float]]:
    """`group_indices`: the groups of two or more, each with its members in the order the linkage
    holds them (a merge puts the larger group's first; the means of a merge's check are summed in
    that order), and the margin of the link of each group's last merge.

    `start`: groups merged before the first of `links` (members in that order, last margin, and
    optionally their merges as below), as a linkage of earlier links left them.

    `merges` (a list): filled with each group's merges, in the order of the groups: every group a
    merge makes is a run of the final group's members, so a merge is (margin, start, middle,
    end), the two runs it joined being [start, middle) and [middle, end)."""
    groups = _Groups(len(vectors))
    last: dict[int, float] = {}                     # per group of two or more: its last merge's margin
    # per group of two or more, its merges (positions in its own members' order)
    made: dict[int, list[tuple[float, int, int, int]]] | None = {} if merges is not None else None
    # per group (by its root), the distinct non-empty sets of numbers its claims state: kept as
    # groups merge, so a merge's check does not go through every member's numbers again; a claim
    # alone is read when it first appears in a link, a larger group (of `start`, or made of one
    # whose sets were not read) from its members when a check needs them: when the other group's
    # are not empty
    number_sets: dict[int, set] = {}
    for members, margin, *given in start:
        members = list(members)
        root = members[0]
        groups.label[members] = root
        groups._members[root] = members
        last[root] = margin
        if made is not None:
            got = given[0] if given else None
            made[root] = [] if got is None else got.tolist() if isinstance(got, np.ndarray) else list(got)

    def sets_of(root: int) -> set:
        v = number_sets.get(root)
        if v is None:
            members = groups.of(root)               # (a claim alone, or a group of `start`)
            if len(members) > 1 and hasattr(texts, "prefetch"):
                texts.prefetch(members)
            v = number_sets[root] = _numbers_of(texts, members)
        return v

    def sets_or_later(root: int) -> set | Callable[[], set]:
        if root in number_sets or len(groups.of(root)) == 1:
            return sets_of(root)
        return lambda: sets_of(root)

    # per group of two or more (by its root), its members' vectors in the order of its members,
    # in a buffer that grows by doubling: a merge's check reads them as they are, instead of
    # gathering a large group's rows again for every claim that asks to join it
    rows: dict[int, np.ndarray] = {}
    hubs: dict[int, np.ndarray] = {}                # (their hub levels, the same way)

    def vectors_of(root: int, members: list[int]) -> np.ndarray:
        buf = rows.get(root)
        return vectors[members] if buf is None else buf[:len(members)]

    def hubs_of(root: int, members: list[int]) -> np.ndarray:
        buf = hubs.get(root)
        return hub[members] if buf is None else buf[:len(members)]

    # two groups refused a merge stay refused while neither changes: the check reads only their
    # members (in order), hub levels and numbers. Every link between them asks again (hundreds
    # of times for two large groups of one story), so a refusal is remembered with each group's
    # count of merges (`changes`) at the time, and holds while both counts are the same.
    changes: dict[int, int] = {}
    refused: dict[tuple[int, int], tuple[int, int]] = {}
    hub = np.ones(len(vectors), dtype=np.float32) if hub is None else hub
    # most links join two claims already in one group (nine in ten of a large cluster's): a block
    # of links is compared at once, and only those whose ends were apart at its start are walked
    ends_i = np.fromiter((t[1] for t in links), dtype=np.int64, count=len(links))
    ends_j = np.fromiter((t[2] for t in links), dtype=np.int64, count=len(links))
    margins = np.fromiter((t[0] for t in links), dtype=np.float64, count=len(links))
    label = groups.label
    for at in range(0, len(links), _LINK_BLOCK):
        li, lj = ends_i[at:at + _LINK_BLOCK], ends_j[at:at + _LINK_BLOCK]
        apart = np.nonzero(label[li] != label[lj])[0]
        for i, j, mg in zip(li[apart].tolist(), lj[apart].tolist(), margins[at:at + _LINK_BLOCK][apart].tolist()):
            a, b = groups.find(i), groups.find(j)
            if a == b:
                continue
            pair = (a, b) if a < b else (b, a)
            if refused.get(pair) == (changes.get(pair[0], 0), changes.get(pair[1], 0)):
                continue
            ma, mb = groups.of(a), groups.of(b)
            sa, sb = sets_or_later(a), sets_or_later(b)
            va, vb = vectors_of(a, ma), vectors_of(b, mb)
            ha, hb = hubs_of(a, ma), hubs_of(b, mb)
            if not _can_merge(va, vb, ha, hb, sa, sb, settings):
                refused[pair] = (changes.get(pair[0], 0), changes.get(pair[1], 0))
                continue
            groups.merge(a, b)
            root = groups.find(a)            # (the larger group's root: its members come first)
            other = b if root == a else a
            changes[root] = changes.get(root, 0) + 1
            first, then = (va, vb) if root == a else (vb, va)
            h_first, h_then = (ha, hb) if root == a else (hb, ha)
            size = len(first) + len(then)
            buf, hbuf = rows.get(root), hubs.get(root)
            if buf is None or len(buf) < size:
                grown = np.empty((max(8, 2 * size), vectors.shape[1]), dtype=vectors.dtype)
                grown[:len(first)] = first
                buf = rows[root] = grown
                hbuf = hubs[root] = np.empty(len(grown), dtype=hub.dtype)
                hbuf[:len(first)] = h_first
            buf[len(first):size] = then
            hbuf[len(first):size] = h_then
            rows.pop(other, None)
            hubs.pop(other, None)
            na, nb = number_sets.get(a), number_sets.get(b)
            if na is not None and nb is not None:
                number_sets[root] = na | nb
            else:                                      # (read from its members if asked)
                number_sets.pop(root, None)
            number_sets.pop(other, None)
            last[root] = mg
            last.pop(other, None)
            if made is not None:
                # the other group's merges move past the root's members, then this one
                n_first = len(first)
                mine = made.get(root)
                if mine is None:
                    mine = made[root] = []
                mine.extend((m, s0 + n_first, s1 + n_first, s2 + n_first) for m, s0, s1, s2 in made.pop(other, ()))
                mine.append((mg, 0, n_first, size))
    out = groups.groups()
    if made is not None:
        merges.extend(made.get(groups.find(m[0]), []) for m in out)
    return out, [last[groups.find(m[0])] for m in out]


def cluster_claims(claims: Sequence[Claim], vectors: np.ndarray, settings: MatchSettings = MatchSettings(),
                   origin_of: Mapping[str, str] | None = None, weak: set[str] | None = None,
                   pair_cache: dict | None = None) -> list[Cluster]:
    """Clusters of same-fact claims from >= 2 articles; claims left alone belong to no cluster.

    `pair_cache`: see `link_pairs` (keys are built from each claim's text and speaker)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(claims) != len(vectors):
        raise ValueError(f"{len(claims)} claims but {len(vectors)} vectors")
    ids, articles, speakers, texts = _columns(claims)
    text_keys = _TextKeys(texts, speakers).every() if pair_cache is not None else None
    links, hub = link_pairs(texts, vectors, articles, settings, speakers, pair_cache, text_keys)
    return _make_clusters(ids, articles, group_indices(links, vectors, texts, settings, hub),
                          _claim_sources(ids, _article_spans(articles), origin_of, weak))


def _claim_sources(ids: Sequence[str], spans: Mapping[str, range | list[int]], origin_of: Mapping[str, str] | None,
                   weak: set[str] | np.ndarray | Callable[[np.ndarray], np.ndarray] | None,
                   rows: np.ndarray | None = None, lens: np.ndarray | None | bool = True,
                   art: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per claim (position), its article's origin group as a number, and whether it is weak (its
    sentence is garbled): what `_sources_counted` reads. `weak`: a bool per claim, a function
    giving the flags of some rows (what the analysis passes), or the weak claims' ids. With
    `rows`, the flags of those rows alone are asked for (the others read False); with `art` too
    (each row's article, by its number in `spans`), the origin groups of those rows' articles alone
    are looked up (the others' rows read -1). `lens`: as `_per_article` takes it."""
    origin_of = origin_of or {}
    codes: dict[str, int] = {}
    if rows is not None and art is not None:
        names = list(spans)
        mine = np.unique(art[rows])
        code_of = np.full(len(names) + 1, -1, dtype=np.int64)
        code_of[mine] = [codes.setdefault(origin_of.get(a, a), len(codes)) for a in map(names.__getitem__, mine.tolist())]
        origin = code_of[art]
    else:
        origin = _per_article(spans, len(ids), [codes.setdefault(origin_of.get(a, a), len(codes)) for a in spans], lens)
    weak_rows = np.zeros(len(ids), dtype=bool)
    if callable(weak):
        asked = np.arange(len(ids), dtype=np.int64) if rows is None else np.unique(rows)
        weak_rows[asked] = weak(asked)
    elif isinstance(weak, np.ndarray):
        if len(weak) != len(ids):
            raise ValueError(f"{len(ids)} claims but {len(weak)} weak flags")
        weak_rows = weak.astype(bool)
    elif weak:
        weak_rows = np.fromiter((c in weak for c in ids), dtype=bool, count=len(ids))
    return origin, weak_rows


def _sources_counted(rows: np.ndarray, group: np.ndarray, n_groups: int,
                     sources: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Independent sources of many groups at once (claim `rows[t]` belongs to group `group[t]`):
    per group, the distinct origins of its claims that are not weak (`sources`: `_claim_sources`)."""
    origin, weak_rows = sources
    keep = ~weak_rows[rows]
    if len(rows) and int(origin[rows].min()) < 0:
        raise ValueError("the origin group of a claim counted was not looked up")
    width = int(origin.max()) + 1 if len(origin) else 1
    pairs = np.unique(group[keep] * width + origin[rows[keep]])     # distinct (group, origin)
    return np.bincount(pairs // width, minlength=n_groups)


def _make_clusters(ids: Sequence[str], articles: Sequence[str], groups: Sequence[Sequence[int]],
                   sources: tuple[np.ndarray, np.ndarray], by_id: bool = True) -> list[Cluster]:
    """Clusters of the claims (positions in `ids` / `articles`) of each group, sorted by id (not
    `by_id`: in the groups' order)."""
    sizes = [len(m) for m in groups]
    rows = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64, count=sum(sizes))
    counts = _sources_counted(rows, np.repeat(np.arange(len(groups)), sizes), len(groups), sources).tolist()
    clusters = []
    for members, n_src in zip(groups, counts, strict=True):
        claim_ids = tuple(sorted(ids[i] for i in members))
        article_ids = tuple(sorted({articles[i] for i in members}))
        clusters.append(Cluster(id="k" + stable_id(*claim_ids), claim_ids=claim_ids, article_ids=article_ids,
                                independent_sources=n_src))
    if by_id:
        clusters.sort(key=lambda k: k.id)
    return clusters


class _Texts(Sequence):
    """Per claim (by position) its standalone text, read from a store.ClaimTable when asked for."""

    def __init__(self, claims) -> None:
        self._claims = claims

    def __len__(self) -> int:
        return len(self._claims)

    def __getitem__(self, i):
        c = self._claims[i]
        return c.standalone or c.text

    def prefetch(self, positions) -> None:
        self._claims.fetch(positions)


class _RecordField(Sequence):
    """Per claim (by position) one field of it (`field`): from its Claim record when a
    store.ClaimTable has read that already (a delta reads the records of the pairs it decides and
    of the rows it regroups), else from `column` (a ClaimTable's column reads its article's stored
    columns). With claims that are not a ClaimTable, `column` alone."""

    def __init__(self, claims, column: Sequence, field: str) -> None:
        self._read = claims.read_claim if hasattr(claims, "read_claim") else None
        self._column, self._field = column, field

    def __len__(self) -> int:
        return len(self._column)

    def __getitem__(self, i):
        if isinstance(i, slice) or self._read is None:
            return self._column[i]
        c = self._read(i)
        return self._column[i] if c is None else getattr(c, self._field)

    def __iter__(self):
        return iter(self._column)


def _columns(claims) -> tuple[Sequence[str], Sequence[str], Sequence[str | None], Sequence[str]]:
    """(ids, articles, speakers, texts) of the claims, by position. A store.ClaimTable gives the
    first three at once and each text when it is read (a delta reads the texts of its region)."""
    if hasattr(claims, "article_ids"):
        return claims.ids, claims.article_ids, _RecordField(claims, claims.speakers, "speaker"), _Texts(claims)
    return ([c.id for c in claims], [c.article_id for c in claims], [c.speaker for c in claims],
            [c.standalone or c.text for c in claims])


# ---- incremental clustering ---------------------------------------------------------------------

# A delta keeps the rows of old claims whose neighbours or hub level changed as patches (one small
# row per claim, table knn_patches) instead of rewriting their articles' rows; past this many
# patched claims (or this share of all claims) the articles holding them are written again.
_PATCH_MIN = 4096
# a delta from a state read back from its heads reads the rows of the claims its new ones enter,
# and of those that may list one of them; past this many entered, every row (as many as a full read)
_LAZY_ROWS = 256
_COSINE_SLACK = 1e-4      # (for cosines taken in other blocks and angles summed in float32)
_PATCH_SHARE = 0.125


class _Lines(ListLike):
    """Per row, one item of the stored per-article texts (items joined by newlines; "" for an
    article without any), split when asked for: an item splits its article's text alone, a
    slice or a pass over all of them splits every text (once). A delta reads the previous
    state's ids and keys this way: it asks for those of a few articles (the others' rows are
    told by their stamps), and making a string per claim is most of what reading them costs.
    A text that is None is not read yet: `load` (given the texts' numbers) reads it first."""

    def __init__(self, texts: Sequence[str | None], starts: Sequence[int],
                 load: Callable[[list[int]], None] | None = None) -> None:
        self._texts = list(texts)
        self._starts = list(starts)                  # each text's first row, then the row count
        self._split: dict[int, list[str]] = {}
        self._every: list[str] | None = None
        self._load = load

    def _all(self) -> list[str]:
        if self._every is None:
            if self._load is not None and None in self._texts:
                self._load([j for j, t in enumerate(self._texts) if t is None])
            held = [t for t in self._texts if t]
            self._every = "\n".join(held).split("\n") if held else []
        return self._every

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, i):
        if isinstance(i, slice) or self._every is not None:
            return self._all()[i]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        a = bisect.bisect_right(self._starts, i) - 1
        items = self._split.get(a)
        if items is None:
            if self._texts[a] is None and self._load is not None:
                self._load([a])
            items = self._split[a] = self._texts[a].split("\n")
        return items[i - self._starts[a]]

    def __iter__(self):
        return iter(self._all())



class _RowKeys(ListLike):
    """The keys of a delta's state: a row's own key when it was hashed now (`own`), else that of
    its row in the previous state (`old_of`), read from there when asked for."""

    def __init__(self, previous: Sequence[str], old_of: np.ndarray, own: dict[int, str]) -> None:
        self._previous, self._old_of, self._own = previous, old_of, own

    def __len__(self) -> int:
        return len(self._old_of)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        v = self._own.get(i)
        return v if v is not None else self._previous[int(self._old_of[i])]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


# what the rows of a state read back from its heads hold until they are read (None: whatever the
# memory held). The tests set a row number past any array and a NaN cosine, so that a row looked
# at before it is read fails where it is used.
_UNREAD_FILL: tuple[int, float] | None = None


@dataclass
class KnnState:
    """What a clustering leaves for the next one: per claim (row), its key (article, texts,
    speaker), its k nearest neighbours (row positions) with their cosines, and its hub level.

    Stored as one row per article (`rows`, `from_rows`): each claim has a stable number (`slots`)
    by which the rows name their neighbours, so a row stays valid when other articles come or go.
    A delta writes the rows of the articles whose claims are new, changed or gone; an old claim
    whose neighbours or hub level changed (`written`) is written as a patch of its own (slot,
    neighbours, cosines, hub level), which overrides its article's row when read back. A new
    article's claims enter the neighbour lists of hundreds of old claims in as many articles on a
    one-story corpus; the patches cost a row each instead of those articles' rows."""
    ids: Sequence[str]    # (read back: `_Lines`, split when asked for)
    keys: Sequence[str]
    idx: np.ndarray       # (n, k) int64, -1 = none
    sims: np.ndarray      # (n, k) float32
    hub: np.ndarray       # (n,) float32
    basis: str
    slots: np.ndarray                                # (n,) int64: each claim's stable number
    next_slot: int                                   # the number the next new claim gets
    spans: dict[str, range | list[int]]              # article -> its rows
    written: np.ndarray | None = None                # bool per row: differs from the stored row
                                                     # (None: every row, after a full clustering)
    new_from: int = 0                                # slots from this one on are new claims
    patched: np.ndarray | None = None                # bool per row: stored as a patch
    stored_stamps: list[str | None] | None = None    # per article (of `spans`) its row's stamp as read
    # read back from the rows' heads (`from_heads`): whether each row's neighbours and cosines are
    # read (None: every row's), each row's k-th cosine (its list's lowest, as stored), and what
    # reads the given rows not read yet
    known: np.ndarray | None = None
    worst: np.ndarray | None = None
    load: Callable[[np.ndarray], None] | None = None
    # (n, k) uint8: per neighbour, what the matcher said of the pair at its cosine (`_VERDICT_*`;
    # 0: not asked; None: nothing known)
    verdicts: np.ndarray | None = None
    # (read back from the rows' heads) per article (of `spans`, whose ranges then run end to end)
    # its first row, then the number of rows
    article_starts: np.ndarray | None = None
    # (a delta's) the stored state's articles as the delta matched them: (that state's `spans`,
    # per article of `spans` its index there or -1, per article there its number of rows)
    matched: tuple[Mapping[str, range | list[int]], np.ndarray, np.ndarray] | None = None

    def stamps(self) -> list[str]:
        """Per article (in the order of `spans`) the stamp of the ids its row holds
        (`records.ids_stamp`): as read back, else made from them."""
        got = self.stored_stamps if self.stored_stamps is not None else [None] * len(self.spans)
        return [x if x is not None else ids_stamp(_take(self.ids, pos)) for x, pos in zip(got, self.spans.values())]

    def meta(self) -> str:
        return json.dumps({"basis": self.basis, "k": int(self.idx.shape[1]) if self.idx.ndim == 2 else 0,
                           "next_slot": int(self.next_slot)})

    def rows(self, stored: Mapping[str, Sequence[int]] | None = None
             ) -> tuple[list[tuple], list[str], bool, list[tuple], list[int] | None]:
        """What to write, given the stored rows' articles (with their rows, as `spans`):
        (article rows, articles whose row goes, whether every article row is replaced, patch rows,
        slots whose patch goes (None: every patch)).

        An article row is (article, ids, keys, slots, neighbours' slots, cosines, hub levels, the
        stamp of its ids, the lowest cosine of each claim's list, the verdicts of its pairs); it
        is written for an article not stored or holding a new claim or fewer claims, or for every
        article after a full clustering. A patch row is (slot, neighbours' slots, cosines, hub
        level, verdicts), for the other `written` rows; past `_PATCH_MIN` patched claims (and
        `_PATCH_SHARE` of all) the articles holding them are written again instead."""
        every = self.written is None
        n = len(self.ids)
        stored = stored or {}
        names = list(self.spans)
        lens = np.diff(self.article_starts) if self.article_starts is not None else True
        art = _per_article(self.spans, n, range(len(names)), lens)   # each row's article (its index in `names`)
        # (the stored articles as a delta matched them, when `stored` is the state it started from)
        matched = self.matched if self.matched is not None and self.matched[0] is stored else None
        if every:
            whole = np.ones(len(names), dtype=bool)
        else:
            whole = np.zeros(len(names), dtype=bool)
            whole[art[self.slots >= self.new_from]] = True          # holding a new claim
            if matched is not None and lens is not True:
                # not stored, or fewer claims: by the delta's match, at once
                _, at, stored_lens = matched
                whole |= (at < 0) | (np.append(stored_lens, -1)[at] != lens)
            else:
                for j, (a, pos) in enumerate(self.spans.items()):
                    before = stored.get(a)
                    if before is None or len(before) != len(pos):
                        whole[j] = True                             # not stored, or fewer claims
        in_whole = whole[art]
        patched = self.patched if self.patched is not None else np.zeros(n, dtype=bool)
        patch = np.zeros(n, dtype=bool) if every else (self.written & ~in_whole)
        unpatch: list[int] | None = None if every else self.slots[patched & in_whole].tolist()
        held = (patched | patch) & ~in_whole
        if not every and held.sum() > max(_PATCH_MIN, _PATCH_SHARE * n):
            # too many patches: the articles holding one are written whole, and every patch goes
            whole[art[held]] = True
            patch[:] = False
            unpatch = None

        if self.load is not None:
            self.load(np.nonzero(whole[art])[0])                    # (the rows written whole, if not read)

        def nbr_of(rows) -> np.ndarray:
            got = self.idx[rows]
            return np.where(got >= 0, self.slots[np.maximum(got, 0)], -1).astype("<i4")

        said = self.verdicts

        out = []
        for j in np.nonzero(whole)[0].tolist():
            a = names[j]
            pos = self.spans[a]
            ids = _take(self.ids, pos)
            sims = _take(self.sims, pos)
            out.append((a, "\n".join(ids), "\n".join(_take(self.keys, pos)),
                        _take(self.slots, pos).astype("<i4").tobytes(), nbr_of(_slice_or(pos)).tobytes(),
                        sims.astype("<f4").tobytes(), _take(self.hub, pos).astype("<f4").tobytes(),
                        ids_stamp(ids), _lowest(sims).astype("<f4").tobytes(),
                        None if said is None else _take(said, pos).astype(np.uint8).tobytes()))
        rows = np.nonzero(patch)[0]
        nbr = nbr_of(rows)
        patches = [(int(self.slots[i]), nbr[r].tobytes(), self.sims[i].astype("<f4").tobytes(), float(self.hub[i]),
                    None if said is None else said[i].astype(np.uint8).tobytes())
                   for r, i in enumerate(rows.tolist())]
        if matched is not None:
            left = np.ones(len(stored), dtype=bool)
            left[matched[1][matched[1] >= 0]] = False
            gone = list(itertools.compress(stored, left.tolist()))
        else:
            gone = [a for a in stored if a not in self.spans]
        return out, gone, every, patches, unpatch

    @classmethod
    def from_rows(cls, rows: Sequence[tuple], meta: str, patches: Sequence[tuple] = ()) -> "KnnState":
        """The state back from its whole rows (in article order; each row's stamp, lowest
        cosines and verdicts, last, may be left out or None), `meta` and the patch rows (slot,
        neighbours' slots, cosines, hub level, verdicts or None) that override the rows of their
        claims: `from_heads`, every row read."""
        k = int(json.loads(meta)["k"])

        def head(r: tuple) -> tuple:
            lowest = r[8] if len(r) > 8 and r[8] is not None else _lowest(
                np.frombuffer(r[5], dtype="<f4").reshape(len(r[3]) >> 2, k)).astype("<f4").tobytes()
            return r[0], r[7] if len(r) > 7 else None, r[3], r[6], lowest

        state = cls.from_heads([head(r) for r in rows], meta, patches,
                               lambda ids: [r for r in rows if ids is None or r[0] in ids])
        state.load(np.arange(len(state.slots)))
        return state

    @classmethod
    def from_heads(cls, heads: Sequence[tuple], meta: str, patches: Sequence[tuple],
                   rows_of: Callable[[list[str] | None], Sequence[tuple]]) -> "KnnState":
        """The state back from each article row's head (article, stamp, slots, hub levels, lowest
        cosines), in article order, `meta` and the patch rows: the neighbours, cosines, verdicts,
        ids and keys of an article are read (`rows_of`: article ids, or None for every article ->
        their rows, in the columns of `from_rows`; the heads' columns are not read from them) when
        one of its rows is asked for (`load`, an id or a key)."""
        m = json.loads(meta)
        k = int(m["k"])
        # the heads' columns at once (one pass in C, not one per column and article)
        names, stamps, slot_bytes, hub_bytes, worst_bytes = (list(c) for c in zip(*heads)) if heads else ([],) * 5
        counts = np.fromiter(map(len, slot_bytes), dtype=np.int64, count=len(names)) >> 2
        ends_ = np.cumsum(counts)
        ends = ends_.tolist()
        starts = [0, *ends]
        spans: dict[str, range | list[int]] = dict(zip(names, map(range, starts, ends)))
        slots = np.frombuffer(b"".join(slot_bytes), dtype="<i4").astype(np.int64)
        hub = np.frombuffer(b"".join(hub_bytes), dtype="<f4").copy()
        worst = np.frombuffer(b"".join(worst_bytes), dtype="<f4").copy()
        n = len(slots)
        p_slot = np.fromiter((p[0] for p in patches), dtype=np.int64, count=len(patches))
        p_nbr = np.frombuffer(b"".join(p[1] for p in patches), dtype="<i4").reshape(len(patches), k)
        top = max(int(m["next_slot"]), int(slots.max()) + 1 if n else 0,
                  int(p_slot.max()) + 1 if len(p_slot) else 0, int(p_nbr.max()) + 1 if p_nbr.size else 0)
        pos_of = np.full(top + 1, -1, dtype=np.int64)     # (its last entry, for "none" (-1), stays -1)
        pos_of[slots] = np.arange(n)

        def rows_at(nbr: np.ndarray) -> np.ndarray:
            return pos_of[np.where((nbr >= 0) & (nbr < top), nbr, -1)]

        # (a row's neighbours and cosines hold nothing until it is read, as `known` tells: only the
        # rows read are looked at, so their memory is not filled, nor touched, before)
        idx = np.empty((n, k), dtype=np.int64)
        sims = np.empty((n, k), dtype=np.float32)
        if _UNREAD_FILL is not None:
            idx.fill(_UNREAD_FILL[0])
            sims.fill(_UNREAD_FILL[1])
        said = np.zeros((n, k), dtype=np.uint8)
        known = np.zeros(n, dtype=bool)
        patched = np.zeros(n, dtype=bool)
        if len(patches):
            at = pos_of[p_slot]
            ok = at >= 0                    # (a patch of a claim gone since is left out)
            idx[at[ok]] = rows_at(p_nbr[ok])
            sims[at[ok]] = np.frombuffer(b"".join(p[2] for p in patches), dtype="<f4").reshape(len(patches), k)[ok]
            hub[at[ok]] = np.fromiter((p[3] for p in patches), dtype=np.float32, count=len(patches))[ok]
            said[at[ok]] = _verdict_rows([p[4] if len(p) > 4 else None for p in patches], [1] * len(patches), k)[ok]
            worst[at[ok]] = _lowest(sims[at[ok]])
            patched[at[ok]] = known[at[ok]] = True
        index = dict(zip(names, range(len(names))))
        starts_ = ends_ - counts
        ids = _Lines([None] * len(names), starts)
        keys = _Lines([None] * len(names), starts)
        fetched = np.zeros(len(names), dtype=bool)

        def fetch(arts: list[int]) -> None:
            """Read these articles' rows (by number): past a quarter of them, every row at once."""
            want = [names[j] for j in arts if not fetched[j]]
            if not want:
                return
            got = [r for r in rows_of(want if 4 * len(want) <= len(names) else None)
                   if r[0] in index and not fetched[index[r[0]]]]
            js = np.fromiter((index[r[0]] for r in got), dtype=np.int64, count=len(got))
            for j, r in zip(js.tolist(), got):
                ids._texts[j], keys._texts[j] = r[1], r[2]
            lens = ends_[js] - starts_[js]
            # each row read, its position: the articles' spans end to end
            pos = np.arange(int(lens.sum())) + np.repeat(starts_[js] - (np.cumsum(lens) - lens), lens)
            nbr = np.frombuffer(b"".join(r[4] for r in got), dtype="<i4").reshape(len(pos), k)
            got_sims = np.frombuffer(b"".join(r[5] for r in got), dtype="<f4").reshape(len(pos), k)
            got_said = _verdict_rows([r[9] if len(r) > 9 else None for r in got], lens.tolist(), k)
            mine = ~patched[pos]
            if not mine.all():                # (a patched claim's row is its patch's)
                pos, nbr, got_sims, got_said = pos[mine], nbr[mine], got_sims[mine], got_said[mine]
            idx[pos] = rows_at(nbr)
            sims[pos] = got_sims
            said[pos] = got_said
            known[pos] = True
            fetched[js] = True

        def load(rows: np.ndarray) -> None:
            rows = np.asarray(rows, dtype=np.int64)
            rows = rows[~known[rows]]
            if len(rows):
                fetch(np.unique(np.searchsorted(starts, rows, side="right") - 1).tolist())

        ids._load = keys._load = fetch
        return cls(ids, keys, idx, sims, hub, str(m["basis"]), slots, top, spans, patched=patched,
                   stored_stamps=stamps, known=known, worst=worst, load=load, verdicts=said,
                   article_starts=np.append(starts_, n))


def _verdict_rows(blobs: Sequence[bytes | None], counts: Sequence[int], k: int) -> np.ndarray:
    """The verdicts of rows stored as blobs of `counts[i]` claims each (None: not stored, all 0)."""
    if k == 0:
        return np.zeros((sum(counts), 0), dtype=np.uint8)
    return np.frombuffer(b"".join(b if b is not None and len(b) == c * k else bytes(c * k)
                                  for b, c in zip(blobs, counts)), dtype=np.uint8).reshape(-1, k)


def _lowest(sims: np.ndarray) -> np.ndarray:
    """Each row's lowest cosine (-inf for a row of no neighbours or with fewer than k)."""
    return sims.min(axis=1) if sims.shape[1] else np.full(len(sims), -np.inf, dtype=np.float32)


def _article_spans(articles: Sequence[str]) -> dict[str, range | list[int]]:
    """article -> its positions: a range when its claims are together (the claims an analysis
    reads come in article order), else their list."""
    spans: dict[str, range | list[int]] = {}
    start = 0
    for i in range(1, len(articles) + 1):
        if i == len(articles) or articles[i] != articles[start]:
            a = articles[start]
            if a in spans:
                spans[a] = [*spans[a], *range(start, i)]
            else:
                spans[a] = range(start, i)
            start = i
    return spans


def _slice_or(pos: range | list[int]):
    """A slice for a range of positions, else the positions (to index an array)."""
    return slice(pos.start, pos.stop) if isinstance(pos, range) else pos


def _run_lengths(spans: Mapping[str, range | list[int]], n: int) -> np.ndarray | None:
    """The spans' lengths when they are ranges end to end in order over the `n` rows (a
    store.ClaimTable's), else None."""
    pos = list(spans.values())
    if all(type(r) is range for r in pos):
        lens = [len(r) for r in pos]
        if sum(lens) == n and [r.start for r in pos] == [0, *itertools.accumulate(lens[:-1])]:
            return np.asarray(lens, dtype=np.int64)
    return None


def _per_article(spans: Mapping[str, range | list[int]], n: int, values: Sequence[int],
                 lens: np.ndarray | None | bool = True) -> np.ndarray:
    """Per row (of `n`), the value of its article (`values`, in the order of `spans`): repeated
    at once when the spans are ranges end to end in order (their `_run_lengths`, which `lens`
    gives when known: True to find them), else filled article by article."""
    if lens is True:
        lens = _run_lengths(spans, n)
    if lens is not None:
        return np.repeat(np.asarray(values, dtype=np.int64), lens)
    pos = list(spans.values())
    out = np.empty(n, dtype=np.int64)
    for v, r in zip(values, pos):
        out[_slice_or(r)] = v
    return out


def _take(seq, pos: range | list[int]):
    """The items of a list or array at these positions (a slice for a range)."""
    if isinstance(pos, range):
        return seq[pos.start:pos.stop]
    return seq[pos] if isinstance(seq, np.ndarray) else [seq[i] for i in pos]


def claim_keys(claims: Sequence[Claim]) -> list[str]:
    """Per claim, a hash of everything its vector, its pair decisions and its links depend on."""
    import hashlib
    return [hashlib.sha256(f"{c.article_id}\x1f{c.standalone}\x1f{c.text}\x1f{c.speaker or ''}".encode())
            .hexdigest()[:16] for c in claims]


class _TextKeys:
    """Per claim (by position), the hash of its text and speaker: one half of a pair-cache key.
    Made when first asked for, so a delta hashes only the claims of the pairs it decides."""

    def __init__(self, texts: Sequence[str], speakers: Sequence[str | None]) -> None:
        self._texts, self._speakers = texts, speakers
        self._done: dict[int, str] = {}

    def __getitem__(self, i: int) -> str:
        v = self._done.get(i)
        if v is None:
            import hashlib
            v = self._done[i] = hashlib.sha256(
                f"{self._texts[i]}\x1f{self._speakers[i] or ''}".encode()).hexdigest()[:16]
        return v

    def every(self) -> list[str]:
        """All of them, as a list (a full clustering asks for most: plain indexing is cheaper)."""
        return [self[i] for i in range(len(self._texts))]


@dataclass
class ClusterResult:
    clusters: list[Cluster]
    state: KnnState
    touched: set[str] | None      # claim ids whose cluster may differ from the previous analysis
    #                               (None: full computation, everything may have changed)
    search: float = 0.0           # seconds spent in the nearest-neighbour search itself
    gone: set[str] | None = None  # (delta) the previous state's claim ids no current claim has
    cluster_rows: np.ndarray | None = None   # per claim (row), the index of its cluster in `clusters`, or -1
    # per cluster id, how the linkage left it (`_linkage_bytes`): what the next delta reads to take
    # a cluster whole when every merge it made comes before the links of the new claims
    linkage: Mapping[str, bytes | None] | None = None
    # (delta) per cluster made now that counts one fluent origin, that origin: whether a claim of
    # it is corroborated is then told by the claim's own origin, without reading the members
    sole: Mapping[str, str] | None = None

    def holding(self, rows: Iterable[int] | np.ndarray) -> list[int]:
        """The indices (ascending) in `clusters` of the clusters holding one of these claims (rows)."""
        rows = rows.astype(np.int64) if isinstance(rows, np.ndarray) else np.fromiter(rows, dtype=np.int64)
        got = self.cluster_rows[rows]
        return np.unique(got[got >= 0]).tolist()

    def cluster_at(self, position: Mapping[str, int]) -> Callable[[Iterable[str]], dict[str, int]]:
        """claim ids -> the index in `clusters` of the cluster of each that is in one (`position`:
        claim id -> row; a store.ClaimTable's looks the ids up at once)."""
        def at(ids: Iterable[str]) -> dict[str, int]:
            ids = list(ids)
            if hasattr(position, "look_up"):
                position.look_up(ids)
            out = {}
            for c in ids:
                p = position.get(c)
                if p is not None and (j := int(self.cluster_rows[p])) >= 0:
                    out[c] = j
            return out
        return at


def cluster_incremental(claims: Sequence[Claim], vectors: np.ndarray, settings: MatchSettings,
                        origin_of: Mapping[str, str] | None = None,
                        weak: set[str] | np.ndarray | Callable[[np.ndarray], np.ndarray] | None = None,
                        pair_cache: dict | None = None, previous: tuple[KnnState, Sequence[Cluster]] | None = None,
                        basis: str = "", fresh: set[str] | None = None, unsettled: set[str] | None = None
                        ) -> ClusterResult:
    """`cluster_claims`, plus the state for the next analysis; with `previous` (the state and the
    clusters of the previous analysis under the same `basis`), only the region the new, changed and
    removed claims touch is computed again (see docs/incremental.md).

    `fresh`: the articles whose claims may differ from the previous analysis' (new, changed, or
    read again under other rules). A claim of another article that the state lists keeps its
    stored key unhashed; without `fresh` every claim's key is hashed and compared.

    `weak`: the claims of garbled sentences, by id, as a bool per claim (by position), or as a
    function giving the flags of some positions (then a delta asks for those of the claims it
    counts alone).

    `unsettled`: the articles whose claims' origin group or weak flag may differ from the previous
    analysis'; a kept cluster none of whose claims is theirs keeps its count of independent
    sources. None: every kept cluster is counted again."""
    steps = cluster_steps(claims, settings, origin_of=origin_of, weak=weak, pair_cache=pair_cache,
                          previous=previous, basis=basis, fresh=fresh, unsettled=unsettled)
    next(steps)
    return finish_steps(steps, vectors)


def finish_steps(steps, vectors: np.ndarray) -> ClusterResult:
    """The end of a `cluster_steps` that was started: sent the claims' vectors, its result."""
    try:
        steps.send(vectors)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("the clustering asked for its vectors twice")


def _checked_vectors(vectors: np.ndarray, n: int) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if n != len(vectors):
        raise ValueError(f"{n} claims but {len(vectors)} vectors")
    return vectors


def cluster_steps(claims: Sequence[Claim], settings: MatchSettings, origin_of: Mapping[str, str] | None = None,
                  weak: set[str] | np.ndarray | Callable[[np.ndarray], np.ndarray] | None = None,
                  pair_cache: dict | None = None, previous: tuple[KnnState, Sequence[Cluster]] | None = None,
                  basis: str = "", fresh: set[str] | None = None, unsettled: set[str] | None = None
                  ) -> Generator[None, np.ndarray, ClusterResult]:
    """`cluster_incremental` in two steps, for a caller that has the claims before their vectors.
    Started (`next`), it does what needs no vectors and yields: a delta maps the previous state
    and clusters onto the claims and reads the rows it carries over. Then sent the vectors
    (`finish_steps`), it searches, links and groups, and returns the `ClusterResult`."""
    ids, articles, speakers, texts = _columns(claims)
    # article -> its positions (a store.ClaimTable has them)
    spans = claims.spans if hasattr(claims, "spans") else _article_spans(articles)
    text_keys = _TextKeys(texts, speakers) if pair_cache is not None else None
    n = len(claims)
    vectors = None
    if previous is not None and previous[0].basis == basis and n >= 2:
        delta = _delta(claims, settings, ids, texts, articles, speakers, spans, pair_cache, text_keys,
                       previous[0], previous[1], origin_of, weak, fresh,
                       previous[2] if len(previous) > 2 else None, unsettled,
                       previous[3] if len(previous) > 3 else None)
        try:
            next(delta)
        except StopIteration:           # (it found a full pass as cheap before needing the vectors)
            delta = None
        if delta is not None:
            vectors = _checked_vectors((yield), n)
            out = finish_steps(delta, vectors)
            out.state.basis = basis
            return out
    if vectors is None:
        vectors = _checked_vectors((yield), n)
    keys = claim_keys(claims)
    if not isinstance(texts, list):
        texts = list(texts)           # (the claims were all read for their keys)
    if text_keys is not None:
        text_keys = _TextKeys(texts, speakers).every()
    if n < 2:
        idx = np.zeros((n, 0), dtype=np.int64)
        sims = np.zeros((n, 0), dtype=np.float32)
        hub = np.zeros(n, dtype=np.float32)
        links: list = []
        search = 0.0
    else:
        t_search = time.perf_counter()
        idx, sims = knn_graph(vectors, settings.knn, settings.exact_knn_max)
        search = time.perf_counter() - t_search
        hub = hub_levels(idx, sims, articles, settings.margin_k, settings.hub_floor)
    said = np.zeros(idx.shape, dtype=np.uint8)          # (filled as the pairs are decided)
    if n >= 2:
        links, _ = _link_tuples(texts, vectors, articles, settings, speakers, pair_cache, text_keys,
                                knn=(idx, sims, hub), verdicts=said)
        links = _margins_only(links)
    merges: list = []
    ordered, lasts = _linkage(links, vectors, texts, settings, hub, merges=merges)
    groups = [sorted(m) for m in ordered]
    clusters = _make_clusters(ids, articles, groups, _claim_sources(ids, spans, origin_of, weak), by_id=False)
    slots = np.arange(n, dtype=np.int64)
    linkage = {k.id: _linkage_bytes(m, last, slots, mg) for k, m, last, mg in zip(clusters, ordered, lasts, merges)}
    clusters, cluster_rows, _ = _by_id(clusters, groups, n)
    return ClusterResult(clusters, KnnState(list(ids), keys, idx, sims, hub, basis, slots, n, spans, verdicts=said),
                         None, search, cluster_rows=cluster_rows, linkage=linkage)


class _ThenLinkage(dict):
    """The linkage of the clusters a delta made, and of any other (kept) through `then`."""

    def __init__(self, made: dict[str, bytes], then: Callable[[str], bytes | None]) -> None:
        super().__init__(made)
        self._then = then

    def get(self, cid: str, default=None):
        if cid in self:
            return self[cid]
        got = self._then(cid)
        return default if got is None else got


# a merge as a cluster's linkage stores it: its link's margin, and the runs of the cluster's
# members (in linkage order) it joined, [start, middle) and [middle, end)
_MERGE = np.dtype([("margin", "<f4"), ("start", "<i4"), ("middle", "<i4"), ("end", "<i4")])


def _linkage_bytes(members: Sequence[int], last: float, slots: np.ndarray,
                   merges: Sequence[tuple[float, int, int, int]] | None = None) -> bytes:
    """A cluster's linkage as stored: the margin of its last merge (float32), then its members'
    stable numbers in the order the linkage holds them (int64), then (when given: one fewer than
    its members) its merges (`_MERGE`, as `_linkage` gives them)."""
    out = np.float32(last).tobytes() + slots[np.asarray(members, dtype=np.int64)].astype("<i8").tobytes()
    if merges is not None and len(merges) == len(members) - 1:
        out += np.array(merges, dtype=_MERGE).tobytes()       # (each merge a tuple, as `_linkage` gives it)
    return out


def linkage_parts(b: bytes, size: int) -> tuple[float, np.ndarray, np.ndarray | None] | None:
    """A stored linkage (`_linkage_bytes`) of a cluster of `size` claims: (last margin, its
    members' stable numbers, its merges or None when not stored); None when it is of another size."""
    if len(b) == 4 + 8 * size:
        merges = None
    elif len(b) == 4 + 8 * size + _MERGE.itemsize * (size - 1):
        merges = np.frombuffer(b, dtype=_MERGE, offset=4 + 8 * size)
    else:
        return None
    return (float(np.frombuffer(b, dtype="<f4", count=1)[0]), np.frombuffer(b, dtype="<i8", count=size, offset=4),
            merges)


def _runs_before(merges: np.ndarray, first: float) -> list[tuple[int, int, float, np.ndarray]] | None:
    """A cluster's groups just before a link of margin `first`, from its merges: the outermost
    runs its merges of larger margins made, each (start, end, its last merge's margin, its merges
    shifted to start at 0). A merge's margin is at most those of the merges inside it (it came
    after them), so those runs hold every such merge. None when one merge's margin is `first`:
    then whether it came before that link is not told."""
    m = merges["margin"].astype(np.float64)
    if (m == first).any():
        return None
    done = merges[m > first]
    if not len(done):
        return []
    done = done[np.lexsort((-done["end"], done["start"]))]     # by start, the widest first
    ends = done["end"].astype(np.int64)
    # an outermost run starts past the end of every run before it; the runs inside it follow it
    reach = np.concatenate([[-1], np.maximum.accumulate(ends)[:-1]])
    tops = np.nonzero(done["start"] >= reach)[0]
    out: list[tuple[int, int, float, np.ndarray]] = []
    for t, u in zip(tops.tolist(), [*tops[1:].tolist(), len(done)]):
        inner = done[t:u].copy()
        s0 = int(inner["start"][0])
        inner["start"] -= s0
        inner["middle"] -= s0
        inner["end"] -= s0
        out.append((s0, int(ends[t]), float(done["margin"][t]), inner))
    return out


def _settled_start(links: list[tuple[float, int, int]], changed: np.ndarray, cluster_of: np.ndarray,
                   candidates: np.ndarray, linkage: Sequence[bytes | None], sizes: np.ndarray,
                   row_of_slot: np.ndarray, disturbed: np.ndarray | None = None
                   ) -> tuple[list[tuple[float, int, int]], list[tuple[list[int], float]], list[int]]:
    """The links a delta's linkage walks, and the clusters it starts from whole, when no claim of
    then changed or left (`links`: the region's, best first).

    `changed`: per row, whether its links may differ from then (a new claim's; one of then whose
    links are judged again: its hub level or a pair's cosine moved); `disturbed`: rows of then
    whose clusters' linkage may have gone otherwise before (a link that merged two of their claims
    is gone). Until the first link with a changed end, the links are those of then in their
    order, so the linkage repeats the steps of the one that made the previous clusters
    (`candidates`: those in the region; `cluster_of`: each row's, -1 for none), except where a
    group holding a changed or disturbed claim takes part: such a cluster, and any cluster or
    claim alone an earlier link joins to one (then refused, now maybe not), is linked again from
    its earlier links. Another cluster whose last merge (`linkage`: as stored) came strictly
    before that first link is whole by then: it starts whole and its earlier links are dropped
    (they merged nothing more, and those to other clusters or claims alone were refused and are
    again). A cluster whose last merge came after it starts from the groups it had just before
    that link, when its stored merges tell them (`_runs_before`): its earlier links are dropped
    too. Gives the links to walk, the groups to start from (members in linkage order, last
    margin, their merges or None): first the clusters whole, then those groups; and which of
    `candidates` the clusters whole are."""
    ends_i = np.fromiter((t[1] for t in links), dtype=np.int64, count=len(links))
    ends_j = np.fromiter((t[2] for t in links), dtype=np.int64, count=len(links))
    touch = changed[ends_i] | changed[ends_j]
    p = int(np.argmax(touch)) if touch.any() else len(links)
    first = links[p][0] if p < len(links) else -np.inf
    n_clusters = len(sizes)
    # the earlier links' ends as entities: a cluster by its number, a claim in none after them
    ci, cj = cluster_of[ends_i[:p]], cluster_of[ends_j[:p]]
    ei = np.where(ci >= 0, ci, n_clusters + ends_i[:p])
    ej = np.where(cj >= 0, cj, n_clusters + ends_j[:p])
    upset = np.zeros(n_clusters, dtype=bool)          # (clusters whose earlier steps may differ)
    seeds = changed & (cluster_of >= 0)
    if disturbed is not None:
        seeds |= disturbed & (cluster_of >= 0)
    upset[cluster_of[seeds]] = True
    apart = ei != ej
    if upset.any() and apart.any():
        # ... and what an earlier link between two entities joins to them
        nodes, inv = np.unique(np.concatenate([ei[apart], ej[apart]]), return_inverse=True)
        m = int(apart.sum())
        comp = _component_labels(len(nodes), inv[:m], inv[m:])
        hit = np.zeros(len(nodes), dtype=bool)
        held = nodes < n_clusters
        hit[held] = upset[nodes[held]]
        bad = np.isin(comp, comp[hit])
        upset[nodes[held & bad]] = True
        upset_node = np.zeros(len(nodes), dtype=bool)
        upset_node[bad] = True
        shaken_i = np.zeros(p, dtype=bool)
        shaken_i[np.nonzero(apart)[0]] = upset_node[inv[:m]]
    else:
        shaken_i = np.zeros(p, dtype=bool)
    settled = np.zeros(n_clusters, dtype=bool)        # (whole, or in the groups its merges tell)
    whole: list[int] = []
    start = []
    parts = []
    if hasattr(linkage, "fetch"):                     # (read from the store: those asked for, at once)
        linkage.fetch(candidates.tolist())
    for c in candidates.tolist():
        if upset[c]:
            continue
        b = linkage[c]
        got = None if b is None else linkage_parts(b, int(sizes[c]))
        if got is None:
            continue
        last, numbers, merges = got
        if not last > first and merges is None:
            continue
        rows = row_of_slot[numbers]
        if (rows < 0).any() or (cluster_of[rows] != c).any():
            continue
        if last > first:
            settled[c] = True
            whole.append(c)
            start.append((rows.tolist(), last, merges))
            continue
        # merged last after the first link: it starts from the groups it had just before that link
        # (their earlier links merged nothing more), which its merges tell
        runs = _runs_before(merges, first)
        if runs is None:
            continue
        settled[c] = True
        parts.extend((rows[s0:s1].tolist(), margin, inner) for s0, s1, margin, inner in runs)
    keep = np.ones(len(links), dtype=bool)
    # the earlier links kept: inside a cluster not settled, and between entities an upset one joins
    keep[:p] = ((ci == cj) & (ci >= 0) & ~settled[np.maximum(ci, 0)]) | shaken_i
    return [links[t] for t in np.nonzero(keep)[0].tolist()], start + parts, whole


def _by_id(clusters: list[Cluster], groups: Sequence[Sequence[int]], n: int
           ) -> tuple[list[Cluster], np.ndarray, np.ndarray]:
    """The clusters sorted by id, where the first of them are those of `groups` (rows, in order);
    per row (of n), the index of its group's cluster once sorted (-1: in none of the groups); and
    each cluster's index once sorted (in the order given)."""
    order = sorted(range(len(clusters)), key=lambda j: clusters[j].id)
    rank = np.empty(len(clusters), dtype=np.int64)
    rank[order] = np.arange(len(clusters))
    cluster_rows = np.full(n, -1, dtype=np.int64)
    if groups:
        cluster_rows[np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64)] = \
            np.repeat(rank[:len(groups)], [len(g) for g in groups])
    return [clusters[j] for j in order], cluster_rows, rank


def _delta(claims, settings, ids, texts, articles, speakers, spans, pair_cache, text_keys,
           prev: KnnState, prev_clusters: Sequence[Cluster], origin_of, weak,
           fresh: set[str] | None, member_slots: Sequence[bytes | None] | None = None,
           unsettled: set[str] | None = None, member_linkage: Sequence[bytes | None] | None = None
           ) -> Generator[None, np.ndarray, ClusterResult | None]:
    """The delta of `cluster_incremental`, in the steps of `cluster_steps`: it maps the previous
    state onto the claims, then yields for the vectors (returning None before that when a full
    pass is as cheap). `member_slots`: per previous cluster, its members'
    stable numbers in `prev` (int64 bytes, in the order of its claim ids; None when not stored):
    then the previous clusters' members are found by number, not looked up by id.
    `member_linkage`: per previous cluster, its linkage as stored (`_linkage_bytes`; None when not
    stored): then a delta adding claims only takes whole the clusters settled before their links
    (`_settled_start`)."""
    n = len(claims)
    k = min(settings.knn, n - 1)
    if prev.idx.ndim != 2 or prev.idx.shape[1] != k or len(prev.ids) < 2:
        return None                                   # the corpus was smaller than k: start over
    old_of = np.full(n, -1, dtype=np.int64)           # current row -> previous row (unchanged claims)
    own_keys: dict[int, str] = {}                     # the keys hashed now (others: the previous row's)
    # an article not read afresh whose claims are those of then, in the same order, maps its rows
    # as a block; next to each other in both states, such articles make one run, mapped at once
    # (a few runs between the articles read afresh, not one per article)
    stamps = claims.stamps() if hasattr(claims, "stamps") else [ids_stamp(_take(ids, p)) for p in spans.values()]
    art_starts = claims.article_starts() if hasattr(claims, "article_starts") and claims.spans is spans else None
    blocks, others, prev_index = _unchanged_runs(spans, stamps, prev, fresh, art_starts)
    for c0, c1, p0 in blocks:
        old_of[c0:c1] = np.arange(p0, p0 + c1 - c0)
    singles: list[int] = []                           # the rows of the others mapped one by one
    if prev.load is not None:                         # (their previous rows read at once)
        prev.load(np.fromiter(itertools.chain.from_iterable(prev.spans.get(a, ()) for a in others), dtype=np.int64))
    for aid in others:
        cur = spans[aid]
        # a claim's key holds its article, so only that article's previous rows can match
        ppos = {prev.ids[r]: r for r in prev.spans.get(aid, ())}
        for i in cur:
            r = ppos.get(ids[i])
            if r is not None and fresh is not None and aid not in fresh:
                old_of[i] = r                         # the article's claims are those of then
                singles.append(i)
                continue
            key = own_keys[i] = claim_keys([claims[i]])[0]
            if r is not None and prev.keys[r] == key:
                old_of[i] = r
                singles.append(i)
    same = old_of >= 0
    # previous row -> current row (-1: changed or gone); its last entry, which a previous "none"
    # neighbour (-1) indexes, stays -1
    prev_to_cur = np.full(len(prev.ids) + 1, -1, dtype=np.int64)
    prev_to_cur[old_of[same]] = np.nonzero(same)[0]
    # a previous state read back from its heads reads the rows asked for; when a claim of then
    # changed or left, every row (which of them lost a neighbour is told by all of them)
    lazy = prev.known is not None
    if lazy and (prev_to_cur[:-1] < 0).any():
        prev.load(np.arange(len(prev.ids)))
    # with rows not read (then no claim of then changed or left, and no row lost a neighbour), the
    # rows are carried over once the search has told whether every one must be read
    partial = lazy and not prev.known.all()
    known = np.ones(n, dtype=bool)                    # (the rows whose neighbours are read)
    idx = np.full((n, k), -1, dtype=np.int64)
    sims = np.full((n, k), -np.inf, dtype=np.float32)
    hub = np.full(n, settings.hub_floor, dtype=np.float32)
    # the verdicts of the pairs at each list's entries: carried with the lists (a list searched
    # again starts with none); a state stored before them has none
    said = np.zeros((n, k), dtype=np.uint8)
    prev_said = prev.verdicts if prev.verdicts is not None and prev.verdicts.shape == prev.idx.shape else None
    lost_rows = np.zeros(n, dtype=bool)
    reading = [0.0]                                   # (seconds reading and carrying rows: not the search's)

    def carry() -> None:
        """The unchanged rows' neighbours, cosines and hub levels carried over: the mapped runs as
        blocks, then the rows mapped one by one; an unchanged row whose neighbour of then is gone
        or changed (now -1) has lost it, and is searched again. Of a state read back from its
        heads, only the rows read are (the others are as the state left them: none yet)."""
        t = time.perf_counter()
        one = np.asarray(singles, dtype=np.int64)
        for cur, was in [*((slice(c0, c1), slice(p0, p0 + c1 - c0)) for c0, c1, p0 in blocks), (one, old_of[one])]:
            hub[cur] = prev.hub[was]
            if lazy:
                read = prev.known[was]
                known[cur] = read
                if not read.all():
                    at = np.nonzero(read)[0]
                    cur = (np.arange(cur.start, cur.stop) if isinstance(cur, slice) else cur)[at]
                    was = (np.arange(was.start, was.stop) if isinstance(was, slice) else was)[at]
            pidx = prev.idx[was]
            got = idx[cur] = prev_to_cur[pidx]
            sims[cur] = prev.sims[was]
            if prev_said is not None:
                said[cur] = prev_said[was]
            lost_rows[cur] = ((got < 0) & (pidx >= 0)).any(axis=1)
        reading[0] += time.perf_counter() - t

    if not partial:
        carry()

    def load(rows: np.ndarray) -> None:
        """Read the neighbours and cosines of these unchanged rows, if not read yet."""
        t = time.perf_counter()
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[~known[rows]]
        if len(rows):
            was = old_of[rows]
            prev.load(was)
            idx[rows] = prev_to_cur[prev.idx[was]]
            sims[rows] = prev.sims[was]
            if prev_said is not None:
                said[rows] = prev_said[was]
            known[rows] = True
        reading[0] += time.perf_counter() - t
    # rows to search again: new/changed claims, and old claims that lost a neighbour (removed/changed)
    redo = ~same | lost_rows
    rows = np.nonzero(redo)[0]
    if len(rows) > max(256, n // 2):
        return None                                   # most of the corpus changed: a full pass is as cheap
    # (each per-article array below repeats by these; a store.ClaimTable's spans are its runs)
    lens = claims.run_lengths() if hasattr(claims, "run_lengths") and claims.spans is spans else _run_lengths(spans, n)
    art = _per_article(spans, n, range(len(spans)), lens)   # each row's article, as its number
    # the current row of each claim id (a store.ClaimTable's own map, which later stages use too)
    position = claims.position if hasattr(claims, "position") else {cid: i for i, cid in enumerate(ids)}
    # every previous cluster's members at once: their current rows, -1 when changed or gone (a
    # changed claim is in r0 already); a cluster none of whose members is -1 or in r0 is kept
    # by number: the unchanged claims' current rows by their stable numbers (a changed or removed
    # claim's number is no current claim's); the numbers stored with the clusters (whose lengths
    # give the sizes: the clusters' ids are not read), else through the previous state's ids
    flat_slots, sizes = _member_numbers(prev, prev_clusters, member_slots)
    row_of_slot = np.full(max(prev.next_slot, int(flat_slots.max()) + 1 if len(flat_slots) else 0) + 1, -1,
                          dtype=np.int64)                   # (last: the number of an unknown id)
    row_of_slot[prev.slots[old_of[same]]] = np.nonzero(same)[0]
    rows_of = row_of_slot[flat_slots]
    present = rows_of >= 0
    present[present] = same[rows_of[present]]
    rows_of[~present] = -1
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    member_cluster = np.repeat(np.arange(len(prev_clusters)), sizes)
    cluster_of = np.full(n, -1, dtype=np.int64)       # per current row, its previous cluster (-1: none)
    cluster_of[rows_of[present]] = member_cluster[present]

    # what follows needs the vectors
    vectors = yield
    new = np.nonzero(~same)[0]
    changed = redo.copy()
    t_search = time.perf_counter()
    # the new claims' cosines to every claim, their rows of the search's products (kept, not
    # computed a second time)
    new_cols = np.empty((len(new), n), dtype=np.float32)
    is_new = ~same
    for start in range(0, len(rows), _BLOCK):
        rb = rows[start:start + _BLOCK]
        block = vectors[rb] @ vectors.T
        block[np.arange(len(rb)), rb] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        idx[rb] = top
        sims[rb] = np.take_along_axis(block, top, axis=1)
        said[rb] = 0
        mine = is_new[rb]
        if mine.any():
            lo = int(np.count_nonzero(is_new[:rb[0]]))
            new_cols[lo:lo + int(mine.sum())] = block[mine]
    if partial:          # the unchanged rows' lowest cosines as stored (then every row searched is new)
        worst = np.empty(n, dtype=np.float32)
        worst[same] = prev.worst[old_of[same]]
        worst[~same] = _lowest(sims[~same])
    else:
        worst = _lowest(sims)
    enters = new_cols > worst[None, :]
    hit = enters.any(axis=0) & ~redo
    hit_rows = np.nonzero(hit)[0]
    if partial:
        # the rows of the claims the new ones enter, and of those that may list one of them (their
        # links are judged again); past `_LAZY_ROWS` entered, every row, read at once
        if len(hit_rows) > _LAZY_ROWS:
            t = time.perf_counter()
            prev.load(np.arange(len(prev.ids)))
            reading[0] += time.perf_counter() - t
        carry()
        if 0 < len(hit_rows) <= _LAZY_ROWS:
            load(hit_rows)
            load(np.nonzero(_may_list(new_cols, enters & hit[None, :], worst))[0])
    # the entered rows' lists and hub levels as they were (`_settled` tells which of them link as before)
    was_idx, was_sims, was_hub = idx[hit_rows], sims[hit_rows], hub[hit_rows]
    if len(new):
        # each such row's neighbours merged with the new claims that enter it, best first (ties:
        # its own before the new ones, in order); a new claim that does not enter is put last at
        # -inf, after every one it could tie with, so the first k are those of that merge
        for start in range(0, len(hit_rows), _BLOCK):
            hj = hit_rows[start:start + _BLOCK]
            all_i = np.concatenate([idx[hj], np.broadcast_to(new, (len(hj), len(new)))], axis=1)
            all_s = np.concatenate([sims[hj], np.where(enters[:, hj].T, new_cols[:, hj].T, -np.inf)], axis=1)
            all_v = np.concatenate([said[hj], np.zeros((len(hj), len(new)), dtype=np.uint8)], axis=1)
            top = np.argsort(-all_s, axis=1, kind="stable")[:, :k]
            idx[hj] = np.take_along_axis(all_i, top, axis=1)
            sims[hj] = np.take_along_axis(all_s, top, axis=1)
            said[hj] = np.take_along_axis(all_v, top, axis=1)
        changed |= hit
        worst[hit_rows] = _lowest(sims[hit_rows])
    search = time.perf_counter() - t_search - reading[0]
    _hub_rows(hub, np.nonzero(changed)[0], idx, sims, art, settings.margin_k, settings.hub_floor)
    # the rows whose links are judged again: the searched ones, and the entered ones that do not
    # link as before (`_settled`); the region: those, the claims they link to, the rows whose
    # links to a claim of their own cluster left their lists, and the previous clusters of all
    relink = redo.copy()
    moved_links, regroup = _settled(hit_rows, was_idx, was_sims, was_hub, idx, sims, hub, cluster_of, load)
    relink[moved_links] = True
    told: list[np.ndarray] = []                       # (the rows given verdicts now are written)
    # (of a state read back from its heads, only the rows read hold lists)
    links_c, _ = _link_tuples(texts, vectors, articles, settings, speakers, pair_cache, text_keys,
                              knn=(idx, sims, hub), only=relink, art=art, verdicts=said, wrote=told,
                              listed=known if lazy else None)
    r0 = relink.copy()
    r0[regroup] = True
    for _, _, i, j in links_c:
        r0[i] = r0[j] = True
    region = r0.copy()
    kept_mask = np.ones(len(prev_clusters), dtype=bool)
    if len(rows_of):
        bad = ~present
        bad[present] = r0[rows_of[present]]
        kept_mask = np.add.reduceat(bad.astype(np.int64), starts) == 0
        region[rows_of[present & ~kept_mask[member_cluster]]] = True
    kept_idx = np.nonzero(kept_mask)[0]
    if lazy:
        load(np.nonzero(region & ~relink)[0])        # (the rows whose pairs are read below)
    # the links inside the region: those of the rows judged again (both their ends are in it), and
    # those of the pairs with both ends in the region and neither judged again, decided now; in the
    # order of one call over the region
    links_o, _ = _link_tuples(texts, vectors, articles, settings, speakers, pair_cache, text_keys,
                              knn=(idx, sims, hub), skip=relink | ~region, art=art, verdicts=said, wrote=told)
    links_r = _margins_only(sorted(itertools.chain(links_c, links_o), key=_link_order))
    start: list[tuple[list[int], float]] = []
    taken: list[int] = []
    if (links_r and member_linkage is not None and len(member_linkage) == len(prev_clusters)
            and not lost_rows.any() and (prev_to_cur[:-1] >= 0).all()):
        # only new claims came: the links of then are those of then but for the rows judged again
        # and the merging links gone (`_settled`)
        upset_rows = np.zeros(n, dtype=bool)
        upset_rows[regroup] = True
        links_r, start, taken = _settled_start(links_r, relink, cluster_of, np.nonzero(~kept_mask)[0],
                                               member_linkage, sizes, row_of_slot, upset_rows)
    if hasattr(texts, "prefetch") and links_r:       # (the linkage reads the numbers of their texts)
        texts.prefetch(set(itertools.chain.from_iterable((i, j) for _, i, j in links_r)))
    merges: list = []
    ordered, lasts = _linkage(links_r, vectors, texts, settings, hub, start=start, merges=merges)
    if taken:
        # a cluster taken whole that nothing joined is kept: the stored one, not made again
        # (its group is the one with its first member and its size)
        # (the first of `start` are those clusters, in the order of `taken`)
        alone = {g[0][0]: (len(g[0]), c) for g, c in zip(start, taken)}
        stayed = {g: alone[m[0]][1] for g, m in enumerate(ordered) if alone.get(m[0], (0,))[0] == len(m)}
        kept_mask = kept_mask.copy()
        kept_mask[list(stayed.values())] = True
        ordered = [m for g, m in enumerate(ordered) if g not in stayed]
        lasts = [x for g, x in enumerate(lasts) if g not in stayed]
        merges = [x for g, x in enumerate(merges) if g not in stayed]
        kept_idx = np.nonzero(kept_mask)[0]
    groups = [sorted(m) for m in ordered]
    # a kept cluster has the same members, id and articles; only its independent sources are
    # counted again, when one of its claims' origin group or weak flag may have moved (all of
    # them without `unsettled`)
    recount = kept_mask.copy()
    if unsettled is not None and len(rows_of):
        moved = _per_article(spans, n, list(map(unsettled.__contains__, spans)), lens).astype(bool)
        hit = np.zeros(len(prev_clusters), dtype=bool)
        kept_rows = kept_mask[member_cluster]
        hit[member_cluster[kept_rows][moved[rows_of[kept_rows]]]] = True
        recount &= hit
    recount_idx = np.nonzero(recount)[0]
    recounted = rows_of[recount[member_cluster]] if len(rows_of) else np.zeros(0, dtype=np.int64)
    # the claims counted: those of the groups, and of the kept clusters counted again
    grouped = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64)
    sources = _claim_sources(ids, spans, origin_of, weak, np.concatenate([grouped, recounted]), lens, art)
    # the ids of the rows grouped and of the region: a previous cluster's members' from its stored
    # list, the others' from their claim rows read at once
    asked = np.concatenate([grouped, np.nonzero(region)[0]])
    group_ids_of = _KnownIds(ids, _ids_of_members(asked, cluster_of, rows_of, starts, sizes, prev_clusters), claims)
    group_ids_of.read_rest(asked)
    clusters = _make_clusters(group_ids_of, articles, groups, sources, by_id=False)
    group_ids = [k.id for k in clusters]
    sole = {}
    for made_now, members in zip(clusters, groups):
        if made_now.independent_sources == 1:
            fluent = next(i for i in members if not sources[1][i])
            sole[made_now.id] = origin_of.get(articles[fluent], articles[fluent]) if origin_of else articles[fluent]
    if len(recount_idx):
        counts = _sources_counted(recounted, np.repeat(np.arange(len(recount_idx)), sizes[recount_idx]),
                                  len(recount_idx), sources)
        fresh_count = dict(zip(recount_idx.tolist(), counts.tolist()))
    else:
        fresh_count = {}
    # (the kept clusters as stored, at once; those whose count moved made again)
    first_kept = len(clusters)
    clusters.extend(map(prev_clusters.__getitem__, kept_idx.tolist()))
    for c, n_src in fresh_count.items():
        kl = prev_clusters[c]
        if kl.independent_sources != n_src:
            clusters[first_kept + int(np.searchsorted(kept_idx, c))] = Cluster(
                kl.id, kl.claim_ids, kl.article_ids, independent_sources=n_src)
    # per current row, the index of its cluster once sorted: a new cluster's rows are its group's
    # (`_make_clusters` keeps the groups' order), a kept one's those its members map to
    clusters, cluster_rows, rank = _by_id(clusters, groups, n)
    if len(kept_idx) and len(rows_of):
        kept_rank = np.full(len(prev_clusters), -1, dtype=np.int64)
        kept_rank[kept_idx] = rank[len(groups):]
        members = kept_mask[member_cluster]
        cluster_rows[rows_of[members]] = kept_rank[member_cluster[members]]
    region_rows = np.nonzero(region)[0].tolist()
    region_ids = [group_ids_of[i] for i in region_rows]
    touched = set(region_ids)
    if hasattr(position, "learn"):                    # (the later stages ask for these claims' rows)
        position.learn(region_ids, region_rows)
    # stable numbers: an unchanged claim keeps its own, a new or changed one takes the next free
    slots = np.empty(n, dtype=np.int64)
    slots[same] = prev.slots[old_of[same]]
    n_new = int((~same).sum())
    slots[~same] = np.arange(prev.next_slot, prev.next_slot + n_new)
    # the rows stored as patches: those of unchanged claims (a new or changed claim's article is
    # written whole)
    patched = np.zeros(n, dtype=bool)
    if prev.patched is not None:
        patched[same] = prev.patched[old_of[same]]
    # the previous claims no current row maps to, whose ids no current claim has either
    unmapped = np.ones(len(prev.ids), dtype=bool)
    unmapped[old_of[same]] = False
    unmapped_ids = [prev.ids[i] for i in np.nonzero(unmapped)[0].tolist()]
    if hasattr(position, "look_up"):
        position.look_up(unmapped_ids)                # (a claim table's: at once)
    gone = {c for c in unmapped_ids if c not in position}
    keys = _RowKeys(prev.keys, old_of, own_keys)
    if told and k:
        changed[np.concatenate(told) // k] = True
    # the linkage of the groups made now, and that of the kept clusters as stored
    made = {cid: _linkage_bytes(m, last, slots, mg) for cid, m, last, mg in zip(group_ids, ordered, lasts, merges)}
    linkage: Mapping[str, bytes | None]
    if member_linkage is None or len(member_linkage) != len(prev_clusters):
        linkage = made
    elif hasattr(member_linkage, "get"):              # (a kept one's read by id when asked for)
        linkage = _ThenLinkage(made, member_linkage.get)
    else:
        linkage = _ThenLinkage(made, dict(zip((prev_clusters[c].id for c in kept_idx.tolist()),
                                              (member_linkage[c] for c in kept_idx.tolist()))).get)
    return ClusterResult(clusters, KnnState(ids, keys, idx, sims, hub, "", slots, prev.next_slot + n_new,
                                            spans, changed, new_from=prev.next_slot, patched=patched,
                                            known=known if lazy else None, worst=worst if lazy else None,
                                            load=load if lazy else None, verdicts=said, article_starts=art_starts,
                                            matched=None if prev_index is None or prev.article_starts is None
                                            else (prev.spans, prev_index, np.diff(prev.article_starts))),
                         touched, search, gone, cluster_rows, linkage, sole)


def _settled(rows: np.ndarray, was_idx: np.ndarray, was_sims: np.ndarray, was_hub: np.ndarray,
             idx: np.ndarray, sims: np.ndarray, hub: np.ndarray, cluster_of: np.ndarray,
             load: Callable[[np.ndarray], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Of the rows new claims entered (`rows`; their lists and hub levels before: `was_*`), those
    whose links must be judged again, and those whose previous clusters must be regrouped.

    Such a row's links are those of then, plus its links to the new claims (judged with the new
    claims'), unless its hub level moved (every link's margin moves: judged again) or a neighbour
    it pushed out leaves a pair behind. A pushed-out neighbour that still lists the row, at the
    same cosine, leaves the pair as it was. Another still lists it at another cosine (float32
    cosines from two products can differ in the last bit): judged again. One that does not list it
    leaves no pair: a link that is gone changes the linkage only if it merged two groups, so then
    only if the two claims were in one cluster, which is regrouped; a gone link that merged
    nothing (its claims were in one group already, or their groups were refused) was a step that
    changed nothing. `load(rows)`: reads those rows' lists if not read yet."""
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    moved = hub[rows] != was_hub
    # per row and previous neighbour: whether it is still listed
    kept = (was_idx[:, :, None] == idx[rows][:, None, :]).any(axis=2)
    lost = ~kept & (was_idx >= 0)
    r, c = np.nonzero(lost)
    y, z = rows[r], was_idx[r, c]
    cos_then = was_sims[r, c]
    if load is not None:
        load(z)
    # does z list y now, and at which cosine
    back = idx[z] == y[:, None]
    listed = back.any(axis=1)
    cos_back = np.where(back, sims[z], -np.inf).max(axis=1)
    again = listed & (cos_back != cos_then)
    gone = ~listed & (cluster_of[y] >= 0) & (cluster_of[y] == cluster_of[z])
    relink = np.union1d(rows[moved], y[again])
    return relink, np.setdiff1d(y[gone], relink)


def _may_list(new_cols: np.ndarray, entered: np.ndarray, worst: np.ndarray) -> np.ndarray:
    """Per row, whether it may list a row a new claim entered (`entered`: per new claim and row;
    `new_cols`: their cosines; `worst`: each row's lowest listed cosine), without the cosines to
    those rows: on the sphere, a row u listing such a row h lies within angle arccos(worst[u]) of
    it, and h within the angle at which the new claim c entered it, so u lies within their sum of
    c. Per new claim the widest angle it entered at is taken."""
    has = entered.any(axis=1)
    if not has.any():
        return np.zeros(entered.shape[1], dtype=bool)
    cols = new_cols[has]
    ct = np.clip(np.where(entered[has], cols, np.inf).min(axis=1), -1.0, 1.0)[:, None]   # cos of c's widest
    cw = np.clip(worst, -1.0, 1.0)[None, :]
    # cos(a + b) = cos a cos b - sin a sin b, while a + b < pi (past it, every row is within reach)
    reach = cw * ct - np.sqrt(1.0 - cw * cw) * np.sqrt(1.0 - ct * ct)
    return ((cols >= reach - _COSINE_SLACK) | (cw <= -ct)).any(axis=0)


def _unchanged_runs(spans: Mapping[str, range | list[int]], stamps: Sequence[str], prev: KnnState,
                    fresh: set[str] | None, starts: np.ndarray | None = None
                    ) -> tuple[list[tuple[int, int, int]], list[str], np.ndarray | None]:
    """The articles (of `spans`, with their ids' `stamps`) not read afresh whose claims are those
    of their rows in `prev`, in the same order (the same stamp), as runs of such articles next to
    each other in both states: (current start, stop, previous start); the other articles, whose
    claims are matched one by one; and per article its index in `prev.spans` (-1: none; None
    without `fresh`). Without `fresh`, every article is another. `starts`: the articles' first
    positions then their number, when `spans` run end to end (a claim table's)."""
    names = list(spans)
    if fresh is None or not names:
        return [], names, None
    where = dict(zip(prev.spans, range(len(prev.spans))))
    j = np.fromiter(map(where.get, names, itertools.repeat(-1)), dtype=np.int64, count=len(names))
    if starts is not None and prev.article_starts is not None:     # (both run end to end)
        c0, c1 = starts[:-1], starts[1:]
        p0 = np.append(prev.article_starts[:-1], -1)[j]
    else:
        cur, was = list(spans.values()), list(prev.spans.values())
        if not all(isinstance(r, range) for r in itertools.chain(cur, was)):     # (claims not in article order)
            return [], names, j
        c0 = np.fromiter((r.start for r in cur), dtype=np.int64, count=len(cur))
        c1 = np.fromiter((r.stop for r in cur), dtype=np.int64, count=len(cur))
        p0 = np.append(np.fromiter((r.start for r in was), dtype=np.int64, count=len(was)), -1)[j]
    ok = (j >= 0) & (np.array(stamps, dtype=object) == np.append(np.array(prev.stamps(), dtype=object), None)[j])
    if fresh:
        ok &= ~np.fromiter(map(fresh.__contains__, names), dtype=bool, count=len(names))
    at = np.nonzero(ok)[0]
    # a run goes on where the article before holds the rows before in both states
    go_on = np.zeros(len(at), dtype=bool)
    go_on[1:] = (at[1:] == at[:-1] + 1) & (c0[at[1:]] == c1[at[:-1]]) & (p0[at[1:]] == p0[at[:-1]] + (c1 - c0)[at[:-1]])
    first = at[~go_on]
    last = np.append(at[np.nonzero(~go_on)[0][1:] - 1], at[-1]) if len(at) else at
    blocks = list(zip(c0[first].tolist(), c1[last].tolist(), p0[first].tolist()))
    return blocks, [names[i] for i in np.nonzero(~ok)[0].tolist()], j


class _KnownIds:
    """Claim ids by position: those of some rows known already (`known`), else as `_RecordField`
    gives them (the Claim records a store.ClaimTable has read, `read_rest`; the others from `ids`)."""

    def __init__(self, ids: Sequence[str], known: Mapping[int, str], claims=None) -> None:
        self._known, self._rest = known, _RecordField(claims, ids, "id")
        self._fetch = claims.fetch if hasattr(claims, "read_claim") else None

    def __getitem__(self, i: int) -> str:
        got = self._known.get(i)
        return got if got is not None else self._rest[i]

    def read_rest(self, rows: np.ndarray) -> None:
        """Read at once the Claim records of these rows whose ids are not known (by their
        articles and places: not their articles' columns)."""
        if self._fetch is not None:
            self._fetch(i for i in rows.tolist() if i not in self._known)


def _ids_of_members(rows: np.ndarray, cluster_of: np.ndarray, rows_of: np.ndarray, starts: np.ndarray,
                    sizes: np.ndarray, prev_clusters: Sequence[Cluster]) -> dict[int, str]:
    """row -> claim id of those of these rows that are unchanged members of a previous cluster,
    from the cluster's stored list (in the order of its members' numbers, `_member_numbers`): a
    regrouped cluster holding a claim of most articles does not read every article's columns."""
    out: dict[int, str] = {}
    if not len(rows_of) or not len(rows):
        return out
    of = np.unique(cluster_of[rows])
    for c in of[of >= 0].tolist():
        at = rows_of[starts[c]:starts[c] + sizes[c]]
        mine = prev_clusters[c].claim_ids
        if len(mine) != len(at):
            continue                                  # (not the list the numbers were stored with)
        kept = np.nonzero(at >= 0)[0]
        out.update(zip(at[kept].tolist(), map(mine.__getitem__, kept.tolist())))
    return out


def _member_numbers(prev: KnnState, prev_clusters: Sequence[Cluster],
                    member_slots: Sequence[bytes | None] | None) -> tuple[np.ndarray, np.ndarray]:
    """The previous clusters' members' stable numbers in `prev`, end to end, and the clusters'
    sizes: the stored numbers (`member_slots`, int64 bytes per cluster, written with its ids) when
    every cluster has them, else looked up through `prev`'s ids (-1 for an id it does not hold)."""
    if member_slots is not None and len(member_slots) == len(prev_clusters) and None not in member_slots:
        lengths = np.fromiter(map(len, member_slots), dtype=np.int64, count=len(member_slots))
        if not (lengths % 8).any():
            return np.frombuffer(b"".join(member_slots), dtype="<i8").astype(np.int64), lengths // 8
    sizes = np.fromiter((len(kl.claim_ids) for kl in prev_clusters), dtype=np.int64, count=len(prev_clusters))
    number = dict(zip(prev.ids, prev.slots.tolist()))
    flat = itertools.chain.from_iterable(kl.claim_ids for kl in prev_clusters)
    return np.fromiter(map(number.get, flat, itertools.repeat(-1)), dtype=np.int64, count=int(sizes.sum())), sizes


def _component_labels(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Per node, the smallest node of its connected component in the graph (n nodes, edges
    src–dst). With numpy alone (scipy's import would cost `ci` a quarter of a second): each node
    holds a node of its component no larger than itself; every edge's ends take the smaller of
    their labels, and each label is followed to its own label, until nothing moves. Then the two
    ends of every edge agree, and the component's smallest node, which keeps its own number,
    is what they all hold."""
    label = np.arange(n, dtype=np.int64)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    while True:
        low = np.minimum(label[src], label[dst])
        new = label.copy()
        np.minimum.at(new, src, low)
        np.minimum.at(new, dst, low)
        while True:                                   # (a label's label: a smaller node, or itself)
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def component_sizes(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Sizes of the connected components of the graph (n nodes, edges src–dst), largest first."""
    return np.sort(np.bincount(_component_labels(n, src, dst)))[::-1]


# ---- origin groups (copies are not independent) ---------------------------------------------------

_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def _article_sentences(text: str, min_words: int) -> list[str]:
    out = []
    for piece in _SENT_SPLIT.split(text):
        norm = default_process(piece or "")
        if len(norm.split()) >= min_words:              # short lines are page furniture, not text
            out.append(norm)
    return out


def _shingles(sentences: list[str], size: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word 5-grams (stable across processes: they are stored)."""
    import hashlib
    out = set()
    for s in sentences:
        w = s.split()
        out.update(int.from_bytes(hashlib.blake2b(" ".join(w[i:i + size]).encode(), digest_size=8).digest(),
                                  "little") for i in range(max(1, len(w) - size + 1)))
    return np.array(sorted(out), dtype=np.uint64)


class StoredShingles:
    """The shingles of a stored copy-detection state, read on demand (a store implements it over
    its posting table, one row per shingle and article; this one holds them in memory): the
    shingles of some articles, and per shingle the articles holding it."""

    def __init__(self, shingles: Mapping[str, np.ndarray]) -> None:
        self._of = dict(shingles)
        self._cat = (np.concatenate(list(self._of.values())) if self._of else np.zeros(0, dtype=np.uint64))
        self._owner = np.repeat(np.array(list(self._of), dtype=object), [len(x) for x in self._of.values()])

    def of(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The sorted unique shingles of each of these articles."""
        return {a: self._of[a] for a in article_ids}

    def counts(self, few: np.ndarray) -> np.ndarray:
        """How many articles hold each of the sorted unique shingles `few`."""
        sel = _in_sorted(self._cat, few)
        return np.bincount(np.searchsorted(few, self._cat[sel]), minlength=len(few))

    def holders(self, few: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """(shingle, article) for every article holding one of the sorted unique shingles `few`."""
        sel = _in_sorted(self._cat, few)
        return self._cat[sel], self._owner[sel].tolist()


class _ShingleList(Sequence):
    """Per article (in `ids` order) its shingles, from `shingles` (a `_Shingles`: an unchanged
    article's are read from the stored state when asked for, not to be written back)."""

    def __init__(self, ids: Sequence[str], shingles: "_Shingles") -> None:
        self._ids, self._shingles = list(ids), shingles

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._shingles[self._ids[i]]


@dataclass
class OriginState:
    """Copy detection's state for the next analysis: per article its text hash and shingles, and
    the article pairs judged copies (the edges of the origin groups); `shas`: per article the
    content hash of the file its text came from ("" unknown), so that an unchanged article's text
    need not be read to be hashed again. `stored`: the shingles as stored (`StoredShingles`), when
    the state was read back without them: then `shingles` reads them on demand, and a delta counts
    the articles holding a shingle there instead of over every article's shingles."""
    ids: list[str]
    hashes: list[str]
    shingles: Sequence[np.ndarray]
    edges: Sequence[tuple[str, str]]       # sorted (the stored ones: read when first asked for)
    shas: list[str] = field(default_factory=list)
    stored: StoredShingles | None = None

    @property
    def knows_files(self) -> bool:
        """Whether every article's content hash is recorded (a state written before they were is not)."""
        return len(self.shas) == len(self.ids)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple], edges: Sequence[tuple[str, str]],
                  stored: StoredShingles | None = None) -> "OriginState":
        """From the stored rows (article id, text hash, content hash, shingles as little-endian
        uint64 bytes), in article order, and copy pairs (`changes_since` says what to store; a
        list, or the stored pairs in order, read when asked for). With `stored`, the rows are
        (article id, text hash, content hash) and the shingles are read from it when asked for."""
        rows = sorted(rows)
        ids = [r[0] for r in rows]
        if stored is not None:
            shingles: Sequence[np.ndarray] = _ShingleList(ids, _Shingles(stored))
        else:
            shingles = [np.frombuffer(r[3], dtype="<u8").astype(np.uint64) for r in rows]
        return cls(ids, [r[1] for r in rows], shingles, sorted(edges) if isinstance(edges, (list, tuple)) else edges,
                   [r[2] for r in rows], stored)

    def changes_since(self, before: "OriginState | None"):
        """What to write so that the stored rows become this state: (rows to write, article ids
        whose rows go, copy pairs to add, copy pairs to remove); everything without `before`."""
        old = {} if before is None else dict(zip(before.ids, zip(before.hashes, before.shas)))
        heads = list(zip(self.hashes, self.shas or [""] * len(self.ids)))
        # (the articles whose hashes differ from those stored, found at once)
        moved = itertools.compress(range(len(self.ids)), map(operator.ne, map(old.get, self.ids), heads))
        rows = [(self.ids[i], *heads[i], np.asarray(self.shingles[i], dtype="<u8").tobytes()) for i in moved]
        gone = sorted(set(old).difference(self.ids))
        if before is not None and isinstance(self.edges, _PairsAdded) and self.edges.kept is before.edges:
            return rows, gone, self.edges.added, []      # (a delta that kept every stored pair)
        if before is not None and self.edges == before.edges:      # (no pair came or went)
            return rows, gone, [], []
        then = set() if before is None else set(before.edges)
        now = set(self.edges)
        return rows, gone, sorted(now - then), sorted(then - now)


_STOCK = 50   # a shingle in more articles than this is a stock phrase: it says nothing


class _PairsAdded(LazyList):
    """The copy pairs of a delta that kept every stored pair (`kept`, read only when asked for)
    and found `added` (sorted, none of them stored): the two in order when asked for."""

    def __init__(self, kept: Sequence[tuple[str, str]], added: list[tuple[str, str]]) -> None:
        self.kept, self.added = kept, sorted(added)

    def _make(self) -> list[tuple[str, str]]:
        return sorted([*self.kept, *self.added])


def origin_groups(texts: Mapping[str, str], *, min_share: float = 0.5, min_ratio: float = 85.0,
                  min_words: int = 6, pair_cache: dict | None = None) -> dict[str, str]:
    """Article id → origin group id (the group's smallest article id); copies share a group.

    Two articles are one origin when at least `min_share` of the shorter one's sentences have a
    near-identical sentence (rapidfuzz ratio >= `min_ratio`) in the other. `pair_cache` (optional,
    filled in): key of the two texts and the parameters -> that verdict, so an article pair is
    compared once, ever.
    """
    return origin_groups_state(texts, min_share=min_share, min_ratio=min_ratio, min_words=min_words,
                               pair_cache=pair_cache)[0]


class _Shingles(dict):
    """Article id -> its shingles; an unchanged article's are read from the stored state when
    first asked for."""

    def __init__(self, stored: StoredShingles | None) -> None:
        super().__init__()
        self._stored = stored

    def __missing__(self, a: str) -> np.ndarray:
        self.fetch([a])
        return dict.__getitem__(self, a)

    def fetch(self, article_ids: Sequence[str]) -> None:
        want = [a for a in article_ids if a not in self]
        if want and self._stored is not None:
            self.update(self._stored.of(want))


def _in_sorted(values: np.ndarray, few: np.ndarray) -> np.ndarray:
    """`np.isin(values, few)` for a sorted `few` much shorter than `values` (a binary search per
    value: 4x faster than `isin` on the corpus' half a million shingles)."""
    if not len(few):
        return np.zeros(len(values), dtype=bool)
    p = np.minimum(np.searchsorted(few, values), len(few) - 1)
    return few[p] == values


def origin_groups_state(texts: Mapping[str, str], *, min_share: float = 0.5, min_ratio: float = 85.0,
                        min_words: int = 6, pair_cache: dict | None = None,
                        previous: OriginState | None = None,
                        shas: Mapping[str, str] | None = None,
                        previous_groups: Mapping[str, str] | None = None) -> tuple[dict[str, str], OriginState]:
    """`origin_groups` and the state for the next call. With `previous`, only the new and changed
    articles are shingled and compared with the others; the stored copy pairs of unchanged
    articles are kept (recounted when a shingle became a stock phrase), and unchanged pairs that
    a removed or changed article's shingles made informative are added; the result is the same.

    `shas` (article id -> content hash of its file): an article whose hash is the one `previous`
    recorded keeps its stored text hash, so its text (`texts` may read it lazily) is read only
    when a pair with it must be compared.

    `previous_groups`: the groups `previous`'s pairs give (article id -> origin group id, as
    stored). When every stored pair is kept (no article changed or left, no pair recounted), the
    groups are those joined by the pairs found now, and the stored pairs are not read."""
    import hashlib
    ids = sorted(texts)
    params = f"{min_share}\x1f{min_ratio}\x1f{min_words}\x1f"
    known: dict[str, str] = {}
    if previous is not None and shas is not None and previous.knows_files:
        # (an article's stored hash stands while its content hash is the stored one; every
        # article's told at once)
        same = map(operator.eq, previous.shas, map(shas.get, previous.ids))
        known = dict(itertools.compress(zip(previous.ids, previous.hashes),
                                        map(operator.and_, map(bool, previous.shas), same)))
    hashes = dict(zip(ids, map(known.get, ids)))
    for a in itertools.compress(ids, map(operator.not_, hashes.values())):
        hashes[a] = hashlib.sha256((params + texts[a]).encode()).hexdigest()[:16]
    sentences: dict[str, list[str]] = {}

    def sents(a: str) -> list[str]:
        if a not in sentences:
            sentences[a] = _article_sentences(texts[a], min_words)
        return sentences[a]

    # with a previous state: the articles it holds unchanged keep their shingles (read from it only
    # when asked for); the new and changed ones are shingled; the stored versions of the changed
    # and removed ones are "gone"
    then = dict(zip(previous.ids, previous.hashes)) if previous is not None else {}
    kept = set(itertools.compress(ids, map(operator.eq, map(then.get, ids), hashes.values())))
    gone = list(itertools.compress(then, map(operator.ne, map(hashes.get, then), then.values())))
    before_state: StoredShingles | None = None
    if previous is not None:
        before_state = previous.stored or StoredShingles(dict(zip(previous.ids, previous.shingles)))
    shingles = _Shingles(before_state)
    new = list(itertools.filterfalse(kept.__contains__, ids))
    for a in new:
        shingles[a] = _shingles(sents(a))

    @functools.cache
    def corpus() -> tuple[np.ndarray, np.ndarray]:
        """Every article's shingles end to end, and the index in `ids` of each one's article."""
        shingles.fetch(ids)
        owner = np.repeat(np.arange(len(ids)), [len(shingles[a]) for a in ids])
        cat = np.concatenate([shingles[a] for a in ids]) if ids else np.zeros(0, dtype=np.uint64)
        return owner, cat

    # each article's shingles are unique: a shingle's count in `cat` is the number of its articles
    @functools.cache
    def informative() -> np.ndarray:
        """The shingles no more than _STOCK articles share (sorting every article's shingles: only
        when a stored pair must be recounted)."""
        uniq, counts = np.unique(corpus()[1], return_counts=True)
        return uniq[counts <= _STOCK]

    def informative_shared(a: str, b: str) -> int:
        both = np.intersect1d(shingles[a], shingles[b], assume_unique=True)
        return int(np.isin(both, informative(), assume_unique=True).sum())

    candidates: dict[tuple[str, str], int] = {}
    still: Sequence[tuple[str, str]] = ()        # stored copy pairs kept without being counted
    known: set[tuple[str, str]] = set()          # stored copy pairs counted again (see below)
    if before_state is not None:
        # A pair of unchanged articles shares the same shingles as before; only whether each is
        # informative (held by at most _STOCK articles) can have moved. A shingle whose count
        # crossed the limit upwards can take a stored copy pair below 2: then the stored pairs are
        # recounted. One that crossed downwards can raise a pair that was below 2: the unchanged
        # pairs holding it are added. Every pair with a new or changed article is counted afresh.
        # The counts now are those of the stored state (`before_state`, which holds the unchanged
        # and the gone articles) less the gone articles' and plus the new ones'.
        def counted(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            joined = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint64)
            return np.unique(joined, return_counts=True)

        nu, ncounts = counted([shingles[a] for a in new])
        gu, gcounts = counted(list(before_state.of(gone).values()))
        touched = np.union1d(nu, gu)

        def count_in(u: np.ndarray, c: np.ndarray) -> np.ndarray:
            """The counts `c` of the sorted shingles `u` at each touched shingle (0 if absent)."""
            if not len(u):
                return np.zeros(len(touched), dtype=np.int64)
            p = np.minimum(np.searchsorted(u, touched), len(u) - 1)
            return np.where(u[p] == touched, c[p], 0)

        before = before_state.counts(touched) if len(touched) else np.zeros(0, dtype=np.int64)
        now = before - count_in(gu, gcounts) + count_in(nu, ncounts)
        went_up = bool(((before <= _STOCK) & (now > _STOCK)).any())
        came_down = touched[(before > _STOCK) & (now <= _STOCK) & (now > 0)]
        # the stored copy pairs of unchanged articles (all of them when no article went)
        kept_pairs = previous.edges if not gone else [(a, b) for a, b in previous.edges if a in kept and b in kept]
        if went_up:
            # recounted; those still sharing >= 2 informative shingles are copies without a look-up
            known = set(kept_pairs)
            for a, b in kept_pairs:
                candidates[(a, b)] = informative_shared(a, b)
        else:
            # none can have fallen below 2 informative shingles: each is a copy still (its texts
            # are those it was judged on), taken as it is
            still = kept_pairs
        if len(came_down):
            # the unchanged holders of each such shingle, paired
            holders: dict[int, list[str]] = defaultdict(list)
            for sh, o in zip(*before_state.holders(came_down)):
                if o in kept:
                    holders[int(sh)].append(o)
            raised = {p for arts in holders.values() for p in itertools.combinations(sorted(arts), 2)}
            for pair in sorted(raised - set(kept_pairs)):
                candidates[pair] = informative_shared(*pair)
        fresh = set(new)
        for a in new:
            # the informative shingles of `a` (all of them are touched), and per other article how
            # many of them it holds: the unchanged ones from the stored state, the new ones here
            mine = shingles[a][now[np.searchsorted(touched, shingles[a])] <= _STOCK] if len(shingles[a]) else shingles[a]
            shared: dict[str, int] = defaultdict(int)
            if len(mine):
                for o in before_state.holders(mine)[1]:
                    if o in kept:
                        shared[o] += 1
                for b in new:
                    if b != a and (n := len(np.intersect1d(mine, shingles[b], assume_unique=True))):
                        shared[b] = n
            for b in sorted(shared):
                if b in fresh and b < a:
                    continue
                candidates[(a, b) if a < b else (b, a)] = shared[b]
    else:
        # inverted index over every article (no all-pairs scan)
        posting: dict[int, list[str]] = defaultdict(list)
        for a in ids:
            for h in shingles[a].tolist():
                posting[h].append(a)
        for arts in posting.values():
            if len(arts) > _STOCK:
                continue
            for x in range(len(arts)):
                for y in range(x + 1, len(arts)):
                    candidates[(arts[x], arts[y])] = candidates.get((arts[x], arts[y]), 0) + 1
    # a stored copy pair of unchanged articles still sharing >= 2 informative shingles is a copy
    # still: both texts are those it was judged on, so its verdict is not looked up again
    edges: list[tuple[str, str]] = []             # (besides `still`)
    for (a, b), count in candidates.items():
        if count < 2:
            continue
        if (a, b) in known:
            edges.append((a, b))
            continue
        key = hashes[a] + hashes[b] if pair_cache is not None else None
        same = pair_cache.get(key) if key is not None else None
        if same is None:
            small, big = sorted((sents(a), sents(b)), key=len)
            if not small:
                same = False
            else:
                scores = process.cdist(small, big, scorer=fuzz.ratio, score_cutoff=min_ratio, workers=1)
                matched = int((scores.max(axis=1) >= min_ratio).sum())
                same = matched >= min(2, len(small)) and matched / len(small) >= min_share
            if key is not None:
                pair_cache[key] = bool(same)
        if same:
            edges.append((a, b))
    listed: Sequence[np.ndarray] = ([shingles[a] for a in ids] if before_state is None
                                    else _ShingleList(ids, shingles))
    every_kept = previous is not None and still is previous.edges
    state = OriginState(ids, list(hashes.values()), listed,
                        _PairsAdded(still, edges) if every_kept else sorted([*still, *edges]),
                        list(map((shas or {}).get, ids, itertools.repeat(""))),
                        previous.stored if previous is not None else None)
    if every_kept and previous_groups is not None and len(previous_groups) == len(previous.ids) and all(
            map(previous_groups.__contains__, previous.ids)):
        return _groups_joined(ids, previous_groups, edges), state
    return _smallest_of_components(ids, state.edges), state


def _groups_joined(ids: list[str], groups: Mapping[str, str], pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """`_smallest_of_components` of `ids` over some pairs and `pairs`, from the groups the others
    give (`groups`: article id -> its group's smallest article id; an article not in it is alone):
    each of `pairs` joins two groups, under the smaller of their ids."""
    out = {a: groups.get(a, a) for a in ids}
    if not pairs:
        return out
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(out[a]), root(out[b])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    if parent:
        for a, g in out.items():
            if g in parent:
                out[a] = root(g)
    return out


def _smallest_of_components(ids: list[str], edges: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Article id -> the smallest article id of its connected component over the copy pairs
    `edges` (`ids` sorted): the origin groups, labelled in one pass over the pairs."""
    if not edges:
        return {a: a for a in ids}
    index = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    src = np.fromiter((index[a] for a, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[b] for _, b in edges), dtype=np.int64, count=len(edges))
    return dict(zip(ids, [ids[i] for i in _component_labels(n, src, dst).tolist()]))
