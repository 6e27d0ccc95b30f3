"""Shared fixtures: a fresh store, a deterministic fake embedder, the seed folder."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent

# a kNN state read back from its heads leaves the rows it has not read unfilled: here they hold
# a neighbour past any array and a NaN cosine, so that a stage looking at one fails loudly
from factcheck.stages import clusters as _clusters  # noqa: E402

_clusters._UNREAD_FILL = (1 << 40, float("nan"))
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold" / "seeds.gold.json"


class FakeEmbedder:
    """Hashed bag of words: deterministic, no model, for unit tests of one stage."""

    name = "fake:bow"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.calls = 0

    def embed(self, texts):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def db(tmp_path):
    from factcheck.store import open_db
    return open_db(tmp_path / "fc.db")


@pytest.fixture
def seeds_copy(tmp_path):
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst


def line_corpus(texts):
    """Made-up articles (id, text, published) as the claim stage would split them: a claim, and a
    sentence, per line of each text."""
    from factcheck.records import Article, Claim, stable_id
    arts, claims = {}, []
    for aid, text, pub in texts:
        arts[aid] = Article(aid, aid, "", text, published=pub, published_source="date line")
        pos = 0
        for line in text.split("\n"):
            cid = stable_id(aid, str(pos), str(pos + len(line)))
            claims.append(Claim(cid, aid, cid, len(claims), pos, pos + len(line), line, line))
            pos += len(line) + 1
    return claims, arts
