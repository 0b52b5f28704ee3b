"""NHSmail service status on support.nhs.net: the listing, its pages, and the notice posts.

scrapy crawl nhsmail -a start_urls=https://support.nhs.net/servicestatus/
notices crawl nhsmail --start-url http://127.0.0.1:8000/listing/
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor

from scraper.spiders.base import StatusSpider, html_for_links

# Post addresses (/2022/07/inc30766572-…/ or ?p=53067) and listing pages (/page/2/).
POST_PATTERNS = (r"/\d{4}/\d{2}/[^/?#]+/?$", r"[?&]p=\d+$")
PAGE_PATTERNS = (r"/page/\d+/?$",)


class NhsmailSpider(StatusSpider):
    name = "nhsmail"
    source = "nhsmail"
    kind = "nhsmail"
    # The live status listing; override with -a start_urls=… or --start-url.
    default_start_urls = ("https://support.nhs.net/servicestatus/",)
    # Where the history lives in web archives (`notices backfill nhsmail`): the 2017 page,
    # the 2018-2019 portal page, and the WordPress status listing with its pages.
    archive_patterns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("support.nhs.net/servicestatus", "exact"),
        ("portal.nhs.net/Help/servicestatus", "exact"),
        ("support.nhs.net/servicestatus/", "prefix"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Off-site links are dropped by Scrapy's OffsiteMiddleware against allowed_domains
        # (by host name; LinkExtractor's allow_domains would compare host:port).
        self.posts = LinkExtractor(allow=POST_PATTERNS)
        self.pages = LinkExtractor(allow=PAGE_PATTERNS)

    def role_for(self, url: str) -> str:
        return "post" if any(re.search(p, url) for p in POST_PATTERNS) else "start"

    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        yield self.page(response)
        if response.meta.get("role") == "post":
            return  # a post is a leaf: its links lead away from the status notices
        # Links are read from the text the parser reads, never Scrapy's own decoding: a page
        # that claims a charset it is not in would otherwise show the parser its notices
        # and the spider no links, and the notices moved to page 2 would seem to vanish.
        html = html_for_links(response)
        if html is None:
            return  # a 304, or a body the parser reads as no HTML (JSON, text): no links
        for link in self.pages.extract_links(html):
            if link.url in self.listing_pages:
                continue
            if len(self.listing_pages) >= self.max_listing_pages:
                self.truncated(f"more than {self.max_listing_pages} listing pages")
                break
            self.listing_pages.add(link.url)
            yield scrapy.Request(
                link.url, callback=self.parse, errback=self.failed, meta={"role": "listing"}
            )
        for link in self.posts.extract_links(html):
            yield scrapy.Request(
                link.url, callback=self.parse, errback=self.failed, meta={"role": "post"}
            )
