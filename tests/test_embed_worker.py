"""The embedding worker: the vectors of the model in a process of its own are those of the model
in this one, a failed worker leaves the embedding to this process, and spaCy loads without torch."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from factcheck import embed_worker
from factcheck.stages.embeddings import MiniLMEmbedder

TEXTS = [
    "The minister said the talks would resume on Monday.",
    "Officials confirmed 14 people were injured in the blast.",
    "",
    "Ça coûte 3,5 millions d'euros, selon le rapport.",
    *(f"Claim number {i} repeats what the agency reported{' at length' * (i % 7)}." for i in range(40)),
]


@pytest.fixture(params=["auto", "bf16"])
def worker(request):
    w = embed_worker.WorkerEmbedder("minilm.v1", request.param)
    w.backend = request.param
    yield w
    w.close()


def test_the_workers_vectors_are_those_of_this_process_bit_for_bit(worker):
    """(The worker imports torch without its meta kernels, see `embed_worker.main`;
    this process, a test session, imports it whole.)"""
    local = MiniLMEmbedder(worker.backend)
    assert worker.name == local.name
    got = worker.embed(TEXTS)           # (two batches of 32 and the empty text among them)
    assert worker.fallback_reason is None, worker.fallback_reason
    assert embed_worker.describe(worker) == "worker"
    want = local.embed(TEXTS)
    assert got.dtype == np.float32 and got.shape == (len(TEXTS), 384)
    assert np.array_equal(got, want)
    # a second request, of one batch (whose vectors are not those of the texts in larger batches)
    assert np.array_equal(worker.embed(TEXTS[:3]), local.embed(TEXTS[:3]))
    # handed over first, collected later
    later = worker.submit(TEXTS[3:9])
    assert np.array_equal(later(), local.embed(TEXTS[3:9]))


def test_a_worker_that_died_leaves_the_embedding_to_this_process(worker):
    worker._proc.kill()
    worker._proc.wait()
    got = worker.embed(TEXTS[:5])
    assert worker.fallback_reason                # (told why)
    assert embed_worker.describe(worker).startswith("in process: ")
    assert worker._proc is None
    assert np.array_equal(got, MiniLMEmbedder(worker.backend).embed(TEXTS[:5]))


def test_a_request_is_handed_to_a_worker_still_loading_without_waiting_for_it():
    """`submit` returns at once though the worker reads nothing yet and the request is larger than
    a pipe holds, so the command goes on meanwhile; a worker that dies before answering leaves
    those texts to this process."""
    worker = embed_worker.WorkerEmbedder("minilm.v1", "auto")
    worker.close()
    worker.fallback_reason = None

    class Local:
        def embed(self, texts):
            return np.full((len(texts), 384), 0.5, dtype=np.float32)

    worker._local = Local()
    # (a stand-in that never reads its input, as a worker loading the model)
    worker._proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    texts = [f"Claim {i} " + "word " * 40 for i in range(3000)]       # (about 650 KB of JSON)
    try:
        import time
        t = time.perf_counter()
        later = worker.submit(texts)
        assert time.perf_counter() - t < 5
        worker._proc.kill()
        got = later()
    finally:
        worker.close()
    assert got.shape == (3000, 384) and np.all(got == 0.5)
    assert embed_worker.describe(worker).startswith("in process: ")


def test_a_worker_that_cannot_load_the_model_reports_it_and_this_process_embeds():
    # the worker is given a backend it refuses; this process embeds with the one it was asked for
    w = embed_worker.WorkerEmbedder("minilm.v1", "auto")
    w._proc.kill()
    w._proc.wait()
    w._proc = subprocess.Popen([sys.executable, "-m", "factcheck.embed_worker", "minilm.v1", "fp16"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    got = w.embed(TEXTS[:2])
    assert "fp16" in w.fallback_reason
    assert np.array_equal(got, MiniLMEmbedder("auto").embed(TEXTS[:2]))
    w.close()


def test_the_worker_is_not_started_when_turned_off_or_torch_is_here(monkeypatch):
    monkeypatch.setenv("FACTCHECK_EMBED_WORKER", "0")
    assert embed_worker.start("minilm.v1", "auto") is None
    monkeypatch.setenv("FACTCHECK_EMBED_WORKER", "1")
    import torch
    assert torch.__name__ in sys.modules
    assert embed_worker.start("minilm.v1", "auto") is None


def test_a_started_worker_is_stopped_when_its_block_ends_on_an_error(monkeypatch):
    monkeypatch.setattr(embed_worker, "worker_enabled", lambda: True)
    with pytest.raises(KeyError):
        with embed_worker.started("minilm.v1", "auto") as w:
            proc = w._proc
            raise KeyError("the command failed")
    assert w._proc is None and proc.poll() is not None       # (the process is gone)
    embed_worker.stop(None)                                    # (nothing to stop)


def _python(code: str) -> str:
    """What a fresh Python process running `code` prints."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}).stdout


