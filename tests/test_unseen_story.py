"""End to end on stories the rules were not written from (tests/data/quake: three reports of one
earthquake in Peru; tests/data/election: four reports of one election result; tests/data/court:
three reports of one sentencing; tests/data/runoff: three reports of one mayoral runoff;
tests/data/earnings: three reports of one company's results, one of them badly translated;
tests/data/factory_fire: three reports of one fire, one of them a synonym-spun rewrite;
tests/data/study: three reports of one medical study; tests/data/derailment: three reports of one
train accident, one of them translated word for word; tests/data/rates: three reports of one
central bank decision, one of them translated word for word; tests/data/match: three reports of
one football match, one of them translated word for word; tests/data/resign: three reports of one
minister's resignation; all written for these tests): what a careful reader finds in
them, the real model."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app

pytestmark = pytest.mark.model

DATA = Path(__file__).resolve().parent / "data"


def _run(tmp_path_factory, folder: Path):
    tmp = tmp_path_factory.mktemp(folder.name)
    shutil.copytree(folder, tmp / "in")
    dbp = tmp / "fc.db"
    res = CliRunner().invoke(app, ["run", str(tmp / "in"), "--db", str(dbp), "--out", str(tmp / "reports")])
    assert res.exit_code == 0, res.output + str(res.exception)
    exp = CliRunner().invoke(app, ["export", "--format", "json", "--db", str(dbp)])
    assert exp.exit_code == 0, exp.output
    return json.loads(exp.stdout)


def _story(name: str, folder: str):
    """A module fixture: the export of a run over tests/data/`folder`."""
    @pytest.fixture(scope="module", name=name)
    def fixture(tmp_path_factory):
        return _run(tmp_path_factory, DATA / folder)
    return fixture


quake = _story("quake", "quake")
election = _story("election", "election")
court = _story("court", "court")
runoff = _story("runoff", "runoff")
earnings = _story("earnings", "earnings")
fire = _story("fire", "factory_fire")
study = _story("study", "study")
bank = _story("bank", "bank")
derailment = _story("derailment", "derailment")
rates = _story("rates", "rates")
match = _story("match", "match")
resign = _story("resign", "resign")
crash = _story("crash", "crash")
ferry = _story("ferry", "ferry")
deal = _story("deal", "deal")


def _conflicts(export) -> list[tuple[str, set[str], str]]:
    article = {c["id"]: c["article"] for c in export["claims"]}
    return [(x["kind"], {article[x["a"]], article[x["b"]]}, x["explanation"]) for x in export["conflicts"]]


def _between(got: list[tuple[str, set[str], str]], reason: str) -> list[list[str]]:
    """The article pairs of the conflicts whose explanation holds `reason`, sorted."""
    return sorted(sorted(g[1]) for g in got if reason in g[2])


def test_the_facts_the_reports_disagree_on_are_conflicts(quake):
    got = _conflicts(quake)
    # the magnitude: 7.1 in one report, 6.8 in the two others ("magnitude 6.8" / "7.1-magnitude")
    mag = [g for g in got if g[0] == "number" and "(magnitude)" in g[2]]
    assert {frozenset(g[1]) for g in mag} == {frozenset({"paper_b", "wire_a"}), frozenset({"paper_b", "blog_c"})}
    # the time it struck: 9:35 a.m. in the blog against 4:35 a.m. in both others, though no name is
    # recognised in those sentences (the claims share the unit they count)
    times = [g for g in got if "(time of day)" in g[2]]
    assert {frozenset(g[1]) for g in times} == {frozenset({"blog_c", "wire_a"}), frozenset({"blog_c", "paper_b"})}
    assert all(g[0] == "date" and "09:35" in g[2] and "04:35" in g[2] for g in times)
    # the office: "Prime Minister Dina Boluarte" against "President Dina Boluarte" twice
    titles = [g for g in got if g[0] == "title"]
    assert {frozenset(g[1]) for g in titles} == {frozenset({"paper_b", "wire_a"}), frozenset({"paper_b", "blog_c"})}


def test_compatible_wordings_are_not_conflicts(quake):
    got = _conflicts(quake)
    # "at least 12" killed is not contradicted by 15; "the first visit since taking office" is not by
    # two visits before it; 300 homes against "more than 300"
    assert not [g for g in got if g[0] == "precedence"], got
    assert not [g for g in got if "people" in g[2] or "home" in g[2]], got
    assert len(got) == 6, got


def test_the_spun_report_s_broken_sentences_are_garbled_and_the_others_are_not(quake):
    garbled = [s for s in quake["sentences"] if s["garbled"]]
    assert {s["article"] for s in garbled} == {"blog_c"}
    reasons = " ".join(r for s in garbled for r in s["reasons"])
    assert "has flew" in reasons and "in Sunday" in reasons and "houses was" in reasons


def test_an_election_s_seat_count_and_meeting_day_conflict_and_nothing_else(election):
    got = _conflicts(election)
    # 96 seats against 92: "92 of the 230 seats" / "92 seats in the 230-seat parliament" (the totals
    # agree, the parts do not)
    seats = [g for g in got if g[0] == "number" and "(seat)" in g[2]]
    assert seats and all("paper_b" in g[1] and "'96'" in g[2] and "'92'" in g[2] for g in seats), got
    # the meeting: Wednesday (the wire, dated Monday, looks ahead to it) against Tuesday in a report
    # without a date
    days = [g for g in got if g[0] == "date"]
    assert [(g[1], "'Wednesday'" in g[2] and "'Tuesday'" in g[2]) for g in days] == [({"paper_b", "wire_a"}, True)]
    # 36.2 percent against 36.2%, "up from 28.0 percent" against "compared with 28%", the totals, the
    # turnout, the majority needed: no other conflict
    assert len(got) == len(seats) + 1, got


def test_an_election_wire_s_dateline_year_and_last_line(election):
    arts = {a["id"]: a for a in election["articles"]}
    # "LISBON, March 11": the years it names ("in 2022,", "since 2024,") and its weekdays (Sunday's
    # vote, Monday's results, a meeting it expects on Wednesday) make it 2024
    assert arts["wire_a"]["published"] == "2024-03-11"
    claims = [c["text"] for c in election["claims"] if c["article"] == "wire_a"]
    # the last line names an office but is news, not an author's bio
    assert "Santos is expected to meet President Marcelo Rebelo de Sousa on Wednesday." in claims
    garbled = {s["article"] for s in election["sentences"] if s["garbled"]}
    assert garbled == {"blog_c"}


def test_a_sentencing_s_plea_and_the_convict_s_age_conflict(court):
    got = _conflicts(court)
    # "pleaded not guilty" against "had pleaded guilty", quoted with its negation
    pleas = [g for g in got if g[0] == "negation"]
    assert [(g[1], "'pleaded not guilty'" in g[2]) for g in pleas] == [({"wire_a", "paper_b"}, True)], got
    # "Price, 58" twice against "The 56-year-old" (opening the sentence after the one naming
    # Daniel Price, "the former mayor of Manchester": a place, though the tagger calls it a person):
    # the paper's is his age wherever the claims are; the wire's "Price, 58," (the tagger names
    # nobody there) is compared as before, the matcher calling the pair the same claim but for its
    # number ("same story, different fact")
    ages = [g for g in got if "(age" in g[2]]
    assert {frozenset(g[1]) for g in ages} == {frozenset({"daily_c", "wire_a"}), frozenset({"daily_c", "paper_b"})}
    assert any("(age of Daniel Price)" in g[2] and g[1] == {"daily_c", "paper_b"} for g in ages), got
    # "three counts of bribery and one count of money laundering" is stated alike three times; the
    # 12 against 10 years is worded too far apart (cosine 0.65) to be compared: a known miss
    assert len(got) == 3, got


def test_a_runoff_s_winner_turnout_and_day_in_office_conflict_and_nothing_else(runoff):
    arts = {a["id"]: a for a in runoff["articles"]}
    # "GOTHENBURG, Sweden, Sept. 15, 2025 (Reuters) -": a dateline with its region dates the wire
    assert (arts["wire_a"]["published"], arts["wire_a"]["dateline"]) == ("2025-09-15", "GOTHENBURG")
    assert not any(c["text"].startswith("GOTHENBURG") for c in runoff["claims"])
    got = _conflicts(runoff)
    # who won: the blog has Berg defeating Lindqvist, the wire the other way round; the wire's
    # headline ("Lindqvist wins ...") and the paper ("Anna Lindqvist won the ... runoff") name the
    # winner alone, and disagree with the blog too
    won = [g for g in got if g[0] == "negation"]
    assert sorted((sorted(g[1]), "(who won)" in g[2]) for g in won) == [
        (["blog_c", "paper_b"], True), (["blog_c", "wire_a"], True), (["blog_c", "wire_a"], True)], got
    assert sum("'won' (Anna Lindqvist won)" in g[2] for g in won) == 1, got
    # the turnout: 58 percent in the paper against 61 in the two others
    turnout = [g for g in got if g[0] == "number"]
    assert {frozenset(g[1]) for g in turnout} == {frozenset({"paper_b", "wire_a"}), frozenset({"paper_b", "blog_c"})}
    # the day she takes office, which both look ahead to: October 1 against November 1 of 2025 (not
    # the November before the paper's date); the wire's date and the blog's "Sunday" agree
    days = [g for g in got if g[0] == "date"]
    assert [(g[1], "2025-10-01" in g[2] and "2025-11-01" in g[2]) for g in days] == [({"wire_a", "paper_b"}, True)], got
    assert len(got) == 6, got
    # the blog, alone with its winner, now scores below the wire it contradicts
    score = {a["id"]: a["score"] for a in runoff["articles"]}
    assert score["blog_c"] < score["wire_a"], score


def test_a_company_s_results_its_chief_s_office_and_start_and_the_translation_s_faults(earnings):
    got = _conflicts(earnings)
    # cars delivered: 89,000 in the translation against 98,000 in the wire
    cars = [g for g in got if g[0] == "number" and "(car)" in g[2]]
    assert [(g[1], "'98,000'" in g[2] and "'89,000'" in g[2]) for g in cars] == [({"wire_a", "blog_c"}, True)], got
    # the jobs to go: the wire's chief says 1,200, the paper (headline and lead) 1,500; worded apart
    # (cosine 0.53), but "cut" counts "jobs" on both sides, by Nordvik and by "the company"
    jobs = [g for g in got if g[0] == "number" and "(job)" in g[2]]
    assert [g[1] for g in jobs] == [{"wire_a", "paper_b"}] * 2, got
    assert all("'1,200'" in g[2] and "'1,500'" in g[2] for g in jobs), got
    # Maria Holm: "Chief Executive" in the wire, "Chief Financial Officer" in the paper
    titles = [g for g in got if g[0] == "title"]
    assert [(g[1], "Maria Holm" in g[2]) for g in titles] == [({"wire_a", "paper_b"}, True)], got
    # "Holm, who became chief executive in 2021" against "Holm became chief executive in 2019"
    dates = [g for g in got if g[0] == "date"]
    assert [(g[1], "'in 2021'" in g[2] and "'in 2019'" in g[2]) for g in dates] == [({"wire_a", "blog_c"}, True)], got
    assert len(got) == 5, got
    flagged = {s["id"] for s in earnings["sentences"] if s["garbled"]}
    garbled = {c["text"] for c in earnings["claims"] if c["sentence"] in flagged}
    # "have said ... has fell", "has rose", "Maria Holm she said ... will to cut 1,200 of jobs"; the
    # paper's "fell to 4.1 billion crowns, while revenue increased 3 percent to 62.5 billion crowns"
    # is not a phrase said twice
    assert len(flagged) == 3 and {s["article"] for s in earnings["sentences"] if s["garbled"]} == {"blog_c"}
    assert any(t.startswith("The chief executive Maria Holm she said") for t in garbled), garbled


def test_a_fire_s_hour_conflicts_and_its_updated_toll_and_company_name_do_not(fire):
    got = _conflicts(fire)
    # the rewrite's "9:40 p.m." against "9:40 a.m." in both others
    hours = [g for g in got if g[0] == "date"]
    assert {frozenset(g[1]) for g in hours} == {frozenset({"wire_a", "blog_c"}), frozenset({"paper_b", "blog_c"})}
    assert all("'9:40 p.m.'" in g[2] for g in hours), got
    # "Rahman Apparels Ltd (RAL)" and "Rahman Apparels Limited (RAL)" are one expansion; the toll
    # that "rose to 16 on Wednesday" is a later count than Tuesday's 14; "a smaller fire had broken
    # out at the same factory in 2019" does not deny "the first deadly fire"
    assert len(got) == 2, got
    # "eight-storey building" in the wire against the rewrite's "eight-storey construction": one
    # article each way, so neither is said to depart from the others
    assert not any(s["reasons"] for s in fire["sentences"] if s["article"] == "wire_a"), fire["sentences"]
    # (the rewrite's synonyms, "murdered 14 laborers", "utilizes about 2,000 individuals", are not
    # flagged: a known miss)


def test_a_study_s_lead_author_s_university_and_its_step_count_conflict(study):
    got = _conflicts(study)
    # "Professor Helen Marsh of University College London" twice against "Dr. Helen Marsh of King's
    # College London" (her titles, Professor and Dr., do not clash)
    where = [g for g in got if g[0] == "title"]
    assert {frozenset(g[1]) for g in where} == {frozenset({"paper_b", "wire_a"}), frozenset({"paper_b", "blog_c"})}
    assert all("affiliation of Helen Marsh" in g[2] for g in where), got
    # 10,000 steps against 7,000; the wire's "at least 7,000 steps" admits 10,000
    steps = [g for g in got if g[0] == "number" and "(step)" in g[2]]
    assert [(g[1], "'10,000'" in g[2]) for g in steps] == [({"blog_c", "paper_b"}, True)], got
    # "The study followed 87,500 adults" against "The researchers followed 78,500 adults": worded
    # apart, but one verb counts one noun, by a study and its researchers (one doer); the paper's
    # "a study of 78,500 adults" has no verb that counts them (a known miss against the blog)
    adults = [g for g in got if g[0] == "number" and "(adult)" in g[2]]
    assert [(g[1], "'87,500'" in g[2] and "'78,500'" in g[2]) for g in adults] == [({"blog_c", "wire_a"}, True)], got
    assert len(got) == 4, got


def test_a_derailment_s_injured_and_the_minister_s_visit_conflict(derailment):
    got = _conflicts(derailment)
    # "injuring 23 people" against the translation's "leaving 32 persons injured"; and the paper's
    # "Twenty-three people were injured" against it too: worded apart (cosine 0.69), but both
    # count the people injured, near Burgos, on one evening; the translation is dated a day after
    # the others, so its higher count may be a later one (a conflict that says so, of less weight)
    hurt = [g for g in got if g[0] == "number" and "(people" in g[2]]
    assert sorted((sorted(g[1]), "'32'" in g[2]) for g in hurt) == [(["blog_c", "paper_b"], True),
                                                                   (["blog_c", "wire_a"], True)], got
    assert any("'Twenty-three'" in g[2] for g in hurt), got
    assert all("a running tally: the higher count may be a later update" in g[2] for g in hurt), got
    # the minister visited on Tuesday (the wire, dated Tuesday, and the translation) against "will
    # visit the site tomorrow" in the paper, dated Tuesday too: Wednesday
    visits = [g for g in got if g[0] == "date"]
    assert {frozenset(g[1]) for g in visits} == {frozenset({"paper_b", "wire_a"}), frozenset({"paper_b", "blog_c"})}
    assert all("'tomorrow' (2025-02-12)" in g[2] for g in visits), got
    # 187 passengers ("was carrying", the translation's "was transporting") against "with 178
    # passengers on board": worded apart, but what the train carries, either way
    carried = [g for g in got if g[0] == "number" and "(passenger)" in g[2]]
    assert sorted((sorted(g[1]), "'187'" in g[2] and "'178'" in g[2]) for g in carried) == [
        (["blog_c", "paper_b"], True), (["paper_b", "wire_a"], True)], got
    assert len(got) == 6, got


def test_a_rate_decision_s_place_in_its_run_conflicts_and_its_translation_is_garbled(rates):
    got = _conflicts(rates)
    # the wire's (and the translation's) "eighth consecutive increase since March 2022" against
    # the paper's "seventh straight increase since March of last year": one run, one window
    runs = [g for g in got if g[0] == "count"]
    assert sorted(sorted(g[1]) for g in runs) == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    assert all("(8)" in g[2] and "(7)" in g[2] for g in runs), got
    # the hike: "by 25 basis points" in the wire against "by half a percentage point" in the paper
    # (0.25 against 0.5 percentage points; "raised" and "lifted" are one verb of change); the
    # translation's "25 points of base" is no unit
    size = [g for g in got if g[0] == "number"]
    assert [(sorted(g[1]), "(0.25)" in g[2] and "(0.5)" in g[2]) for g in size] == [(["paper_b", "wire_a"], True)], got
    # the paper's "yesterday" is the wire's Wednesday; "the highest level in 15 years" and "since
    # 2007" are not compared
    assert len(got) == 3, got
    # the translation: "rise" for "raises", "in Wednesday", "the eighth increase consecutive", "the
    # bank it would maintain ... the level current", "The inflation annual"
    flagged = [s for s in rates["sentences"] if s["garbled"]]
    assert {s["article"] for s in flagged} == {"blog_c"} and len(flagged) == 5, flagged
    reasons = " ".join(r for s in flagged for r in s["reasons"])
    for quote in ("increase consecutive", "the bank it", "level current", "inflation annual"):
        assert quote in reasons, reasons
    score = {a["id"]: a["score"] for a in rates["articles"]}
    assert score["blog_c"] < min(score["wire_a"], score["paper_b"]), score


def test_a_match_s_winning_run_conflicts(match):
    got = _conflicts(match)
    # "It was Ajax's fifth straight league win" against "the win was Ajax's fourth consecutive
    # victory in the league": one run of one side, a win and a victory one event
    assert [(g[0], sorted(g[1])) for g in got] == [("count", ["paper_b", "wire_a"])], got
    assert "(5)" in got[0][2] and "(4)" in got[0][2]
    # known misses: the third goal's minute (the 78th against the 68th: no quantity), the crowd
    # (54,000 against an attendance of 45,000: no shared unit); the translation's calques ("he
    # marked two goals", "in the minute 78") but for the subject said twice
    flagged = [s for s in match["sentences"] if s["garbled"]]
    assert [s["article"] for s in flagged] == ["blog_c"], flagged
    assert any("Brian Brobbey he" in r for r in flagged[0]["reasons"]), flagged


def test_a_resignation_s_sum_deputy_and_place_in_the_year_s_departures_conflict(resign):
    got = _conflicts(resign)
    # 1.2 billion crowns against 2.1 billion
    assert [sorted(g[1]) for g in got if g[0] == "number" and "(crown)" in g[2]] == [["paper_b", "wire_a"]], got
    # "Deputy Health Minister Jana Kralova" against the blog's "Finance Minister Jana Kralova"
    assert [sorted(g[1]) for g in got if g[0] == "title"] == [["blog_c", "wire_a"]], got
    # the third minister to leave (wire), the second member to resign (paper; the line was taken
    # for an author's bio before: it looks like one, but the news names Novak and more news
    # follows), the first to leave (blog): each pair differs
    places = [sorted(g[1]) for g in got if g[0] == "count"]
    assert sorted(places) == [["blog_c", "paper_b"], ["blog_c", "wire_a"], ["paper_b", "wire_a"]], got
    # his age: "Novak, 52," (wire, blog) against the paper's "The 54-year-old had held the post",
    # the sentence after the one naming him: his age wherever the claims are
    ages = [g for g in got if "(age of Pavel Novak)" in g[2]]
    assert sorted(sorted(g[1]) for g in ages) == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    assert all("'The 54-year-old'" in g[2] and "'Novak, 52'" in g[2] for g in ages), got
    # "Police said they had opened an investigation" (they: the police) against "Police have not
    # opened an investigation": worded apart (cosine 0.55), but one noun's one act, either way
    neg = [g for g in got if g[0] == "negation"]
    assert [(sorted(g[1]), "'not opened'" in g[2]) for g in neg] == [(["blog_c", "wire_a"], True)], got
    assert len(got) == 8, got


def _ci_after(story: str, tmp_path: Path) -> tuple[str, list]:
    """`ci` over a store holding the story's paper and blog, for its wire's report: what it printed
    and the conflicts of the store after it, as `_conflicts` gives them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("paper_b.txt", "blog_c.txt"):
        shutil.copy(DATA / story / name, folder / name)
    dbp = tmp_path / "fc.db"
    res = CliRunner().invoke(app, ["run", str(folder), "--db", str(dbp), "--out", str(tmp_path / "reports")])
    assert res.exit_code == 0, res.output + str(res.exception)
    shutil.copy(DATA / story / "wire_a.txt", folder / "wire_a.txt")
    res = CliRunner().invoke(app, ["ci", "--dir", str(folder), "--db", str(dbp)])
    assert res.exit_code in (0, 3), res.output + str(res.exception)
    exp = CliRunner().invoke(app, ["export", "--format", "json", "--db", str(dbp)])
    return res.output, sorted((k, sorted(a), e) for k, a, e in _conflicts(json.loads(exp.stdout)))


