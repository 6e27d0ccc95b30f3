"""Claims + vectors → Clusters of claims from different articles that state the same fact.

Candidates come from a k-nearest-neighbour graph (exact matmul when small, faiss HNSW when large);
each candidate pair is judged by `matching`; groups merge only when every cross pair stays close
(mean and minimum cosine), so one bridge claim cannot chain two facts together.
Invariant: an article never corroborates itself (only cross-article pairs link), and copies of one
origin count once in `independent_sources`.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from factcheck.records import Claim, Cluster, stable_id
from factcheck.stages.matching import (MatchSettings, _decide, _numbers_clash, decide_static, numbers_in,
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
    keep = idx != np.arange(len(vectors))[:, None]             # drop self hits (usually column 0)
    out_idx = np.full((len(vectors), k), -1, dtype=np.int64)
    out_sims = np.full((len(vectors), k), -np.inf, dtype=np.float32)
    for r in range(len(vectors)):
        row_i, row_s = idx[r][keep[r]][:k], sims[r][keep[r]][:k]
        out_idx[r, :len(row_i)], out_sims[r, :len(row_s)] = row_i, row_s
    return out_idx, out_sims


def _has_faiss() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def knn_graph(vectors: np.ndarray, k: int, exact_max: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """(idx, sims): each row's k nearest neighbours (self excluded), exact or HNSW by size."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) > exact_max and _has_faiss():
        return _hnsw_knn(vectors, k)
    return _exact_knn(vectors, k)


