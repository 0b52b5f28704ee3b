"""2020 on: WordPress listings of many notices (tag, category, author and date archives).

Each notice is an optional title, a date line and a body; untitled notices start straight
at their date line, right under the previous notice's body. Notices are not in date order.
The date lines are the anchors: everything else is placed relative to them. In HTML each
post (an <article>) is its own notice: nothing above a post's first line is its title.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, NamedTuple

from parsers.lines import Line, Page, is_chrome
from parsers.nhsmail.labels import is_closing
from parsers.nhsmail.notice import Context, build_notice
from parsers.nhsmail.segments import (
    body_lines,
    date_line,
    in_bullet_list,
    meta_line,
    own_last_updated,
    strip_excerpt,
    strong_title,
    title_like,
    under_bare_label,
)
from parsers.nhsmail.titles import read_title
from parsers.references import INC_RE
from parsers.timestamps import Stamp

NAME = "wp_listing"
VERSION = "9"  # bump when the output changes for any page: reparse records it
URL_RE = re.compile(
    r"/(?:tag|category|author|topics?)/|/page/\d+|/\d{4}/(?:\d{2}/)?(?:page/\d+/?)?(?:$|[?#])",
    re.I,
)


def _meta_like(text: str) -> bool:
    return len(text) <= 60 and not text.endswith((".", ":"))


def _above(lines: list[Line], i: int, floor: int) -> int | None:
    """The nearest text line above ``i`` and below ``floor`` (the previous date line)."""
    j = i - 1
    while j > floor and lines[j].blank:
        j -= 1
    return j if j > floor else None


class _Head(NamedTuple):
    """What sits above one date line: the title candidate and where the notice starts.
    (Not a frozen dataclass: those cost three times as much to make.)"""

    stamp_i: int
    candidate: int | None  # the line above, past blank lines and bylines
    start: int  # first line of this notice's header (title, byline or the date line)


def _head(lines: list[Line], stamp_i: int, floor: int, is_html: bool) -> _Head:
    j = _above(lines, stamp_i, floor)
    start = stamp_i
    if is_html and j is not None and not lines[j].heading:
        # Themes put bylines and categories between the title and the date ("By
        # NHSmail Service Desk", "Posted in Status"): a heading above up to three
        # such short lines is the title.
        k: int | None = j
        for _ in range(3):
            if k is None or not _meta_like(lines[k].text):
                break
            k = _above(lines, k, floor)
            if k is not None and lines[k].heading:
                return _Head(stamp_i, k, k)
    # The byline belongs to this notice's header even when there is no title above it
    # ("By NHSmail Service Desk" over an untitled notice): never the title, never the
    # previous notice's body.
    for _ in range(3):
        if j is None or not meta_line(lines[j].text):
            break
        start = j
        j = _above(lines, j, floor)
    return _Head(stamp_i, j, start)


def _html_title(lines: list[Line], j: int, floor: int) -> bool:
    line = lines[j]
    if is_chrome(line.text):
        return False  # "Tag: Outage" as the archive's h1, "Read More »"
    if line.heading or line.bullet:
        return True
    before = j - 1
    separated = before <= floor or lines[before].blank or bool(lines[before].heading)
    return separated and title_like(line.text)


def _text_title(lines: list[Line], head: _Head, floor: int, bullet_titles: bool) -> bool:
    """Is the candidate above a date line, in a person's copy, that notice's title?"""
    assert head.candidate is not None
    j, line, stamp = head.candidate, lines[head.candidate], lines[head.stamp_i]
    if is_chrome(line.text) or is_closing(line.text):
        return False  # a closing courtesy ends the notice above ("If you require help…")
    if stamp.indent > 0:
        # The copy keeps the theme's indentation: titles sit at least a step (two spaces)
        # left of the date line; a body line may be off by one, as copies are. When the
        # page's titles are list items, a plain line there must look like an NHSmail
        # title: otherwise it is the archive's own text ("Service notices for NHSmail,
        # newest first").
        if line.bullet:
            return line.indent < stamp.indent
        if line.indent > stamp.indent - 2 or not title_like(line.text):
            return False
        return not bullet_titles or strong_title(line.text)
    if line.bullet:
        return not in_bullet_list(lines, j)
    if not title_like(line.text):
        return False
    # Copies without blank lines put the title right under the previous body: there it
    # must look like an NHSmail title ("Information – …", "INC… – … – RESOLVED").
    before = j - 1
    separated = before <= floor or lines[before].blank
    return separated or strong_title(line.text)


def _post_start(lines: list[Line], stamp_i: int, floor: int) -> int | None:
    """HTML: the first line of the post holding date line ``stamp_i``, when that post
    starts below ``floor`` (the previous date line)."""
    return next((j for j in range(stamp_i, floor, -1) if lines[j].post), None)


def _heads(page: Page, stamps: list[int]) -> list[tuple[int | None, int]]:
    """(title index or None, first header line) for every date line."""
    lines = page.lines
    floors = [-1, *stamps][: len(stamps)]  # each date line's floor: the one before it
    posts: list[int | None] = [None] * len(stamps)
    if page.is_html:
        # A post's header is inside the post: what is above its first line is the previous
        # post's (an untitled post's title is never the excerpt above it).
        posts = [_post_start(lines, i, floor) for i, floor in zip(stamps, floors, strict=True)]
        if None in posts:  # date lines outside the posts (a date header above each one):
            posts = [None] * len(stamps)  # posts do not hold their notices' headers
        floors = [f if p is None else p - 1 for f, p in zip(floors, posts, strict=True)]
    heads = [_head(lines, i, floor, page.is_html) for i, floor in zip(stamps, floors, strict=True)]
    bullet_titles = any(
        h.candidate is not None
        and lines[h.candidate].bullet
        and lines[h.candidate].indent < lines[h.stamp_i].indent
        for h in heads
    )
    out: list[tuple[int | None, int]] = []
    for head, floor, post in zip(heads, floors, posts, strict=True):
        if head.candidate is None:
            titled = False
        elif page.is_html:
            titled = _html_title(lines, head.candidate, floor)
        else:
            titled = _text_title(lines, head, floor, bullet_titles)
        title = head.candidate if titled else None
        # the post's own first lines are never the body of the notice above
        start = post if post is not None else head.candidate if titled else head.start
        out.append((title, start))
    return out


def _undated(lines: list[Line], where: str) -> list[str]:
    """Lines that read as a notice's title (a state word as its last part, or an INC
    reference) where no notice starts: a notice with no date line of its own, which this
    layout cannot place, is reported rather than dropped in silence (above the first
    notice) or merged unsaid into the notice above (in a body)."""
    return [
        f"notice not read (no date line of its own), {where}: {line.text[:100]!r}"
        for line in lines
        if _may_be_title(line.text)
        and title_like(line.text)
        and (INC_RE.search(line.text) or read_title(line.text).state_raw is not None)
    ]


def _may_be_title(text: str) -> bool:
    """What every such title has, asked cheaply first: most body lines are sentences, and
    this runs over every body line of a listing. A state word is a last part after a dash;
    an INC reference has its letters."""
    if text[-1:] in ".,;:!?":
        return False
    return (
        "–" in text
        or "-" in text
        or "—" in text
        or "nc" in text
        or "NC" in text
        or (
            "Nc" in text or "nC" in text  # INC_RE ignores case
        )
    )


def page_updated(page: Page) -> tuple[int, Stamp] | None:
    """The listing's own "Last updated" line and its stamp: above the first notice (its
    date line, or in HTML its post). One inside a post is that post's text."""
    lines = page.lines
    end = next(
        (i for i, line in enumerate(lines) if (page.is_html and line.post) or date_line(line)),
        len(lines),
    )
    return own_last_updated(lines, end)


def parse(page: Page, ctx: Context) -> list[dict[str, Any]]:
    lines = page.lines
    stamps = [
        (i, s)
        for i, line in enumerate(lines)
        if (s := date_line(line)) is not None and not under_bare_label(lines, i)
    ]
    heads = _heads(page, [i for i, _ in stamps])
    if heads:
        ctx.warnings += _undated(lines[: heads[0][1]], "above the first notice")
    records = []
    for n, ((stamp_i, stamp), (title_i, start)) in enumerate(zip(stamps, heads, strict=True)):
        end = heads[n + 1][1] if n + 1 < len(heads) else len(lines)
        last = n + 1 == len(heads)
        ctx.warnings += _undated(lines[stamp_i + 1 : end], f"in the body of notice {n + 1}")
        body, excerpt = strip_excerpt(body_lines(lines[stamp_i + 1 : end], post_meta=True))
        records.append(
            build_notice(
                ctx,
                title=lines[title_i].text if title_i is not None else None,
                stamp=stamp,
                body=body,
                truncated=page.truncated and last,
                excerpt=excerpt,
                link=partial(page.permalink, lines[start]) if lines[start].post else None,
            )
        )
    return records
