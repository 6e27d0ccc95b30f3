"""Claims + their articles → ClaimFacts: canonical entities, titles, genders, hedged numbers,
dates resolved against the article's publication date, negation and precedence markers.

Invariant: every span is a character offset into its article's text; entity ids are shared
across the whole corpus, so "Shoygu" in one article and "Shoigu" in another get the same id.
"""
from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime as dt
import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from factcheck.records import Article, Claim
from factcheck.stages.demonyms import DEMONYMS as _WORLD_DEMONYMS
from factcheck.stages.ingest import LOOKS_AHEAD

# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Mention:
    """One name in a claim, with the corpus-wide entity it refers to."""
    entity: str                      # canonical id, e.g. "e:min-aung-hlaing"
    name: str                        # canonical display name
    text: str                        # surface form
    start: int
    end: int
    person: bool = False
    label: str = "ORG"               # majority NER label of the entity across the corpus
    title: str | None = None         # "Senior General", "Foreign Minister" (as written)
    title_span: tuple[int, int] | None = None
    nationality: str | None = None   # "russia" for "Russian Foreign Minister ..."
    gender: str | None = None        # "m" | "f"
    gender_cue: str | None = None    # "Ms.", "she" ...
    gender_span: tuple[int, int] | None = None
    affiliation: str | None = None   # entity of "Helen Marsh of University College London"
    affiliation_span: tuple[int, int] | None = None
    age: int | None = None           # 52 of "Novak, 52," / "52-year-old Novak" / "The 52-year-old" after him
    age_span: tuple[int, int] | None = None
    party: str | None = None         # "republican" of "Anna Lund, a Republican," / "Sen. Anna Lund (R-Ohio)"
    party_span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its hedge: the true value lies in [low, high]."""
    text: str
    start: int
    end: int
    low: float
    high: float
    exact: bool
    unit: str | None = None          # lemma of the counted noun ("people", "officer")
    kind: str = "number"             # number | count (times an event happened) | rank | time (of day, minutes)
    hedge: str | None = None         # "at least", "thousands", "one of the" ...
    window: str | None = None        # "since 2013", "since taking power" (for counts); RUNNING for a
                                     # tally told up to the report ("have arrested four men")
    verb: str | None = None          # a casualty verb it counts for: "kill" (killed, died), "injure" ...


@dataclass(frozen=True, slots=True)
class DateFact:
    """A date phrase and what it resolves to; earliest/latest are ISO dates or None."""
    text: str
    start: int
    end: int
    earliest: str | None
    latest: str | None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    basis: str = "absolute"          # absolute | "relative to 2022-08-03 (date line)" | unresolved: ...
    resolved: bool = True


@dataclass(frozen=True, slots=True)
class Marker:
    """Precedence marker: first | previously | again, with the person and event it is about; or
    another: one more of a kind ("a fourth man was arrested": event "man", nth 4); or debunk: the
    claim calls what it tells untrue ("viral hoax", "fake news": `DEBUNK_RE`)."""
    kind: str
    text: str
    start: int
    end: int
    entity: str | None = None
    event: str | None = None         # lemma, e.g. "visit"
    year: int | None = None
    nth: int | None = None           # the event's number: 1 "first visit", 3 "third visit"


@dataclass(frozen=True, slots=True)
class Frame:
    """Subject-verb-object with polarity, for negation and same-predicate tests."""
    verb: str                        # lemma (light verbs folded: "carry out a visit" → visit)
    start: int
    end: int
    negated: bool
    subject: str | None = None       # entity id
    obj: str | None = None           # entity id or head lemma
    cue: str | None = None           # "not", "refused to" ...
    subject_noun: str | None = None  # head lemma of a subject that names no entity ("the company")
    head: str | None = None          # the subject's head noun, also when it names an entity ("Halvorsen shares": share)
    place: str | None = None         # entity of the place the act is "in" or "at" ("arrived in Moscow")


@dataclass(frozen=True, slots=True)
class AcronymDef:
    """'Long Name (ACR)' in an article."""
    acronym: str
    expansion: str
    start: int                       # span of "Long Name (ACR)"
    end: int


@dataclass(frozen=True, slots=True)
class PlanName:
    """'five-point consensus': a numbered plan and the noun that names it."""
    number: int
    noun: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who is said to have said it: an office, perhaps a named person, a nationality."""
    office: str                      # "ambassador", "foreign minister"
    text: str
    start: int
    end: int
    nationality: str | None = None
    entity: str | None = None        # set when a person is named


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """Everything comparable that one claim states."""
    claim_id: str
    article_id: str
    mentions: tuple[Mention, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[DateFact, ...] = ()
    markers: tuple[Marker, ...] = ()
    frames: tuple[Frame, ...] = ()
    acronyms: tuple[AcronymDef, ...] = ()
    plans: tuple[PlanName, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    published: str | None = None

    @property
    def entities(self) -> frozenset[str]:
        return frozenset(m.entity for m in self.mentions)


# ---------------------------------------------------------------- vocabularies

_P = utils.default_process
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

TITLE_WORDS = ("Senior|Vice|Deputy|Lieutenant|Major|Brigadier|General|Colonel|Admiral|Marshal|Captain|"
               "Commander|Prime|Foreign|Defen[cs]e|Interior|Finance|Transport|Health|Education|Economy|"
               "Justice|Energy|Trade|Agriculture|Labou?r|Environment|Home|Industry|Tourism|Shipping|Maritime|"
               "Culture|Sports?|Fisheries|Housing|Infrastructure|Communications|Digital|Science|Development|"
               "Migration|Immigration|Security|Climate|Mining|Petroleum|Planning|Welfare|Youth|Heritage|"
               "Commerce|Investment|Information|Employment|Treasury|"
               "Minister|President|Vice-President|"
               "Secretary|Chairman|Chairwoman|Ambassador|Spokesman|Spokeswoman|Chief|Premier|Chancellor|"
               "King|Queen|Senator|Governor|Mayor|Director|State|Counsellor|Envoy|Special|Field|"
               "Executive|Financial|Operating|Technology|Officer|CEO|CFO|COO|CTO")
# (also "Minister of Shipping", "Secretary of State": title words joined by "of")
TITLE_RE = re.compile(rf"((?:(?:{TITLE_WORDS})(?:[ \t]+of(?:[ \t]+the)?(?=[ \t]+(?:{TITLE_WORDS})[ \t]))?[ \t]+)+)$")
# a word before a title that makes it one of then or for now ("former President", "acting Prime
# Minister": the title holds none of them)
TITLE_QUALIFIERS = "former|ex|acting|interim|caretaker|outgoing|then|late|incoming"
# a title set off after the name: "Oscar Puente, the transport minister, said" (up to two words
# before the office: "the deputy prime minister", "the country's foreign minister")
_APPOS_OFFICES = ("minister|president|vice president|secretary|governor|mayor|ambassador|spokesman|spokeswoman|"
                  "spokesperson|chairman|chairwoman|chancellor|premier|senator|envoy|chief executive|"
                  "chief executive officer|chief financial officer|chief operating officer|ceo|cfo|coo")
# (whose office: a name's or a country's or company's, "Spain's transport minister", "the company's
# chief executive", not a person's: "the minister's spokesman" is not the minister)
APPOS_TITLE_RE = re.compile(
    r",[ \t]+(?:(?:the|a|an)[ \t]+)?"
    r"(?:(?:(?-i:[A-Z][A-Za-z]+)|country|company|nation|city|state|party|government|bank|firm|group|club|team)"
    r"['’]s[ \t]+)?(?!(?:his|her|its|their)\b)"
    # (a qualifier stays before the title, where the title checks read it: "the former interior minister")
    rf"(?:(?:{TITLE_QUALIFIERS})[ \t-]+)?"
    # (an ordinal stays in the title: "Donald Trump, the 45th president of the United States,")
    rf"(?P<title>(?:\d{{1,3}}(?:st|nd|rd|th)[ \t]+)?(?:[a-z]+[ \t]+){{0,2}}?(?:{_APPOS_OFFICES}))"
    r"(?=[ \t]*(?:,|\.|[ \t]of\b|$))", re.I)
NATIONALITY_RE = re.compile(r"([A-Z][a-z]+)[ \t]+$")
RANK_WORDS = {"general", "lieutenant", "colonel", "major", "brigadier", "admiral", "marshal", "captain",
              "commander"}
HONORIFICS = {"mr.": "m", "mr": "m", "ms.": "f", "ms": "f", "mrs.": "f", "mrs": "f", "miss": "f",
              "u": "m", "daw": "f", "sir": "m", "madam": "f"}
HONORIFIC_RE = re.compile(r"\b(Mr\.?|Ms\.?|Mrs\.?|Miss|Daw|U|Sir|Madam)[ \t]+$")
PRONOUNS = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f",
            "herself": "f"}
# nationality adjective -> its country (the world's: `demonyms.DEMONYMS`)
DEMONYMS = _WORLD_DEMONYMS
OFFICES = ("foreign minister", "defense minister", "defence minister", "prime minister", "minister",
           "ambassador", "envoy", "president", "spokesman", "spokeswoman", "spokesperson", "secretary",
           "deputy minister", "chancellor", "general", "premier", "military chief")
SPEECH_VERBS = {"say", "back", "tell", "call", "state", "urge", "reiterate", "support", "announce",
                "declare", "add", "stress", "emphasize", "insist", "claim", "endorse", "propose"}
LIGHT_VERBS = {"carry", "pay", "make", "conduct", "hold", "undertake"}
EVENT_NOUNS = {"visit": "visit", "trip": "visit", "tour": "visit", "meeting": "meet", "talk": "talk"}
NEG_GOVERNORS = {"refuse", "fail", "decline", "deny"}
# verbs that say the opposite of another of one object: a frame holds the other, negated
OPPOSITE_VERBS = {"deny": "confirm", "reject": "accept", "oppose": "support", "lose": "win",
                  "ban": "allow", "forbid": "allow", "prohibit": "allow", "acquit": "convict"}
# a verdict or a plea worded with "guilty" / "innocent": "found guilty" is "convicted", "found not
# guilty" / "found innocent" is "not convicted"; "pleaded not guilty" is "pleaded guilty" negated
_VERDICT_WORDS = {"guilty": False, "innocent": True}
WORD_NUMS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
             "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
VAGUE = {"several": (3, 9), "a few": (2, 5), "a handful of": (2, 6), "dozens of": (24, 99),
         "hundreds of": (200, 999), "thousands of": (2000, 999_999), "thousands": (2000, 999_999),
         "tens of thousands of": (20_000, 99_999), "millions of": (2_000_000, 999_999_999),
         "many": (3, float("inf")), "dozens": (24, 99), "hundreds": (200, 999)}
COUNT_WORDS = {"once": (1, 1), "twice": (2, 2), "thrice": (3, 3)}
HEDGES = {"higher than": (1.0, float("inf")), "greater than": (1.0, float("inf")),
          "above": (1.0, float("inf")), "lower than": (0.0, 1.0), "below": (0.0, 1.0),
          "at least": (1.0, float("inf")), "more than": (1.0, float("inf")), "over": (1.0, float("inf")),
          "no fewer than": (1.0, float("inf")), "nearly": (0.85, 1.0), "almost": (0.85, 1.0),
          "about": (0.85, 1.15), "around": (0.85, 1.15), "approximately": (0.85, 1.15),
          "some": (0.85, 1.15), "roughly": (0.85, 1.15), "up to": (0.0, 1.0), "fewer than": (0.0, 1.0),
          "less than": (0.0, 1.0), "under": (0.0, 1.0), "at most": (0.0, 1.0),
          "younger than": (0.0, 1.0), "older than": (1.0, float("inf"))}
SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
         "mln": 1e6, "mn": 1e6, "bln": 1e9, "bn": 1e9, "tn": 1e12, "trn": 1e12, "k": 1e3, "m": 1e6, "b": 1e9}
# a scale's abbreviation glued on ("$2bn", "1.5mln"); "m", "k" and "b" count only after a currency
# sign ("$5m" is money; "a 5m wall" is metres, and no quantity, as before)
CURRENCY_SIGNS = "$£€¥"
_CURRENCY = {"$": "dollar", "£": "pound", "€": "euro", "¥": "yen"}
# an earthquake's magnitude: "magnitude 6.8", "a 7.1-magnitude quake", "6.8 on the Richter scale"
_MAGNITUDE_BEFORE = re.compile(r"\bmagnitude(?:\s+of)?[\s-]+$", re.I)
_MAGNITUDE_AFTER = re.compile(r"[\s-]+magnitude\b|\s+on\s+the\s+richter\b", re.I)
# an age: "45-year-old", "45 years old", or set off by commas after a name or noun ("Smith, 45, said")
_AGE = re.compile(r"[- ]years?[- ]old\b", re.I)
_AGE_APPOSED = re.compile(r"(?<=[A-Za-z]), \d{1,3},\s")
# (words that end the phrase an age heads: "the 40-year-old law under which Smith ..." is no age of Smith's)
_NOT_BETWEEN = ("(?:which|who|whom|whose|that|under|of|in|at|on|for|with|by|from|to|and|or|but|the|a|an|said|says|"
                "told|is|was|were|are|has|had|have|when|after|before|as)")
# a person's age stated with the name: after it ("Novak, 52,", "Icy Ng, a 22-year-old student",
# "Price, aged 58,"), or before it ("32-year-old Fan Lung", "the 52-year-old former minister Pavel
# Novak", "The 63-year-old captain, Giorgos Petrou": lower-case words or a title between); a claim
# opening on "The 54-year-old" (a noun may follow) speaks of the one person the sentence before it
# names, or of the one it is about
_AGE_AFTER_NAME = re.compile(r",\s+(?:aged\s+|a\s+|an\s+)?(?P<age>\d{1,3})(?:(?=[,.;:)]|\s+(?:said|says|told|was|is|has|had|who)\b)|[- ]years?[- ]old\b)")
_AGE_BEFORE_NAME = re.compile(rf"\b(?P<age>\d{{1,3}})[- ]years?[- ]old\s+(?:(?:(?!{_NOT_BETWEEN}\b)[a-z][\w'-]*|"
                              rf"{TITLE_WORDS}),?\s+){{0,4}}$")
_AGE_OPENING = re.compile(r"\s*(?:The|the)\s+(?P<age>\d{1,3})[- ]years?[- ]old\b")
STOP = {"the", "of", "and", "for", "a", "an", "in", "on", "to"}

# a match score: "beat Chelsea 2-1", "a 3-0 win", "drew 1-1" (a sports verb or noun next to it;
# "40-50 people" is a range)
SCORE_RE = re.compile(r"(?<![\d.,/:-])(\d{1,2})\s*[-–]\s*(\d{1,2})(?![\d,/:%-]|\.\d)")
_SCORE_BEFORE = re.compile(r"\b(?:beat|beats|beating|defeated|defeats|defeat|won|wins|win|winning|lost|loses|lose|"
                           r"losing|drew|draws|draw|drawing|thrashed|edged|routed|trounced|crushed|downed|"
                           r"victory|loss|led|leads|leading|trailed|trailing|scoreline|score|result|ended|finished)"
                           r"\b[^.;\d]{0,40}$", re.I)
_SCORE_AFTER = re.compile(r"\s*(?:home\s+|away\s+)?(?:win|victory|defeat|loss|draw|scoreline|result|lead|"
                          r"thrashing|triumph)\b", re.I)
# a vote's tally: "passed the bill 52-48", "ruled 7-2", "a 218-212 vote", "by 52 votes to 48"
TALLY_RE = re.compile(r"(?<![\d.,/:-])(\d{1,3})\s*[-–]\s*(\d{1,3})(?![\d,/:%-]|\.\d)"
                      r"|\b(\d{1,3})\s+votes?\s+to\s+(\d{1,3})\b")
_TALLY_BEFORE = re.compile(r"\b(?:voted|votes?|voting|passed|approved|adopted|rejected|ruled|ruling|decision|"
                           r"confirmed|majority|margin|split|backed|endorsed|overturned|upheld|struck down|"
                           r"by a vote of|by a margin of)\b[^.;\d]{0,40}$", re.I)
_TALLY_AFTER = re.compile(r"\s*(?:vote|votes|decision|ruling|majority|margin|split|verdict)\b", re.I)
_DURATION_AFTER = re.compile(r"\s+(?:years?|months?|weeks?|days?|hours?|decades?|centuries|century)\b", re.I)
STRICTLY_BELOW = ("less than", "under", "fewer than", "below", "lower than", "younger than")
NUM_RE = re.compile(
    r"(?P<hedge>\b(?:higher than|greater than|lower than|younger than|older than|above|below|at least|more than|no fewer than|fewer than|less than|nearly|almost|about|around|"
    r"approximately|roughly|some|up to|over|under|at most)\s+)?"
    r"(?P<num>\b\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\b|(?=_GLUED))|\b\d+(?:\.\d+)?(?:\b|(?=_GLUED))|"
    rf"\b(?:{_TENS})[- ](?:{_UNITS})\b|"        # "thirty-seven", "twenty one"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    rf"sixteen|seventeen|eighteen|nineteen|{_TENS}|hundred)\b)"
    r"(?P<scale>(?:\s+|-)(?:hundred|thousand|million|billion|trillion|mln|bln|bn|mn|tn|trn)\b|_GLUED)?"
    r"(?P<times>\s+times\b)?".replace("_GLUED", r"(?:mln|bln|bn|mn|tn|trn|[mkb])\b"), re.I)
VAGUE_RE = re.compile(r"\b(tens of thousands of|thousands of|hundreds of|dozens of|millions of|a handful of|"
                      r"a few|several|thousands|hundreds|dozens)\b", re.I)
