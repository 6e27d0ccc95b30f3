"""One factcheck command at a time on a claims store (`factcheck.locking`)."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from factcheck import locking, store
from factcheck.errors import user_errors

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _holder(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the store's lock for `seconds` (started once it says so)."""
    code = ("import sys, time; from factcheck import locking\n"
            f"locking.acquire({str(db)!r}, 'factcheck ci (a test holding it)')\n"
            "print('held', flush=True)\n"
            f"time.sleep({seconds})\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


@pytest.fixture
def app():
    from factcheck.cli import app
    return app


def test_a_command_waits_for_the_one_holding_the_store_then_runs(app, tmp_path, monkeypatch):
    db = tmp_path / "claims" / "fc.db"
    store.open_db(db).conn.close()
    monkeypatch.setenv("FACTCHECK_LOCK_WAIT", "60")
    holder = _holder(db, 1.5)
    t = time.monotonic()
    res = CliRunner().invoke(app, ["export", "--db", str(db)])
    waited = time.monotonic() - t
    holder.wait()
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["articles"] == []
    assert waited >= 0.5                     # it ran once the other process had let go
    said = res.stderr.strip().splitlines()
    assert len(said) == 1 and said[0].startswith(f"Waiting for {db}: another factcheck command is using it")
    assert f"pid {holder.pid}: factcheck ci (a test holding it)" in said[0]
    assert locking.held() == []              # given back when the command ended


def test_a_command_that_waits_too_long_stops_with_one_line_and_a_killed_holder_leaves_no_lock(app, tmp_path, monkeypatch):
    db = tmp_path / "claims" / "fc.db"
    store.open_db(db).conn.close()
    monkeypatch.setenv("FACTCHECK_LOCK_WAIT", "0.3")
    holder = _holder(db, 60)
    try:
        res = CliRunner().invoke(app, ["analyze", "--db", str(db)])
        assert res.exit_code == 1, res.output
        errors = [l for l in res.stderr.splitlines() if l.startswith("Error:")]
        assert len(errors) == 1 and "Traceback" not in res.output + res.stderr
        assert str(db) in errors[0] and f"pid {holder.pid}" in errors[0] and "after 0 s" in errors[0]
        assert "FACTCHECK_LOCK_WAIT" in errors[0]
        monkeypatch.setenv("FACTCHECK_LOCK_WAIT", "soon")
        res = CliRunner().invoke(app, ["export", "--db", str(db)])
        assert res.exit_code == 1 and res.stderr.strip() == "Error: FACTCHECK_LOCK_WAIT='soon': not a number of seconds"
    finally:
        holder.kill()
        holder.wait()
    # the operating system let go of the killed process's lock: nothing stale to clear by hand
    res = CliRunner().invoke(app, ["export", "--db", str(db)])
    assert res.exit_code == 0 and "Waiting" not in res.stderr


def test_the_lock_is_taken_once_per_process_and_given_back(tmp_path):
    db = tmp_path / "fc.db"
    a = store.open_db(db, lock=True)
    b = store.open_db(db, lock=True)                   # (the same process: no wait)
    assert locking.held() == [str(locking.lock_path(db).resolve())]
    probe = ("import fcntl, os, sys\n"
             f"fd = os.open({str(locking.lock_path(db))!r}, os.O_RDWR)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
             "except BlockingIOError:\n    print('held')\n")
    ask = lambda: subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()  # noqa: E731
    assert ask() == "held"
    with locking.hold(db):                             # (held before the block: still held after it)
        pass
    assert ask() == "held"
    locking.release_all()
    assert ask() == "free" and locking.held() == []
    with locking.hold(db):                             # (taken for the block alone)
        assert ask() == "held"
    assert ask() == "free" and locking.held() == []
    a.conn.close(), b.conn.close()


def test_a_store_kept_busy_by_another_writer_is_one_error_line(capsys):
    @user_errors
    def command():
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(typer.Exit) as e:
        command()
    assert e.value.exit_code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: the claims store stayed busy")

    @user_errors
    def bug():
        raise sqlite3.OperationalError("no such table: nothing")

    with pytest.raises(sqlite3.OperationalError):      # (a bug keeps its traceback)
        bug()


def _factcheck(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "factcheck", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


# loaded by a `ci` process at start-up (PYTHONPATH): its analysis says when it is about to save,
# then takes a few seconds more, so that another command starts while it is in the middle
SLOW_SAVE = """
import os, time
if os.environ.get("FACTCHECK_TEST_SLOW_SAVE"):
    import factcheck.store as s
    _save = s.save_analysis
    def save_analysis(*args, **kwargs):
        open(os.environ["FACTCHECK_TEST_SLOW_SAVE"], "w").write("saving")
        time.sleep(6)
        return _save(*args, **kwargs)
    s.save_analysis = save_analysis
"""


@pytest.mark.model
def test_a_ci_started_while_another_analyses_waits_for_it_and_the_store_stays_whole(tmp_path):
    files = sorted(SEEDS.glob("*.txt"))
    (tmp_path / "seeds").mkdir()
    for f in files[:2]:
        (tmp_path / "seeds" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    r = _factcheck(tmp_path, "run", "seeds", "--format", "json")
    assert r.returncode == 0, r.stderr
    first, second = files[2:4]
    for f in (first, second):
        (tmp_path / "seeds" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_SAVE, encoding="utf-8")
    signal = tmp_path / "saving"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}

    def start(f: Path, **extra) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "factcheck", "ci", f"seeds/{f.name}"], cwd=tmp_path,
                                env={**env, **extra}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    a = start(first, PYTHONPATH=str(hook), FACTCHECK_TEST_SLOW_SAVE=str(signal))
    deadline = time.monotonic() + 120
    while not signal.exists() and a.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert signal.exists(), a.communicate()
    b = start(second)                              # while the first is about to save its analysis
    (out_a, err_a), (out_b, err_b) = a.communicate(), b.communicate()
    assert a.returncode in (0, 3) and b.returncode in (0, 3), err_a + err_b
    assert f"seeds/{first.name}" in out_a and f"seeds/{second.name}" in out_b
    assert "Traceback" not in err_a + err_b
    waited = err_b.strip().splitlines()
    assert len(waited) == 1 and waited[0].startswith("Waiting for claims/factcheck.db: another factcheck command")
    assert f"pid {a.pid}: factcheck ci" in waited[0]
    # both files are in the store, and its incremental state is that of an analysis from scratch
    again = _factcheck(tmp_path, "ci")
    assert again.returncode == 0 and "no new or changed article files" in again.stdout
    assert _factcheck(tmp_path, "export", "-o", "before.json").returncode == 0
    assert _factcheck(tmp_path, "analyze", "--force").returncode == 0
    assert _factcheck(tmp_path, "export", "-o", "after.json").returncode == 0
    before, after = (json.loads((tmp_path / n).read_text()) for n in ("before.json", "after.json"))
    assert len(before["articles"]) == 4
    for k in ("articles", "claims", "clusters", "conflicts"):
        assert before[k] == after[k], k
