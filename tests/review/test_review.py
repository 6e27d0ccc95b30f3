"""The conflict review: the Textual app through Pilot, the store edge, and the script twins."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static
from typer.testing import CliRunner

from factcheck import store
from factcheck.pipeline import conflict_fingerprint
from factcheck.records import Article, Claim, Cluster, Conflict, Score, Sentence, stable_id
from factcheck.review.app import DECISION_STATUS, ItemFilter, ReviewApp, detail_text, short_labels
from factcheck.review.cli import review_app
from factcheck.review.data import decide, load_items

MARKUP = "Lavrov said [bold]x[/bold] and [/b] at [ad_1] the 5 talks."

# (article, [(claim text, ...)]) -- each article is one sentence per claim.
ARTICLES = {
    "000_aaaa": ["Lavrov visited Jakarta on Tuesday.", "The deal was worth 5 billion dollars.",
                 "He met 12 ministers.", "The talks were the first of their kind."],
    "001_bbbb": ["Lavrov visited Jakarta on Monday.", "The deal was worth 7 billion dollars.",
                 "He met 15 ministers.", "The talks were held previously too."],
    "002_cccc": ["Lavrov visited Jakarta on Tuesday.", MARKUP, "Officials met 12 ministers."],
}


def _build(db) -> dict[str, Claim]:
    claims: dict[tuple[str, int], Claim] = {}
    for aid, texts in ARTICLES.items():
        text = " ".join(texts)
        sents, cls, pos = [], [], 0
        for i, t in enumerate(texts):
            start, end = pos, pos + len(t)
            assert text[start:end] == t
            sid = stable_id(aid, str(start), str(end))
            sents.append(Sentence(sid, aid, i, start, end, t))
            # The claim is the sentence without its final period, so context != claim.
            c = Claim(stable_id(aid, "c", str(start)), aid, sid, i, start, end - 1, t[:-1], t[:-1])
            cls.append(c)
            claims[(aid, i)] = c
            pos = end + 1
        store.save_article(db, Article(aid, f"seeds/{aid}.txt", stable_id(text), text,
                                       outlet=f"Outlet {aid[:3]}"), sents, cls)
    A, B, C = "000_aaaa", "001_bbbb", "002_cccc"

    def span(c: Claim, word: str) -> tuple[int, int]:
        s = c.start + c.text.index(word)
        return (s, s + len(word))

    def conflict(kind, sev, ca, cb, wa, wb):
        return Conflict(stable_id(ca.id, cb.id, kind), ca.id, cb.id, kind, sev,
                        f"{ca.article_id[:3]} says '{wa}' where {cb.article_id[:3]} says '{wb}'",
                        span(ca, wa), span(cb, wb))

    c = claims
    conflicts = [
        conflict("date", 0.9, c[A, 0], c[B, 0], "Tuesday", "Monday"),
        conflict("number", 0.8, c[A, 1], c[B, 1], "5", "7"),
        conflict("number", 0.7, c[A, 2], c[B, 2], "12", "15"),
        conflict("negation", 0.6, c[A, 3], c[B, 3], "first", "previously"),
        conflict("number", 0.5, c[C, 1], c[B, 1], "5", "7"),
    ]
    conflicts[4] = replace(conflicts[4], explanation=f"002 says '{MARKUP}' where 001 says '7'")
    clusters = [Cluster("k1", (c[A, 0].id, c[B, 0].id, c[C, 0].id), (A, B, C), 3),
                Cluster("k2", (c[A, 1].id, c[B, 1].id, c[C, 1].id), (A, B, C), 3)]
    by_id = {x.id: x for x in c.values()}
    store.save_analysis(
        db, fluency=[], sentence_article={}, facts={}, claim_article={}, origins={},
        clusters=clusters, conflicts=conflicts,
        fingerprints={x.id: conflict_fingerprint(by_id[x.a], by_id[x.b]) for x in conflicts},
        scores=[Score(A, 0.6), Score(B, 0.5), Score(C, 0.4)], state={})
    return {"conflicts": conflicts, **{f"{k[0][:3]}.{k[1]}": v for k, v in c.items()}}


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "fc.db"
    db = store.open_db(path)
    recs = _build(db)
    return path, db, recs


def _app(db, settings=None) -> ReviewApp:
    return ReviewApp(load_items(db), lambda cid, d, note: decide(db, cid, d, note, settings=settings))


def _current(app: ReviewApp) -> str:
    return app.current.conflict.id


async def test_decide_three_quit_and_resume(built):
    path, db, recs = built
    ids = [x.id for x in recs["conflicts"]]           # the store's order: severity desc
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        assert _current(app) == ids[0]
        await pilot.press("a", "b", "n", "q")
    assert app.return_value == {ids[0]: "confirmed", ids[1]: "confirmed", ids[2]: "dismissed"}
    hist = store.review_history(db)
    assert [(r["conflict_id"], r["decision"]) for r in hist] == [(ids[0], "a"), (ids[1], "b"),
                                                                 (ids[2], "not-conflict")]
    assert all(r["fingerprint"] and r["reviewer"] and r["time"] for r in hist)

    again = _app(store.open_db(path))
    async with again.run_test(size=(80, 24)) as pilot:
        assert _current(again) == ids[3]               # resumes on the first undecided one
        assert [again.status(i) for i in ids[:3]] == ["confirmed", "confirmed", "dismissed"]
        table = again.query_one("#list", DataTable)
        assert str(table.get_cell(ids[0], "st")) == "A✓"
        assert str(table.get_cell(ids[2], "st")) == "not"
        await pilot.press("q")
    assert again.return_value == {}
    assert {x.id: x.status for x in store.load_conflicts(db)} == {
        ids[0]: "confirmed", ids[1]: "confirmed", ids[2]: "dismissed", ids[3]: "open", ids[4]: "open"}


async def test_skip_is_stored_and_resume_passes_it(built):
    _, db, recs = built
    ids = [x.id for x in recs["conflicts"]]
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "a", "q")
    assert app.return_value == {ids[0]: "open", ids[1]: "confirmed"}
    again = _app(db)
    async with again.run_test(size=(80, 24)) as pilot:
        assert _current(again) == ids[2]
        await pilot.press("q")


async def test_undo_takes_back_the_last_decision(built):
    _, db, recs = built
    ids = [x.id for x in recs["conflicts"]]
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "n")
        assert _current(app) == ids[2]
        await pilot.press("u")
        assert _current(app) == ids[1] and app.status(ids[1]) == "open"
        await pilot.press("u")
        assert _current(app) == ids[0] and app.status(ids[0]) == "open"
        await pilot.press("u", "q")                    # nothing left to undo: no row written
    assert app.return_value == {ids[0]: "open", ids[1]: "open"}
    assert [r["decision"] for r in store.review_history(db)] == ["a", "not-conflict", "undo", "undo"]
    assert store.conflict_status(db) == {}


async def test_undo_from_an_earlier_session(built):
    _, db, recs = built
    first = recs["conflicts"][0].id
    decide(db, first, "b")
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up")                        # the cursor started on the second one
        assert _current(app) == first
        await pilot.press("u", "q")
    assert app.return_value == {first: "open"}
    assert store.conflict_status(db) == {}


async def test_filter_by_kind_and_by_article(built):
    _, db, recs = built
    by_kind = {x.kind: [] for x in recs["conflicts"]}
    for x in recs["conflicts"]:
        by_kind[x.kind].append(x.id)
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"kind:number", "enter")
        assert app.shown == by_kind["number"]
        assert "showing 3" in str(app.query_one("#status", Static).render())
        await pilot.press("a")                         # letters decide again once the box is closed
        assert app.status(by_kind["number"][0]) == "confirmed"
        await pilot.press("slash", "ctrl+u", *"article:002", "enter")
        assert app.shown == [recs["conflicts"][4].id]
        await pilot.press("slash", "ctrl+u", *"status:decided", "enter")
        assert app.shown == [by_kind["number"][0]]
        await pilot.press("slash", "ctrl+u", *"bogus:1", "enter")   # an error keeps the box open
        assert app.shown == [by_kind["number"][0]]
        await pilot.press("escape", "slash", "ctrl+u", "enter")     # empty: everything
        assert len(app.shown) == 5
        await pilot.press("q")
    assert app.return_value == {by_kind["number"][0]: "confirmed"}


async def test_markup_in_claims_is_shown_literally(built):
    _, db, recs = built
    target = recs["conflicts"][4]
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"article:002", "enter")
        assert _current(app) == target.id
        shown = app.query_one("#detail-text", Static).render()
        assert MARKUP in str(shown)
        cell = app.query_one("#list", DataTable).get_cell(target.id, "expl")
        assert "said [bold]x[/bold]" in str(cell)      # the cell is cut at 80 columns
        await pilot.press("question_mark")             # help opens and any key closes it
        await pilot.press("x")
        await pilot.press("q")
    plain = detail_text(load_items(db)[4], (), short_labels(["000_a", "001_b", "002_c"]))
    assert isinstance(plain, Text) and MARKUP[:-1] in plain.plain
    assert app.return_value == {}


def test_detail_highlights_both_spans(built):
    _, db, recs = built
    item = load_items(db)[0]
    t = detail_text(item, (), {})
    lit = [t.plain[s.start:s.end] for s in t.spans if "yellow" in str(s.style)]
    assert lit == ["Tuesday", "Monday"]
    assert "Lavrov visited Jakarta on Tuesday." in t.plain          # the sentence, not just the claim
    assert "002_cccc: Lavrov visited Jakarta on Tuesday" in t.plain  # who else says what
    assert "score 0.60" in t.plain and "score 0.50" in t.plain


def test_items_carry_status_and_stale_decisions_reopen(built):
    _, db, recs = built
    first = recs["conflicts"][0].id
    decide(db, first, "a")
    assert load_items(db)[0].history == ("a",)
    # The claims changed since: the stored fingerprint differs, so the decision no longer applies.
    db.execute("update conflicts set fingerprint = 'other' where id = ?", [first])
    item = load_items(db)[0]
    assert item.history == ("stale",)
    assert {x.id: x.status for x in store.load_conflicts(db)}[first] == "open"
    assert set(DECISION_STATUS.items()) <= set(store.DECISIONS.items())


def test_filter_parse():
    f = ItemFilter.parse("k:date a:004 s:open lavrov")
    assert (f.kind, f.article, f.status, f.words) == ("date", "004", "open", ("lavrov",))
    assert ItemFilter.parse("status:all").status is None
    with pytest.raises(ValueError):
        ItemFilter.parse("status:maybe")


def test_decision_lowers_the_wrong_articles_score(built):
    from factcheck.settings import load_settings
    _, db, recs = built
    from factcheck.pipeline import rescore
    settings = load_settings()
    rescore(db, settings)
    before = {k: v.score for k, v in store.load_scores(db).items()}
    x = recs["conflicts"][1]                          # 000 says 5, 001 says 7
    decide(db, x.id, "a", settings=settings)          # 000 is right: 001 is wrong
    after = {k: v.score for k, v in store.load_scores(db).items()}
    assert after["001_bbbb"] < before["001_bbbb"]


def test_cli_list_json_and_decide(built):
    path, db, recs = built
    ids = [x.id for x in recs["conflicts"]]
    runner = CliRunner()
    res = runner.invoke(review_app, ["--list", "--json", "--db", str(path)])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ids and {r["status"] for r in rows} == {"open"}
    assert rows[4]["a"]["text"] == MARKUP[:-1]

    res = runner.invoke(review_app, ["decide", ids[1][:6], "b", "--note", "AP wire", "--db", str(path)])
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"{ids[1]}: confirmed (b)"
    assert store.review_history(db)[-1]["note"] == "AP wire"

    res = runner.invoke(review_app, ["--db", str(path), "decide", ids[2], "not-conflict"])
    assert res.exit_code == 0, res.output

    res = runner.invoke(review_app, ["--list", "--json", "--status", "open", "--db", str(path)])
    assert [r["id"] for r in json.loads(res.stdout)] == [ids[0], ids[3], ids[4]]
    res = runner.invoke(review_app, ["--list", "--kind", "number", "--db", str(path)])
    assert res.exit_code == 0 and res.stdout.count("number") == 3 and "[/b]" in res.stdout

    res = runner.invoke(review_app, ["decide", "zzzz", "a", "--db", str(path)])
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: no conflict with id 'zzzz'") and res.stderr.count("\n") == 1
    res = runner.invoke(review_app, ["decide", "", "a", "--db", str(path)])
    assert res.exit_code == 1
    res = runner.invoke(review_app, ["decide", ids[0], "maybe", "--db", str(path)])
    assert res.exit_code == 2
    res = runner.invoke(review_app, ["--list", "--db", str(path.parent / "none.db")])
    assert res.exit_code == 1 and "no claims store" in res.stderr


def test_cli_help():
    runner = CliRunner()
    assert "a (article A is right)" in runner.invoke(review_app, ["--help"]).stdout
    assert "unique" in runner.invoke(review_app, ["decide", "--help"]).stdout


def test_the_program_exits_quickly_with_its_status_and_the_db_file_holding_the_decision(built, tmp_path):
    """`factcheck` ends without tearing the interpreter down (`cli.main`); before that, its output
    is flushed and its stores closed: the exit status is the command's, the output is whole, and
    the .db file alone (copied without its write-ahead log) holds what the command wrote."""
    import os
    import shutil
    import subprocess
    import sys

    path, db, recs = built
    db.conn.close()
    ids = [x.id for x in recs["conflicts"]]

    def program(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "factcheck", "review", *args, "--db", str(path)],
                              capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})

    done = program("decide", ids[1][:6], "b", "--note", "AP wire")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{ids[1]}: confirmed (b)\n"
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "alone.db"
    shutil.copy(path, alone)
    assert store.review_history(store.open_db(alone))[-1]["note"] == "AP wire"

    listed = program("--list", "--json")
    assert listed.returncode == 0 and [r["id"] for r in json.loads(listed.stdout)] == ids
    usage = program("decide", ids[0], "maybe")
    assert usage.returncode == 2 and "use a, b, not-conflict or undo" in usage.stderr
    missing = program("decide", "zzzz", "a")
    assert missing.returncode == 1 and missing.stderr.startswith("Error: no conflict with id 'zzzz'")


def test_a_decision_waits_for_a_command_holding_the_store_and_is_written_after_it(built, monkeypatch):
    import subprocess
    import sys
    path, db, recs = built
    ids = [x.id for x in recs["conflicts"]]
    code = ("import time; from factcheck import locking\n"
            f"locking.acquire({str(path)!r}, 'factcheck ci (a test holding it)')\n"
            "print('held', flush=True); time.sleep({})\n")

    def holder(seconds):
        p = subprocess.Popen([sys.executable, "-c", code.format(seconds)], stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "held"
        return p

    runner = CliRunner()
    monkeypatch.setenv("FACTCHECK_LOCK_WAIT", "0.3")
    p = holder(60)
    try:
        res = runner.invoke(review_app, ["decide", ids[1], "b", "--db", str(path)])
        assert res.exit_code == 1
        err = [l for l in res.stderr.splitlines() if l.startswith("Error:")]
        assert len(err) == 1 and f"pid {p.pid}: factcheck ci (a test holding it)" in err[0]
        assert store.review_history(db) == []            # nothing written while the other held it
    finally:
        p.kill()
        p.wait()
    monkeypatch.setenv("FACTCHECK_LOCK_WAIT", "60")
    p = holder(1.0)
    res = runner.invoke(review_app, ["decide", ids[1], "b", "--db", str(path)])
    p.wait()
    assert res.exit_code == 0, res.output
    assert res.stderr.startswith(f"Waiting for {path}: another factcheck command is using it")
    assert [r["decision"] for r in store.review_history(db)] == ["b"]
