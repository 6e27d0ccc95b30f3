"""`factcheck ci`: thresholds and formatters on hand-built stores, file selection, and end to end."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck import store
from factcheck.ci import check, find_changed, locate, to_github, to_junit, to_sarif, to_summary_md, to_text
from factcheck.pipeline import conflict_fingerprint
from factcheck.records import Article, Claim, Cluster, Conflict, Fluency, Score, Sentence, stable_id
from factcheck.settings import CISettings, Settings

DATA = Path(__file__).parent / "data"


# ---------------------------------------------------------------- a hand-built store

def _article(aid: str, lines: list[str], fmt: str = "txt", file: str | None = None):
    """An article whose sentences are `lines` (one a line) and whose claims are the same spans."""
    text = "\n".join(lines) + "\n"
    art = Article(id=aid, file=file or f"seeds/{aid}.{fmt}", sha256=store.text_hash(text), text=text, format=fmt)
    sents, claims, pos = [], [], 0
    for i, line in enumerate(lines):
        start, end = pos, pos + len(line)
        sid = stable_id(aid, str(start), str(end))
        kind = "headline" if i == 0 else "body"
        sents.append(Sentence(sid, aid, i, start, end, line, kind))
        claims.append(Claim(stable_id(aid, "c", str(start)), aid, sid, i, start, end, line, line))
        pos = end + 1
    return art, sents, claims


class Corpus:
    """Articles, fluency, conflicts and scores written with store.save_article / save_analysis."""

    def __init__(self, db):
        self.db = db
        self.arts, self.sents, self.claims = {}, {}, {}
        self.fluency: list[Fluency] = []
        self.conflicts: list[Conflict] = []
        self.scores: dict[str, float] = {}
        self.origins: dict[str, str] = {}
        self.clusters: list[Cluster] = []

    def add(self, aid, lines, score=0.7, garbled=(), fmt="txt", file=None, origin=None):
        art, sents, claims = _article(aid, lines, fmt, file)
        self.arts[aid], self.sents[aid], self.claims[aid] = art, sents, claims
        for i, s in enumerate(sents):
            bad = i in garbled
            self.fluency.append(Fluency(s.id, 0.9 if bad else 0.1, bad,
                                        ("repeated word: 'visit visit'",) if bad else ()))
        self.scores[aid] = score
        self.origins[aid] = origin or aid
        return self

    def claim(self, aid, i) -> Claim:
        return self.claims[aid][i]

    def conflict(self, a: Claim, b: Claim, severity=0.8, kind="title", span=None, explanation=None):
        x = Conflict(stable_id(a.id, b.id, kind), a.id, b.id, kind, severity,
                     explanation or f"{a.article_id} says {a.text[:20]!r} where {b.article_id} says {b.text[:20]!r}",
                     a_span=span)
        self.conflicts.append(x)
        return x

    def save(self):
        for aid, art in self.arts.items():
            store.save_article(self.db, art, self.sents[aid], self.claims[aid])
        by_id = {c.id: c for cs in self.claims.values() for c in cs}
        store.save_analysis(
            self.db, fluency=self.fluency,
            sentence_article={s.id: s.article_id for ss in self.sents.values() for s in ss},
            facts={}, claim_article={}, origins=self.origins, clusters=self.clusters,
            conflicts=self.conflicts,
            fingerprints={x.id: conflict_fingerprint(by_id[x.a], by_id[x.b]) for x in self.conflicts},
            scores=[Score(a, s, {"claims": 3, "corroborated": 1},
                          {"base": 0.55, "garbled": -0.2, "conflicts": -0.1}) for a, s in self.scores.items()],
            state={"corpus": "test"})
        return self.db


OLD = ["Old story", "Senior General Min Aung Hlaing flew to Moscow on Sunday.",
       "Russia is Myanmar's top arms supplier.", "Lavrov met Wunna Maung Lwin in Naypyidaw."]
NEW = ["New story", "Senior Lieutenant General Min Aung Hlaing flew to Moscow.",
       "The visit visit was the latest sign of close ties.",
       "Russia are the biggest supplier of arms to Myanmar.", "Lavrov met officials in Naypyidaw."]


@pytest.fixture
def corpus(db):
    c = Corpus(db).add("old", OLD).add("old2", OLD[:2] + ["Myanmar's army has 400,000 soldiers."])
    c.add("new", NEW, score=0.3, garbled=(2, 3))
    return c


def _kinds(check_, level="error"):
    return sorted({f.kind for f in check_.findings if f.level == level})


# ---------------------------------------------------------------- thresholds

def test_garbled_conflicting_low_score_article_fails(corpus):
    span_start = corpus.arts["new"].text.index("Senior Lieutenant General")
    corpus.conflict(corpus.claim("new", 1), corpus.claim("old", 1),
                    span=(span_start, span_start + len("Senior Lieutenant General")))
    res = check(corpus.save(), ["new"], Settings())
    (c,) = res.checks
    assert not c.passed and res.exit_code == 3
    assert _kinds(c) == ["conflict", "garble", "score"]
    assert (c.garbled, c.sentences, c.conflicts) == (2, 4, 1)
    conflict = next(f for f in c.findings if f.kind == "conflict")
    assert (conflict.line, conflict.col) == (2, 1)                  # the differing span, not the claim
    assert corpus.arts["new"].text[conflict.start:conflict.end] == "Senior Lieutenant General"
    assert [f.line for f in c.findings if f.kind == "garble"] == [3, 4]


def test_relaxed_thresholds_pass_and_keep_warnings(corpus):
    corpus.conflict(corpus.claim("new", 1), corpus.claim("old", 1))
    ci = CISettings(min_score=0.2, max_conflicts=1, max_garble_rate=0.5)
    res = check(corpus.save(), ["new"], replace(Settings(), ci=ci))
    (c,) = res.checks
    assert c.passed and res.exit_code == 0
    assert _kinds(c, "warning") == ["conflict", "garble"]
    assert check(corpus.db, ["new"], ci).checks[0].passed           # CISettings alone works too


def test_dismissed_conflict_never_fails(corpus):
    x = corpus.conflict(corpus.claim("new", 1), corpus.claim("old", 1))
    db = corpus.save()
    fp = conflict_fingerprint(corpus.claim("new", 1), corpus.claim("old", 1))
    store.add_review(db, x.id, "not-conflict", fingerprint=fp)
    c = check(db, ["new"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert c.passed and c.conflicts == 0
    assert not [f for f in c.findings if f.kind == "conflict"]


def test_conflict_settled_in_the_articles_favour_does_not_count(corpus):
    x = corpus.conflict(corpus.claim("new", 4), corpus.claim("old", 3))
    db = corpus.save()
    store.add_review(db, x.id, "a", fingerprint=conflict_fingerprint(corpus.claim("new", 4), corpus.claim("old", 3)))
    c = check(db, ["new"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert c.passed and c.conflicts == 0
    store.add_review(db, x.id, "b", fingerprint=conflict_fingerprint(corpus.claim("new", 4), corpus.claim("old", 3)))
    c = check(db, ["new"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert not c.passed and c.conflicts == 1


def test_only_conflicts_of_checked_articles_count(corpus):
    corpus.conflict(corpus.claim("old", 1), corpus.claim("old2", 2))
    c = check(corpus.save(), ["new"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert c.passed and not [f for f in c.findings if f.kind == "conflict"]
    other = check(corpus.db, ["old"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert other.conflicts == 1


def test_conflict_below_severity_is_only_a_warning(corpus):
    corpus.conflict(corpus.claim("new", 1), corpus.claim("old", 1), severity=0.3)
    c = check(corpus.save(), ["new"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert c.passed and c.conflicts == 0
    (f,) = [f for f in c.findings if f.kind == "conflict"]
    assert f.level == "warning" and "below the severity threshold" in f.message


def test_agreeing_with_the_many_against_one_outlier_passes(corpus):
    # 'new' alone says 'Senior Lieutenant General'; old, old2 and third say 'Senior General'
    corpus.add("third", ["Third", "Senior General Min Aung Hlaing met Putin."])
    corpus.conflict(corpus.claim("old", 1), corpus.claim("new", 1))
    corpus.conflict(corpus.claim("old2", 1), corpus.claim("new", 1))
    corpus.conflict(corpus.claim("third", 1), corpus.claim("new", 1))
    db = corpus.save()
    assert check(db, ["new"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0].conflicts == 3
    third = check(db, ["third"], CISettings(min_score=0.0, max_garble_rate=1.0)).checks[0]
    assert third.passed and third.conflicts == 0                        # 3 dispute 'new', 1 disputes 'third'
    assert "disputed by more sources (3) than this article's (1)" in third.findings[0].message


def test_copy_of_another_article_fails_unless_allowed(db):
    c = Corpus(db).add("orig", OLD).add("copy", OLD, origin="orig")
    c.origins["orig"] = "orig"
    c.save()
    res = check(db, ["copy"], CISettings())
    assert _kinds(res.checks[0]) == ["duplicate"] and res.exit_code == 3
    assert "seeds/orig.txt" in res.checks[0].findings[0].message
    res = check(db, ["copy"], CISettings(fail_on_duplicates=False))
    assert res.exit_code == 0 and _kinds(res.checks[0], "warning") == ["duplicate"]


def test_targeted_reads_equal_reading_the_whole_store(corpus):
    """`check` reads only the checked articles' rows; the result is that of reading every row."""
    corpus.add("third", ["Third", "Senior General Min Aung Hlaing met Putin."], origin="old")
    corpus.add("copy", OLD, origin="old")
    corpus.add("far", ["Far", "Lavrov met Wunna Maung Lwin in Yangon.", "Russia sells arms."])
    xs = [corpus.conflict(corpus.claim("old", 1), corpus.claim("new", 1)),
          corpus.conflict(corpus.claim("old2", 1), corpus.claim("new", 1), severity=0.4),
          corpus.conflict(corpus.claim("third", 1), corpus.claim("new", 1)),
          corpus.conflict(corpus.claim("new", 4), corpus.claim("old", 3)),
          corpus.conflict(corpus.claim("old", 3), corpus.claim("far", 1)),
          corpus.conflict(corpus.claim("far", 2), corpus.claim("old2", 2)),
          corpus.conflict(corpus.claim("new", 3), corpus.claim("far", 2), severity=0.9)]
    corpus.clusters.append(Cluster("k1", (corpus.claim("old", 1).id, corpus.claim("old2", 1).id,
                                          corpus.claim("third", 1).id), ("old", "old2", "third"), 3))
    corpus.clusters.append(Cluster("k2", (corpus.claim("new", 3).id, corpus.claim("far", 2).id), ("new", "far"), 2))
    db = corpus.save()
    by_id = {c.id: c for cs in corpus.claims.values() for c in cs}
    for x, decision, fp in ((xs[3], "a", None), (xs[4], "not-conflict", None), (xs[5], "b", "stale"),
                            (xs[6], "b", None), (xs[0], "not-conflict", None), (xs[0], "undo", None)):
        store.add_review(db, x.id, decision, fingerprint=fp or conflict_fingerprint(by_id[x.a], by_id[x.b]))
    ci = CISettings(min_score=0.0, max_garble_rate=1.0)
    for ids in (["new"], ["old"], ["far", "copy"], ["third", "new", "old2"], []):
        for refused in (None, {"seeds/again.txt": "far"}):
            assert check(db, ids, ci, refused=refused) == check(db, ids, ci, refused=refused, whole_store=True)
    assert check(db, ["copy"], ci).checks[0].findings


