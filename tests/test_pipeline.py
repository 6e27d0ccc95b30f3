"""End to end on the seeds with the real model: run, export, incremental re-runs, bad input."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck import store
from factcheck.cli import app

from conftest import GOLD, SEEDS

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One real `factcheck run` over a copy of the seeds, shared by the tests of this module."""
    tmp = tmp_path_factory.mktemp("seeded")
    seeds = tmp / "seeds"
    shutil.copytree(SEEDS, seeds)
    dbp = tmp / "fc.db"
    res = CliRunner().invoke(app, ["run", str(seeds), "--db", str(dbp), "--out", str(tmp / "reports")])
    assert res.exit_code == 0, res.output + str(res.exception)
    exp = CliRunner().invoke(app, ["export", "--format", "json", "--db", str(dbp)])
    assert exp.exit_code == 0, exp.output
    return {"tmp": tmp, "seeds": seeds, "db": dbp, "run": res, "export": json.loads(exp.stdout)}


def test_run_prints_a_summary_of_every_article(seeded):
    out = seeded["run"].stdout
    for f in SEEDS.glob("*.txt"):
        assert f.stem in out
    assert "claims" in out and "score" in out


def test_export_spans_are_exact_source_text(seeded):
    ex = seeded["export"]
    texts = {a["id"]: (seeded["seeds"] / Path(a["file"]).name).read_text(encoding="utf-8")
             for a in ex["articles"]}
    assert len(ex["articles"]) == 5
    by_id = {s["id"]: s for s in ex["sentences"]}
    for c in ex["claims"]:
        t = texts[c["article"]]
        assert t[c["start"]:c["end"]] == c["text"]
        s = by_id[c["sentence"]]
        assert s["start"] <= c["start"] and c["end"] <= s["end"]
    for s in ex["sentences"]:
        assert 0 <= s["start"] < s["end"] <= len(texts[s["article"]])


def test_seed_metrics_meet_the_targets(seeded):
    from factcheck.eval import evaluate
    texts = {a["id"]: (seeded["seeds"] / Path(a["file"]).name).read_text(encoding="utf-8")
             for a in seeded["export"]["articles"]}
    m = evaluate(seeded["export"], GOLD, texts)
    assert m["boilerplate_leaks"] == 0
    # Precision first: no false merge, no single-source claim shown as corroborated. Recall is far
    # below the 0.90 aim (see README, "Known limits"); this floor catches a regression.
    assert m["cross_group_merges"] == 0
    assert m["single_source_wrongly_corroborated"] == 0
    assert m["corroboration_recall"] >= 0.25, m["missed_corroborations"]
    # conflicts: every core conflict, none of the traps, no flood
    assert m["conflict_recall"] >= 0.8 and m["false_conflicts"] == 0 and m["conflicts_total"] <= 20
    # garble: F1 and no more than one flagged sentence in each fluent article
    assert m["garble_f1"] >= 0.85
    flagged = {}
    for s in seeded["export"]["sentences"]:
        flagged[s["article"][:3]] = flagged.get(s["article"][:3], 0) + bool(s.get("garbled"))
    assert all(flagged.get(k, 0) <= 1 for k in ("001", "003", "004")), flagged
    assert m["order_ok"], m["scores"]


