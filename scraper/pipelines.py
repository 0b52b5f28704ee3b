"""Item pipeline: each fetched page is parsed (pure parsers/) and ingested (archive/).

A crawl is one transaction: its pages are parsed as they come (a body the archive already
holds for its URL is not parsed) and held until the spider closes, then booked together
with the crawl's row, so a kill -9 at any moment leaves the archive as before the crawl
or after it. A backfill books each capture (a crawl of its own) in one.
The pipeline holds the archive's lock for the whole crawl; if another crawl holds it, this
one stops at once and says so (`crawler.notices_locked`). A reader in another process
(a notebook) is waited for without holding the reactor, so a stop (SIGTERM, ^C) asked
meanwhile ends the crawl there, having booked nothing (`crawler.notices_interrupted`).
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import deferred_from_coro

from archive.backfill import CdxPage, counts, mark_capture, record_cdx_page, resume_state
from archive.db import ArchiveBusy, ArchiveUnusable, connect, rollback
from archive.ingest import (
    MACHINE_ERRORS,
    BookingStopped,
    CrawlPlan,
    FetchedPage,
    PageOutcome,
    ParseFailed,
    ingest_crawl,
    latest_contents,
    parse_failure,
    replay_vanishing,
    validators,
)
from archive.lock import ArchiveLock, ArchiveLocked, LockUnavailable
from parsers import parse_as
from parsers.result import ParseResult

log = logging.getLogger(__name__)


class WaitStopped(Exception):
    """A stop was asked for (SIGTERM, ^C) while waiting for a reader to close the archive."""


async def _connect_writer(db: str, wait: float, stopped: Callable[[], bool]) -> Any:
    """Open the archive for writing; a reader in another process (DuckDB allows a writer
    only when no other process has the file open) gets ``wait`` seconds to finish
    (`NOTICES_WRITER_WAIT`). A file that is no archive at all (`ArchiveUnusable`) is not
    waited for. The wait gives the reactor back, so a signal's handler runs in it: once
    ``stopped()`` says so, the wait ends at once with `WaitStopped`."""
    deadline = time.monotonic() + wait
    next_try = time.monotonic()
    told = False
    while True:
        if stopped():
            raise WaitStopped
        if time.monotonic() >= next_try:
            try:
                return connect(db)
            except ArchiveBusy as exc:
                now = time.monotonic()
                if now >= deadline:
                    raise
                if not told:  # a crawl that seems to hang says why
                    log.warning("%s; waiting up to %g s for it to be closed", exc, wait)
                    told = True
                next_try = min(now + 2.0, deadline)
        await sleep(0.1)  # the reactor's sleep: signals and Scrapy's own stop get through


def parse_page(page: FetchedPage) -> ParseResult:
    """Parse with the page's kind; the records carry the archive's source name (a source's
    name, `github`, and its kind, `statuspage`, differ for every source but NHSmail)."""
    return parse_as(
        page.source, page.kind or page.source, page.body or b"",
        url=page.url, fetched_at=page.fetched_at,
    )  # fmt: skip


def stored_incidents(con: Any, source: str) -> dict[str, Any]:
    """What the archive last stored from each incident's own JSON (Statuspage's
    `/api/v2/incidents/<code>.json`), by URL: its `updated_at`, `resolved_at` and whether
    it was open. The statuspage spider re-fetches an incident only when that is stale.
    (The version sighted there may be the one a list showed first: same content.)"""
    from scraper.spiders.statuspage import Stored, instant

    rows = con.execute(
        """
        SELECT s.url, v.details['updated_at'], v.details['resolved_at'], v.is_open
        FROM sightings s JOIN fetches f USING (fetch_id)
        JOIN notice_versions v USING (notice_key, version)
        WHERE f.source = ? AND s.url LIKE '%/api/v2/incidents/%.json'
        QUALIFY row_number() OVER (
            PARTITION BY s.url ORDER BY s.observed_at DESC, s.fetch_id DESC) = 1
        """,
        [source],
    ).fetchall()
    return {url: Stored(instant(updated), instant(resolved), is_open)
            for url, updated, resolved, is_open in rows}  # fmt: skip


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db = crawler.settings.get("NOTICES_DB")
        self.lock: ArchiveLock | None = None
        self.con: Any = None
        self.pages: list[FetchedPage] = []
        self.failed_pages = 0
        self.parsed: dict[int, ParseResult | ParseFailed] = {}  # by id() of a held page
        self.stored_sha: dict[str, str] = {}  # each URL's latest stored content
        self.started_at = datetime.now(UTC)
        crawler.notices_summary = None  # type: ignore[attr-defined]
        crawler.notices_locked = None  # type: ignore[attr-defined]
        crawler.notices_unusable = None  # type: ignore[attr-defined]
        crawler.notices_interrupted = None  # type: ignore[attr-defined]
        # The crawl is finished on spider_closed, not in close_spider: only that signal
        # says why the spider closed (Scrapy records finish_reason after the pipelines
        # close), and a crawl cut short (SIGTERM, CLOSESPIDER_*) must vanish nothing.
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    async def _open_archive(self) -> bool:
        """Take the archive's lock and open it; if another process holds the lock, say so
        and stop this spider without touching anything."""
        lock = ArchiveLock(self.db)
        try:
            lock.__enter__()
        except ArchiveLocked as exc:
            # the spider sees this and asks nothing, so the engine closes at once, idle
            self.crawler.notices_locked = str(exc)  # type: ignore[attr-defined]
            log.error("%s; this run stops without touching it", exc)
            return False
        except LockUnavailable as exc:  # a read-only directory, say
            self.crawler.notices_unusable = str(exc)  # type: ignore[attr-defined]
            log.error("%s; this run stops without touching it", exc)
            raise CloseSpider("archive_unusable") from None
        self.lock = lock
        try:
            wait = self.crawler.settings.getfloat("NOTICES_WRITER_WAIT", 60.0)
            self.con = await _connect_writer(self.db, wait, self._stop_asked)
        except WaitStopped:
            lock.__exit__(None, None, None)
            self.lock = None
            # nothing opened, nothing booked: no crawl row, and no spider start
            self.crawler.notices_interrupted = (  # type: ignore[attr-defined]
                f"while waiting for another process to close archive {self.db}; crawled nothing"
            )
            log.error("stopped while waiting for another process to close the archive")
            raise CloseSpider("shutdown") from None
        except ArchiveBusy as exc:
            lock.__exit__(None, None, None)
            self.lock = None
            self.crawler.notices_locked = f"{exc} (waited {wait:g} s)"  # type: ignore[attr-defined]
            # not another crawl (that is the lock above): a reader kept it past the wait,
            # which no later run mends by itself
            self.crawler.notices_held = True  # type: ignore[attr-defined]
            log.error("%s", exc)
            return False
        except ArchiveUnusable as exc:
            lock.__exit__(None, None, None)
            self.lock = None
            # a failed crawl (exit 1), not "locked" (exit 3, "try later"): waiting will not
            # mend the file. CloseSpider from here closes the engine before it asks anything.
            self.crawler.notices_unusable = str(exc)  # type: ignore[attr-defined]
            log.error("%s; this run stops without touching it", exc)
            raise CloseSpider("archive_unusable") from None
        return True

    def _stop_asked(self) -> bool:
        """A stop asked for while the crawl opens: `scraper.run`'s signal handling, or
        Scrapy's own (``scrapy crawl``), which marks the crawler as no longer crawling."""
        return bool(getattr(self.crawler, "notices_stopping", False)) or not getattr(
            self.crawler, "crawling", True
        )

    async def open_spider(self) -> None:
        if not await self._open_archive():
            return
        spider = self.crawler.spider
        self.started_at = datetime.now(UTC)
        spider.validators = validators(self.con, spider.source)
        self.stored_sha = latest_contents(self.con, spider.source)
        if hasattr(spider, "stored"):
            spider.stored = stored_incidents(self.con, spider.source)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage) or self.con is None:
            return item  # (no archive: the spider asks nothing more once it sees the lock)
        self.pages.append(item)  # booked when the crawl is over, in one transaction
        self.failed_pages += item.failed
        # Parsed now, as pages come, so that booking is the archive's work alone; a body the
        # archive already holds for its URL is not parsed at all.
        if not item.failed and not item.not_modified and item.body is not None:
            sha = hashlib.sha256(item.body).hexdigest()
            if self.stored_sha.get(item.url) != sha:
                try:
                    self.parsed[id(item)] = parse_page(item)
                except MACHINE_ERRORS:
                    raise
                except Exception as exc:  # booked as a failed fetch, with its reason
                    self.parsed[id(item)] = parse_failure(item, exc)
                else:  # (a page that failed leaves no snapshot to compare with)
                    self.stored_sha[item.url] = sha
        self._progress()
        return item

    def _parsed(self, page: FetchedPage) -> ParseResult:
        """What `process_item` made of the page (parsed now if it did not)."""
        held = self.parsed.get(id(page))
        if held is None:
            return parse_page(page)
        if isinstance(held, ParseFailed):
            raise held
        return held

    def _progress(self) -> None:
        """One updating line on a terminal, so a long crawl shows it is alive."""
        if not sys.stderr.isatty():
            return
        stats = self.crawler.stats.get_stats()  # type: ignore[union-attr]
        queued = stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0)
        print(
            f"\r{len(self.pages)} pages fetched ({self.failed_pages} failed); {queued} queued ",
            end="", file=sys.stderr, flush=True,
        )  # fmt: skip

    def spider_closed(self, reason: str) -> None:
        if self.con is None:
            return
        truncated = self.crawler.stats.get_value("notices/truncated")  # type: ignore[union-attr]
        # a stop asked for while opening may find the spider idle, closing as "finished"
        stopped = getattr(self.crawler, "notices_stopping", False)
        left_out = self.crawler.stats.get_value("notices/robots_forbidden", 0)  # type: ignore[union-attr]
        plan = CrawlPlan(
            source=self.crawler.spider.source,  # type: ignore[union-attr]
            started_at=self.started_at,
            finished_at=datetime.now(UTC),
            pages=self.pages,
            complete=reason == "finished" and not truncated and not stopped,
            left_out=left_out,
        )
        shown = sys.stderr.isatty()
        if shown:
            print(file=sys.stderr)  # end the fetching line

        def booked(done: int, total: int) -> None:  # a long booking shows it is alive
            print(f"\rbooked {done}/{total} pages ", end="", file=sys.stderr, flush=True)

        try:
            summary, outcomes = ingest_crawl(
                self.con, plan, self._parsed,
                # a second SIGTERM (scraper.run) abandons the booking: rolled back
                stop=lambda: getattr(self.crawler, "notices_abandon", False),
                progress=booked if shown else None,
            )  # fmt: skip
            if shown:
                print(file=sys.stderr)
            self.crawler.notices_summary = summary  # type: ignore[attr-defined]
            self._tell(outcomes)
        except BookingStopped:
            log.error("stopped while booking the crawl: the archive is as before it")
            self.crawler.notices_unusable = (  # type: ignore[attr-defined]
                "stopped while booking (a second signal): the archive is as before the crawl"
            )
        except Exception as exc:  # disk full, say: the archive is as before the crawl
            log.exception("booking the crawl failed")
            message = f"booking the crawl failed, the archive is as before it: {exc!r}"
            self.crawler.notices_unusable = message[:500]  # type: ignore[attr-defined]
        finally:
            self.pages, self.parsed = [], {}  # Scrapy keeps the pipeline till the run ends
            self.con.close()
            self.con = None
            if self.lock is not None:
                self.lock.__exit__(None, None, None)

    def _tell(self, outcomes: list[PageOutcome]) -> None:
        stats = self.crawler.stats
        for page, outcome in zip(self.pages, outcomes, strict=True):
            stats.inc_value(f"notices/fetch/{outcome.outcome}")  # type: ignore[union-attr]
            if outcome.outcome in ("drift", "failed"):
                log.error("%s %s: %s", outcome.outcome, page.url, outcome.message or page.error)


