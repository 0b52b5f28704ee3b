"""Backfill a source's history from a web archive's CDX index and original-form captures.

    notices backfill nhsmail --from 2017 --to 2019
    scrapy crawl backfill -a source=nhsmail -a cdx_url=http://127.0.0.1:8000/cdx

For every address pattern the source declares, the CDX API is asked for successful
captures, collapsed by digest (unchanged captures skipped), page by page with resume keys;
each capture is then fetched in its original form (`/web/<timestamp>id_/<url>`) and goes
through the same pipeline as a live page, observed at its capture time. The posts a
captured listing links to are looked up and fetched too, as a live crawl follows them.
One connection, a fixed pace (NOTICES_BACKFILL_RATE requests a minute), Retry-After
honoured, and a 429 pauses everything (see RETRY_429_MIN_DELAY). The pipeline supplies
what an earlier run already stored (`resume`), so an interrupted backfill continues where
it stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

from archive.backfill import Capture, CdxPage, ResumeState, capture_time
from archive.ingest import FetchedPage
from scraper.spiders.base import html_for_links, must_not_start
from scraper.spiders.nhsmail import POST_PATTERNS, NhsmailSpider

# Address patterns each source declares: (url, "exact" | "prefix").
ARCHIVE_PATTERNS = {"nhsmail": NhsmailSpider.archive_patterns}
# Links a capture's page makes that are notices of their own (a listing's posts): their own
# captures are looked up too, as a live crawl follows them.
ARCHIVE_FOLLOW = {"nhsmail": POST_PATTERNS}
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
        follow = ARCHIVE_FOLLOW.get(source)
        self.follow = LinkExtractor(allow=follow) if follow else None
        self.follow_res = [re.compile(p) for p in follow or ()]
        self.followed: set[str] = set()  # CDX query keys (post and dates) asked this run

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
        return [self.query(pattern, match) for pattern, match in self.patterns]

    def query(
        self, pattern: str, match: str, span: tuple[str | None, str | None] | None = None
    ) -> tuple[str, dict[str, str]]:
        """The CDX query for a pattern over ``span`` (this run's --from/--to by default)."""
        start, end = span if span is not None else (self.start_ts, self.end_ts)
        params = {"url": pattern, "matchType": match, "output": "json",
                  "filter": "statuscode:200", "collapse": "digest",
                  "showResumeKey": "true", "limit": str(PAGE_SIZE)}  # fmt: skip
        if start:
            params["from"] = start
        if end:
            params["to"] = end
        return f"{pattern} {match} {start or ''}-{end or ''}", params

    async def start(self) -> AsyncIterator[Any]:
        if must_not_start(self.crawler):
            return
        for capture in self.resume.pending:  # found by an earlier run, not yet stored
            for request in self.capture_requests([capture]):
                yield request
        declared = self.queries()
        for key, params in declared:
            resume_key, done = self.resume.queries.get(key, (None, False))
            # A finished query is asked again from its first page: the web archive keeps
            # capturing, and what it listed before is known, so nothing is fetched twice.
            yield self.cdx_request(key, params, None if done else resume_key)
        # A linked post's query cut short by an earlier run goes on, over that run's dates
        # (its listing is stored and will not link it again); a finished one is asked again
        # when a listing links it again.
        self.followed.update(key for key, _ in declared)
        for key, (resume_key, done) in self.resume.queries.items():
            pattern, _, rest = key.partition(" exact ")
            if done or not rest or key in self.followed or not self._post(pattern):
                continue
            start, _, end = rest.partition("-")
            self.followed.add(key)
            yield self.cdx_request(*self.query(pattern, "exact", (start, end)), resume_key)

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

    def _post(self, bare: str) -> bool:
        return any(r.search(bare) for r in self.follow_res)

    def linked_posts(self, response: Response, capture: Capture) -> Iterable[Any]:
        """CDX queries for the posts a captured listing links to, on its own site: a live
        crawl reads each post, so the history must have them too. Asked once a run."""
        if self.follow is None or self._post(capture.url):
            return  # a post's own links (neighbouring posts) are not the listing's
        # read as the parser reads the capture (its bytes, not its charset claim); a
        # capture the parser reads as no HTML (JSON, text) has no links to look up
        html = html_for_links(response)
        if html is None:
            return
        host = urlsplit(capture.url).hostname
        page = html.replace(url=capture.url)  # links resolve against the original
        for link in self.follow.extract_links(page):
            parts = urlsplit(link.url)
            if parts.hostname != host:
                continue
            bare = link.url.split("://", 1)[-1].split("#", 1)[0]
            key, params = self.query(bare, "exact")
            if key in self.followed:
                continue
            self.followed.add(key)
            yield CdxPage(self.source, key, [], None, queued=True)  # noted before it is asked
            yield self.cdx_request(key, params, None)

    def parse_capture(self, response: Response, capture: Capture) -> Iterable[Any]:
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        yield from self.linked_posts(response, capture)
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
