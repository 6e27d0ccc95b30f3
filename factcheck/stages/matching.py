"""Two claims (text + vector) → Match: 'same' fact, 'related' (same story, different fact) or 'unrelated'.

Embedding cosine alone cannot tell "same fact" from "same story, different fact" (MRPC negatives):
it is combined with word overlap, and numbers, dates and names that must be compatible.
Invariant: match_pair is symmetric in (a, b) and never loads a model.
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from factcheck.stages.normalize import ANOTHER_RE, CURRENCY_SIGNS, SCALE as _SCALE, _ordinal, singular

RELATIONS = ("same", "related", "unrelated")

# Feature order for MatchSettings.weights (see pair_features).
FEATURES = (
    "cosine",          # embedding cosine
    "token_set",       # rapidfuzz token_set_ratio / 100
    "token_sort",      # rapidfuzz token_sort_ratio / 100 (punishes extra content that token_set ignores)
    "length_ratio",    # shorter / longer content-word count
    "number_clash",    # 1 when both state numbers/dates and neither set contains the other
    "name_clash",      # 1 when both name >= 2 name words (people, places, organisations) and share none
    "number_agree",    # 1 when both state numbers/dates and they are equal sets
    "unmatched_max",   # content words (5-letter stems) of the richer claim missing from the other, / 10
    "bigram_overlap",  # shared word bigrams / bigrams of the shorter claim
    "char_ratio",      # rapidfuzz ratio / 100 (character edit similarity, word order kept)
)


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Weights and thresholds of the matcher; chosen on ../shared/bench/dev (docs/matching.md)."""

    # logistic model over FEATURES, fitted on half of the MRPC dev rows (benchmarks/eval_matching.py --tune)
    weights: tuple[float, ...] = (3.14, 1.46, 2.63, 1.12, -0.95, 0.26, 0.5, -1.2, -1.21, 3.92)
    bias: float = -7.38
    same_threshold: float = 0.5        # probability of "same" above which a pair is the same fact
    min_cosine_same: float = 0.55      # never "same" below this cosine, whatever the words say
    related_cosine: float = 0.40       # below this (and not same) a pair is unrelated
    veto_numbers: bool = True          # both state numbers/dates and they clash → never "same"
    veto_names: bool = True            # both name entities and share none → never "same"
    speaker_penalty: float = 1.0       # logit penalty when both claims have speakers that differ
    # clustering
    knn: int = 10                      # neighbours per claim in the candidate graph
    candidate_cosine: float = 0.45     # kNN edges below this cosine are dropped before matching
    link_margin: float = 1.10          # a cross-article pair links when cosine / mean hub level reaches this
    link_cosine: float = 0.80          # ... or when the cosine alone reaches this (tiny corpora have no background)
    link_mean_margin: float = 1.0      # two groups merge only if their mean cross margin reaches this
    link_min_cosine: float = 0.30      # ... and no cross pair falls below this cosine (stops chaining)
    margin_k: int = 3                  # hub level = mean cosine of a claim's 3 nearest other-article claims
    hub_floor: float = 0.35            # hub levels below this are raised to it (isolated claims)
    exact_knn_max: int = 20_000        # exact blocked matmul up to this many vectors, HNSW above


@dataclass(frozen=True, slots=True)
class Match:
    """The relation between two claims, with why."""

    similarity: float                  # probability-like score in [0, 1] that both state the same fact
    relation: str                      # same | related | unrelated
    reasons: tuple[str, ...] = ()


# ---- surface features -------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTH_ABBR = {m[:3]: i for m, i in _MONTHS.items()} | {"sept": 9}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
# (a scale's abbreviation may be glued on: "$2bn", "1.5mln"; "m", "k" and "b" count only after a
# currency sign: "$5m" is money, "a 5m wall" is metres)
_NUM_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(%|percent|per cent))?"
    r"(?:[\s-]+(hundred|thousand|million|billion|trillion|mln|bln|bn|mn|tn|trn)\b"
    r"|(mln|bln|bn|mn|tn|trn|[mkb])\b)?", re.I)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_NAME_RE = re.compile(r"\b[A-Z][a-zA-Z'’\-]+(?:\s+(?:[A-Z][a-zA-Z'’\-]+|of|de|al|bin|van|von))*")
