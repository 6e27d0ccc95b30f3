"""The command line itself: help on every command, fast start, settings, usage errors."""
from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.errors import FactcheckError
from factcheck.settings import load_settings

COMMANDS = ["run", "ingest", "analyze", "export", "compare", "fluency", "eval"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_db_and_an_example(command):
    r = CliRunner().invoke(app, [command, "--help"])
    assert r.exit_code == 0
    assert "Example" in r.stdout
    if command not in ("compare", "fluency"):
        assert "--db" in r.stdout


def test_start_up_imports_no_model_code():
    code = "import sys, factcheck.cli; print(sorted(m for m in ('torch', 'numpy', 'spacy', 'sentence_transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_loading_the_language_model_looks_for_no_pydantic_plugins():
    """Parsing loads spaCy, whose config system uses pydantic: pydantic's search of every installed
    distribution's entry points for its plugins (10 ms of every command that parses) is not made."""
    code = ("import os; os.environ.pop('PYDANTIC_DISABLE_PLUGINS', None); from factcheck import nlp; "
            "nlp.load_nlp()('Lavrov met Marsudi in Jakarta.'); from pydantic.plugin import _loader; print(_loader._plugins)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "None"


def test_settings_file_overrides_and_unknown_keys_are_named(tmp_path):
    cfg = tmp_path / "factcheck.toml"
    cfg.write_text("backend = 'fp32'\n[ci]\nmin_score = 0.7\n", encoding="utf-8")
    s = load_settings(cfg, ci__max_conflicts=2)
    assert s.backend == "fp32" and s.ci.min_score == 0.7 and s.ci.max_conflicts == 2
    cfg.write_text("[ci]\nmin_scor = 0.7\n", encoding="utf-8")
    with pytest.raises(FactcheckError, match="min_scor"):
        load_settings(cfg)


def test_a_setting_below_its_floor_is_refused_naming_it(tmp_path):
    """A negative number tolerance (two equal numbers could differ by it) is refused, from a file
    or an option, with the setting named."""
    cfg = tmp_path / "factcheck.toml"
    cfg.write_text("[conflicts]\nnumber_tolerance = -0.1\n", encoding="utf-8")
    with pytest.raises(FactcheckError, match=r"factcheck.toml.conflicts: number_tolerance must be 0 or more, got -0.1"):
        load_settings(cfg)
    with pytest.raises(FactcheckError, match="number_tolerance must be 0 or more"):
        load_settings(conflicts__number_tolerance=-1)
    assert load_settings(conflicts__number_tolerance=0).conflicts.number_tolerance == 0.0
    r = CliRunner().invoke(app, ["run", str(tmp_path), "--db", str(tmp_path / "fc.db"), "--config", str(cfg)])
    assert r.exit_code == 1 and "number_tolerance" in r.stderr and "Traceback" not in r.stderr


def test_bad_settings_file_is_one_line_error(tmp_path):
    cfg = tmp_path / "factcheck.toml"
    cfg.write_text("[ci]\nmin_score = 'high'\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["run", str(tmp_path), "--db", str(tmp_path / "fc.db"), "--config", str(cfg)])
    assert r.exit_code == 1
    assert r.stderr.startswith("Error:") and "min_score" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("content, problem", [
    (b"[ci]\nmin_score = \n", "not valid TOML"),
    (b"[ci]\nmin_score = 0.5  # caf\xe9\n", "not UTF-8 (byte 0xe9"),
])
@pytest.mark.parametrize("given", [True, False])
def test_a_settings_file_that_does_not_parse_is_one_line_naming_it(tmp_path, monkeypatch, content, problem, given):
    cfg = tmp_path / "factcheck.toml"
    cfg.write_bytes(content)
    monkeypatch.chdir(tmp_path)                    # (found in the working folder when not given)
    r = CliRunner().invoke(app, ["export", "--db", str(tmp_path / "fc.db"), *(["--config", str(cfg)] if given else [])])
    assert r.exit_code == 1 and "Traceback" not in r.output + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {cfg}: {problem}")


def test_compare_needs_two_texts_or_a_pairs_file():
    r = CliRunner().invoke(app, ["compare", "only one"])
    assert r.exit_code == 2


def test_pairs_file_errors_name_the_line(tmp_path):
    p = tmp_path / "pairs.jsonl"
    p.write_text('{"a": "x", "b": "y"}\n{"a": "x"}\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["compare", "--pairs", str(p)])
    assert r.exit_code == 1 and f"{p}:2" in r.stderr


HOSTILE = "<script>alert(1)</script> [bold]x[/bold]"


def test_hostile_markup_is_printed_literally_in_the_terminal(tmp_path):
    """Article text and metadata reach the terminal as written: never run, never styled."""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hostile.json").write_text(json.dumps({
        "title": "Talks [bold]x[/bold] end", "outlet": "[b]x[/b]", "date": "2022-08-03",
        "text": f"Lavrov arrived in Naypyidaw on Wednesday. The minister said {HOSTILE} twice.",
    }), encoding="utf-8")
    r = CliRunner().invoke(app, ["run", str(folder), "--db", str(tmp_path / "fc.db"),
                                 "--out", str(tmp_path / "reports")], env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "[b]x[/b]" in r.stdout                    # the outlet column, literally, not bold
    r = CliRunner().invoke(app, ["fluency", HOSTILE + " said the the minister."])
    assert r.exit_code == 0
    assert HOSTILE in r.stdout or "the the" in r.stdout
    html = (tmp_path / "reports" / "hostile.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[bold]x[/bold]" in html


def test_a_sentence_in_another_language_is_reported_as_not_judged_not_garbled(tmp_path):
    """An English article quoting a whole sentence in French: the reports name it as not judged
    (French) and do not count it garbled; `factcheck fluency` says "not judged"."""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    french = "« Nous ne céderons jamais devant la pression étrangère », a déclaré le ministre."
    (folder / "paris.txt").write_text(
        "France's foreign minister rejected the sanctions on Tuesday. " + french
        + " He told reporters that the talks with the delegation would continue next week.\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["run", str(folder), "--db", str(tmp_path / "fc.db"),
                                 "--out", str(tmp_path / "reports")])
    assert r.exit_code == 0, r.output
    page = json.loads((tmp_path / "reports" / "paris.json").read_text(encoding="utf-8"))
    assert page["garbled_sentences"] == []
    (nj,) = page["not_judged_sentences"]
    assert nj["language"] == "French" and nj["text"] == french and nj["index"] == 1
    md = (tmp_path / "reports" / "paris.md").read_text(encoding="utf-8")
    assert "Not judged: 1 sentence not in English" in " ".join(md.split()) and "S2 (French)" in md
    html = (tmp_path / "reports" / "paris.html").read_text(encoding="utf-8")
    assert "S2 (French)" in html
    r = CliRunner().invoke(app, ["fluency", french])
    assert r.exit_code == 0 and r.stdout.startswith("not judged") and "French" in r.stdout