def test_ci_for_one_new_report_finds_what_a_full_run_finds(earnings, tmp_path):
    """The wire's report, checked by `ci` against a store holding the paper's and the
    translation's: its conflicts, among them the jobs counted by one verb in far wording (found
    through the stored probes and key index, not by reading every claim), are those of a full run
    over the three."""
    output, got = _ci_after("earnings", tmp_path)
    assert "wire_a.txt" in output
    assert got == sorted((k, sorted(a), e) for k, a, e in _conflicts(earnings))
    assert any(k == "number" and "(job)" in e for k, _, e in got), got


def test_ci_for_one_new_resignation_report_finds_the_age_and_the_denial_a_full_run_finds(resign, tmp_path):
    """The wire's report, checked by `ci` against a store holding the paper's and the blog's: the
    age against the paper's "The 54-year-old" and the police's investigation against the blog's
    denial (neither pair in one cluster: found through the stored probes and key index) are those
    of a full run over the three."""
    _, got = _ci_after("resign", tmp_path)
    assert got == sorted((k, sorted(a), e) for k, a, e in _conflicts(resign))
    assert any(k == "negation" and a == ["blog_c", "wire_a"] for k, a, _ in got), got
    assert any("(age of Pavel Novak)" in e and a == ["paper_b", "wire_a"] for _, a, e in got), got


