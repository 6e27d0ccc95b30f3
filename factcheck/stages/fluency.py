"""Fluency: sentence texts → garble score in [0, 1] with reasons that quote the offending words.

In: sentence texts (optionally with their article ids and a corpus-level `FluencyContext`).
Out: one `FluencyResult` per text, in order. Invariant: every reason quotes words of its own
sentence; signals are rules over the spaCy parse, wordfreq and the corpus, combined by noisy-OR.
"""
from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from factcheck.nlp import load_nlp, zipf
from factcheck.records import NOT_ENGLISH
from factcheck.stages.language import foreign_quotes, sentence_language


@dataclass(frozen=True, slots=True)
class FluencySettings:
    """Weights of the garble signals and the verdict threshold.

    Each signal hit has a strength in (0, 1]; the sentence score is the noisy-OR
    `1 - prod(1 - weight * strength)` over all hits, so one strong hit (weight >= garbled_at)
    flags a sentence alone and weak signals (rare words, consensus wording) need company.
    Calibrated on the seeds and MLQE-PE dev (docs/fluency.md).
    """
    repetition: float = 0.85        # "the the", "demonstrations and demonstrations", repeated 3-grams
    self_reference: float = 0.8     # "Russia's ambassador to Russia", "a resolution of Myanmar's resolution"
    article_error: float = 0.75     # "a arms", "an report"
    agreement: float = 0.6          # "he are", "they is"
    verb_frame: float = 0.75        # "Lavrov be praised", "accused by X sold", "with execute of"
    no_main_verb: float = 0.7       # a full sentence (>= min_words_no_verb words, final stop) without a finite verb
    word_order: float = 0.6         # an adjective after its noun: "the eighth increase consecutive"
    run_together: float = 0.75      # "TezaChairman", "Chinahave", "Sokhonnwho"
    near_miss_name: float = 0.75    # "Min Aunging" where the corpus says "Min Aung Hlaing"
    consensus: float = 0.35         # "Five-Point Alliance" where other articles say "five-point consensus"
    rare_word: float = 0.3          # each lowercase word unknown to wordfreq ("sukalu"), typical of bad MT
    garbled_at: float = 0.5         # score >= garbled_at → garbled
    min_words_no_verb: int = 7      # shorter verbless pieces are headlines, captions, datelines
    unknown_zipf: float = 1.0       # wordfreq Zipf below this = not an English word
    known_zipf: float = 3.0         # Zipf at or above this = a common English word
    name_similarity: float = 80.0   # rapidfuzz ratio for a near-miss name


