"""Render a page in Debian's headless Chromium and report what its console said.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
commands on fd 3, replies and events on fd 4, NUL-separated JSON), not by scraping its log:
with `--enable-logging` a `console.error` is logged at INFO like any `console.log`, and a
resource that fails to load is not logged at all. Over the protocol all three kinds of
console error arrive as events: an uncaught exception (`Runtime.exceptionThrown`), a
`console.error`/`console.assert` call (`Runtime.consoleAPICalled`), and the browser's own
errors, such as a failed load or a Content-Security-Policy refusal (`Log.entryAdded`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)

# argv: read fd, write fd, then the command; they become its fds 3 and 4.
_TRAMPOLINE = """
import os, sys
r, w = int(sys.argv[1]), int(sys.argv[2])
os.dup2(r, 3)
os.dup2(w, 4)
os.close(r)
os.close(w)
os.execv(sys.argv[3], sys.argv[3:])
"""


@dataclass
class Rendered:
    png: bytes
    errors: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium process, talked to over its debugging pipe."""

    def __init__(self, profile: Path, *, timeout: float = 60.0, binary: Path = CHROMIUM):
        self.timeout = timeout
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Move the child's ends above fds 3 and 4, whatever numbers os.pipe() returned, so
        # that a small Python trampoline can put them exactly there and exec Chromium.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        profile.mkdir(parents=True, exist_ok=True)
        self.log_path = profile / "chromium.log"
        self.log = self.log_path.open("wb")
        args = [str(binary), *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _TRAMPOLINE, str(child_r), str(child_w), *args],
            pass_fds=(child_r, child_w),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        os.close(child_r)
        os.close(child_w)
        self._out = to_browser_w
        self._in = from_browser_r
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _log_tail(self) -> str:
        self.log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "; its log ends:\n" + "\n".join(lines[-15:])

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"Chromium did not answer in time{self._log_tail()}")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise RuntimeError(
                        f"Chromium closed its pipe (exit {self.proc.poll()}){self._log_tail()}"
                    )
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command; keep events that arrive meanwhile; return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_loaded(self, url: str, session: str) -> None:
        """Until the page at ``url`` has finished loading (its load event has fired)."""
        deadline = time.monotonic() + self.timeout
        probe = {"expression": "document.readyState + ' ' + location.href", "returnByValue": True}
        while time.monotonic() < deadline:
            state = self.send("Runtime.evaluate", probe, session=session)["result"]["value"]
            if state == f"complete {url}":
                return
            time.sleep(0.05)
        raise TimeoutError(f"{url} did not finish loading")

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._out)
        os.close(self._in)
        self.log.close()


def console_errors(events: list[dict[str, Any]], session: str) -> list[str]:
    """Every console error among ``events`` of ``session``, as readable lines."""
    errors = []
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            errors.append(f"uncaught: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            errors.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
    return errors


def render(url: str, profile: Path, *, width: int = 1200, height: int = 2000) -> Rendered:
    """Load ``url`` at ``width`` x ``height``; the screenshot and every console error."""
    browser = Browser(profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_loaded(url, session)
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
        return Rendered(base64.b64decode(shot["data"]), console_errors(browser.events, session))
    finally:
        browser.close()
