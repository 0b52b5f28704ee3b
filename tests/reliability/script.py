"""A status listing whose notices change on a known script, what an archive that saw
steps 0..n-1 of it must hold, and a web archive that captured it.

Incident k appears at step 2k as NEW, is ONGOING from step 2k+2, RESOLVED from 2k+4, and is
off the listing from step 2k+7. Three to four notices are on show at a time, so no step
looks like drift (fewer than half the notices of the step before).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.backfill import capture_time
from tests.crawl.site import article, listing, post
from tests.reliability.servers import FaultServer, Request, reply

PHASES = (  # (first age, title state, body)
    (0, "NEW", "We are aware of an issue affecting Service {k}."),
    (2, "ONGOING", "Investigations continue into the issue affecting Service {k}."),
    (4, "RESOLVED", "RESOLVED – The issue affecting Service {k} has been resolved."),
)
GONE_AT = 7  # age at which it leaves the listing
# A WordPress category address: read as a listing even when one notice is on show.
LISTING = "/category/service-status/"
ORIGINAL = "https://support.nhs.net" + LISTING  # the listing's address in a web archive
BASE = datetime(2022, 1, 3, 9, 0)


@dataclass(frozen=True, slots=True)
class Shown:
    k: int
    phase: int

    @property
    def key(self) -> str:
        return f"nhsmail:INC{30_000_000 + self.k}"

    @property
    def title(self) -> str:
        return f"INC{30_000_000 + self.k} – Service {self.k} – {PHASES[self.phase][1]}"

    @property
    def date(self) -> str:
        return (BASE + timedelta(hours=self.k)).strftime("%d/%m/%Y %I:%M:%S %p")

    @property
    def body(self) -> str:
        return PHASES[self.phase][2].format(k=self.k)

    @property
    def path(self) -> str:
        return f"/2022/01/inc{30_000_000 + self.k}-service-{self.k}/"


def shown(step: int) -> list[Shown]:
    """The notices on the listing at ``step``, newest first."""
    out = []
    for k in range(step // 2, -1, -1):
        age = step - 2 * k
        if age >= GONE_AT:
            break
        phase = max(i for i, (first, _, _) in enumerate(PHASES) if age >= first)
        out.append(Shown(k, phase))
    return out


def listing_at(step: int, with_posts: bool = False) -> str:
    return listing(*(article(s.title, s.date, s.body, s.path if with_posts else None)
                     for s in shown(step)))  # fmt: skip


def post_of(s: Shown) -> str:
    return post(s.title, s.date, f"Issue Status: {PHASES[s.phase][1]}\nDescription: {s.body}")


@dataclass(slots=True)
class Expected:
    versions: dict[str, list[str]]  # key -> states of its versions, in order
    sightings: dict[str, int]
    vanished: set[str]


def expected(steps: int) -> Expected:
    """What crawls of the listing (no posts) at steps 0..steps-1 must have stored."""
    states = {"NEW": "open", "ONGOING": "open", "RESOLVED": "resolved"}
    versions: dict[str, list[str]] = {}
    sightings: dict[str, int] = {}
    vanished: set[str] = set()
    for step in range(steps):
        for s in shown(step):
            seen = versions.setdefault(s.key, [])
            if len(seen) <= s.phase:
                seen.append(states[PHASES[s.phase][1]])
            sightings[s.key] = sightings.get(s.key, 0) + 1
        for k in range(step // 2 + 1):
            if step - 2 * k == GONE_AT:
                vanished.add(Shown(k, 0).key)
    return Expected(versions, sightings, vanished)


class WebArchive:
    """A CDX index (one page, every capture) and original-form playback, on a FaultServer."""

    def __init__(self) -> None:
        self.captures: dict[str, bytes] = {}  # timestamp -> body
        self.server = FaultServer({"/cdx": self.cdx, "/web/*": self.playback},
                                  max_requests=2000, lifetime=1800)  # fmt: skip

    def add(self, step: int, at: datetime | None = None) -> str:
        """A capture of the listing at ``step``, taken ``at`` or now (a second after the last
        one), so that live and archived observations can arrive in the order made."""
        if at is None:
            at = datetime.now(UTC).replace(microsecond=0)
            if self.captures:
                at = max(at, capture_time(max(self.captures)) + timedelta(seconds=1))
        stamp = at.strftime("%Y%m%d%H%M%S")
        self.captures[stamp] = listing_at(step).encode()
        return stamp

    def cdx(self, request: Request, conn: object) -> int:
        header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
        data = [["key", stamp, ORIGINAL, "text/html", "200", hashlib.sha1(body).hexdigest(),
                 str(len(body))] for stamp, body in sorted(self.captures.items())]  # fmt: skip
        answer = reply(json.dumps([header, *data]), headers={"Content-Type": "application/json"})
        return answer(request, conn)  # type: ignore[arg-type]

    def playback(self, request: Request, conn: object) -> int:
        m = re.match(r"^/web/(\d{14})id_/", request.path)
        body = self.captures.get(m.group(1)) if m else None
        if body is None:
            return reply("not in the archive", 404)(request, conn)  # type: ignore[arg-type]
        return reply(body, delay=0.05)(request, conn)  # type: ignore[arg-type]


class Site:
    """The live listing at a script step, with its posts (each a little slow to answer)."""

    def __init__(self) -> None:
        self.server = FaultServer({}, max_requests=2000, lifetime=1800)
        self.step = 0
        self.show(0)

    def show(self, step: int) -> None:
        self.step = step
        self.server.routes[LISTING] = reply(listing_at(step, with_posts=True))
        for s in shown(step):
            self.server.routes[s.path] = reply(post_of(s), delay=0.1)