@dataclass(frozen=True, slots=True)
class FluencyResult:
    """Garble verdict for one sentence text."""
    score: float
    garbled: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FluencyContext:
    """Corpus-level facts the sentence signals compare against (built once per corpus).

    The signals only call `.get` on these mappings, so a context can also be a view of stored
    counts (see `ContextView`) or record what a sentence read (see `recording`)."""
    name_counts: Mapping[str, int]                 # capitalised sequence → occurrences in the corpus
    vocabulary: Mapping[str, int]                  # lowercased token → occurrences in the corpus
    followers: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)  # w1 → w2 → articles
    names_by_word: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # first/last word → names seen twice


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# A capitalised sequence: capitalised words, allowing lowercase particles inside ("Association of
# Southeast Asian Nations"); single letters like "U" count.
_CAP_SEQ = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|the|de|van|bin|al)\s+)?[A-Z][\w’'-]*)*")
_STOP = frozenset(
    "a an the of to in on at by for with from and or but as is are was were be been being it its "
    "he she they we you i his her their our this that these those which who whom what has have had "
    "not no do does did will would can could should may might must also than then so".split()
)
_SENTENCE_STARTERS = frozenset("the a an in on at this that these those it he she they we".split())


@lru_cache(maxsize=65536)
def _cap_sequences(text: str) -> tuple[str, ...]:
    """Capitalised sequences of a text, sentence-initial common words dropped ("The Kremlin" → "Kremlin").
    Memoised: the corpus context and the near-miss check read the same sentences."""
    out = []
    for m in _CAP_SEQ.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in _SENTENCE_STARTERS:
            words = words[1:]
        while words and words[-1].lower() in ("of", "the"):
            words = words[:-1]
        if words:
            out.append(" ".join(w.rstrip("’'").removesuffix("’s").removesuffix("'s") for w in words))
    return tuple(out)


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one article adds to the corpus context: its words, its capitalised sequences and the
    words after its hyphenated words (the only followers `_consensus` reads)."""
    vocabulary: Mapping[str, int]
    names: Mapping[str, int]
    follows: frozenset[tuple[str, str]]


def contribution(texts: Sequence[str]) -> Contribution:
    vocabulary: Counter[str] = Counter()
    names: Counter[str] = Counter()
    follows: set[tuple[str, str]] = set()
    for text in texts:
        names.update(_cap_sequences(text))
        words = _words(text)
        vocabulary.update(words)
        follows.update((a, b) for a, b in zip(words, words[1:]) if "-" in a)
    return Contribution(dict(vocabulary), dict(names), frozenset(follows))


def _names_by_word(name_counts: Mapping[str, int]) -> dict[str, tuple[str, ...]]:
    """First or last word → the names of two words or more that the corpus uses at least twice."""
    by_word: dict[str, set[str]] = defaultdict(set)
    for name, n in name_counts.items():
        words = name.split()
        if n >= 2 and len(words) >= 2:
            by_word[words[0]].add(name)
            by_word[words[-1]].add(name)
    return {k: tuple(sorted(v)) for k, v in by_word.items()}


def context_from(contributions: Mapping[str, Contribution]) -> FluencyContext:
    """The corpus context of these articles' contributions (article id → contribution)."""
    name_counts: Counter[str] = Counter()
    vocabulary: Counter[str] = Counter()
    followers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for article, c in contributions.items():
        name_counts.update(c.names)
        vocabulary.update(c.vocabulary)
        for a, b in c.follows:
            followers[a][b].add(article)
    return FluencyContext(
        names_by_word=_names_by_word(name_counts),
        name_counts=dict(name_counts),
        vocabulary=dict(vocabulary),
        followers={a: {b: frozenset(arts) for b, arts in nxt.items()} for a, nxt in followers.items()},
    )


def build_context(texts_by_article: Mapping[str, Sequence[str]]) -> FluencyContext:
    """Collect names, vocabulary and followers per article for the corpus-level signals."""
    return context_from({a: contribution(texts) for a, texts in texts_by_article.items()})


# ---------------------------------------------------------------- what a verdict read of the context
# A verdict depends on the context only through the entries it reads, and on each only through a
# class of its value: counts through min(n, 2) (the rules test "> 0", "> 1" and "<= 1"), a word's
# names through the names themselves, a follower through its set of articles while it has at most
# one (the rules drop the sentence's own article, so only empty, mine and "someone else's" differ).
# Read keys are "v:" + word, "n:" + name, "w:" + word (names of that first or last word), "f:" + w1.


class _Recorded:
    __slots__ = ("_inner", "_prefix", "_log")

    def __init__(self, inner, prefix: str, log: set[str]) -> None:
        self._inner, self._prefix, self._log = inner, prefix, log

    def get(self, key, default=None):
        self._log.add(self._prefix + key)
        return self._inner.get(key, default)


def recording(context: FluencyContext, log: set[str]) -> FluencyContext:
    """A view of `context` that adds the key of every entry read to `log`."""
    return FluencyContext(name_counts=_Recorded(context.name_counts, "n:", log),
                          vocabulary=_Recorded(context.vocabulary, "v:", log),
                          followers=_Recorded(context.followers, "f:", log),
                          names_by_word=_Recorded(context.names_by_word, "w:", log))


def count_class(n: int) -> int:
    return min(n, 2)


def follower_class(articles: frozenset[str] | set[str]) -> frozenset[str] | str:
    return frozenset(articles) if len(articles) <= 1 else "many"


class ContextView:
    """A FluencyContext over looked-up entries: `lookup(kind, keys)` answers a batch of keys of one
    kind ("v"/"n": count; "w": names using that word, any count; "f": follower → articles), and the
    answers are cached."""

    def __init__(self, lookup) -> None:
        self._lookup = lookup
        self._cache: dict[tuple[str, str], object] = {}

    def _one(self, kind: str, key: str):
        k = (kind, key)
        if k not in self._cache:
            self._cache[k] = self._lookup(kind, [key]).get(key)
        return self._cache[k]

    def prefetch(self, kind: str, keys) -> None:
        want = [k for k in set(keys) if (kind, k) not in self._cache]
        if want:
            found = self._lookup(kind, want)
            for k in want:
                self._cache[(kind, k)] = found.get(k)

    def context(self) -> FluencyContext:
        view = self

        class _Get:
            def __init__(self, fn) -> None:
                self.get = fn

        def names_of(word, default=None):
            names = view._one("w", word) or ()
            view.prefetch("n", names)
            kept = tuple(sorted(n for n in names if (view._one("n", n) or 0) >= 2 and len(n.split()) >= 2))
            return kept or default

        return FluencyContext(
            name_counts=_Get(lambda k, d=None: view._one("n", k) or d),
            vocabulary=_Get(lambda k, d=None: view._one("v", k) or d),
            followers=_Get(lambda k, d=None: view._one("f", k) or d),
            names_by_word=_Get(names_of))


# ---------------------------------------------------------------- signals over one parsed sentence
# Each returns a list of (signal name, strength in (0, 1], reason).

Hit = tuple[str, float, str]

_REPEAT_OK = frozenset("had that very so no ha bye go knock tsk".split())
# (of those, the ones that are never said three times over in a row: laughter and knocking are)
_REPEAT_RUN = frozenset("had that very so".split())
_COORD_OK = frozenset("more less over again on by through round out up down back forth".split())


def _repetition(doc) -> list[Hit]:
    hits: list[Hit] = []
    toks = [t for t in doc if not t.is_space]
    for a, b in zip(toks, toks[1:]):
        if a.is_alpha and a.lower_ == b.lower_ and a.lower_ not in _REPEAT_OK and a.whitespace_:
            hits.append(("repetition", 1.0, f"repeated word: '{a.text} {b.text}'"))
    # an emphatic double ("very, very"; "had had") said three times or more is a loop, not emphasis
    i = 0
    while i < len(toks):
        j = i + 1
        while j < len(toks) and toks[j].lower_ == toks[i].lower_ and toks[j - 1].whitespace_:
            j += 1
        if j - i >= 3 and toks[i].lower_ in _REPEAT_RUN:
            hits.append(("repetition", 1.0, f"repeated word: '{' '.join(t.text for t in toks[i:i + 3])}'"
                         + (f" ({j - i} times)" if j - i > 3 else "")))
        i = j
    for a, c, b in zip(toks, toks[1:], toks[2:]):
        if (c.lower_ in ("and", "or") and a.is_alpha and len(a) > 2 and a.lower_ == b.lower_
                and a.lower_ not in _COORD_OK and a.tag_ not in ("JJR", "RBR")):
            hits.append(("repetition", 1.0, f"repeated phrase: '{a.text} {c.text} {b.text}'"))
    # a 3-word sequence said twice (spinners duplicate clauses; bad MT loops); a number between two
    # words keeps them apart ("fell to 4.1 billion crowns, while revenue rose to 62.5 billion
    # crowns" says "to ... billion crowns" twice, as financial news does)
    words = [t.lower_ if t.is_alpha else f"\x00{t.i}" for t in toks if t.is_alpha or t.like_num]
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - 2):
        gram = tuple(words[i:i + 3])
        if gram in seen and i - seen[gram] >= 3 and not set(gram) <= _STOP:
            hits.append(("repetition", 0.55, f"repeated phrase: '{' '.join(gram)}' twice"))
            break
        seen.setdefault(gram, i)
    # one content word filling the sentence ("good and good, and that is good")
    # (lowercase only: names and units like "Windows", "yen", "percent" legitimately recur in lists)
    counts = Counter(t.lemma_.lower() for t in toks if t.is_alpha and t.text.islower() and not t.is_stop
                     and len(t) > 2 and t.pos_ != "NUM" and not (t.i > 0 and doc[t.i - 1].like_num))
    if counts and not hits:
        word, n = counts.most_common(1)[0]
        if n >= 3 and n / max(1, len(words)) >= 0.12:
            hits.append(("repetition", 0.45 if n < 5 else 0.8, f"repeated word: '{word}' {n} times"))
    return hits


