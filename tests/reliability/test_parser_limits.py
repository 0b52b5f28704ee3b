"""The two parser defects the fault suite found, checked in-process (fast, exact).

The crawl-level cases (`test_content.py`) drive the same pages through `notices crawl`.
"""

from __future__ import annotations

import time

from parsers import parse
from tests.crawl.site import article, listing

TITLE = "INC28274463 – Portal’s login page – NEW"


def test_a_block_of_100000_bold_words_parses_in_linear_time() -> None:
    # len(parent) walks every child: asked once per <b>, it made this page take minutes
    page = listing(article(TITLE, "14/04/2022 09:35:00 AM", "<b>a</b> " * 100_000)).encode()
    started = time.monotonic()
    result = parse("nhsmail", page)
    assert time.monotonic() - started < 5
    assert [r["title"] for r in result.records] == [TITLE]


def test_mojibake_is_repaired_and_the_page_says_so() -> None:
    page = listing(article(TITLE, "14/04/2022 09:35:00 AM", "The café is closed – sorry."))
    garbled = page.encode("utf-8").decode("cp1252").encode("utf-8")  # UTF-8 read as cp1252
    assert "â€“".encode() in garbled
    result = parse("nhsmail", garbled)
    [record] = result.records
    assert record["title"] == TITLE and record["state"] == "open"
    assert "café is closed – sorry" in record["body"]
    assert any("mojibake repaired" in w for w in result.warnings)


def test_text_without_mojibake_is_left_alone() -> None:
    page = listing(article(TITLE, "14/04/2022 09:35:00 AM", "NÃO – £5 – café – “quoted”"))
    result = parse("nhsmail", page.encode())
    assert "NÃO – £5 – café – “quoted”" in result.records[0]["body"]
    assert not any("mojibake" in w for w in result.warnings)