def _pairs_from_knn(idx: np.ndarray, sims: np.ndarray, min_cosine: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(idx)
    src = np.repeat(np.arange(n), idx.shape[1])
    dst, cos = idx.ravel(), sims.ravel()
    ok = (dst >= 0) & (cos >= min_cosine)
    src, dst, cos = src[ok], dst[ok], cos[ok]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keys, first = np.unique(lo * n + hi, return_index=True)
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
    for r in range(len(idx)):
        ok = (idx[r] >= 0) & (art[np.maximum(idx[r], 0)] != art[r])
        vals = np.sort(sims[r][ok])[::-1][:top]
        if len(vals):
            out[r] = max(floor, float(vals.mean()))
    return out


# ---- grouping -------------------------------------------------------------------------------------

class _Groups:
    """Union of claim indices where a merge must pass the linkage check."""

    def __init__(self, n: int) -> None:
        self.root = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(self, i: int) -> int:
        while self.root[i] != i:
            self.root[i] = self.root[self.root[i]]
            i = self.root[i]
        return i

    def merge(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.root[b] = a
        self.members[a].extend(self.members.pop(b))


def _can_merge(va: np.ndarray, vb: np.ndarray, ha: np.ndarray, hb: np.ndarray,
               numbers_a: list, numbers_b: list, settings: MatchSettings) -> bool:
    cross = va @ vb.T
    if float(cross.min()) < settings.link_min_cosine:
        return False
    margins = cross / ((ha[:, None] + hb[None, :]) / 2)
    if float(margins.mean()) < settings.link_mean_margin and float(cross.mean()) < settings.link_cosine:
        return False
    if settings.veto_numbers:  # a group never holds two claims that state clashing numbers or dates
        return not any(_numbers_clash(x, y) for x in numbers_a for y in numbers_b)
    return True


def _vetoed(m) -> bool:
    return any(r.startswith(("numbers/dates differ", "no shared names")) for r in m.reasons)


def link_pairs(texts: Sequence[str], vectors: np.ndarray, articles: Sequence[str],
               settings: MatchSettings, speakers: Sequence[str | None] | None = None,
               pair_cache: dict | None = None, text_keys: Sequence[str] | None = None
               ) -> tuple[list[tuple[float, int, int]], np.ndarray]:
    """Cross-article candidate pairs that state the same fact, as (margin, i, j), best first,
    and each claim's hub level (see `hub_levels`).

    With `pair_cache` (key -> `matching.pair_static` tuple; new entries are added to it) and
    `text_keys` (one key per claim for its text and speaker), the cosine-free part of each
    pair's decision is computed once per pair of texts, ever; the result is the same."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) < 2:
        return [], np.zeros(len(vectors), dtype=np.float32)
    idx, sims = knn_graph(vectors, settings.knn, settings.exact_knn_max)
    hub = hub_levels(idx, sims, articles, settings.margin_k, settings.hub_floor)
    src, dst, cos = _pairs_from_knn(idx, sims, settings.candidate_cosine)
    links = []
    for i, j, c in zip(src.tolist(), dst.tolist(), cos.tolist(), strict=True):
        if articles[i] == articles[j]:
            continue                                   # an article never corroborates itself
        sa, sb = (speakers[i], speakers[j]) if speakers is not None else (None, None)
        if pair_cache is None or text_keys is None:
            m = _decide(texts[i], texts[j], c, settings, sa, sb)
            relation, vetoed = m.relation, _vetoed(m)
        else:
            key = text_keys[i] + text_keys[j]
            static = pair_cache.get(key)
            if static is None:
                static = pair_cache[key] = pair_static(texts[i], texts[j], sa, sb)
            relation, vetoed = decide_static(static, c, settings)
        if vetoed:
            continue
        margin = c / ((hub[i] + hub[j]) / 2)
        if relation == "same" or margin >= settings.link_margin or c >= settings.link_cosine:
            links.append((margin, c, i, j))
    links.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
    return [(mg, i, j) for mg, _, i, j in links], hub


def group_indices(links: Sequence[tuple[float, int, int]], vectors: np.ndarray, texts: Sequence[str],
                  settings: MatchSettings, hub: np.ndarray | None = None) -> list[list[int]]:
    """Greedy linkage over `links` (best first): merge two groups only if all cross pairs stay close."""
    groups = _Groups(len(vectors))
    numbers = [numbers_in(t) for t in texts]
    hub = np.ones(len(vectors), dtype=np.float32) if hub is None else hub
    for _, i, j in links:
        a, b = groups.find(i), groups.find(j)
        if a == b:
            continue
        ma, mb = groups.members[a], groups.members[b]
        if _can_merge(vectors[ma], vectors[mb], hub[ma], hub[mb],
                      [numbers[x] for x in ma], [numbers[x] for x in mb], settings):
            groups.merge(a, b)
    return [sorted(m) for m in groups.members.values() if len(m) > 1]


def cluster_claims(claims: Sequence[Claim], vectors: np.ndarray, settings: MatchSettings = MatchSettings(),
                   origin_of: Mapping[str, str] | None = None, weak: set[str] | None = None,
                   pair_cache: dict | None = None) -> list[Cluster]:
    """Clusters of same-fact claims from >= 2 articles; claims left alone belong to no cluster.

    `pair_cache`: see `link_pairs` (keys are built from each claim's text and speaker)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(claims) != len(vectors):
        raise ValueError(f"{len(claims)} claims but {len(vectors)} vectors")
    texts = [c.standalone or c.text for c in claims]
    articles = [c.article_id for c in claims]
    text_keys = None
    if pair_cache is not None:
        import hashlib
        text_keys = [hashlib.sha256(f"{t}\x1f{c.speaker or ''}".encode()).hexdigest()[:16]
                     for t, c in zip(texts, claims)]
    links, hub = link_pairs(texts, vectors, articles, settings, [c.speaker for c in claims],
                            pair_cache, text_keys)
    origin_of = origin_of or {}
    weak = weak or set()
    clusters = []
    for members in group_indices(links, vectors, texts, settings, hub):
        group = [claims[i] for i in members]
        claim_ids = tuple(sorted(c.id for c in group))
        article_ids = tuple(sorted({c.article_id for c in group}))
        strong_origins = {origin_of.get(c.article_id, c.article_id) for c in group if c.id not in weak}
        clusters.append(Cluster(id="k" + stable_id(*claim_ids), claim_ids=claim_ids, article_ids=article_ids,
                                independent_sources=len(strong_origins)))
    clusters.sort(key=lambda k: k.id)
    return clusters


def component_sizes(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Sizes of the connected components of the graph (n nodes, edges src–dst), largest first."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.sort(np.bincount(labels))[::-1]


# ---- origin groups (copies are not independent) ---------------------------------------------------

_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def _article_sentences(text: str, min_words: int) -> list[str]:
    out = []
    for piece in _SENT_SPLIT.split(text):
        norm = default_process(piece or "")
        if len(norm.split()) >= min_words:              # short lines are page furniture, not text
            out.append(norm)
    return out


def _shingles(sentences: list[str], size: int = 5) -> set[int]:
    out = set()
    for s in sentences:
        w = s.split()
        out.update(hash(tuple(w[i:i + size])) for i in range(max(1, len(w) - size + 1)))
    return out


def origin_groups(texts: Mapping[str, str], *, min_share: float = 0.5, min_ratio: float = 85.0,
                  min_words: int = 6, pair_cache: dict | None = None) -> dict[str, str]:
    """Article id → origin group id (the group's smallest article id); copies share a group.

    Two articles are one origin when at least `min_share` of the shorter one's sentences have a
    near-identical sentence (rapidfuzz ratio >= `min_ratio`) in the other. `pair_cache` (optional,
    filled in): key of the two texts and the parameters -> that verdict, so an article pair is
    compared once, ever.
    """
    ids = sorted(texts)
    sentences = {a: _article_sentences(texts[a], min_words) for a in ids}
    # candidate article pairs share at least two word 5-gram shingles (inverted index: no all-pairs scan)
    posting: dict[int, list[str]] = defaultdict(list)
    for a in ids:
        for h in _shingles(sentences[a]):
            posting[h].append(a)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for arts in posting.values():
        if len(arts) > 50:                               # a stock phrase everyone uses says nothing
            continue
        for x in range(len(arts)):
            for y in range(x + 1, len(arts)):
                shared[(arts[x], arts[y])] += 1
    root = {a: a for a in ids}

    def find(a: str) -> str:
        while root[a] != a:
            root[a] = root[root[a]]
            a = root[a]
        return a

    hashes: dict[str, str] = {}
    if pair_cache is not None:
        import hashlib
        params = f"{min_share}\x1f{min_ratio}\x1f{min_words}\x1f"
        hashes = {a: hashlib.sha256((params + texts[a]).encode()).hexdigest()[:16] for a in ids}
    for (a, b), count in shared.items():
        if count < 2:
            continue
        key = hashes[a] + hashes[b] if pair_cache is not None else None
        same = pair_cache.get(key) if key is not None else None
        if same is None:
            small, big = sorted((sentences[a], sentences[b]), key=len)
            if not small:
                same = False
            else:
                scores = process.cdist(small, big, scorer=fuzz.ratio, score_cutoff=min_ratio, workers=1)
                matched = int((scores.max(axis=1) >= min_ratio).sum())
                same = matched >= min(2, len(small)) and matched / len(small) >= min_share
            if key is not None:
                pair_cache[key] = bool(same)
        if same:
            ra, rb = find(a), find(b)
            if ra != rb:
                root[max(ra, rb)] = min(ra, rb)
    return {a: find(a) for a in ids}
