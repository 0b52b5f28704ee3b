"""Service-status pages of 2017-2019: named sections holding accordion items.

A section is a heading ("High Severity Service Incidents", "Portal Known Issues", "Forward
Schedule of Change"); its items are the accordions under it, each a title and a body with no
time of its own. The page's "Last updated" stamp is page-level and stays out of the items'
published fields. Sections that are help or process text yield nothing.

Each layout module passes its own section rules, so a later generation's names never
change how an earlier one parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from parsers.lines import Line, Page, is_chrome
from parsers.nhsmail.notice import Context, build_notice
from parsers.nhsmail.segments import body_lines, in_bullet_list, title_like
from parsers.references import find_references

_PAGE_FURNITURE_RE = re.compile(r"^(service status|last updated\b.*)$", re.I)
# What a notice section says when it holds none: where its notices would be shown ("Any
# HSSIs will be described in this section", "Details … will appear here"), or that there
# are none ("There are no Portal known issues at present").
_PLACEHOLDER_RE = re.compile(
    r"\b(?:will|would)\s+(?:be\s+(?:\w+\s+)?(?:provided|described|shown|listed|posted"
    r"|published|displayed|given|added)|appear)\b"
    r"|\bthere\s+(?:are|is)\s+(?:currently\s+)?no\b"
    r"|\bno\b.{0,60}\b(?:at\s+present|at\s+the\s+moment|at\s+this\s+time|currently)\b"
    r"|^(?:none|nothing)\b|\bnothing\s+to\s+report\b",
    re.I,
)
# What a notice says and a placeholder never does: a time of day or a date
_WHEN_RE = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@dataclass(frozen=True, slots=True)
class SectionRule:
    pattern: re.Pattern[str]
    category: str
    severity: str | None = None
    whole: bool = False  # a section with no items is itself one notice (a release's notes)


@dataclass(slots=True)
class _Section:
    name: str
    rule: SectionRule | None
    level: int
    indent: int
    start: int  # index of the section's heading line
    items: int = 0


def section_rule(
    pattern: str, category: str, severity: str | None = None, *, whole: bool = False
) -> SectionRule:
    """A section name (matched whole, any case) and what its items are."""
    return SectionRule(re.compile(pattern, re.I), category, severity, whole)


def _rule_for(text: str, rules: list[SectionRule]) -> SectionRule | None:
    return next((r for r in rules if r.pattern.fullmatch(text)), None)


def _text_section(lines: list[Line], i: int, rules: list[SectionRule]) -> bool:
    """In a person's copy, a section name is an unindented, heading-like line."""
    line = lines[i]
    if line.bullet or line.indent > 1 or len(line.text) > 90 or line.text[-1] in ".,;:!?":
        return False  # a section name is no sentence ("CareCERT has seen a campaign…")
    if _rule_for(line.text, rules):
        return True
    return title_like(line.text) and (i == 0 or lines[i - 1].blank or lines[i - 1].indent <= 1)


def _text_item(lines: list[Line], i: int) -> bool:
    """In a person's copy, an item title is a shallow bullet that is not one of a list.

    A copy that lost its indentation puts an item's own lists at column 0 too: the last
    bullet of such a list (a bullet or a "Advice for users:" line right above it) is not
    a new item either.
    """
    line = lines[i]
    if not line.bullet or line.indent > 3 or in_bullet_list(lines, i):
        return False
    nxt = next((ln for ln in lines[i + 1 :] if not ln.blank), None)
    return nxt is None or not (nxt.bullet and nxt.indent == line.indent)


def _html_item(line: Line, section: _Section | None) -> bool:
    """In HTML, an item title is a heading under the section's, or a line set all in bold."""
    if section is None:
        return False
    if line.heading:
        return line.heading > section.level or line.indent > section.indent
    return line.strong and title_like(line.text)


def has_notice_section(page: Page, rules: list[SectionRule]) -> bool:
    """Whether the page shows one of its notice sections ("High Severity Service
    Incidents"…) as a heading: the mark of a status page, whatever its items."""
    return any(
        (line.heading or (not page.is_html and line.indent <= 1 and not line.bullet))
        and _rule_for(line.text, rules) is not None
        for line in page.lines
    )