def test_a_crash_s_driver_s_age_and_the_road_s_closure_conflict_and_a_quotation_s_pronouns_do_not(crash):
    got = _conflicts(crash)
    # "Mark Ellis, 45," (wire, blog) against "The 47-year-old" opening the paper's sentence after
    # the one naming him (his wife Susan Ellis, 43, shares his surname: the paper's bare "Ellis" is
    # neither of them)
    assert _between(got, "(age of Mark Ellis)") == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    # "Police said they had closed the road" against "Police have not closed the road"
    assert [(g[0], sorted(g[1])) for g in got if g[0] == "negation"] == [("negation", ["paper_b", "wire_a"])], got
    # Susan Ellis's quotation ("He was driving slowly ..., and his brother saw all of it") speaks of
    # others: no gender of hers against the blog's "Susan Ellis, 43, said her husband ..."
    assert not [g for g in got if g[0] == "gender"], got
    assert len(got) == 3, got


def test_a_ferry_s_passengers_captain_and_minister_conflict_and_its_translation_is_garbled(ferry):
    got = _conflicts(ferry)
    # "with 241 passengers on board" against "was carrying 214" (wire) and "was transporting 214"
    # (the translation)
    assert _between(got, "(passenger)") == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    # "The ship's captain, Giorgos Petrou, 61," against "The 63-year-old captain, Giorgos Petrou"
    ages = [g for g in got if "(age of Giorgos Petrou)" in g[2]]
    assert [sorted(g[1]) for g in ages] == [["paper_b", "wire_a"]], got
    # "Shipping Minister Vasilis Kikilias" (wire) and the translation's "The Minister of the
    # Shipping Vasilis Kikilias" (one office) against "Tourism Minister Vasilis Kikilias"
    titles = sorted((sorted(g[1]), "Vasilis Kikilias" in g[2]) for g in got if g[0] == "title")
    assert titles == [(["blog_c", "paper_b"], True), (["paper_b", "wire_a"], True)], got
    # "three dead" / "Three people died", "12 were still missing" / "a dozen are missing", "2:30
    # a.m." / "2.30am", 229 rescued three times: no other conflict
    assert len(got) == 5, got
    # the translation: "The ferry Aegean Star it sank near of Naxos in the Monday early", "30 of
    # crew", "Giorgos Petrou, of 61 years,", "12 are still disappeared"
    flagged = [s for s in ferry["sentences"] if s["garbled"]]
    assert {s["article"] for s in flagged} == {"blog_c"} and len(flagged) >= 4, flagged
    reasons = " ".join(r for s in flagged for r in s["reasons"])
    for quote in ("near of", "in the Monday", "30 of crew", "of 61 years", "disappeared"):
        assert quote in reasons, reasons
    score = {a["id"]: a["score"] for a in ferry["articles"]}
    assert score["blog_c"] < score["wire_a"], score


