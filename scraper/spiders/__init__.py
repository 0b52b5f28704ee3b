"""Spiders, one per source kind. `CRAWLABLE` names the sources `notices crawl` can run
(kept here, free of Scrapy imports, so the command line can list them cheaply)."""

CRAWLABLE = ("nhsmail",)