def test_spacy_loads_without_torch_or_its_command_line_which_import_afterwards():
    """spaCy is imported without torch (which its pipeline does not use) and without its own
    command line (requests, rich, weasel ...: 0.3-0.4 s of every start); both import afterwards,
    and `spacy.info` still works."""
    code = ("import sys; from factcheck.nlp import load_nlp; nlp = load_nlp(); "
            "doc = nlp('The minister visited Kyiv on Monday.'); "
            "print([m in sys.modules for m in ('torch', 'spacy.cli', 'requests', 'weasel')], "
            "[e.text for e in doc.ents]); "
            "import spacy; print(sorted(spacy.info(silent=True))[:2]); "
            "import spacy.cli; print(callable(spacy.cli.download), spacy.cli.info.__module__); "
            "import torch; print(torch.ones(2).sum().item())")
    out = _python(code).split("\n")
    assert out[0] == "[False, False, False, False] ['Kyiv', 'Monday']"
    assert out[1] == "['location', 'pipelines']"
    assert out[2] == "True spacy.cli.info"
    assert out[3] == "2.0"
    # a spaCy whose `__init__` fails with the stand-ins is imported as it is
    code = ("import importlib, sys; real = importlib.import_module; failed = []\n"
            "def once(name, *a, **k):\n"
            "    if name == 'spacy' and not failed:\n"
            "        failed.append(name); raise AttributeError('spaCy changed')\n"
            "    return real(name, *a, **k)\n"
            "importlib.import_module = once\n"
            "from factcheck.nlp import load_nlp; doc = load_nlp()('The minister visited Kyiv on Monday.')\n"
            "print(failed, 'spacy.cli' in sys.modules, [e.text for e in doc.ents])")
    assert _python(code) == "['spacy'] True ['Kyiv', 'Monday']\n"


def _factcheck(cwd: Path, *args: str, worker: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FACTCHECK_EMBED_WORKER": worker}
    return subprocess.run([sys.executable, "-m", "factcheck", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def test_ci_with_and_without_the_worker_gives_the_same_verdicts_and_store(tmp_path):
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    base = tmp_path / "base"
    (base / "seeds").mkdir(parents=True)
    for name in sorted(p.name for p in seeds.glob("*.txt"))[:2]:
        shutil.copy(seeds / name, base / "seeds" / name)
    r = _factcheck(base, "run", "seeds", "--format", "json", worker="1")
    assert r.returncode == 0, r.stderr
    new = sorted(seeds.glob("*.txt"))[2]
    exports = {}
    for mode in ("0", "1"):
        run = tmp_path / f"run{mode}"
        shutil.copytree(base, run)
        shutil.copy(new, run / "seeds" / new.name)
        r = _factcheck(run, "ci", f"seeds/{new.name}", "--format", "github", worker=mode)
        assert r.returncode in (0, 3), r.stderr
        exports[mode] = (r.returncode, r.stdout, _factcheck(run, "export", worker=mode).stdout)
        con = sqlite3.connect(run / "claims" / "factcheck.db")
        counts = json.loads(con.execute("select counts from runs where command = 'ci'").fetchone()[0])
        con.close()
        assert counts["embedding"] == {"0": "in process", "1": "worker"}[mode]
        assert counts["embedded"] > 0
    assert exports["0"] == exports["1"]
    assert json.loads(exports["1"][2])["articles"]


def test_compare_with_and_without_the_worker_gives_the_same_relations(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    rows = [{"id": "p1", "a": "Russia is Myanmar's top arms supplier",
             "b": "Russia is one of the biggest weapons suppliers to Myanmar"},
            {"id": "p2", "a": "The minister arrived on Monday with 12 officials.",
             "b": "The minister arrived on Tuesday with 40 officials."},
            {"id": "p3", "a": "Prices of rice rose sharply.", "b": "The football final ends in a draw."}]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = {}
    for mode in ("0", "1"):
        r = _factcheck(tmp_path, "compare", "--pairs", str(pairs), worker=mode)
        assert r.returncode == 0, r.stderr
        out[mode] = [json.loads(line) for line in r.stdout.splitlines()]
    assert out["0"] == out["1"]
    assert [o["id"] for o in out["1"]] == ["p1", "p2", "p3"]
    assert out["1"][1]["relation"] == "conflict" and out["1"][2]["relation"] == "unrelated"
