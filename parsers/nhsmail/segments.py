"""Line-level tests the NHSmail layouts share: date lines, title-like lines, page furniture."""

from __future__ import annotations

import re

from parsers.lines import Line, is_chrome
from parsers.nhsmail.labels import bare_timeline_label, label_of
from parsers.nhsmail.titles import read_title, split_parts
from parsers.references import INC_RE
from parsers.timestamps import Stamp, parse_stamp, stamp_line

_FIRST_LETTERS = frozenset("PpDdMmTtWwFfSs")  # Posted, Date, weekdays
_DATE_PREFIX_RE = re.compile(r"^(?:posted\s+on|published(?:\s+on)?|date)\s*:?\s*", re.I)
_LAST_UPDATED_RE = re.compile(r"^last\s+updated\s*:?\s*(?P<when>.+)$", re.I)
_RUNS_ON_RE = re.compile(r"\s[–—-]\s|[.!?]\s")  # text running on after a stamp
# A WordPress page's or post's own "Last updated: 28/07/2022 09:00" (or "Updated: …"): when
# it was edited, never when it was published. A colon, or a date straight after ("Last
# updated on 28/07/2022"). Prose ("Last updated the guidance…") is not.
_OWN_UPDATED_RE = re.compile(
    r"^(?:last\s+)?updated(?:\s*:\s*|\s+(?:on\s+)?(?=\d))(?P<when>\S.*)$", re.I
)
# Bylines and post meta a theme shows between a title and its date, as a person copies them.
_META_RE = re.compile(
    r"^(?:By|Posted (?:in|on|by|under)|Written by|Filed under|Categori[sz]ed as|Categories:|"
    r"Category:|Tags:|Tagged(?: with)?|(?:Last )?Updated:?(?=\s+\d))\s+[^.!?]{1,60}$"
    r"|^(?:\d+ Comments?|No Comments|Leave a (?:comment|reply)|Published|Posted(?: on)?)$",
    re.IGNORECASE,
)
# WordPress cuts listing excerpts with " […]" (or the theme's "…"), which a theme may follow
# with its more link in the same paragraph ("… Continue reading", "[…] Read more »").
_EXCERPT_END_RE = re.compile(
    r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…)(?:\s*(?:continue reading|read more)[\s»›→>….]*)?$", re.I
)
_MORE_LINK_ENDS = ("reading", "more", "»", "›", "→", ">")


def date_line(line: Line) -> Stamp | None:
    """A notice's own date line: a whole line that is a date with a time of day."""
    text = line.text  # collapsed: no leading space
    # asked of every line of a page: a date, a weekday, or "Posted on …"/"Date:" starts it
    if not text or len(text) > 60 or not (text[0].isdigit() or text[0] in _FIRST_LETTERS):
        return None
    stamp = stamp_line(text)
    if stamp is None and text[0] in "PpDd" and _DATE_PREFIX_RE.match(text):
        stamp = stamp_line(_DATE_PREFIX_RE.sub("", text))
    return stamp


def last_updated(lines: list[Line]) -> Stamp | None:
    """The page-level 'Last updated: 09/03/2017 17:30', if the page has one."""
    for line in lines:
        m = _LAST_UPDATED_RE.match(line.text)
        if m:
            return parse_stamp(m.group("when"))
    return None


def own_last_updated(
    lines: list[Line], end: int, *, bare: bool = False
) -> tuple[int, Stamp] | None:
    """The first "Last updated: …" line above line ``end`` and what it says (its raw text
    kept when it cannot be read): page metadata, not notice text. ``bare``: "Updated: …"
    too (a post's; on a listing, it is a listed post's own)."""
    first = ("L", "l", "U", "u") if bare else ("L", "l")
    for i in range(min(end, len(lines))):
        text = lines[i].text
        if text[:1] in first and (m := _OWN_UPDATED_RE.match(text)) is not None:
            when = m.group("when").strip()
            # only a line that is just the stamp: "Last updated: 27/07/2022 11:47 – A change
            # has been made…" is the notice's own text, and stays in its body
            stamp = stamp_line(when)
            if stamp is not None:
                return i, stamp
            if len(when) <= 32 and not _RUNS_ON_RE.search(when):
                stamp = parse_stamp(when)
                if stamp.local is not None:
                    return i, stamp
    return None


def is_label_line(text: str) -> bool:
    return label_of(text) is not None


