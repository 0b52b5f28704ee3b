"""Backfill a source's history from a web archive's CDX index and original-form captures.

    notices backfill nhsmail --from 2017 --to 2019
    scrapy crawl backfill -a source=nhsmail -a cdx_url=http://127.0.0.1:8000/cdx

For every address pattern the source declares, the CDX API is asked for successful
captures, collapsed by digest (unchanged captures skipped), page by page with resume keys;
each capture is then fetched in its original form (`/web/<timestamp>id_/<url>`) and goes
through the same pipeline as a live page, observed at its capture time. One connection,
a fixed pace (NOTICES_BACKFILL_RATE requests a minute), Retry-After honoured, and a 429
pauses everything (see RETRY_429_MIN_DELAY). The pipeline supplies what an earlier run
already stored (`resume`), so an interrupted backfill continues where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.backfill import Capture, CdxPage, ResumeState, capture_time
from archive.ingest import FetchedPage
from scraper.spiders.base import must_not_start
from scraper.spiders.nhsmail import NhsmailSpider

# Address patterns each source declares: (url, "exact" | "prefix").
ARCHIVE_PATTERNS = {"nhsmail": NhsmailSpider.archive_patterns}
PAGE_SIZE = 500


class BackfillSpider(scrapy.Spider):
    name = "backfill"
    origin = "backfill"
    custom_settings: ClassVar[dict[str, Any]] = {
        "CONCURRENT_REQUESTS": 1,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY_JITTER": 0,
        "DEPTH_LIMIT": 0,
        "CLOSESPIDER_PAGECOUNT": 0,
        "ITEM_PIPELINES": {"scraper.pipelines.BackfillPipeline": 300},
        # Captures are fetched oldest first (see capture_requests); a tie keeps CDX order.
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    }

    def __init__(
        self,
        source: str = "nhsmail",
        cdx_url: str | None = None,
        playback_url: str | None = None,
        start: str | None = None,
        end: str | None = None,
        patterns: str | list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if source not in ARCHIVE_PATTERNS:
            raise ValueError(f"no archive patterns for {source!r}; known: {list(ARCHIVE_PATTERNS)}")
        self.source = source
        # Replacement patterns (mirrors, tests): "host/path" exact, "host/path*" a prefix.
        if isinstance(patterns, str):
            patterns = [p for p in patterns.split(",") if p]
        self.patterns = (
            [(p.rstrip("*"), "prefix" if p.endswith("*") else "exact") for p in patterns]
            if patterns
            else list(ARCHIVE_PATTERNS[source])
        )
        self.cdx_url = cdx_url
        self.playback_url = playback_url
        self.start_ts, self.end_ts = start, end
        self.resume = ResumeState()  # filled by the pipeline when it opens
        self.requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BackfillSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.cdx_url = spider.cdx_url or settings.get("NOTICES_CDX_URL")
        if not spider.playback_url:  # the archive that indexes is the archive that plays back
            parts = urlsplit(spider.cdx_url)
            spider.playback_url = f"{parts.scheme}://{parts.netloc}"
        spider.allowed_domains = sorted(
            {urlsplit(u).hostname or "" for u in (spider.cdx_url, spider.playback_url)}
        )
        return spider

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # The pace: NOTICES_BACKFILL_RATE requests a minute, one connection, no jitter.
        rate = settings.getfloat("NOTICES_BACKFILL_RATE", 24)
        settings.set("DOWNLOAD_DELAY", 60.0 / rate, priority="spider")

    def queries(self) -> list[tuple[str, dict[str, str]]]:
        """(resume key name, CDX parameters) for every pattern the source declares."""
        out = []
        for pattern, match in self.patterns:
            params = {"url": pattern, "matchType": match, "output": "json",
                      "filter": "statuscode:200", "collapse": "digest",
                      "showResumeKey": "true", "limit": str(PAGE_SIZE)}  # fmt: skip
            if self.start_ts:
                params["from"] = self.start_ts
            if self.end_ts:
                params["to"] = self.end_ts
            key = f"{pattern} {match} {self.start_ts or ''}-{self.end_ts or ''}"
            out.append((key, params))
        return out

    async def start(self) -> AsyncIterator[Any]:
        if must_not_start(self.crawler):
            return
        for capture in self.resume.pending:  # found by an earlier run, not yet stored
            for request in self.capture_requests([capture]):
                yield request
        for key, params in self.queries():
            resume_key, done = self.resume.queries.get(key, (None, False))
            # A finished query is asked again from its first page: the web archive keeps
            # capturing, and what it listed before is known, so nothing is fetched twice.
            yield self.cdx_request(key, params, None if done else resume_key)

    def cdx_request(self, key: str, params: dict[str, str], resume_key: str | None) -> Any:
        query = dict(params, **({"resumeKey": resume_key} if resume_key else {}))
        return scrapy.Request(
            f"{self.cdx_url}?{urlencode(query)}",
            callback=self.parse_cdx,
            errback=self.cdx_failed,
            priority=10,  # finish listing before fetching, so progress knows the total
            cb_kwargs={"key": key, "params": params},
            dont_filter=True,
        )

    def parse_cdx(self, response: Response, key: str, params: dict[str, str]) -> Iterable[Any]:
        try:
            rows = json.loads(response.text or "[]")
        except ValueError as exc:
            self.logger.error("CDX answer for %s is not JSON (%s): %.200r", key, exc, response.text)
            self.crawler.stats.inc_value("notices/cdx/errors")  # type: ignore[union-attr]
            return
        resume_key = None
        if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
            resume_key, rows = rows[-1][0], rows[:-2]
        header, data = (rows[0], rows[1:]) if rows else ([], [])
        captures = []
        for row in data:
            record = dict(zip(header, row, strict=False))
            if "timestamp" not in record or "original" not in record:
                continue
            captures.append(
                Capture(
                    capture_id=f"{record['timestamp']} {record['original']}",
                    url=record["original"],
                    captured_at=capture_time(record["timestamp"]),
                    digest=record.get("digest"),
                    mimetype=record.get("mimetype"),
                )
            )
        yield CdxPage(self.source, key, captures, resume_key)
        yield from self.capture_requests(captures)
        if resume_key:
            yield self.cdx_request(key, params, resume_key)

    def capture_requests(self, captures: list[Capture]) -> Iterable[Any]:
        """Playback requests, oldest capture first: versions are numbered and events dated
        in the order they are ingested, so captures must arrive in observation order (the
        scheduler would otherwise hand out the newest first, numbering a notice's versions
        backwards and dating its 'appeared' after its changes)."""
        for capture in captures:
            if capture.capture_id in self.resume.stored or capture.capture_id in self.requested:
                continue
            self.requested.add(capture.capture_id)
            yield scrapy.Request(
                f"{self.playback_url}/web/{capture.timestamp}id_/{capture.url}",
                callback=self.parse_capture,
                errback=self.capture_failed,
                cb_kwargs={"capture": capture},
                dont_filter=True,
                priority=-capture.captured_at.toordinal(),  # one queue a day; CDX pages first
            )

    def parse_capture(self, response: Response, capture: Capture) -> Iterable[FetchedPage]:
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        yield FetchedPage(
            source=self.source,
            url=capture.url,
            fetched_at=capture.captured_at,  # observed when the archive captured it
            http_status=response.status,
            body=response.body,
            headers=headers,
            origin="backfill",
            capture_id=capture.capture_id,
        )

    def capture_failed(self, failure: Failure) -> Iterable[FetchedPage]:
        capture: Capture = failure.request.cb_kwargs["capture"]  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        yield FetchedPage(
            source=self.source,
            url=capture.url,
            fetched_at=capture.captured_at,
            http_status=response.status if response is not None else None,
            origin="backfill",
            capture_id=capture.capture_id,
            error=f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
        )

    def cdx_failed(self, failure: Failure) -> None:
        self.logger.error("CDX query failed: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("notices/cdx/errors")  # type: ignore[union-attr]