_SELF_REF = re.compile(
    r"\b((?:[A-Z][\w-]*\s){0,2}[A-Z][\w-]*)[’']s\s+(?:[a-z-]+\s+){0,2}?[a-z-]+\s+(?:to|in|of|for|from|at)\s+"
    r"(?:the\s+)?\1\b(?![’'\w])"
)


def _self_reference(doc) -> list[Hit]:
    hits: list[Hit] = []
    for m in _SELF_REF.finditer(doc.text):
        hits.append(("self_reference", 1.0, f'self-reference: "{m.group(0)}"'))
    # "a resolution of Myanmar's resolution": a noun whose "of"-object is the same noun
    for tok in doc:
        if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.pos_ == "NOUN":
            owner = tok.head.head
            if owner.pos_ == "NOUN" and owner.i < tok.i and owner.lemma_.lower() == tok.lemma_.lower() \
                    and owner.tag_ == tok.tag_:
                span = doc[owner.i: tok.i + 1].text
                hits.append(("self_reference", 0.9, f"self-loop: '{span}'"))
    return hits


_AN_OK_CONSONANT = re.compile(r"^(hour|honou?r|honest|heir|herb)", re.I)
_A_OK_VOWEL = re.compile(r"^(uni|use|usu|uti|ure|uro|eu|one|once|ewe|u\b|ufo|ubiq|ute)", re.I)
_A_PLURAL_OK = frozenset("means series species news headquarters lot few couple dozen hundred thousand "
                         "million billion number crossroads barracks whereabouts".split())


def _article_agreement(doc) -> list[Hit]:
    hits: list[Hit] = []
    for a, b in zip(doc, doc[1:]):
        if a.lower_ not in ("a", "an") or not b.is_alpha:
            continue
        # acronyms and letters are read letter by letter ("an MP", "a UN envoy"): skip
        if b.text.isupper() and len(b) > 1 or len(b) == 1:
            continue
        vowel = b.lower_[0] in "aeiou"
        if a.lower_ == "a" and vowel and not _A_OK_VOWEL.match(b.text):
            hits.append(("article_error", 1.0, f"article error: '{a.text} {b.text}'"))
        elif a.lower_ == "an" and not vowel and not _AN_OK_CONSONANT.match(b.text):
            hits.append(("article_error", 1.0, f"article error: '{a.text} {b.text}'"))
        elif (b.tag_ == "NNS" and b.lower_ != b.lemma_.lower() and b.lower_ not in _A_PLURAL_OK
              and b.dep_ != "compound"
              and (b.i + 1 >= len(doc) or doc[b.i + 1].pos_ in ("PUNCT", "ADP", "CCONJ", "DET", "AUX")
                   and doc[b.i + 1].tag_ != "POS" and doc[b.i + 1].text not in ("'", "’"))):
            hits.append(("article_error", 0.8, f"article error: '{a.text} {b.text}' (singular article, plural noun)"))
    # pronoun subject and verb disagree: "he are", "they is"
    for tok in doc:
        if tok.dep_ not in ("nsubj", "nsubjpass") or tok.tag_ != "PRP":
            continue
        verb = tok.head
        auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i > tok.i]
        finite = auxes[0] if auxes else verb
        if finite.i <= tok.i or finite.i - tok.i > 2:
            continue
        p, v = tok.lower_, finite.lower_
        # (a plain present verb after he/she/it: "it come", "he say"; not a base form, which the
        # tagger gives after "let it", "make him", nor a past spelled like it: "it cost")
        if (p in ("he", "she", "it") and (v in ("are", "have", "do", "don't")
                                           or finite.tag_ == "VBP" and finite.pos_ == "VERB"
                                           and v not in _SAME_PAST)) or \
                (p in ("they", "we", "you") and v in ("is", "has", "does", "doesn't", "was")) or \
                (p == "i" and v in ("is", "has", "does", "are")):
            hits.append(("agreement", 1.0, f"agreement error: '{doc[tok.i: finite.i + 1].text}'"))
    # noun subject and verb disagree: "the generals was", "the report were"
    for tok in doc:
        if tok.dep_ not in ("nsubj", "nsubjpass") or tok.tag_ not in ("NNS", "NN", "NNP"):
            continue
        if any(c.dep_ in ("conj", "cc") for c in tok.children):
            continue                                    # "Russia and China are"
        verb = tok.head
        auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i > tok.i]
        finite = auxes[0] if auxes else verb
        if finite.i != tok.i + 1:
            continue                                    # only a verb right after its subject
        v = finite.lower_
        if tok.tag_ == "NNS" and tok.lower_ != tok.lemma_.lower() and tok.lower_ not in _A_PLURAL_OK \
                and v in ("is", "was", "has", "does") \
                and not (tok.text[:1].isupper() and zipf(tok.lower_) < 2.5):   # a name ending in s: "Squyres is"
            hits.append(("agreement", 0.9, f"agreement error: '{tok.text} {finite.text}'"))
        elif tok.tag_ == "NN" and tok.lower_ not in _COLLECTIVE and v in ("are", "were"):
            hits.append(("agreement", 0.7, f"agreement error: '{tok.text} {finite.text}'"))
        elif tok.tag_ == "NNP" and v in ("are", "were") and tok.ent_type_ == "GPE":
            # "Russia are the main supplier": a country with a plural verb (British usage for teams
            # and bands is left alone by asking for a place name); weak alone
            hits.append(("agreement", 0.5, f"agreement error: '{tok.text} {finite.text}'"))
    return hits


