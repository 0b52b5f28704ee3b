"""Scrapy settings: polite by default, and every scheduled crawl really asks the server.

Scrapy's HTTP cache is deliberately off. With RFC2616Policy it answers from the cache
without asking the server when a page has max-age or an old Last-Modified, so a scheduled
crawl would silently miss changes; and when revalidation gets a 500 it hands the spider the
stale page as a 200. Instead `ConditionalRequestMiddleware` sends If-None-Match /
If-Modified-Since from the archive's own copy, a 304 is recorded as "unchanged, seen now",
and a 5xx or timeout as a failed observation.
"""

from __future__ import annotations

import os

BOT_NAME = "notice-archive"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"


# Our product token and version: the User-Agent starts with it, and robots.txt groups are
# matched against it alone (a group for `notice-archive`, or for this version, is ours). The
# whole User-Agent would let words in the contact (ops@example.org) pick another agent's
# group, and differ as the contact was given (environment or -s).
ROBOTSTXT_USER_AGENT = "notice-archive/0.1"


def user_agent(contact: str) -> str:
    """Who we are, and how to reach us when a contact is given."""
    return f"{ROBOTSTXT_USER_AGENT} (+status-page history archive" + (
        f"; contact {contact})" if contact else ")"
    )


# How to reach us: set NOTICES_CONTACT (an email address or URL), in the environment or as
# a setting (scraper.middlewares.ContactUserAgentMiddleware).
NOTICES_CONTACT = os.environ.get("NOTICES_CONTACT", "")
USER_AGENT = user_agent(NOTICES_CONTACT)

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a status page is never this big
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DEPTH_LIMIT = 0  # listings are followed to their last page; posts are leaves
# How long a crawl waits for another process's reader (a notebook, `notices sql`) to let go
# of the archive before it gives up (exit 5).
NOTICES_WRITER_WAIT = float(os.environ.get("NOTICES_WRITER_WAIT") or 60)
NOTICES_MAX_LISTING_PAGES = 200  # past this a crawl counts as cut short (no vanishing)
CLOSESPIDER_PAGECOUNT = 2000  # a safety stop; a crawl stopped by it is cut short too
COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False  # see the module docstring

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds; doubled per retry, never shorter than a Retry-After
RETRY_BACKOFF_MAX = 120.0  # our own backoff's cap; a longer Retry-After: no retry this run
RETRY_429_MIN_DELAY = 60.0  # a 429 pauses everything (one connection) at least this long
# Backfill from web archives: requests per minute to the archive (one connection).
NOTICES_BACKFILL_RATE = 24
NOTICES_CDX_URL = "https://web.archive.org/cdx/search/cdx"

# Crawl only public addresses; tests and the demo (loopback servers) set this to True.
NOTICES_ALLOW_PRIVATE_HOSTS = False

DOWNLOADER_MIDDLEWARES = {
    "scraper.middlewares.ScopeMiddleware": 50,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "scraper.middlewares.ContactUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    "scraper.middlewares.ConditionalRequestMiddleware": 560,
    # before RedirectMiddleware (600) and MetaRefreshMiddleware (580) see a response
    "scraper.middlewares.RedirectGuardMiddleware": 650,
}
ITEM_PIPELINES = {
    "scraper.pipelines.ArchivePipeline": 300,
}
# Where the archive lives: NOTICES_DB, else data/archive.duckdb.
NOTICES_DB = os.environ.get("NOTICES_DB", "data/archive.duckdb")

LOG_LEVEL = os.environ.get("NOTICES_LOG_LEVEL", "WARNING")  # cron mail stays short
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