COUNT_RE = re.compile(r"\b(once|twice|thrice|several times|many times|a few times)\b", re.I)
WINDOW_RE = re.compile(r"\b(since|in the past|over the past|in the last)\s+([\w ,'’-]{2,30}?)(?=[,.;]|$|\s+(?:and|but|most)\b)", re.I)
_ORDINALS = {w: i for i, w in enumerate(["first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                          "eighth", "ninth", "tenth"], start=1)}
_ORD = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"


def _ordinal(word: str) -> int:
    """The number an ordinal `_ORD` matches names: "third" 3, "21st" 21."""
    word = word.lower()
    return _ORDINALS.get(word) or int(word[:-2])
# a change in a rate, in percentage points: "25 basis points" (0.25), "half a percentage point"
PERCENTAGE_POINT = "percentage point"
_POINTS_AFTER = re.compile(r"[\s-]+(basis[\s-]+points?|bps?|percentage[\s-]+points?|pct[\s-]+points?)\b", re.I)
_POINT_FRACTIONS = {"half": 0.5, "a half": 0.5, "quarter": 0.25, "a quarter": 0.25, "three quarters": 0.75}
_POINT_WORDS = re.compile(r"\b(?P<part>a half|half|a quarter|quarter|three[ -]quarters)(?:\s+of)?(?:\s+an?)?"
                          r"[\s-]+(?:percentage[\s-]+)?point\b", re.I)
# the place of an event in a run of its kind: "its eighth consecutive increase", "the third
# straight quarterly loss", "the fifth increase in a row" (and the calque "the eighth increase
# consecutive"): a count of such events, compared as "count" quantities over their window
_RUN_NOT_NOUN = r"(?!(?:since|in|of|for|at|on|to|this|that|and|or|over|after|with|from|by|as|the|a|an)\b)"
SERIES_RE = re.compile(rf"\b(?P<ord>{_ORD})\s+(?:(?:consecutive|straight|successive|back-to-back)\s+"
                       rf"(?:{_RUN_NOT_NOUN}[a-z]+\s+)?{_RUN_NOT_NOUN}(?P<noun>[a-z]+)"
                       rf"|(?P<noun2>[a-z]+)\s+(?:in\s+a\s+row|consecutive|straight|successive)\b)", re.I)
# one run, however its events are named: "fifth straight win", "fourth consecutive victory"
_RUN_NOUNS = {"victory": "win", "victories": "win", "wins": "win", "defeat": "loss", "defeats": "loss",
              "losses": "loss", "hike": "increase", "hikes": "increase", "increases": "increase",
              "rise": "increase", "rises": "increase", "reduction": "cut", "reductions": "cut", "cuts": "cut"}
# the place of a person among those who did one thing: "the third minister to leave Fiala's
# cabinet this year", "the second member of the cabinet to resign", "the first woman to lead the
# city": a count of those who did it (the verb's lemma as its unit; leaving an office one act)
NTH_TO_RE = re.compile(rf"\bthe\s+(?P<ord>{_ORD})\s+(?:[\w'’-]+\s+){{1,4}}?to\s+(?P<verb>[a-z]+)(?:\s+down)?\b", re.I)
_LEAVING = {"leave": "leave", "resign": "leave", "quit": "leave", "step down": "leave", "depart": "leave",
            "exit": "leave"}
# a finishing position: "came third", "finished second", "took second place", "in third place",
# "second-placed" ("was first elected" is no place: "was"/"is" need "place")
PLACE_RE = re.compile(rf"\b(?:(?:came|come|comes|coming|finished|finishes|finishing|finish|placed|ended|ranked)"
                      rf"\s+(?:in\s+)?(?P<a>{_ORD})(?:\s+place)?|(?:took|takes|taking|won|wins|in)\s+(?P<b>{_ORD})"
                      rf"\s+place|(?P<c>{_ORD})[- ]placed)\b", re.I)
_PERCENT_AFTER = re.compile(r"\s*(?:%|per\s*cent\b|pct\b|percent\b)", re.I)
# a percentage a comparative follows ("25% heavier than", "32 percent more"): a difference
_PERCENT_COMPARED = re.compile(r"\s*(?:%|per\s*cent\b|pct\b|percent\b)\s+([A-Za-z]+)\b", re.I)
RANK_RE = re.compile(r"\b(?P<hedge>one of (?:the|its|their|\w+['’]s)\s+|among (?:the|its)\s+)?"
                     r"(?P<rank>top|biggest|largest|main|leading|greatest|second[- ]largest|"
                     r"second[- ]biggest|third[- ]largest)\s+(?:[\w-]+\s+){0,2}?"
                     r"(?P<noun>suppliers?|exporters?|producers?|partners?|allies|ally|sellers?|buyers?|"
                     r"importers?|sources?|investors?|donors?)\b", re.I)
# a rank a superlative gives: "the country's second-largest bank", "the third-biggest city in
# Europe", "Sweden's largest lender by assets" (not hedged: "one of the largest"; not of a time:
# "the largest protest since 1989", "its biggest ever")
SUPERLATIVE_RE = re.compile(
    rf"(?P<hedge>\b(?i:one\s+of|among)\s+)?(?P<det>\b(?i:the|its|their|his|her)|(?P<owner>\b(?:(?i:the)\s+)?"
    rf"(?:[A-Z][\w.’'-]*(?:\s+(?:of\s+)?[A-Z][\w.’'-]*){{0,2}}|(?i:country|world|nation|city|state|region|continent|island|"
    rf"company|group|firm)))['’]s)\s+(?:(?P<ord>(?i:{_ORD}))[- ])?"
    rf"(?P<adj>(?i:largest|biggest|smallest|highest|lowest|richest|poorest|oldest|youngest|busiest|tallest|"
    rf"longest|deadliest|strongest|best[- ]selling|most\s+(?:populous|populated|visited|popular|valuable|"
    rf"profitable|powerful|widely\s+used)))\b(?![-‑])")
_RANK_PLACES = {"world", "country", "nation", "region", "continent", "city", "state", "island",
                "company", "group", "firm"}
_SUPERLATIVE_SAME = {"biggest": "largest", "most populated": "most populous", "best selling": "best-selling"}
# where the rank holds, after its noun ("in the world", "in Europe", "on the continent"), and what
# it is measured by ("by assets", "by revenue")
_RANK_SCOPE = re.compile(r"\s+(?:in|on|of)\s+(?:the\s+)?(?P<where>world|country|nation|region|continent|city|state|"
                         r"island|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})\b(?![’'])")
_RANK_BY = re.compile(r"(?:\s*,)?\s+by\s+(?P<by>(?:market\s+)?[a-z]+)\b")
# a rank of a time, not a standing one: "the largest protest since 1989", "the biggest ever",
# "the deadliest in decades", "the highest on record"
_RANK_OF_TIME = re.compile(r"[\s,]*(?:-?ever\b|since\b|on\s+record\b|in\s+(?:(?:the\s+)?[\w.’'-]+['’]s?\s+history|history|decades|years|a\s+decade|"
                           r"a\s+generation|\d+\s+years|living\s+memory)\b|so\s+far\b|to\s+date\b|this\s+|last\s+|"
                           r"of\s+(?:the|all)\s+(?:year|time|season|century|decade)\b|for\s+(?:a|\d+)\b)", re.I)
# an event numbered by the times it happened: "raised rates for the fifth time this year", "won
# the title for the first time", "It was the third time the two leaders had met"
NTH_TIME_RE = re.compile(rf"\b(?P<for>for\s+)?the\s+(?P<ord>{_ORD})\s+time\b(?!\s+(?:limit|frame|zone|slot)s?\b)", re.I)
# what the count holds within: right after "time" ("for the first time in a decade", "since 2015",
# "this year"), or ending the clause after it ("the third time Nordvik has cut jobs since 2024")
_WINDOW_END = r"[^,.;:]{1,30}?(?=\s*[,.;:]|\s*$|\s+(?:and|but|after|when|as|on|with|to)\b)"
_NTH_TIME_WINDOW = re.compile(rf"\s+((?:in|since|this|that|over|during|within|last)\s+{_WINDOW_END})", re.I)
_CLAUSE_WINDOW = re.compile(rf"\s((?:since|this|over|during|within|in\s+the\s+(?:past|last))\s+{_WINDOW_END})", re.I)
_NOT_BEFORE = re.compile(r"\b(?:not|n['’]t)\s+$", re.I)
# verbs of a visit (one act for the checks: "visited Moscow" / "arrived in Moscow")
VISIT_VERBS = {"visit", "travel", "fly", "go", "arrive", "tour"}
# the verbs whose numbered times are visits or meetings (markers, as "his third visit")
_VISIT_VERBS = {**{v: "visit" for v in VISIT_VERBS}, "meet": "meet"}
PLAN_RE = re.compile(r"\b(?P<num>\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ]point\s+"
                     r"(?P<noun>[A-Za-z]+)", re.I)
ACR_RE = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
FIRST_RE = re.compile(r"\b(?:first|maiden|inaugural)\s+(?P<ev>visit|trip|tour|meeting)\b", re.I)
PREV_RE = re.compile(r"\b(?P<cue>previously|earlier|already|once before|again|last)\s+(?P<ev>visited|"
                     r"travell?ed|went|met|toured|been)\b", re.I)
# "had visited Myanmar twice before", "has been to Russia several times", "met him before."
PREV_AFTER_RE = re.compile(r"\b(?P<ev>visited|travell?ed to|been to|toured|met)\s+(?:[\w'’.-]+\s+){0,4}?"
                           r"(?P<cue>before(?=\s*(?:[.,;:!?)]|$))|previously|twice|(?:three|four|five|six|"
                           r"several|many|multiple|numerous) times)", re.I)
_FIRST_SINCE = re.compile(r"[^.;]{0,60}?\bsince\b", re.I)
# "his second visit", "the third official trip": an event numbered after a first
NTH_RE = re.compile(r"\b(?P<nth>second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th)\s+"
                    r"(?:(?:official|state|working|foreign|overseas|such)\s+)?(?P<ev>visit|trip|tour|meeting)\b", re.I)
_NTH = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6}
# a claim that calls what is told untrue: "a viral hoax", "fake news", "the report is false", "not
# real", "debunked", "denied the reports" (marker kind "debunk"); not a fake thing ("fake passports")
_REPORT_NOUNS = (r"(?:news|reports?|story|stories|claims?|rumou?rs?|allegations?|accusations?|images?|photos?|"
                 r"pictures?|videos?|footage|quotes?|account|article|post|tweet|website|site)")
_CLAIM_NOUNS = r"(?:reports?|claims?|rumou?rs?|allegations?|accusations?|assertions?|stories)"
DEBUNK_RE = re.compile(
    r"\b(?:hoax(?:es)?|not (?:real|true|genuine|authentic)|untrue|debunk(?:ed|s|ing)?"
    r"|(?:is|are|was|were|be|been|probably|likely|apparently|turned out to be)\s+(?:a\s+)?"
    r"(?:fake|false|fabricated|bogus|made up(?! of)|doctored|photoshopped)\b"
    r"|as fake as|(?:categorically|completely|entirely|totally|patently|demonstrably|utterly)\s+(?:false|untrue|fake)"
    rf"|(?:fake|false|fabricated|bogus|doctored|photoshopped|satirical)[- ]{_REPORT_NOUNS}"
    rf"|(?:unfounded|baseless|groundless)\s+(?:\S+\s+){{0,2}}?{_CLAIM_NOUNS}"
    rf"|(?:den(?:y|ies|ied|ying)|dismiss(?:es|ed|ing)?|rebuff(?:s|ed|ing)?|reject(?:s|ed|ing)?|shoots? down|shot down)"
    rf"\s+(?:\S+\s+){{0,3}}?{_CLAIM_NOUNS}"
    rf"|{_CLAIM_NOUNS}\s+(?:\S+\s+){{0,5}}?(?:put to rest|greatly exaggerated))\b", re.I)
_NOT_BEFORE = re.compile(r"(?:\b(?:not|never|no)|n't)\s+(?:\w+\s+){0,2}$", re.I)
# one more of a kind: "a fourth man was arrested", "a second body was found", "for a third day"
# (marker kind "another": the claim tells one of several such events, not the first one told);
# not a fraction ("a third of the officers", "a third less likely") nor a compound ("a sixth-grader")
ANOTHER_RE = re.compile(rf"\ban?\s+(?P<nth>(?!first\b){_ORD})\b"
                        r"(?![-‐]|\s+(?:of|less|more|fewer|as|larger|smaller)\b)", re.I)
YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# a time of day: "9 a.m.", "9:30 pm", "14:30" (minutes since midnight), with its zone when one follows
TIME_RE = re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
                     r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b(?!:\d)", re.I)
_TIME_ZONE = re.compile(r"\s*\(?\s*(GMT|UTC|[ECMP][SD]T|IST|CET|CEST|BST|JST|WIB|ICT|MMT|SGT|HKT|AEST|AEDT)\b")
_TIME_NEAR = re.compile(r"\b(?:about|around|approximately|roughly|shortly after|just after|shortly before|"
                        r"just before|nearly|almost)\s+$", re.I)
_TIME_AFTER = re.compile(r"\b(?:after|since|from)\s+$", re.I)
_TIME_BEFORE = re.compile(r"\b(?:before|until|till|by)\s+$", re.I)


# a window of time counted from a seizure of power, however worded: "since the coup", "since
# taking power", "since the military takeover" are one window
_POWER_WINDOW = re.compile(r"^since (?:the |its |his |their )?(?:military )?(?:coup(?: d'etat)?|takeover|putsch|"
                           r"(?:taking|seizing|it took|he took|they took|it seized|he seized|they seized) power)$")


def _window(s: str) -> str:
    """A count's window of time as compared: its words, one for the wordings of one window."""
    w = _norm(s)
    return "since taking power" if _POWER_WINDOW.match(w) else w


@functools.lru_cache(maxsize=1 << 17)   # pure; the corpus merge calls it ~10x per distinct name
def _norm(s: str) -> str:
    return _P(s.replace("’", "'"))


def _slug(s: str) -> str:
    return "e:" + re.sub(r"[^a-z0-9]+", "-", _norm(s)).strip("-")


# ---------------------------------------------------------------- dates


def parse_published(published: str | None) -> tuple[int | None, int | None, int | None]:
    """'2022-08-03' → (2022, 8, 3); '2022-08' → (2022, 8, None); None → (None, None, None)."""
    if not published:
        return None, None, None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", published)
    if not m:
        return None, None, None
    return tuple(int(x) if x else None for x in m.groups())  # type: ignore[return-value]


def _month_range(y: int, m: int, part: str | None = None) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(y, m)[1]
    lo, hi = 1, last
    if part == "early":
        hi = 10
    elif part in ("mid", "middle"):
        lo, hi = 11, 20
    elif part == "late":
        lo = 21
    return dt.date(y, m, lo), dt.date(y, m, hi)


DATE_RE = re.compile(
    rf"(?P<mdr>\b{MONTH_RE}\s+\d{{1,2}}\s*[-–]\s*\d{{1,2}}(?:,?\s+\d{{4}})?)"
    rf"|(?P<dm>\b\d{{1,2}}\s+{MONTH_RE},?\s+\d{{4}})"
    rf"|(?P<md>\b(?:(?:early|mid|late)[- ])?{MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:\s*,?\s+\d{{4}})?)"
    rf"|(?P<mof>\b{MONTH_RE}\s+of\s+(?:last|next|this)\s+year)"
    rf"|(?P<my>\b(?:(?:early|mid|late)[- ])?{MONTH_RE}(?:\s+(?:of\s+)?\d{{4}})?\b)"
    rf"|(?P<rel>\b(?:last|next|this)\s+(?:week|month|year)\b|\byesterday\b|\btoday\b|\btomorrow\b"
    rf"|\b(?:\d+|one|two|three|four|five|six)\s+(?:days?|weeks?|months?|years?)\s+ago\b)"
    rf"|(?P<wd>\b{WEEKDAY_RE}(?:\s+(?:morning|afternoon|evening|night))?\b)"
    rf"|(?P<yr>\b(?:in|since|until|by|from|of|before|after)\s+(?:19[5-9]\d|20[0-4]\d)\b)", re.I)


def resolve_date(phrase: str, published: str | None, source: str = "unknown", ahead: bool = False) -> DateFact:
    """Resolve one date phrase against the publication date ('YYYY[-MM[-DD]]' or None). `ahead`:
    the text looks ahead to it ("will meet ... on Wednesday", "will take office on November 1"), so
    a weekday, or a month without its year, is the next one, not the last."""
    by, bm, bd = parse_published(published)
    p = phrase.strip()
    pl = p.lower().replace(".", "")
    rel = f"relative to {published} ({source})"

    def fact(lo: dt.date | None, hi: dt.date | None, y=None, m=None, d=None, basis="absolute") -> DateFact:
        return DateFact(p, 0, 0, lo.isoformat() if lo else None, hi.isoformat() if hi else None,
                        y, m, d, basis, lo is not None or (basis == "absolute" and (m is not None)))

    def unresolved(why: str, m=None, d=None) -> DateFact:
        return DateFact(p, 0, 0, None, None, None, m, d, f"unresolved: {why}", False)

    part = None
    pm = re.match(r"(early|mid|middle|late)[- ]", pl)
    if pm:
        part, pl = pm.group(1), pl[pm.end():]
    pl = re.sub(r"^([a-z]+)\s+of\s+(\d{4})$", r"\1 \2", pl)     # "March of 2022" is March 2022
    # "in 2013", "since 2013"
    ym = re.fullmatch(r"(?:in|since|until|by|from|of|before|after)\s+(\d{4})", pl)
    if ym:
        y = int(ym.group(1))
        if pl.startswith("since"):
            return fact(dt.date(y, 1, 1), None, y)
        # a bound is no year of its own: "before 1998" ends in 1997, "after 1998" starts in 1999
        if pl.startswith("before"):
            return DateFact(p, 0, 0, None, dt.date(y - 1, 12, 31).isoformat(), None, None, None, "absolute", True)
        if pl.startswith("after"):
            return DateFact(p, 0, 0, dt.date(y + 1, 1, 1).isoformat(), None, None, None, None, "absolute", True)
        return fact(dt.date(y, 1, 1), dt.date(y, 12, 31), y)
    # month with "of last/next/this year"
    mo = re.fullmatch(r"([a-z]+)\s+of\s+(last|next|this)\s+year", pl)
    if mo and mo.group(1) in MONTHS:
        m = MONTHS[mo.group(1)]
        if by is None:
            return unresolved("article date unknown", m)
        y = by + {"last": -1, "next": 1, "this": 0}[mo.group(2)]
        lo, hi = _month_range(y, m)
        return fact(lo, hi, y, m, basis=rel)
    # "Jun 13-19" (year optional)
    mr = re.fullmatch(r"([a-z]+)\s+(\d{1,2})\s*[-–]\s*(\d{1,2})(?:,?\s+(\d{4}))?", pl)
    if mr and mr.group(1) in MONTHS:
        m, d1, d2 = MONTHS[mr.group(1)], int(mr.group(2)), int(mr.group(3))
        y = int(mr.group(4)) if mr.group(4) else _infer_year(m, d1, by, bm, bd, ahead)
        if y is None:
            return unresolved("year unknown", m)
        return fact(dt.date(y, m, d1), dt.date(y, m, d2), y, m, None,
                    "absolute" if mr.group(4) else rel)
    # "13 June 2021"
    dm = re.fullmatch(r"(\d{1,2})\s+([a-z]+),?\s+(\d{4})", pl)
    if dm and dm.group(2) in MONTHS:
        y, m, d = int(dm.group(3)), MONTHS[dm.group(2)], int(dm.group(1))
        day = dt.date(y, m, d)
        return fact(day, day, y, m, d)
    # "February 1", "Feb 1, 2021"
    md = re.fullmatch(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*,?\s+(\d{4}))?", pl)
    if md and md.group(1) in MONTHS:
        m, d = MONTHS[md.group(1)], int(md.group(2))
        if md.group(3):
            y = int(md.group(3))
            return fact(dt.date(y, m, d), dt.date(y, m, d), y, m, d)
        y = _infer_year(m, d, by, bm, bd, ahead)
        if y is None:
            return unresolved("year unknown", m, d)
        return fact(dt.date(y, m, d), dt.date(y, m, d), y, m, d, rel)
    # "July", "August 2023", "late July"
    my = re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", pl)
    if my and my.group(1) in MONTHS:
        m = MONTHS[my.group(1)]
        if my.group(2):
            y = int(my.group(2))
            lo, hi = _month_range(y, m, part)
            return fact(lo, hi, y, m)
        y = _infer_year(m, None, by, bm, bd, ahead)
        if y is None:
            return unresolved("year unknown", m)
        lo, hi = _month_range(y, m, part)
        return fact(lo, hi, y, m, basis=rel)
    # relative phrases need a base day (or month / year for coarse ones)
    rm = re.fullmatch(r"(last|next|this)\s+(week|month|year)", pl)
    if rm:
        step = {"last": -1, "next": 1, "this": 0}[rm.group(1)]
        if rm.group(2) == "year":
            if by is None:
                return unresolved("article date unknown")
            y = by + step
            return fact(dt.date(y, 1, 1), dt.date(y, 12, 31), y, basis=rel)
        if rm.group(2) == "month":
            if by is None or bm is None:
                return unresolved("article date unknown")
            y, m = divmod(by * 12 + (bm - 1) + step, 12)
            lo, hi = _month_range(y, m + 1)
            return fact(lo, hi, y, m + 1, basis=rel)
        if by is None or bm is None or bd is None:
            return unresolved("article day unknown")
        base = dt.date(by, bm, bd)
        monday = base - dt.timedelta(days=base.weekday()) + dt.timedelta(weeks=step)
        return fact(monday, monday + dt.timedelta(days=6), basis=rel)
    wd = re.fullmatch(r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+\w+)?", pl)
    if wd:
        if by is None or bm is None:
            return unresolved("article date unknown")
        if bd is None:  # only the month is known: some day of it (or the last days of the month before)
            lo, hi = _month_range(by, bm)
            return fact(lo - dt.timedelta(days=6), hi, basis=rel + ", day unknown")
        base = dt.date(by, bm, bd)
        # a weekday named in an article of that weekday is that day, not a week back (or on)
        if ahead:
            day = base + dt.timedelta(days=(WEEKDAYS[wd.group(1)] - base.weekday()) % 7)
            return fact(day, day, day.year, day.month, day.day, rel + ", ahead")
        back = (base.weekday() - WEEKDAYS[wd.group(1)]) % 7
        day = base - dt.timedelta(days=back)
        return fact(day, day, day.year, day.month, day.day, rel)
    if by is None or bm is None or bd is None:
        return unresolved("article day unknown")
    return _dateparser_fact(p, dt.date(by, bm, bd), rel)


def _dateparser_fact(phrase: str, base: dt.date, basis: str) -> DateFact:
    """Simple relative phrases ('three days ago', 'yesterday') through dateparser."""
    import dateparser

    got = dateparser.parse(phrase, settings={
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day, 12),
        "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"})
    if got is None:
        return DateFact(phrase, 0, 0, None, None, basis="unresolved: not a date", resolved=False)
    d = got.date()
    return DateFact(phrase, 0, 0, d.isoformat(), d.isoformat(), d.year, d.month, d.day, basis, True)


def _infer_year(m: int, d: int | None, by, bm, bd, ahead: bool = False) -> int | None:
    """A month without a year is the most recent such month on or before publication. One the text
    looks ahead to (`ahead`) is that or the first on or after publication, whichever is nearer to
    it: "will take office on November 1", published in mid-September, is this year's, and "will
    take office on January 5", published in December, next year's; "said he would visit on March
    3", published March 10, stays a week before (the look-ahead words are a wide net)."""
    if by is None:
        return None
    if bm is None:
        return by
    if ahead:
        back = _infer_year(m, d, by, bm, bd)
        fwd = by if m > bm or (m == bm and (d is None or bd is None or d >= bd)) else by + 1
        pub = dt.date(by, bm, min(bd or 15, 28))
        gap = {y: abs((dt.date(y, m, min(d or 15, 28)) - pub).days) for y in (back, fwd)}
        return fwd if gap[fwd] <= gap[back] else back
    if m < bm or (m == bm and (d is None or bd is None or d <= bd)):
        return by
    if m == bm:
        return by
    return by - 1


# ---------------------------------------------------------------- entities


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@functools.lru_cache(maxsize=1 << 17)   # pure; the corpus merge calls it ~10x per distinct name
def _clean_name(text: str) -> str:
    t = re.sub(r"['’]s?$", "", text.strip())
    t = re.sub(r"^(?:the|The)\s+", "", t)
    t = re.sub(r"^[“\"']+|[”\"']+$", "", t)
    return t.strip()


def _same_name(a: str, b: str, person: bool = True) -> bool:
    """Spelling variants, shortened forms and misspellings of one name.

    Shortened forms ("Lavrov", "Min Aung") only count for people: "United Nations" is not
    "United Nations General Assembly"."""
    ta, tb = _norm(a).split(), _norm(b).split()
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(short) < len(long_):
        if not person and len(short) < 2:
            return False
        # "Lavrov" ⊂ "Sergey Lavrov", "Aung Hlaing" ⊂ "Min Aung Hlaing"
        if long_[-len(short):] == short and len(short[-1]) > 3:
            return True
        if not person:
            return False
        if len(short) >= 2 and long_[:len(short)] == short:
            return True
        # "Shoygu" ~ "Sergei Shoigu"
        if len(short) == 1 and len(short[0]) >= 6 and fuzz.ratio(short[0], long_[-1]) >= 80:
            return True
        # "Min Aunging" ~ "Min Aung Hlaing": same first token, joined forms close
        if len(short) >= 2 and short[0] == long_[0] and fuzz.ratio("".join(short), "".join(long_)) >= 85:
            return True
        return False
    return all(x == y or (min(len(x), len(y)) >= 6 or len(ta) > 1 and min(len(x), len(y)) >= 4)
               and fuzz.ratio(x, y) >= 80 for x, y in zip(ta, tb))


def _acronym_of(expansion: str, acronym: str) -> bool:
    """Whether the capitalised words' initials spell the acronym, in order from its first letter:
    one letter of an acronym of four or more may be missing ("Association of Southeast Asia
    Nations", ASEAN), none of a shorter one ("Southeast Asia" is not SAC)."""
    initials = "".join(w[0] for w in expansion.split() if w[:1].isupper())
    it = iter(acronym.upper())
    return bool(initials) and initials[0] == acronym[0].upper() and all(ch in it for ch in initials) \
        and len(initials) >= max(2, len(acronym) - (len(acronym) >= 4))


def find_acronym_defs(text: str) -> list[AcronymDef]:
    """'Long Name (ACR)' definitions in a text, the long name being the capitalised words before."""
    out = []
    for m in ACR_RE.finditer(text):
        acr = m.group(1)
        if not acr.isupper():
            continue
        base = max(0, m.start() - 120)
        words = list(re.finditer(r"[A-Za-z][\w-]*", text[base:m.start()]))
        picked: list[re.Match] = []
        for w in reversed(words):
            tok = w.group(0)
            if tok.lower() in STOP and picked:
                continue
            if not tok[0].isupper():
                break
            cap = "".join(x.group(0)[0] for x in [w] + picked)
            it = iter(acr)
            if not all(ch in it for ch in cap):
                break
            picked = [w] + picked
            if len(cap) >= len(acr):
                break
        if picked and _acronym_of(" ".join(x.group(0) for x in picked), acr):
            s = base + picked[0].start()
            exp = text[s:m.start()].strip().rstrip("“\"")
            out.append(AcronymDef(acr, exp, s, m.end()))
    return out


@dataclass
class _Raw:
    text: str
    start: int
    end: int
    label: str


# news agencies' acronyms: a wire credit names who sent the story, not anything in it
WIRE_AGENCIES = frozenset("AP AFP EFE DPA ANSA TASS RIA PTI ANI IANS UNI UPI AAP KCNA IRNA VNA PNA BSS APP NNA "
                          "KUNA QNA WAM SPA MENA CNA ONA BNA".split())
# an outlet's credit: a byline of initials ("TBS Report", "ABC News Desk") or a dateline's
# parenthesised source ("Bangkok, Jul 7 (EFE).-")
_BYLINE = re.compile(r"^[ \t]*([A-Z]{2,6})[ \t]+(?:Report|Desk|News Desk|Staff|Online|Correspondent|Bureau)[ \t]*$",
                     re.M)
_DATELINE_CREDIT = re.compile(r"\(([A-Z]{2,6})\)[ \t]*\.?[ \t]*[-–—]")


def _credit_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the initials that credit an outlet (`_BYLINE`, `_DATELINE_CREDIT`)."""
    return [m.span(1) for rx in (_BYLINE, _DATELINE_CREDIT) for m in rx.finditer(text)]


# what is "of" a place ("the mayor of X", "the people of X", "the outskirts of X"): a name after it
# that the tagger calls a person is a place
_PLACE_OF = re.compile(r"\b(?:mayor|mayors|governor|governors|city|town|village|people|residents|citizens|"
                       r"capital|outskirts|suburbs?|cent(?:re|er)|streets|province|region|county|district|"
                       r"port|municipality|borough)\s+of\s+$", re.I)


# the last word of a company's name ("Halvorsen Foods", "Nordvik Motors", "Rahman Apparels Ltd")
_COMPANY_WORD = re.compile(r"\s(?:Foods|Dairy|Motors|Group|Holdings|Industries|Airlines|Airways|Bank|Corp|Corporation|"
                           r"Inc|Ltd|Limited|LLC|PLC|Plc|Company|Energy|Pharmaceuticals|Pharma|Systems|"
                           r"Technologies|Telecom|Capital|Partners|Insurance|Apparels?|Textiles|Mills|Steel|"
                           r"Petroleum|Logistics|Brewery|Breweries|Electronics|Chemicals|Media)\.?$")


# verbs of a contest between two sides, the winner their subject ("Biden defeated Trump")
CONTEST_VERBS = frozenset({"beat", "defeat", "win", "edge", "rout", "thrash", "trounce", "crush", "down",
                           "overcome", "oust", "unseat", "outpoll"})
# ... and those of one side's result ("Berg lost the runoff", "Berg conceded", "lost to Biden")
_RESULT_VERBS = CONTEST_VERBS | {"lose", "concede"}


def _contest_sides(doc, text: str, taken: Sequence[_Raw]) -> list[_Raw]:
    """The sides of a contest the tagger missed: a proper noun (with the proper nouns compounded
    before it) as the subject or object of a contest verb, or after its "to" or "by" ("Lindqvist
    won the runoff", "Porto beat Benfica 2-1", "lost to Berg"): a person, for want of better."""
    out: list[_Raw] = []
    for tok in doc:
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in ("DATE", "TIME", "GPE", "LOC"):
            continue
        verb = tok.head
        if tok.dep_ == "pobj" and verb.lower_ in ("to", "by"):
            verb = verb.head
        elif tok.dep_ not in ("nsubj", "nsubjpass", "dobj", "npadvmod"):
            continue
        if verb.pos_ != "VERB" or verb.lemma_.lower() not in _RESULT_VERBS:
            continue
        first = tok
        while first.i > 0 and doc[first.i - 1].dep_ == "compound" and doc[first.i - 1].pos_ == "PROPN" \
                and doc[first.i - 1].head is tok:
            first = doc[first.i - 1]
        s, t = first.idx, tok.idx + len(tok.text)
        name = text[s:t]
        if name.lower() in WEEKDAYS or name.lower() in MONTHS or "\n" in name or \
                any(r.start < t and s < r.end for r in (*taken, *out)):
            continue
        out.append(_Raw(name, s, t, "PERSON"))
    return out


def _raw_mentions(doc, text: str) -> list[_Raw]:
    """NER mentions, extended over trailing capitalised name parts, minus leading titles."""
    out = []
    for e in doc.ents:
        if e.label_ not in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"):
            continue
        s, t = e.start_char, e.end_char
        pm = re.search(r"['’]s?$", text[s:t])
        if pm:
            t = s + pm.start()
        # "Min Aung" + "Hlaing": spaCy sometimes cuts names
        while True:
            m = re.match(r"[ \t]+([A-Z][a-z]+)\b", text[t:])
            if m and e.label_ in ("PERSON", "ORG") and not pm and m.group(1).lower() not in WEEKDAYS \
                    and m.group(1).lower() not in WORD_NUMS and not text[t + m.end():t + m.end() + 1] == "-" \
                    and m.group(1).lower() not in MONTHS and "\n" not in text[s:t + m.end()]:
                t += m.end()
            else:
                break
        if (sc := re.search(r"\s+\d{1,3}\s*[-–]\s*\d{1,3}$", text[s:t])) is not None:
            t = s + sc.start()     # a score the tagger took into the name: "Manchester United 2-1"
        surface = text[s:t]
        if "\n" in surface or re.match(rf"{MONTH_RE}\s+\d", surface):
            continue   # a line break inside, or a date the tagger took for a name ("Jul 4 (Agency")
        tm = re.match(rf"(?:(?:{TITLE_WORDS}|Mr\.|Ms\.|Mrs\.)\s+)+", surface)
        if tm and tm.end() < len(surface):
            s += tm.end()
        if re.match(r"(?:the|The)\s+", text[s:t]):
            s += re.match(r"(?:the|The)\s+", text[s:t]).end()
        while t > s and text[t - 1] in "'’s" and re.search(r"['’]s?$", text[s:t]):
            t = s + len(re.sub(r"['’]s?$", "", text[s:t]))
            break
        if re.fullmatch(rf"(?:(?:{TITLE_WORDS}|Ministry)\s*)+", text[s:t]):
            continue
        if text[s:t].strip("“\"'") and re.search(r"[A-Za-z]", text[s:t]):
            lead = len(text[s:t]) - len(text[s:t].lstrip("“\"'"))
            label = e.label_
            if label == "PERSON" and _PLACE_OF.search(text, max(0, s - 40), s):
                label = "GPE"     # "the former mayor of Manchester": the tagger's person is a place
            elif label == "PERSON" and _COMPANY_WORD.search(text, s, t):
                label = "ORG"     # "Halvorsen Foods", "Baltic Dairy": a company, whatever the tagger says
            out.append(_Raw(text[s + lead:t], s + lead, t, label))
    out += _contest_sides(doc, text, out)
    for m in re.finditer(r"\b[A-Z]{2,6}\b", text):  # acronyms NER misses
        if not any(r.start <= m.start() < r.end for r in out):
            out.append(_Raw(m.group(0), m.start(), m.end(), "ORG"))
    # names after a title or honorific that NER missed: "Mr. Lavrov", "Senior General X"
    for m in re.finditer(rf"\b(?:(?:{TITLE_WORDS})\s+|(?:Mr|Ms|Mrs)\.\s+)+((?:[A-Z][a-z]+\s?){{1,3}})", text):
        s = m.start(1)
        t = s + len(m.group(1).rstrip())
        if not any(r.start <= s < r.end for r in out) and m.group(1).strip().lower() not in WEEKDAYS:
            out.append(_Raw(text[s:t], s, t, "PERSON"))
    # an outlet's credit names who sent the story, not anything in it
    credits = _credit_spans(text)
    return [r for r in out if r.text not in WIRE_AGENCIES and not any(a <= r.start < b for a, b in credits)]


def _canonicalise(uses: Mapping[tuple[str, str], int], defined: Mapping[tuple[str, str], int]):
    """Group surface names across the corpus; returns key → (entity id, display name, person?).

    `uses`: (text, label) → how often the corpus names it, in order of first use (which decides
    the display spelling below); a corpus repeats its names, so each distinct pair is looked at once.
    `defined`: the acronym definitions the same way, (acronym, expansion) → how many there are, in
    order of first appearance: a corpus repeats the same few in every article that spells them out,
    and a repeat adds only its count (a union already made, a display spelling already set)."""
    uf = _UnionFind()
    labels: dict[str, Counter] = defaultdict(Counter)
    freq: Counter = Counter()
    empty: Counter = Counter()
    for (text, label), n in uses.items():
        k = _norm(_clean_name(text))
        if not k:
            continue
        if text.isupper() and len(text) <= 6:
            k = "acr:" + text.upper()
        elif text.lower() in DEMONYMS:
            k = _norm(DEMONYMS[text.lower()])
        uf.find(k)
        labels[k][label] += n
        freq[k] += n
    for (acronym, expansion), n in defined.items():
        a, e = "acr:" + acronym.upper(), _norm(_clean_name(expansion))
        uf.union(a, e)
        labels[e]["ORG"] += n
    keys = [k for k in list(uf.parent) if not k.startswith("acr:")]
    # acronyms whose letters are a capitalised expansion's initials (ASEAN ↔ Association of ...)
    display: dict[str, str] = {}
    for text, _ in uses:
        display.setdefault(_norm(_clean_name(text)), _clean_name(text))
    for _, expansion in defined:
        display.setdefault(_norm(_clean_name(expansion)), _clean_name(expansion))
    place = {"GPE", "NORP", "LOC", "FAC"}
    shortened: dict[str, set[str]] = defaultdict(set)    # a person's shortened name -> the names it shortens
    for a, b in _name_pairs(keys, display):
        if uf.find(a) == uf.find(b):
            continue
        la, lb = labels.get(a, empty), labels.get(b, empty)
        if la.get("NORP") and lb.get("NORP") is None or lb.get("NORP") and la.get("NORP") is None:
            continue  # "Asian" is not "Southeast Asia"
        person = bool((la.get("PERSON") or lb.get("PERSON")) and not (
            la and la.most_common(1)[0][0] in place or lb and lb.most_common(1)[0][0] in place))
        if _same_name(display.get(a, a), display.get(b, b), person):
            na, nb = len(_norm(display.get(a, a)).split()), len(_norm(display.get(b, b)).split())
            if person and na != nb:
                shortened[a if na < nb else b].add(b if na < nb else a)
            else:
                uf.union(a, b)
    # a person's shortened name is the longer names it shortens only when they are one person
    # ("Lung" is neither "Fan Lung" nor his wife "Feng Lung"); the longer shortened ones first
    # ("Aung Hlaing" joins "Min Aung Hlaing" before "Hlaing" is looked at)
    for short in sorted(shortened, key=lambda k: (-len(_norm(display.get(k, k)).split()), k)):
        longs = shortened[short]
        if len({uf.find(x) for x in longs}) == 1:
            uf.union(short, next(iter(longs)))
    by_initial: dict[str, list[str]] = defaultdict(list)   # blocking: _acronym_of needs the first initial
    for b in keys:
        initials = "".join(w[0] for w in display.get(b, b).split() if w[:1].isupper())
        if initials:
            by_initial[initials[0]].append(b)
    for k in list(uf.parent):
        if k.startswith("acr:"):
            acr = k[4:]
            if acr.lower() in uf.parent:  # "Asean" is ASEAN
                uf.union(k, acr.lower())
            for b in by_initial.get(acr[:1].upper(), ()):
                if _acronym_of(display.get(b, b), acr) and len(b.split()) >= 2:
                    uf.union(k, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for k in uf.parent:
        groups[uf.find(k)].append(k)
    result = {}
    for members in groups.values():
        lab = Counter()
        for k in members:
            lab.update(labels.get(k, {}))
        person = lab.get("PERSON", 0) > 0 and lab.get("PERSON", 0) >= lab.get("GPE", 0)
        names = [m for m in members if not m.startswith("acr:")]
        acrs = [m[4:] for m in members if m.startswith("acr:")]
        if acrs and (not person or not names):
            best = sorted(acrs, key=lambda a: -sum(freq[x] for x in members if x == "acr:" + a))[0]
            disp = best
        else:
            best = max(names, key=lambda n: (person and len(n.split()) > 1, freq[n], len(n)))
            disp = display.get(best, best)
        eid = _slug(disp)
        label = "PERSON" if person else (lab.most_common(1)[0][0] if lab else "ORG")
        for k in members:
            result[k] = (eid, disp, person, label)
    return result


def _name_pairs(keys: list[str], display: Mapping[str, str]):
    """Pairs of keys `_same_name` could accept, without comparing every pair (blocking).

    `_same_name` accepts only names that share their first word, or whose last words are equal
    or fuzzy-equal (ratio >= 80, both words >= 4 letters). Two such words always share a
    character bigram (indel distance <= 0.2 (la + lb) leaves >= 0.2 (la + lb) - 1 > 0 common
    bigrams), so pairs are taken from first-word, last-word and last-word-bigram blocks. The
    union-find result does not depend on the order pairs are tried in.
    """
    first: dict[str, list[int]] = defaultdict(list)
    last: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        toks = _norm(display.get(k, k)).split()
        if toks:
            first[toks[0]].append(i)
            last[toks[-1]].append(i)
    pairs: set[tuple[int, int]] = set()

    def add(xs: list[int], ys: list[int]) -> None:
        for x in xs:
            for y in ys:
                if x != y:
                    pairs.add((x, y) if x < y else (y, x))

    for group in first.values():
        add(group, group)
    for group in last.values():
        add(group, group)
    by_bigram: dict[str, list[str]] = defaultdict(list)
    for w in last:
        if len(w) >= 4:
            for g in {w[i:i + 2] for i in range(len(w) - 1)}:
                by_bigram[g].append(w)
    similar: set[tuple[str, str]] = set()
    for ws in by_bigram.values():
        for i, u in enumerate(ws):
            for v in ws[i + 1:]:
                if (u, v) not in similar and fuzz.ratio(u, v) >= 80:
                    similar.add((u, v))
    for u, v in similar:
        add(last[u], last[v])
    for i, j in sorted(pairs):
        yield keys[i], keys[j]


# a company's legal form, abbreviated or not: "Rahman Apparels Ltd" is "Rahman Apparels Limited"
LEGAL_FORMS = {"ltd": "limited", "inc": "incorporated", "corp": "corporation", "co": "company",
               "bhd": "berhad", "pty": "proprietary"}


def full_legal_form(words: list[str]) -> list[str]:
    """Normalised words of a name with an abbreviated legal form written out: its last word, and
    the one before when that is a legal form too ("Acme Pty Ltd"); never a name's first word."""
    out = list(words)
    i = len(out) - 1
    while i >= 1 and (out[i] in LEGAL_FORMS or out[i] in LEGAL_FORMS.values()) and i >= len(out) - 2:
        out[i] = LEGAL_FORMS.get(out[i], out[i])
        i -= 1
    return out


@functools.lru_cache(maxsize=1 << 17)   # pure; the corpus merge calls it ~10x per distinct name
def _key(text: str) -> str:
    c = _clean_name(text)
    if c.isupper() and len(c) <= 6:
        return "acr:" + c.upper()
    if c.lower() in DEMONYMS:
        return _norm(DEMONYMS[c.lower()])
    return " ".join(full_legal_form(_norm(c).split()))


# ---------------------------------------------------------------- per-claim facts


def _quantities(text: str, off: int, doc_tokens, dates: list[DateFact]) -> list[Quantity]:
    out: list[Quantity] = []
    taken = [(d.start - off, d.end - off) for d in dates]

    def free(s, e):
        return not any(s < b and a < e for a, b in taken)

    def unit_after(end_rel: int) -> str | None:
        for tok in doc_tokens:
            if tok.idx - off >= end_rel and tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("amod", "compound"):
                return None     # past the number's phrase: "a crowd of 54,000 watched the match"
            if end_rel <= tok.idx - off <= end_rel + 1 and tok.text in (",", ";", ":", "(", "—", "–"):
                return None     # the phrase ends at the number: "rose to 120, officials said"
            if tok.idx - off >= end_rel and tok.pos_ in ("NOUN",):
                # the phrase's head, not a noun modifying it: "COVID-19 cases" counts cases (but a
                # "ten-year anniversary" counts years)
                hyphened = text[end_rel:tok.idx - off].strip() in ("-", "–")
                while not hyphened and tok.dep_ == "compound" and tok.head.i > tok.i and tok.head.pos_ == "NOUN":
                    tok = tok.head
                return UNIT_LEMMA.get(tok.lemma_.lower(), tok.lemma_.lower())
            if tok.idx - off >= end_rel + 40:
                break
        return None

    for m in TIME_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if m.group("h24") is not None:
            minutes = int(m.group("h24")) * 60 + int(m.group("m24"))
        else:
            minutes = int(m.group("h")) % 12 * 60 + int(m.group("m") or 0) + (720 if m.group("ap").lower() == "p" else 0)
        before = text[:m.start()]
        lo = hi = float(minutes)
        hedge = None
        if h := _TIME_NEAR.search(before):
            lo, hi, hedge = max(0.0, lo - 30), min(1439.0, hi + 30), h.group(0).strip().lower()
        elif h := _TIME_AFTER.search(before):
            hi, hedge = 1439.0, h.group(0).strip().lower()
        elif h := _TIME_BEFORE.search(before):
            lo, hedge = 0.0, h.group(0).strip().lower()
        zone = _TIME_ZONE.match(text, m.end())
        # times in two zones are not compared ("9 a.m. local time" and "02:00 GMT" may be one moment)
        unit = f"time of day ({zone.group(1).upper()})" if zone else "time of day"
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), lo, hi, hedge is None, unit, "time", hedge))
        taken.append((m.start(), m.end()))
    for m in SCORE_RE.finditer(text):
        if not free(m.start(), m.end()) or not (_SCORE_BEFORE.search(text, 0, m.start())
                                               or _SCORE_AFTER.match(text, m.end())):
            continue
        # the two sides' goals, higher first: who won is the verb's to say ("beat ... 2-1", "lost 1-2")
        hi_g, lo_g = sorted((int(m.group(1)), int(m.group(2))), reverse=True)
        v = float(hi_g * 1000 + lo_g)
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), v, v, True, "score", "score"))
        taken.append((m.start(), m.end()))
    for m in TALLY_RE.finditer(text):
        if not free(m.start(), m.end()) or not (m.group(3) or _TALLY_BEFORE.search(text, 0, m.start())
                                               or _TALLY_AFTER.match(text, m.end())):
            continue
        # the two sides' votes, more first (which side won is the words' to say)
        hi_v, lo_v = sorted((int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))), reverse=True)
        v = float(hi_v * 1000 + lo_v)
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), v, v, True, "vote", "score"))
        taken.append((m.start(), m.end()))
    window = None
    wm = WINDOW_RE.search(text)
    if wm:
        window = _dated_since(wm.group(0), wm.start(), wm.end(), dates, off) or _window(wm.group(0))
    for m in COUNT_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        w = m.group(1).lower()
        lo, hi = COUNT_WORDS.get(w) or {"several times": (3, 9), "many times": (3, float("inf")),
                                         "a few times": (2, 5)}[w]
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), lo, hi, lo == hi, "time", "count",
                            None if lo == hi else w, window))
        taken.append((m.start(), m.end()))
    for m in NUM_RE.finditer(text):
        if not free(m.start("num"), m.end()):
            continue
        raw = m.group("num").lower()
        if m.start("num") > 0 and (text[m.start("num") - 1] in "-–/" or text[m.start("num") - 1].isalnum()):
            continue  # "COVID-19", "F-16", "24/7": part of a name
        if raw == "hundred" and re.search(r"\b(?:one|two|three|four|five|six|seven|eight|nine|a)\s+$", text[:m.start("num")]):
            continue
        if re.fullmatch(r"(19|20)\d\d", raw) and not m.group("hedge"):
            continue  # a year
        if re.match(r"\s*[-–]\s*point", text[m.end():]) or re.match(r"[-–]\d", text[m.end():]):
            continue  # "five-point plan", ranges handled by dates
        if re.match(r"\s+(?:other|others|more)\b", text[m.end():]):
            continue  # "Long and four other players": the count is four plus someone
        if raw == "one" and re.match(r"\s+of\b", text[m.end():]):
            continue  # "one of the biggest" is a rank hedge
        v = WORD_NUMS.get(raw)
        if v is None and (two := re.fullmatch(rf"({_TENS})[- ]({_UNITS})", raw)):
            v = WORD_NUMS[two.group(1)] + WORD_NUMS[two.group(2)]
        if v is None:
            try:
                v = float(raw.replace(",", ""))
            except ValueError:
                continue
        if m.group("scale"):
            scale = m.group("scale").strip(" -").lower()
            if scale in ("m", "k", "b") and (m.start("num") == 0 or text[m.start("num") - 1] not in CURRENCY_SIGNS):
                continue
            v *= SCALE[scale]
        hedge = (m.group("hedge") or "").strip().lower() or None
        if hedge == "over" and _DURATION_AFTER.match(text, m.end()):
            hedge = None            # "over four years" is during them, not more than four
        lo, hi = v, v
        if hedge:
            f_lo, f_hi = HEDGES[hedge]
            lo, hi = v * f_lo, v * f_hi if f_hi != float("inf") else float("inf")
            if hedge in ("more than", "over", "higher than", "greater than", "above", "older than"):
                lo = v + (1 if v == int(v) else 0)
            elif hedge in STRICTLY_BELOW:
                hi = math.nextafter(v, 0.0)     # strictly below: "under 71 reviews" is not 71
        kind = "count" if m.group("times") else "number"
        # (the sign before the number, also across one space: "$ 28 million")
        sign = text[:m.start("num")].rstrip(" ")[-1:] if text[max(0, m.start("num") - 2):m.start("num")].strip(" ") else ""
        # an amount of money counts its currency ("$3 million last year": dollars, not years)
        unit = "time" if kind == "count" else _CURRENCY.get(sign) or (
            "percent" if _PERCENT_AFTER.match(text, m.end()) else None) or (
            "magnitude" if _MAGNITUDE_AFTER.match(text, m.end()) or _MAGNITUDE_BEFORE.search(text, 0, m.start("num"))
            else None) or (
            "age" if _AGE.match(text, m.end()) or _AGE_APPOSED.match(text, max(0, m.start("num") - 2))
            and not m.group("scale") and v < 130 else unit_after(m.end()))
        if unit == "percent" and (cm := _PERCENT_COMPARED.match(text, m.end())) and (
                cm.group(1).lower() in ("more", "less", "fewer") or any(
                    t.idx - off == cm.start(1) and t.tag_ in ("JJR", "RBR") for t in doc_tokens)):
            # "25% heavier", "32% higher": a difference from something, of one comparison
            unit = "percent " + cm.group(1).lower()
        if kind == "number" and (pts := _POINTS_AFTER.match(text, m.end())):
            # a change in a rate: "25 basis points" is a quarter of a percentage point
            div = 100.0 if pts.group(1).lower().startswith(("basis", "bp")) else 1.0
            lo, hi, unit = lo / div, hi / div, PERCENTAGE_POINT
        toll = _toll_of(text[:m.start()]) if unit is None and kind == "number" else None
        if toll is not None:      # "the death toll rose to 41": 41 people killed, told up to the report
            out.append(Quantity(m.group(0).strip(), off + m.start(), off + m.end(), lo, hi, hedge is None,
                                toll[0], kind, hedge, RUNNING if toll[2] else None, toll[1]))
            continue
        out.append(Quantity(m.group(0).strip(), off + m.start(), off + m.end(), lo, hi, hedge is None,
                            unit, kind, hedge, window if kind == "count" else None))
    for m in _POINT_WORDS.finditer(text):
        if free(m.start(), m.end()) and not any(q.start - off <= m.start() < q.end - off for q in out):
            v = _POINT_FRACTIONS[m.group("part").lower().replace("-", " ")]
            out.append(Quantity(m.group(0), off + m.start(), off + m.end(), v, v, True, PERCENTAGE_POINT, "number"))
    out = _befores(_totals(_ranges(out, text, off), text, off), text, off)
    out = [_counted_for(q, doc_tokens) if q.kind == "number" else q for q in out]
    # nobody: a count of none ("No one was killed" against "Three people were killed")
    for m in NOBODY_RE.finditer(text):
        if free(m.start(), m.end()):
            out.append(Quantity(m.group(0), off + m.start(), off + m.end(), 0.0, 0.0, True,
                                "people" if m.group("noun") is None else singular(m.group("noun").lower()),
                                "number"))
    for m in VAGUE_RE.finditer(text):
        if not free(m.start(), m.end()) or any(q.start - off <= m.start() < q.end - off for q in out):
            continue
        lo, hi = VAGUE[m.group(1).lower()]
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), lo, hi, False, unit_after(m.end()),
                            "number", m.group(1).lower()))
    for m in SERIES_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        word = m.group("ord").lower()
        n = _ordinal(word)
        noun = (m.group("noun") or m.group("noun2")).lower()
        noun = _RUN_NOUNS.get(noun) or singular(noun)
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), n, n, True, noun, "count", None, window))
        taken.append((m.start(), m.end()))
    for m in NTH_TO_RE.finditer(text):
        verb = next((t for t in doc_tokens if t.idx - off == m.start("verb")), None)
        if not free(m.start("ord"), m.end()) or verb is None or verb.pos_ not in ("VERB", "AUX"):
            continue      # (not "the first visit to Moscow")
        word = m.group("ord").lower()
        n = _ordinal(word)
        lemma = verb.lemma_.lower() + (" down" if m.group(0).lower().endswith(" down") else "")
        # (counted within the year the claim names after it: "... this year", "... in 2024")
        year = next((d.year for d in dates if d.start - off >= m.end() and d.year and d.month is None
                     and d.resolved), None)
        out.append(Quantity(text[m.start("ord"):m.end()], off + m.start("ord"), off + m.end(), n, n, True,
                            "to " + _LEAVING.get(lemma, lemma), "count", None, f"in {year}" if year else None))
        taken.append((m.start(), m.end()))
    for m in PLACE_RE.finditer(text):
        word = (m.group("a") or m.group("b") or m.group("c")).lower()
        n = _ordinal(word)
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), n, n, True, "place", "rank"))
    for m in RANK_RE.finditer(text):
        r = m.group("rank").lower()
        n = 2 if r.startswith("second") else 3 if r.startswith("third") else 1
        hedged = bool(m.group("hedge"))
        noun = m.group("noun").lower().rstrip("s")
        noun = "ally" if noun == "allie" else noun
        out.append(Quantity(m.group(0), off + m.start(), off + m.end(), 1 if hedged else n,
                            10 if hedged else n, not hedged, noun, "rank", "one of the" if hedged else None))
    # an event numbered by its times (visits and meetings are markers: "his third visit")
    for start, end, n, verb, win in _nth_times(text, off, doc_tokens, dates):
        lemma = verb.lemma_.lower()
        if lemma in _VISIT_VERBS or not free(start, end) or n == 0:
            continue
        prt = next((c.lower_ for c in verb.children if c.dep_ == "prt"), None)
        lo, hi = (2, float("inf")) if n < 0 else (n, n)
        out.append(Quantity(text[start:end], off + start, off + end, lo, hi, n > 0,
                            f"times {lemma}{' ' + prt if prt else ''}", "count", "not the first" if n < 0 else None, win))
        taken.append((start, end))
    ranked = [(q.start - off, q.end - off) for q in out if q.kind == "rank"]
    for m in SUPERLATIVE_RE.finditer(text):
        if m.group("hedge") or not free(m.start("det"), m.end()) or any(
                m.start() < b and a < m.end() for a, b in ranked):
            continue
        q = _superlative_rank(text, off, m, doc_tokens)
        if q is not None:
            out.append(q)
    return out


