"""One writer per archive: an advisory lock file beside the DuckDB file.

A second crawl on the same archive exits at once with a clear message (exit code 3 in the
CLI) instead of waiting, interleaving or corrupting anything. The lock dies with the
process, so a crawl killed with -9 leaves no stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class ArchiveLocked(Exception):
    """Another process holds this archive's lock."""


class LockUnavailable(Exception):
    """The lock file cannot be made or opened (a read-only or immutable directory)."""


class ArchiveLock:
    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def __enter__(self) -> ArchiveLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise LockUnavailable(f"cannot take the archive's lock {self.path}: {why}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise ArchiveLocked(f"archive {self.path.with_suffix('')} is busy ({holder})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