def test_exact_copy_refused_by_ingest_is_a_duplicate_finding(corpus):
    res = check(corpus.save(), [], CISettings(), refused={"seeds/again.txt": "old"})
    (c,) = res.checks
    assert c.file == "seeds/again.txt" and _kinds(c) == ["duplicate"] and res.exit_code == 3
    assert "exact copy of seeds/old.txt" in c.findings[0].message


def test_unreadable_file_exits_1_and_thresholds_win(corpus):
    db = corpus.save()
    res = check(db, ["old"], CISettings(min_score=0.0), errors=["seeds/bad.txt: not UTF-8 (byte 0xff at offset 0); skipped"])
    assert res.exit_code == 1
    assert check(db, ["new"], CISettings(), errors=["seeds/bad.txt: empty file; skipped"]).exit_code == 3
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "sarif-2.1.0-subset.json").read_text(encoding="utf-8"))
    log = json.loads(to_sarif(res))
    jsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)
    assert log["runs"][0]["results"][-1]["ruleId"] == "factcheck/unreadable"
    assert "::error file=seeds/bad.txt,line=1" in to_github(res)
    assert ET.fromstring(to_junit(res)).find("testsuite/testcase/error") is not None


def test_unknown_or_unanalysed_article_is_an_error(corpus):
    from factcheck.errors import FactcheckError
    db = corpus.save()
    with pytest.raises(FactcheckError, match="not in the claims store"):
        check(db, ["nope"], CISettings())
    art, sents, claims = _article("late", ["Late", "A sentence here."])
    store.save_article(db, art, sents, claims)
    with pytest.raises(FactcheckError, match="not analysed yet"):
        check(db, ["late"], CISettings())