def _date_within(dates: list[DateFact], lo: int, hi: int, off: int) -> DateFact | None:
    """The first resolved date starting within [lo, hi) of the claim's text."""
    return next((d for d in dates if lo <= d.start - off < hi and d.resolved and d.earliest), None)


def _dated_since(phrase: str, lo: int, hi: int, dates: list[DateFact], off: int) -> str | None:
    """A window from a date is that date, however worded: "since March 2022" and "since March of
    last year" in an article of January 2023 are one window, "since 2022-03" (a bound keeps no year
    or month of its own: the phrase tells). None when the phrase is no "since" with a resolved date."""
    if phrase.split()[0].lower() != "since" or (d := _date_within(dates, lo, hi, off)) is None:
        return None
    return "since " + d.earliest[:7 if re.search(MONTH_RE, d.text) else 4]


def _superlative_rank(text: str, off: int, m: re.Match, doc_tokens) -> Quantity | None:
    """The rank a superlative gives (`SUPERLATIVE_RE`'s match), its unit the superlative, the noun
    it ranks and where it holds: "the country's second-largest bank" is rank 2 of "largest bank in
    the country". None without a noun after it (“the largest in Europe”) or of a time."""
    # (the superlative's last token: "largest", "valuable" of "most valuable"; the noun its head)
    last_tok = next((t for t in doc_tokens if t.idx - off < m.end("adj") <= t.idx - off + len(t.text)), None)
    if last_tok is None:
        return None
    noun = last_tok.head
    while noun.dep_ == "compound" and noun.head.i > noun.i and noun.head.pos_ in ("NOUN", "PROPN"):
        noun = noun.head
    if noun.pos_ not in ("NOUN", "PROPN") or noun.i <= last_tok.i or noun.i - last_tok.i > 3:
        return None
    end = noun.idx - off + len(noun.text)
    if _RANK_OF_TIME.match(text, end) or _RANK_OF_TIME.match(text, m.end("adj")):
        return None
    where = m.group("owner")
    if where:
        where = re.sub(r"^(?i:the)\s+", "", where)
    scope = _RANK_SCOPE.match(text, end)
    if scope:
        where, end = where or scope.group("where"), scope.end()
    by = _RANK_BY.match(text, end)
    if by:
        end = by.end()
    word = (m.group("ord") or "first").lower()
    n = _ordinal(word)
    sup = re.sub(r"[\s-]+", " ", m.group("adj").lower())
    lemma = noun.lemma_.lower() if noun.pos_ == "NOUN" else noun.text.lower()
    # the words that narrow what is ranked stay in it: "the largest mortgage lender" and "the
    # largest online retailer" rank among fewer than "the second-largest lender", "the third-largest
    # retailer" (both may hold)
    narrowed = [t.text.lower() for t in noun.doc[last_tok.i + 1:noun.i]]
    unit = " ".join([_SUPERLATIVE_SAME.get(sup, sup), *narrowed, lemma])
    if where:
        unit += f" in {where.lower() if where.islower() or where.lower() in _RANK_PLACES else where}"
    if by:
        unit += f" by {by.group('by').lower()}"
    start = m.start("det")
    return Quantity(text[start:end], off + start, off + end, n, n, True, unit, "rank")


