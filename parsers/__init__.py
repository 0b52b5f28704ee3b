"""Pure parsers: (page bytes or text, context) -> normalised notice records.

No Scrapy, no I/O, no clock: everything a parser needs arrives as an argument. `SOURCES`
is the one registry of source kinds that `notices parse`, the crawl pipeline and reparse use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from parsers import feeds, gcp, nhsmail, statuspage
from parsers.result import ParseResult

PageParser = Callable[..., ParseResult]
# Layouts that render a notice the same way, as one rendering: a version in one of them
# revises a version in another (Statuspage's summary.json, incidents.json and the incident's
# own JSON). Any other layout is a rendering of its own (an NHSmail listing's excerpt and
# the notice's post are two renderings, not revisions of each other).
RENDERINGS: dict[str, str] = {layout: "statuspage_api" for layout in statuspage.FULL_RECORD}
# Layouts whose pages show only what is current (an NHSmail status page's sections,
# Statuspage's summary.json and history pages): a page may shrink without drift only from a
# snapshot of one of them. One that read as a listing of the latest posts and now reads as
# an empty status page has changed layout, not emptied. (Layout names are unique across
# the source kinds.)
CURRENT_ONLY: frozenset[str] = nhsmail.CURRENT_ONLY | statuspage.CURRENT_ONLY
SOURCES: dict[str, PageParser] = {
    "nhsmail": nhsmail.parse_page,
    "statuspage": statuspage.parse_payload,
    "feed": feeds.parse_feed,
    "gcp": gcp.parse_incidents,
}


def parse(
    source: str,
    content: bytes | str,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
) -> ParseResult:
    """Parse one page of ``source``. Unknown sources are a ValueError naming the known ones."""
    try:
        parser = SOURCES[source]
    except KeyError:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}") from None
    return parser(content, url=url, fetched_at=fetched_at)


def parse_as(
    name: str,
    kind: str,
    content: bytes | str,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
) -> ParseResult:
    """Parse a page of the source called ``name`` with its kind's parser; the records carry
    the name (the archive keys by source name: `github`, read as `statuspage`), while
    `notice_key` keeps the kind's prefix, the parsers' contract."""
    result = parse(kind, content, url=url, fetched_at=fetched_at)
    if kind != name:
        for record in result.records:
            record["source"] = name
    return result