# ---------------------------------------------------------------- locations

def test_line_and_column_come_from_the_character_offset():
    art, _, _ = _article("a", ["Title", "", "First line.", "  Second sentence here."])
    at = art.text.index("Second")
    f = locate(art, art.file, "garble", "error", "m", at, at + len("Second sentence"))
    assert (f.line, f.col, f.end_line, f.end_col, f.exact) == (4, 3, 4, 18, True)


def test_html_and_json_point_at_line_1_and_jsonl_at_its_record():
    html, _, _ = _article("h", ["Title", "Body text here."], fmt="html")
    f = locate(html, html.file, "garble", "error", "m", 10, 20)
    assert (f.line, f.col, f.exact, f.file) == (1, 1, False, "seeds/h.html")
    rec, _, _ = _article("feed-3", ["Title", "Body text."], fmt="json", file="seeds/feed.jsonl:3")
    f = locate(rec, rec.file, "score", "error", "m")
    assert (f.file, f.line) == ("seeds/feed.jsonl", 3)


# ---------------------------------------------------------------- formatters

@pytest.fixture
def failing(corpus):
    nasty = "says '100%, a: b' where\nothers say <script>alert(1)</script> [x](http://e.vil) @team `code`"
    corpus.conflict(corpus.claim("new", 1), corpus.claim("old", 1), explanation=nasty)
    corpus.add("page", ["Page", "Some html body text."], fmt="html", score=0.1)
    return check(corpus.save(), ["new", "old2", "page"], Settings())