_COLLECTIVE = frozenset("""government military army police team staff public majority minority family
council junta committee board jury crew audience people cattle clergy media data crowd group
personnel navy""".split())


_BASE_VERB_OK_HEADS = frozenset(
    "let make help see hear watch have bid feel notice demand insist suggest recommend require ask urge "
    "propose order request move rather".split()
)
# verbs whose past tense is spelled like the base form: "Grasso quit" is tagged VB but is fine
_SAME_PAST = frozenset("cut put set hit let quit cost hurt shut spread split bet cast burst read rid shed "
                       "thrust upset broadcast forecast bid fit wed beat".split())
_TRUE_PREPS = frozenset("with of for by from in on at about into without against during between through "
                        "under over among via upon".split())


def _nominalisation(word: str) -> str | None:
    """'execute' → 'execution' when that is a common word: a verb used where a noun belongs."""
    w = word.lower()
    for cand in (w[:-1] + "ion" if w.endswith("e") else None, w + "ion", w + "ation",
                 w[:-1] + "ation" if w.endswith("e") else None):
        if cand and zipf(cand) >= 3.0:
            return cand
    return None


def _verb_frame(doc) -> list[Hit]:
    hits: list[Hit] = []
    for tok in doc:
        # a bare base-form verb with its own subject and no modal/to/do: "Lavrov be praised", "supplier arrive"
        if tok.tag_ == "VB":
            verb = tok.head if tok.dep_ in ("aux", "auxpass") else tok
            subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i]
            helpers = [c for c in verb.children if c.dep_ in ("aux", "auxpass", "mark") and c.i < tok.i
                       and (c.tag_ in ("MD", "TO") or c.lower_ in ("do", "does", "did", "to", "that", "if",
                                                                    "lest", "whether"))]
            if subj and not helpers and verb.head.lemma_.lower() not in _BASE_VERB_OK_HEADS \
                    and tok.lower_ not in _SAME_PAST and (subj[0].tag_ in ("NN", "NNP")
                                                         or subj[0].lower_ in ("he", "she", "it")) \
                    and not any(c.dep_ == "conj" for c in subj[0].children):
                hits.append(("verb_frame", 1.0, f"broken verb: '{doc[subj[0].i: tok.i + 1].text}'"
                             if tok.i - subj[0].i <= 4 else f"broken verb: '{tok.text}' after '{subj[0].text}'"))
        # a preposition followed by a verb form: "with execute of"
        if tok.i > 0 and doc[tok.i - 1].lower_ in _TRUE_PREPS and doc[tok.i - 1].dep_ in ("prep", "agent"):
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if tok.tag_ == "VB" or (tok.tag_ == "NN" and nxt is not None and nxt.lower_ == "of"
                                    and not [c for c in tok.children if c.dep_ in ("det", "amod", "poss")]
                                    and _nominalisation(tok.text)):
                noun = _nominalisation(tok.text)
                tail = f" (a verb where a noun belongs{', e.g. ' + repr(noun) if noun else ''})"
                hits.append(("verb_frame", 1.0, f"broken verb: '{doc[tok.i - 1].text} {tok.text}'{tail}"))
        # "accused by human rights group sold the regime": a finite verb glued to a by-agent
        if tok.dep_ == "agent" and any(c.dep_ == "auxpass" for c in tok.head.children):
            objs = [c for c in tok.children if c.dep_ == "pobj"]
            if objs and not any(t.dep_ in ("cc", "conj") for t in objs[0].subtree):
                end = objs[0].right_edge.i + 1
                if end < len(doc) and doc[end].tag_ in ("VBD", "VBZ", "VBP") and doc[end].dep_ != "relcl":
                    hits.append(("verb_frame", 1.0,
                                 f"broken verb: '{doc[tok.head.i: end + 1].text}' (verb after agent)"
                                 if end - tok.head.i <= 6 else
                                 f"broken verb: '{doc[end].text}' after '{tok.head.text} by'"))
    # a perfect made with a simple past that has its own participle: "has flew", "had went"
    for tok in doc:
        if tok.lower_ in _PAST_NOT_PARTICIPLE and tok.i > 0:
            j = tok.i - 1
            while j > 0 and doc[j].pos_ == "ADV" and tok.i - j <= 2:      # "has already flew"
                j -= 1
            if doc[j].lower_ in _PERFECT_AUX and doc[j].pos_ == "AUX":
                hits.append(("verb_frame", 1.0, f"broken verb: '{doc[j: tok.i + 1].text}' (a past tense "
                             f"after '{doc[j].text}', where its participle belongs)"))
        # a modal with a form other than the bare verb: "would opening", "will opens", "could signed"
        if tok.tag_ == "MD" and tok.i + 1 < len(doc):
            j = tok.i + 1
            while j + 1 < len(doc) and doc[j].pos_ in ("ADV", "PART") and doc[j].lower_ not in ("not", "n't") \
                    and j - tok.i <= 2:
                j += 1
            nxt = doc[j]
            if nxt.tag_ in ("VBG", "VBZ") and nxt.pos_ in ("VERB", "AUX") and nxt.lower_ not in ("being",) \
                    or nxt.tag_ == "VBD" and nxt.lower_.endswith("ed") and nxt.lower_ not in _SAME_PAST:
                hits.append(("verb_frame", 1.0, f"broken verb: '{doc[tok.i: j + 1].text}' (a modal takes the bare verb)"))
        # a modal with "to" before its verb: "will to cut", "can to go" ("ought to" takes it)
        if tok.tag_ == "MD" and tok.lower_ != "ought" and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ == "to" \
                and doc[tok.i + 2].tag_ == "VB":
            hits.append(("verb_frame", 1.0, f"broken verb: '{doc[tok.i: tok.i + 3].text}' (a modal takes the bare verb)"))
        # "in Sunday afternoon", "at Monday", "in the Monday early": a day takes "on", and no article
        # ("in Thursday trade", "at Monday's meeting": the day modifies what follows; "on the Monday
        # after" is English)
        day = tok.i + 2 if tok.lower_ == "in" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "the" else tok.i + 1
        after = doc[day + 1] if day + 1 < len(doc) else None
        if tok.lower_ in ("in", "at") and day < len(doc) and doc[day].lower_ in _WEEKDAYS \
                and not (after is not None and (after.tag_ == "POS" or after.pos_ in ("NOUN", "PROPN")
                                                and after.lower_ not in _DAY_PARTS)):
            hits.append(("verb_frame", 0.8, f"wrong preposition: '{doc[tok.i: day + 1].text}'"))
    for tok in doc:
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is None:
            break
        # "near of Naxos", "after of the meeting": a preposition English never follows with "of"
        if tok.lower_ in _NO_OF_PREPS and nxt.lower_ == "of" and tok.i + 2 < len(doc) and doc[tok.i + 2].pos_ != "PUNCT":
            hits.append(("verb_frame", 0.8, f"wrong preposition: '{tok.text} of'"))
        # "Giorgos Petrou, of 61 years,": an age said as a translation says it ("61", "aged 61")
        if tok.text == "," and nxt.lower_ == "of" and tok.i > 0 and doc[tok.i - 1].pos_ == "PROPN" \
                and tok.i + 4 < len(doc) and doc[tok.i + 2].like_num and doc[tok.i + 3].lower_ in ("years", "year") \
                and doc[tok.i + 4].text in (",", ".", ")"):
            hits.append(("article_error", 0.8, f"age as 'of N years': '{doc[tok.i - 1: tok.i + 4].text}'"))
        # "12 are still disappeared", "was died": a passive of a verb that takes no object
        if tok.lower_ in _NO_PASSIVE and tok.tag_ == "VBN" and any(
                c.dep_ == "auxpass" and c.lemma_ == "be" for c in tok.children):
            hits.append(("verb_frame", 1.0, f"broken verb: '{tok.text}' made passive (it takes no object)"))
    # "spoke extensively and interviewed journalists and was given the position": three predicates
    # chained by "and" without commas, a spinner's way of gluing clauses together
    for tok in doc:
        if tok.pos_ not in ("VERB", "AUX") or tok.dep_ == "conj":
            continue
        chain, stack = [], [tok]
        while stack:
            for c in stack.pop().children:
                if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
                    chain.append(c)
                    stack.append(c)
        if len(chain) >= 2:
            last = max(c.i for c in chain)
            between = doc[tok.i: last]
            if sum(t.lower_ == "and" for t in between) >= 2 and not any(t.text in ",;" for t in between):
                hits.append(("verb_frame", 0.7, f"chained verbs: '{doc[tok.i: last + 1].text}'"))
    return hits