# capitalised words that are not names (sentence starts, titles, months, weekdays, pronouns)
_NOT_NAMES = frozenset("""
a an the this that these those it its he she they we i you his her their our my your there here
in on at of for to from by with as and or but if when while after before since during between
mr mrs ms dr sen rep gen president minister prime foreign defense defence deputy chief senior
general lieutenant secretary spokesman spokeswoman spokesperson officials official police state
monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow last next
january february march april may june july august september october november december
according however also but meanwhile earlier later new said says asked told added
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
""".split())
_STOP = frozenset("""
a an the this that these those it its is are was were be been being has have had do does did of in on
at to for from by with as and or but if then than so such not no nor also into over about after before
he she they we i you his her their our them him us who whom which what when where while will would can
could should may might must shall said says say told according just very more most other some any all
""".split())
_CONTENT_CACHE_SIZE = 65_536


def _to_number(whole: str, frac: str | None, scale: str | None) -> float:
    value = float(whole.replace(",", "") + ("." + frac if frac else ""))
    if scale:
        value *= _SCALE[scale.lower()]
    return value


_UNIT_RE = re.compile(r"\s*(?:-\s*)?(?:(?:more|fewer|less|than|of|the|new|other|extra|additional)\s+)*"
                      r"(?:[A-Z][a-z]+\s+){0,2}([a-z]+)")   # "7,000 Myanmar officers" counts officers
_NOT_UNITS = _STOP | frozenset("percent per cent a.m p.m am pm times".split()) | frozenset(_MONTHS) | frozenset(_MONTH_ABBR)


def _unit_after(text: str, end: int) -> str:
    """The noun a number counts ("7,000 officers" -> "officers"), or "" when none follows."""
    m = _UNIT_RE.match(text, end)
    if not m:
        return ""
    w = m.group(1).lower()
    return "" if w in _NOT_UNITS or w in _NUMBER_WORDS else w


@functools.lru_cache(maxsize=_CONTENT_CACHE_SIZE)
def numbers_in(text: str) -> frozenset[str]:
    """Numbers, percentages, years, months and day-of-month stated in `text`, normalised to strings.

    A count followed by the noun it counts carries it ("7000 officers"), so counts of different
    things are not compared; "month:N" is a month name.
    """
    found: set[str] = set()
    for m in _NUM_RE.finditer(text):
        whole, frac, pct, scale, glued = m.groups()
        end = m.end()
        if glued and glued.lower() in ("m", "k", "b") and (m.start() == 0 or text[m.start() - 1] not in CURRENCY_SIGNS):
            glued, end = None, m.end(5) - len(m.group(5))         # "5m": the number, then its unit
        value = _to_number(whole, frac, scale or glued)
        tag = "%" if pct else ""
        unit = "" if pct else _unit_after(text, end)
        found.add(f"{value:g}{tag}" + (f" {unit}" if unit else ""))
    for wm in _WORD_RE.finditer(text):
        word = wm.group(0)
        w = word.lower().rstrip(".")
        if w in _NUMBER_WORDS and w not in {"one", "zero"}:   # "one of the biggest" is not a count
            unit = _unit_after(text, wm.end())
            found.add(f"{_NUMBER_WORDS[w]:g}" + (f" {unit}" if unit else ""))
        elif w in _MONTHS and (w != "may" or word[0] == "M"):
            found.add(f"month:{_MONTHS[w]}")
        elif w in _MONTH_ABBR and word[0].isupper() and word[1:].islower():
            found.add(f"month:{_MONTH_ABBR[w]}")
    # one more of a kind: "a fourth man was arrested" is "nth:4 man" (`ANOTHER_RE`)
    for m in ANOTHER_RE.finditer(text):
        unit = _unit_after(text, m.end())
        found.add(f"nth:{_ordinal(m['nth'])}" + (f" {unit}" if unit else ""))
    return frozenset(found)