class BackfillPipeline(ArchivePipeline):
    """The archive pipeline for web-archive captures: each capture is a crawl of its own,
    observed at its capture time; CDX pages and captures are booked for resuming; and at
    the end vanishings are replayed in observation order, since the captures are older
    than what the archive may already hold."""

    async def open_spider(self) -> None:
        if not await self._open_archive():
            return
        spider = self.crawler.spider
        spider.resume = resume_state(self.con, spider.source)
        self.started = time.monotonic()
        self.done = 0
        self.failed = 0
        self.errors: list[str] = []

    def process_item(self, item: Any) -> Any:
        if self.con is None:
            return item
        if isinstance(item, CdxPage):
            record_cdx_page(self.con, item)
            self._report()
            return item
        if not isinstance(item, FetchedPage):
            return item
        plan = CrawlPlan(
            source=item.source, started_at=item.fetched_at, finished_at=item.fetched_at,
            pages=[item], origin="backfill", decide_vanishing=False,
        )  # fmt: skip

        def mark(_crawl_id: int, outcomes: list[PageOutcome]) -> None:
            ok = outcomes[0].outcome != "failed"
            mark_capture(self.con, item.source, item.capture_id or "", ok, outcomes[0].fetch_id)

        # the capture's crawl, its page and its mark as done: one transaction
        try:
            _, [outcome] = ingest_crawl(self.con, plan, parse_page, before_commit=mark)
        except MACHINE_ERRORS as exc:  # disk full: no later capture would be booked either
            log.exception("booking capture %s failed; the backfill stops", item.capture_id)
            self._stop_unusable(f"booking a capture failed, the backfill stopped: {exc!r}")
            return item
        except Exception as exc:  # not booked (rolled back): still pending for the next run
            log.exception("booking capture %s failed", item.capture_id)
            self.failed += 1
            self.errors.append(f"{item.capture_id}: not booked: {exc!r}"[:300])
            self._report()
            return item
        ok = outcome.outcome != "failed"
        self.done += 1
        if not ok:
            self.failed += 1
            self.errors.append(f"{item.capture_id}: {item.error or outcome.message}")
        self._report()
        return item

    def _stop_unusable(self, message: str) -> None:
        """The archive can take no more: close it, ask nothing more, and say so (exit 1).
        What was booked stays; the captures not booked are pending for the next run."""
        self.crawler.notices_unusable = message[:500]  # type: ignore[attr-defined]
        self.con.close()
        self.con = None  # later items are let through untouched
        if self.lock is not None:
            self.lock.__exit__(None, None, None)
            self.lock = None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_unusable"))  # type: ignore[union-attr]

    def _report(self, final: bool = False) -> None:
        """Progress for long runs: found, fetched, failed, remaining, estimated time."""
        spider = self.crawler.spider
        tally = counts(self.con, spider.source)
        found = sum(tally.values())
        remaining = tally.get("pending", 0)
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * remaining if self.done else 0.0
        line = (
            f"backfill {spider.source}: {found} captures found, {tally.get('fetched', 0)} "
            f"stored, {tally.get('failed', 0)} failed, {remaining} remaining, "
            f"about {eta / 60:.0f} min left"
        )
        if sys.stderr.isatty():
            print(f"\r{line} ", end="\n" if final else "", file=sys.stderr, flush=True)
        elif final or self.done % 50 == 0:
            print(line, file=sys.stderr, flush=True)

    def spider_closed(self, reason: str) -> None:
        if self.con is None:
            return
        spider = self.crawler.spider
        try:
            self.con.begin()
            try:
                replay_vanishing(self.con, spider.source)
                self.con.commit()
            except BaseException:
                rollback(self.con)
                raise
            self._report(final=True)
            tally = counts(self.con, spider.source)
            cdx_errors = self.crawler.stats.get_value("notices/cdx/errors", 0)  # type: ignore[union-attr]
            # cut short (SIGTERM, a CLOSESPIDER_* limit): resumable, but not done
            stopped = reason != "finished" or getattr(self.crawler, "notices_stopping", False)
            outcome = "interrupted" if stopped else "ok"
            if self.failed or cdx_errors:
                outcome = "failed"
            self.crawler.notices_summary = {  # type: ignore[attr-defined]
                "source": spider.source,
                "fetched": self.done,
                "failed": self.failed,
                "stored": tally.get("fetched", 0),
                "pending": tally.get("pending", 0),
                "cdx_errors": cdx_errors,
                "errors": self.errors[:20],
                "outcome": outcome,
            }
        finally:
            self.con.close()
            self.con = None
            if self.lock is not None:
                self.lock.__exit__(None, None, None)
