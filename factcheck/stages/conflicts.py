"""Claims + ClaimFacts (+ clusters) → Conflict: pairs of claims that cannot both be true.

Every conflict names its kind, quotes the differing span of each side with its normalised
value, and points `a_span`/`b_span` at those spans. Compatible differences (hedges, ranges,
synonyms, different times, different events, spelling variants) never fire.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from factcheck.records import Article, Claim, Cluster, Conflict, stable_id
from factcheck.stages import places
from factcheck.stages.normalize import (_ORD, _QUOTED, _ordinal, CONTEST_VERBS, NATIONALITY_RE, PERCENTAGE_POINT,
                                        RANK_WORDS, RUNNING, SCALE, SPEECH_VERBS, STRICTLY_BELOW, TALLY_UNITS,
                                        TALLY_VERBS, TITLE_QUALIFIERS, UNIT_LEMMA, VISIT_VERBS, WEEKDAYS, YEAR_SPAN_RE,
                                        ClaimFacts, DateFact, Frame, Quantity, full_legal_form, normalize_claims,
                                        parse_published)

_P = utils.default_process


@dataclass(frozen=True, slots=True)
class ConflictSettings:
    """Thresholds and per-kind severities for conflict detection."""
    name_similarity: float = 80.0          # rapidfuzz ratio per token: above it, a spelling variant
    # relative gap two exact numbers may have and still agree (0 or more: the settings refuse a
    # negative one, which could part two equal numbers and which the delta's probes do not allow for)
    number_tolerance: float = field(default=0.02, metadata={"min": 0.0})
    sev_number: float = 0.7
    sev_count: float = 0.6
    sev_rank: float = 0.5
    sev_date: float = 0.7
    sev_name: float = 0.8
    sev_title: float = 0.7
    sev_affiliation: float = 0.5           # one person of two organisations (a title kind, less sure)
    sev_party: float = 0.6                 # one person of two parties (a title kind: a party switch is rare)
    sev_gender: float = 0.6
    sev_role: float = 0.8
    sev_attribution: float = 0.6           # one direct quotation given to two people (a role kind)
    sev_negation: float = 0.7
    sev_precedence: float = 0.8
    sev_nli: float = 0.5
    relative_date_discount: float = 0.5    # a date resolved from a weekday / "last month" is less sure
    # two counts of a running tally (the dead, the arrested ...) that a later report may explain: the
    # later article counts more, or the higher count is told up to its report ("have arrested")
    tally_update_discount: float = 0.5
    nli_threshold: float = 0.9
    # two claims at least this close (cosine of their embeddings) report one event for the number
    # and date checks, in one cluster or not: the matcher keeps claims whose numbers or dates clash
    # apart, and a report that differs from another only in a number is what those checks are for
    # (the matcher links a pair on cosine alone at the same 0.80, `MatchSettings.link_cosine`)
    near_cosine: float = 0.80
    # from this cosine up (below near_cosine), a pair the matcher calls "same story, different
    # fact" (it would be the same claim but for a number or date that differs) is one event too
    story_cosine: float = 0.60


@dataclass(frozen=True, slots=True)
class CompareResult:
    """Whether two raw claim texts conflict, and why."""
    conflict: bool
    kind: str | None = None
    explanation: str = ""
    severity: float = 0.0


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str
    severity: float
    explanation: str
    a_span: tuple[int, int] | None
    b_span: tuple[int, int] | None


# plan nouns: the agreement-like ones are synonyms; a group-like one names something else
AGREEMENT_NOUNS = {"consensus", "agreement", "plan", "accord", "deal", "proposal", "roadmap", "framework",
                   "principles", "principle", "programme", "program", "blueprint", "initiative", "pact",
                   "treaty", "formula", "peace"}
GROUP_NOUNS = {"alliance", "coalition", "union", "bloc", "league", "group", "partnership", "council",
               "committee", "federation", "association"}
ONE_OFF_VERBS = {"overthrow", "seize", "bear", "die", "found", "establish", "execute", "invade", "kill",
                 "elect", "take", "sign", "approve",
                 # a person takes up, or leaves, one office once ("became chief executive in 2021")
                 "become", "appoint", "join", "resign", "retire"}


def _art(article_id: str) -> str:
    return article_id[:3] if re.match(r"\d{3}_", article_id) else article_id


def _same_verb(a: Quantity, b: Quantity) -> bool:
    """Whether two numbers may count the same thing as far as their casualty verbs tell ("killed 12"
    and "wounded 30" count different people; a number without one may be either)."""
    return not (a.verb and b.verb and a.verb != b.verb)


def _hhmm(minutes: float) -> str:
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


def _fmt_q(q: Quantity) -> str:
    if q.kind == "time":
        return _hhmm(q.low) if q.exact else f"{_hhmm(q.low)}–{_hhmm(q.high)}"
    if q.kind == "score":
        return f"{int(q.low) // 1000}-{int(q.low) % 1000}"
    if q.kind == "rank":
        return "rank 1" if q.exact and q.low == 1 else f"rank {q.low:g}" if q.exact else f"rank {q.low:g}–{q.high:g}"
    if q.exact:
        return f"{q.low:g}"
    if q.high == float("inf"):
        return f"≥{q.low:g}"
    if q.low <= 0:
        return f"<{q.high:g}" if q.hedge in STRICTLY_BELOW else f"≤{q.high:g}"
    return f"[{q.low:g}, {q.high:g}]"


def _fmt_d(d: DateFact) -> str:
    if d.earliest and d.latest and d.earliest == d.latest:
        return d.earliest
    if d.earliest and d.latest:
        return f"{d.earliest}..{d.latest}"
    if d.latest:
        return f"until {d.latest}"
    if d.earliest:
        return f"from {d.earliest}"
    return "unresolved"


def _text_at(article: Article, span: tuple[int, int]) -> str:
    return article.text[span[0]:span[1]]


_SCALED = re.compile(r"(?i)\d\s*-?\s*(?:{})\b".format("|".join(sorted(SCALE, key=len, reverse=True))))


def _rounded(q: Quantity) -> bool:
    """Whether an exact figure may be a rounded one: a scaled amount ("2.3 million", "$5bn"), a
    decimal, a percentage, or a whole number of three digits or more ending in 0 ("1,200", "300"). "71" and
    "12" are counted, not rounded; a bound ("more than 141,000", "under 71") is what it says."""
    if not q.exact:
        return False
    if _SCALED.search(q.text) or "." in q.text.replace(",", "") or (q.unit or "").split(" ")[0] == "percent":
        return True             # (a share is given rounded: "36 percent" is "36.2 percent")
    return q.low >= 100 and q.low == int(q.low) and int(q.low) % 10 == 0


def _disjoint(a: Quantity, b: Quantity, tol: float) -> bool:
    """Whether two quantities cannot both hold; `tol`: the relative gap a rounded figure may be
    off by (`_rounded`; none for a counted number or a bound)."""
    ta, tb = (tol if _rounded(a) else 0.0), (tol if _rounded(b) else 0.0)
    lo_a, hi_a = a.low * (1 - ta), a.high * (1 + ta)
    lo_b, hi_b = b.low * (1 - tb), b.high * (1 + tb)
    return hi_a < lo_b or hi_b < lo_a


def _dates_disjoint(a: DateFact, b: DateFact) -> bool:
    if (a.earliest or a.latest) and (b.earliest or b.latest):
        return bool((a.latest and b.earliest and a.latest < b.earliest) or
                    (b.latest and a.earliest and b.latest < a.earliest))
    # partial dates (year unknown): compare the fields both sides know
    if a.month and b.month and a.month != b.month and (a.year is None or b.year is None):
        return a.year == b.year or a.year is None or b.year is None
    if a.month and b.month and a.month == b.month and a.day and b.day and a.day != b.day:
        return a.year is None or b.year is None or a.year == b.year
    return False


def _year_span(d: DateFact) -> bool:
    """Whether a date is a span of years (`normalize.YEAR_SPAN_RE`: "from 2010 to 2014")."""
    return YEAR_SPAN_RE.fullmatch(d.text) is not None


def _years(f: ClaimFacts) -> set[int]:
    return {d.year for d in f.dates if d.year is not None and d.resolved}


def _months(f: ClaimFacts) -> set[tuple[int, int]]:
    """The (year, month) of each date the claim states within one month ("June 2018", "June 3")."""
    return {(d.year, d.month) for d in f.dates
            if d.year is not None and d.month is not None and d.resolved
            and d.earliest and d.latest and d.earliest[:7] == d.latest[:7]}


def _shared_noun_predicate(fa: ClaimFacts, fb: ClaimFacts) -> list[tuple[Frame, Frame]]:
    """Frames whose subjects name no entity but are the same noun, with the same verb."""
    return [(x, y) for x in fa.frames if x.subject_noun for y in fb.frames
            if y.subject_noun == x.subject_noun and x.verb == y.verb]


# verbs too general to make two counts of one noun one count ("has 5 million people", "said 12 ...")
_VAGUE_VERBS = SPEECH_VERBS | {"be", "have", "include", "contain", "get", "give", "make", "take", "see",
                               "leave", "put", "keep", "show", "find", "report", "add", "number", "total",
                               "compare"}
# verbs that say little without an object ("did not go far enough" / "should have gone further")
_VAGUE_ALONE = frozenset({"go", "come", "do", "happen", "seem", "look", "become", "remain", "stay", "work"})
# objects that name nothing ("have not arrested anyone", "did not say it")
_EMPTY_OBJECTS = frozenset({"it", "this", "that", "them", "him", "her", "anyone", "anything", "anybody",
                            "nothing", "nobody", "one", "what", "which", "who"})


def _noun_acts(f: ClaimFacts) -> list[tuple[Frame, str]]:
    """Frames in which a noun that names no entity does something definite to something named
    ("Police ... opened an investigation": police, open, investigation), keyed so that two claims
    saying it either way are compared wherever they are (not with a verb that says little)."""
    return [(x, f"{x.subject_noun}\x1e{x.verb}\x1e{x.obj}") for x in f.frames
            if x.subject_noun and x.obj and x.verb not in _VAGUE_VERBS and x.obj not in _EMPTY_OBJECTS]


# "have not yet opened", "has so far not ...", "have not used tear gas in nearly a decade", "...
# since 2014": a state of then, which a later report may change
_FOR_NOW = re.compile(r"\b(?:yet|so far|still|for now|as yet|until now|since|in (?:nearly |almost |more than |over "
                      r"|about )?(?:a|an|\d+|two|three|four|five|six|seven|eight|nine|ten|several|many) "
                      r"(?:decades?|years?|months?|weeks?|days?))\b", re.I)


def _quoted_words(text: str) -> tuple[str, ...] | None:
    """The words of a claim's direct quotations (`normalize._QUOTED`), lowercased (None: fewer than
    six, which two people may well both say)."""
    words = tuple(w for part in _QUOTED.findall(text) for w in re.findall(r"[a-z0-9]+", part.lower()))
    return words if len(words) >= 6 else None


def _unit_word(w: str | None) -> str | None:
    """A noun as a number's unit names it ("person" counts people)."""
    return UNIT_LEMMA.get(w, w) if w else w


# verbs that change a rate by an amount, one class each ("raised its rate by 25 basis points" and
# "lifted its rate by half a percentage point" are one act)
_CHANGE_CLASS = {**dict.fromkeys(("raise", "lift", "hike", "increase", "boost"), "raise"),
                 **dict.fromkeys(("cut", "lower", "reduce", "trim", "slash"), "cut"),
                 **dict.fromkeys(("rise", "climb", "jump", "gain", "rebound"), "rise"),
                 **dict.fromkeys(("fall", "drop", "slip", "decline", "dip", "ease", "tumble"), "fall")}


def _counted(f: ClaimFacts) -> dict[tuple[str, str], tuple[list[tuple], list[Quantity]]]:
    """What the numbers of people or things the claim states count, as (verb, unit) -> (the
    subjects (entity, noun) of that verb, the numbers): "Nordvik will cut 1,500 jobs" (cut, job;
    nordvik; 1,500), "23 people were injured" (injure, people: its casualty verb). The verb governs
    the counted noun as its object, or is the number's casualty verb; verbs that say little
    (`_VAGUE_VERBS`) are left out. A passive subject that is the counted noun itself is no subject.
    A change in percentage points counts for the verb of change before it, by its class
    (`_CHANGE_CLASS`), with that verb's object beside its subject."""
    numbers = [q for q in f.quantities if q.kind == "number" and q.unit]
    out: dict[tuple[str, str], tuple[list, list]] = {}
    for q in numbers:
        if q.verb:
            subjects = [(x.subject, None if _unit_word(x.subject_noun) == q.unit else x.subject_noun)
                        for x in f.frames if x.verb == q.verb] or [(None, None)]
            got = out.setdefault((q.verb, q.unit), ([], []))
            got[0].extend(subjects)
            got[1].append(q)
    # a change in percentage points, with the verb of change before it ("raised its rate by 25
    # basis points"), by class; the verb's object stands with its subjects (two objects, "rate" and
    # "forecast", are two things changed)
    changes = sorted((x for x in f.frames if x.verb in _CHANGE_CLASS and not x.negated), key=lambda x: x.start)
    for q in numbers:
        if q.unit == PERCENTAGE_POINT and (before := [x for x in changes if x.start < q.start]):
            x = before[-1]
            got = out.setdefault((_CHANGE_CLASS[x.verb], q.unit), ([], []))
            got[0].append((x.subject, x.subject_noun, None if (x.obj or "").startswith("e:") else x.obj))
            got[1].append(q)
    for x in f.frames:
        if x.verb in _VAGUE_VERBS or x.negated:
            continue
        # the counted noun as the verb's object, by its subject; or as its subject, the doer (if
        # any) unnamed: "300 jobs would be cut", "450 workers protested"
        for unit, subject in ((_unit_word(x.obj), (x.subject, x.subject_noun)),
                              (_unit_word(x.subject_noun), (None, None))):
            mine = [q for q in numbers if unit and q.unit == unit and q.verb in (None, x.verb)]
            if mine:
                got = out.setdefault((x.verb, unit), ([], []))
                got[0].append(subject)
                got[1].extend(q for q in mine if q not in got[1])
    return out