def _nth_times(text: str, off: int, doc_tokens, dates: list[DateFact]) -> list[tuple[int, int, int, object, str | None]]:
    """Each event numbered by its times (`NTH_TIME_RE`): (start, end, its number, its verb's token,
    the window it is counted in). The verb is the one "for the Nth time" modifies, or that of the
    clause after "the Nth time" ("the third time the two leaders had met"); none for a copula. The
    window: what follows "time" ("in a decade", "since 2015"; a resolved year: "this year" in an
    article of 2026 is "in 2026")."""
    out = []
    for m in NTH_TIME_RE.finditer(text):
        time_tok = next((t for t in doc_tokens if t.idx - off == m.end() - 4), None)
        if time_tok is None:
            continue
        if m.group("for"):
            prep = time_tok.head
            verb = prep.head if prep.lower_ == "for" and prep.dep_ == "prep" else None
        else:
            verb = next((c for c in time_tok.children if c.dep_ == "relcl"), None)
        if verb is None or verb.pos_ != "VERB" or verb.lemma_.lower() == "be":
            continue
        window = None
        if m.group("for"):
            wm = _NTH_TIME_WINDOW.match(text, m.end())
        else:           # (after the clause's words: "the third time Nordvik has cut jobs since 2024")
            last = max(t.idx + len(t.text) for t in verb.subtree) - off
            wm = _CLAUSE_WINDOW.search(text, m.end(), max(m.end(), last))
        if wm:
            d = _date_within(dates, wm.start(1), wm.end(1), off)
            window = (_dated_since(wm.group(1), wm.start(1), wm.end(1), dates, off)
                      or (f"in {d.year}" if d is not None and d.year and d.month is None else _window(wm.group(1))))
        word = m.group("ord").lower()
        n = _ordinal(word)
        # "It is not the first time he has visited": at least the second (-2); "not the third time"
        # tells no number (0)
        start = m.start()
        if (neg := _NOT_BEFORE.search(text, max(0, start - 12), start)) is not None:
            n, start = (0 if n > 1 else -2), neg.start()
        out.append((start, m.end(), n, verb, window))
    return out


