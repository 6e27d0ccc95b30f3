"""factcheck: offline source-claim fact-checking across news articles about one story.

Public API: `run` (ingest a folder, analyse, return the summary), `open_db`, `load_settings`,
and the record types. Nothing heavy is imported here.
"""
from __future__ import annotations

from pathlib import Path

from .errors import FactcheckError
from .records import Article, Claim, Cluster, Conflict, Fluency, Score, Sentence, stable_id

__all__ = ["Article", "Claim", "Cluster", "Conflict", "FactcheckError", "Fluency", "Score",
           "Sentence", "load_settings", "open_db", "run", "stable_id"]
__version__ = "0.1.0"


def open_db(path: Path | str = "claims/factcheck.db"):
    """The claims store at `path`, schema up to date."""
    from .store import open_db as _open
    return _open(path)


def load_settings(config: Path | None = None, **overrides):
    """Settings from defaults, the config file and overrides."""
    from .settings import load_settings as _load
    return _load(config, **overrides)


def run(folder: Path | str, db=None, settings=None):
    """Ingest `folder` and analyse the corpus; returns (IngestResult, AnalyzeResult)."""
    from . import pipeline
    db = db if db is not None else open_db()
    settings = settings or load_settings()
    ing = pipeline.ingest(db, [Path(folder)], settings)
    return ing, pipeline.analyze(db, settings)