def _series(f: ClaimFacts) -> list[Quantity]:
    """The claim's places in a run of events, over a window or none ("its eighth consecutive
    increase since March 2022": eight increases since 2022-03; "its fifth straight league win")."""
    # (every other count is of times, "twice since 2013": its unit is "time")
    return [q for q in f.quantities if q.kind == "count" and q.unit and q.unit != "time"]


def _things(f: ClaimFacts) -> set[str]:
    """The entities the claim names other than people: its places, companies, bodies."""
    return {m.entity for m in f.mentions if not m.person}


# subject nouns that name one doer in the news of one story: a study and its researchers, a
# company and its firm ("The study followed 87,500 adults" / "The researchers followed 78,500 adults")
_NOUN_CLASS = {**dict.fromkeys(("study", "researcher", "scientist", "author", "team", "trial", "research",
                                "survey", "analysis"), "study"),
               **dict.fromkeys(("company", "firm", "carmaker", "automaker", "maker", "manufacturer",
                                "business", "retailer", "airline", "bank", "lender", "insurer"), "company")}


def _shared_count(fa: ClaimFacts, fb: ClaimFacts) -> list[tuple[Quantity, Quantity]]:
    """The pairs of numbers two claims count with one verb ("will cut 1,500 jobs" / "would cut
    1,200 jobs"), by subjects that may be one (the same entity or noun, or one side naming none),
    and within a factor of two of each other (a count of a part, "two injured workers died"
    against "killed 14 workers", is no other report of the whole), and the places two claims give
    in one run of events over one window (`_series`), in claims naming the same places and bodies
    (or one naming none) on days that may be one: what the number check compares outside one
    event."""
    ca, cb = _counted(fa), _counted(fb)
    shared = ca.keys() & cb.keys()
    # one run of events over one window ("eighth consecutive increase since March 2022" / "seventh
    # straight increase since March of last year"): any two places in it differ
    # (a run without a window is one only of one named side, a team or a player: "Ajax's fifth
    # straight win"; so is a person's place among those who did one thing, "Novak is the third
    # minister to leave ...")
    named = {m.entity for m in fa.mentions} & {m.entity for m in fb.mentions}
    runs = [(x, y) for x in _series(fa) for y in _series(fb) if x.unit == y.unit and x.window == y.window
            and (named or x.window is not None and not x.unit.startswith("to "))]
    ta, tb = _things(fa), _things(fb)
    if not shared and not runs:
        return []
    if ta and tb and not ta & tb:
        return []         # "12 killed in Lima" / "30 killed in Ica": two places, two counts
    da = [d for d in fa.dates if d.resolved and d.day]
    db = [d for d in fb.dates if d.resolved and d.day]
    if da and db and all(_dates_disjoint(x, y) for x in da for y in db):
        return []         # "arrested 12 on Monday" / "arrested 30 on Tuesday"

    def one(x: tuple, y: tuple) -> bool:
        """Subjects (and, for a change, objects) that may be one: equal, or one side naming none."""
        return all(not (a and b and _NOUN_CLASS.get(a, a) != _NOUN_CLASS.get(b, b)) for a, b in zip(x, y))

    def within_two(x: Quantity, y: Quantity) -> bool:
        lo, hi = sorted((max(abs(x.low), abs(x.high)), max(abs(y.low), abs(y.high))))
        return lo > 0 and hi <= 2 * lo
    out = list(runs)
    for key in sorted(shared):
        if any(one(x, y) for x in ca[key][0] for y in cb[key][0]):
            out.extend((x, y) for x in ca[key][1] for y in cb[key][1] if within_two(x, y) and (x, y) not in out)
    return out


# verbs of one side winning a contest against the other ("lost to" is "win" negated: OPPOSITE_VERBS)


def _contest(x: Frame) -> tuple[str, str] | None:
    """(winner, loser) of a frame stating a contest between two named sides: "Biden defeated
    Trump", "Trump was defeated by Biden", "Trump lost to Biden"; None for any other frame (or a
    plain "did not win": a draw is not a loss)."""
    if x.verb not in CONTEST_VERBS or not x.subject or not (x.obj or "").startswith("e:") or x.subject == x.obj:
        return None
    if not x.negated:
        return x.subject, x.obj
    if x.verb == "win" and (x.cue or "").lower().startswith("los"):
        return x.obj, x.subject
    return None


# verbs by which a named side owns its defeat ("Berg conceded")
CONCEDE_VERBS = frozenset({"concede"})


def _result(x: Frame) -> tuple[str | None, str | None] | None:
    """(winner, loser) of a frame stating who won a contest, either side None when it names one
    side only: a contest between two named sides (`_contest`), "Lindqvist won the runoff" (the
    winner), "Berg lost the runoff" or "Berg conceded" (the loser); None for any other frame."""
    both = _contest(x)
    if both is not None:
        return both
    if not x.subject or (x.obj or "").startswith("e:"):
        return None
    if x.verb == "win":
        if not x.negated:
            return x.subject, None
        if (x.cue or "").lower().startswith("los"):
            return None, x.subject
    if x.verb in CONCEDE_VERBS and not x.negated:
        return None, x.subject
    return None


def _results(f: ClaimFacts) -> list[tuple[Frame, tuple[str | None, str | None]]]:
    """The claim's frames that say who won a contest, with their (winner, loser) (`_result`); a
    side that wins what the claim counts ("the Socialists won 96 seats", "won 54 percent") has won
    no contest."""
    counted = {q.unit for q in f.quantities if q.unit}
    return [(x, r) for x in f.frames if (r := _result(x)) and not (None in r and _unit_word(x.obj) in counted)]


def _sides(f: ClaimFacts) -> set[str]:
    """The named sides of the contests the claim says who won (`_results`), one side or two, and
    each contest noun a side wins (as "#noun": `_two_winners`)."""
    results = _results(f)
    return {e for _, r in results for e in r if e} | {"#" + x.obj for x, r in results if _won_noun(x, r)}


# what one side wins alone: a contest named by its noun ("won the runoff", "won the final"); not a
# vote (the popular vote and the election may have two winners) nor a seat, prize or award
CONTEST_NOUNS = frozenset({"election", "runoff", "race", "primary", "contest", "final", "match", "game",
                           "championship", "title", "tournament", "nomination", "leadership", "presidency",
                           "cup", "bout", "fight", "derby", "playoff", "referendum"})


def _won_noun(x: Frame, r: tuple[str | None, str | None]) -> bool:
    """Whether a result (`_result`) is a named winner of a contest named by its noun."""
    return bool(r[0]) and r[1] is None and x.obj in CONTEST_NOUNS


# acts two named ones do to each other alike, so that either may be told first ("Lavrov met
# Marsudi" is "Marsudi met Lavrov"): no reversal of who did what to whom
SYMMETRIC_VERBS = frozenset({
    "meet", "talk", "speak", "discuss", "negotiate", "cooperate", "collaborate", "partner", "merge", "marry",
    "wed", "divorce", "date", "play", "face", "fight", "battle", "clash", "compete", "draw", "tie", "trade",
    "exchange", "swap", "share", "debate", "greet", "hug", "embrace", "reconcile", "ally", "agree", "sign",
    "team", "split", "separate", "contact", "confer", "consult", "chat", "call", "phone", "correspond",
    "interact", "collide", "engage", "match", "equal", "join", "resemble", "border", "neighbour", "neighbor",
    "accompany"})


# offices one person holds at a time (of one body): two named people made one of them in one event
# clash; a deputy, a vice or an interim holder is another office
_ONE_HOLDER = re.compile(r"(?:^|\s)(?:chief executive(?: officer)?|ceo|chief financial officer|cfo|chief operating "
                         r"officer|coo|president|chairman|chairwoman|chair|chairperson|mayor|governor|prime minister|"
                         r"chancellor|premier|head coach|coach|manager|captain|speaker|leader|director[- ]general|"
                         r"secretary[- ]general|managing director|pope)$")
_NOT_ONE = re.compile(r"\b(?:deputy|vice|assistant|associate|co|non-executive|regional|honorary|board)\b")


def _made_holder(f: ClaimFacts) -> list[Frame]:
    """The claim's frames of a named one made to hold an office one person holds at a time
    (`normalize._office_given`: verb "appoint", object "office@body")."""
    return [x for x in f.frames if x.verb == "appoint" and x.subject and not x.negated and "@" in (x.obj or "")
            and _ONE_HOLDER.search(office := x.obj.partition("@")[0]) and not _NOT_ONE.search(office)]


def _directed(f: ClaimFacts) -> list[tuple[Frame, str]]:
    """The claim's acts of one named one to another (subject and object entities that differ) by a
    verb that is not alike both ways (`SYMMETRIC_VERBS`), a contest (`CONTEST_VERBS`: who won), a
    visit (the visit checks compare visits) nor a saying, each with a key the act told the other way
    shares: both ends, in order, and the verb."""
    return [(x, f"{min(x.subject, x.obj)}\x1e{max(x.subject, x.obj)}\x1e{x.verb}") for x in f.frames
            if x.subject and (x.obj or "").startswith("e:") and x.subject != x.obj
            and x.verb not in _UNDIRECTED]


def _names(*facts: ClaimFacts) -> dict[str, str]:
    """entity -> its display name, of the claims' mentions."""
    return {m.entity: m.name for f in facts for m in f.mentions}


def _two_winners(x: Frame, ra: tuple[str | None, str | None], y: Frame, rb: tuple[str | None, str | None]) -> bool:
    """Two named winners of one contest named by one noun: "Lindqvist won the runoff" / "Berg won the runoff"."""
    return _won_noun(x, ra) and _won_noun(y, rb) and x.obj == y.obj and ra[0] != rb[0]


def _shared_predicate(fa: ClaimFacts, fb: ClaimFacts) -> list[tuple[Frame, Frame]]:
    """Frames with the same subject entity and verb (visit verbs count as one)."""
    out = []
    for x in fa.frames:
        for y in fb.frames:
            if x.subject and x.subject == y.subject and _one_act(x, y):
                out.append((x, y))
    return out


# a rank's unit (`normalize._superlative_rank`): what is ranked, where, by what
_RANK_UNIT = re.compile(r"(?P<what>.+?)(?: in (?P<where>.+?))?(?: by (?P<by>[a-z ]+))?")
_THE_COUNTRY = frozenset({"country", "nation"})


def _units_meet(qa: Quantity, qb: Quantity) -> bool:
    """Two quantities count in one unit: the same one, or two ranks of one thing by one measure,
    one where it holds "the country" and the other in a country it names ("the country's
    second-largest bank" and "Denmark's largest bank": the reports of one story name one country)."""
    if not qa.unit or not qb.unit:
        return False
    if qa.unit == qb.unit:
        return True
    if qa.kind != "rank" or qb.kind != "rank":
        return False
    ma, mb = _RANK_UNIT.fullmatch(qa.unit), _RANK_UNIT.fullmatch(qb.unit)
    if ma is None or mb is None or ma["what"] != mb["what"] or ma["by"] != mb["by"]:
        return False
    wa, wb = ma["where"], mb["where"]
    if wa is None or wb is None or (wa in _THE_COUNTRY) == (wb in _THE_COUNTRY):
        return False
    named = places.place(wb if wa in _THE_COUNTRY else wa)
    return named is not None and named.kind == "country"


def _additions(f: ClaimFacts) -> frozenset[tuple[int | None, str | None]]:
    """What the claim tells one more of ("a fourth man", "a second body": marker kind "another")."""
    return frozenset((m.nth, m.event) for m in f.markers if m.kind == "another")


def _one_act(x: Frame, y: Frame) -> bool:
    """Two frames' verbs name one kind of act (visit verbs count as one)."""
    return x.verb == y.verb or (x.verb in VISIT_VERBS and y.verb in VISIT_VERBS)