NOBODY_RE = re.compile(r"\b(?:no one|no-one|nobody|none of the (?:passengers|people|victims|residents)|"
                       r"no (?P<noun>deaths|casualties|fatalities|injuries|victims|survivors))\b", re.I)
_RANGE_GAP = re.compile(r"\s+(and|to)\s+")
_RANGE_SCALE = re.compile(r"(?:\s+|-)?({})$".format("|".join(sorted(SCALE, key=len, reverse=True))), re.I)


# one counted noun under two lemmas: "32 persons" counts people
UNIT_LEMMA = {"person": "people"}
# plurals that a plain -s does not make, and nouns that end in -s in the singular too
_IRREGULAR_PLURALS = {"men": "man", "women": "woman", "people": "person", "persons": "person", "children": "child"}
_SAME_PLURAL = frozenset({"series", "species", "news"})


def singular(noun: str) -> str:
    """A plural noun's singular by its spelling alone, where no parse gives its lemma: "men" man,
    "casualties" casualty, "increases" increase; a noun not in the plural stays as it is."""
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun in _SAME_PLURAL or not noun.endswith("s") or noun.endswith("ss"):
        return noun
    return noun[:-3] + "y" if noun.endswith("ies") and len(noun) > 4 else noun[:-1]
# a casualty stated by the state a number of people is left in: "left 32 people injured / dead"
_LEFT_IN = {"dead": "kill", "injured": "injure", "wounded": "injure", "hurt": "injure", "homeless": "displace"}

# verbs whose counts are of different people: "killed 12 and wounded 30" holds two counts of people
CASUALTY_VERBS = {"kill": "kill", "die": "kill", "injure": "injure", "injured": "injure", "wound": "injure",
                  "wounded": "injure", "hurt": "injure", "arrest": "arrest", "detain": "arrest",
                  "displace": "displace", "evacuate": "evacuate", "rescue": "rescue",
                  # (and those a vehicle carries: "was carrying 187 passengers", "with 178 on board")
                  "carry": "carry", "transport": "carry", "ferry": "carry"}
_ABOARD = ("on board", "aboard", "onboard")


def _number_token(tokens, start: int, end: int):
    """The token of the number at [start, end) (its first numeral, else its first token)."""
    return next((t for t in tokens if start <= t.idx < end and t.like_num), None) or \
        next((t for t in tokens if start <= t.idx < end), None)


def _casualty_verb(tokens, start: int, end: int) -> str | None:
    """The casualty verb (`CASUALTY_VERBS`) a number at [start, end) counts for, up its parse: "killed
    12 people", "12 people were killed", "and 30 injured", "left 32 people injured", "carrying 187
    passengers" and "with 178 passengers on board" (carry); None for any other verb."""
    tok = _number_token(tokens, start, end)
    number = tok
    noun = tok.head if tok is not None and tok.dep_ == "nummod" else None
    if noun is not None and noun.doc[noun.i + 1:noun.i + 3].text.lower().startswith(_ABOARD):
        return "carry"        # "with 178 passengers on board"
    for _ in range(4):
        if tok is None:
            return None
        lemma = tok.lemma_.lower()
        if lemma in CASUALTY_VERBS or tok.lower_ in CASUALTY_VERBS:
            return CASUALTY_VERBS.get(lemma) or CASUALTY_VERBS[tok.lower_]
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            # "leaving 32 persons injured", "left 12 people dead": the state the verb leaves them in
            if lemma == "leave":
                state = next((c.lower_ for c in tok.subtree if c.lower_ in _LEFT_IN and c.i > number.i), None)
                return _LEFT_IN.get(state) if state else None
            return None
        tok = tok.head
    return None


# the casualty verbs whose counts grow as a story develops: the dead, the injured, the arrested ...
# (a later report's higher count is an update; what a vehicle carried does not grow)
TALLY_VERBS = frozenset({"kill", "injure", "arrest", "displace", "evacuate", "rescue"})
# the counted nouns of such tallies, whatever the verb ("confirmed 120 cases", "41 deaths")
TALLY_UNITS = frozenset({"case", "death", "fatality", "casualty", "infection", "victim", "arrest", "evacuee"})
# the window of a tally's number told up to the time of the report (`_running_tally`)
RUNNING = "so far"
_UP_TO_NOW = re.compile(r"\b(?:so far|to date|thus far|as yet|until now|up (?:un)?til now|up to now)\b", re.I)


def _running_tally(tokens, start: int, end: int) -> bool:
    """Whether the number at [start, end) is told as a running tally, of the time up to the report:
    its verb in the present perfect ("police have arrested four men", "41 people have died", "have
    been evacuated") or said with "so far", "to date" ... ("300 were rescued so far"). Not "had
    arrested" nor "arrested ... on Monday": a count of a time gone by."""
    tok = _number_token(tokens, start, end)
    for _ in range(4):
        if tok is None:
            return False
        if tok.pos_ in ("VERB", "AUX"):
            break
        if tok.head is tok:
            return False
        tok = tok.head
    else:
        return False
    if any(c.dep_ == "aux" and c.lemma_.lower() == "have" and c.tag_ in ("VBP", "VBZ") for c in tok.children):
        return True
    return bool(_UP_TO_NOW.search(" ".join(t.lower_ for t in tok.subtree)))


def _counted_for(q: Quantity, tokens) -> Quantity:
    """A number with the casualty verb it counts for (`_casualty_verb`; a toll's, `_toll_of`, when
    the parse gives none), and the window `RUNNING` when it is a tally (`TALLY_VERBS`, or a tally's
    noun whatever the verb, `TALLY_UNITS`: "have confirmed 120 cases") told up to the report
    (`_running_tally`), or a toll's."""
    verb = _casualty_verb(tokens, q.start, q.end) or q.verb
    running = q.window == RUNNING or (
        (verb in TALLY_VERBS or q.unit in TALLY_UNITS) and _running_tally(tokens, q.start, q.end))
    if verb is None and not running:
        return q
    return dataclasses.replace(q, verb=verb, window=RUNNING if running else None)


# what a toll counts, by its noun: (unit, casualty verb) of its number ("the death toll rose to
# 41" counts people killed, as "41 people were killed" does)
_TOLL_NOUNS = (
    (r"(?:death|fatality) (?:toll|count)|toll|body count|number of (?:the )?(?:dead|deaths|fatalities|"
     r"people (?:killed|dead|who (?:have )?died))", ("people", "kill")),
    (r"number of (?:the )?(?:injured|wounded|injuries|people (?:injured|wounded|hurt))", ("people", "injure")),
    (r"number of (?:people )?(?:arrested|detained|arrests|detentions)", ("people", "arrest")),
    (r"number of (?:the )?(?:displaced|evacuated|evacuees|people (?:displaced|evacuated))", ("people", "displace")),
    (r"number of (?:confirmed |new )?(?:cases|infections)", ("case", None)),
    (r"(?:casualty (?:toll|count)|number of casualties)", ("casualty", None)),
)
# ... before its number: the noun, what it is of ("from the quake in western Nepal"), and a verb
# that states or raises it ("rose to", "has climbed to", "stands at", "reached", "is"); or a
# clause that raises it ("bringing the death toll to 41")
_TOLL_PLACE = r"(?:\s+(?:from|in|at|after|of|since|on|following|among|across|caused by|linked to)\b[^.;:!?\d]{0,70}?)?"
_TOLL_VERB = (r"(?:(?:has|have|had)\s+)?(?:now\s+)?(?:rose|risen|rises|rising|climbed|climbs|jumped|jumps|increased|"
              r"reached|reaches|hit|hits|stood|stands|is|was|topped|tops|passed|surpassed|exceeded|soared|surged|"
              r"grew|grown|mounted|been|went up|gone up)(?:\s+(?:sharply|further|again))?(?:\s+(?:to|at))?")
_TOLL_BEFORE = [(re.compile(rf"\b(?P<final>final\s+)?(?:{noun}){_TOLL_PLACE}\s+{_TOLL_VERB}\s+$", re.I), what)
                for noun, what in _TOLL_NOUNS] + [
    (re.compile(rf"\b(?:bringing|raising|pushing|taking|lifting|putting)\s+(?:the\s+)?(?P<final>final\s+)?"
                rf"(?:{noun}){_TOLL_PLACE}\s+(?:to|at)\s+$", re.I), what) for noun, what in _TOLL_NOUNS]


def _toll_of(before: str) -> tuple[str, str | None, bool] | None:
    """What a number without a counted noun counts when the text before it states a toll ("The
    death toll from the quake rose to", "the number of injured reached", "bringing the toll to"):
    (unit, casualty verb, whether it is told up to the report: a toll is, unless "final")."""
    tail = before[-160:]
    for rx, (unit, verb) in _TOLL_BEFORE:
        if (m := rx.search(tail)) is not None:
            return unit, verb, m.group("final") is None
    return None


# a number that counts the whole the other one is part of: "92 of the 230 seats", "92 out of
# 230", "92 seats in the 230-seat parliament"
_TOTAL_OF = re.compile(r"\d[\d,.]*(?:\s+[a-z]+)?\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+|all\s+)?$", re.I)
_TOTAL_COMPOUND = re.compile(r"-[a-z]+\b", re.I)


def _relabel(quantities: list[Quantity], role: Callable[[Quantity], bool], suffix: str) -> list[Quantity]:
    """The numbers `role` picks get the unit "<unit> <suffix>", when the claim also has a number
    of that unit it does not pick (the part of a whole, the value after an earlier one): the two
    numbers of one unit then compare with their counterparts, not with each other."""
    picked = [q.kind == "number" and bool(q.unit) and role(q) for q in quantities]
    others = {q.unit for q, p in zip(quantities, picked) if not p and q.kind == "number"}
    return [dataclasses.replace(q, unit=f"{q.unit} {suffix}") if p and q.unit in others else q
            for q, p in zip(quantities, picked)]


def _totals(quantities: list[Quantity], text: str, off: int) -> list[Quantity]:
    """A number stated as the whole another number of the same unit is part of gets the unit
    "<unit> in all": "took 92 of the 230 seats" and "won 96 of the 230 seats" then compare 92 with
    96 (the totals agree), where the two seat counts of each claim hid the difference. Only when
    the claim also counts the part: a lone "230-seat parliament" keeps its unit."""
    return _relabel(quantities, lambda q: _TOTAL_OF.search(text, 0, q.start - off) is not None
                    or _TOTAL_COMPOUND.match(text, q.end - off) is not None, "in all")


# a number the claim gives as the value before another: "36.2 percent, up from 28 percent",
# "rose from 12 to 14", "14, compared with 12 a year earlier"
_BEFORE_VALUE = re.compile(r"(?:\b(?:up|down|rising|falling|rose|fell|increased|decreased|grew|dropped|climbed|"
                           r"jumped)\s+(?:\w+\s+)?from|\bfrom|\bcompared\s+(?:with|to)|\bagainst|\bversus)\s+"
                           r"(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|just\s+)?[$€£¥]?$", re.I)


def _befores(quantities: list[Quantity], text: str, off: int) -> list[Quantity]:
    """A number given as the value before another of the same unit gets the unit "<unit> before":
    "won 36.2 percent, up from 28 percent" against "won 31 percent, up from 28 percent" compares
    36.2 with 31 (the earlier values agree), where the agreeing 28s hid the difference. Only when
    the claim also states the value after it."""
    return _relabel(quantities, lambda q: _BEFORE_VALUE.search(text, 0, q.start - off) is not None, "before")


