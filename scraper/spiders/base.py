"""What every status-page spider shares: start URLs from arguments, raw pages as items.

Spiders only navigate. Each response (or failure) becomes a `FetchedPage` with the bytes,
status, headers and fetch time; parsing happens in the pipeline.

A spider serves one source *kind* (`kind`, the parser that reads its pages) and crawls one
declared *source* at a time (`source`, a name from sources.toml): `notices crawl github`
runs the `statuspage` spider with ``source="github"`` and the URLs sources.toml gives it.
Run by hand, ``scrapy crawl statuspage -a source=github`` looks the URLs up the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.ingest import FetchedPage
from parsers.lines import html_encoding
from parsers.payload import decode_json

# A 304 to a request that named no copy of ours: nothing was compared, and no page came.
UNASKED_304 = (
    "HTTP 304 Not Modified to a request with no validators (no If-None-Match or"
    " If-Modified-Since): no copy was compared and no page came"
)


def must_not_start(crawler: Any) -> bool:
    """Ask nothing of the site: another run holds the archive, or a stop was asked for
    (SIGTERM) while this crawl was still opening (see scraper.run)."""
    return bool(
        getattr(crawler, "notices_locked", None) or getattr(crawler, "notices_stopping", False)
    )


def asked_if_changed(request: Request | None) -> bool:
    """The request carried validators (see ConditionalRequestMiddleware): a 304 to it means
    "the copy you named is current"."""
    return request is not None and any(
        request.headers.get(name) for name in (b"If-None-Match", b"If-Modified-Since")
    )


def html_for_links(response: Response) -> HtmlResponse | None:
    """The response as the parser reads it, to read its links from: the body decoded as
    `parsers.lines` decodes it (a byte-order mark, else UTF-8, else Windows-1252), whatever
    its Content-Type or <meta> charset claims. None for a body the parser does not read as
    HTML (JSON, plain text, binary) and for a 304: no links to follow there."""
    if response.status == 304:
        return None
    encoding = html_encoding(response.body)
    if encoding is None:
        return None
    return response.replace(cls=HtmlResponse, encoding=encoding)


def declared_urls(source: str) -> list[str]:
    """The URLs sources.toml (or $NOTICES_SOURCES) declares for ``source``."""
    from scraper.sources import load

    for declared in load():
        if declared.name == source:
            return list(declared.urls)
    raise ValueError(f"no source named {source!r} in the sources file")


class StatusSpider(scrapy.Spider):
    source: str = ""  # the archive's name for what is crawled (sources.toml `name`)
    kind: str = ""  # the parser that reads its pages (sources.toml `kind`); "" = source
    default_start_urls: tuple[str, ...] = ()
    # a 304 reaches the spider: "unchanged, seen now"
    handle_httpstatus_list: ClassVar[list[int]] = [304]
    # request roles sent as conditional GETs (see ConditionalRequestMiddleware)
    conditional_roles: ClassVar[tuple[str, ...]] = ("post",)
    # request roles of pages that lead nowhere (one notice's own page): one that robots.txt
    # forbids is left out, not failed; the listings decide what vanished
    leaf_roles: ClassVar[tuple[str, ...]] = ("post",)

    def __init__(
        self,
        start_urls: str | Iterable[str] | None = None,
        source: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if source:
            self.source = source
        if not self.source:
            raise ValueError(f"the {self.name} spider crawls a declared source: -a source=NAME")
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.start_urls = list(start_urls or self.default_start_urls or declared_urls(self.source))
        # Only the hosts we were pointed at: a mirror or a test server replaces the site.
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
        self.validators: dict[str, dict[str, str]] = {}
        self.listing_pages: set[str] = set()
        self.max_listing_pages = 200

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> StatusSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_listing_pages = crawler.settings.getint("NOTICES_MAX_LISTING_PAGES", 200)
        return spider

    def truncated(self, why: str) -> None:
        """The crawl will not see every page: it must not decide that anything vanished."""
        self.crawler.stats.set_value("notices/truncated", why)

    async def start(self) -> AsyncIterator[Any]:
        if must_not_start(self.crawler):
            return
        for url in self.start_urls:
            yield scrapy.Request(
                url,
                callback=self.parse,
                errback=self.failed,
                meta={"role": self.role_for(url), "start": True},
            )

    def role_for(self, url: str) -> str:
        """What a start URL is ("start" for a listing; spiders know their post shapes)."""
        return "start"

    @staticmethod
    def json_of(response: Response) -> Any:
        """The response's JSON as the parsers read it (`parsers.payload.decode_json`), for
        finding the next requests; None when they cannot read it (the pipeline records that
        page as the parser finds it: no crash, no guess, no links the parser never saw)."""
        if response.status == 304:
            return None
        return decode_json(response.body)[0]

    def page(self, response: Response) -> FetchedPage:
        """The response as an observation. A 304 to a request with validators is "unchanged,
        seen now"; a 304 to one without (a listing, asked in full; a page with no stored
        copy) compared nothing and brought no page to read or take links from: a failed
        observation, so the crawl fails and decides no vanishing."""
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        not_modified = response.status == 304
        unasked = not_modified and not asked_if_changed(response.request)
        return FetchedPage(
            source=self.source,
            url=response.request.url if response.request else response.url,
            fetched_at=datetime.now(UTC),
            http_status=response.status,
            body=None if not_modified else response.body,
            headers=headers,
            error=UNASKED_304 if unasked else None,
            not_modified=not_modified and not unasked,
            kind=self.kind or None,
        )

    def failed(self, failure: Failure) -> Iterable[FetchedPage]:
        """A fetch that failed after retries: a failed observation, never a sighting.

        A notice's own page that robots.txt forbids was never asked for: no observation, and
        no failure of the crawl (which would stop every scheduled crawl of such a site from
        deciding what vanished). A start page or listing it forbids still fails loudly."""
        request = failure.request  # type: ignore[attr-defined]
        if (
            failure.check(IgnoreRequest)
            and failure.getErrorMessage() == "Forbidden by robots.txt"  # Scrapy's own words
            and request.meta.get("role") in self.leaf_roles
            and not request.meta.get("start")
        ):
            self.crawler.stats.inc_value("notices/robots_forbidden")
            self.logger.warning("%s: forbidden by robots.txt, not fetched", request.url)
            return
        response = getattr(failure.value, "response", None)
        if failure.check(HttpError) and response is not None:
            error = f"HTTP {response.status}"  # Scrapy's own words name no status
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        yield FetchedPage(
            source=self.source,
            url=request.url,
            fetched_at=datetime.now(UTC),
            http_status=response.status if response is not None else None,
            error=error,
            kind=self.kind or None,
        )