class _Checker:
    def __init__(self, facts: Mapping[str, ClaimFacts], articles: Mapping[str, Article],
                 claims: Mapping[str, Claim], settings: ConflictSettings,
                 summaries: Summaries | None = None, offices: Mapping[str, set[str]] | None = None) -> None:
        self.facts, self.articles, self.claims, self.s = facts, articles, claims, settings
        # offices each person holds anywhere in the corpus (for "Lavrov said" without a title), and
        # the nationalities stated with them (`_NATIONALITY` entries)
        self.offices: Mapping[str, set[str]] = offices if offices is not None else _offices(facts, summaries)

    def q(self, f: ClaimFacts, span: tuple[int, int] | None) -> str:
        return f"{_art(f.article_id)} '{_text_at(self.articles[f.article_id], span)}'" if span else _art(f.article_id)

    def differ(self, kind: str, severity: float, fa: ClaimFacts, sa, fb: ClaimFacts, sb, why: str = "",
               note_a: str = "", note_b: str = "") -> _Hit:
        """A hit quoting both spans: "A 'x' (note a) ≠ B 'y' (note b) (why)", empty parts left out."""
        def part(f, span, note):
            return self.q(f, span) + (f" ({note})" if note else "")
        return _Hit(kind, severity, f"{part(fa, sa, note_a)} ≠ {part(fb, sb, note_b)}" + (f" ({why})" if why else ""),
                    sa, sb)

    def pair(self, fa: ClaimFacts, fb: ClaimFacts, same_event: bool, pair_mode: bool = False,
             near: bool = False) -> list[_Hit]:
        """The checks' hits on a pair; `near`: the claims are close enough to report one event for
        the number and date checks (`ConflictSettings.near_cosine`)."""
        hits: list[_Hit] = []
        for check, event in ((self.title, same_event), (self.affiliation, same_event), (self.party, same_event),
                             (self.gender, same_event), (self.age, same_event), (self.acronym, same_event),
                             (self.plan, same_event), (self.precedence, same_event), (self.role, same_event),
                             (self.attribution, same_event), (self.holder, same_event),
                             (self.negation, same_event), (self.debunk, same_event),
                             (self.direction, same_event), (self.place, same_event),
                             (self.reversal, same_event or near),
                             (self.numbers, same_event or near),
                             (self.dates, same_event or near)):
            h = check(fa, fb, event, pair_mode)
            if h:
                hits.append(h)
        return hits

    # ---- entity kinds (no cluster needed: they compare claims sharing an entity)
    def title(self, fa, fb, same_event, pair_mode):
        for ma in fa.mentions:
            if not (ma.person and ma.title):
                continue
            for mb in fb.mentions:
                if mb.entity != ma.entity or not mb.title:
                    continue
                if ma.nationality and mb.nationality and ma.nationality != mb.nationality:
                    # "Indonesian Foreign Minister X" vs "Malaysian Foreign Minister X": one
                    # person's office in two countries
                    sa, sb = self._with_nationality(fa, ma.title_span), self._with_nationality(fb, mb.title_span)
                    if not self._qualified(fa, sa) and not self._qualified(fb, sb):
                        return self.differ("title", self.s.sev_title, fa, sa, fb, sb, f"nationality of {ma.name}")
                ta, tb = _norm_title(ma.title), _norm_title(mb.title)
                if ta == tb:
                    continue
                na, nb = _numbered(ta), _numbered(tb)
                if na and nb and na[1] == nb[1] and na[0] != nb[0]:
                    # "the 45th president" / "the 44th president": one office, numbered twice
                    return self.differ("title", self.s.sev_title, fa, ma.title_span, fb, mb.title_span,
                                       f"which {na[1]} {ma.name} is")
                ra, rb = _is_rank(ta), _is_rank(tb)
                # two offices clash only as they are held now: "former Foreign Minister X" may be
                # "Defense Minister X", "acting President X" "Prime Minister X"
                clash = (ra and rb) or (not ra and not rb and (_portfolio_clash(ta, tb) or _heads_clash(ta, tb)
                                                                or _c_suite_clash(ta, tb))
                                        and not self._qualified(fa, ma.title_span)
                                        and not self._qualified(fb, mb.title_span))
                if clash:
                    what = "rank" if ra else "office"
                    return self.differ("title", self.s.sev_title, fa, ma.title_span, fb, mb.title_span,
                                       f"{what} of {ma.name}")
        return None

    def party(self, fa, fb, same_event, pair_mode):
        """One person of two parties: "Anna Lund, a Democrat," against "Republican Senator Anna
        Lund" (a title conflict, `sev_party`; reason "party of Anna Lund"), unless one of them says
        "former"."""
        for ma in fa.mentions:
            if not (ma.person and ma.party):
                continue
            for mb in fb.mentions:
                if mb.entity == ma.entity and mb.party and mb.party != ma.party and \
                        not self._qualified(fa, ma.party_span) and not self._qualified(fb, mb.party_span):
                    return self.differ("title", self.s.sev_party, fa, ma.party_span, fb, mb.party_span,
                                       f"party of {ma.name}")
        return None

    def affiliation(self, fa, fb, same_event, pair_mode):
        """One person of two organisations: "Helen Marsh of University College London" against
        "Helen Marsh of King's College London" (a title conflict, of less weight: a person may hold
        two posts)."""
        for ma in fa.mentions:
            if not (ma.person and ma.affiliation):
                continue
            for mb in fb.mentions:
                if mb.entity == ma.entity and mb.affiliation and _words(mb.affiliation) != _words(ma.affiliation):
                    return self.differ("title", self.s.sev_affiliation, fa, ma.affiliation_span, fb,
                                       mb.affiliation_span, f"affiliation of {ma.name}")
        return None

    def _with_nationality(self, f: ClaimFacts, span: tuple[int, int] | None) -> tuple[int, int] | None:
        """A title's span with the nationality word written before it ("Indonesian Foreign Minister")."""
        if not span:
            return span
        text = self.articles[f.article_id].text
        m = NATIONALITY_RE.search(text[max(0, span[0] - 30):span[0]])
        return (span[0] - (min(30, span[0]) - m.start(1)), span[1]) if m else span

    def _qualified(self, f: ClaimFacts, span: tuple[int, int] | None) -> bool:
        """Whether a title is one of then or for now ("former President", "acting Prime Minister"):
        the word before it, in its article's text."""
        if not span:
            return False
        text = self.articles[f.article_id].text
        return bool(_QUALIFIER_RE.search(text[max(0, span[0] - 12):span[0]]))

    def gender(self, fa, fb, same_event, pair_mode):
        for ma in fa.mentions:
            if not ma.gender:
                continue
            for mb in fb.mentions:
                if mb.entity == ma.entity and mb.gender and mb.gender != ma.gender:
                    g = {"m": "male", "f": "female"}
                    return self.differ("gender", self.s.sev_gender, fa, ma.gender_span, fb, mb.gender_span,
                                       f"gender of {ma.name}", g[ma.gender], g[mb.gender])
        return None

    def age(self, fa, fb, same_event, pair_mode):
        """One person of two ages ("Novak, 52," against "The 54-year-old" after his name), wherever
        the claims are: a year apart is a birthday (and one more a year between the articles'
        dates)."""
        for ma in fa.mentions:
            if ma.age is None:
                continue
            for mb in fb.mentions:
                if mb.entity == ma.entity and mb.age is not None and abs(ma.age - mb.age) > _age_slack(fa, fb):
                    return self.differ("number", self.s.sev_number, fa, _age_quote(ma), fb, _age_quote(mb),
                                       f"age of {ma.name}", str(ma.age), str(mb.age))
        return None

    def acronym(self, fa, fb, same_event, pair_mode):
        for da in fa.acronyms:
            for db in fb.acronyms:
                if da.acronym != db.acronym or (da.start == db.start and fa.article_id == fb.article_id):
                    continue
                if _same_expansion(da.expansion, db.expansion, self.s.name_similarity):
                    continue
                return self.differ("name", self.s.sev_name, fa, (da.start, da.end), fb, (db.start, db.end),
                                   f"{da.acronym} expanded two ways: '{da.expansion}' vs '{db.expansion}'")
        return None

    def plan(self, fa, fb, same_event, pair_mode):
        for pa in fa.plans:
            for pb in fb.plans:
                if pa.number != pb.number or pa.noun == pb.noun:
                    continue
                ca, cb = _noun_class(pa.noun), _noun_class(pb.noun)
                if ca and cb and ca != cb:
                    return self.differ("name", self.s.sev_name, fa, (pa.start, pa.end), fb, (pb.start, pb.end),
                                       f"name of the {pa.number}-point plan: {pa.noun} vs {pb.noun}")
        return None

    def precedence(self, fa, fb, same_event, pair_mode):
        # "his second visit" vs "his third visit": one person's event numbered twice
        for p in fa.markers:
            for q in fb.markers:
                if p.nth and q.nth and p.nth > 1 and q.nth > 1 and p.nth != q.nth and p.entity \
                        and p.entity == q.entity and p.event == q.event:
                    who = next((m.name for m in fa.mentions if m.entity == p.entity), p.entity)
                    return self.differ("precedence", self.s.sev_precedence, fa, (p.start, p.end), fb, (q.start, q.end),
                                       f"{p.event}s of {who}", f"{_ORDINAL.get(p.nth, p.nth)} {p.event}",
                                       f"{_ORDINAL.get(q.nth, q.nth)} {q.event}")
        for x, y, flip in ((fa, fb, False), (fb, fa, True)):
            for first in x.markers:
                if first.kind != "first" or not first.entity:
                    continue
                for prev in y.markers:
                    earlier = prev.kind in ("previously", "again") or (
                        prev.year is not None and first.year is not None and prev.year < first.year)
                    if prev.kind.startswith("first") or prev.entity != first.entity or prev.event != first.event \
                            or not earlier:
                        continue
                    if prev.year is not None and first.year is not None and prev.year > first.year:
                        continue
                    who = next((m.name for m in x.mentions if m.entity == first.entity), first.entity)
                    yr = f", {first.year}" if first.year else ""
                    pyr = f", {prev.year}" if prev.year else ""
                    sa, sb = (first.start, first.end), (prev.start, prev.end)
                    ea = f"{self.q(x, sa)} (first{yr}) ≠ {self.q(y, sb)} (earlier {prev.event}{pyr})"
                    expl = f"{ea} ({prev.event}s of {who})"
                    if flip:
                        return _Hit("precedence", self.s.sev_precedence, expl, sb, sa)
                    return _Hit("precedence", self.s.sev_precedence, expl, sa, sb)
        return None

    def role(self, fa, fb, same_event, pair_mode):
        for sa in fa.speakers:
            for sb in fb.speakers:
                if sa.entity and sb.entity:
                    continue  # two named people: a title conflict if anything
                if not (sa.entity or sb.entity) and not same_event:
                    continue
                held_a, held_b = self.offices.get(sa.entity or "", set()), self.offices.get(sb.entity or "", set())
                oa = {sa.office} if sa.office else _offices_in(held_a)
                ob = {sb.office} if sb.office else _offices_in(held_b)
                oa, ob = _specific({_office(o) for o in oa if o}), _specific({_office(o) for o in ob if o})
                if not oa or not ob or oa & ob:
                    continue
                if not (sa.nationality or sb.nationality):
                    continue
                # officials of two nations are two people: a named person's nationality, when the
                # claim does not state it, is the one stated with them elsewhere in the corpus
                # ("Indonesian Foreign Minister Retno Marsudi" is not "Russia's ambassador")
                na = {sa.nationality} if sa.nationality else _nationalities_in(held_a)
                nb = {sb.nationality} if sb.nationality else _nationalities_in(held_b)
                if na and nb and na.isdisjoint(nb):
                    continue
                speakers = {sa.entity, sb.entity}
                names = {m.entity: m.name for m in fa.mentions}
                topic = {m.entity for m in fa.mentions if m.label not in ("GPE", "NORP", "LOC")
                         and m.entity not in speakers and not m.person} & \
                        {m.entity for m in fb.mentions if m.label not in ("GPE", "NORP", "LOC")
                         and m.entity not in speakers and not m.person}
                if not topic and not same_event:
                    continue
                on = " on " + ", ".join(sorted(names[t] for t in topic)) if topic else ""
                return self.differ("role", self.s.sev_role, fa, (sa.start, sa.end), fb, (sb.start, sb.end),
                                   f"who made the statement{on}", "/".join(sorted(oa)), "/".join(sorted(ob)))
        return None

    def attribution(self, fa, fb, same_event, pair_mode):
        """One direct quotation given to two people: "'The talks were constructive,' Lavrov told
        reporters" against "'The talks were constructive,' Shoigu told reporters" (a role conflict:
        who made the statement, `sev_attribution`). The quotation's words are the same (six or more), each side
        names its speaker as the subject of a verb of saying, and neither claim names the other's
        speaker (not "Lavrov and Shoigu said"), nor do the two share a surname (one person named
        two ways that the corpus did not merge)."""
        named_a = [sp for sp in fa.speakers if sp.entity]
        named_b = [sp for sp in fb.speakers if sp.entity]
        if not named_a or not named_b:
            return None
        ca, cb = self.claims.get(fa.claim_id), self.claims.get(fb.claim_id)
        if ca is None or cb is None:
            return None
        qa, qb = _quoted_words(ca.text), _quoted_words(cb.text)
        if qa is None or qb is None or (qa != qb and fuzz.ratio(" ".join(qa), " ".join(qb)) < 95):
            return None
        names = _names(fa, fb)
        for sa in named_a:
            for sb in named_b:
                if sa.entity == sb.entity or sa.entity in fb.entities or sb.entity in fa.entities:
                    continue
                na, nb = names.get(sa.entity, sa.text), names.get(sb.entity, sb.text)
                if na.split()[-1:] == nb.split()[-1:]:
                    continue
                words = " ".join(qa[:8]) + (" ..." if len(qa) > 8 else "")
                return self.differ("role", self.s.sev_attribution, fa, (sa.start, sa.end), fb,
                                   (sb.start, sb.end), f'who said "{words}"')
        return None

    def holder(self, fa, fb, same_event, pair_mode):
        """In one event, two named people each made one office of one body that one person holds at
        a time (`_ONE_HOLDER`): "Maria Holm was named chief executive of Nordvik" against "Nordvik
        appointed Erik Berg as chief executive" (a role conflict: who was made it). Not when one
        claim names both, nor when the two are dated apart (one after the other)."""
        if not same_event:
            return None
        made_b = _made_holder(fb)
        for x in _made_holder(fa):
            for y in made_b:
                if y.obj != x.obj or y.subject == x.subject or y.subject in fa.entities or x.subject in fb.entities:
                    continue
                if _apart_in_time(fa, x, fb, y):
                    continue
                names = _names(fa, fb)
                office, _, body = x.obj.partition("@")
                of = f" of {names.get(body, body)}" if body else ""
                sa = next(((m.start, m.end) for m in fa.mentions if m.entity == x.subject), (x.start, x.end))
                sb = next(((m.start, m.end) for m in fb.mentions if m.entity == y.subject), (y.start, y.end))
                return self.differ("role", self.s.sev_title, fa, sa, fb, sb, f"who was made {office}{of}")
        return None

    # ---- event kinds: same cluster, or same subject and predicate
    def negation(self, fa, fb, same_event, pair_mode):
        pairs = _shared_predicate(fa, fb)
        if same_event:       # (one event: "the company did not confirm" vs "the company confirmed")
            pairs += _shared_noun_predicate(fa, fb)
        else:
            # elsewhere, a noun doing a definite act to one thing ("Police said they had opened an
            # investigation" / "Police have not opened an investigation"), not a state of then
            acts_b = {k: y for y, k in _noun_acts(fb)}
            for x, k in _noun_acts(fa):
                y = acts_b.get(k)
                if y is not None and x.negated != y.negated and not self._for_now(*((fa, x) if x.negated else (fb, y))):
                    pairs.append((x, y))
        for x, y in pairs:
            if x.verb != y.verb or x.negated == y.negated or x.obj != y.obj:
                continue
            if not x.obj:
                # an act without an object on both sides ("Holm resigned" / "Holm did not resign",
                # "was arrested" / "has not been arrested"): not one that says little, nor a denial
                # of a time up to the report ("has not resigned yet")
                if x.verb in _VAGUE_VERBS or x.verb in _HOLDING or x.verb in _VAGUE_ALONE or \
                        not _names_one(fa, x.subject) or not _names_one(fb, y.subject) or \
                        self._for_now(*((fa, x) if x.negated else (fb, y))):
                    continue
            if _apart_in_time(fa, x, fb, y):
                continue  # different times
            what = f" {x.obj}" if x.obj else ""
            return self.differ("negation", self.s.sev_negation, fa, _neg_span(fa, x, self.articles),
                               fb, _neg_span(fb, y, self.articles), "",
                               f"{'not ' if x.negated else ''}{x.verb}{what}",
                               f"{'not ' if y.negated else ''}{y.verb}{what}")
        return None

    def debunk(self, fa, fb, same_event, pair_mode):
        """One claim of an event calls what is told untrue ("Willie Nelson dead? Viral hoax fools
        internet", "the report ... is fake", "denied the reports") and the other tells it
        (`normalize.DEBUNK_RE`, marker kind "debunk"): a negation. Only of one event whose claims
        name one thing and tell one act of it (an entity both mention, a verb both tell; any two
        claims handed to `compare`); not when both call it untrue, or the teller negates it."""
        if not same_event:
            return None
        for x, y, flip in ((fa, fb, False), (fb, fa, True)):
            calls = [m for m in x.markers if m.kind == "debunk"]
            if not calls or any(m.kind == "debunk" for m in y.markers):
                continue
            told = [f for f in y.frames if f.verb not in _HOLDING]
            if any(f.negated for f in told):
                continue
            claim = self.claims.get(y.claim_id)
            if pair_mode:
                # (two claims handed to `compare` are about one thing; one telling no act of its
                # own, "Willie Nelson is dead", tells it unless it says no)
                if not told and (claim is None or _NO.search(claim.text)):
                    continue
            elif not ({m.entity for m in x.mentions} & {m.entity for m in y.mentions}
                      and (act := _debunked(x, calls[0])) is not None and act.verb in {f.verb for f in told}):
                # in a corpus, what one calls untrue is what the other tells when both name one
                # thing and tell the act called untrue ("reports that Holm resigned are false" /
                # "Holm resigned"; not "officers used tear gas, though they denied rumours they
                # fired rubber bullets" / "used tear gas")
                continue
            span = (claim.start, claim.end) if claim is not None else (told[0].start, told[0].end)
            m = calls[0]
            sx, sy = (m.start, m.end), span
            if flip:
                return self.differ("negation", self.s.sev_negation, fa, sy, fb, sx, "", "told as true", "called untrue")
            return self.differ("negation", self.s.sev_negation, fa, sx, fb, sy, "", "called untrue", "told as true")
        return None

    def _for_now(self, f: ClaimFacts, frame: Frame) -> bool:
        """Whether a negated act is said of a time up to the report (`_FOR_NOW` in its claim)."""
        claim = self.claims.get(f.claim_id)
        lo, hi = (claim.start, claim.end) if claim is not None else (frame.start - 25, frame.end + 60)
        return bool(_FOR_NOW.search(self.articles[f.article_id].text, max(lo, frame.start - 25), min(hi, frame.end + 60)))

    def direction(self, fa, fb, same_event, pair_mode):
        """One thing moved one way in one claim and the other way in the other: "Nordvik shares rose
        2 percent" against "Shares in Nordvik fell 2 percent", "raised its key rate" against "cut its
        key rate" (`_moves`). Only of one event, at one time: a price rises one day and falls the next."""
        if not same_event:
            return None
        mb = _moves(fb)
        for x, way, thing in _moves(fa):
            for y, other, thing_b in mb:
                if thing != thing_b or way == other:
                    continue
                if _apart_in_time(fa, x, fb, y):
                    continue  # different times
                what = self._thing_name(fa, thing)
                return self.differ("negation", self.s.sev_negation, fa, _moved_span(fa, x, self.articles),
                                   fb, _moved_span(fb, y, self.articles), f"direction of {what}", way, other)
        return None

    def place(self, fa, fb, same_event, pair_mode):
        """One act of one doer, in two places: "Min Aung Hlaing arrived in Moscow" against "... arrived
        in Kazan" (the same subject entity and verb, visit verbs as one, or the same subject noun and
        verb: "The fire broke out at a factory in Gazipur" / "in Narayanganj"). Only of one event,
        where the two places are surely two (`places.apart`: two countries, a city outside the
        country named, cities far apart) and neither claim names the other's place."""
        if not same_event:
            return None
        named_a, named_b = {m.entity for m in fa.mentions}, {m.entity for m in fb.mentions}
        for x in fa.frames:
            if not x.place or x.verb in SPEECH_VERBS or not (x.subject or x.subject_noun):
                continue
            for y in fb.frames:
                if not y.place or y.place == x.place or not _one_doer(x, y):
                    continue
                if y.place in named_a or x.place in named_b:
                    continue
                ma, mb = _place_mention(fa, x), _place_mention(fb, y)
                if ma is None or mb is None or not places.apart(ma.name, mb.name):
                    continue
                if _apart_in_time(fa, x, fb, y):
                    continue  # different times
                who = next((m.name for m in fa.mentions if m.entity == x.subject), x.subject or x.subject_noun)
                return self.differ("name", self.s.sev_name, fa, (ma.start, ma.end), fb, (mb.start, mb.end),
                                   f"place of {who}: {x.verb}")
        return None

    @staticmethod
    def _thing_name(f: ClaimFacts, thing: tuple) -> str:
        who, head, obj = thing
        name = next((m.name for m in f.mentions if m.entity == who), who)
        words = [name] + ([head] if head and head != who else []) + ([obj] if obj else [])
        return " ".join(next((m.name for m in f.mentions if m.entity == w), w) for w in words)

    def reversal(self, fa, fb, same_event, pair_mode):
        """One contest, one side the winner in one claim and the loser in the other: "Biden
        defeated Trump" against "Trump defeated Biden" (or "Biden lost to Trump"), and against a
        claim naming one side, "Trump won the election" or "Biden conceded" (`_result`), or two
        such claims ("Biden won the runoff" / "Biden lost the election"). Only of one event: two
        matches may go either way."""
        if not same_event:
            return None
        results_b = _results(fb)
        for x, ra in _results(fa):
            for y, rb in results_b:
                # one side the winner in one claim, the loser in the other; or two winners of one
                # contest named by its noun ("Lindqvist won the runoff" / "Berg won the runoff")
                if not ((ra[0] and ra[0] == rb[1]) or (ra[1] and ra[1] == rb[0]) or _two_winners(x, ra, y, rb)):
                    continue
                if _apart_in_time(fa, x, fb, y):
                    continue  # different times: a rematch
                names = _names(fa, fb)

                def said(r: tuple[str | None, str | None]) -> str:
                    return f"{names.get(r[0], r[0])} won" if r[0] else f"{names.get(r[1], r[1])} lost"
                return self.differ("negation", self.s.sev_negation, fa, _neg_span(fa, x, self.articles),
                                   fb, _neg_span(fb, y, self.articles), "who won", said(ra), said(rb))
        # one act of one named one to another, told the other way round ("Halvorsen agreed to buy
        # Baltic Dairy" / "Baltic Dairy agreed to buy Halvorsen"), both told as done or both not
        directed_b = _directed(fb)
        for x, key in _directed(fa):
            for y, other in directed_b:
                if key != other or x.subject != y.obj or x.negated != y.negated:
                    continue
                both_ways = any(z.subject == x.subject and z.obj == x.obj for z, _ in directed_b) or \
                    any(z.subject == y.subject and z.obj == y.obj for z, _ in _directed(fa))
                if both_ways or _apart_in_time(fa, x, fb, y):
                    continue  # two times, or a claim telling both ways ("sued each other")
                names = _names(fa, fb)

                def told(z: Frame) -> str:
                    return f"{names.get(z.subject, z.subject)} {z.verb} {names.get(z.obj, z.obj)}"
                return self.differ("negation", self.s.sev_negation, fa, _neg_span(fa, x, self.articles),
                                   fb, _neg_span(fb, y, self.articles), f"who did it to whom: {x.verb}",
                                   told(x), told(y))
        return None

    def numbers(self, fa, fb, same_event, pair_mode):
        # (a shared saying or view is no shared act: `_HOLDING`)
        shared = [p for p in _shared_predicate(fa, fb) if p[0].verb not in _HOLDING]
        # outside one event, only the numbers both count with one verb (`_shared_count`)
        counts = None if same_event or shared else _shared_count(fa, fb)
        if counts is not None and not counts:
            return None
        # a change of a rate is of what the verb changes: one subject raising two things by two
        # amounts ("its rate", "its forecast") is two acts, so only `_shared_count`'s pairs, even
        # with a shared predicate (found once, when a change is first met)
        changes = None
        ya, yb = _years(fa), _years(fb)
        if ya and yb and not ya & yb:
            return None  # different times: a 2021 count and a 2022 count may both be right
        ma, mb = _months(fa), _months(fb)
        if ma and mb and not ma & mb:
            return None  # different months too: a June count and a July count may both be right
        aged_a, aged_b = _aged_spans(fa), _aged_spans(fb)
        update = None                 # (a conflict two times of a running tally may explain)
        for qa in fa.quantities:
            if counts is not None:
                same_kind = [qb for x, qb in counts if x is qa]
            elif not same_event and qa.unit == PERCENTAGE_POINT:
                changes = _shared_count(fa, fb) if changes is None else changes
                same_kind = [qb for x, qb in changes if x is qa]
            else:
                same_kind = [qb for qb in fb.quantities if qb.kind == qa.kind and _units_meet(qa, qb)
                             and _same_verb(qa, qb)]
            if _within(qa, aged_a):
                # two people's ages: the age check's, wherever the claims are (an age the parser
                # gave nobody is still compared in one event)
                same_kind = [qb for qb in same_kind if not _within(qb, aged_b)]
            if not same_kind:
                continue
            if qa.kind == "count" and not all(qb.window == qa.window for qb in same_kind):
                continue  # counts over different windows of time
            if qa.kind == "rank" and not (qa.exact and all(qb.exact for qb in same_kind)):
                continue  # "one of the biggest" is compatible with "top"
            mine = [q for q in fa.quantities if q.kind == qa.kind and _units_meet(q, qa) and _same_verb(q, qa)]
            # (minutes of a day, ages and places are exact: "58" and "56" years old differ by 3 %)
            tol = 0.0 if qa.kind in ("time", "score") or qa.unit in ("age", "place") else self.s.number_tolerance
            if any(not _disjoint(x, y, tol) for x in mine for y in same_kind):
                continue  # some pair of numbers about this unit agrees: no evidence they differ
            if qa.exact and any(q.exact and q.low == qa.low and _same_verb(q, qa) for q in fb.quantities) or any(
                    q.exact and q.low == x.low and _same_verb(q, x) for q in fa.quantities for x in same_kind if x.exact):
                continue  # the same value stands on the other side too: the unit was mis-attached
            qb = same_kind[0]
            sev = {"count": self.s.sev_count, "rank": self.s.sev_rank, "time": self.s.sev_date}.get(qa.kind, self.s.sev_number)
            kind = {"rank": "number", "time": "date", "score": "number"}.get(qa.kind, qa.kind)
            # (of two ranks' units that meet, the one naming the country)
            shown = qb.unit if _RANK_UNIT.fullmatch(qa.unit)["where"] in _THE_COUNTRY else qa.unit
            if qa.kind == "number" and all(_tally_update(fa, qa, fb, q) for q in same_kind):
                # two times of a running tally may explain it: less sure, and said (a number that
                # no time explains, further on, is reported first)
                update = update or self.differ(kind, sev * self.s.tally_update_discount, fa, (qa.start, qa.end),
                                               fb, (qb.start, qb.end), f"{shown}; a running tally: the higher "
                                               "count may be a later update", _fmt_q(qa), _fmt_q(qb))
                continue
            return self.differ(kind, sev, fa, (qa.start, qa.end), fb, (qb.start, qb.end), shown,
                               _fmt_q(qa), _fmt_q(qb))
        return update

    def dates(self, fa, fb, same_event, pair_mode):
        if _additions(fa) != _additions(fb):
            return None  # "a fourth man was arrested on Tuesday": one more event, on a day of its own
        pairs = [(x, y) for x, y in _shared_predicate(fa, fb) if x.obj and x.obj == y.obj]
        if not (same_event or pairs):
            return None
        da = [d for d in fa.dates if d.resolved or d.month]
        db = [d for d in fb.dates if d.resolved or d.month]
        if not da or not db:
            return self._weekdays(fa, fb, pairs, same_event)
        sa, sb = [d for d in da if _year_span(d)], [d for d in db if _year_span(d)]
        if sa and sb and not any((x.earliest, x.latest) == (y.earliest, y.latest) for x in sa for y in sb):
            # two spans of years of one act ("served from 2010 to 2014" / "from 2010 to 2016"):
            # overlapping is no agreement, the ends are what they tell
            x, y = sa[0], sb[0]
            return self.differ("date", self.s.sev_date, fa, (x.start, x.end), fb, (y.start, y.end), "span of years",
                               f"{x.earliest[:4]}-{x.latest[:4]}", f"{y.earliest[:4]}-{y.latest[:4]}")
        if any(not _dates_disjoint(x, y) for x in da for y in db):
            return None  # some pair of dates agrees: no evidence they differ
        if _two_counts(fa, fb):
            return None  # the dates scope two counts ("in 2021, 500 ..."): different times, not a clash
        if all(_said_on(fa, d) for d in da) and all(_said_on(fb, d) for d in db):
            return None  # the days of two sayings ("said on March 3 ..." / "said on March 5 ..."): two reports
        x, y = da[0], db[0]
        one_off = any(p[0].verb in ONE_OFF_VERBS for p in pairs)
        repeatable = any(p[0].verb in VISIT_VERBS for p in pairs)
        if x.year and y.year and x.year != y.year and (repeatable or not (same_event or one_off)):
            return None  # a repeatable event (a visit) in another year is another event
        if repeatable and (not same_event or x.year is None or y.year is None):
            return None  # two visits on two dates are two visits unless both claims are one event
        sev = self.s.sev_date
        if any(d.basis.startswith("relative") for d in (x, y)):
            sev *= self.s.relative_date_discount  # resolved from the page date: less sure
        basis = "; ".join(sorted({d.basis for d in (x, y) if d.basis != "absolute"}))
        return self.differ("date", sev, fa, (x.start, x.end), fb, (y.start, y.end), basis or "",
                           _fmt_d(x), _fmt_d(y))

    def _weekdays(self, fa, fb, pairs, same_event):
        """Two claims of one event naming other weekdays when an article's date is unknown, so a
        weekday stays a name ("will meet ... on Wednesday" / "on Tuesday"): a date conflict of
        less weight, as a weekday resolved from the page date."""
        wa, wb = _weekday_names(fa), _weekday_names(fb)
        if not wa or not wb or set(wa.values()) & set(wb.values()):
            return None
        # one act on both sides: the same subject, verb and object, not a saying ("officials said on
        # Wednesday" and "... said on Thursday" are two articles of two days)
        if not any(p[0].verb not in _SAYING for p in pairs):
            return None
        if _two_counts(fa, fb):
            return None  # (as for dates: they scope two counts)
        if not same_event and any(p[0].verb in VISIT_VERBS for p in pairs):
            return None  # two visits on two days are two visits unless both claims are one event
        (x, nx), (y, ny) = next(iter(wa.items())), next(iter(wb.items()))
        return self.differ("date", self.s.sev_date * self.s.relative_date_discount, fa, (x.start, x.end),
                           fb, (y.start, y.end), "weekday names; an article's date is unknown",
                           nx.capitalize(), ny.capitalize())


