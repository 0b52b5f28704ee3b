"""Atlassian Statuspage pages, by base URL: the live API, the full history, every incident.

    notices crawl github                      # the base URLs sources.toml declares
    scrapy crawl statuspage -a source=github
    notices crawl github --start-url http://127.0.0.1:8000   # a mirror or a test server

For each base URL, one after another:

1. ``/api/v2/summary.json``, ``/api/v2/incidents.json`` (the latest 50) and
   ``/api/v2/scheduled-maintenances.json``: what is on show now, and each listed
   incident's ``updated_at``;
2. ``/history.json?page=1, 2, …`` back in time (about a quarter a page) until
   NOTICES_STATUSPAGE_EMPTY_HISTORY_PAGES pages in a row list no incident (2 by default: a
   quiet quarter is not the page's beginning), at most NOTICES_STATUSPAGE_MAX_HISTORY_PAGES
   pages (past that the crawl counts as cut short and nothing vanishes). A history page
   that fails or cannot be read ends the walk for this crawl (the crawl is then failed,
   and the next one walks again);
3. ``/api/v2/incidents/<code>.json`` for each incident (and maintenance) those pages name,
   incrementally: only when the archive has not stored it yet, when a list shows an
   ``updated_at`` other than the one stored, when the archive last saw it open, or when
   it was resolved in the last NOTICES_STATUSPAGE_RECHECK_DAYS days (owners still edit
   those and add postmortems). What the archive stored is handed over by the pipeline
   (``stored``), as the validators for conditional requests are.

The spider reads the JSON only to find the next requests; every page goes to the pipeline
as fetched, and the parsers read it there. A payload that cannot be read is recorded as
the parser finds it (no notices, its snapshot kept), never a crash.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from scraper.spiders.base import StatusSpider, must_not_start

LISTS = ("/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/scheduled-maintenances.json")
_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Statuspage codes: 12 lower-case alnum
# The walk of lists and history pages finds the work: it goes before the incidents.
_HUB_PRIORITY = 10


def instant(value: Any) -> datetime | None:
    """An ISO 8601 instant from a payload (``2024-01-04T10:12:40.530Z``), else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Stored:
    """What the archive last stored from an incident's own JSON."""

    updated_at: datetime | None
    resolved_at: datetime | None
    is_open: bool | None


def listed(data: Any) -> Iterator[tuple[str, datetime | None]]:
    """(code, updated_at) of every incident and maintenance a list payload names."""
    if not isinstance(data, dict):
        return
    for key in ("incidents", "scheduled_maintenances"):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield item["id"], instant(item.get("updated_at"))


def history_codes(data: Any) -> list[str] | None:
    """The incident codes of a history page, or None when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("months"), list):
        return None
    codes = []
    for month in data["months"]:
        incidents = month.get("incidents") if isinstance(month, dict) else None
        for item in incidents if isinstance(incidents, list) else ():
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                codes.append(item["code"])
    return codes


class StatuspageSpider(StatusSpider):
    name = "statuspage"
    kind = "statuspage"
    # Only an incident's own JSON is asked conditionally: the lists and the history pages
    # are the hubs that name the incidents, so they are always fetched in full.
    conditional_roles: ClassVar[tuple[str, ...]] = ("incident",)
    leaf_roles: ClassVar[tuple[str, ...]] = ("incident",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bases = list(dict.fromkeys(u.rstrip("/") for u in self.start_urls))
        self.stored: dict[str, Stored] = {}  # incident JSON URL -> Stored, from the pipeline
        self.requested: set[str] = set()
        self.skipped: set[str] = set()
        self.max_history_pages = 200
        self.empty_history_pages = 2
        self.recheck = timedelta(days=14)
        self.now = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> StatuspageSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_history_pages = settings.getint("NOTICES_STATUSPAGE_MAX_HISTORY_PAGES", 200)
        spider.empty_history_pages = max(
            1, settings.getint("NOTICES_STATUSPAGE_EMPTY_HISTORY_PAGES", 2)
        )
        spider.recheck = timedelta(days=settings.getfloat("NOTICES_STATUSPAGE_RECHECK_DAYS", 14))
        return spider  # type: ignore[return-value]

    async def start(self) -> AsyncIterator[Any]:
        if must_not_start(self.crawler):
            return
        for base in self.bases:
            yield self._list(base, 0)

    # --- the walk: lists, then history pages, one request after another per base ----------

    def _list(self, base: str, step: int) -> scrapy.Request:
        return scrapy.Request(
            base + LISTS[step],
            callback=self.parse_list,
            errback=self.list_failed,
            meta={"role": "list", "base": base, "step": step},
            priority=_HUB_PRIORITY,
        )

    def _history(self, base: str, number: int, empty: int) -> scrapy.Request:
        return scrapy.Request(
            f"{base}/history.json?page={number}",
            callback=self.parse_history,
            errback=self.failed,
            meta={"role": "history", "base": base, "page": number, "empty": empty},
            priority=_HUB_PRIORITY,
        )

    def _after_list(self, base: str, step: int) -> scrapy.Request:
        return self._list(base, step + 1) if step + 1 < len(LISTS) else self._history(base, 1, 0)

    def parse_list(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        yield self.page(response)
        base, step = response.meta["base"], response.meta["step"]
        for code, updated_at in listed(self.json_of(response)):
            yield from self._incident(base, code, updated_at)
        yield self._after_list(base, step)

    def list_failed(self, failure: Failure) -> Iterable[Any]:
        yield from self.failed(failure)
        meta = failure.request.meta  # type: ignore[attr-defined]
        yield self._after_list(meta["base"], meta["step"])

    def parse_history(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        yield self.page(response)
        base, number = response.meta["base"], response.meta["page"]
        codes = history_codes(self.json_of(response))
        if codes is None:
            return  # unreadable: the walk ends here this time (the page is recorded)
        for code in codes:
            yield from self._incident(base, code, None)
        empty = 0 if codes else response.meta["empty"] + 1
        if empty >= self.empty_history_pages:
            return
        if number >= self.max_history_pages:
            self.truncated(f"{base}: history goes on past page {number}")
            return
        yield self._history(base, number + 1, empty)

    # --- incidents -------------------------------------------------------------------------

    def wants(self, url: str, updated_at: datetime | None) -> str | None:
        """Why the incident at ``url`` is fetched this time, or None to skip it."""
        stored = self.stored.get(url)
        if stored is None:
            return "new"
        if updated_at is not None and updated_at != stored.updated_at:
            return "changed"
        if stored.is_open:
            return "open"
        if stored.resolved_at is not None and self.now - stored.resolved_at <= self.recheck:
            return "recently_resolved"
        return None

    def _incident(self, base: str, code: str, updated_at: datetime | None) -> Iterator[Any]:
        if not _CODE_RE.match(code):
            self.logger.warning("%s: not an incident code, not followed: %r", base, code[:80])
            return
        url = f"{base}/api/v2/incidents/{code}.json"
        if url in self.requested:
            return
        why = self.wants(url, updated_at)
        if why is None:
            self.skipped.add(url)
        else:
            self.skipped.discard(url)
        self.crawler.stats.set_value("notices/statuspage/skipped", len(self.skipped))
        if why is None:
            return
        self.requested.add(url)
        self.crawler.stats.inc_value(f"notices/statuspage/{why}")
        yield scrapy.Request(
            url, callback=self.parse_incident, errback=self.failed, meta={"role": "incident"}
        )

    def parse_incident(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        yield self.page(response)
