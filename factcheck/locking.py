"""One factcheck command at a time on a claims store.

An analysis reads the stored state, computes its delta against it and writes the difference
back: two commands analysing one store at once would each write a delta made against a state
the other has changed. So a command that may write the store holds an exclusive lock on
`<store>.lock` from when it opens the store until it ends (the interactive review only while it
writes a decision and the scores it moves, `hold`); a second command waits for it, saying once
on stderr which process holds it, for up to `FACTCHECK_LOCK_WAIT` seconds (600 by default), and
then stops with one error line.

The lock is the operating system's (`fcntl.flock`): it goes with the process, so a command that
crashes or is killed leaves no stale lock behind. Within one process it is re-entrant (a command
opening its store twice) and is given back when the command ends (`release_all`). Where
`fcntl` is missing (Windows), or the file system has no locks, there is none.
"""
from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import FactcheckError

try:
    import fcntl
except ImportError:                   # (Windows)
    fcntl = None

DEFAULT_WAIT = 600.0
_POLL = 0.1
_HELD: dict[str, int] = {}            # lock file (resolved) -> its open descriptor, in this process
# what flock says on a file system that has no locks (some network ones)
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


def lock_path(db_path: Path | str) -> Path:
    """The lock file of the store at `db_path`."""
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


def _wait_seconds() -> float:
    raw = os.environ.get("FACTCHECK_LOCK_WAIT", "")
    if not raw:
        return DEFAULT_WAIT
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise FactcheckError(f"FACTCHECK_LOCK_WAIT={raw!r}: not a number of seconds") from None


def _holder(fd: int) -> str:
    """What the holder wrote into the lock file: 'pid N: command'."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 512).decode("utf-8", "replace").strip()
    except OSError:
        return "another process"
    return text or "another process"


def acquire(db_path: Path | str, what: str | None = None) -> None:
    """Hold the lock of the store at `db_path` for this process (at once if it holds it
    already). Waits while another process holds it; FactcheckError past the wait."""
    if fcntl is None:
        return
    path = lock_path(db_path)
    key = str(path.resolve())
    if key in _HELD:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            wait = _wait_seconds()
            holder = _holder(fd)
            print(f"Waiting for {db_path}: another factcheck command is using it ({holder}); "
                  f"up to {wait:.0f} s", file=sys.stderr, flush=True)
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise FactcheckError(
                            f"{db_path}: another factcheck command ({_holder(fd)}) still holds it after "
                            f"{wait:.0f} s; run this one when it ends (FACTCHECK_LOCK_WAIT sets the wait)"
                        ) from None
                    time.sleep(_POLL)
        except OSError as e:
            if e.errno not in _NO_LOCKS:
                raise
            os.close(fd)                  # (a file system without locks: none, as on Windows)
            return
        command = what or " ".join(["factcheck", *sys.argv[1:2]])
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pid {os.getpid()}: {command}".encode("utf-8", "replace"))
    except BaseException:
        os.close(fd)
        raise
    _HELD[key] = fd


@contextlib.contextmanager
def hold(db_path: Path | str | None) -> Iterator[None]:
    """The lock of the store at `db_path` for a block (what `review` takes for a decision and the
    scores it writes): given back after it, unless this process held it before. None (a store in
    memory): no lock."""
    if db_path is None:
        yield
        return
    key = str(lock_path(db_path).resolve())
    had = key in _HELD
    acquire(db_path)
    try:
        yield
    finally:
        if not had and key in _HELD:
            os.close(_HELD.pop(key))


def release_all() -> None:
    """Give back every lock this process holds (closing the descriptor releases it)."""
    while _HELD:
        _, fd = _HELD.popitem()
        try:
            os.close(fd)
        except OSError:
            pass


def held() -> list[str]:
    """The lock files this process holds."""
    return list(_HELD)