def _tally_update(fa: ClaimFacts, qa: Quantity, fb: ClaimFacts, qb: Quantity) -> bool:
    """Whether two counts of one running tally (`TALLY_VERBS`: the dead, the injured, the arrested
    ...; or `TALLY_UNITS` counted on both sides: cases, deaths ...) may be two times of it rather
    than two reports of one (a conflict still, of less weight: `tally_update_discount`; one of
    them may be wrong): told on two days, the later article's count is the higher ("police
    arrested three men" on May 6, "have arrested four men" on May 7: an update); when the articles' dates do not tell which came first (one unknown, or
    the same day), the higher count is told as running, up to the time of its report ("have
    arrested", "so far": `RUNNING`), and the lower one as done ("arrested three men"). A later
    report of fewer stays a conflict, and so do two totals up to their reports ("at least 892
    people have been killed" / "only 300 people have been killed") of days not known apart."""
    verbs = {qa.verb, qb.verb} - {None}           # (one at most: `_same_verb`)
    if verbs - TALLY_VERBS or not (verbs or qa.unit in TALLY_UNITS and qb.unit in TALLY_UNITS):
        return False          # neither a casualty verb of a tally nor a tally's noun on both sides
    da, db = parse_published(fa.published), parse_published(fb.published)
    if None not in da and None not in db and da != db:
        later, earlier = (qa, qb) if da > db else (qb, qa)
        return later.low > earlier.high
    running = [q for q in (qa, qb) if q.window == RUNNING]
    if len(running) != 1:
        return False      # two totals up to their reports ("only 300 have been killed") that differ
    other = qb if running[0] is qa else qa
    return running[0].low > other.high


