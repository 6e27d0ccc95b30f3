"""The embedding model loaded in a process of its own while a command reads and parses its files.

Importing torch and loading the model take 2.5-3 s of a command that embeds; importing spaCy,
loading its pipeline and parsing the files take about as long. Started first, the worker does the
former on the other core meanwhile. It runs the embedder the command would run itself (same
name, same backend, same torch), so its vectors are those bit for bit; when it cannot be started
or fails, the command embeds in its own process as before.

`FACTCHECK_EMBED_WORKER=0` turns it off; it is not started on a single CPU, nor in a process
that has imported torch already.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np

_HEAD = struct.Struct("<cQ")     # reply: b"V" (vectors) or b"E" (error message), payload length


def _read_exact(stream, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        chunk = stream.read(n - len(out))
        if not chunk:
            raise EOFError("the embedding worker closed its output")
        out += chunk
    return bytes(out)


def worker_enabled() -> bool:
    """Whether commands start the worker: not turned off, more than one CPU, and torch not yet
    imported here (a process that has it, such as a test session, loads the model in 0.2 s)."""
    if os.environ.get("FACTCHECK_EMBED_WORKER", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if "torch" in sys.modules:
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus > 1


class WorkerEmbedder:
    """An `Embedder` whose model runs in the worker process; the same name as the in-process
    embedder of these settings, and its vectors."""

    def __init__(self, embedder: str = "minilm.v1", backend: str = "auto") -> None:
        from .stages.embeddings import get_embedder

        self._local = get_embedder(embedder, backend)      # (no model loaded: that is on first use)
        self.name = self._local.name
        self.fallback_reason: str | None = None
        self.used = False                    # (whether the worker gave vectors)
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        try:
            self._proc: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-m", "factcheck.embed_worker", embedder, backend],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError as e:
            self._proc = None
            self.fallback_reason = f"could not start: {e}"
            return
        atexit.register(self.close)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, L2-normalised: from the worker, else in this process."""
        return self.submit(texts)()

    def submit(self, texts: Sequence[str]) -> Callable[[], np.ndarray]:
        """Hand `texts` to the worker now and return a function that waits for their vectors
        (those of `embed`; in this process if the worker fails): the command goes on with work
        that does not need them while the worker computes them, or is still loading the model.
        Each function given must be called, in the order given, before the next `submit`."""
        texts = [str(t) for t in texts]
        if self._proc is None or not texts:
            return lambda: self._local.embed(texts)
        # (the request is written from a thread: a worker still loading reads nothing, and a
        # request larger than the pipe's buffer would block the command until it does)
        sent: list[BaseException] = []
        writer = threading.Thread(target=self._send, args=(self._proc, texts, sent), daemon=True)
        writer.start()

        def vectors() -> np.ndarray:
            writer.join()
            try:
                if sent:
                    raise sent[0]
                got = self._receive(len(texts))
                self.used = True
                return got
            except (OSError, EOFError, ValueError, RuntimeError) as e:
                self.fallback_reason = str(e) or type(e).__name__
                self.close()
            return self._local.embed(texts)

        return vectors

    @staticmethod
    def _send(proc: subprocess.Popen, texts: list[str], failed: list[BaseException]) -> None:
        try:
            payload = json.dumps(texts).encode("utf-8")
            proc.stdin.write(struct.pack("<Q", len(payload)) + payload)
            proc.stdin.flush()
        except (OSError, ValueError) as e:        # (a closed pipe; the command embeds itself)
            failed.append(e)

    def _receive(self, n: int) -> np.ndarray:
        proc = self._proc
        if proc is None:
            raise EOFError("the embedding worker was stopped")
        kind, size = _HEAD.unpack(_read_exact(proc.stdout, _HEAD.size))
        body = _read_exact(proc.stdout, size)
        if kind == b"E":
            raise RuntimeError(body.decode("utf-8", "replace"))
        vectors = np.frombuffer(body, dtype="<f4")
        if kind != b"V" or vectors.size != n * 384:
            raise ValueError("the embedding worker's reply is not the vectors asked for")
        return vectors.reshape(n, 384).astype(np.float32)

    def close(self) -> None:
        """Stop the worker (a command that did not embed stops it still loading)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        atexit.unregister(self.close)
        proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def describe(embedder: WorkerEmbedder | None) -> str:
    """Where a command's texts were embedded (stored with its run): "worker", "in process" (no
    worker), "in process: <why the worker failed>", or "nothing embedded"."""
    if embedder is None:
        return "in process"
    if embedder.fallback_reason:
        return f"in process: {embedder.fallback_reason}"
    return "worker" if embedder.used else "nothing embedded"


def start(embedder: str, backend: str) -> WorkerEmbedder | None:
    """The worker's embedder for these settings, started now; None when it is turned off."""
    return WorkerEmbedder(embedder, backend) if worker_enabled() else None


def stop(worker: WorkerEmbedder | None) -> None:
    """Stop a worker `start` gave (None: there is none)."""
    if worker is not None:
        worker.close()


@contextlib.contextmanager
def started(embedder: str, backend: str) -> Iterator[WorkerEmbedder | None]:
    """`start` for the length of a block, stopped when it ends (on an error too)."""
    worker = start(embedder, backend)
    try:
        yield worker
    finally:
        stop(worker)


def main(argv: Sequence[str]) -> int:
    """The worker: load the model, then per request (length, JSON list of texts) on stdin write
    the vectors (float32 bytes) on stdout, until stdin closes."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # the replies go to the original stdout; anything else printed goes to stderr
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    import types

    from .nlp import standing_in
    from .stages.embeddings import get_embedder

    # torch's `__init__` imports `torch._meta_registrations`, the Python kernels of the meta device
    # (shapes without data, for torch.compile and export): 0.35-0.6 s of the worker's import of
    # torch, which a command waits for once spaCy is loaded. The encoder runs eager CPU kernels
    # only, so an empty module answers that import. The vectors are still those of a process that
    # imports torch whole, bit for bit, in float32 and bf16 (a test compares them); should the
    # encoder ever fail without those kernels, the command embeds in its own process.
    meta = "torch._meta_registrations"
    try:
        with standing_in({meta: types.ModuleType(meta)}):
            emb = get_embedder(*argv)
            emb.embed(["warm up"])               # (torch imported, the model loaded, its kernels ready)
    except Exception as e:  # noqa: BLE001 - reported to the command, which embeds itself
        emb, error = None, f"{type(e).__name__}: {e}"
    while True:
        try:
            (size,) = struct.unpack("<Q", _read_exact(inp, 8))
            texts = json.loads(_read_exact(inp, size).decode("utf-8"))
        except EOFError:
            return 0
        if emb is None:
            body, kind = error.encode("utf-8"), b"E"
        else:
            try:
                body, kind = np.ascontiguousarray(emb.embed(texts), dtype="<f4").tobytes(), b"V"
            except Exception as e:  # noqa: BLE001
                body, kind = f"{type(e).__name__}: {e}".encode("utf-8"), b"E"
        out.write(_HEAD.pack(kind, len(body)) + body)
        out.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