# prepositions English never follows with "of" ("inside of", "outside of", "ahead of" are English)
_NO_OF_PREPS = frozenset("near behind before after above below beneath under against during until toward towards "
                         "among beside beyond".split())
# participles of verbs that take no object, so no passive ("the ferry was sunk" is English)
_NO_PASSIVE = frozenset("died disappeared arrived happened occurred existed vanished emerged departed".split())
_FINITE = frozenset(("VBD", "VBZ", "VBP", "MD"))
# simple pasts that are not their verb's participle ("flew" / "flown")
_PAST_NOT_PARTICIPLE = frozenset("""flew went wrote ate began saw took gave did drove spoke broke chose rose fell knew
grew threw drew blew swam sang rang drank sank shook forgot froze stole woke wore tore hid bit rode came ran
became overcame undertook withdrew arose forbade forgave mistook""".split())
_PERFECT_AUX = frozenset(("has", "have", "had", "'ve", "’ve"))
_WEEKDAYS = frozenset(d.lower() for d in calendar.day_name)
_DAY_PARTS = frozenset(("morning", "afternoon", "evening", "night"))


def _no_main_verb(doc, settings: FluencySettings) -> list[Hit]:
    words = [t for t in doc if t.is_alpha]
    text = doc.text.strip()
    if len(words) < settings.min_words_no_verb or not text or text[-1] not in ".!?" and not text.endswith(".”"):
        return []
    if not text[0].isupper() or words[0].lower_ == "to":   # "To be updated with ..." calls to action
        return []
    caps = sum(1 for w in words if w.text[0].isupper())
    if caps / len(words) > 0.6:                            # title-cased headline
        return []
    if any(t.tag_ in _FINITE for t in doc):
        return []
    # a verb with its own subject or a verbal root is a clause the tagger mis-tagged ("rates cut", "Grasso quit")
    if any(t.dep_ in ("nsubj", "nsubjpass") for t in doc) or any(t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")
                                                                  for t in doc):
        return []
    return [("no_main_verb", 1.0, "no main verb")]


_GLUE_WORDS = frozenset("who have has had the was were said which that also will would".split())