def test_eval_matches_the_shared_scorer(seeded, tmp_path):
    scorer = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score_export.py"
    if not scorer.exists():
        pytest.skip("the shared scorer is not beside this checkout")
    (tmp_path / "export.json").write_text(json.dumps(seeded["export"]), encoding="utf-8")
    ref = json.loads(subprocess.run([sys.executable, str(scorer), str(tmp_path / "export.json"),
                                     "--seeds", str(seeded["seeds"]), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    res = CliRunner().invoke(app, ["eval", "--gold", str(GOLD), "--db", str(seeded["db"]), "--json"])
    ours = json.loads(res.stdout)
    for k in ("corroboration_recall", "cross_group_merges", "conflict_recall", "false_conflicts",
              "conflicts_total", "garble_f1", "boilerplate_leaks", "order_ok",
              "single_source_wrongly_corroborated"):
        assert ours[k] == ref[k], k


def test_second_run_does_no_work_and_a_changed_file_only_its_own(seeded, tmp_path):
    dbp = tmp_path / "fc.db"
    shutil.copy(seeded["db"], dbp)
    r = CliRunner().invoke(app, ["run", str(seeded["seeds"]), "--db", str(dbp), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0
    run = store.last_runs(store.open_db(dbp), 1)[0]
    counts = json.loads(run["counts"])
    assert counts["added"] == 0 and counts["updated"] == 0 and counts["unchanged"] == 5
    assert counts["embedded"] == 0 and counts["analysis_skipped"] is True

    seeds2 = tmp_path / "seeds"
    shutil.copytree(seeded["seeds"], seeds2)
    db = store.open_db(dbp)
    # (the store's files are these copies now: the fixture's own files stay as they are)
    store.set_article_paths(db, {p.stem: str(p.resolve()) for p in seeds2.glob("*.txt")})
    target = sorted(seeds2.glob("004_*.txt"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nThe talks ended on Friday.\n", encoding="utf-8")
    before = {a.id: a for a in store.load_articles(db)}
    before_rows = {r["id"]: r["ingested_at"] for r in db.query("select id, ingested_at from articles")}
    r = CliRunner().invoke(app, ["run", str(seeds2), "--db", str(dbp), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0
    after_rows = {r["id"]: r["ingested_at"] for r in db.query("select id, ingested_at from articles")}
    changed = [k for k in before if before_rows[k] != after_rows[k]]
    assert changed == [target.stem]
    counts = json.loads(store.last_runs(db, 1)[0]["counts"])
    assert counts["updated"] == 1 and counts["unchanged"] == 4
    assert 0 < counts["embedded"] <= 3            # only the new claim(s) went to the model


def test_bad_files_get_one_line_each_and_the_run_goes_on(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(sorted(SEEDS.glob("004_*.txt"))[0], seeds / "good.txt")
    shutil.copy(sorted(SEEDS.glob("004_*.txt"))[0], seeds / "copy_of_good.txt")
    (seeds / "empty.txt").write_text("")
    (seeds / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00\x00" * 50)
    (seeds / "latin1.txt").write_bytes("Caf\xe9 au lait in Jakarta.".encode("latin-1"))
    with open(seeds / "huge.txt", "w") as f:
        f.write("Lavrov spoke in Jakarta. " * 2_100_000)        # ~50 MB
    (seeds / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (seeds / "loop.md").symlink_to(seeds / "loop.md")
    shutil.copy(Path(__file__).parent / "data" / "languages" / "id.txt", seeds / "berita.txt")
    dbp = tmp_path / "fc.db"
    r = CliRunner().invoke(app, ["run", str(seeds), "--db", str(dbp), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    err = r.stderr
    lines = [l for l in err.splitlines() if l.startswith("Error:")]
    for name in ("empty.txt", "binary.txt", "latin1.txt", "huge.txt", "gone.txt", "loop.md", "berita.txt"):
        assert sum(name in l for l in lines) == 1, err
    assert any("berita.txt: not in English" in l and "Indonesian" in l for l in lines), err
    assert any("gone.txt: broken symbolic link" in l for l in lines), err
    assert any("loop.md: symbolic link loop" in l for l in lines), err
    assert any("copy_of_good.txt" in l and "duplicate" in l for l in lines) or \
        any("good.txt" in l and "duplicate" in l for l in lines)
    assert "UTF-8" in err
    assert [a.id for a in store.load_articles(store.open_db(dbp))] in (["good"], ["copy_of_good"])


def test_paths_that_are_not_readable_files_get_their_reason(tmp_path):
    from factcheck.pipeline import expand_paths
    (tmp_path / "a.txt").write_text("Lavrov spoke in Jakarta.")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "empty").mkdir()
    names = ["a.txt", "gone.txt", "loop.txt", "pipe.txt", "missing.txt", "empty"]
    files, errors = expand_paths([tmp_path / n for n in names])
    assert files == [tmp_path / "a.txt"]
    assert errors == [f"{tmp_path / 'gone.txt'}: broken symbolic link (to {tmp_path / 'nowhere.txt'})",
                      f"{tmp_path / 'loop.txt'}: symbolic link loop",
                      f"{tmp_path / 'pipe.txt'}: not a regular file (a device, pipe or socket)",
                      f"{tmp_path / 'missing.txt'}: no such file or folder",
                      f"{tmp_path / 'empty'}: no article files (.txt .md .html .json .jsonl) in this folder"]
    # in a folder: the article files on broken links are named, a pipe is passed over
    files, errors = expand_paths([tmp_path])
    assert files == [tmp_path / "a.txt"]
    assert errors == [f"{tmp_path / 'gone.txt'}: broken symbolic link (to {tmp_path / 'nowhere.txt'})",
                      f"{tmp_path / 'loop.txt'}: symbolic link loop"]


def test_an_article_longer_than_max_chars_is_one_line_and_its_stored_version_leaves(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(sorted(SEEDS.glob("004_*.txt"))[0], seeds / "good.txt")
    long_text = "".join(f"Minister {i} met the delegation in Naypyitaw on Monday to discuss trade. "
                        for i in range(120))                       # ~8,700 characters
    (seeds / "long.txt").write_text(long_text, encoding="utf-8")
    (seeds / "batch.jsonl").write_text(json.dumps({"title": "Long", "text": long_text}) + "\n"
                                       + json.dumps({"title": "Short", "text": "Lavrov arrived in Naypyitaw on "
                                                     "Wednesday for talks with the military government."}) + "\n",
                                       encoding="utf-8")
    for p in seeds.iterdir():       # (settled files: the second run knows them by size and time)
        os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    dbp, out = tmp_path / "fc.db", tmp_path / "r"
    loose, strict = tmp_path / "loose.toml", tmp_path / "strict.toml"
    loose.write_text("max_chars = 20000\n", encoding="utf-8")
    strict.write_text("max_chars = 5000\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["run", str(seeds), "--db", str(dbp), "--out", str(out), "--config", str(loose)])
    assert r.exit_code == 0, r.output
    assert "long" in {a.id for a in store.load_articles(store.open_db(dbp))}
    r = CliRunner().invoke(app, ["run", str(seeds), "--db", str(dbp), "--out", str(out), "--config", str(strict)])
    assert r.exit_code == 0, r.output
    lines = [l for l in r.stderr.splitlines() if l.startswith("Error:")]
    assert len(lines) == 2, r.stderr
    stored = next(l for l in lines if "long.txt" in l)
    assert f"text too long ({len(long_text):,} characters" in stored and "limit 5,000" in stored and stored.endswith("its stored version removed")
    batch = next(l for l in lines if "batch.jsonl:1" in l)
    assert "text too long" in batch and "limit 5,000" in batch
    ids = {a.id for a in store.load_articles(store.open_db(dbp))}
    assert ids == {"good", "batch-2"}                  # (the short line of the batch)
    assert not (out / "long.html").exists()


def test_an_article_rewritten_in_another_language_leaves_the_store_with_one_line(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(sorted(SEEDS.glob("004_*.txt"))[0], seeds / "a.txt")
    lines = [json.dumps({"title": "Lavrov in Jakarta", "text": sorted(SEEDS.glob("001_*.txt"))[0].read_text()}),
             json.dumps({"title": "Lavrov in Jakarta", "text": sorted(SEEDS.glob("003_*.txt"))[0].read_text()})]
    (seeds / "feed.jsonl").write_text("\n".join(lines) + "\n")
    dbp = tmp_path / "fc.db"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(seeds), "--db", str(dbp)])
    assert r.exit_code == 0, r.output
    assert sorted(a.id for a in store.load_articles(store.open_db(dbp))) == ["a", "feed-1", "feed-2"]
    other = (Path(__file__).parent / "data" / "languages" / "es.txt").read_text()
    (seeds / "a.txt").write_text(other)
    lines[1] = json.dumps({"title": "Lavrov en Yakarta", "text": other})
    (seeds / "feed.jsonl").write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["ingest", str(seeds), "--db", str(dbp)])
    err = [l for l in r.stderr.splitlines() if l.startswith("Error:")]
    assert len(err) == 2, r.stderr
    assert any("a.txt: not in English" in l and l.endswith("and its stored version removed") for l in err), err
    assert any("feed.jsonl:2: line 2: not in English" in l and l.endswith("and its stored version removed")
               for l in err), err
    assert [a.id for a in store.load_articles(store.open_db(dbp))] == ["feed-1"]


def test_files_of_one_name_in_different_folders_are_different_articles_and_a_moved_file_keeps_its_id(
        tmp_path, monkeypatch):
    from factcheck.ci import find_changed
    monkeypatch.chdir(tmp_path)
    seeds = Path("seeds")
    for sub, seed in (("a", "000"), ("b", "003")):
        (seeds / sub).mkdir(parents=True)
        shutil.copy(sorted(SEEDS.glob(f"{seed}_*.txt"))[0], seeds / sub / "story.txt")
    (seeds / "b" / "feed.jsonl").write_text(json.dumps({"text": sorted(SEEDS.glob("001_*.txt"))[0].read_text()}) + "\n")
    (seeds / "a" / "feed.jsonl").write_text(json.dumps({"text": sorted(SEEDS.glob("004_*.txt"))[0].read_text()}) + "\n")
    runner = CliRunner()

    def ingest():
        r = runner.invoke(app, ["ingest", "seeds", "--db", "fc.db"])
        assert r.exit_code == 0, r.output
        return r.stdout, {a.id: a.file for a in store.load_articles(store.open_db(Path("fc.db")))}
    out, files = ingest()
    assert "4 added" in out
    assert files == {"story": "seeds/a/story.txt", "story~b": "seeds/b/story.txt",
                     "feed-1": "seeds/a/feed.jsonl:1", "feed~b-1": "seeds/b/feed.jsonl:1"}
    out, again = ingest()
    assert "4 unchanged" in out and again == files
    db = store.open_db(Path("fc.db"))
    assert find_changed(db, folder=seeds) == []          # ci's default: nothing new
    # a moved file is the same article, under its new name; the other keeps its own id
    (seeds / "c").mkdir()
    (seeds / "a" / "story.txt").rename(seeds / "c" / "story.txt")
    out, moved = ingest()
    assert "4 unchanged" in out and moved == {**files, "story": "seeds/c/story.txt"}
    # a third file of that name, new: an id of its own, and ci finds it (only it)
    shutil.copy(sorted(SEEDS.glob("002_*.txt"))[0], seeds / "a" / "story.txt")
    assert find_changed(db, folder=seeds) == [Path("seeds/a/story.txt")]
    out, third = ingest()
    assert "1 added" in out and third["story~a"] == "seeds/a/story.txt" and len(third) == 5
    # a copy of the whole folder, read with this store while the original stays: the same articles
    shutil.copytree(seeds, "copy")
    assert find_changed(db, folder=Path("copy")) == []
    r = runner.invoke(app, ["ingest", "copy", "--db", "fc.db"])
    assert r.exit_code == 0 and "5 unchanged" in r.stdout and "duplicate" not in r.output, r.output
    assert sorted(a.id for a in store.load_articles(store.open_db(Path("fc.db")))) == sorted(third)
    # the ids are the same whether every stored row is read at once or each looked up
    from factcheck.pipeline import FileIds
    files = sorted(p for folder in ("seeds", "copy") for p in Path(folder).rglob("*.*"))
    whole, lookups = FileIds(db), FileIds(db, 1)
    assert whole.whole and not lookups.whole
    assert [whole.of(p) for p in files] == [lookups.of(p) for p in files]


def test_ingest_does_not_read_again_a_file_stored_with_its_content(tmp_path, monkeypatch):
    from factcheck import pipeline
    from factcheck.settings import load_settings
    from factcheck.stages import ingest as ingest_stage
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in ("000", "004"):
        shutil.copy(sorted(SEEDS.glob(f"{seed}_*.txt"))[0], seeds)
    (seeds / "feed.jsonl").write_text(json.dumps({"text": sorted(SEEDS.glob("001_*.txt"))[0].read_text()}) + "\n\n"
                                      + json.dumps({"text": sorted(SEEDS.glob("003_*.txt"))[0].read_text()}) + "\n")
    settings = load_settings()
    db = store.open_db(tmp_path / "fc.db")
    assert len(pipeline.ingest(db, [seeds], settings).added) == 4
    read: list[str] = []
    for name in ("read_article", "read_articles"):
        real = getattr(ingest_stage, name)
        monkeypatch.setattr(ingest_stage, name, lambda p, *a, _real=real, **k: read.append(Path(p).name) or _real(p, *a, **k))
    res = pipeline.ingest(db, [seeds], settings)
    assert sorted(res.unchanged) == sorted(["feed-1", "feed-3", *(p.stem for p in seeds.glob("*.txt"))]) and not read
    target = sorted(seeds.glob("004_*.txt"))[0]
    target.write_text(target.read_text() + "\nThe talks ended on Friday.\n")
    res = pipeline.ingest(db, [seeds], settings)
    assert read == [target.name] and res.updated == [target.stem] and len(res.unchanged) == 3
    # a copy of a stored file under another name is still a duplicate, read or not
    shutil.copy(sorted(seeds.glob("000_*.txt"))[0], seeds / "zz_copy.txt")
    res = pipeline.ingest(db, [seeds], settings)
    assert res.duplicates == [str(seeds / "zz_copy.txt")]


def test_ingesting_a_few_files_looks_up_their_stored_hashes_not_every_article_s(tmp_path, monkeypatch):
    """`ci` on one new file ingests the corpus folder's few files and the new one: what it knows of
    their stored contents is looked up per article, so the time does not grow with the store; the
    verdicts (unchanged, updated, added, duplicate, the extraction rules' re-read) are those of
    reading every hash at once."""
    from factcheck import pipeline
    from factcheck.settings import load_settings
    settings = load_settings()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in ("000", "003", "004"):
        shutil.copy(sorted(SEEDS.glob(f"{seed}_*.txt"))[0], seeds)
    db = store.open_db(tmp_path / "fc.db")
    assert len(pipeline.ingest(db, [seeds], settings).added) == 3
    whole_reads: list[int] = []
    real = store.article_hashes
    monkeypatch.setattr(store, "article_hashes", lambda d: whole_reads.append(1) or real(d))
    changed = sorted(seeds.glob("004_*.txt"))[0]
    changed.write_text(changed.read_text() + "\nThe talks ended on Friday.\n")
    shutil.copy(sorted(SEEDS.glob("001_*.txt"))[0], seeds)
    shutil.copy(sorted(seeds.glob("000_*.txt"))[0], seeds / "zz_copy.txt")
    res = pipeline.ingest(db, [seeds], settings)
    assert whole_reads == []
    assert res.updated == [changed.stem] and res.added == [sorted(SEEDS.glob("001_*.txt"))[0].stem]
    assert len(res.unchanged) == 2 and res.duplicates == [str(seeds / "zz_copy.txt")]
    from factcheck.ci import find_changed
    (seeds / "zz_copy.txt").unlink()
    assert find_changed(db, folder=seeds) == [] and whole_reads == []
    new = seeds / "late.txt"
    new.write_text(sorted(SEEDS.glob("002_*.txt"))[0].read_text())
    assert find_changed(db, folder=seeds, cwd=tmp_path) == [Path("seeds/late.txt")] and whole_reads == []
    # the lookups and the whole read agree, and so do their changes
    few, whole = pipeline.StoredHashes(db, 1), pipeline.StoredHashes(db)
    assert not few.whole and whole.whole and whole_reads == [1]
    ids = [p.stem for p in seeds.glob("*.txt")] + ["nope"]
    assert [few.get(a) for a in ids] == [whole.get(a) for a in ids] and "nope" not in few
    for m in (few, whole):
        m["nope"] = "x"
        del m[changed.stem]
    assert dict(few) == dict(whole) and "nope" in few and changed.stem not in few
    # new extraction rules: every stored article is read again (and the rules' state is then set)
    store.set_state(db, "extractor", "old rules")
    res = pipeline.ingest(db, [seeds], settings)
    assert sorted(res.updated) == sorted(p.stem for p in seeds.glob("*.txt") if p.name != "late.txt")
    assert store.get_state(db, "extractor") == pipeline.EXTRACTOR_VERSION


def test_a_file_whose_size_and_time_are_those_stored_is_not_even_hashed(tmp_path, monkeypatch):
    from factcheck import pipeline
    from factcheck.settings import load_settings
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in ("000", "003", "004"):
        shutil.copy(sorted(SEEDS.glob(f"{seed}_*.txt"))[0], seeds)
    old = 1_600_000_000_000_000_000                     # (2020: long settled)
    for p in seeds.iterdir():
        os.utime(p, ns=(old, old))
    settings = load_settings()
    db = store.open_db(tmp_path / "fc.db")
    pipeline.ingest(db, [seeds], settings)
    stamps = dict(db.execute("select id, file_stamp from articles"))
    assert all(v and v.endswith(f":{old}") for v in stamps.values()), stamps
    hashed: list[str] = []
    real = pipeline.stored_unchanged
    monkeypatch.setattr(pipeline, "stored_unchanged", lambda p, *a, **k: hashed.append(p.name) or real(p, *a, **k))
    res = pipeline.ingest(db, [seeds], settings)
    assert len(res.unchanged) == 3 and hashed == []
    # touched (another time, the same bytes): hashed, unchanged, and its new stamp kept
    a, b, c = sorted(seeds.iterdir())
    os.utime(a, ns=(old + 10**9, old + 10**9))
    res = pipeline.ingest(db, [seeds], settings)
    assert len(res.unchanged) == 3 and hashed == [a.name]
    assert dict(db.execute("select id, file_stamp from articles"))[a.stem].endswith(f":{old + 10**9}")
    # edited: read again; a file written just now gets no stamp until it has settled
    hashed.clear()
    b.write_text(b.read_text() + "\nThe talks ended on Friday.\n")
    res = pipeline.ingest(db, [seeds], settings)
    assert res.updated == [b.stem] and hashed == [b.name]
    assert dict(db.execute("select id, file_stamp from articles"))[b.stem] is None


def test_nothing_readable_exits_1_and_keeps_the_store(tmp_path, seeded):
    dbp = tmp_path / "fc.db"
    shutil.copy(seeded["db"], dbp)
    r = CliRunner().invoke(app, ["run", str(tmp_path / "no-such-folder"), "--db", str(dbp)])
    assert r.exit_code == 1
    assert "no-such-folder" in r.stderr
    assert len(store.load_articles(store.open_db(dbp))) == 5


def test_a_file_deleted_from_the_folder_leaves_the_store_on_the_next_run(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for f in sorted(SEEDS.glob("00[134]_*.txt")):
        shutil.copy(f, seeds / f.name)
    elsewhere = tmp_path / "elsewhere.txt"            # ingested from outside the folder: kept
    shutil.copy(sorted(SEEDS.glob("002_*.txt"))[0], elsewhere)
    dbp, out = tmp_path / "fc.db", tmp_path / "reports"
    out.mkdir()
    (out / "notes.md").write_text("the user's own file", encoding="utf-8")
    assert CliRunner().invoke(app, ["ingest", str(elsewhere), "--db", str(dbp)]).exit_code == 0
    assert CliRunner().invoke(app, ["run", str(seeds), "--db", str(dbp), "--out", str(out)]).exit_code == 0
    gone = sorted(seeds.glob("003_*.txt"))[0]
    assert (out / f"{gone.stem}.html").exists()
    gone.unlink()
    elsewhere.unlink()
    r = CliRunner().invoke(app, ["run", str(seeds), "--db", str(dbp), "--out", str(out)])
    assert r.exit_code == 0, r.output
    notes = [l for l in r.stderr.splitlines() if l.startswith("Note:")]
    assert len(notes) == 1 and gone.name in notes[0] and "removed from the claims store" in notes[0]
    db = store.open_db(dbp)
    assert sorted(a.id for a in store.load_articles(db)) == sorted(
        [p.stem for p in seeds.glob("*.txt")] + ["elsewhere"])
    claims = {c.id for c in store.load_claims(db)}
    assert all(x.a in claims and x.b in claims for x in store.load_conflicts(db))
    assert not any(c.startswith(gone.stem) for k in store.load_clusters(db) for c in k.article_ids)
    # its report pages are gone with it; a file the tool did not write stays
    assert gone.stem not in (out / "index.html").read_text(encoding="utf-8")
    assert not list(out.glob(f"{gone.stem}.*")) and (out / "notes.md").exists()
    assert (out / "elsewhere.html").exists()


def test_analysis_pauses_garbage_collection_and_restores_it():
    import gc

    from factcheck.pipeline import _gc_paused
    assert gc.isenabled()
    seen = []
    with pytest.raises(RuntimeError):
        with _gc_paused():
            seen.append(gc.isenabled())
            raise RuntimeError("stage failed")
    assert seen == [False] and gc.isenabled()
    gc.disable()          # a caller that paused it itself keeps it paused
    try:
        with _gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pruning_from_inside_the_folder_keeps_the_articles_it_reads(tmp_path, monkeypatch):
    """Stored paths are relative to where the first run started; a later `run .` inside the folder
    must not take them for missing files (it removed every article), nor an article read from
    another folder for one of this folder's."""
    from factcheck import pipeline
    from factcheck.settings import load_settings

    corpus, other = tmp_path / "corpus", tmp_path / "other"
    corpus.mkdir()
    other.mkdir()
    for name, text in (("a.txt", "Rice prices rose for a third month in the northern provinces, traders said."),
                       ("b.txt", "The central bank kept its main interest rate unchanged on Thursday."),):
        (corpus / name).write_text(f"Title {name}\n\n{text}\n", encoding="utf-8")
    (other / "c.txt").write_text("Other\n\nFishermen in the delta said the rains came early this year.\n",
                                 encoding="utf-8")
    settings = load_settings()
    db = store.open_db(tmp_path / "fc.db")
    monkeypatch.chdir(tmp_path)
    pipeline.ingest(db, [Path("corpus"), Path("other/c.txt")], settings)
    assert {a.file for a in store.load_articles(db)} == {"corpus/a.txt", "corpus/b.txt", "other/c.txt"}

    monkeypatch.chdir(corpus)
    res = pipeline.ingest(db, [Path(".")], settings, prune=True)
    assert res.removed == [] and len(res.unchanged) == 2
    assert len(store.load_articles(db)) == 3

    (corpus / "b.txt").unlink()
    res = pipeline.ingest(db, [Path(".")], settings, prune=True)
    assert res.removed == ["corpus/b.txt"]
    assert {a.file for a in store.load_articles(db)} == {"corpus/a.txt", "other/c.txt"}


def test_pruning_a_folder_leaves_a_sibling_folder_with_the_same_prefix_and_handles_old_rows(tmp_path, monkeypatch):
    """The articles under a folder are found by a range of their stored absolute paths: `corpus2/`
    starts like `corpus/` but is not under it; a row stored before absolute paths were recorded
    is still pruned when its file is gone."""
    from factcheck import pipeline
    from factcheck.settings import load_settings

    corpus, sibling = tmp_path / "corpus", tmp_path / "corpus2"
    corpus.mkdir()
    sibling.mkdir()
    texts = ("Rice prices rose for a third month in the northern provinces, traders said.",
             "The central bank kept its main interest rate unchanged on Thursday.",
             "Fishermen in the delta said the rains came early this year.")
    for folder, name, text in ((corpus, "a.txt", texts[0]), (corpus, "b.txt", texts[1]), (sibling, "c.txt", texts[2])):
        (folder / name).write_text(f"Title {name}\n\n{text}\n", encoding="utf-8")
    settings = load_settings()
    db = store.open_db(tmp_path / "fc.db")
    monkeypatch.chdir(tmp_path)
    pipeline.ingest(db, [Path("corpus"), Path("corpus2")], settings)
    (sibling / "c.txt").unlink()
    assert pipeline.ingest(db, [Path("corpus")], settings, prune=True).removed == []
    assert {a.file for a in store.load_articles(db)} == {"corpus/a.txt", "corpus/b.txt", "corpus2/c.txt"}

    db.execute("update articles set abs_path = null where file = 'corpus/b.txt'")
    db.conn.commit()
    (corpus / "b.txt").unlink()
    assert pipeline.ingest(db, [Path("corpus")], settings, prune=True).removed == ["corpus/b.txt"]
    assert pipeline.ingest(db, [Path("corpus2")], settings, prune=True).removed == ["corpus2/c.txt"]
    assert {a.file for a in store.load_articles(db)} == {"corpus/a.txt"}

    # an old row whose file is there gets its path recorded on the way: the next pruning of
    # another folder finds it by that path (not among the rows it resolves again), and it stays
    db.execute("update articles set abs_path = null where file = 'corpus/a.txt'")
    db.conn.commit()
    assert [r[1] for r in store.articles_under(db, [sibling.resolve()])] == ["corpus/a.txt"]
    assert pipeline.prune_missing(db, [sibling]) == []
    assert store.articles_under(db, [sibling.resolve()]) == []
    assert [r[2] for r in store.articles_under(db, [corpus.resolve()])] == [str((corpus / "a.txt").resolve())]
    assert {a.file for a in store.load_articles(db)} == {"corpus/a.txt"}