def _ranges(quantities: list[Quantity], text: str, off: int) -> list[Quantity]:
    """Two plain numbers that make one range, as one quantity: "between 40 and 50 people", "40 to
    50 people" (not "from 40 to 50": a change), the second one's scale also the first one's
    ("between 3 and 5 million")."""
    out: list[Quantity] = []
    i = 0
    while i < len(quantities):
        a = quantities[i]
        b = quantities[i + 1] if i + 1 < len(quantities) else None
        gap = _RANGE_GAP.fullmatch(text[a.end - off:b.start - off]) if b is not None else None
        plain = a.kind == b.kind == "number" and a.exact and b.exact if b is not None else False
        before = text[:a.start - off]
        if gap and plain and (
                (gap.group(1) == "and" and re.search(r"\bbetween\s+$", before, re.I))
                or (gap.group(1) == "to" and not re.search(r"\b(?:from|up|rose|fell|increased|decreased|grew|"
                                                           r"dropped|climbed|jumped|down)\s+$", before, re.I))):
            low = a.low
            if (sb := _RANGE_SCALE.search(b.text)) and not _RANGE_SCALE.search(a.text):
                low *= SCALE[sb.group(1).lower()]
            if low < b.low:
                hedge = "between" if gap.group(1) == "and" else "to"
                start = off + (re.search(r"\bbetween\s+$", before, re.I).start() if hedge == "between" else a.start - off)
                out.append(Quantity(text[start - off:b.end - off], start, b.end, low, b.high, False,
                                    b.unit or a.unit, "number", hedge))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


# a newspaper named for its weekday edition: "the Mail on Sunday", "the Independent on Sunday"
# ("The Washington Post on Sunday reported" is a day)
_PAPER_ON = re.compile(r"\b(?:Mail|Independent|Scotland|Wales)\s+on\s+$")


# verbs that look ahead themselves: a date they govern in the past tense is still one planned
# ("had been scheduled for Monday", "was expected on Monday")
_AHEAD_LEMMAS = frozenset({"schedule", "plan", "expect", "set", "due", "aim", "forecast", "project",
                           "intend", "slate", "hope"})


def _told_in_past(tokens: Sequence, start: int, end: int) -> bool:
    """Whether the parse puts the date at [start, end) (article offsets) on a verb in the past
    tense, which outweighs a word that looks ahead earlier in the text: "the expected rise came on
    Monday", "the plan for cuts was announced on Monday", "presented the plan to staff on Monday"
    (an infinitive that describes a verb's object, "the plan to ...", takes the date of that verb,
    as news writing does: "announced a plan to cut jobs on Monday", "spoke about the plan to ... on
    Monday"; not of a subject's: "the plan to cut jobs on Monday was announced"). A verb with a
    modal ("would"), an infinitive of its own ("plans to cut jobs on Monday") or one of the verbs
    that look ahead ("was scheduled for Monday") is not past: the words before decide."""
    inside = [t for t in tokens if start <= t.idx < end]
    if not inside:
        return False
    top = next((t for t in inside if not start <= t.head.idx < end or t.head is t), inside[-1])
    head = top.head
    if top.dep_ == "pobj" and head.dep_ == "prep":
        head = head.head
    for _ in range(4):              # an infinitive describing a verb's object: that verb
        if head.dep_ == "acl" and head.tag_ == "VB" and any(c.dep_ == "aux" and c.tag_ == "TO" for c in head.children):
            noun = head.head
            if noun.dep_ == "dobj":
                head = noun.head
            elif noun.dep_ == "pobj" and noun.head.dep_ == "prep":
                head = noun.head.head
            else:                   # ("the plan to cut jobs on Monday was announced": the cutting's)
                return False
        else:
            break
    if head.pos_ not in ("VERB", "AUX") or head.lemma_.lower() in _AHEAD_LEMMAS:
        return False
    if any(c.tag_ == "MD" for c in head.children):
        return False
    if head.tag_ == "VBD":
        return True
    return head.tag_ == "VBN" and any(c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in head.children)


# a span of years: "from 2010 to 2014", "2010-2014", "2010-14", "between 2010 and 2014"
YEAR_SPAN_RE = re.compile(r"\b(?:from\s+)?((?:19|20)\d\d)\s*(?:[-–]|to|until|till|through)\s*((?:19|20)\d\d|\d\d)\b(?![-–/]\d)"
                          r"|\bbetween\s+((?:19|20)\d\d)\s+and\s+((?:19|20)\d\d)\b")


def _year_spans(text: str, off: int) -> list[DateFact]:
    """The spans of years a claim states ("served from 2010 to 2014"): one date from the first
    day of the first year to the last day of the last (`YEAR_SPAN_RE`)."""
    out = []
    for m in YEAR_SPAN_RE.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if len(b) == 2:
            b = a[:2] + b
        if 0 < int(b) - int(a) <= 100:
            out.append(DateFact(m.group(0), off + m.start(), off + m.end(), f"{a}-01-01", f"{b}-12-31"))
    return out


def _dates(text: str, off: int, published: str | None, source: str, tokens: Sequence = ()) -> list[DateFact]:
    """The dates a claim's text at `off` states, resolved against its article's date. `tokens`:
    the claim's parsed tokens, which tell when a date a word earlier seems to look ahead to was
    told in the past tense (`_told_in_past`)."""
    out = _year_spans(text, off)
    spans = [(d.start - off, d.end - off) for d in out]
    for m in DATE_RE.finditer(text):
        phrase = m.group(0)
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue  # a year of a span of years
        if m.lastgroup in ("my", "md", "mdr", "dm", "wd") and not re.search(rf"{MONTH_RE}|{WEEKDAY_RE}", phrase):
            continue  # month and day names are capitalised: "may", "march" are verbs
        if m.lastgroup == "my" and m.group(0).lower().rstrip(".") in ("may", "mar") and not re.search(r"\d", phrase):
            # "may" is usually the verb; "Mar" rarely a date alone
            if phrase[0].islower() or not re.match(r"\s*(?:\d|,|\.)", text[m.end():]) and phrase == "May" \
                    and not re.search(r"\b(?:in|since|of|early|late|mid)\s+$", text[:m.start()]):
                continue
        if _PAPER_ON.search(text, max(0, m.start() - 30), m.start()) and re.match(WEEKDAY_RE, phrase):
            continue  # "the Independent on Sunday" is a newspaper
        ahead = (LOOKS_AHEAD.search(text, max(0, m.start() - 80), m.start()) is not None
                 and not _told_in_past(tokens, off + m.start(), off + m.end()))
        f = resolve_date(phrase, published, source, ahead=ahead)
        lo, hi = f.earliest, f.latest
        bound = re.search(r"\b(before|until|by|after|since|as of)\s+(?:the\s+)?$", text[:m.start()], re.I)
        if bound and not phrase.lower().startswith(("since", "before", "after", "until", "by")):
            # "before April 12" is a bound, not a day
            if bound.group(1).lower() in ("before", "until", "by"):
                lo = None
            else:
                hi = None
        if f.resolved or f.month or f.basis.startswith("unresolved"):
            out.append(DateFact(phrase, off + m.start(), off + m.end(), lo, hi, f.year if not bound else None,
                                f.month if not bound else None, f.day if not bound else None, f.basis,
                                f.resolved))
    return out


def _negated(tok) -> tuple[bool, str | None]:
    for c in tok.children:
        if c.dep_ == "neg":
            return True, c.text
    # "refused to condemn", "failed to implement", "has yet to meet"
    if tok.dep_ == "xcomp":
        if tok.head.lemma_.lower() in NEG_GOVERNORS:
            return True, f"{tok.head.text} to"
        if any(c.lower_ == "yet" for c in tok.head.children) or "yet to" in tok.doc[max(0, tok.i - 3):tok.i].text:
            return True, "yet to"
        for c in tok.head.children:
            if c.dep_ == "neg":
                return True, c.text
    return False, None


