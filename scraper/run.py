"""Running crawls from Python (the `notices crawl` command uses this).

One Scrapy process runs the requested sources one after another, each a crawl of its own
with its own `crawls` row and summary. Settings come from `scraper.settings`, then a
source's own politeness (sources.toml), then the caller's overrides (`-s`), which win.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.log import configure_logging
from scrapy.utils.ossignal import install_shutdown_handlers, signal_names
from scrapy.utils.reactor import install_reactor


@dataclass(slots=True)
class CrawlReport:
    source: str
    summary: dict[str, Any] | None = None  # archive.ingest.ingest_crawl's summary
    locked: str | None = None  # the lock holder's message when the archive was busy
    errors: list[str] = field(default_factory=list)
    held: bool = False  # busy because another process kept the file open, not a crawl
    interrupted: str | None = None  # stopped (a signal) before anything was booked: why

    @property
    def outcome(self) -> str:
        if self.interrupted:
            return "interrupted"
        if self.locked:
            return "held" if self.held else "locked"
        return self.summary["outcome"] if self.summary else "failed"

    def line(self) -> str:
        """One line for cron mail and systemd's journal."""
        if self.interrupted:
            return f"crawl {self.source}: interrupted — {self.interrupted}"
        if self.locked and self.held:
            return f"crawl {self.source}: held open — {self.locked}; crawled nothing: close it"
        if self.locked:
            return f"crawl {self.source}: locked — {self.locked}"
        if not self.summary:
            return f"crawl {self.source}: failed — " + ("; ".join(self.errors) or "no summary")
        s = self.summary
        line = (
            f"crawl {s['source']} #{s['crawl_id']}: {s['outcome']} — {s['pages']} pages "
            f"({s['new']} new, {s['unchanged']} unchanged, {s['failed']} failed, "
            f"{s['drift']} drift), {s['notices']} notices seen, {s['versions_new']} new "
            f"versions, {s['vanished']} vanished"
        )
        if s.get("left_out"):
            n = s["left_out"]
            line += f", {n} notice page{'s' if n != 1 else ''} left out (robots.txt forbids them)"
        if s.get("cut_short"):
            n = s["cut_short"]
            line += f", {n} page{'s' if n != 1 else ''} cut short (read, but nothing vanished)"
        # what stopped the crawl itself (a damaged archive, a pipeline that raised) first:
        # the fetches' own errors say nothing of it
        errors = [*self.errors, *s["errors"]]
        if errors:
            line += " | " + "; ".join(errors[:3])
        return line


