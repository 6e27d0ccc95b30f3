"""End to end on a story the rules were not written from (tests/data/quake: three reports of one
earthquake in Peru, written for this test): what a careful reader finds in them, the real model."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app

pytestmark = pytest.mark.model

QUAKE = Path(__file__).resolve().parent / "data" / "quake"


@pytest.fixture(scope="module")
def quake(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quake")
    shutil.copytree(QUAKE, tmp / "in")
    dbp = tmp / "fc.db"
    res = CliRunner().invoke(app, ["run", str(tmp / "in"), "--db", str(dbp), "--out", str(tmp / "reports")])
    assert res.exit_code == 0, res.output + str(res.exception)
    exp = CliRunner().invoke(app, ["export", "--format", "json", "--db", str(dbp)])
    assert exp.exit_code == 0, exp.output
    return json.loads(exp.stdout)


def _conflicts(export) -> list[tuple[str, set[str], str]]:
    article = {c["id"]: c["article"] for c in export["claims"]}
    return [(x["kind"], {article[x["a"]], article[x["b"]]}, x["explanation"]) for x in export["conflicts"]]


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