def _run_together_candidates(doc, settings: FluencySettings) -> list[str]:
    """Tokens that may be two words run together (the context-free filter of `_run_together`)."""
    return [tok.text for tok in doc
            if tok.text.isalpha() and len(tok.text) >= 6 and not tok.text.isupper()
            and zipf(tok.text) < settings.unknown_zipf]


def _run_together(doc, context: FluencyContext | None, settings: FluencySettings) -> list[Hit]:
    return _run_together_words(_run_together_candidates(doc, settings), context, settings)


def _run_together_words(candidates: Sequence[str], context: FluencyContext | None,
                        settings: FluencySettings) -> list[Hit]:
    hits: list[Hit] = []
    for w in candidates:
        if context is not None and context.vocabulary.get(w.lower(), 0) > 1:
            continue                                      # the corpus uses it again: a real name
        best = None
        for i in range(2, len(w) - 1):
            left, right = w[:i], w[i:]
            camel = left[-1].islower() and right[0].isupper()
            if camel and (zipf(right) >= settings.known_zipf or _known_name(right, context)) and len(right) > 1 \
                    and not right.isupper():
                # brand names are camel-cased too ("OpenManage"): a name glued to a common word is
                # only half the evidence, a lowercase word or a word the corpus uses alone is full
                strong = left.islower() or _known_name(left, context) or right.lower() in _GLUE_WORDS
                best = (left, right, 1.0 if strong else 0.55)
                break
            if not w[0].isupper() and right.islower() and len(left) >= 2 and len(right) >= 2 \
                    and zipf(left) >= settings.known_zipf + 0.5 and zipf(right) >= settings.known_zipf + 0.5:
                best = (left, right, 1.0)
                break
            if w[0].isupper() and right in _GLUE_WORDS and len(left) >= 3:
                best = (left, right, 1.0)
                break
        if best:
            hits.append(("run_together", best[2], f"run-together words: '{w}' ({best[0]} + {best[1]})"))
    return hits


def _known_name(word: str, context: FluencyContext | None) -> bool:
    """A capitalised word the corpus uses on its own that is not a common English word ("Teza", "Hlaing")."""
    return (context is not None and word[0].isupper() and context.vocabulary.get(word.lower(), 0) > 0
            and zipf(word) < 3.0)


def _near_miss_names(text: str, context: FluencyContext | None, settings: FluencySettings) -> list[Hit]:
    """A name of the sentence that the corpus spells otherwise, with a different number of words.

    Transliteration variants ("Sergei"/"Sergey", "Shoigu"/"Shoygu") keep the word count and are left
    alone; a spinner's cut ("Min Aunging" for "Min Aung Hlaing") leaves a word the corpus never uses.
    """
    if context is None:
        return []
    from rapidfuzz import fuzz, utils

    hits: list[Hit] = []
    for seq in set(_cap_sequences(text)):
        words = seq.split()
        if len(words) < 2 or context.name_counts.get(seq, 0) > 1:
            continue
        novel = [w for w in words if context.vocabulary.get(w.lower(), 0) <= 1 and zipf(w) < settings.unknown_zipf]
        if not novel:
            continue
        best = None
        for name in {*context.names_by_word.get(words[0], ()), *context.names_by_word.get(words[-1], ())}:
            nw = name.split()
            if len(nw) == len(words) or name == seq:
                continue
            score = fuzz.ratio(seq, name, processor=utils.default_process)
            if score >= settings.name_similarity and (best is None or score > best[0]):
                best = (score, name)
        if best:
            hits.append(("near_miss_name", 1.0, f"near-miss name: '{seq}' (elsewhere '{best[1]}')"))
    return hits


def _consensus(text: str, article: str | None, context: FluencyContext | None) -> list[Hit]:
    """Wording that departs from how the other articles say it: 'Five-Point Alliance' vs 'five-point consensus'.

    Only for a hyphenated first word whose every use in the other articles continues the same way,
    while this continuation is used nowhere else, and either at least two other articles use that
    one or this article words it two ways itself.
    """
    if context is None or article is None or "-" not in text:
        return []
    hits: list[Hit] = []
    raw = _WORD.findall(text)
    words = [w.lower().replace("’", "'") for w in raw]
    for i, (a, b) in enumerate(zip(words, words[1:])):
        if "-" not in a or b in _STOP:
            continue
        followers = context.followers.get(a, {})
        others = {w2: arts - {article} for w2, arts in followers.items()}
        others = {w2: arts for w2, arts in others.items() if arts}
        if len(others) == 1 and b not in others:
            alt = next(iter(others))
            # one article each way says nothing of which is odd, unless this one words it two ways
            # itself ("Five-Point Alliance" and "five-point agreement" against "five-point
            # consensus"): two other articles, or two wordings here
            mine = sum(article in arts for arts in followers.values())
            if alt not in _STOP and (len(others[alt]) >= 2 or mine >= 2):
                hits.append(("consensus", 1.0, f"departs from other articles: '{raw[i]} {raw[i + 1]}' "
                                               f"(elsewhere '{a} {alt}')"))
    return hits


def _rare_words(doc, context: FluencyContext | None, settings: FluencySettings) -> list[Hit]:
    """Lowercase words English does not have ('sukalu', 'dearmed'): the MT's untranslated or invented words."""
    hits: list[Hit] = []
    for tok in doc[1:]:
        w = tok.text
        if w.isalpha() and w.islower() and len(w) > 3 and zipf(w) < settings.unknown_zipf:
            hits.append(("rare_word", 1.0, f"unknown word: '{w}'"))
    return hits


def _combine(hits: list[Hit], settings: FluencySettings) -> tuple[float, tuple[str, ...]]:
    keep = 1.0
    reasons: list[str] = []
    for name, strength, reason in sorted(hits, key=lambda h: -getattr(settings, h[0]) * h[1]):
        keep *= 1.0 - min(1.0, getattr(settings, name) * strength)
        if reason not in reasons:
            reasons.append(reason)
    return round(1.0 - keep, 4), tuple(reasons)


