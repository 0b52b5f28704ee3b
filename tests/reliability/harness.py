"""Running the real `notices` command under faults, and measuring what it left behind.

`Child` starts `notices …` and samples its peak resident memory (VmHWM in /proc, every
10 ms) until it exits: the figure the table reports. (`ru_maxrss` from `os.wait4` or
RUSAGE_CHILDREN cannot be used: Linux carries the forking parent's peak into it at exec,
so from inside a 500 MB pytest every child would read 500 MB.) `Keys` holds
the identity of every stored row, so that "rows lost" is an exact count of rows that were
there before a run and are not there after it.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.crawl.site import FAST, NOTICES, check_invariants

# Every answer a live crawl must give quickly in tests: no politeness delays, short retries.
LIVE = [*FAST, "-s", "RETRY_429_MIN_DELAY=0.3"]


@dataclass(slots=True)
class Run:
    args: list[str]
    returncode: int  # -9 when killed with SIGKILL
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def crashed(self) -> bool:
        """A Python traceback escaped somewhere (Scrapy logs them, the process may go on)."""
        return "Traceback (most recent call last)" in self.stderr


class Child:
    """A running `notices …` process whose stdout and stderr go to files (no pipe can fill
    and stall it), its peak resident memory sampled while it runs."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.args = [NOTICES, *args]
        self._out = tempfile.TemporaryFile()  # noqa: SIM115  (closed when it is reaped)
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdout=self._out, stderr=self._err,
                                     env={**os.environ, **(env or {})})  # fmt: skip
        self.result: Run | None = None
        self.peak_kb = 0
        # sampled by a thread of its own: several children may run while one is waited for
        self._sampler = threading.Thread(target=self._sample_until_exit, daemon=True)
        self._sampler.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _sample(self) -> bool:
        """Take the child's high-water mark into account; False once it has none (exited:
        a zombie has no memory to report) or there is no /proc."""
        try:
            with open(f"/proc/{self.proc.pid}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                        return True
        except (OSError, ValueError):
            pass
        return False

    def _sample_until_exit(self) -> None:
        while self.result is None and self._sample():
            time.sleep(0.01)

    def poll(self) -> Run | None:
        if self.result is None:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self._done(status, usage)
        return self.result

    def kill(self) -> None:
        if self.result is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self, timeout: float = 180, kill_after: float | None = None,
             kill_when: Callable[[], bool] | None = None) -> Run:  # fmt: skip
        """Wait for the end; SIGKILL it after ``kill_after`` seconds from its start or as soon
        as ``kill_when()`` is true, if given (a kill that comes too late finds it done)."""
        deadline = self.started + timeout
        while self.poll() is None:
            now = time.monotonic()
            late = kill_after is not None and now >= self.started + kill_after
            if late or (kill_when is not None and kill_when()):
                self.kill()
                kill_after, kill_when = None, None
            if now > deadline:
                self.kill()
                _, status, usage = os.wait4(self.proc.pid, 0)
                self._done(status, usage)
                raise AssertionError(
                    f"{' '.join(self.args[1:4])} ran past {timeout} s: "
                    f"{self.result.stdout[-500:]} {self.result.stderr[-1500:]}"
                )
            time.sleep(0.01)
        assert self.result is not None
        return self.result

    def _done(self, status: int, usage: resource.struct_rusage) -> None:
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        outputs = []
        for f in (self._out, self._err):
            f.seek(0)
            outputs.append(f.read().decode(errors="replace"))
            f.close()
        self._sampler.join(timeout=1)
        peak_kb = self.peak_kb or usage.ru_maxrss  # (no /proc: the inflated figure)
        self.result = Run(self.args, self.proc.returncode, outputs[0], outputs[1],
                          time.monotonic() - self.started, peak_kb / 1024)  # fmt: skip


def notices(*args: str, env: dict[str, str] | None = None, timeout: float = 180,
            kill_after: float | None = None,
            kill_when: Callable[[], bool] | None = None) -> Run:  # fmt: skip
    """Run ``notices *args`` to its end (or to a SIGKILL, see `Child.wait`)."""
    return Child(*args, env=env).wait(timeout, kill_after, kill_when)


def holds_lock(db: Path, pid: int) -> bool:
    """Whether process ``pid`` holds the archive's lock (the holder writes its pid in it)."""
    try:
        return Path(f"{db}.lock").read_text() == f"pid {pid}"
    except OSError:
        return False


def delayed(condition: Callable[[], bool], seconds: float) -> Callable[[], bool]:
    """True from ``seconds`` after ``condition()`` was first seen true."""
    since: list[float] = []

    def check() -> bool:
        if not since:
            if condition():
                since.append(time.monotonic())
            return False
        return time.monotonic() >= since[0] + seconds

    return check