@functools.lru_cache(maxsize=_CONTENT_CACHE_SIZE)
def names_in(text: str) -> frozenset[str]:
    """Lower-cased tokens of capitalised names (people, places, organisations) in `text`."""
    tokens: set[str] = set()
    for m in _NAME_RE.finditer(text):
        for tok in m.group(0).split():
            t = tok.lower().strip("'’-")
            if t.endswith(("'s", "’s")):
                t = t[:-2]
            if len(t) > 1 and t not in _NOT_NAMES and t not in {"of", "de", "al", "bin", "van", "von"}:
                tokens.add(t)
    return frozenset(tokens)


@functools.lru_cache(maxsize=_CONTENT_CACHE_SIZE)
def content_words(text: str) -> frozenset[str]:
    """Lower-cased words that carry content (no stop words)."""
    return frozenset(w.lower() for w in _WORD_RE.findall(text) if w.lower() not in _STOP)


def _names_share(a: frozenset[str], b: frozenset[str]) -> bool:
    if a & b:
        return True
    # transliteration variants (Shoygu / Shoigu, Naypyitaw / Naypyidaw); demonyms (Russia / Russian)
    return any(fuzz.ratio(x, y) >= 80 or (len(x) >= 4 and len(y) >= 4 and x[:4] == y[:4])
               for x in a for y in b)


def _names_clash(a: frozenset[str], b: frozenset[str]) -> bool:
    # one name word is too little to call it a different fact: fragments ("is one of the biggest
    # weapons suppliers to the southeast Asian country") often drop the subject
    return len(a) >= 2 and len(b) >= 2 and not _names_share(a, b)


def _kind(x: str) -> str:
    """month, nth (one more of a kind), percent, year or count: only numbers of one kind are compared."""
    if x.startswith("month:"):
        return "month"
    if x.startswith("nth:"):
        return "nth"
    if x.endswith("%"):
        return "percent"
    value, _, unit = x.partition(" ")
    if not unit and value.isdigit() and 1800 <= int(value) <= 2100:
        return "year"
    return "count"


def _comparable(x: str, y: str) -> bool:
    if _kind(x) != _kind(y):
        return False
    ux, uy = x.partition(" ")[2], y.partition(" ")[2]
    return not (ux and uy and ux[:5] != uy[:5])        # 2 nations vs 7,000 officers: not comparable


def _close(x: str, y: str) -> bool:
    if x == y:
        return True
    if not _comparable(x, y) or _kind(x) in ("month", "year"):
        return False
    fx, fy = float(x.partition(" ")[0].rstrip("%")), float(y.partition(" ")[0].rstrip("%"))
    return abs(fx - fy) <= 0.02 * max(abs(fx), abs(fy))   # "2.95 million" ~ "2.9 million"


def _one_more_clash(a: frozenset[str], b: frozenset[str]) -> bool:
    """One side tells one more of a kind ("a fourth man was arrested") that the other does not,
    and the other counts that kind ("three men were arrested", "a second man"): two facts."""
    for x in {v for v in a | b if v.startswith("nth:")} - (a & b):
        other = b if x in a else a
        unit = singular(x.partition(" ")[2])
        if any(_kind(y) in ("count", "nth") and (not unit or not y.partition(" ")[2]
                                                 or singular(y.partition(" ")[2]) == unit) for y in other):
            return True
    return False


def _numbers_clash(a: frozenset[str], b: frozenset[str]) -> bool:
    """Some number has counterparts of its kind (and unit) on the other side, none of them close;
    or one side tells one more of a kind the other counts (`_one_more_clash`)."""
    if not a or not b:
        return False
    if _one_more_clash(a, b):
        return True
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    for x in small:
        peers = [y for y in big if _comparable(x, y)]
        if peers and not any(_close(x, y) for y in peers):
            return True
    return False


def _bigrams(processed: str) -> set[tuple[str, str]]:
    words = processed.split()
    return set(zip(words, words[1:]))