def _said_on(f: ClaimFacts, d: DateFact) -> bool:
    """Whether the act nearest a date is a saying of what follows ("Nordvik said on March 3 it will
    cut ..."), not of a thing ("announced the cuts on Monday": the announcement is the event)."""
    near = min(f.frames, key=lambda x: abs(x.start - d.start), default=None)
    return near is not None and near.verb in _SAYING and not near.obj


def _names_one(f: ClaimFacts, entity: str | None) -> bool:
    """Whether a subject is one the claim names, not a nationality ("Kurdish fighters died" has the
    Kurdish for subject as the parse gives it; "Rehana is alive" is one person)."""
    return entity is not None and any(m.entity == entity and m.label != "NORP" for m in f.mentions)


def _debunked(f: ClaimFacts, call) -> Frame | None:
    """The act a call of untrue is about: the claim's act nearest it, other than the call's own
    ("denied rumours they fired rubber bullets": fire; "reports that Holm resigned are false": resign)."""
    acts = [x for x in f.frames if not call.start <= x.start < call.end and x.verb not in _HOLDING]
    return min(acts, key=lambda x: min(abs(x.start - call.end), abs(call.start - x.end)), default=None)


_NO = re.compile(r"\b(?:not|no|never|nobody|none|nothing)\b|n't\b", re.I)


def _two_counts(fa: ClaimFacts, fb: ClaimFacts) -> bool:
    """Whether both claims state numbers and not the same ones: their dates may scope two counts
    ("in 2021, 500 people were arrested" / "in 2022, 700 ..."), two times of a series, not one
    event dated two ways; the same numbers on both sides ("will open in March with 500 workers" /
    "in April with 500 workers") tell one event."""
    na = {(q.unit, q.low, q.high) for q in fa.quantities if q.kind == "number"}
    nb = {(q.unit, q.low, q.high) for q in fb.quantities if q.kind == "number"}
    return bool(na and nb) and na != nb


def _aged_spans(f: ClaimFacts) -> list[tuple[int, int]]:
    return [m.age_span for m in f.mentions if m.age_span]


def _within(q: Quantity, spans: list[tuple[int, int]]) -> bool:
    """Whether a quantity is an age one of `_aged_spans` states."""
    return q.unit == "age" and any(q.start < e and s < q.end for s, e in spans)


def _age_quote(m) -> tuple[int, int] | None:
    """What an age conflict quotes of a mention: the name with its age ("Novak, 52", "32-year-old
    Fan Lung", "The 54-year-old"), or the age alone when the two lie apart."""
    if m.age_span is None:
        return None
    s, e = m.age_span
    if max(s, m.start) - min(e, m.end) > 30:
        return m.age_span
    return min(s, m.start), max(e, m.end)


def _age_slack(fa: ClaimFacts, fb: ClaimFacts) -> int:
    """How far two ages of one person may be apart: a birthday between the two reports, and a year
    more per whole year between the articles' dates (when both are known)."""
    da, db = parse_published(fa.published), parse_published(fb.published)
    if da[0] is None or db[0] is None:
        return 1
    months = abs((da[0] * 12 + (da[1] or 1)) - (db[0] * 12 + (db[1] or 1)))
    return 1 + months // 12


# verbs of saying (whose date is the day of the saying, not of what is said)
_SAYING = SPEECH_VERBS | {"report", "confirm", "write", "quote"}
# verbs of saying or of a view held: two claims sharing only such a predicate ("CBO believes that
# 4 million people ...", "if CBO is to be believed, another 23.5 million uninsured people ...") tell
# two things one source holds, not one act whose numbers must agree
_HOLDING = _SAYING | {"believe", "think", "fear", "hope", "assume", "suggest", "warn", "argue", "feel",
                      "know", "doubt", "worry", "note", "acknowledge", "admit"}
# the verbs of no act of one to another that `_directed` reads
_UNDIRECTED = SYMMETRIC_VERBS | CONTEST_VERBS | VISIT_VERBS | _HOLDING | _VAGUE_VERBS


def _weekday_names(f: ClaimFacts) -> dict[DateFact, str]:
    """The claim's dates that are a bare weekday ("Tuesday", "on Tuesday night"), with its name."""
    out = {}
    for d in f.dates:
        first = d.text.split()[0].lower() if d.text.split() else ""
        if first in WEEKDAYS:
            out[d] = first
    return out


def _apart_in_time(fa: ClaimFacts, x: Frame, fb: ClaimFacts, y: Frame) -> bool:
    """Whether two frames' acts are dated apart (the date near each, `_date_near`): two acts."""
    fx, fy = _date_near(fa, x), _date_near(fb, y)
    return bool(fx and fy and _dates_disjoint(fx, fy))


def _date_near(f: ClaimFacts, frame: Frame) -> DateFact | None:
    ds = [d for d in f.dates if d.resolved]
    return min(ds, key=lambda d: abs(d.start - frame.start)) if ds else None


_ORDINAL = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


# verbs saying which way a thing moved: of their subject ("shares rose", "profit fell", "exports
# grew"), or of their object, for those that move one ("raised its key rate", "cut the rate")
MOVE_UP = {"rise", "climb", "grow", "gain", "jump", "surge", "soar", "increase", "advance", "rally", "rebound",
           "expand", "swell", "spike", "rocket", "raise", "boost", "hike"}
MOVE_DOWN = {"fall", "drop", "decline", "decrease", "slip", "slide", "sink", "plunge", "tumble", "shrink", "dip",
             "contract", "slump", "plummet", "sag", "cut", "lower", "reduce", "slash", "trim"}
_MOVES_OBJECT = {"raise", "boost", "hike", "cut", "lower", "reduce", "slash", "trim"}


def _one_doer(x: Frame, y: Frame) -> bool:
    """Two frames of one doer's one kind of act: one subject entity and verb (visit verbs as one),
    or one subject noun and verb."""
    if x.subject:
        return x.subject == y.subject and _one_act(x, y)
    return bool(x.subject_noun) and x.subject_noun == y.subject_noun and x.verb == y.verb


def _place_mention(f: ClaimFacts, frame: Frame):
    """The mention of a frame's place: the first after its verb, else any."""
    got = [m for m in f.mentions if m.entity == frame.place]
    return next((m for m in got if m.start >= frame.end), got[0] if got else None)


def _moves(f: ClaimFacts) -> list[tuple[Frame, str, tuple]]:
    """Each frame of `f` saying which way a thing moved: (frame, "up" or "down", the thing: its
    subject (entity, else noun), the subject's head noun and, for a verb moving its object, the
    object). Not negated frames, not a thing the claim moves both ways, and not a move one way in a
    claim that moves something it does not name the other way ("rose 2 percent in early trading
    before falling 1 percent": what fell is the shares too)."""
    out = []
    unnamed: set[str] = set()           # the ways things the claim does not name moved
    for x in f.frames:
        way = "up" if x.verb in MOVE_UP else "down" if x.verb in MOVE_DOWN else None
        negated = x.negated
        if x.verb == "win" and x.negated and x.cue and x.cue.split()[-1].lower() in _LOSE:
            way, negated = "down", False        # ("lost", read as "did not win")
        who = x.subject or x.subject_noun
        if way is None or negated:
            continue
        if not who:
            unnamed.add(way)
            continue
        if (x.verb == "gain" or way == "down" and x.verb == "win") and _amount_after(f, x) is None:
            continue        # a gain or loss of an amount: not "gained ground", "lost the election"
        out.append((x, way, (who, x.head, x.obj if x.verb in _MOVES_OBJECT else None)))
    both = {t for _, w, t in out if w == "up"} & {t for _, w, t in out if w == "down"}
    return [m for m in out if m[2] not in both and ("down" if m[1] == "up" else "up") not in unnamed]


_LOSE = {"lost", "lose", "loses", "losing"}
_UNIT_AFTER = re.compile(r"\s*(?:%|per\s*cent\b|percent\b|pct\b|(?:percentage|basis)\s+points?\b)", re.I)


def _amount_after(f: ClaimFacts, frame: Frame) -> Quantity | None:
    """The amount right after a verb ("rose 2 percent", "fell by 12%")."""
    return next((q for q in f.quantities if 0 <= q.start - frame.end <= 4), None)


def _moved_span(f: ClaimFacts, frame: Frame, articles) -> tuple[int, int]:
    """The verb of a move with the amount right after it and its unit ("rose 2 percent", "fell 12%")."""
    q = _amount_after(f, frame)
    if q is None:
        return frame.start, frame.end
    unit = _UNIT_AFTER.match(articles[f.article_id].text, q.end)
    return frame.start, unit.end() if unit else q.end


def _neg_span(f: ClaimFacts, frame: Frame, articles) -> tuple[int, int]:
    text = articles[f.article_id].text
    s, e = frame.start, frame.end
    if frame.cue:
        i = text.rfind(frame.cue.split()[0], max(0, s - 40), s)
        if i >= 0:
            s = i
        elif (j := text.find(frame.cue.split()[-1], e, e + 40)) >= 0:
            e = j + len(frame.cue.split()[-1])      # after the verb: "pleaded not guilty"
    return s, e


def _norm_title(t: str) -> str:
    t = re.sub(r"\s+", " ", t.lower().replace("defence", "defense")).strip()
    # "Minister of Shipping" is the "Shipping Minister", "Deputy Minister of Health" the "Deputy
    # Health Minister"
    return re.sub(r"\bminister of (?:the )?(\w+)$", r"\1 minister", t)


def _office(t: str) -> str:
    t = _norm_title(t)
    for o in ("foreign minister", "defense minister", "deputy prime minister", "prime minister", "deputy minister",
              "ambassador", "envoy", "president", "spokesman", "spokeswoman", "spokesperson"):
        if o in t:
            return "spokesperson" if o.startswith("spokes") else o
    return t


