"""Item pipeline: each fetched page is parsed (pure parsers/) and ingested (archive/).

One transaction per page. The pipeline holds the archive's lock for the whole crawl; if
another crawl holds it, this one stops at once and says so (`crawler.notices_locked`).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.db import connect
from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl, validators
from archive.lock import ArchiveLock, ArchiveLocked
from parsers import parse
from parsers.result import ParseResult

log = logging.getLogger(__name__)


def parse_page(page: FetchedPage) -> ParseResult:
    return parse(page.source, page.body or b"", url=page.url, fetched_at=page.fetched_at)


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db = crawler.settings.get("NOTICES_DB")
        self.lock: ArchiveLock | None = None
        self.con: Any = None
        self.crawl_id: int | None = None
        crawler.notices_summary = None  # type: ignore[attr-defined]
        crawler.notices_locked = None  # type: ignore[attr-defined]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        lock = ArchiveLock(self.db)
        try:
            lock.__enter__()
        except ArchiveLocked as exc:
            self.crawler.notices_locked = str(exc)  # type: ignore[attr-defined]
            log.error("%s; this crawl stops without touching it", exc)
            self.crawler.engine.close_spider_async(reason="archive_locked")  # type: ignore[union-attr]
            return
        self.lock = lock
        self.con = connect(self.db)
        self.crawl_id = start_crawl(self.con, spider.source, datetime.now(UTC))
        spider.validators = validators(self.con, spider.source)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        if self.con is None:
            raise DropItem("archive not open (locked by another crawl)")
        outcome = ingest_page(self.con, self.crawl_id, item, parse_page)
        stats = self.crawler.stats
        stats.inc_value(f"notices/fetch/{outcome.outcome}")  # type: ignore[union-attr]
        self._progress(stats.get_stats())  # type: ignore[union-attr]
        if outcome.outcome in ("drift", "failed"):
            log.error("%s %s: %s", outcome.outcome, item.url, outcome.message or item.error)
        return item

    def _progress(self, stats: dict[str, Any]) -> None:
        """One updating line on a terminal, so a long crawl shows it is alive."""
        if not sys.stderr.isatty():
            return
        counts = {
            k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("notices/fetch/")
        }
        done = sum(counts.values())
        detail = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        queued = stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0)
        print(f"\r{done} pages ({detail}); {queued} queued ", end="", file=sys.stderr, flush=True)

    def close_spider(self) -> None:
        if self.con is None:
            return
        reason = self.crawler.stats.get_value("finish_reason")  # type: ignore[union-attr]
        complete = reason in (None, "finished", "closespider_pagecount")
        if sys.stderr.isatty():
            print(file=sys.stderr)  # end the progress line
        try:
            summary = finish_crawl(self.con, self.crawl_id, datetime.now(UTC), complete=complete)
            self.crawler.notices_summary = summary  # type: ignore[attr-defined]
        finally:
            self.con.close()
            self.con = None
            if self.lock is not None:
                self.lock.__exit__(None, None, None)