def pair_features(a: str, b: str, cosine: float) -> dict[str, float]:
    """The FEATURES of a pair, in order; symmetric in (a, b)."""
    pa, pb = default_process(a), default_process(b)
    ca, cb = content_words(a), content_words(b)
    na, nb = numbers_in(a), numbers_in(b)
    ea, eb = names_in(a), names_in(b)
    sa, sb = {w[:5] for w in ca}, {w[:5] for w in cb}
    ba, bb = _bigrams(pa), _bigrams(pb)
    return {
        "cosine": float(cosine),
        "token_set": fuzz.token_set_ratio(pa, pb) / 100.0,
        "token_sort": fuzz.token_sort_ratio(pa, pb) / 100.0,
        "length_ratio": min(len(ca), len(cb)) / max(len(ca), len(cb), 1),
        "number_clash": float(_numbers_clash(na, nb)),
        "name_clash": float(_names_clash(ea, eb)),
        # (one more of a kind tells no number two claims agree on: "with the 27th pick" agrees, "a
        # third baseman" beside it on one side only does not make it a disagreement)
        "number_agree": float(bool(ma := {x for x in na if not x.startswith("nth:")})
                              and ma == {x for x in nb if not x.startswith("nth:")}),
        "unmatched_max": max(len(sa - sb), len(sb - sa)) / 10.0,
        "bigram_overlap": len(ba & bb) / max(1, min(len(ba), len(bb))),
        "char_ratio": fuzz.ratio(pa, pb) / 100.0,
    }


def _speakers_differ(sa: str | None, sb: str | None) -> bool:
    if not sa or not sb:
        return False
    ta = {t for t in default_process(sa).split() if len(t) > 2}
    tb = {t for t in default_process(sb).split() if len(t) > 2}
    return bool(ta) and bool(tb) and not _names_share(frozenset(ta), frozenset(tb))


