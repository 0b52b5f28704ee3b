"""`make demo`: crawl the bundled sample site twice, offline, and show what the archive holds.

Each sample folder (the site at one crawl time) is served on a loopback port and crawled
by the real spider, middlewares and pipelines, exactly like a live crawl.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "nhsmail"
# the sample site is served on loopback, which real crawls refuse unless told otherwise
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        "-s", "NOTICES_ALLOW_PRIVATE_HOSTS=true"]  # fmt: skip


_DAY_RE = re.compile(r"\{\{-(\d+)d(:long)?\}\}")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def render(text: str, today: date) -> str:
    """Sample pages date their notices relative to today ({{-2d}}, {{-18d:long}}), so the
    demo's durations read as they would on a live crawl."""

    def day(m: re.Match[str]) -> str:
        when = today - timedelta(days=int(m.group(1)))
        if m.group(2):
            return f"{_ordinal(when.day)} {when:%B}, {when.year}"
        return f"{when:%d/%m/%Y}"

    return _DAY_RE.sub(day, text)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves whichever sample folder is current: one address, the site as it changes. A
    later folder holds what changed; a page it lacks is as the folders before it had it
    (so no page can be taken away; nor does a folder list what earlier folders hold)."""

    root: list[Path]  # the current folder, then the earlier ones, latest first

    def __init__(self, *args: Any, root: list[Path], **kwargs: Any) -> None:
        self.root = root
        super().__init__(*args, directory=str(root[0]), **kwargs)

    def translate_path(self, path: str) -> str:
        paths = []
        for folder in self.root:
            self.directory = str(folder)
            paths.append(super().translate_path(path))
            found = Path(paths[-1])
            if found.is_file() or (found / "index.html").is_file():  # a page, not a folder
                return paths[-1]
        return paths[0]

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            super().do_GET()
            return
        body = render(path.read_text(encoding="utf-8"), datetime.now(UTC).date()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def run(db: Path, samples: Path = SAMPLES) -> int:
    for suffix in ("", ".wal", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)  # the demo starts from nothing
    folders = sorted(p for p in samples.iterdir() if p.is_dir())
    if not folders:
        print(f"error: no sample sites under {samples}", file=sys.stderr)
        return 1
    root = [folders[0]]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_SiteHandler, root=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    # the WordPress listing of today, and the portal page of 2018-2019 (another layout)
    urls = [f"{site}/status/", f"{site}/Help/servicestatus/"]
    try:
        for i, folder in enumerate(folders):
            root[:] = [folder, *reversed(folders[:i])]
            print(f"\n== {folder.name}: crawling {' and '.join(urls)}")
            starts = [arg for url in urls for arg in ("--start-url", url)]
            done = subprocess.run(
                [sys.executable, "-m", "notices", "crawl", "nhsmail", *starts,
                 "--db", str(db), *FAST],
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            print(done.stdout.strip() or done.stderr.strip())
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return done.returncode
    finally:
        server.shutdown()
        server.server_close()
    _summarise(db)
    return 0


def _summarise(db: Path) -> None:
    from archive.db import connect

    con = connect(db, read_only=True)
    print("\n== notices in the archive")
    for key, state, versions, vanished, summary in con.execute(
        "SELECT notice_key, coalesce(state, '-'), versions, vanished_at, summary"
        " FROM notices ORDER BY first_seen_at, notice_key"
    ).fetchall():
        gone = f"vanished {vanished:%H:%M}" if vanished else "on show"
        print(f"  {key:58.58} {state:9} v{versions}  {gone:14} {summary[:60]}")
    print("\n== what changed between the crawls")
    for key, event, version in con.execute(
        "SELECT notice_key, event, version FROM notice_events"
        " WHERE crawl_id > (SELECT min(crawl_id) FROM crawls) ORDER BY event_at, notice_key"
    ).fetchall():
        print(f"  {event:10} {key}" + (f" (version {version})" if version else ""))
    con.close()
    cmd = _command()
    print(
        f"\nNext: {cmd} status --db {db}\n"
        f'      {cmd} sql "SELECT notice_key, state, first_seen_at, vanished_at FROM notices"'
        f" --db {db}\n"
        f"      {cmd} parse nhsmail tests/fixtures/nhsmail/wp_post-2023-07-28/page.html"
    )


def _command() -> str:
    """How to type `notices` here: bare when it is on PATH, else its path (the fresh
    clone's `.venv/bin/notices`, no environment activated)."""
    exe = Path(sys.executable).parent / "notices"
    if shutil.which("notices") == str(exe) or not exe.exists():
        return "notices"
    try:
        return str(exe.relative_to(Path.cwd()))
    except ValueError:
        return str(exe)