def shows_none(page: Page, rules: list[SectionRule]) -> bool:
    """Whether the page shows its notice sections empty: one at least, and each holding
    nothing but what such a section says when it has no notices. Then no items means none
    on show. A section holding anything else (a list, a title, a reference, a time: items
    in a markup the layout does not read) is no such proof: the page is unread, not empty."""
    sections = _notice_sections(page, rules)
    return bool(sections) and all(items == others == 0 for _, items, others in sections)


def hides_notices(page: Page, rules: list[SectionRule]) -> bool:
    """Whether a notice section shows no item the layout reads but more than what such a
    section says when empty: its notices are there in a markup the layout does not read,
    so the page may not be taken to have shrunk."""
    return any(
        items == 0 and others and not rule.whole
        for rule, items, others in _notice_sections(page, rules)
    )


def _notice_sections(page: Page, rules: list[SectionRule]) -> list[tuple[SectionRule, int, int]]:
    """Each notice section the page shows, told apart as `parse_accordions` tells them
    (`_walk`): its rule, how many item titles it holds, and how many other lines that are
    no placeholder ("There are no known issues at present")."""
    found: dict[int, tuple[SectionRule, _Section, list[int]]] = {}  # by its heading's line
    for i, kind, section in _walk(page, rules):
        if section is None or section.rule is None:
            continue
        _, _, others = found.setdefault(section.start, (section.rule, section, [0]))
        if kind == "item":
            section.items += 1
        elif kind == "other" and not _placeholder(page.lines[i]):
            others[0] += 1
    return [(rule, sec.items, others[0]) for rule, sec, others in found.values()]


def _placeholder(line: Line) -> bool:
    """A line of an empty notice section: prose saying none are on show, with nothing of
    a notice in it."""
    return (
        not (line.bullet or line.heading or line.strong)
        and _PLACEHOLDER_RE.search(line.text) is not None
        and _WHEN_RE.search(line.text) is None
        and not find_references(line.text, "body")
    )


def _walk(page: Page, rules: list[SectionRule]) -> Iterator[tuple[int, str, _Section | None]]:
    """The page's lines as a status page's sections and items: (index, "section" | "item" |
    "other", the section it is in, or starts). Page furniture, chrome and blanks are left
    out. The one reading of which line starts what, for parsing and for judging a page
    empty alike."""
    lines = page.lines
    section: _Section | None = None
    for i, line in enumerate(lines):
        if line.blank or is_chrome(line.text) or _PAGE_FURNITURE_RE.match(line.text):
            continue
        rule = _rule_for(line.text, rules)
        if page.is_html:
            if rule is None and _html_item(line, section):
                yield i, "item", section
                continue
            if not line.heading:
                yield i, "other", section
                continue
            section = _Section(line.text, rule, line.heading, line.indent, i)
        elif _text_item(lines, i):
            yield i, "item", section
            continue
        elif _text_section(lines, i, rules):
            section = _Section(line.text, rule, 0, line.indent, i)
        else:
            yield i, "other", section
            continue
        yield i, "section", section


def parse_accordions(page: Page, ctx: Context, rules: list[SectionRule]) -> list[dict[str, Any]]:
    lines = page.lines
    section: _Section | None = None
    # (section, title index or None for a whole-section notice, body start, end index)
    items: list[tuple[_Section, int | None, int, int]] = []
    open_item: int | None = None

    def close(end: int) -> None:
        nonlocal open_item
        if section is not None and section.rule is not None:
            if open_item is not None:
                items.append((section, open_item, open_item + 1, end))
                section.items += 1
            elif section.items == 0 and section.rule.whole:
                items.append((section, None, section.start + 1, end))
        open_item = None

    for i, kind, current in _walk(page, rules):
        if kind == "item":
            if open_item is not None or not page.is_html:
                close(i)
            open_item = i
        elif kind == "section":
            close(i)
            section = current
    close(len(lines))

    records = []
    for n, (sec, title_i, body_start, end) in enumerate(items):
        assert sec.rule is not None
        body = body_lines(lines[body_start:end])
        if title_i is None and not body:
            continue
        records.append(
            build_notice(
                ctx,
                title=lines[title_i].text if title_i is not None else sec.name,
                stamp=None,
                body=body,
                section=sec.name,
                section_category=sec.rule.category,
                section_severity=sec.rule.severity,
                truncated=page.truncated and n == len(items) - 1,
            )
        )
    return records