def score_features(features: dict[str, float], settings: MatchSettings) -> float:
    """Probability-like score of 'same fact' from the logistic model in `settings`."""
    z = settings.bias + sum(w * features[name] for w, name in zip(settings.weights, FEATURES, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _short(values: frozenset[str], limit: int = 4) -> str:
    return ", ".join(sorted(values)[:limit])


def match_pair(a: str, b: str, va: np.ndarray, vb: np.ndarray, settings: MatchSettings = MatchSettings(),
               *, speaker_a: str | None = None, speaker_b: str | None = None) -> Match:
    """Relation between claim texts `a` and `b` with their normalised vectors."""
    cosine = float(np.dot(np.asarray(va, dtype=np.float32), np.asarray(vb, dtype=np.float32)))
    return _decide(a, b, cosine, settings, speaker_a, speaker_b)


def _penalised(p: float, z_penalty: float) -> float:
    """`p` with its log-odds lowered by `z_penalty` (different speakers)."""
    if not z_penalty:
        return p
    return 1.0 / (1.0 + math.exp(-(math.log(max(p, 1e-12) / max(1 - p, 1e-12)) - z_penalty)))


def _relation(p: float, cosine: float, vetoed: bool, settings: MatchSettings) -> str:
    if p >= settings.same_threshold and cosine >= settings.min_cosine_same and not vetoed:
        return "same"
    if cosine >= settings.related_cosine or p >= settings.same_threshold:
        return "related"
    return "unrelated"


def _decide(a: str, b: str, cosine: float, settings: MatchSettings,
            speaker_a: str | None = None, speaker_b: str | None = None) -> Match:
    f = pair_features(a, b, cosine)
    z_penalty = 0.0
    reasons = [f"cosine {cosine:.2f}", f"word overlap {f['token_set']:.2f}"]
    vetoes = []
    if f["number_clash"]:
        na, nb = numbers_in(a), numbers_in(b)
        reasons.append(f"numbers/dates differ: {_short(na - nb)} vs {_short(nb - na)}")
        if settings.veto_numbers:
            vetoes.append("number")
    elif f["number_agree"]:
        reasons.append(f"same numbers/dates: {_short(numbers_in(a))}")
    if f["name_clash"]:
        reasons.append(f"no shared names: {_short(names_in(a))} vs {_short(names_in(b))}")
        if settings.veto_names:
            vetoes.append("name")
    if _speakers_differ(speaker_a, speaker_b):
        reasons.append(f"different speakers: {speaker_a} vs {speaker_b}")
        z_penalty = settings.speaker_penalty
    p = _penalised(score_features(f, settings), z_penalty)
    relation = _relation(p, cosine, bool(vetoes), settings)
    if vetoes and p >= settings.same_threshold:
        reasons.append("same story, different fact")
    return Match(similarity=round(p, 4), relation=relation, reasons=tuple(reasons))


def same_story(a: str, b: str, cosine: float, settings: MatchSettings = MatchSettings(),
               speaker_a: str | None = None, speaker_b: str | None = None) -> bool:
    """Whether the pair would be the same claim but for a number or date that differs ("same
    story, different fact" in `decide`'s reasons): the conflicts' number and date checks take such
    a pair for one event."""
    f = pair_features(a, b, cosine)
    if not f["number_clash"]:
        return False
    z = settings.speaker_penalty if _speakers_differ(speaker_a, speaker_b) else 0.0
    return _penalised(score_features(f, settings), z) >= settings.same_threshold


# ---- the cosine-free part of `_decide`, cacheable per pair of texts (see clusters.link_pairs) --------

STATIC = tuple(n for n in FEATURES if n != "cosine") + ("speakers_differ",)


def pair_static(a: str, b: str, speaker_a: str | None = None, speaker_b: str | None = None) -> tuple[float, ...]:
    """The features of a pair that do not depend on the cosine, in `STATIC` order."""
    f = pair_features(a, b, 0.0)
    return tuple(f[n] for n in STATIC[:-1]) + (float(_speakers_differ(speaker_a, speaker_b)),)


def decide_static_many(statics: np.ndarray, cosines: np.ndarray, settings: MatchSettings
                       ) -> tuple[np.ndarray, np.ndarray]:
    """What `_decide` says of many pairs at once, from their cosine-free features (rows of `statics`
    in `STATIC` order, from `pair_static`) and their cosines: (relation is "same", vetoed: numbers or
    names clash) as bool arrays, with `_decide`'s arithmetic in the same order."""
    statics = np.asarray(statics, dtype=np.float64).reshape(-1, len(STATIC))
    cos = np.asarray(cosines, dtype=np.float64)
    col = {name: statics[:, i] for i, name in enumerate(STATIC)}
    col["cosine"] = cos
    acc = np.zeros(len(cos))
    for w, name in zip(settings.weights, FEATURES, strict=True):    # the order of score_features' sum
        acc = acc + w * col[name]
    z = np.clip(settings.bias + acc, -50.0, 50.0)
    number, name = col["number_clash"] != 0, col["name_clash"] != 0
    vetoes = np.zeros(len(cos), dtype=bool)
    if settings.veto_numbers:
        vetoes |= number
    if settings.veto_names:
        vetoes |= name
    penalty = settings.speaker_penalty
    same = np.fromiter((_relation(_penalised(1.0 / (1.0 + math.exp(-zi)), penalty if sd else 0.0), c, v, settings)
                        == "same" for zi, sd, c, v in zip(z.tolist(), col["speakers_differ"].tolist(),
                                                          cos.tolist(), vetoes.tolist())),
                       dtype=bool, count=len(cos))
    return same, number | name


def compare_texts(a: str, b: str, embedder, settings: MatchSettings = MatchSettings()) -> Match:
    """Relation between two free texts (the `factcheck compare A B` command)."""
    va, vb = embedder.embed([a, b])
    return match_pair(a, b, va, vb, settings)


def match_many(pairs: Sequence[tuple[str, str]], vectors_a: np.ndarray, vectors_b: np.ndarray,
               settings: MatchSettings = MatchSettings()) -> list[Match]:
    """match_pair over aligned rows (for `compare --pairs`)."""
    cos = np.einsum("ij,ij->i", np.asarray(vectors_a, np.float32), np.asarray(vectors_b, np.float32))
    return [_decide(a, b, float(c), settings) for (a, b), c in zip(pairs, cos, strict=True)]
