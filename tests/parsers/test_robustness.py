"""Bad and arbitrary input: a clear result or a recorded warning, never a traceback."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import parse
from parsers.lines import page_lines
from parsers.record import validate

NOTICE_TEXT = st.sampled_from(
    [
        "• INC12345678– HSSI – RESOLVED\n",
        "    14/04/2022 09:35:00 AM\n",
        "    26-11-2021 19:25:00 PM (BST)\n",
        "RESOLVED – text between 19:25 and 19:55.\n",
        "Issue Status: OPEN\n",
        "Final Update : 26/07/2023 08:28:00 AMMicrosoft have\n",
        "Next update by: Wednesday, April 22, 2026, at 8:00 PM UTC\n",
        "Service Status\nLast updated: 09/03/2017 17:30\n",
        "High Severity Service Incidents\n  • Threat: x\n    body\n",
        "\n",
        "back to top\n",
    ]
)
SOUP_TAGS = st.sampled_from(["<p>", "</p>", "<li>", "<h2>", "</h2>", "<div>", "</div>", "<br>"])


def _check(content: bytes | str) -> None:
    result = parse("nhsmail", content)
    for record in result.records:
        assert validate(record) == [], record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(NOTICE_TEXT, st.text(max_size=40)), max_size=40))
def test_notice_shaped_text_never_raises(parts: list[str]) -> None:
    _check("".join(parts))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(SOUP_TAGS, NOTICE_TEXT, st.text(max_size=30)), max_size=60))
def test_arbitrary_html_never_raises(parts: list[str]) -> None:
    _check("<html><body>" + "".join(parts))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check(data)


def test_empty_page_yields_nothing_and_says_so() -> None:
    for content in (b"", b"   \n\n  ", "\ufeff"):
        result = parse("nhsmail", content)
        assert result.records == []
        assert result.layout is None
        assert any("empty" in w for w in result.warnings)


def test_binary_junk_is_named() -> None:
    junk = bytes(range(256)) * 40
    result = parse("nhsmail", junk)
    assert result.records == []
    assert any("not text" in w for w in result.warnings)


def test_html_without_notices_yields_none() -> None:
    page = b"<html><head><title>Page not found</title></head><body><main><h1>Page not found"
    page += b"</h1><p>Sorry, nothing here.</p></main></body></html>"
    result = parse("nhsmail", page)
    assert result.records == []
    assert result.tried  # the layouts tried are reported


def test_twenty_megabyte_page_parses_without_blowing_up() -> None:
    block = (
        "<li><h3>INC{n:08d} – Mail Delay – RESOLVED</h3><p>14/04/2022 09:35:00 AM</p>"
        "<p>RESOLVED – The team are aware of an issue. </p></li>"
    )
    filler = "<p>" + "x" * 1000 + "</p>"
    parts = ["<html><body><main><ul>"]
    size = 0
    n = 0
    while size < 20_000_000:
        chunk = block.format(n=n) + filler * 20
        parts.append(chunk)
        size += len(chunk)
        n += 1
    page = "".join(parts).encode()
    started = time.perf_counter()
    result = parse("nhsmail", page)
    elapsed = time.perf_counter() - started
    assert len(result.records) == n
    assert elapsed < 120  # a loose bound against pathological (quadratic) behaviour only


def test_twenty_megabyte_single_line_of_text() -> None:
    result = parse("nhsmail", "a" * 20_000_000)
    assert result.records == []


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><p>Portal\x01 issue \x1f- RESOLVED</p></body></html>",  # UTF-8
        b"<html><body><p>Portal\x01 issue \x96 RESOLVED</p></body></html>",  # cp1252
        "<html><body><p>Portal\x01 issue – RESOLVED</p></body></html>",  # text
    ],
)
def test_control_characters_in_html_are_dropped_whatever_the_input(
    content: bytes | str,
) -> None:
    """Bytes are checked for control characters before the text is (one C-level pass): a
    control byte must still be found and dropped, not reach lxml."""
    lines = [line.text for line in page_lines(content).lines]
    assert lines and "Portal issue" in lines[0] and "\x01" not in lines[0]
