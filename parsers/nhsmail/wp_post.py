"""2020 on: a single WordPress notice post.

A title (sometimes missing), a date line (sometimes missing too), then labelled lines
(``Issue Status:``, ``Description:``, ``Current Update:``, ``Final Update:``…) and prose.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.lines import Page, is_breadcrumb, is_chrome
from parsers.nhsmail.notice import BODY_STATE_WORD, Context, build_notice
from parsers.nhsmail.segments import (
    body_lines,
    date_line,
    is_label_line,
    meta_line,
    own_last_updated,
    title_like,
    under_bare_label,
)
from parsers.references import INC_RE
from parsers.timestamps import Stamp, parse_stamp

NAME = "wp_post"
VERSION = "9"  # bump when the output changes for any page: reparse records it
URL_RE = re.compile(r"/\d{4}/\d{2}/[^/?#]+/?(?:$|[?#])|[?&]p=\d+", re.I)
_HEAD_LINES = 8  # a post's date line sits right under its title
_HEADER_SCAN = 60  # a breadcrumb sits under the site's header, above the post
_SIGNAL_RE = re.compile(rf"^{BODY_STATE_WORD}\s*[–—:\-]", re.I)


def page_updated(page: Page, scan: int) -> tuple[int, Stamp] | None:
    """The post's own "Last updated" line (in its header or footer meta) and its stamp:
    when the post was last edited. Page metadata, never the notice's text or date."""
    return own_last_updated(page.lines, scan, bare=True)


def _header_end(page: Page) -> int | None:
    """The breadcrumb line that ends the site's header, when one comes before the post's
    date line near the top of the page."""
    crumb = None
    for i, line in enumerate(page.lines[:_HEADER_SCAN]):
        if is_breadcrumb(line.text):
            crumb = i
        elif date_line(line) is not None:
            break
    return crumb


def has_notice_signals(texts: list[str]) -> bool:
    """Evidence that undated text is a notice: labelled lines, a reference, a state prefix."""
    return any(is_label_line(t) or INC_RE.search(t) or _SIGNAL_RE.match(t) for t in texts)


def _a_date(text: str) -> bool:
    """A line that is a date and nothing else ("July 27, 2022", "Wednesday 27th July")."""
    if len(text) > 40 or not any(c.isdigit() for c in text):
        return False
    stamp = parse_stamp(text)
    return stamp.local is not None and stamp.warning is None


def parse(page: Page, ctx: Context, *, url_says_post: bool = False) -> list[dict[str, Any]]:
    lines = page.lines
    content = [i for i, line in enumerate(lines) if not line.blank and not is_chrome(line.text)]
    # The site's name and menu a copy shows above a breadcrumb are no title of the post.
    crumb = _header_end(page)
    if crumb is not None:
        content = [i for i in content if i > crumb]
    if not content:
        return []
    stamp_i, stamp = None, None
    for i in content[:_HEAD_LINES]:
        found = date_line(lines[i])
        if found is not None and not under_bare_label(lines, i):
            stamp_i, stamp = i, found
            break
    title_i = None
    if stamp_i is not None:
        before = [i for i in content if i < stamp_i]
        headed = [i for i in before if lines[i].heading]
        if page.is_html:
            title_i = headed[-1] if headed else None
        else:
            # a person's copy shows the byline on its own line ("By NHSmail Service Desk"),
            # and a theme's own date line ("July 27, 2022") above the post's
            titled = [
                i for i in before if not meta_line(lines[i].text) and not _a_date(lines[i].text)
            ]
            title_i = titled[-1] if titled else None
        body_start = stamp_i + 1
    else:
        first = content[0]
        if page.is_html:
            headed = [i for i in content[:_HEAD_LINES] if lines[i].heading]
            title_i = headed[0] if headed else None
        elif title_like(lines[first].text):
            title_i = first
        body_start = (title_i + 1) if title_i is not None else first
        texts = [lines[i].text for i in content]
        if not (url_says_post or has_notice_signals(texts)):
            return []
    body = body_lines(lines[body_start:], post_meta=True)
    if not body and title_i is None:
        return []
    return [
        build_notice(
            ctx,
            title=lines[title_i].text if title_i is not None else None,
            stamp=stamp,
            body=body,
            truncated=page.truncated,
        )
    ]
