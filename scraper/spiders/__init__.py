"""Spiders, one per source kind; sources.toml names the sources each one crawls.

`SPIDERS` maps a kind to its spider's name; `crawlable` names the declared sources
`notices crawl` can run. Both are kept here, free of Scrapy imports, so the command line
can check its arguments cheaply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.sources import Source

SPIDERS = {"nhsmail": "nhsmail", "statuspage": "statuspage", "feed": "feed", "gcp": "gcp"}


def crawlable(sources: list[Source]) -> list[Source]:
    """The declared sources whose kind has a spider, in file order."""
    return [s for s in sources if s.kind in SPIDERS]