def test_github_annotations_point_at_the_lines_and_escape_the_text(failing):
    out = to_github(failing)
    lines = out.splitlines()
    assert all(l.startswith(("::error ", "::warning ", "::notice ")) for l in lines)
    garble = [l for l in lines if "title=factcheck garble" in l]
    assert [re.search(r"line=(\d+),col=(\d+)", l).groups() for l in garble] == [("3", "1"), ("4", "1")]
    conflict = next(l for l in lines if "title=factcheck conflict" in l)
    assert conflict.startswith("::error file=seeds/new.txt,line=2,col=1,")
    assert "100%25, a: b" in conflict and "\n" not in conflict       # data: % escaped, no raw newline
    assert "::error file=seeds/page.html,line=1,title=factcheck score::" in out  # html: line 1, no col
    assert not any("file=seeds/old.txt" in l and l.startswith("::error") for l in lines)


def test_sarif_validates_against_the_schema(failing):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "sarif-2.1.0-subset.json").read_text(encoding="utf-8"))
    log = json.loads(to_sarif(failing))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "factcheck"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {r["ruleId"] for r in run["results"]} <= set(rule_ids)
    garble = [r for r in run["results"] if r["ruleId"] == "factcheck/garble"]
    region = garble[0]["locations"][0]["physicalLocation"]["region"]
    text = failing.checks[0].findings[0]                     # sanity: offsets are the sentence's
    assert region["startLine"] == 3 and region["startColumn"] == 1
    assert region["charLength"] == len(NEW[2])
    html = next(r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "seeds/page.html")
    assert html["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert text.file == "seeds/new.txt"


def test_sarif_schema_rejects_what_the_official_one_rejects(failing):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "sarif-2.1.0-subset.json").read_text(encoding="utf-8"))
    good = json.loads(to_sarif(failing))
    for path, value in [(("version",), "2.0.0"), (("runs", 0, "results", 0, "level"), "fatal"),
                        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
                        (("runs", 0, "tool", "driver", "name"), None)]:
        bad = json.loads(json.dumps(good))
        node = bad
        for k in path[:-1]:
            node = node[k]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema, cls=jsonschema.Draft7Validator)


def test_junit_has_a_testcase_per_article_and_failures_with_messages(failing):
    root = ET.fromstring(to_junit(failing))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["seeds/new.txt", "seeds/old2.txt", "seeds/page.html"]
    new, old, page = cases
    assert {f.get("type") for f in new.findall("failure")} == {"conflict", "garble", "score"}
    assert all(f.get("message") for f in new.findall("failure"))
    assert old.find("failure") is None
    assert suite.get("tests") == "3" and suite.get("failures") == "2"