# an entry of the corpus' offices per person that holds a nationality stated with them
# ("Russian Foreign Minister Sergei Lavrov": "foreign minister" and "nationality:russia")
_NATIONALITY = "nationality:"


def _offices_in(held: Iterable[str]) -> set[str]:
    return {o for o in held if not o.startswith(_NATIONALITY)}


def _nationalities_in(held: Iterable[str]) -> set[str]:
    return {o[len(_NATIONALITY):] for o in held if o.startswith(_NATIONALITY)}


def _specific(offices: set[str]) -> set[str]:
    """Drop 'minister' when 'foreign minister' is there too."""
    return {o for o in offices if not any(p != o and p.endswith(" " + o) for p in offices)}


_NUMBERED_TITLE = re.compile(rf"^(?:the\s+)?({_ORD})\s+(.+)$")


def _numbered(t: str) -> tuple[int, str] | None:
    """A title's number and office: "45th president" is (45, "president"), "first president" (1, ...)."""
    m = _NUMBERED_TITLE.match(t)
    return (_ordinal(m.group(1)), m.group(2)) if m else None


def _is_rank(t: str) -> bool:
    return any(w in RANK_WORDS for w in t.split()) and "minister" not in t


def _portfolio_clash(a: str, b: str) -> bool:
    """'foreign minister' vs 'defense minister' clash; 'prime minister' + 'senior general' do not."""
    ma, mb = re.search(r"(\w+) minister", a), re.search(r"(\w+) minister", b)
    if not (ma and mb):
        return False
    pa, pb = ma.group(1), mb.group(1)
    return pa != pb and not {pa, pb} & {"prime", "deputy", "state"}


# the titles of the head of a state and of the head of its government, whole ("Vice President"
# and "Deputy Prime Minister" are other offices)
_HEADS_OF_STATE, _HEADS_OF_GOVERNMENT = {"president"}, {"prime minister", "premier"}
_QUALIFIER_RE = re.compile(rf"\b(?:{TITLE_QUALIFIERS})[- \t]*$", re.I)


# a company's chief officers, however written ("CEO" and "Chief Executive" are "chief executive officer")
_C_SUITE = {"ceo": "chief executive officer", "cfo": "chief financial officer", "coo": "chief operating officer",
            "cto": "chief technology officer", "chief executive": "chief executive officer"}


def _c_suite(t: str) -> str | None:
    t = _C_SUITE.get(t, t)
    return t if t in _C_SUITE.values() else None


def _c_suite_clash(a: str, b: str) -> bool:
    """'Chief Executive Officer X' vs 'Chief Financial Officer X' (or 'CFO X'): two chief offices."""
    ca, cb = _c_suite(a), _c_suite(b)
    return ca is not None and cb is not None and ca != cb


def _heads_clash(a: str, b: str) -> bool:
    """'President X' vs 'Prime Minister X': one person named the head of state in one claim and the
    head of government in the other."""
    return (a in _HEADS_OF_STATE and b in _HEADS_OF_GOVERNMENT) or \
        (b in _HEADS_OF_STATE and a in _HEADS_OF_GOVERNMENT)


def _noun_class(noun: str) -> str | None:
    if noun in AGREEMENT_NOUNS:
        return "agreement"
    if noun in GROUP_NOUNS:
        return "group"
    return None


def _words(entity: str) -> frozenset[str]:
    """The words of an entity id, order and linking words aside: "University of Oxford" is
    "Oxford University"."""
    return frozenset(full_legal_form(entity.removeprefix("e:").split("-"))) - {"of", "the", "and", "for", "s"}


def _same_expansion(a: str, b: str, threshold: float) -> bool:
    ta = [w for w in full_legal_form(_P(a).split()) if w not in {"of", "the", "and", "for"}]
    tb = [w for w in full_legal_form(_P(b).split()) if w not in {"of", "the", "and", "for"}]
    if len(ta) != len(tb):
        return fuzz.ratio(" ".join(ta), " ".join(tb)) >= 90
    return all(fuzz.ratio(x, y) >= threshold for x, y in zip(ta, tb))


def _with_near(pairs: Iterable[tuple[str, str, bool]], facts: Mapping[str, ClaimFacts],
               near_of: Callable[[Iterable[tuple[str, str]]], Mapping[tuple[str, str], bool | float]],
               chunk: int = 4096):
    """(a, b, same_event, near) of each pair (near: True, False, or the cosine of a pair the
    matcher must confirm, see `find_conflicts`): whether a pair outside one cluster is near is asked
    (`near_of`, a chunk of pairs at once) only when both claims state quantities, both dates, or
    one contest, what the checks of one event compare."""
    buf: list[tuple[str, str]] = []

    def flush():
        near = near_of(buf)
        yield from ((a, b, False, near.get((a, b), False)) for a, b in buf)
        buf.clear()
    for a, b, same in pairs:
        fa, fb = facts[a], facts[b]
        if same or not (fa.quantities and fb.quantities or fa.dates and fb.dates or _sides(fa) & _sides(fb)
                        or {k for _, k in _directed(fa)} & {k for _, k in _directed(fb)}):
            yield a, b, same, False
            continue
        buf.append((a, b))
        if len(buf) >= chunk:
            yield from flush()
    yield from flush()


def _candidate_pairs(claims: Sequence[Claim], facts: Mapping[str, ClaimFacts],
                     clusters: Sequence[Cluster] | None):
    """(a, b, same_event): pairs in one cluster, plus pairs sharing a key (`_pair_keys`).

    With clusters=None every pair is a candidate (development without clustering)."""
    ids = [c.id for c in claims if c.id in facts]
    same: set[tuple[str, str]] = set()
    for k in clusters or ():
        members = [c for c in k.claim_ids if c in facts]
        for a, b in itertools.combinations(sorted(members), 2):
            same.add((a, b))
    if clusters is None:
        for a, b in itertools.combinations(ids, 2):
            yield a, b, False
        return
    by_key: dict[str, set[str]] = defaultdict(set)
    for cid in ids:
        for k in _pair_keys(facts[cid]):
            by_key[k].add(cid)
    seen = set()
    for (a, b) in same:
        seen.add((a, b))
        yield a, b, True
    for members in by_key.values():
        if len(members) > _KEY_CAP:
            continue  # an entity in every claim ("Myanmar") is no evidence of a shared topic
        for a, b in itertools.combinations(sorted(members), 2):
            if (a, b) not in seen:
                seen.add((a, b))
                yield a, b, False


_KEY_CAP = 400   # a key shared by more claims than this yields no candidate pairs (see _candidate_pairs)


def _pair_keys(f: ClaimFacts) -> set[str]:
    """A claim's candidate keys: its entities, acronyms, plans' numbers, the units it counts
    (two claims counting one unit in near wording are one event for the number check even when
    the parser found no name in either: "The quake hit at 4:35 a.m. ..." / "... at 9:35 a.m. ...")
    and the acts of nouns it states (`_noun_acts`, for the negation check)."""
    return {*f.entities, *("acr:" + d.acronym for d in f.acronyms), *(f"plan:{p.number}" for p in f.plans),
            *(f"q:{q.unit}" for q in f.quantities if q.unit), *("w:" + k for _, k in _noun_acts(f))}


def fact_probe(f: ClaimFacts) -> str:
    """What a pair check needs to know of a claim to tell that it cannot find a conflict with
    another (`may_conflict`), as tokens joined by \x1f: per mention, its entity when it has a title
    (t:), is a person with a title (p:), has a gender (g:), an affiliation (o:) or an age (y:); the acronyms (a:), the plans' numbers
    (n:), the markers' entities (m:), each frame's subject and verb (f:, visit verbs as one; v: for
    a subject that names no entity, by its noun, and for a thing moved one way, `_moves`, by the
    thing and "~"; w: such a noun's act, `_noun_acts`), each side of a contest it says who won (x:,
    `_sides`), each act of one named one to another with its two ends in order (r:, `_directed`),
    each office of one holder a named one is made (h:, `_made_holder`),
    each noun it counts with its verb (c:, `_counted`) and each run of events it places
    an event in (c:#, `_series`), each quantity with a unit by its kind and unit (q:,
    `_quantity_keys`; with the range of a key's only quantity, qv:), whether it has speakers (s),
    dates the date check compares (d: resolved or with a month), a date named by its weekday (dw)
    and a call of untrue (k: a debunk marker).
    Stored with the claim's facts."""
    out = set()
    for m in f.mentions:
        if m.title:
            out.add(f"t:{m.entity}")
            if m.person:
                out.add(f"p:{m.entity}")
        if m.gender:
            out.add(f"g:{m.entity}")
        if m.affiliation or m.party:
            out.add(f"o:{m.entity}")
        if m.age is not None:
            out.add(f"y:{m.entity}")
    out.update(f"a:{d.acronym}" for d in f.acronyms)
    out.update(f"n:{p.number}" for p in f.plans)
    out.update(f"m:{m.entity}" for m in f.markers if m.entity)
    out.update(f"f:{x.subject}\x1e{'visit' if x.verb in VISIT_VERBS else x.verb}" for x in f.frames if x.subject)
    out.update(f"v:{x.subject_noun}\x1e{x.verb}" for x in f.frames if x.subject_noun)
    out.update(f"v:{who}\x1e{head}\x1e{obj}\x1e~" for _, _, (who, head, obj) in _moves(f))
    out.update("w:" + k for _, k in _noun_acts(f))
    out.update(f"x:{e}" for e in _sides(f))
    out.update(f"r:{key}" for _, key in _directed(f))
    out.update(f"h:{x.obj}" for x in _made_holder(f))
    out.update(f"c:{verb}\x1e{unit}" for verb, unit in _counted(f))
    out.update(f"c:#{q.unit}\x1e{q.window}" for q in _series(f))
    out.update(_quantity_keys(f))
    out.update(t for t, there in (("s", f.speakers), ("d", [d for d in f.dates if d.resolved or d.month]),
                                  ("dw", _weekday_names(f)),
                                  ("k", [m for m in f.markers if m.kind == "debunk"])) if there)
    return "\x1f".join(sorted(out))


def _quantity_keys(f: ClaimFacts) -> set[str]:
    """A probe token (q:) per quantity the number check of one event may compare with another's:
    its kind and unit, a rank's by what it ranks and by which measure (`_units_meet` lets two
    ranks of one thing meet across "the country" and the country named). A quantity without a
    unit meets none."""
    keyed: dict[str, list[Quantity]] = defaultdict(list)
    for q in f.quantities:
        if not q.unit:
            continue
        m = _RANK_UNIT.fullmatch(q.unit) if q.kind == "rank" else None
        keyed[f"rank\x1e{m['what']}\x1e{m['by']}" if m is not None else f"{q.kind}\x1e{q.unit}"].append(q)
    out = {"q:" + k for k in keyed}
    # the range of a key's only quantity (qv:): two claims whose only quantities of one key hold
    # ranges [low, high] of numbers >= 0 that meet cannot differ in it, whatever the tolerance
    # (which only widens them: `_disjoint`); a key of two quantities has none
    out.update(f"qv:{k}\x1d{qs[0].low!r}\x1d{qs[0].high!r}" for k, qs in keyed.items()
               if len(qs) == 1 and 0 <= qs[0].low <= qs[0].high)
    return out


def probe_tokens(probe: str) -> frozenset[str]:
    """The tokens of a `fact_probe`, as `may_conflict` takes them."""
    return frozenset(probe.split("\x1f")) - {""}


_SHARED_ENOUGH = ("a:", "n:", "m:", "g:", "f:", "o:", "c:", "y:", "w:")   # one shared is enough for some check to compare


def may_conflict(a: frozenset[str], b: frozenset[str], same_event: bool) -> bool:
    """Whether `_Checker.pair` may find a conflict between two claims with these `fact_probe`
    tokens (False: it finds none). Every check needs something both claims state: a title on a
    person one names and the other titles (title), an affiliation of one person (affiliation), a gender of one entity (gender), an age of one person (age), an acronym
    (acronym), a plan's number (plan), a marker's entity (precedence), speakers on both sides
    (role), a shared subject and verb (negation; numbers and dates outside one cluster), a noun
    counted with one verb (numbers outside one cluster: `_shared_count`); and in
    one cluster, quantities of one kind in units that meet, unless each side holds one quantity of
    them and their ranges meet (numbers), dates on both sides, or
    weekday names on both (dates), a subject noun and verb
    (negation), a thing moved (direction), a side of a contest (who won), an act between two named
    ones (r:, either way round: who did it to whom), an office of one holder two are made (h:), or a
    call of untrue on one side only (debunk:
    probe token k)."""
    return may_level(a, b) >= (1 if same_event else 2)


def may_level(a: frozenset[str], b: frozenset[str]) -> int:
    """`may_conflict` of both kinds of pair at once: 2 when a check may find a conflict in any
    pair with these tokens, 1 only in a pair of one event (one cluster, or near), 0 in none."""
    shared = a & b
    if "s" in shared or any(t.startswith(_SHARED_ENOUGH) for t in shared):
        return 2
    if any(t.startswith("p:") and "t:" + t[2:] in b for t in a) or \
            any(t.startswith("p:") and "t:" + t[2:] in a for t in b):
        return 2
    if "d" in shared or "dw" in shared or any(t.startswith(("v:", "x:", "r:", "h:")) for t in shared) \
            or ("k" in a) != ("k" in b):
        return 1
    # the quantity keys both hold, but for those whose only quantity on each side holds one range
    # (one qv: token) or ranges that meet: no numbers that differ
    keys, same = [], set()
    for t in shared:
        if t[:2] == "q:":
            keys.append(t)
        elif t[:3] == "qv:":
            same.add("q:" + t[3:t.index("\x1d")])
    keys = [k for k in keys if k not in same]
    if not keys:
        return 0
    va = _only_values(a)
    if any(k not in va for k in keys):
        return 1
    vb = _only_values(b)
    for k in keys:
        x, y = va[k], vb.get(k)
        if y is None or x[1] < y[0] or y[1] < x[0]:
            return 1
    return 0


