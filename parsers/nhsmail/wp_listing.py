"""2020 on: WordPress listings of many notices (tag, category, author and date archives).

Each notice is an optional title, a date line and a body; untitled notices start straight
at their date line, right under the previous notice's body. Notices are not in date order.
The date lines are the anchors: everything else is placed relative to them.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.lines import Line, Page
from parsers.nhsmail.notice import Context, build_notice
from parsers.nhsmail.segments import (
    body_lines,
    date_line,
    strip_excerpt,
    title_like,
    under_bare_label,
)

NAME = "wp_listing"
VERSION = "1"
URL_RE = re.compile(
    r"/(?:tag|category|author|topics?)/|/page/\d+|/\d{4}/(?:\d{2}/)?(?:page/\d+/?)?(?:$|[?#])",
    re.I,
)


def _meta_like(text: str) -> bool:
    return len(text) <= 60 and not text.endswith((".", ":"))


def _title_index(lines: list[Line], stamp_i: int, floor: int, is_html: bool) -> int | None:
    """Index of the title line above the date line at ``stamp_i``, or None when untitled."""
    j = stamp_i - 1
    while j > floor and lines[j].blank:
        j -= 1
    if j <= floor:
        return None
    line, stamp_line_ = lines[j], lines[stamp_i]
    if line.heading:
        return j
    # Themes put bylines and categories between the title and the date ("By NHSmail
    # Service Desk", "Posted in Status"): look past up to three such short lines.
    k = j
    for _ in range(3):
        if not _meta_like(lines[k].text):
            break
        k -= 1
        while k > floor and lines[k].blank:
            k -= 1
        if k <= floor:
            break
        if lines[k].heading:
            return k
    indented = not is_html and stamp_line_.indent > 0
    if indented:
        # A person's copy keeps the theme's indentation: titles sit at least a step (two
        # spaces) left of the date line; a body line may be off by one, as copies are.
        shallower = line.indent <= stamp_line_.indent - 2
        return j if shallower or (line.bullet and line.indent < stamp_line_.indent) else None
    if line.bullet:
        return j
    before = j - 1
    separated = before <= floor or lines[before].blank or bool(lines[before].heading)
    return j if separated and title_like(line.text) else None


def parse(page: Page, ctx: Context) -> list[dict[str, Any]]:
    lines = page.lines
    stamps = [
        (i, s)
        for i, line in enumerate(lines)
        if (s := date_line(line)) is not None and not under_bare_label(lines, i)
    ]
    anchors: list[tuple[int | None, int]] = []  # (title index, date index)
    floor = -1
    for i, _ in stamps:
        title_i = _title_index(lines, i, floor, page.is_html)
        anchors.append((title_i, i))
        floor = i
    records = []
    for n, ((title_i, stamp_i), (_, stamp)) in enumerate(zip(anchors, stamps, strict=True)):
        if n + 1 < len(anchors):
            next_title, next_stamp = anchors[n + 1]
            end = next_title if next_title is not None else next_stamp
        else:
            end = len(lines)
        last = n + 1 == len(anchors)
        body, excerpt = strip_excerpt(body_lines(lines[stamp_i + 1 : end]))
        records.append(
            build_notice(
                ctx,
                title=lines[title_i].text if title_i is not None else None,
                stamp=stamp,
                body=body,
                truncated=page.truncated and last,
                excerpt=excerpt,
            )
        )
    return records