def test_a_takeover_s_job_cuts_and_its_chief_s_age_conflict_and_its_rounded_figures_do_not(deal):
    got = _conflicts(deal)
    # "300 jobs would be cut" (wire, blog) against "450 jobs would be cut" (paper): the jobs are the
    # verb's subject, the cutter unnamed
    assert _between(got, "(job)") == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    # "CEO Ingrid Solberg, 51," against "Solberg, 49," and the paper's "The 49-year-old", the
    # sentence before naming her and Halvorsen (a company the tagger takes for a person) but about her
    assert _between(got, "(age of Ingrid Solberg)") == [["blog_c", "paper_b"], ["blog_c", "wire_a"]], got
    # "$2.3 billion" / "$2.3bn" / "2.3 billion dollars", "fell 3.1 percent" / "dropped 3 percent",
    # "about 4,200" / "roughly 4,000 workers": no other conflict
    assert len(got) == 4, got


def test_a_bank_s_rank_rounds_of_cuts_shares_and_where_its_chief_spoke_conflict_and_nothing_else(bank):
    got = _conflicts(bank)
    # "the country's second-largest lender" (wire) and "second-biggest" (blog) against "the
    # third-largest lender in the country" (paper)
    assert _between(got, "(largest lender in country)") == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    # "the second time Nordvik has cut jobs since 2024" (wire), "cutting jobs for the second time
    # since 2024" (blog) against "the third time" (paper)
    assert _between(got, "(times cut)") == [["blog_c", "paper_b"], ["paper_b", "wire_a"]], got
    # the shares "rose 2 percent" (wire) and "gained 2 percent" (paper) against "fell 2 percent" (blog)
    moves = [g for g in got if "(direction of Nordvik share)" in g[2]]
    assert sorted(sorted(g[1]) for g in moves) == [["blog_c", "paper_b"], ["blog_c", "wire_a"]], got
    assert all(g[0] == "negation" for g in moves)
    # Lund "unveiled the cuts to staff in Copenhagen" (wire) against "in Aarhus" (paper), though the
    # tagger takes Copenhagen for an organisation there
    where = [g for g in got if "(place of Mette Lund: unveil)" in g[2]]
    assert [sorted(g[1]) for g in where] == [["paper_b", "wire_a"]] and where[0][0] == "name", got
    # Danske Bank "the country's largest lender", "the largest round of job cuts ... since 2012",
    # "one of the largest employers", the profit that "fell" / "dropped" 12 percent, "falling
    # interest rates", "Copenhagen trading": no other conflict
    assert len(got) == 7, got