@functools.lru_cache(maxsize=4096)
def _only_values(tokens: frozenset[str]) -> dict[str, tuple[float, float]]:
    """Per quantity key (its q: token, `_quantity_keys`) of which a claim holds one quantity, its
    range (a claim's tokens are asked for with each pair it is in: kept for the next)."""
    out = {}
    for t in tokens:
        if t[:3] == "qv:":
            k, low, high = t.split("\x1d")
            out["q:" + k[3:]] = (float(low), float(high))
    return out


@dataclass
class Previous:
    """What the previous analysis checked, to check again only the pairs that may have changed.

    A pair's verdict depends on the two claims' facts, their articles and claims, the settings,
    whether the pair is same-event (one cluster) and the corpus-wide `offices` of the speakers'
    entities. `changed` holds the claims whose facts/article changed since that analysis; the
    caller guarantees everything else (settings, rule version) is the same."""
    changed: set[str]
    clusters: Sequence[Cluster]           # its clusters (same-event pairs then)
    key_sizes: Mapping[str, int]          # claims per candidate key then
    offices: Mapping[str, Sequence[str]]  # entity -> offices (and nationalities) then
    # its conflicts, or a loader: ids -> its conflicts touching those claims or a claim that is
    # gone (None: all of them); then only those are read, and the result holds only the
    # conflicts touching changed or regrouped claims (every other stored conflict stays as it is)
    conflicts: Sequence[Conflict] | Callable[[set[str] | None], Sequence[Conflict]]
    loaded: Sequence[Conflict] | None = None   # set by find_conflicts: the conflicts it read
    partial: bool = False                      # set by find_conflicts: the result is partial


def corpus_state(facts: Mapping[str, ClaimFacts], summaries: Summaries | None = None) -> dict:
    """The corpus-level inputs of the pair checks, to store for the next `Previous`
    (`summaries`: `fact_summary` of every claim, when the caller has them)."""
    summaries = _summaries(facts, summaries)
    sizes: dict[str, int] = defaultdict(int)
    for keys, _ in summaries.values():
        for k in keys:
            sizes[k] += 1
    return {"key_sizes": dict(sizes), "offices": {e: sorted(o) for e, o in _offices(facts, summaries).items()}}


# the rules of `fact_summary`, whose output is stored with the normalisation cache (its rows are
# made again when this changes)
SUMMARY_VERSION = "2"


def fact_summary(f: ClaimFacts) -> tuple[list[str], list[list[str]]]:
    """What the corpus-level inputs of the pair checks take from one claim: its candidate keys and
    the (entity, office) pairs it states, with (entity, `_NATIONALITY` + nationality) for a
    nationality stated with a titled person or a named speaker. Stored with the claim's facts, so
    that an analysis of a delta reads these instead of decoding every claim's facts."""
    offices = [[m.entity, _office(m.title)] for m in f.mentions if m.person and m.title]
    offices += [[m.entity, _NATIONALITY + m.nationality] for m in f.mentions if m.person and m.title and m.nationality]
    offices += [[sp.entity, sp.office] for sp in f.speakers if sp.entity and sp.office]
    offices += [[sp.entity, _NATIONALITY + sp.nationality] for sp in f.speakers if sp.entity and sp.nationality]
    return sorted(_pair_keys(f)), offices


Summaries = Mapping[str, tuple[Sequence[str], Sequence[Sequence[str]]]]


def _summaries(facts: Mapping[str, ClaimFacts], summaries: Summaries | None) -> Summaries:
    return summaries if summaries is not None else {cid: fact_summary(f) for cid, f in facts.items()}


def _offices(facts: Mapping[str, ClaimFacts], summaries: Summaries | None = None) -> dict[str, set[str]]:
    """Offices each person holds anywhere in the corpus."""
    out: dict[str, set[str]] = defaultdict(set)
    for _, offices in _summaries(facts, summaries).values():
        for entity, office in offices:
            out[entity].add(office)
    return out


class FactIndex:
    """The corpus-level inputs of the pair checks kept as an index between analyses (the store's
    `fact_keys` / `fact_offices`, read through the callables), so that a delta reads the candidate
    keys and offices it needs instead of every claim's summary.

    `fresh`: the summaries of the claims of the articles read afresh; `stale`: the articles whose
    stored rows are no longer theirs (read afresh, or gone). `old_rows(articles)` -> ((claim, key)
    rows, (claim, entity, office) rows) stored for those articles; `members(keys)` -> (key, claim,
    article) rows; `keys_of(claims)` -> (claim, key) rows; `office_rows(entities)` -> the distinct
    (entity, office) pairs that articles not in `stale` hold. `prev_key_sizes` / `prev_offices`: the previous analysis' `corpus_state`."""

    def __init__(self, fresh: Summaries, stale: set[str], old_rows, members, keys_of, office_rows,
                 prev_key_sizes: Mapping[str, int], prev_offices: Mapping[str, Sequence[str]]) -> None:
        self._fresh, self.stale = fresh, stale
        self._members_q, self._keys_q = members, keys_of
        self._prev_sizes = prev_key_sizes
        self._keys: dict[str, set[str]] = {c: set(v[0]) for c, v in fresh.items()}
        # members of the keys read so far that have at most _KEY_CAP claims now (a larger key gives
        # no candidate pairs: only its size is needed)
        self.by_key: dict[str, set[str]] = {}
        self._read: set[str] = set()
        old_keys, old_offices = old_rows(sorted(stale))
        # keys whose members changed: those of the claims that left or came; their sizes now are
        # the previous ones minus the rows that left plus the claims that came
        self.moved_keys = {k for _, k in old_keys} | {k for v in self._keys.values() for k in v}
        self.sizes: dict[str, int] = {k: prev_key_sizes.get(k, 0) for k in self.moved_keys}
        for _, k in old_keys:
            self.sizes[k] -= 1
        for v in self._keys.values():
            for k in v:
                self.sizes[k] += 1
        self.ensure(self.moved_keys)
        entities = {e for _, e, _ in old_offices} | {e for v in fresh.values() for e, _ in v[1]}
        self.offices: dict[str, set[str]] = {e: set(o) for e, o in prev_offices.items()}
        for e in entities:
            self.offices.pop(e, None)
        for e, office in office_rows(sorted(entities)):
            self.offices.setdefault(e, set()).add(office)
        for v in fresh.values():
            for e, office in v[1]:
                self.offices.setdefault(e, set()).add(office)

    def ensure(self, keys) -> None:
        """Read the members of these keys (now) if not read yet, those of at most _KEY_CAP claims."""
        want = {k for k in keys if k not in self._read}
        self._read |= want
        want = {k for k in want if self.size(k) <= _KEY_CAP}
        for k in want:
            self.by_key[k] = set()
        for k, c, a in self._members_q(sorted(want)):
            if a not in self.stale:
                self.by_key[k].add(c)
        for c, (ks, _) in self._fresh.items():
            for k in want.intersection(ks):
                self.by_key[k].add(c)

    def holding(self, keys: Iterable[str]) -> list[str]:
        """The claims that have one of these keys now (those of any size), in id order."""
        keys = set(keys)
        out = {c for _, c, a in self._members_q(sorted(keys)) if a not in self.stale}
        out.update(c for c, (ks, _) in self._fresh.items() if keys.intersection(ks))
        return sorted(out)

    def prefetch(self, claims) -> None:
        """Read the keys of these claims (not read afresh) if not read yet."""
        want = sorted(c for c in claims if c not in self._keys)
        for c in want:
            self._keys[c] = set()
        for c, k in self._keys_q(want):
            self._keys[c].add(k)

    def keys_of(self, claim: str) -> set[str]:
        if claim not in self._keys:
            self.prefetch([claim])
        return self._keys[claim]

    def size(self, key: str) -> int:
        """How many claims have this key now."""
        n = self.sizes.get(key)
        return self._prev_sizes.get(key, 0) if n is None else n

    def state(self) -> dict:
        """`corpus_state` of the corpus now."""
        sizes = dict(self._prev_sizes)
        for k in self.moved_keys:
            if self.sizes[k] > 0:
                sizes[k] = self.sizes[k]
            else:
                sizes.pop(k, None)
        return {"key_sizes": sizes, "offices": {e: sorted(o) for e, o in self.offices.items() if o}}


class _KeptOf:
    """claim id -> the id of its cluster, when that is one of `then_ids` (kept from the previous
    analysis), found through `cluster_at` one claim at a time."""

    def __init__(self, clusters: Sequence[Cluster], then_ids: set[str],
                 cluster_at: Callable[[Iterable[str]], Mapping[str, int]]) -> None:
        self._clusters, self._then, self._at = clusters, then_ids, cluster_at

    def get(self, cid: str, default=None):
        j = self._at((cid,)).get(cid)
        k = self._clusters[j] if j is not None else None
        return k.id if k is not None and k.id in self._then else default