def settings_for(db: str | Path, overrides: dict[str, str] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("NOTICES_DB", str(db), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawls(
    sources: list[str],
    *,
    db: str | Path,
    start_urls: list[str] | None = None,
    overrides: dict[str, str] | None = None,
) -> list[CrawlReport]:
    """Crawl each source once, one after another, into the archive at ``db``."""
    kwargs = {"start_urls": start_urls} if start_urls else {}
    return run_spiders([(source, source, kwargs) for source in sources], db=db,
                       overrides=overrides)  # fmt: skip


Job = tuple[str, str, dict[str, Any]] | tuple[str, str, dict[str, Any], dict[str, Any]]


def run_spiders(
    jobs: list[Job],
    *,
    db: str | Path,
    overrides: dict[str, str] | None = None,
) -> list[CrawlReport]:
    """Run (report name, spider name, spider arguments[, settings]) jobs one after another.

    A job's own settings (a source's politeness) sit above the project's and below the
    caller's ``overrides``."""
    settings = settings_for(db, overrides)
    install_reactor(settings["TWISTED_REACTOR"])
    configure_logging(settings)
    from twisted.internet import defer, reactor  # after install_reactor, by design

    runner = CrawlerRunner(settings)

    def crawler_for(spider: str, own: dict[str, Any]) -> Crawler:
        if not own:
            return runner.create_crawler(spider)
        job_settings = settings.copy()
        job_settings.update(own, priority="spider")  # a -s override (cmdline) still wins
        return Crawler(runner.spider_loader.load(spider), job_settings)

    crawlers = [
        (job[0], crawler_for(job[1], job[3] if len(job) > 3 else {}), job[2])  # type: ignore[misc]
        for job in jobs
    ]
    failures: list[str] = []
    stopping: list[str] = []  # the signal that asked us to stop, once one has
    stopped_now: list[str] = []  # and the second one, which stops the reactor at once

    def stop_gracefully(signum: int, _frame: Any) -> None:
        """SIGTERM (systemd's stop) or ^C: the running crawl closes as a spider does, so
        its fetches are booked and its summary written (an incomplete crawl vanishes
        nothing); no later crawl starts. A second signal stops at once."""
        install_shutdown_handlers(stop_now)
        stopping.append(signal_names.get(signum, str(signum)))
        reactor.callFromThread(close_running)  # type: ignore[attr-defined]

    def close_running() -> None:
        """Close each running crawl's spider (reason "shutdown": booked as interrupted).
        A crawler still opening has no running engine yet, and Scrapy's own stop would then
        only mark it stopped and let the whole crawl run, never to close: it is asked again
        until its engine runs. A pipeline waiting for a reader to close the archive sees
        ``notices_stopping`` and ends the crawl there, having booked nothing."""
        opening = False
        for crawler in list(runner.crawlers):
            crawler.notices_stopping = True  # type: ignore[attr-defined]  # its spider asks nothing
            engine = crawler._engine  # None until the crawl has begun
            if engine is not None and engine.running:
                deferred_from_coro(close(engine))
            else:
                opening = True
        if opening:
            reactor.callLater(0.1, close_running)  # type: ignore[attr-defined]

    async def close(engine: Any) -> None:
        # checked when it runs, not when asked: a spider closed by then (its crawl booked
        # while the signal waited for the reactor) has nothing left to close
        if engine.spider is not None and engine._slot is not None:
            await engine.close_spider_async(reason="shutdown")

    def stop_now(signum: int, _frame: Any) -> None:
        # a crawl being booked holds the reactor: it sees this flag between pages and rolls
        # back, leaving the archive as before it
        stopped_now.append(signal_names.get(signum, str(signum)))
        for crawler in list(runner.crawlers):
            crawler.notices_abandon = True  # type: ignore[attr-defined]
        reactor.callFromThread(reactor.stop)  # type: ignore[attr-defined]

    @defer.inlineCallbacks
    def crawl_all():  # type: ignore[no-untyped-def]
        try:
            for name, crawler, kwargs in crawlers:
                if stopping:
                    failures.append(f"{name}: not started ({stopping[0]} received)")
                    continue
                try:
                    yield runner.crawl(crawler, **kwargs)
                except Exception as exc:  # a crawl that blew up must not stop the others
                    failures.append(f"{name}: {exc}")
        finally:
            reactor.stop()  # type: ignore[attr-defined]

    install_shutdown_handlers(stop_gracefully)
    # started by the running reactor: crawls that all fail at once (a component that cannot
    # be built) would otherwise stop it before it runs, and run() would then never return
    reactor.callWhenRunning(crawl_all)  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]

    def interrupted(crawler: Crawler) -> str | None:
        """Why a crawl stopped by a signal booked nothing, if it did: its pipeline gave up
        waiting for the archive, or a second signal stopped the reactor while it was still
        under way (opening or fetching), before anything was booked."""
        why = getattr(crawler, "notices_interrupted", None)
        if why:
            return f"{stopping[0]} received {why}" if stopping else f"stopped {why}"
        told = any(getattr(crawler, f"notices_{a}", None)
                   for a in ("summary", "locked", "unusable"))  # fmt: skip
        if stopping and stopped_now and not told and getattr(crawler, "crawling", False):
            return f"{stopping[0]} received, then {stopped_now[0]}: stopped at once, nothing booked"
        return None

    return [
        CrawlReport(
            name,
            summary=getattr(crawler, "notices_summary", None),
            locked=getattr(crawler, "notices_locked", None),
            held=getattr(crawler, "notices_held", False),
            errors=[f for f in failures if f.startswith(f"{name}:")]
            + [u for u in [getattr(crawler, "notices_unusable", None)] if u],
            interrupted=interrupted(crawler),
        )
        for name, crawler, _ in crawlers
    ]