def score_sentences(
    texts: Sequence[str],
    context: FluencyContext | None = None,
    settings: FluencySettings = FluencySettings(),
    article_ids: Sequence[str] | None = None,
) -> list[FluencyResult]:
    """Garble score, verdict and reasons for each sentence text (context None: the texts are the corpus)."""
    if article_ids is not None and len(article_ids) != len(texts):
        raise ValueError("article_ids must have one id per text")
    if context is None and texts:
        # context-free use: the batch itself is the corpus (one article), so names can still be checked
        context = build_context({"_": list(texts)})
        article_ids = None
    results: list[FluencyResult] = []
    for i, (text, local) in enumerate(zip(texts, local_signals(texts, settings))):
        article = article_ids[i] if article_ids is not None else None
        results.append(combine_signals(text, local, context, settings, article))
    return results


# Bump when a parse-based signal changes: cached local results (see `local_signals`) are then recomputed.
LOCAL_VERSION = "1"


@dataclass(frozen=True, slots=True)
class LocalSignals:
    """What one sentence's spaCy parse yields, independent of the corpus: cacheable by text.

    `before` are the hits of the parse-only signals that come before the corpus signals, `candidates`
    the tokens `_run_together` must check against the corpus, `after` the rare-word hits.
    """
    before: tuple[Hit, ...]
    candidates: tuple[str, ...]
    after: tuple[Hit, ...]

    def to_json(self) -> list:
        return [[list(h) for h in self.before], list(self.candidates), [list(h) for h in self.after]]

    @staticmethod
    def from_json(v: list) -> "LocalSignals":
        return LocalSignals(tuple(tuple(h) for h in v[0]), tuple(v[1]), tuple(tuple(h) for h in v[2]))


def settings_digest(settings: FluencySettings) -> str:
    """Digest of the fluency settings and rule version: the cache key part of `LocalSignals`."""
    import dataclasses
    import hashlib
    from pathlib import Path
    h = hashlib.sha256(repr((LOCAL_VERSION, dataclasses.astuple(settings))).encode())
    h.update(Path(__file__).read_bytes())   # any rule edit invalidates the cache, bumped or not
    # ... and of the language rules (`combine_signals` leaves a sentence of another language unjudged)
    h.update(Path(__file__).with_name("language.py").read_bytes())
    return h.hexdigest()[:16]