def _incremental_pairs(claims: Sequence[Claim], facts: Mapping[str, ClaimFacts],
                       clusters: Sequence[Cluster], prev: Previous, offices: Mapping[str, set[str]],
                       summaries: Summaries | None = None, index: FactIndex | None = None,
                       cluster_at: Callable[[Iterable[str]], Mapping[str, int]] | None = None):
    """(pairs to check again -> same_event, stored conflicts still valid).

    Same-event pairs are enumerated only inside clusters that differ from the previous analysis
    (a cluster's id is the hash of its members) or that hold a changed claim; key pairs only for
    keys that hold a changed claim or whose size crossed the cap."""
    def every_id() -> list[str]:
        """Every claim with facts (a store.ClaimTable gives its ids without reading every claim);
        a pass over the corpus, only when offices moved or there is no pair-check index."""
        return [cid for cid in (claims.ids if hasattr(claims, "ids") else (c.id for c in claims)) if cid in facts]

    changed = set(prev.changed)
    moved = {e for e in set(offices) | set(prev.offices)
             if sorted(offices.get(e, ())) != sorted(prev.offices.get(e, ()))}
    if moved:
        # (a speaker named is one of the claim's entities, so one of its keys: with the index, only
        # the claims holding a moved entity as a key are looked at, not every claim)
        for cid in (index.holding(moved) if index is not None else every_id()):
            if cid not in facts:
                continue
            # (a speaker whose office or nationality the claim leaves to the corpus)
            if any((not sp.office or not sp.nationality) and (sp.entity or "") in moved for sp in facts[cid].speakers):
                changed.add(cid)
    now_ids = {k.id for k in clusters}
    then_ids = {k.id for k in prev.clusters}
    # A cluster kept from then (same id: same members) holds the same claims now and then; a claim
    # of a new cluster was in a lost one or in none then, and one of a lost cluster is in a new one
    # or in none now. So the new and the lost clusters' maps answer for the regrouped claims, and
    # the kept clusters' (built only when a pair of other claims asks) for every other claim.
    born_of: dict[str, str] = {}
    for k in clusters:
        if k.id not in then_ids:
            born_of.update(dict.fromkeys(k.claim_ids, k.id))
    lost_of: dict[str, str] = {}
    for k in prev.clusters:
        if k.id not in now_ids:
            lost_of.update(dict.fromkeys(k.claim_ids, k.id))
    regrouped = born_of.keys() | lost_of.keys()
    # A lost cluster whose members are all in one new cluster that holds no other lost cluster's
    # claims: a pair of two of its members, or of one of them and a claim outside that new
    # cluster, is same-event now exactly when it was then. Its members are regrouped (their
    # cluster's id moved) but their stored conflicts stand: `moved` leaves them out, so a new
    # article joining a cluster of hundreds of claims does not read all their conflicts. The
    # claims the new cluster gained stay in `moved` (their pairs with the members changed and are
    # read), and so do two merged clusters' members (their pairs across changed).
    moved = set(regrouped)
    feeds: dict[str, set[str | None]] = defaultdict(set)     # new cluster -> the lost ones it holds claims of
    for c, b in born_of.items():
        feeds[b].add(lost_of.get(c))
    for k in prev.clusters:
        if k.id in now_ids:
            continue
        into = {born_of.get(c) for c in k.claim_ids}
        if len(into) == 1 and None not in into and feeds[next(iter(into))] - {None} == {k.id}:
            moved.difference_update(k.claim_ids)

    @functools.cache
    def kept_of() -> Mapping[str, str]:
        if cluster_at is not None:
            return _KeptOf(clusters, then_ids, cluster_at)
        out: dict[str, str] = {}
        for k in clusters:
            if k.id in then_ids:
                out.update(dict.fromkeys(k.claim_ids, k.id))
        return out

    def same(a: str, b: str, regrouped_of: Mapping[str, str]) -> bool:
        """Whether `a` and `b` are in one cluster (now with `born_of`, then with `lost_of`)."""
        ra, rb = a in regrouped, b in regrouped
        if ra != rb:
            return False            # one is in a new (or lost) cluster or none, the other in a kept one or none
        of = regrouped_of if ra else kept_of()
        x = of.get(a)
        return x is not None and x == of.get(b)

    def pairs_apart(k: Cluster, group_of: Mapping[str, str], also: set[str]) -> set[tuple[str, str]]:
        """The pairs (a < b) of `k`'s claims that are not both in one cluster of `group_of`, or
        that hold a claim of `also`. Output-sensitive: for a cluster that grew by one claim these
        are that claim's pairs, without going through every pair of its members."""
        members = sorted(c for c in k.claim_ids if c in facts)
        groups: dict = defaultdict(list)
        for c in members:
            groups[group_of.get(c) or ("", c)].append(c)     # a claim in no cluster is alone
        out: set[tuple[str, str]] = set()
        parts = list(groups.values())
        for gi, ga in enumerate(parts):
            for gb in parts[gi + 1:]:
                out.update((a, b) if a < b else (b, a) for a in ga for b in gb)
        for x in also.intersection(members):
            out.update((x, y) if x < y else (y, x) for y in members if y != x)
        return out

    def same_now(a: str, b: str) -> bool:
        return same(a, b, born_of)

    def same_then(a: str, b: str) -> bool:
        return same(a, b, lost_of)

    if index is None:
        by_key: dict[str, set[str]] = defaultdict(set)
        keys_of: dict[str, set[str]] = {}
        for cid in every_id():
            keys_of[cid] = set(summaries[cid][0]) if summaries is not None else _pair_keys(facts[cid])
            for key in keys_of[cid]:
                by_key[key].add(cid)
        key_of, has_facts = keys_of.__getitem__, keys_of.__contains__

        def size(k: str) -> int:
            return len(by_key[k])
    else:
        # only the keys whose members moved or hold a changed claim can add pairs; the others keep
        # their members and sizes (`FactIndex`)
        index.prefetch(changed)
        index.ensure(k for c in changed if c in facts for k in index.keys_of(c))
        by_key = index.by_key
        key_of, size = index.keys_of, index.size

        def has_facts(c: str) -> bool:
            return c in facts

    def candidate(a: str, b: str) -> bool:
        return any(size(k) <= _KEY_CAP for k in key_of(a) & key_of(b))

    # same-event pairs: checked again unless both claims are unchanged and were same-event before
    todo: dict[tuple[str, str], bool] = {}
    # the clusters holding a changed claim (by index)
    hold_changed = (set(cluster_at(changed).values()) if cluster_at is not None else
                    {j for j, k in enumerate(clusters) if not changed.isdisjoint(k.claim_ids)})
    lost = [k for k in prev.clusters if k.id not in now_ids]
    if hasattr(facts, "know"):              # (facts read on demand: the claims asked about, at once)
        facts.know(itertools.chain.from_iterable(
            k.claim_ids for j, k in enumerate(itertools.chain(clusters, lost))
            if j >= len(clusters) or k.id not in then_ids or j in hold_changed))
    for j, k in enumerate(clusters):
        if k.id not in then_ids:
            # a new cluster: its pairs that hold a changed claim or were not same-event before
            for p in sorted(pairs_apart(k, lost_of, changed)):
                todo[p] = True
        elif j in hold_changed:
            for p in sorted(pairs_apart(k, dict.fromkeys(k.claim_ids, k.id), changed)):
                todo[p] = True
    # a lost cluster: its pairs that are not same-event now (their claims' keys read at once)
    apart = [p for k in lost for p in sorted(pairs_apart(k, born_of, set()))]
    if index is not None:
        index.prefetch({c for p in apart for c in p if c in facts})
    for p in apart:
        if has_facts(p[0]) and has_facts(p[1]) and candidate(*p):
            todo.setdefault(p, False)
    for key, members in by_key.items():
        if len(members) > _KEY_CAP:
            continue
        if prev.key_sizes.get(key, _KEY_CAP + 1) <= _KEY_CAP:
            # pairs of unchanged claims were checked last time through this key
            new = members & changed
            for x in new:
                for y in members:
                    if x != y:
                        todo.setdefault((x, y) if x < y else (y, x), False)
        else:
            for p in itertools.combinations(sorted(members), 2):
                todo.setdefault(p, False)
    # A stored conflict of two unchanged claims stays when the pair is same-event now and then, or
    # neither and still a candidate. A pair that was not same-event came from a key of at most
    # _KEY_CAP claims; unless some key grew past the cap it still does, and a pair whose claims
    # are both outside the clusters that changed has the same same-event status now and then.
    # (with the index, only the keys whose members moved can have crossed the cap; `by_key` holds
    # the keys of at most _KEY_CAP claims)
    sized = ([(k, index.size(k)) for k in index.moved_keys] if index is not None
             else [(k, len(m)) for k, m in by_key.items()])
    crossed = any(n > _KEY_CAP and prev.key_sizes.get(k, _KEY_CAP + 1) <= _KEY_CAP for k, n in sized)

    def still(a: str, b: str) -> bool:
        if not crossed and a not in moved and b not in moved:
            return True
        return ((same_now(a, b) and same_then(a, b))
                or (not same_now(a, b) and not same_then(a, b) and candidate(a, b)))

    if callable(prev.conflicts):
        crossed_down = any(n <= _KEY_CAP < prev.key_sizes.get(k, 0) for k, n in sized)
        # without a key crossing the cap, every pair checked again and every stored conflict that
        # may go touches a changed or regrouped claim
        prev.partial = not (crossed or crossed_down)
        prev.loaded = prev.conflicts(changed | moved if prev.partial else None)
    else:
        prev.loaded = prev.conflicts
    keep = [x for x in prev.loaded
            if has_facts(x.a) and has_facts(x.b) and x.a not in changed and x.b not in changed
            and (x.a, x.b) not in todo and still(x.a, x.b)]
    return todo, keep


def find_conflicts(claims: Sequence[Claim], facts: Mapping[str, ClaimFacts],
                   clusters: Sequence[Cluster] | None, articles: Mapping[str, Article],
                   settings: ConflictSettings = ConflictSettings(), nli: "NLIScorer | None" = None,
                   previous: Previous | None = None, summaries: Summaries | None = None,
                   index: FactIndex | None = None,
                   cluster_at: Callable[[Iterable[str]], Mapping[str, int]] | None = None,
                   probes: Callable[[set[str]], Mapping[str, frozenset[str]]] | None = None,
                   cosines: Callable[[Sequence[tuple[str, str]]], Sequence[float]] | None = None,
                   same_story: Callable[[Sequence[tuple[str, str]], Sequence[float]], Sequence[bool]] | None = None
                   ) -> list[Conflict]:
    """Conflicts between claims about the same event or entity, one per claim pair and kind.

    With `previous` (the previous analysis of the same corpus minus the `changed` claims, same
    settings), only pairs that may have a different verdict are checked again and the previous
    conflicts of the other candidate pairs are kept: the result is the same as without it.
    `summaries`: `fact_summary` of every claim, when the caller has them stored (then only the
    facts of the pairs checked are read from `facts`). `cluster_at`: claim ids -> the index in
    `clusters` of the cluster of each that is in one (then the delta finds the clusters of the
    changed claims through it, without reading every cluster's members). `probes`: claim ids ->
    the `fact_probe` tokens of those it knows; then a pair to check again whose two claims it knows
    is left out, without reading their facts, when `may_conflict` says no check can find a
    conflict in it (not with an NLI model, which reads every same-event pair). `cosines`: the
    cosine of each pair of claim ids (their embeddings'); a pair outside one cluster at least
    `settings.near_cosine` close is one event for the number and date checks (without it, none is).
    `same_story`: given pairs and their cosines, whether the matcher calls each "same story,
    different fact" (`matching.same_story`); a pair of two articles from `settings.story_cosine`
    to `near_cosine` is one event for those checks too when it says yes, asked only of the pairs
    in which those checks find something.

    Every verdict reads only the pair: the two claims' facts and articles, whether they are in
    one cluster, and their cosine."""
    by_id = claims.by_id if hasattr(claims, "by_id") else {c.id: c for c in claims}

    def near_of(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bool | float]:
        """Of these pairs (outside one cluster), those close enough to report one event (True),
        and those in the band where the matcher must say so (their cosine: `confirmed`)."""
        pairs = list(pairs)
        if cosines is None or not pairs:
            return {}
        band = settings.story_cosine if same_story is not None else settings.near_cosine
        return {p: True if c >= settings.near_cosine else c for p, c in zip(pairs, cosines(pairs)) if c >= band}

    def confirmed(a: str, b: str, close: bool | float, hits: list[_Hit], fa, fb) -> list[_Hit]:
        """A pair in the band (`close` is its cosine) is one event for the checks of one event
        (numbers, dates, who won) only if the matcher calls it "same story, different fact":
        asked only when a hit needs the pair to be near (the hits of the pair taken apart differ),
        which is rare, so the pair's texts are read for few pairs. Two claims of one article are
        never one event this way: "same story, different fact" is what an article's sentences tell
        of one story ("4 million people will drop out", "another 23.5 million uninsured people"),
        where across articles it is one event told two ways."""
        if close is True or not close or not hits:
            return hits
        apart = checker.pair(fa, fb, False)
        if apart == hits or (fa.article_id != fb.article_id and same_story is not None
                             and same_story([(a, b)], [close])[0]):
            return hits
        return apart

    if previous is None or clusters is None:
        index = None                       # (every pair is checked: the summaries of every claim)
    checker = _Checker(facts, articles, by_id, settings, summaries,
                       offices=index.offices if index is not None else None)
    out: dict[str, Conflict] = {}
    if previous is not None and clusters is not None:
        todo, keep = _incremental_pairs(claims, facts, clusters, previous, checker.offices, summaries, index,
                                        cluster_at)
        if probes is not None and nli is None and settings.number_tolerance >= 0 and todo:
            known = probes({c for p in todo for c in p})

            # per pair, which checks may find a conflict in it (`may_level`; 2 for a claim the probes
            # do not know): the cosine of a pair outside one cluster is asked only when the checks
            # of one event might find something in it; a pair ruled out as it is stays when it is near
            # (asked once per pair of distinct probes: the claims of one cluster mostly share a few)
            levels: dict[tuple[frozenset[str], frozenset[str]], int] = {}

            def level_of(x: frozenset[str], y: frozenset[str]) -> int:
                got = levels.get((x, y))
                if got is None:
                    got = levels[x, y] = may_level(x, y)
                return got

            level = {p: 2 if p[0] not in known or p[1] not in known else level_of(known[p[0]], known[p[1]])
                     for p in todo}
            near = near_of(p for p, same in todo.items() if not same and level[p])
            todo = {p: same for p, same in todo.items() if level[p] >= (1 if same else 2) or p in near}
        else:
            near = near_of(p for p, same in todo.items() if not same)
        if hasattr(facts, "prefetch"):     # facts read on demand: fetch those of the pairs at once
            facts.prefetch({c for p in todo for c in p})
        pairs = ((a, b, same, near.get((a, b), False)) for (a, b), same in todo.items())
        for x in keep:
            out[x.id] = x if x.status == "open" else Conflict(x.id, x.a, x.b, x.kind, x.severity,
                                                              x.explanation, x.a_span, x.b_span)
    else:
        pairs = _with_near(_candidate_pairs(claims, facts, clusters), facts, near_of)
    for a, b, same_event, close in pairs:
        fa, fb = facts[a], facts[b]
        hits = checker.pair(fa, fb, same_event, near=bool(close))
        if close and not same_event:
            hits = confirmed(a, b, close, hits, fa, fb)
        if not hits and nli is not None and same_event:
            p = nli.contradiction(by_id[a].standalone or by_id[a].text, by_id[b].standalone or by_id[b].text)
            if p >= settings.nli_threshold:
                hits.append(_Hit("nli", settings.sev_nli * p,
                                 f"{_art(fa.article_id)} '{by_id[a].text}' ≠ {_art(fb.article_id)} "
                                 f"'{by_id[b].text}' (NLI contradiction {p:.2f})", None, None))
        for h in hits:
            cid = "x" + stable_id(a, b, h.kind)
            out[cid] = Conflict(cid, a, b, h.kind, round(min(1.0, h.severity), 3), h.explanation,
                                h.a_span, h.b_span)
    return sorted(out.values(), key=lambda c: (-c.severity, c.id))


def compare_claims(a: str, b: str, published_a: str | None = None, published_b: str | None = None,
                   settings: ConflictSettings = ConflictSettings(), nli: "NLIScorer | None" = None) -> CompareResult:
    """Do two raw claim texts conflict? The caller says they are about the same thing."""
    arts, claims = {}, []
    for key, text, pub in (("A", a, published_a), ("B", b, published_b)):
        arts[key] = Article(key, key, "", text, published=pub, published_source="given" if pub else "unknown")
        claims.append(Claim(stable_id(key, "0", str(len(text))), key, key, 0, 0, len(text), text, text))
    facts = normalize_claims(claims, arts)
    checker = _Checker(facts, arts, {c.id: c for c in claims}, settings)
    fa, fb = facts[claims[0].id], facts[claims[1].id]
    hits = checker.pair(fa, fb, same_event=True, pair_mode=True) or checker.pair(fb, fa, True, True)
    if not hits and nli is not None:
        p = nli.contradiction(a, b)
        if p >= settings.nli_threshold:
            return CompareResult(True, "nli", f"NLI contradiction probability {p:.2f}", settings.sev_nli * p)
    if not hits:
        return CompareResult(False)
    h = max(hits, key=lambda h: h.severity)
    return CompareResult(True, h.kind, h.explanation, h.severity)


class NLIScorer:
    """Contradiction probability from a local sentence-transformers CrossEncoder folder."""

    def __init__(self, path: str) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")     # a local folder: nothing is fetched
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import CrossEncoder

        self.path = path
        self.model = CrossEncoder(path, device="cpu")
        id2label = getattr(self.model.model.config, "id2label", None) or {}
        labels = {int(i): str(l).lower() for i, l in id2label.items()}
        idx = [i for i, l in labels.items() if l.startswith("contradict")]
        if idx:
            self.contradiction_index, self.label_map_assumed = idx[0], False
        else:
            # no usable label map (LABEL_0..): assume the common [contradiction, entailment, neutral]
            self.contradiction_index, self.label_map_assumed = 0, True
        self.labels = labels

    def contradiction(self, a: str, b: str) -> float:
        """P(contradiction) for premise a, hypothesis b."""
        return float(self.contradiction_many([(a, b)])[0])

    def contradiction_many(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        import numpy as np

        scores = self.model.predict(list(pairs), apply_softmax=True, convert_to_numpy=True)
        scores = np.atleast_2d(scores)
        return [float(r[self.contradiction_index]) for r in scores]