def _passive_roles(tok):
    """(patient, agent) of a passive verb that names its agent ("Trump", "Biden" of "Trump was
    defeated by Biden"); None for an active verb or a passive without "by ..."."""
    patient = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
    agent = next((g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"), None)
    return (patient, agent) if patient is not None and agent is not None else None


_SAID_PRONOUNS = {"he", "she", "they", "it"}


def _saying_subject(pron, verb):
    """The subject of the verb of saying a pronoun's clause reports ("Police said they had opened":
    the police; "Smith said he would resign": Smith), when the pronoun is the clause's subject
    and that subject is no pronoun itself; else None."""
    if pron.lower_ not in _SAID_PRONOUNS or verb.dep_ != "ccomp" or verb.head.lemma_.lower() not in SPEECH_VERBS:
        return None
    said = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
    if said is None or said.pos_ == "PRON":
        return None
    return said


_PLACE_NOUNS = {"city", "town", "capital", "village", "port", "country"}


def _place_of(verb, place_at) -> str | None:
    """The place a verb's act is in or at: "arrived in Moscow", "met at Phnom Penh", "struck in the
    city of Izmir" (the entity `place_at` gives a token, when it names a place), also as the parser
    attaches it to the act's object ("met Wunna Maung Lwin in Phnom Penh", "broke out at a factory
    in Gazipur"; not deeper: "held talks with Xi in Beijing" has none)."""
    objects = [c for c in verb.children if c.dep_ in ("dobj", "obj")]
    objects += [g for c in verb.children if c.dep_ == "prep" and c.lower_ not in ("in", "at")
                for g in c.children if g.dep_ == "pobj"]
    for head in (verb, *objects, *(g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("in", "at")
                                   for g in c.children if g.dep_ == "pobj")):
        for c in head.children:
            if c.dep_ != "prep" or c.lower_ not in ("in", "at"):
                continue
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                got = place_at(g)
                if got is None and g.lemma_.lower() in _PLACE_NOUNS:
                    got = next((place_at(x) for p in g.children if p.dep_ == "prep" and p.lower_ == "of"
                                for x in p.children if x.dep_ == "pobj"), None)
                if got is not None:
                    return got
    return None


def _frames(claim_tokens, mention_at, off: int, last_person, place_at=None) -> list[Frame]:
    out = []
    for tok in claim_tokens:
        if tok.pos_ != "VERB":
            continue
        verb = tok.lemma_.lower()
        obj = None
        # light verb + event noun: "carried out a visit" → visit
        for c in tok.children:
            if c.dep_ in ("dobj", "obj") and c.lemma_.lower() in EVENT_NOUNS and verb in LIGHT_VERBS:
                verb = EVENT_NOUNS[c.lemma_.lower()]
        subj = noun = head = None
        t = tok
        while t is not None and subj is None:
            for c in t.children:
                if c.dep_ in ("nsubj", "nsubjpass"):
                    said = _saying_subject(c, t)
                    if said is not None:
                        # "Police said they had opened ...": they are the police
                        c = said
                    subj = mention_at(c) or (last_person if c.lower_ in PRONOUNS else None)
                    if subj is None and c.lower_ in ("who", "that") and t.dep_ == "relcl":
                        # "Holm, who became chief executive in 2021": the one the clause is about
                        subj = mention_at(t.head)
                    if subj is None and noun is None and c.pos_ == "NOUN":
                        noun = c.lemma_.lower()
                    elif subj is None and noun is None and c.pos_ == "PROPN" and c.ent_type_ not in ("DATE", "TIME"):
                        # a name the tagger missed names its thing as a noun would ("The Batmobile
                        # was stolen"): its words, lowercased
                        noun = " ".join([*(x.lower_ for x in c.lefts if x.dep_ == "compound" and x.pos_ == "PROPN"),
                                         c.lower_])
                    if head is None and c.pos_ == "NOUN":
                        head = c.lemma_.lower()
            t = t.head if t.dep_ in ("xcomp", "conj", "advcl") and t.head is not t else None
        passive = _passive_roles(tok)
        if passive is not None:
            # a passive with its agent is the active it restates: "Trump was defeated by Biden" is
            # "Biden defeated Trump" (subject Biden, object Trump), so both compare as one predicate
            patient, agent = passive
            subj, noun, head = _subject_of(agent, mention_at, last_person)
            obj = mention_at(patient) or patient.lemma_.lower()
        direct = False        # (the first object: a later one is an apposition to the clause, "..., the highest level")
        for c in tok.children:
            if passive is not None:
                break
            if (c.dep_ in ("dobj", "obj", "attr") or c.dep_ == "npadvmod" and c.pos_ == "PROPN"
                    and verb in CONTEST_VERBS and c.i > tok.i) and not direct:
                # (the parser takes a side before a score for an adverb: "beat Chelsea 2-1")
                obj = mention_at(c) or c.lemma_.lower()
                direct = True
            elif c.dep_ == "prep" and obj is None:
                # (a date is when, not what: "resigned on Monday" has no object)
                for g in c.children:
                    if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME"):
                        obj = mention_at(g) or g.lemma_.lower()
            elif c.dep_ == "prt" and obj is None:
                for g in tok.children:
                    if g.dep_ == "prep":
                        for p in g.children:
                            if p.dep_ == "pobj" and p.ent_type_ not in ("DATE", "TIME"):
                                obj = mention_at(p) or p.lemma_.lower()
        if obj is None:
            for c in tok.children:
                if c.dep_ == "dobj" and c.lemma_.lower() in EVENT_NOUNS:
                    for p in c.children:
                        if p.dep_ == "prep":
                            for g in p.children:
                                if g.dep_ == "pobj":
                                    obj = mention_at(g) or g.lemma_.lower()
        neg, cue = _negated(tok)
        if verb in ("find", "plead", "declare", "prove"):
            for c in tok.children:
                if c.lower_ in _VERDICT_WORDS and c.dep_ in ("acomp", "oprd", "xcomp", "ccomp", "advmod", "dobj", "attr"):
                    flip = _VERDICT_WORDS[c.lower_] or any(g.dep_ == "neg" for g in c.children) or \
                        tok.doc[c.i - 1].lower_ == "not"
                    if verb == "plead":
                        obj = "guilty"
                    else:
                        verb = "convict"
                        # what of: "guilty of bribery", "guilty on three counts"
                        obj = obj or next((mention_at(g) or g.lemma_.lower() for p in c.children if p.dep_ == "prep"
                                           for g in p.children if g.dep_ == "pobj"), None)
                    if flip:
                        neg, cue = not neg, f"{cue} {c.text}" if cue else ("not " if c.lower_ == "guilty" else "") + c.text
                    break
        if verb in OPPOSITE_VERBS or verb == "clear" and _charge_of(tok) is not None or \
                verb == "survive" and passive is None and not any(c.dep_ == "nsubjpass" for c in tok.children):
            # "denied the report" is "did not confirm" it: the verb it negates, negated (so the
            # negation check finds "denied" against "confirmed"; "did not deny" is "confirmed");
            # "cleared of fraud" is acquitted, "survived the crash" did not die in it
            verb, neg, cue = ({"clear": "convict", "survive": "die"}.get(verb) or OPPOSITE_VERBS[verb], not neg,
                              f"{cue} {tok.text}" if cue else tok.text)
        if verb in APPOINT_VERBS and (held := _office_given(tok, mention_at)) is not None:
            # one made to hold an office is its subject, whoever made them, the office (and the body
            # it is of) the object: "Maria Holm was named chief executive of Nordvik" and "Nordvik
            # appointed Maria Holm as chief executive" are (Holm, appoint, "chief executive@Nordvik")
            who, obj = held
            verb = "appoint"
            subj, noun, head = _subject_of(who, mention_at, last_person)
        if verb == "convict":
            # a verdict is the defendant's, whoever gave it: its subject the one convicted or
            # acquitted ("A jury found Daniel Price guilty of fraud", "acquitted Price of fraud"),
            # its object the charge (none when the claim names none)
            who = _defendant(tok)
            if who is not None:
                subj, noun, head = _subject_of(who, mention_at, last_person)
            charge = _charge_of(tok)
            obj = (mention_at(charge) or charge.lemma_.lower()) if charge is not None else None
        out.append(Frame(verb, tok.idx, tok.idx + len(tok.text), neg, subj, obj, cue, None if subj else noun, head,
                         _place_of(tok, place_at) if place_at is not None else None))
    return out


def _subject_of(who, mention_at, last_person) -> tuple[str | None, str | None, str | None]:
    """(entity, noun when it names none, head noun) of a token made a frame's subject."""
    subj = mention_at(who) or (last_person if who.lower_ in PRONOUNS else None)
    head = who.lemma_.lower() if who.pos_ == "NOUN" else None
    return subj, None if subj else head, head


# verbs that make one hold an office ("was named chief executive", "appointed Holm as chairman")
APPOINT_VERBS = frozenset({"appoint", "name", "elect", "choose", "select", "install", "tap", "promote", "hire"})
_OFFICE_DROP = frozenset({"the", "a", "an", "its", "their", "his", "her", "new", "next", "permanent"})


def _office_given(tok, mention_at):
    """(the one made to hold it, "office@body") of an appointment verb: its passive subject and the
    office after it ("Holm was named chief executive of Nordvik"), or its object and the office
    after "as" ("Nordvik appointed Holm as chief executive"); the body is the entity the office is
    "of", else the active verb's subject when it names one; None when no office is told."""
    who = office = None
    for c in tok.children:
        if c.dep_ == "nsubjpass":
            who = c
        elif c.dep_ in ("dobj", "obj") and who is None:
            who = c
    if who is None:
        return None
    passive = who.dep_ == "nsubjpass"
    for c in tok.children:
        if passive and c.dep_ in ("oprd", "attr", "xcomp") and c.pos_ in ("NOUN", "PROPN"):
            office = c
        elif c.dep_ == "prep" and c.lower_ == "as":
            office = next((g for g in c.children if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")), office)
    if office is None or office.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or office.pos_ == "PROPN":
        return None
    words = [t.lower_ for t in office.lefts if t.dep_ in ("amod", "compound", "nmod") and t.lower_ not in _OFFICE_DROP]
    name = " ".join([*words, office.lower_])
    body = next((mention_at(g) or g.lemma_.lower() for p in office.children if p.dep_ == "prep" and p.lower_ == "of"
                 for g in p.children if g.dep_ == "pobj"), None)
    if body is None and not passive:
        body = next((mention_at(c) for c in tok.children if c.dep_ == "nsubj"), None)
    return who, f"{name}@{body or ''}"


def _defendant(tok):
    """The one a verdict verb convicts or acquits: its passive subject ("Price was acquitted"), its
    object ("acquitted Price"), or the subject of "guilty" / "innocent" after it ("found Price
    guilty"); None when the clause names none."""
    for c in tok.children:
        if c.dep_ in ("nsubjpass", "dobj", "obj"):
            return c
        if c.lower_ in _VERDICT_WORDS:
            return next((g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None)
    return None


def _charge_of(tok):
    """What a verdict is of: the object of "of" or "on" after the verb, its object, or "guilty"
    ("convicted of fraud", "acquitted Price of fraud", "found guilty of fraud", "cleared of all
    charges", "convicted on three counts")."""
    for c in (tok, *tok.children):
        if c is not tok and not (c.dep_ in ("dobj", "obj") or c.lower_ in _VERDICT_WORDS):
            continue
        for p in c.children:
            if p.dep_ == "prep" and p.lower_ in ("of", "on"):
                g = next((g for g in p.children if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME")), None)
                if g is not None and g.lemma_.lower() in ("count", "charge"):
                    # "on three counts of fraud": of fraud
                    g = next((x for q in g.children if q.dep_ == "prep" and q.lower_ == "of"
                              for x in q.children if x.dep_ == "pobj"), g)
                if g is not None:
                    return g
    return None


# a named one's state told with "be", as the act it is the end of: "Willie Nelson is dead" has died,
# "is alive" has not (`_state_frames`)
_STATE_VERBS = {"dead": ("die", False), "alive": ("die", True)}


def _state_frames(claim_tokens, mention_at, last_person) -> list[Frame]:
    """Frames of a named one's state told with "be" (`_STATE_VERBS`): "Willie Nelson is dead" is
    "Willie Nelson died", "Hefner is alive" and "is not dead" are "did not die", so the negation
    check compares them with "has not died" and "died on Sunday". Only of a subject that names
    someone (or a pronoun for the last person named)."""
    out = []
    for tok in claim_tokens:
        state = _STATE_VERBS.get(tok.lower_)
        if state is None or tok.dep_ not in ("acomp", "attr", "oprd") or tok.head.lemma_.lower() != "be":
            continue
        be = tok.head
        who = next((c for c in be.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if who is None or not (who.ent_type_ == "PERSON" or who.lower_ in PRONOUNS):
            continue        # (a person named: not "the Kurdish fighter", whose "Kurdish" is a name)
        subj = mention_at(who) or (last_person if who.lower_ in PRONOUNS else None)
        if subj is None:
            continue
        neg, cue = _negated(be)
        verb, opposite = state
        out.append(Frame(verb, tok.idx, tok.idx + len(tok.text), neg != opposite, subj, None,
                         cue if neg else (tok.text if opposite else None)))
    return out


def normalize_claims(claims: Sequence[Claim], articles: Mapping[str, Article]) -> dict[str, ClaimFacts]:
    """Claim id → ClaimFacts; entities are merged across all the given claims' articles."""
    needed = sorted({c.article_id for c in claims})
    docs = dict(zip(needed, parse_articles([articles[a].text for a in needed])))
    names = {aid: article_names(docs[aid], articles[aid].text) for aid in needed}
    canon = canonicalise({aid: (name_uses(raws), defs) for aid, (raws, defs) in names.items()})
    by_article: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_article[c.article_id].append(c)
    per_article = {aid: claims_facts(by_article[aid], articles[aid], docs[aid], *names[aid], canon)
                   for aid in needed}
    return {c.id: per_article[c.article_id][c.id] for c in claims}


# Bump when the per-claim extraction changes: cached ClaimFacts (see pipeline) are then recomputed.
NORMALIZE_VERSION = "1"


def parse_articles(texts: Sequence[str]) -> list:
    """The full spaCy parse (with NER) of each article text: the expensive, per-article part."""
    if not texts:
        return []
    from factcheck.nlp import load_nlp
    return list(load_nlp().pipe(texts))


def parser_key() -> str:
    """What a stored parse was made with: the pipeline's name and version, its components and
    spaCy's version (a parse made otherwise is not read back)."""
    import spacy

    from factcheck.nlp import load_nlp
    nlp = load_nlp()
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}/{'+'.join(nlp.pipe_names)}" \
           f"/spacy-{spacy.__version__}"


def doc_bytes(doc) -> bytes:
    """A parse as bytes (spaCy's `DocBin`, every token attribute, no user data): about 10 KB for
    an article of 550 tokens."""
    from spacy.tokens import DocBin
    out = DocBin(store_user_data=False)
    out.add(doc)
    return out.to_bytes()


def docs_from_bytes(blobs: Sequence[bytes]) -> list:
    """The parses `doc_bytes` stored, read back (about 3 ms each): the same tokens, tags, lemmas,
    dependencies and entities as the parse itself."""
    from spacy.tokens import DocBin

    from factcheck.nlp import load_nlp
    vocab = load_nlp().vocab
    return [next(iter(DocBin().from_bytes(b).get_docs(vocab))) for b in blobs]


def article_names(doc, text: str) -> tuple[list["_Raw"], list[AcronymDef]]:
    """One article's raw name mentions and acronym definitions (depend on that article alone)."""
    return _raw_mentions(doc, text), find_acronym_defs(text)


def name_uses(raws: Sequence["_Raw"]) -> list[tuple[str, str]]:
    """An article's name mentions as the entity merge reads them: (text, label), in order."""
    return [(r.text, r.label) for r in raws]


def canonicalise(names: Mapping[str, tuple[Sequence[tuple[str, str]], Sequence[AcronymDef]]]) -> dict:
    """The corpus-level merge: name key → (entity id, display, person?, label); `names` by article
    id: its mentions as (text, label) pairs (`name_uses`) and its acronym definitions."""
    order = sorted(names)
    uses: Counter = Counter()
    for a in order:
        uses.update(map(tuple, names[a][0]))
    return _canonicalise(uses, Counter((d.acronym, d.expansion) for a in order for d in names[a][1]))


class _FirstUses:
    """Items (hashable) summed over the articles that name them: per item, how many times and
    where it is first named (article id, index among that article's items), as `MergeInput` keeps
    the names and the acronym definitions. When the article naming an item first leaves and no
    article sorting before it names it again, where it is now first named is unknown (`complete`
    is then False)."""

    def __init__(self) -> None:
        self.entries: dict = {}                    # item -> [count, first article, first index]
        self._unknown: dict = {}                   # first use unknown: above this article id

    @property
    def complete(self) -> bool:
        return not self._unknown

    def add(self, aid: str, items: Sequence) -> None:
        """An article joins (after every `remove` of the same delta)."""
        for i, u in enumerate(items):
            e = self.entries.get(u)
            if e is None:
                self.entries[u] = [1, aid, i]
                continue
            if (aid, i) < (e[1], e[2]) or u in self._unknown and aid < self._unknown[u]:
                # earlier than the known first use, or than every remaining article
                self._unknown.pop(u, None)
                e[1], e[2] = aid, i
            e[0] += 1

    def remove(self, aid: str, items: Sequence) -> None:
        """An article leaves; `items`: those it contributed."""
        for u in items:
            e = self.entries[u]
            e[0] -= 1
            if e[0] == 0:
                del self.entries[u]
                self._unknown.pop(u, None)
            elif e[1] == aid:
                # every article still naming it sorts after this one, but which is first is unknown
                self._unknown[u] = min(aid, self._unknown.get(u, aid))
                e[1], e[2] = "", 0

    def counts(self) -> dict:
        """item -> count, in order of first use."""
        return {u: e[0] for u, e in sorted(self.entries.items(), key=lambda kv: (kv[1][1], kv[1][2]))}

    def to_json(self) -> list:
        # in order of first use: equal inputs, equal JSON
        return [[*u, *e] for u, e in sorted(self.entries.items(), key=lambda kv: (kv[1][1:], kv[0]))]

    @classmethod
    def from_json(cls, rows: Sequence[Sequence]) -> "_FirstUses":
        out = cls()
        out.entries = {(x, y): [n, a, i] for x, y, n, a, i in rows}
        return out


class MergeInput:
    """`canonicalise`'s input summed over the articles that contribute to it, kept between
    analyses: a delta adds and takes away the articles that came, changed or left instead of
    reading every article's names again.

    Per (text, label): how often the contributing articles name it and where it is first named;
    per (acronym, expansion) the same of the acronym definitions (`_FirstUses`): `canonicalise`
    reads both in order of first use, going through the articles in id order. Which articles
    contribute, and with what content, the caller keeps (the store's `norm_merge_articles`): the
    input's size is that of the distinct names, not of the corpus. When an article that named
    something first leaves and no article sorting before it names it again, where that name is
    now first used is unknown (`complete` is then False, and the caller builds the input from
    every article's names)."""

    def __init__(self) -> None:
        self.uses = _FirstUses()                   # of (text, label)
        self.defs = _FirstUses()                   # of (acronym, expansion)

    @classmethod
    def build(cls, names: Mapping[str, tuple[Sequence[tuple[str, str]], Sequence[AcronymDef]]]) -> "MergeInput":
        out = cls()
        for aid in sorted(names):
            out.add(aid, *names[aid])
        return out

    @property
    def complete(self) -> bool:
        return self.uses.complete and self.defs.complete

    def add(self, aid: str, uses: Sequence[tuple[str, str]], defs: Sequence[AcronymDef]) -> None:
        """An article joins (after every `remove` of the same delta)."""
        self.uses.add(aid, uses)
        self.defs.add(aid, [(d.acronym, d.expansion) for d in defs])

    def remove(self, aid: str, uses: Sequence[tuple[str, str]], defs: Sequence[AcronymDef]) -> None:
        """An article leaves; `uses` and `defs`: its mentions and definitions as it contributed them."""
        self.uses.remove(aid, uses)
        self.defs.remove(aid, [(d.acronym, d.expansion) for d in defs])

    def canonicalise(self) -> dict:
        """`canonicalise` of the contributing articles' names."""
        if not self.complete:
            raise ValueError("the first use of some names is unknown")
        return _canonicalise(self.uses.counts(), self.defs.counts())

    def to_json(self) -> dict:
        return {"uses": self.uses.to_json(), "defs": self.defs.to_json()}

    @classmethod
    def from_json(cls, v: Mapping) -> "MergeInput":
        out = cls()
        out.uses, out.defs = _FirstUses.from_json(v["uses"]), _FirstUses.from_json(v["defs"])
        return out


def name_keys(texts: Iterable[str]) -> list[str]:
    """The merge's keys of these name mentions (what `CanonSigner.touches` looks for), each once."""
    return sorted(set(map(_key, texts)))


class CanonSigner:
    """What an article's ClaimFacts take from the corpus merge, as a signature: equal signature,
    equal facts. `entries`: each name key's entity as JSON (made once; stored between analyses
    to tell which keys moved)."""

    def __init__(self, canon: Mapping) -> None:
        import json
        self.entries: dict[str, str] = {k: json.dumps(v) for k, v in canon.items()}

    @classmethod
    def of_entries(cls, entries: Mapping[str, str]) -> "CanonSigner":
        """The signer of a merge of then, from its stored `entries`."""
        signer = cls.__new__(cls)
        signer.entries = dict(entries)
        return signer

    def sign(self, texts: Iterable[str]) -> str:
        """The signature of an article whose name mentions, in order, are `texts`."""
        import hashlib
        # the bytes of json.dumps([canon.get(_key(t)) for t in texts])
        return hashlib.sha256(("[" + ", ".join(self.entries.get(_key(t), "null") for t in texts) + "]")
                              .encode()).hexdigest()[:24]

    def moved_since(self, before: Mapping[str, str]) -> set[str]:
        """The name keys whose entity differs from `before` (an earlier `entries`)."""
        return {k for k in self.entries.keys() | before.keys() if self.entries.get(k) != before.get(k)}

    @staticmethod
    def touches(texts: Iterable[str], keys: set[str]) -> bool:
        """Whether any of these name mentions has one of `keys`."""
        return bool(keys) and any(_key(t) in keys for t in texts)


def remap_facts(plain: Mapping[str, dict], texts: Iterable[str], before: Mapping[str, str],
                now: Mapping[str, str]) -> dict[str, dict] | None:
    """An article's facts (`plain`: claim id -> `ClaimFacts` as a plain dict) made under an earlier
    merge (`before`: `CanonSigner.entries` then), rewritten for the merge `now` without a parse,
    or None when that is not the same as making them again.

    `claims_facts` reads of the merge only whether each of the article's names (`texts`) has an
    entity, and that entity's id, display name, person flag and label. When every name keeps its
    presence, flag and label, and its entity ids of then map one to one onto those of now (no two
    merge, none splits), every step of `claims_facts` decides as before (which mentions are
    persons, which pronoun has one person before it, which mention a token falls in), and its
    facts differ only in the ids and display names, replaced here: a new name that moves a
    widely named person's entity no longer costs a parse of every article naming them."""
    import json
    to: dict[str, tuple[str, str]] = {}                  # entity id then -> (id, display name) now
    for k in {_key(t) for t in texts}:
        was, is_ = before.get(k), now.get(k)
        if (was is None) != (is_ is None):
            return None
        if was is None:
            continue
        (eid, _, person, label), (eid2, disp2, person2, label2) = json.loads(was), json.loads(is_)
        if person != person2 or label != label2 or to.setdefault(eid, (eid2, disp2)) != (eid2, disp2):
            return None
    if len({e for e, _ in to.values()}) != len(to):
        return None
    ids = {old: new for old, (new, _) in to.items()}
    out = {}
    for cid, f in plain.items():
        f = dict(f)
        f["mentions"] = [{**m, "entity": to[m["entity"]][0], "name": to[m["entity"]][1]}
                         if m["entity"] in to else m for m in f["mentions"]]
        # (a person's affiliation is an organisation's entity id)
        f["mentions"] = [{**m, "affiliation": ids[m["affiliation"]]} if m.get("affiliation") in ids else m
                         for m in f["mentions"]]
        f["markers"] = [{**m, "entity": ids.get(m["entity"], m["entity"])} for m in f["markers"]]
        # (a frame's object is an entity id or a head lemma; a lemma never has an id's "e:")
        f["frames"] = [{**x, "subject": ids.get(x["subject"], x["subject"]),
                        "obj": ids.get(x["obj"], x["obj"]), "place": ids.get(x.get("place"), x.get("place"))}
                       for x in f["frames"]]
        f["speakers"] = [{**x, "entity": ids.get(x["entity"], x["entity"])} for x in f["speakers"]]
        out[cid] = f
    return out


def raws_to_json(raws: Sequence["_Raw"]) -> list:
    return [[r.text, r.start, r.end, r.label] for r in raws]


def raws_from_json(v: list) -> list["_Raw"]:
    return [_Raw(*x) for x in v]


def facts_from_dict(d: Mapping) -> ClaimFacts:
    """Inverse of dataclasses.asdict for ClaimFacts (JSON round trip)."""
    def tup(x):
        return tuple(x) if x is not None else None
    mentions = tuple(Mention(**{**m, "title_span": tup(m["title_span"]), "gender_span": tup(m["gender_span"]),
                                "affiliation_span": tup(m.get("affiliation_span")),
                                "age_span": tup(m.get("age_span")), "party_span": tup(m.get("party_span"))})
                     for m in d["mentions"])
    return ClaimFacts(d["claim_id"], d["article_id"], mentions,
                      tuple(Quantity(**q) for q in d["quantities"]), tuple(DateFact(**x) for x in d["dates"]),
                      tuple(Marker(**x) for x in d["markers"]), tuple(Frame(**x) for x in d["frames"]),
                      tuple(AcronymDef(**x) for x in d["acronyms"]), tuple(PlanName(**x) for x in d["plans"]),
                      tuple(Speaker(**x) for x in d["speakers"]), d["published"])


_AFFILIATION_RE = re.compile(r"\s*,?\s*(?:of|from|at)\s+(?:the\s+)?")


def _affiliated(mentions: list[Mention], text: str) -> list[Mention]:
    """A person named with the organisation right after the name ("Helen Marsh of University
    College London", "Dr. Helen Marsh, of King's College London", "Jane Holt from Acme Corp"): the
    organisation is the person's affiliation (a place is not: "Helen Marsh of London")."""
    out = list(mentions)
    for i, m in enumerate(out):
        if not m.person:
            continue
        am = _AFFILIATION_RE.match(text, m.end)
        if am is None:
            continue
        org = next((x for x in mentions if x.start == am.end() and not x.person and x.label in ("ORG", "FAC")), None)
        if org is not None:
            out[i] = dataclasses.replace(m, affiliation=org.entity, affiliation_span=(org.start, org.end))
    return out


# a party's names (US and UK), and its letter in "(R-Ohio)"
_PARTIES = {"democrat": "democratic", "democratic": "democratic", "d": "democratic", "republican": "republican",
            "gop": "republican", "r": "republican", "labour": "labour", "conservative": "conservative",
            "tory": "conservative", "liberal democrat": "liberal democrat", "independent": "independent",
            "i": "independent"}
_PARTY = r"(Democrat|Democratic|Republican|GOP|Labour|Conservative|Tory|Liberal Democrat|Independent)"
# after the name: ", a Republican", ", a Democratic senator", " (R-Ohio)", " (D-N.Y.)"
_PARTY_AFTER = re.compile(rf",\s+an?\s+{_PARTY}\b|\s*\(([DRI])[-–]\s*[A-Z][A-Za-z. ]{{1,15}}\)")
# before it: "Republican Senator", "Democratic Rep.", "Labour MP", "Democrat" (its title between)
_PARTY_BEFORE = re.compile(rf"\b{_PARTY}\s+(?:(?:Sen|Rep|Gov)\.\s+|(?:Senator|Representative|Congressman|Congresswoman|"
                           rf"Governor|MP|lawmaker|Mayor|candidate|leader|Leader|Speaker|state senator)\s+)?$")


def _partisan(mentions: list[Mention], text: str) -> list[Mention]:
    """A person named with a party ("Anna Lund, a Republican,", "Republican Senator Anna Lund",
    "Sen. Anna Lund (R-Ohio)", "Labour MP Anna Lund"): the party is the person's."""
    out = list(mentions)
    for i, m in enumerate(out):
        if not m.person:
            continue
        got = _PARTY_AFTER.match(text, m.end)
        if got is not None:
            word, span = (got.group(1), got.span(1)) if got.group(1) else (got.group(2), got.span(2))
        else:
            lead = m.title_span[0] if m.title_span and m.title_span[1] <= m.start else m.start
            got = _PARTY_BEFORE.search(text, max(0, lead - 40), lead)
            if got is None:
                continue
            word, span = got.group(1), got.span(1)
        out[i] = dataclasses.replace(m, party=_PARTIES[word.lower()], party_span=span)
    return out


# a quotation, closed or running to the end of the claim: “...”, "...", or ‘...’ opened after a
# space or colon (not an apostrophe)
_QUOTED = re.compile(r"[“\"][^”\"]*(?:[”\"]|$)|(?<!\w)‘.*?(?:’(?!\w)|$)")


def _aged(mentions: list[Mention], text: str, cs: int, ce: int) -> list[Mention]:
    """A person named with an age ("Novak, 52,", "32-year-old Fan Lung"): the age is the person's."""
    out = list(mentions)
    for i, m in enumerate(out):
        if not m.person or m.age is not None:
            continue
        hit = _AGE_AFTER_NAME.match(text, m.end, ce) or _AGE_BEFORE_NAME.search(text, max(cs, m.start - 80), m.start)
        if hit and 0 < int(hit.group("age")) < 130:
            out[i] = dataclasses.replace(m, age=int(hit.group("age")), age_span=hit.span("age"))
    return out


def claims_facts(claims: Sequence[Claim], art: Article, doc, raws: Sequence["_Raw"],
                 defs: Sequence[AcronymDef], canon: Mapping) -> dict[str, ClaimFacts]:
    """ClaimFacts of one article's claims from its parse, its names and the corpus merge."""
    facts: dict[str, ClaimFacts] = {}
    # each token's offset, once per article: a claim's tokens are a slice found by bisection (not
    # a pass over every token of the article per claim: 2 million token objects for 222 articles)
    starts = [t.idx for t in doc]
    # where each sentence starts (its first claim), for "The 54-year-old" opening the next one
    sentence_at: dict[str, int] = {}
    for c in claims:
        sentence_at[c.sentence_id] = min(c.start, sentence_at.get(c.sentence_id, c.start))
    sentence_starts = sorted(set(sentence_at.values()))
    for claim in claims:
        text = art.text
        cs, ce = claim.start, claim.end
        mentions: list[Mention] = []
        for r in raws:
            if not (cs <= r.start and r.end <= ce):
                continue
            k = _key(r.text)
            if k not in canon:
                continue
            eid, disp, person, label = canon[k]
            title = tspan = nat = gender = gcue = gspan = None
            before = text[max(cs, r.start - 80):r.start]
            if person:
                tm = TITLE_RE.search(before)
                if tm:
                    ts = r.start - len(before) + tm.start(1)
                    title = tm.group(1).strip()
                    tspan = (ts, ts + len(title))
                    nm = NATIONALITY_RE.search(text[max(cs, ts - 30):ts])
                    if nm and nm.group(1).lower() in DEMONYMS:
                        nat = DEMONYMS[nm.group(1).lower()]
                elif (am := APPOS_TITLE_RE.match(text, r.end, ce)) is not None:
                    title, tspan = am.group("title"), (am.start("title"), am.end("title"))
                hm = HONORIFIC_RE.search(before)
                if hm:
                    gender, gcue = HONORIFICS[hm.group(1).lower()], hm.group(1)
                    gs = r.start - len(before) + hm.start(1)
                    gspan = (gs, gs + len(gcue))
            mentions.append(Mention(eid, disp, r.text, r.start, r.end, person, label, title, tspan, nat,
                                    gender, gcue, gspan))
        mentions.sort(key=lambda m: m.start)
        mentions = _partisan(_aged(_affiliated(mentions, text), text, cs, ce), text)
        om = _AGE_OPENING.match(text, cs, ce)
        if om and not any(m.person and m.start < om.end() for m in mentions):
            # "The 54-year-old had held the post ...": the one person the sentence before names
            here = sentence_at[claim.sentence_id]
            pos = bisect.bisect_left(sentence_starts, here)
            prev = sentence_starts[pos - 1] if pos else here
            named = {canon[k][0]: canon[k] for r in raws if prev <= r.start and r.end <= here
                     and (k := _key(r.text)) in canon and canon[k][2]}
            if len(named) > 1:
                # more than one: the one the sentence is about, its main verb's subject ("Chief
                # executive Ingrid Solberg said the purchase would make Halvorsen ...")
                subject = next((t for t in doc[bisect.bisect_left(starts, prev):bisect.bisect_left(starts, here)]
                                if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"), None)
                at = next((canon[k] for r in raws if subject is not None and r.start <= subject.idx < r.end
                           and (k := _key(r.text)) in canon and canon[k][2]), None)
                named = {at[0]: at} if at is not None else named
            if len(named) == 1:
                eid, disp, _, label = next(iter(named.values()))
                s0 = om.start() + len(om.group(0)) - len(om.group(0).lstrip())
                age = int(om.group("age"))
                if 0 < age < 130:
                    mentions.append(Mention(eid, disp, text[s0:om.end()], s0, om.end(), True, label,
                                            age=age, age_span=om.span("age")))
                    mentions.sort(key=lambda m: m.start)
        tokens = list(doc[bisect.bisect_left(starts, cs):bisect.bisect_left(starts, ce)])
        # pronouns: only when exactly one person is named earlier in the same claim, and not from
        # inside a quotation that does not name them ('Teo Goh said: "my wife found one of her
        # bras"': her is the wife)
        quotes = [q.span() for q in _QUOTED.finditer(text, cs, ce)]
        for t in tokens:
            g = PRONOUNS.get(t.lower_)
            if not g:
                continue
            inside = next(((a, b) for a, b in quotes if a <= t.idx < b), None)
            persons = {m.entity for m in mentions if m.person and m.end <= t.idx
                       and (inside is None or inside[0] <= m.start)}
            if len(persons) == 1:
                eid = persons.pop()
                src = next(m for m in mentions if m.entity == eid)
                mentions.append(Mention(eid, src.name, t.text, t.idx, t.idx + len(t.text), True, "PERSON", gender=g,
                                        gender_cue=t.text, gender_span=(t.idx, t.idx + len(t.text))))
        # the person a leading pronoun refers to: last person named before the claim in the article
        last_person = None
        for r in raws:
            if r.end <= cs and canon.get(_key(r.text), ("", "", False, ""))[2]:
                last_person = canon[_key(r.text)][0]

        def mention_at(tok, _m=mentions):
            """The entity a token names: its own mention, else one in its phrase, but not in a
            description of it ("Chega, the party led by Andre Ventura, came second": Chega came,
            not Ventura)."""
            for m in _m:
                if m.start <= tok.idx < m.end:
                    return m.entity
            described = {x.i for c in tok.children if c.dep_ in ("appos", "acl", "relcl") for x in c.subtree}
            for m in _m:
                if any(m.start <= x.idx < m.end for x in tok.subtree if x.i not in described):
                    return m.entity
            return None

        ctext = text[cs:ce]
        dates = _dates(ctext, cs, art.published, art.published_source, tokens)
        quantities = _quantities(ctext, cs, tokens, dates)
        def place_at(tok, _m=mentions):
            """The entity a token names that may be a place (the tagger takes a city for an
            organisation at times: "Copenhagen trading"); the place check tells which are places."""
            return next((m.entity for m in _m if m.start <= tok.idx < m.end and not m.person
                         and m.label in ("GPE", "LOC", "ORG", "FAC")), None)

        frames = _frames(tokens, mention_at, cs, last_person, place_at) + _state_frames(tokens, mention_at, last_person)
        markers: list[Marker] = []

        def person_before(at: int, fallback: str | None) -> str | None:
            """The last person the claim names before `at` (in the claim), else `fallback`."""
            persons = [x for x in mentions if x.person and x.start < cs + at]
            return persons[-1].entity if persons else fallback

        for m in FIRST_RE.finditer(ctext):
            who = person_before(m.start(), None)
            # "the first visit to Arequipa since taking office": first within a window of time, which
            # an undated earlier visit does not contradict (kind "first since")
            since = _FIRST_SINCE.match(ctext, m.end())
            markers.append(Marker("first since" if since else "first", m.group(0), cs + m.start(), cs + m.end(), who,
                                  EVENT_NOUNS[m.group("ev").lower()], parse_published(art.published)[0], nth=1))
        for m in NTH_RE.finditer(ctext):
            markers.append(Marker("previously", m.group(0), cs + m.start(), cs + m.end(),
                                  person_before(m.start(), last_person),
                                  EVENT_NOUNS[m.group("ev").lower()], nth=_NTH[m.group("nth").lower()]))
        for m in ANOTHER_RE.finditer(ctext):
            # the noun the ordinal numbers ("a fourth man"; not an event a visit marker numbers)
            tok = next((t for t in tokens if t.idx == cs + m.start("nth")), None)
            noun = tok.head if tok is not None and tok.dep_ == "amod" else None
            # ("paid by a third party" is an outsider, not one more of anything)
            if noun is None or noun.pos_ != "NOUN" or noun.lemma_.lower() in EVENT_NOUNS or noun.lemma_.lower() == "party" \
                    or any(k.start < cs + m.end() and cs + m.start() < k.end for k in markers):
                continue
            markers.append(Marker("another", ctext[m.start():noun.idx - cs + len(noun.text)], cs + m.start(),
                                  noun.idx + len(noun.text), None, noun.lemma_.lower(),
                                  nth=_ordinal(m.group("nth"))))
        # "visited Russia for the first time", "met for the third time" (a first within a window,
        # "for the first time in a decade" or "since 2015", is kind "first since")
        for start, end, n, verb, win in _nth_times(ctext, cs, tokens, dates):
            ev = _VISIT_VERBS.get(verb.lemma_.lower())
            if ev is None or any(k.start < cs + end and cs + start < k.end for k in markers):
                continue
            if n == 0:
                continue
            # the verb's subject when it names a person ("not the first time Min Aung Hlaing has
            # visited"), else the last person named before
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            who = mention_at(subj) if subj is not None else None
            if who is None or not any(x.person and x.entity == who for x in mentions):
                who = person_before(start, last_person if n != 1 else None)
            if n < 0:             # "not the first time he has visited": he visited before
                markers.append(Marker("previously", ctext[start:end], cs + start, cs + end, who, ev))
            elif n == 1:
                markers.append(Marker("first since" if win else "first", ctext[start:end], cs + start, cs + end,
                                      who, ev, parse_published(art.published)[0], nth=1))
            else:
                markers.append(Marker("previously", ctext[start:end], cs + start, cs + end, who, ev, nth=n))
        for m in PREV_RE.finditer(ctext):
            who = person_before(m.start(), last_person)
            ev = {"visited": "visit", "travelled": "visit", "traveled": "visit", "went": "visit",
                  "toured": "visit", "been": "visit", "met": "meet"}[m.group("ev").lower()]
            ym = YEAR_RE.search(ctext, m.end())
            cue = m.group("cue").lower()
            markers.append(Marker("again" if cue == "again" else "previously", ctext[m.start():ym.end()]
                                  if ym and ym.start() - m.end() < 40 else m.group(0),
                                  cs + m.start(), cs + (ym.end() if ym and ym.start() - m.end() < 40 else m.end()),
                                  who, ev, int(ym.group(0)) if ym and ym.start() - m.end() < 40 else None))
        for m in PREV_AFTER_RE.finditer(ctext):
            if any(k.start < cs + m.end() and cs + m.start() < k.end for k in markers):
                continue                # ("previously visited ... twice": one marker)
            ev = m.group("ev").lower().split()[0]
            markers.append(Marker("previously", m.group(0), cs + m.start(), cs + m.end(),
                                  person_before(m.start(), last_person), "meet" if ev == "met" else "visit"))
        for m in DEBUNK_RE.finditer(ctext):
            # (not asked, "real or hoax?", nor said not to be, "did not deny the reports", "is not a hoax")
            if not re.match(r"[^.!?]*\?", ctext[m.end():]) and not _NOT_BEFORE.search(ctext, 0, m.start()):
                markers.append(Marker("debunk", m.group(0), cs + m.start(), cs + m.end()))
        acr = tuple(d for d in defs if cs <= d.start and d.end <= ce)
        plans = []
        for m in PLAN_RE.finditer(ctext):
            n = m.group("num").lower()
            num = int(n) if n.isdigit() else WORD_NUMS.get(n, 0)
            plans.append(PlanName(num, m.group("noun").lower(), m.group(0), cs + m.start(), cs + m.end()))
        speakers = _speakers(ctext, cs, tokens, mentions, canon)
        facts[claim.id] = ClaimFacts(claim.id, claim.article_id, tuple(mentions), tuple(quantities),
                                     tuple(dates), tuple(markers), tuple(frames), acr, tuple(plans),
                                     tuple(speakers), art.published)
    return _consistent_genders(facts)


def _consistent_genders(facts: dict[str, ClaimFacts]) -> dict[str, ClaimFacts]:
    """A pronoun gives its person's gender only where its article agrees: a pronoun is taken for
    the one person its claim names before it, which is often wrong ("Fan Lung used his wife's
    phone ... her mistress"), so an article whose pronouns give one person both genders, or
    another than an honorific ("Mr. Sotloff ... she"), or only one pronoun, states none of them."""
    said: dict[str, list[str]] = defaultdict(list)
    titled: dict[str, set[str]] = defaultdict(set)
    for f in facts.values():
        for m in f.mentions:
            if m.gender:
                if (m.gender_cue or "").lower() in PRONOUNS:
                    said[m.entity].append(m.gender)
                else:
                    titled[m.entity].add(m.gender)
    doubtful = {e for e, g in said.items() if len(set(g)) > 1 or len(g) < 2 or titled.get(e, set(g)) != set(g)}
    if not doubtful:
        return facts
    out = {}
    for cid, f in facts.items():
        if any(m.entity in doubtful and (m.gender_cue or "").lower() in PRONOUNS for m in f.mentions):
            f = dataclasses.replace(f, mentions=tuple(
                dataclasses.replace(m, gender=None, gender_cue=None, gender_span=None)
                if m.entity in doubtful and (m.gender_cue or "").lower() in PRONOUNS else m for m in f.mentions))
        out[cid] = f
    return out


# the word before an office, taken as its nation only when the office does not start there
# ("Foreign Minister X" holds the office "foreign minister", no nation; `_nation` says which words
# name one): what `OFFICE_RE` and `SPEAKER_RE` open with
_NATION_BEFORE = r"(?P<nat>\b[A-Z][a-z]+(?:['’]s)?\s+)??"
OFFICE_RE = re.compile(
    _NATION_BEFORE + r"(?P<office>foreign minister|defen[cs]e minister|deputy prime minister|prime minister|"
    r"deputy minister|minister|ambassador|envoy|president|spokes(?:man|woman|person))\b", re.I)


# possessives before an office that name no nation ("His ambassador", "Its envoy" open a sentence)
_NOT_NATIONS = {"his", "her", "its", "their", "our", "your", "my", "the", "it", "that", "this"}


def _nation(word: str | None) -> str | None:
    """The nation a word before an office names: a demonym ("Russian"), a country of `DEMONYMS`
    ("Myanmar"), or a capitalised possessive ("Japan's"); None for another word ("the", "his",
    "Former")."""
    if not word:
        return None
    word = word.strip()
    w = re.sub(r"['’]s$", "", word).lower()
    if w in DEMONYMS:
        return DEMONYMS[w]
    if w in DEMONYMS.values() or (w != word.lower() and word[:1].isupper() and w not in _NOT_NATIONS):
        return w
    return None


def _speakers(ctext: str, cs: int, tokens, mentions: list[Mention], canon) -> list[Speaker]:
    """Subjects of speech/stance verbs that are offices: 'Russia's ambassador said', 'Foreign Minister X backed'."""
    out = []
    for tok in tokens:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in SPEECH_VERBS:
            continue
        for c in tok.children:
            if c.dep_ != "nsubj":
                continue
            s, e = c.left_edge.idx, c.right_edge.idx + len(c.right_edge.text)
            phrase = ctext[s - cs:e - cs]
            person = next((m for m in mentions if s <= m.start < e and m.person), None)
            om = OFFICE_RE.search(phrase)
            office = om.group("office").lower().replace("defence", "defense") if om else None
            if person and person.title and not office:
                om2 = OFFICE_RE.search(person.title)
                office = om2.group("office").lower() if om2 else None
            nat = _nation(om.group("nat")) if om else None
            if nat is None and person and person.nationality:
                nat = person.nationality
            if office or person:
                out.append(Speaker(office or "", phrase, s, e, nat, person.entity if person else None))
    # the parser sometimes hangs "Russia's ambassador" on the wrong word: a plain pattern as fallback
    for m in SPEAKER_RE.finditer(ctext):
        s, e = cs + m.start(), cs + m.start("verb")
        while e > s and ctext[e - cs - 1] in " ,":
            e -= 1
        if any(sp.start <= s < sp.end or s <= sp.start < e for sp in out):
            continue
        person = next((x for x in mentions if s <= x.start < e and x.person), None)
        nat = _nation(m.group("nat"))
        office = m.group("office").lower().replace("defence", "defense")
        out.append(Speaker(office, ctext[s - cs:e - cs], s, e, nat, person.entity if person else None))
    return out


SPEAKER_RE = re.compile(
    _NATION_BEFORE + r"(?P<office>foreign minister|defen[cs]e minister|deputy prime minister|prime minister|"
    r"deputy minister|ambassador|envoy|spokes(?:man|woman|person))\b(?:\s+to\s+[A-Z][a-z]+)?"
    r"(?:\s+[A-Z][a-z]+){0,3},?\s+(?P<verb>said|says|told|backed|called|urged|stated|reiterated|announced|"
    r"added|stressed|insisted|claimed|endorsed|supported)\b", re.I)
