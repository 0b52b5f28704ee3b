"""Downloader middlewares: retries that back off, conditional requests, crawl scope,
redirects that leave a trace, and a User-Agent with our contact."""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, plus an exponential pause before each retry.

    The pause is RETRY_BACKOFF_BASE * 2**(n-1) seconds for the n-th retry, at most
    RETRY_BACKOFF_MAX; after a 429 at least RETRY_429_MIN_DELAY * 2**(n-1). A server's
    Retry-After is never cut short: one longer than RETRY_BACKOFF_MAX means no retry in
    this run. A 429 that is not retried (that wait, or retries used up) closes the spider:
    asking the server again before it allows risks a block that doubles each time.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)
        # A 429 means "slow down now": wait at least this long, whatever the backoff says.
        self.min_429 = settings.getfloat("RETRY_429_MIN_DELAY", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    def _delay(self, retry_request: Request, hint: float | None, status: int = 0) -> bool:
        """Set the pause before ``retry_request``; False when the server asks for longer
        than RETRY_BACKOFF_MAX, so that it is not retried at all."""
        if hint is not None and hint > self.cap:
            return False
        n = retry_request.meta.get("retry_times", 1)
        delay = min(self.base * 2 ** (n - 1), self.cap)
        if status == 429:
            delay = max(delay, self.min_429 * 2 ** (n - 1))
        retry_request.meta["retry_delay"] = max(delay, hint or 0.0)
        return True

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            hint = retry_after_seconds(response.headers.get(b"Retry-After"), datetime.now(UTC))
            if self._delay(result, hint, response.status):
                return result
            logger.warning(
                "%s: the server asks to wait %.0f s (Retry-After), longer than"
                " RETRY_BACKOFF_MAX (%.0f s): not retried in this run",
                request.url, hint, self.cap,
            )  # fmt: skip
            result = response
        if response.status == 429 and result is response:
            self._stop("rate_limited")
        return result

    def _stop(self, reason: str) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            logger.warning("rate-limited (HTTP 429): stopping the crawl; run it again later")
            deferred_from_coro(engine.close_spider_async(reason=reason))

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._delay(result, None)
        return result  # type: ignore[return-value]

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop("retry_delay", None)
        if delay:
            await sleep(delay)


class ConditionalRequestMiddleware:
    """Ask "changed since our copy?" with the validators of the archive's latest snapshot.

    The archive pipeline puts ``{url: {"etag": …, "last-modified": …}}`` on the spider as
    ``validators`` when it opens. Only requests whose role is in the spider's
    ``conditional_roles`` are made conditional: a listing is a hub, and a 304 for it would
    leave the spider without the links to the posts, which change on their own.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        if request.meta.get("redirect_urls"):
            # a redirect carries the first URL's validators, which name that URL's copy: a
            # 304 to them from here would sight a copy of this URL we may not hold at all
            for name in (b"If-None-Match", b"If-Modified-Since"):
                request.headers.pop(name, None)
        if request.meta.get("role") not in getattr(spider, "conditional_roles", ()):
            return
        known = getattr(spider, "validators", {}).get(request.url)
        if not known:
            return
        if "etag" in known:
            request.headers.setdefault(b"If-None-Match", known["etag"])
        if "last-modified" in known:
            request.headers.setdefault(b"If-Modified-Since", known["last-modified"])


class RedirectGuardMiddleware:
    """Redirects that Scrapy would lose without a trace become failed fetches, with why.

    Scrapy follows a redirect by scheduling a new request, and the scheduler drops, silently,
    one outside the spider's allowed hosts or one it has seen before (a redirect loop, or a
    post that now redirects to the listing fetched a moment ago). The page then left no
    observation at all and the crawl still said ok. Seen here before RedirectMiddleware, such
    a 3xx is refused with the reason (naming the whole chain), so the spider's errback
    records a failed observation of the URL that answered it. A meta refresh that would be
    lost the same way (a status page that reloads itself every minute) is not followed: the
    page is kept as it came.
    """

    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED")
        self.max_delay = settings.getfloat("METAREFRESH_MAXDELAY")
        self.ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")
        self.seen: set[bytes] = set()  # what the scheduler's duplicate filter has seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        return mw

    def _fingerprint(self, url: str) -> bytes:
        return self.crawler.request_fingerprinter.fingerprint(Request(url))  # type: ignore[union-attr]

    def request_scheduled(self, request: Request) -> None:
        if not request.dont_filter:
            self.seen.add(self._fingerprint(request.url))

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if request.meta.get("dont_redirect") or response.status in getattr(
            spider, "handle_httpstatus_list", ()
        ):
            return response
        if response.status in self.REDIRECTS and b"Location" in response.headers:
            location = safe_url_string(response.headers[b"Location"])
            target = urljoin(request.url, location)
            why = self._lost(request, target)
            if why:
                raise IgnoreRequest(f"redirect {response.status} to {target}: {why}")
        elif self.meta_refresh and isinstance(response, HtmlResponse):
            interval, target = get_meta_refresh(response, ignore_tags=self.ignore_tags)
            followed = target and interval is not None and interval < self.max_delay
            if followed and self._lost(request, target):
                request.meta["dont_redirect"] = True  # MetaRefreshMiddleware lets it be
        return response

    def _lost(self, request: Request, target: str) -> str | None:
        """Why the scheduler would drop a redirect to ``target``, or None."""
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        host = (urlsplit(target).hostname or "").lower()
        if domains and not any(host == d or host.endswith(f".{d}") for d in domains):
            return "outside the allowed hosts"  # as OffsiteMiddleware judges it
        chain = [*request.meta.get("redirect_urls", []), request.url]
        wanted = self._fingerprint(target)
        if any(self._fingerprint(url) == wanted for url in chain):
            return "a redirect loop (" + " -> ".join([*chain, target]) + ")"
        if wanted in self.seen and not request.dont_filter:
            return "a page this crawl has asked for already"
        return None


class ScopeMiddleware:
    """No private, loopback or link-local addresses unless NOTICES_ALLOW_PRIVATE_HOSTS.

    A status page lives on the public internet; a start URL or redirect that leads to
    127.0.0.1, 10.x or a metadata endpoint is a mistake or an attack. Tests and the demo,
    which crawl loopback servers, opt in explicitly. (Hosts outside a spider's
    allowed_domains are already dropped by Scrapy's OffsiteMiddleware.)
    """

    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self.verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler.settings.getbool("NOTICES_ALLOW_PRIVATE_HOSTS"))

    def _refusal(self, host: str) -> str | None:
        if host not in self.verdicts:
            self.verdicts[host] = private_address(host)
        return self.verdicts[host]

    def process_request(self, request: Request) -> None:
        if self.allow:
            return
        host = urlsplit(request.url).hostname or ""
        reason = self._refusal(host)
        if reason:
            raise IgnoreRequest(
                f"{request.url}: {reason} (-s NOTICES_ALLOW_PRIVATE_HOSTS=true allows it)"
            )


def private_address(host: str) -> str | None:
    """Why ``host`` is out of scope (a private, loopback or link-local address), or None."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return None  # unresolvable: the download itself will fail and be recorded
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or (address.is_reserved or address.is_multicast or address.is_unspecified)
        ):
            return f"{host} resolves to a non-public address {address}"
    return None


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Scrapy's User-Agent, naming NOTICES_CONTACT however it was given. The settings
    module reads the environment once, as it loads, so `-s NOTICES_CONTACT=…` alone would
    not reach the User-Agent. A USER_AGENT set on its own is kept as it is."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        from scraper.settings import USER_AGENT, user_agent

        agent = crawler.settings.get("USER_AGENT")
        if agent == USER_AGENT:
            agent = user_agent(crawler.settings.get("NOTICES_CONTACT", ""))
        middleware = cls(agent)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware
