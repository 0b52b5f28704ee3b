"""NHSmail service-status pages, 2017 onwards: one parser per layout generation.

`parse_page` picks layouts by explicit marker tests (the page's own furniture first, its
address second) and returns the records of the first that yields notices, so an old
snapshot always goes to the parser of its own generation. A 2017-2019 status page is told
by its address or its notice sections; "Service Status" and "Last updated" alone are
furniture a WordPress archive shows too, so such a page is tried as a status page first and
then by the WordPress markers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from parsers.lines import Line, Page, page_lines
from parsers.nhsmail import portal_2018, servicestatus_2017, wp_listing, wp_post
from parsers.nhsmail.accordion import has_notice_section, hides_notices, shows_none
from parsers.nhsmail.notice import Context, distinct_keys
from parsers.nhsmail.segments import date_line, last_updated, under_bare_label
from parsers.result import ParseResult

Layout = Callable[[Page, Context], list[dict[str, Any]]]
LAYOUTS: dict[str, tuple[str, Layout]] = {
    module.NAME: (module.VERSION, module.parse)
    for module in (servicestatus_2017, portal_2018, wp_listing, wp_post)
}
_SECTIONS = {servicestatus_2017.NAME: servicestatus_2017.SECTIONS,
             portal_2018.NAME: portal_2018.SECTIONS}  # fmt: skip
# The layouts whose pages show only what is current: the status pages' sections
CURRENT_ONLY = frozenset(_SECTIONS)
_SCAN_LINES = 400  # how far down the page markers are looked for


def detect(page: Page, url: str | None) -> list[str]:
    """Layouts whose markers this page carries, most specific first."""
    url = url or ""
    head = [line for line in page.lines[:_SCAN_LINES] if not line.blank]
    updated = last_updated(head)
    status_title = any(line.text.lower() == "service status" for line in head)
    status_url = servicestatus_2017.URL_RE.search(url) or portal_2018.URL_RE.search(url)
    if updated is not None and (status_title or status_url):
        newer = portal_2018.URL_RE.search(url) or (
            not servicestatus_2017.URL_RE.search(url)
            and updated.local is not None
            and updated.local.year >= 2018
        )
        old, new = servicestatus_2017.NAME, portal_2018.NAME
        status = [new, old] if newer else [old, new]
        if status_url or any(has_notice_section(page, rules) for rules in _SECTIONS.values()):
            return status
        # The furniture without the sections: a WordPress archive headed "Service Status"
        return [*status, *_wordpress(head, url)]
    if (
        status_url
        and not _wordpress_marks(page, head, status_title)
        and any(has_notice_section(page, rules) for rules in _SECTIONS.values())
    ):
        # a status page whose "Last updated" line is missing (a copy that left it out); the
        # WordPress listing at the same address since 2020 dates its notices
        old, new = servicestatus_2017.NAME, portal_2018.NAME
        return [new, old] if portal_2018.URL_RE.search(url) else [old, new]
    return _wordpress(head, url)


def _wordpress_marks(page: Page, head: list[Line], status_title: bool) -> bool:
    """What the 2017-2019 pages never show: posts, or notices with date lines (one dated
    line may be an item's own "Date: …" under the page's "Service Status" heading)."""
    if any(line.post for line in page.lines):
        return True
    dated = sum(1 for line in head if date_line(line) is not None)
    return dated >= 2 or (dated == 1 and not status_title)


def _wordpress(head: list[Line], url: str) -> list[str]:
    """The 2020-on layouts, by the page's address, else by how many date lines it shows."""
    if wp_post.URL_RE.search(url):
        return [wp_post.NAME, wp_listing.NAME]
    # the status address shows the WordPress listing since 2020, with one notice or many
    if wp_listing.URL_RE.search(url) or servicestatus_2017.URL_RE.search(url):
        return [wp_listing.NAME, wp_post.NAME]
    dated = sum(
        1
        for i, line in enumerate(head)
        if date_line(line) is not None and not under_bare_label(head, i)
    )
    if dated >= 2:
        return [wp_listing.NAME, wp_post.NAME]
    return [wp_post.NAME, wp_listing.NAME] if dated == 1 else [wp_post.NAME]


def parse_page(
    content: bytes | str,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
    layout: str | None = None,
) -> ParseResult:
    """Records for every notice on one NHSmail page (HTML or a person's copy of its text)."""
    page = page_lines(content)
    url = url or page.header_url
    tried = [layout] if layout else detect(page, url)
    warnings = list(page.warnings)
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"unknown nhsmail layout {layout!r}; known: {', '.join(LAYOUTS)}")
    updated = last_updated(page.lines[:_SCAN_LINES])
    for name in tried:
        version, parse = LAYOUTS[name]
        ctx = Context(
            layout=name,
            parser_version=f"{name}/{version}",
            url=url,
            fetched_at=fetched_at,
        )
        seen = page
        if name in _SECTIONS:
            ctx.page_updated, ctx.page_updated_dates = updated, True
        else:
            own = (
                wp_post.page_updated(page, _SCAN_LINES)
                if name == wp_post.NAME
                else wp_listing.page_updated(page)
            )
            if own is not None:
                # the page's own metadata: recorded, and no notice's title or body
                i, ctx.page_updated = own
                seen = replace(page, lines=[*page.lines[:i], *page.lines[i + 1 :]])
        if name == wp_post.NAME:
            records = wp_post.parse(seen, ctx, url_says_post=bool(wp_post.URL_RE.search(url or "")))
        else:
            records = parse(seen, ctx)
        if records:
            distinct_keys(records)
            # a status page's sections show what is current: they shrink as things resolve
            # (a page cut short may have lost what it still showed, and a section whose
            # items are in a markup the layout does not read hides them: no shrinking)
            shrink_ok = (
                name in _SECTIONS
                and not page.truncated
                and not hides_notices(page, _SECTIONS[name])
            )
            return ParseResult(
                records, name, tried, [*warnings, *ctx.warnings], shrink_ok=shrink_ok
            )
    # A service-status page whose notice sections are there but empty has none on show;
    # furniture alone (a redesign keeping "Service Status") is not enough to say so, nor are
    # the section headings over items in a markup the layout does not read, nor is a page
    # cut short before its sections' items.
    empty_ok = (
        bool(tried)
        and tried[0] in _SECTIONS
        and not page.truncated
        and shows_none(page, _SECTIONS[tried[0]])
    )
    return ParseResult(
        [], tried[0] if empty_ok else None, tried, warnings, empty_ok, shrink_ok=empty_ok
    )