def under_bare_label(lines: list[Line], i: int) -> bool:
    """Is line ``i`` the value of a label above it with nothing after its colon
    ("Final Update:" then "26/02/2026 17:30 PM – …"), or of a known timeline label with no
    colon ("Current Update" then "14/04/2022 11:00:00 AM")? Such a date line is not a
    notice's."""
    j = i - 1
    while j >= 0 and lines[j].blank:
        j -= 1
    if j < 0:
        return False
    label = label_of(lines[j].text)
    if label is not None:
        return not label.rest
    return bare_timeline_label(lines[j].text) is not None


def title_like(text: str) -> bool:
    """Could this plain line be a notice title (short, no sentence end, not a label)?"""
    if not text or len(text) > 200 or is_chrome(text) or is_label_line(text):
        return False
    first = text.split(maxsplit=1)[0]
    if text[-1] in ".,;:!?/" or first.islower():  # "iOS Mail App – …" is a title
        return False
    return "@" not in text and "http" not in text.lower()


# A category or author a theme sets after the date with a separator: "| Service Status",
# "/ Microsoft 365".
_META_AFTER_DATE_RE = re.compile(r"^[|/][^.!?:]{1,80}$")


# "by NHSmail Service Desk", "by admin": a name (capitalised words) or a user name. Not
# "By 17:00 all mail will flow", nor "By default Skype saves history".
_BYLINE_RE = re.compile(r"^(?i:by)\s+(?:(?:[A-Z][\w.'-]*\s*){1,5}|[a-z][\w.-]{0,19})$")


def _post_meta(text: str) -> bool:
    text = text.lstrip("• ")
    if text[:3].lower() == "by ":
        return _BYLINE_RE.match(text) is not None and not any(c.isdigit() for c in text)
    return meta_line(text) or _META_AFTER_DATE_RE.match(text) is not None


def meta_line(text: str) -> bool:
    """A byline or post meta line ("By NHSmail Service Desk", "Posted in Service Status")."""
    return len(text) <= 80 and bool(_META_RE.match(text))


def strong_title(text: str) -> bool:
    """Does a line look like an NHSmail title even without space around it: dash-separated
    parts, an INC, a state suffix or a category prefix?"""
    if len(split_parts(text)) > 1 or INC_RE.search(text):
        return True
    info = read_title(text)
    return info.state_raw is not None or info.category is not None


def in_bullet_list(lines: list[Line], j: int) -> bool:
    """Is the bullet at ``j`` one item of a list (a bullet of the same depth right above or
    below it, or a line introducing it with a colon)? Then it is body text, not a title."""
    line = lines[j]
    before = lines[j - 1] if j > 0 else None
    after = lines[j + 1] if j + 1 < len(lines) else None
    introduced = before is not None and not before.blank and before.text.endswith(":")
    same_list = [n for n in (before, after) if n is not None and n.bullet]
    return introduced or any(n.indent == line.indent for n in same_list)


def body_text(line: Line) -> str:
    """A body line as a person reads it: list items keep their bullet."""
    return f"• {line.text}" if line.bullet and line.text else line.text


def strip_excerpt(body: list[str]) -> tuple[list[str], bool]:
    """A listing's cut-short excerpt without its "[…]" marker, and whether it had one."""
    last = max((i for i, text in enumerate(body) if text), default=None)
    if last is None:
        return body, False
    # The pattern ends with "]" or "…" (its $ also matches before a final newline) or a more
    # link; the search would try it at every position of the line, so only its end is searched.
    text = body[last]
    tail = text[-60:].rstrip().lower()
    if not tail.endswith(("]", "…")) and not (
        tail.endswith(_MORE_LINK_ENDS) and ("…" in tail or "]" in tail)
    ):
        return body, False
    m = _EXCERPT_END_RE.search(text, max(0, len(text) - 60))
    if m is None:
        return body, False
    return [*body[:last], text[: m.start()].rstrip(), *body[last + 1 :]], True


def body_lines(lines: list[Line], *, post_meta: bool = False) -> list[str]:
    """Lines of a notice body, page furniture removed, outer blank lines trimmed.
    ``post_meta``: a WordPress post's, whose theme may print meta under the date ("by
    NHSmail Service Desk", "| Service Status | 0 comments"): the notice's text starts after
    it."""
    out = [body_text(line) for line in lines if not is_chrome(line.text)]
    while out and (not out[0] or (post_meta and _post_meta(out[0]))):
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return out
