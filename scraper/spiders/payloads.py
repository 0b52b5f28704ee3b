"""Sources that are one payload per URL: RSS/Atom status feeds and Google Cloud's
incidents.json. The spider fetches each declared URL; the parsers read them.

    notices crawl github-history-feed        # kind = "feed"
    notices crawl google-cloud               # kind = "gcp"
    scrapy crawl feed -a source=github-history-feed

Each payload is the whole board, so it is asked conditionally (If-None-Match /
If-Modified-Since from the archive's copy): a 304 re-sights what the copy showed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from scrapy.http import Response

from scraper.spiders.base import StatusSpider


class PayloadSpider(StatusSpider):
    conditional_roles: ClassVar[tuple[str, ...]] = ("payload",)

    def role_for(self, url: str) -> str:
        return "payload"

    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        yield self.page(response)


class FeedSpider(PayloadSpider):
    name = "feed"
    kind = "feed"


class GcpSpider(PayloadSpider):
    name = "gcp"
    kind = "gcp"