def test_summary_markdown_escapes_article_text(failing):
    md = to_summary_md(failing)
    assert md.startswith("## factcheck ci: ❌")
    assert "| `seeds/new.txt` | ❌ fail |" in md and "| `seeds/old2.txt` | ✅ pass |" in md
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "[x](http" not in md and "@team" not in md


def test_text_output_lists_each_article_and_finding(failing):
    out = to_text(failing)
    assert "FAIL seeds/new.txt" in out and "PASS seeds/old2.txt" in out
    assert "seeds/new.txt:3:1: error [garble]" in out


# ---------------------------------------------------------------- which files

def test_default_finds_files_the_store_lacks_with_this_content(db, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("a", "b", "c"):
        (seeds / f"{name}.txt").write_text(f"Article {name}. Lavrov spoke in Jakarta on Tuesday.\n")
    for name in ("a", "b"):
        raw = (seeds / f"{name}.txt").read_bytes()
        art = Article(name, f"seeds/{name}.txt", store.text_hash(raw.decode()), raw.decode())
        store.save_article(db, art, [], [])
    (seeds / "b.txt").write_text("Changed text.\n")
    assert [p.name for p in find_changed(db, folder=seeds, cwd=tmp_path)] == ["b.txt", "c.txt"]
    assert find_changed(db, [seeds / "a.txt"], cwd=tmp_path) == [Path("seeds/a.txt")]


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_since_lists_changed_article_files_under_the_folder(db, tmp_path):
    repo = tmp_path / "repo"
    (repo / "seeds").mkdir(parents=True)
    (repo / "seeds" / "old.txt").write_text("old\n")
    (repo / "seeds" / "gone.txt").write_text("gone\n")
    (repo / "README.md").write_text("readme\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    _git(repo, "checkout", "-q", "-b", "topic")
    (repo / "seeds" / "old.txt").write_text("old, edited\n")
    (repo / "seeds" / "new.md").write_text("new\n")
    (repo / "seeds" / "notes.pdf").write_text("not an article\n")
    (repo / "README.md").write_text("readme, edited\n")
    (repo / "seeds" / "gone.txt").unlink()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "two")
    (repo / "seeds" / "untracked.txt").write_text("untracked\n")
    got = find_changed(db, since="main", folder=Path("seeds"), cwd=repo)
    assert got == [Path("seeds/new.md"), Path("seeds/old.txt"), Path("seeds/untracked.txt")]
    from factcheck.errors import FactcheckError
    with pytest.raises(FactcheckError, match="unknown revision"):
        find_changed(db, since="origin/nope", folder=Path("seeds"), cwd=repo)


# ---------------------------------------------------------------- command line

@pytest.fixture
def app():
    from factcheck.ci_cli import ci  # noqa: F401  (importing a command module first must work)
    from factcheck.cli import app
    return app


def test_help_and_usage_errors(app, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["ci", "--help"])
    assert res.exit_code == 0 and "--since" in res.output and "Exit codes" in res.output
    res = runner.invoke(app, ["ci", "--format", "xml", "--db", str(tmp_path / "fc.db")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["ci", "x.txt", "--since", "main", "--db", str(tmp_path / "fc.db")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["ci", "--min-score", "2", "--db", str(tmp_path / "fc.db")])
    assert res.exit_code == 2


def test_nothing_new_passes_and_missing_folder_cannot_run(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    runner = CliRunner()
    res = runner.invoke(app, ["ci", "--db", "fc.db", "--summary", "sum.md"])
    assert res.exit_code == 0 and "nothing to check" in res.output
    assert "nothing to check" in (tmp_path / "sum.md").read_text()
    res = runner.invoke(app, ["ci", "--db", "fc.db", "--dir", "nope"])
    assert res.exit_code == 1 and res.stderr.startswith("Error: nope: no such folder")
    res = runner.invoke(app, ["ci", "missing.txt", "--db", "fc.db"])
    assert res.exit_code == 1 and "missing.txt: no such file" in res.stderr
    (tmp_path / "seeds" / "new.txt").symlink_to(tmp_path / "elsewhere.txt")
    res = runner.invoke(app, ["ci", "seeds/new.txt", "--db", "fc.db"])
    assert res.exit_code == 1 and "seeds/new.txt: broken symbolic link" in res.stderr


# ---------------------------------------------------------------- end to end (real pipeline and model)

GARBLED = """Myanmar junta chief returns to Moscow for defence talks

Moscow, Jul 4 (Agency) - Senior Lieutenant General Min Aung Hlaing arrived in Moscow on Sunday for talks with Russian defence officials, state broadcaster MRTV reported.
The visit visit is the latest sign of the close ties between the the two militaries.
Russia are the main supplier of weapons to Myanmar's army and it have trained thousands of officers.
The generals was discussing the cooperation and the cooperation in energy projects and the cooperation in security.
Russian Foreign Minister Sergei Lavrov is expected to meet ASEAN foreign ministers in Cambodia later this month.
"""

FLUENT = """Russia's top diplomat holds talks with Myanmar's military rulers

Sergei Lavrov, Russia's foreign minister, flew into Naypyidaw on Wednesday for an official visit that Moscow said would cover security and the economy.
Soon after landing, Lavrov held talks with Wunna Maung Lwin, the foreign minister appointed by the junta, and with other senior officials.
Moscow remains the largest supplier of arms to Myanmar even as many countries press for an embargo on weapons sales.
Along with China, Russia has used its veto on the UN Security Council to block international sanctions against the generals.
Senior General Min Aung Hlaing, the head of the military council, has travelled to Russia twice since he seized power.
"""


def _ci(app, cwd, *args):
    return CliRunner().invoke(app, ["ci", "--db", str(cwd / "claims" / "fc.db"), *args])


@pytest.mark.model
def test_garbled_new_article_fails_with_annotations_on_its_lines(app, seeds_copy, monkeypatch):
    root = seeds_copy.parent
    monkeypatch.chdir(root)
    assert _ci(app, root).exit_code in (0, 3)          # first run: the seeds themselves are new
    (seeds_copy / "005_garbled.txt").write_text(GARBLED, encoding="utf-8")
    res = _ci(app, root, "--format", "github", "--summary", "summary.md")
    assert res.exit_code == 3, res.output + res.stderr
    errors = [l for l in res.stdout.splitlines() if l.startswith("::error ")]
    assert errors and all("file=seeds/005_garbled.txt," in l for l in errors)
    def lines_of(kind):
        return {int(re.search(r"line=(\d+)", l).group(1)) for l in errors if f"title=factcheck {kind}" in l}
    assert lines_of("garble") >= {4, 5}                 # 'visit visit', 'the the'; 'it have'
    rank = [l for l in errors if "title=factcheck conflict" in l and "Senior Lieutenant General" in l]
    assert rank and all("line=3,col=26," in l for l in rank)   # col of 'Senior Lieutenant General'
    assert "seeds/005\\_garbled\\.txt" in (root / "summary.md").read_text() or \
        "`seeds/005_garbled.txt`" in (root / "summary.md").read_text()
    # unchanged now: the default finds nothing new, and naming it checks it again without re-embedding
    assert _ci(app, root).exit_code == 0
    assert _ci(app, root, "seeds/005_garbled.txt").exit_code == 3


@pytest.mark.model
def test_fluent_article_repeating_corpus_claims_passes(app, seeds_copy, monkeypatch):
    root = seeds_copy.parent
    monkeypatch.chdir(root)
    assert _ci(app, root).exit_code in (0, 3)
    (seeds_copy / "006_fluent.txt").write_text(FLUENT, encoding="utf-8")
    res = _ci(app, root, "--format", "junit")
    assert res.exit_code == 0, res.output + res.stderr
    (case,) = ET.fromstring(res.stdout).find("testsuite").findall("testcase")
    assert case.get("name") == "seeds/006_fluent.txt" and case.find("failure") is None
    # the seeds whose scores the new article moves are left for the next analysis, not scored by ci
    dbh = store.open_db(root / "claims" / "fc.db")
    new_id = next(a.id for a in store.load_articles(dbh) if a.file.endswith("006_fluent.txt"))
    stale = store.stale_scores(dbh)
    assert stale and new_id not in stale
    counts = json.loads(dbh.execute("select counts from runs where command = 'ci' order by id desc limit 1").fetchone()[0])
    assert counts["scores_left_stale"] == len(stale)
    # a verbatim copy of the same file is refused by ingest and fails as a duplicate
    shutil.copy(seeds_copy / "006_fluent.txt", seeds_copy / "007_copy.txt")
    res = _ci(app, root)
    assert res.exit_code == 3 and "exact copy of seeds/006_fluent.txt" in res.output
