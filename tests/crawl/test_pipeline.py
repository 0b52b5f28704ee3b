"""The archive pipeline in-process, without Scrapy's engine: what it parses while a crawl
runs, and what it books when the spider closes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

import scraper.pipelines as pipelines
from archive.ingest import FetchedPage
from tests.crawl.site import article, check_invariants, listing, rows

T0 = datetime(2022, 5, 1, 9, 0, tzinfo=UTC)
A = "https://support.nhs.net/category/service-status/"
B = "https://support.nhs.net/category/service-status/page/2/"


def _page(n: int, state: str = "NEW") -> bytes:
    return listing(
        *(article(f"INC3000000{i} – Relay Delays – {state}", "01/05/2022 08:00:00 AM",
                  f"Delays on relay {i}.") for i in range(n))
    ).encode()  # fmt: skip


class _Crawl:
    """One crawl through a fresh ArchivePipeline, with parse_page counted."""

    def __init__(self, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        real = pipelines.parse_page

        def counted(page: FetchedPage) -> Any:
            self.parsed.append(page.url)
            if page.body == b"BOOM":
                raise RuntimeError("parser bug")
            return real(page)

        monkeypatch.setattr(pipelines, "parse_page", counted)
        crawler = SimpleNamespace(
            settings=Settings({"NOTICES_DB": str(db), "NOTICES_WRITER_WAIT": 5}),
            signals=SignalManager(),
            spider=SimpleNamespace(source="nhsmail"),
        )
        crawler.stats = MemoryStatsCollector(crawler)  # type: ignore[arg-type]
        self.crawler = crawler
        self.pipe = pipelines.ArchivePipeline(crawler)  # type: ignore[arg-type]
        asyncio.run(self.pipe.open_spider())

    def fetch(self, url: str, at: datetime, body: bytes | None, **kw: Any) -> None:
        self.pipe.process_item(FetchedPage("nhsmail", url, at, 200 if body else 304, body, **kw))

    def close(self) -> dict[str, Any]:
        self.pipe.spider_closed("finished")
        assert self.pipe.pages == [] and self.pipe.parsed == {}, "the held pages are let go"
        return self.crawler.notices_summary  # type: ignore[no-any-return]


def test_only_content_the_archive_lacks_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.duckdb"
    first = _Crawl(db, monkeypatch)
    first.fetch(A, T0, _page(2))
    first.fetch(B, T0, _page(1))
    assert first.close()["outcome"] == "ok"
    assert first.parsed == [A, B]

    later = T0 + timedelta(hours=1)
    second = _Crawl(db, monkeypatch)
    second.fetch(A, later, _page(2))  # the same bytes: unchanged, not parsed
    second.fetch(B, later, None, not_modified=True)  # a 304: not parsed
    second.fetch(A, later + timedelta(seconds=1), _page(2, "RESOLVED"))  # changed: parsed
    second.fetch(A, later + timedelta(seconds=2), _page(2, "RESOLVED"))  # that again: not
    summary = second.close()
    assert second.parsed == [A]
    assert (summary["outcome"], summary["new"], summary["unchanged"]) == ("ok", 1, 3)
    assert rows(db, "SELECT DISTINCT state FROM notices") == [("resolved",)]
    check_invariants(db)


def test_a_page_the_parser_raises_on_is_a_failed_fetch_and_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "archive.duckdb"
    first = _Crawl(db, monkeypatch)
    first.fetch(A, T0, _page(2))
    first.close()
    later = T0 + timedelta(hours=1)
    second = _Crawl(db, monkeypatch)
    second.fetch(A, later, b"BOOM")
    second.fetch(A, later + timedelta(seconds=1), _page(2))  # what the archive holds: unread
    summary = second.close()
    assert second.parsed == [A], "the failed page is parsed once, the stored one not at all"
    assert summary["outcome"] == "failed"
    assert rows(db, "SELECT outcome, error FROM fetches WHERE crawl_id = 2 ORDER BY fetch_id") == [
        ("failed", "parse error: RuntimeError: parser bug"),
        ("unchanged", None),
    ]
    assert "Traceback" in caplog.text and "parser bug" in caplog.text, "the traceback is logged"
    check_invariants(db)


def test_a_backfill_stops_on_an_error_of_the_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of memory (or a full disk) books nothing of that capture, keeps what was booked,
    stops the spider, frees the archive and says why; the capture stays pending."""
    from archive.backfill import Capture, CdxPage
    from archive.lock import ArchiveLock

    db = tmp_path / "archive.duckdb"
    closed: list[str] = []

    async def close_spider_async(*, reason: str) -> None:
        closed.append(reason)

    crawler = SimpleNamespace(
        settings=Settings({"NOTICES_DB": str(db), "NOTICES_WRITER_WAIT": 5}),
        signals=SignalManager(),
        spider=SimpleNamespace(source="nhsmail"),
        engine=SimpleNamespace(close_spider_async=close_spider_async),
    )
    crawler.stats = MemoryStatsCollector(crawler)  # type: ignore[arg-type]
    pipe = pipelines.BackfillPipeline(crawler)  # type: ignore[arg-type]
    asyncio.run(pipe.open_spider())
    ids = [f"2022050{i}090000 {A}" for i in (1, 2)]
    at = [T0, T0 + timedelta(days=1)]
    pipe.process_item(
        CdxPage("nhsmail", "q", [Capture(c, A, t) for c, t in zip(ids, at, strict=True)], None)
    )
    pipe.process_item(FetchedPage("nhsmail", A, at[0], 200, _page(1), origin="backfill",
                                  capture_id=ids[0]))  # fmt: skip
    real = pipelines.parse_page

    def out_of_memory(page: FetchedPage) -> Any:
        raise MemoryError

    monkeypatch.setattr(pipelines, "parse_page", out_of_memory)
    monkeypatch.setattr(pipelines, "deferred_from_coro", asyncio.run)  # (no reactor here)
    pipe.process_item(FetchedPage("nhsmail", A, at[1], 200, _page(2), origin="backfill",
                                  capture_id=ids[1]))  # fmt: skip
    monkeypatch.setattr(pipelines, "parse_page", real)
    assert closed == ["archive_unusable"] and pipe.con is None
    assert "MemoryError" in crawler.notices_unusable  # type: ignore[attr-defined]
    with ArchiveLock(db):  # freed
        pass
    assert rows(db, "SELECT capture_id, status FROM backfill_captures ORDER BY ALL") == [
        (ids[0], "fetched"),
        (ids[1], "pending"),
    ]
    assert rows(db, "SELECT count(*) FROM crawls") == [(1,)]
    check_invariants(db)