_SUBJECT_PRONOUNS = frozenset(("he", "she", "they", "it"))
# verbs of saying: "Maria Holm she said" is a subject said twice, "Lavrov, he said, ..." is not
_SAYING = frozenset("say tell add state claim announce insist report stress note".split())
_MONTH_NAMES = frozenset(m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept"))


def _noun_phrase_frame(doc) -> list[Hit]:
    """Noun phrases built the way another language builds them, or a bad translation does: a
    subject said twice, as a name and then a pronoun ("The chief executive Maria Holm she said";
    "that the bank it would maintain"),
    and a number joined to a bare plural by "of" ("cut 1,200 of jobs", "won 52 of votes"; "1,200
    of the jobs", "two of them", "10 of 12 ministers" and "$1.8 billion of assets" are English)."""
    hits: list[Hit] = []
    for tok in doc:
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is None:
            break
        # the name opens the sentence (with its determiner, titles and compounds) and the pronoun
        # follows it at once as a subject (the parser may read "she said" as a clause about the
        # name, which a name does not take without "who")
        if tok.pos_ == "PROPN" and nxt.lower_ in _SUBJECT_PRONOUNS and nxt.dep_ == "nsubj" \
                and (nxt.head.dep_ not in ("ccomp", "xcomp", "advcl") or nxt.head.i == nxt.i + 1
                     and nxt.head.lemma_.lower() not in _SAYING and nxt.head.dep_ == "ccomp") \
                and all(t.pos_ in ("DET", "PROPN", "NOUN", "ADJ") for t in doc[:tok.i]) \
                and not any(t.lower_ in _WEEKDAYS or t.lower_ in _MONTH_NAMES for t in doc[:tok.i + 1]):
            # (a day is no subject: "Tuesday he will undergo surgery")
            hits.append(("agreement", 1.0, f"subject said twice: '{doc[max(0, tok.i - 1): tok.i + 2].text}'"))
        # a noun subject and then a pronoun subject of the same verb: "that the bank it would maintain"
        elif nxt.tag_ == "PRP" and nxt.lower_ in _SUBJECT_PRONOUNS and nxt.dep_ == "nsubj" and tok.dep_ == "nsubj" \
                and tok.head.i == nxt.head.i and tok.tag_ in ("NN", "NNS", "NNP") and tok.pos_ in ("NOUN", "PROPN"):
            hits.append(("agreement", 1.0, f"subject said twice: '{doc[tok.left_edge.i: tok.i + 2].text}'"))
        after = doc[tok.i + 2] if tok.i + 2 < len(doc) else None
        # (not a sum: "$1.8 billion of assets", "$50 of fuel", "200 million euros of investment")
        if tok.tag_ == "CD" and tok.text[:1].isdigit() and nxt.lower_ == "of" and after is not None \
                and (after.tag_ == "NNS" or after.tag_ == "NN" and after.lower_ in _COLLECTIVE) \
                and not (tok.i > 0 and doc[tok.i - 1].tag_ == "$") \
                and not any(c.dep_ in ("det", "poss", "nummod") for c in after.children):
            hits.append(("article_error", 0.8, f"number with 'of': '{doc[tok.i: tok.i + 3].text}'"))
    return hits


# adjectives English puts after their noun ("the attorney general", "the people present", "the
# president elect", "the money available"), and pronoun-like nouns an adjective follows
# ("something new")
_POSTPOSED_OK = frozenset("""present elect designate general concerned involved affected responsible alone
apparent proper galore aplenty else enough extraordinaire incarnate immemorial royal major martial laureate
plenipotentiary emeritus ago old long tall wide deep high thick away due ready left last next above below
aforementioned abroad ahead later earlier""".split())
# adjectives that take an "of" complement after a noun ("officials aware of the plan")
_OF_ADJECTIVES = frozenset("""aware afraid capable fond full proud sure certain free short typical worthy guilty
ashamed tired sick conscious mindful representative indicative reminiscent independent critical supportive
wary weary innocent careful devoid bereft characteristic suspicious respectful illustrative true regardless
clear ignorant confident jealous envious""".split())
_PRONOUN_NOUNS = frozenset("""something anything nothing everything someone anyone everyone nobody somebody
anybody everybody none one""".split())


def _word_order(doc) -> list[Hit]:
    """An adjective after the noun it qualifies, as Romance languages and word-for-word
    translations place it: "the eighth increase consecutive", "the inflation annual", "the level
    current" (English keeps few there: `_POSTPOSED_OK`, "-able"/"-ible" words, an adjective with a
    complement, "a man proud of his son", a measure, "five metres deep")."""
    hits: list[Hit] = []
    for tok in doc:
        if tok.i == 0 or tok.lower_ in _POSTPOSED_OK or tok.lower_.endswith(("able", "ible")) \
                or not tok.text.isalpha() or not tok.text.islower():
            continue
        before = doc[tok.i - 1]
        # (no complement: "a man proud of his son", "people familiar with the matter"; an "of" the
        # parser hangs on it is the noun's: "the eighth increase consecutive of the bank")
        bare = all(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children) and tok.lower_ not in _OF_ADJECTIVES
        # (a noun tagged as a modifier after a noun is an adjective when it reads as one: "annual")
        adjective = tok.tag_ == "JJ" or (tok.tag_ == "NN" and tok.lower_.endswith(("al", "ive")))
        if tok.dep_ == "amod" and bare and adjective and tok.head.i == tok.i - 1 and tok.pos_ in ("ADJ", "NOUN") \
                and before.tag_ in ("NN", "NNS") and before.lower_ not in _PRONOUN_NOUNS \
                and not any(c.dep_ == "nummod" for c in before.children) \
                and any(c.dep_ == "det" for c in before.children):
            hits.append(("word_order", 1.0, f"adjective after its noun: '{doc[tok.i - 1: tok.i + 1].text}'"))
        elif tok.tag_ == "JJ" and tok.dep_ in ("pobj", "dobj", "nsubj", "nsubjpass") and before.dep_ == "compound" \
                and before.head.i == tok.i and before.tag_ in ("NN", "NNS") and not list(before.children) \
                and tok.i >= 2 and doc[tok.i - 2].dep_ == "det" and doc[tok.i - 2].head.i == tok.i:
            # the parser makes the adjective the head and the noun its modifier: "the level current"
            # (just that: a determiner, a noun, the adjective; not "the 24-week average")
            hits.append(("word_order", 1.0, f"adjective after its noun: '{doc[tok.i - 1: tok.i + 1].text}'"))
    return hits


def local_signals(texts: Sequence[str], settings: FluencySettings = FluencySettings()) -> list[LocalSignals]:
    """Parse each text once and keep the corpus-independent part of its fluency signals."""
    if not texts:
        return []
    nlp = load_nlp()
    # NER is not used by any signal; skipping it saves about a fifth of the parse time
    skip = [p for p in ("ner",) if p in nlp.pipe_names]
    out: list[LocalSignals] = []
    for doc in nlp.pipe(texts, batch_size=64, disable=skip):
        before = (_repetition(doc) + _self_reference(doc) + _article_agreement(doc) + _verb_frame(doc)
                  + _noun_phrase_frame(doc) + _word_order(doc) + _no_main_verb(doc, settings))
        out.append(LocalSignals(tuple(before), tuple(_run_together_candidates(doc, settings)),
                                tuple(_rare_words(doc, None, settings))))
    return out


# the words a hit's reason quotes ("unknown word: 'menyambut'" -> menyambut)
_SNIPPET = re.compile(r": '(.+?)'(?: |$)")


def _quoted_in(reason: str, quotes: Sequence[tuple[str, str]]) -> bool:
    """Whether the words a hit's reason quotes lie inside one of these quotations."""
    m = _SNIPPET.search(reason)
    return m is not None and any(m.group(1) in q for q, _ in quotes)


def combine_signals(text: str, local: LocalSignals, context: FluencyContext | None,
                    settings: FluencySettings = FluencySettings(), article: str | None = None) -> FluencyResult:
    """The verdict for one sentence from its cached local signals and the corpus context (cheap).
    A sentence in another language (`language.sentence_language`: a quotation in its original
    language) is not judged: not garbled, with the one reason `NOT_ENGLISH` gives. In a sentence
    quoting another language (`language.foreign_quotes`), the hits on words of the quotation are
    left out: its English is judged alone."""
    foreign = sentence_language(text)
    if foreign is not None:
        return FluencyResult(score=0.0, garbled=False, reasons=(f"{NOT_ENGLISH} (reads as {foreign}): not judged",))
    hits = (list(local.before) + _run_together_words(local.candidates, context, settings)
            + _near_miss_names(text, context, settings) + _consensus(text, article, context)
            + list(local.after))
    if hits and (quotes := foreign_quotes(text)):
        hits = [h for h in hits if not _quoted_in(h[2], quotes)]
    score, reasons = _combine(hits, settings)
    return FluencyResult(score=score, garbled=score >= settings.garbled_at, reasons=reasons)