def crawl_args(db: Path, *urls: str, extra: list[str] | None = None) -> list[str]:
    starts = [arg for url in urls for arg in ("--start-url", url)]
    return ["crawl", "nhsmail", "--db", str(db), *LIVE, *(extra or []), *starts]


def crawl(db: Path, *urls: str, extra: list[str] | None = None, **kwargs: object) -> Run:
    return notices(*crawl_args(db, *urls, extra=extra), **kwargs)  # type: ignore[arg-type]


def reparse(db: Path, **kwargs: object) -> Run:
    return notices("reparse", "--db", str(db), **kwargs)  # type: ignore[arg-type]


BACKFILL = ["--rate", "6000", "-s", "RETRY_429_MIN_DELAY=0.2", "-s", "RETRY_BACKOFF_BASE=0.05",
            "-s", "DOWNLOAD_TIMEOUT=3", "-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"]  # fmt: skip


def backfill(db: Path, cdx_url: str, *extra: str, **kwargs: object) -> Run:
    return notices("backfill", "nhsmail", "--db", str(db), "--cdx-url", cdx_url, *BACKFILL,
                   *extra, **kwargs)  # type: ignore[arg-type]  # fmt: skip


# The identity of each stored row. Observations are append-only; a reparse rebuilds the
# interpretation, and with the same parsers it rebuilds the same rows.
# A version is known by its content (notice, content hash): its number is its place in the
# order of observation, which a reparse recomputes. `keys(numbered=True)` adds the numbers.
KEYS = {
    "crawls": "SELECT crawl_id FROM crawls",
    "fetches": "SELECT fetch_id FROM fetches",
    "snapshots": "SELECT snapshot_id FROM snapshots",
    "contents": "SELECT sha256 FROM contents",
    "notice_versions": "SELECT notice_key, content_hash, {n} FROM notice_versions",
    "notice_updates": "SELECT u.notice_key, v.content_hash, u.seq, {n} FROM notice_updates u"
    " JOIN notice_versions v USING (notice_key, version)",
    "sightings": "SELECT s.fetch_id, s.notice_key, v.content_hash, {n} FROM sightings s"
    " JOIN notice_versions v USING (notice_key, version)",
    "notice_events": "SELECT notice_key, event, event_at FROM notice_events"
    " WHERE event IN ('appeared', 'changed')",  # vanishings are replayed by design
}

Keys = dict[str, set[tuple[object, ...]]]


def _open_copy(db: Path) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """A copy of the archive (with its write-ahead log, as a process killed with -9 left
    it), so that looking at it cannot change what the next run finds."""
    tmp = Path(tempfile.mkdtemp(prefix="reliability-"))
    for suffix in ("", ".wal"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            shutil.copyfile(source, tmp / f"a.duckdb{suffix}")
    return tmp / "a.duckdb", duckdb.connect(str(tmp / "a.duckdb"))


def keys(db: Path, *, numbered: bool = False) -> Keys:
    if not db.exists():
        return {table: set() for table in KEYS}
    copy, con = _open_copy(db)
    number = "version" if numbered else "NULL"
    try:
        return {table: set(con.execute(sql.format(n=number)).fetchall())
                for table, sql in KEYS.items()}  # fmt: skip
    finally:
        con.close()
        shutil.rmtree(copy.parent, ignore_errors=True)


def lost(before: Keys, after: Keys) -> int:
    """Rows there before and gone after (must be 0)."""
    return sum(len(before[t] - after[t]) for t in before)


def grew(before: Keys, after: Keys) -> set[str]:
    return {t for t in before if after[t] != before[t]}


def invariants(db: Path, *, killed: bool = False) -> dict[str, int]:
    """`tests.crawl.site.check_invariants` on the archive. After a kill -9 no crawl may be
    left 'running': a crawl (and each backfilled capture) is booked in one transaction."""
    if not killed:
        return check_invariants(db)
    copy, con = _open_copy(db)  # as the next run opens it, whatever the kill left
    try:
        [(running,)] = con.execute(
            "SELECT count(*) FROM crawls WHERE outcome = 'running'"
        ).fetchall()
        assert running == 0, f"{running} crawl(s) left half-booked"
        con.close()
        return check_invariants(copy)
    finally:
        con.close()
        shutil.rmtree(copy.parent, ignore_errors=True)


def fetch_outcomes(db: Path, crawl_id: int | None = None) -> list[tuple[str, str, str | None]]:
    """(url path, outcome, error) of every fetch, or of one crawl's."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            (url.split("/", 3)[-1], outcome, error)
            for url, outcome, error in con.execute(
                "SELECT url, outcome, error FROM fetches WHERE ? IS NULL OR crawl_id = ?"
                " ORDER BY fetch_id",
                [crawl_id, crawl_id],
            ).fetchall()
        ]
    finally:
        con.close()
