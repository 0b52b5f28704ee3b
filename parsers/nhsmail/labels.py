"""Labelled lines inside a notice: the timeline (``Final Update: 26/07/2023 08:28:00 AM …``)
and the details (``Issue Status: RESOLVED``, ``Description: …``, ``Root cause: …``).

Spelling varies (``Final Update :``), text may run straight on after the time
(``08:28:00 AMMicrosoft have…``), and ``Next update by:`` lines are Microsoft's prose or
US-style dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from string import ascii_letters
from typing import Any, NamedTuple

from parsers.timestamps import (
    NUMERIC_RE,
    PROSE_DMY_RE,
    PROSE_MDY_RE,
    TIME_RE,
    Stamp,
    localise,
    parse_stamp,
    shorten,
    stamp_from_numeric,
    stamp_from_prose,
)

# Canonical label -> detail key (None: a timeline label).
TIMELINE_LABELS = {
    "issue reported": "Issue Reported",
    "reported": "Issue Reported",
    "current update": "Current Update",
    "latest update": "Latest Update",
    "previous update": "Previous Update",
    "update": "Update",
    "final update": "Final Update",
    "resolution update": "Final Update",
    "next update by": "Next update by",
    "next update": "Next update by",
    "next update due": "Next update by",
    "next update due by": "Next update by",
    # when the service came back ("Issue Resolved: 27/07/2022 11:47:00 AM"); "Resolved:"
    # only with a date after it, else it is the body's state prefix ("RESOLVED: The …")
    "issue resolved": "Issue Resolved",
    "resolved": "Issue Resolved",
    "resolved at": "Issue Resolved",
}
DETAIL_LABELS = {
    "issue status": "issue_status",
    "incident status": "issue_status",
    "status": "issue_status",
    "issue description": "description",
    "issue details": "description",
    "description": "description",
    "more info": "more_info",
    "more information": "more_info",
    "business impact": "business_impact",
    "impact": "business_impact",
    "user impact": "user_impact",
    "scope of impact": "scope_of_impact",
    "root cause": "root_cause",
    "next steps": "next_steps",
    "workaround": "workaround",
    "affected services": "affected_services",
    "nhsmail reference": "nhsmail_reference",
    "nhsmail ref": "nhsmail_reference",
    "nhsmail reference number": "nhsmail_reference",
    "nhsmail incident reference": "nhsmail_reference",
    "incident reference": "nhsmail_reference",
    "microsoft reference": "microsoft_reference",
    "microsoft ref": "microsoft_reference",
    "service bridge reference": "service_bridge_reference",
    "nhs service bridge reference": "service_bridge_reference",
    "reference": "reference",
    "reference number": "reference",
    "ref": "reference",
    "severity": "severity",
    # Microsoft's service-health notices: the impact's bracket, read as the notice's window
    "start time": "start_time",
    "end time": "end_time",
}
# "Label: value", "Label : value", "Label:- value" (the separators are not the value).
_COLON_LABEL_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*:[\s–—:\-]*(?P<rest>.*)$")
# Timeline labels also come without a colon or with a dash before their date:
# "Update 12/03/2019 01:15:00 AM - …", "Final Update – 09/09/2022 12:00:00 PM – …".
_BARE_LABEL_RE = re.compile(
    r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*(?:[–—\-]\s*|\s)(?P<rest>\d.*)$"
)
# Numbered updates ("Update 1 – 09/09/2022 10:00:00 AM – …", "Update #2: …") and a time in
# brackets ("Update (09/09/2022 11:00:00 AM): …"): the number is not kept (the entries are
# in page order), the bracketed time is the entry's.
_NUMBERED_LABEL_RE = re.compile(
    r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s+(?:no\.?\s*|#\s*)?\d{1,2}(?![:.]\d\d)"  # not 14:30
    r"(?:\s*(?P<colon>:)[\s–—:\-]*|\s*[–—\-]\s*|\s+)(?P<rest>.*)$"
)
_BRACKETED_LABEL_RE = re.compile(
    r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*\((?P<when>\d[^()]{5,40})\)[\s–—:\-]*(?P<rest>.*)$"
)
# "10:40 14/04/2022", "10:40 on 14/04/2022": the date after an update's time
_DATE_AFTER_TIME_RE = re.compile(
    r"\s+(?:on\s+)?(?P<date>\d{1,2}([/\-.])\d{1,2}\2(?:\d{4}|\d{2}))(?!\d)"
)
_RELATIVE_DAY_RE = re.compile(
    r"\b(?:today|tomorrow|tonight|this (?:morning|afternoon|evening)|end of (?:the )?day)\b",
    re.IGNORECASE,
)
_BARE_HOUR_RE = re.compile(
    r"\s*(?:[–—\-]\s*|at\s+)?(?P<h>1[0-2]|0?[1-9])\s*(?P<ampm>[AaPp])\.?[Mm]\.?(?![A-Za-z])"
)
_TIME_DASH_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?\s*[–—\-]\s")
_TIMELINE_FIRST_WORDS = frozenset(k.split()[0] for k in TIMELINE_LABELS)
_LEAD_SEP_RE = re.compile(r"^[\s–—:\-]+")
_DASH_RE = re.compile(r"\s*[–—\-]\s*")
# Labels run together on one line (a listing excerpt): each known label, written as the
# pages write them (capital first letter), after a space.
_ALL_LABELS = sorted({*TIMELINE_LABELS, *DETAIL_LABELS}, key=len, reverse=True)
_INLINE_LABEL_RE = re.compile(
    r"(?<=\s)(?:" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in _ALL_LABELS) + r")\s*:$",
    re.IGNORECASE,
)
# Where an inlined label can end (not 10:44); `word_colons` finds its matches.
_WORD_COLON_RE = re.compile(r"[A-Za-z]\s*:")
_ASCII_LETTERS = frozenset(ascii_letters)
# Closing lines that end any labelled detail, even in a copy with no blank lines.
_CLOSING_RE = re.compile(
    r"^(?:thank you|thanks|we apologi[sz]e|apologies|we(?: are|'re|’re) sorry|sorry for|"
    r"any (?:further|other|more) \w+ (?:can|should|may) be (?:raised|reported)|"
    r"if you (?:need|require|have|experience)|"
    r"(?:the )?nhsmail (?:team|support|service desk|helpdesk)$|posted in |filed under |"
    r"to report|should you|please (?:contact|call|report)|"
    r"for (?:further|more|additional) (?:help|information|support))\b",
    re.IGNORECASE,
)


def is_closing(text: str) -> bool:
    """A closing courtesy ("Thank you for your patience."), which ends any detail."""
    return _CLOSING_RE.match(text) is not None


class Label(NamedTuple):  # not a frozen dataclass: those cost three times as much to make
    name: str  # canonical: "Final Update", or the detail key "issue_status"
    timeline: bool
    rest: str  # the text after the label and its separators
    rest_at: int  # where that text starts in the line


@dataclass(slots=True)
class Labelled:
    updates: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    labelled_lines: set[int] = field(default_factory=set)  # indexes of lines that were labels


def _key(label: str) -> str:
    return " ".join(label.lower().split())


def label_of(text: str) -> Label | None:
    """The known label a line starts with, if any."""
    head = text[:40]  # labels are short: most lines are rejected without a regex
    m = _COLON_LABEL_RE.match(text) if ":" in head else None
    if m is not None:
        key = _key(m.group("label"))
        if key in TIMELINE_LABELS:
            rest = m.group("rest").strip()
            if key == "resolved" and not NUMERIC_RE.match(rest):
                return None  # "RESOLVED: The issue…" states; it has no time
            return Label(TIMELINE_LABELS[key], True, rest, m.start("rest"))
        if key in DETAIL_LABELS:
            return Label(DETAIL_LABELS[key], False, m.group("rest").strip(), m.start("rest"))
    if head.split(" ", 1)[0].lower() not in _TIMELINE_FIRST_WORDS:
        return None
    m = _BARE_LABEL_RE.match(text)
    if m is not None and _key(m.group("label")) in TIMELINE_LABELS:
        rest = m.group("rest").strip()
        # without a colon, only a date makes it a label, or a time and a dash after an
        # update's label ("Update 14:30 – …": its day unknown, which the reader warns of)
        if NUMERIC_RE.match(rest) or (
            m.group("label").lower().endswith("update") and _TIME_DASH_RE.match(rest)
        ):
            return Label(TIMELINE_LABELS[_key(m.group("label"))], True, rest, m.start("rest"))
    return _numbered_or_bracketed(text)


def _numbered_or_bracketed(text: str) -> Label | None:
    """ "Update 1 – <date> – …", "Update 2: …" and "Update (<date>): …" as timeline labels."""
    m = _NUMBERED_LABEL_RE.match(text)
    if m is not None:
        key = _key(m.group("label"))
        rest = m.group("rest").strip()
        # a numbered update, with a colon or its date after it ("Update 10 users…" is prose)
        if (
            key in TIMELINE_LABELS
            and key.endswith("update")
            and (m.group("colon") or NUMERIC_RE.match(rest))
        ):
            return Label(TIMELINE_LABELS[key], True, rest, m.start("rest"))
        return None
    m = _BRACKETED_LABEL_RE.match(text)
    if m is not None and _key(m.group("label")) in TIMELINE_LABELS:
        when = m.group("when").strip()
        stamp = NUMERIC_RE.match(when)
        if stamp is not None and stamp.end() == len(when):  # the brackets hold a date, only
            rest = m.group("rest").strip()
            # the time first, as the other shapes give it ("<date> – <text>")
            return Label(
                TIMELINE_LABELS[_key(m.group("label"))],
                True,
                f"{when} – {rest}" if rest else when,
                m.start("when"),
            )
    return None


def bare_timeline_label(text: str) -> str | None:
    """A known timeline label alone on its line, without a colon ("Current Update"): its
    canonical name. It is a label only with its time on the next line; an arbitrary line
    above a date line is a title."""
    if len(text) > 30 or not text:
        return None
    return TIMELINE_LABELS.get(_key(text.rstrip(" –—-")))


def word_colons(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """The spans ``_WORD_COLON_RE.finditer(text, pos)`` gives, found from the colons: the
    pattern's search tries it at every letter, and a labelled line's rest is mostly letters."""
    colon = text.find(":", pos)
    while colon >= 0:
        start = colon
        while start > pos and text[start - 1].isspace():  # str.isspace is the engine's \s
            start -= 1
        if start > pos and text[start - 1] in _ASCII_LETTERS:
            yield start - 1, colon + 1
        colon = text.find(":", colon + 1)


def split_inline(text: str) -> list[tuple[str, Label | None]]:
    """A labelled line holding several labels ("NHSmail Reference: INC28011223 Microsoft
    Reference: EX345678 Issue Status: RESOLVED") as one line per label, with its label."""
    head = label_of(text) if text else None  # a blank line (every other one): no label
    if head is None:
        return [(text, None)]
    cuts = []
    for start, end in word_colons(text, head.rest_at):
        # the label ending at this colon, looked for in the few words before it
        m = _INLINE_LABEL_RE.search(text, max(head.rest_at, start - 32), end)
        if m is not None and text[m.start()].isupper():
            cuts.append(m.start())
    if not cuts:
        return [(text, head)]
    bounds = [0, *cuts, len(text)]
    parts = [text[a:b].strip() for a, b in pairwise(bounds)]
    return [(part, label_of(part)) for part in parts if part]


def _stamp_at_start(label: str, rest: str, base: datetime | None) -> tuple[Stamp | None, str]:
    """The timestamp an update's text starts with, and the text after it."""
    month_first_ok = label == "Next update by"
    m = NUMERIC_RE.match(rest)
    if m is not None:
        end = m.end()
        if m.group("H") is None:  # "26/11/2021 – 11:15 – …": date, dash, time
            dash = _DASH_RE.match(rest, end)
            tm = TIME_RE.match(rest, dash.end()) if dash is not None else None
            joined = NUMERIC_RE.fullmatch(f"{m.group(0)} {tm.group(0)}") if tm else None
            if tm is not None and joined is not None:
                m, end = joined, tm.end()
            elif (hour := _BARE_HOUR_RE.match(rest, end)) is not None:
                # "26/02/2026 3pm – …": an hour with no minutes
                clock = f"{hour.group('h')}:00 {hour.group('ampm').upper()}M"
                joined = NUMERIC_RE.fullmatch(f"{m.group(0)} {clock}")
                if joined is not None:
                    m, end = joined, hour.end()
        stamp = stamp_from_numeric(m, month_first_ok=month_first_ok)
        stamp.raw = rest[:end].strip()
        return stamp, rest[end:]
    prose = PROSE_DMY_RE.match(rest) or PROSE_MDY_RE.match(rest)
    if prose is not None:  # "26th November 2021 at 13:30 – resolved."
        stamp = stamp_from_prose(prose, rest, base=base.date() if base is not None else None)
        return stamp, rest[len(stamp.raw) :]
    if (
        label == "Next update by"
        and _RELATIVE_DAY_RE.search(rest[:60])
        and not _DATE_AFTER_TIME_RE.search(rest[:60])  # "17:00 15/04/2022 (end of day)"
    ):
        # "17:00 today": today of the line, which a page does not date; not guessed
        raw = shorten(rest)
        return Stamp(raw=raw, warning=f"a day relative to an undated line {raw!r}"), ""
    if label == "Next update by" or len(rest) <= 60:
        candidate = parse_stamp(rest, base=base, month_first_ok=True)
        if candidate.local is not None:
            return candidate, ""
    tm = TIME_RE.match(rest) if rest[:1].isdigit() else None
    if tm is not None and (dm := _DATE_AFTER_TIME_RE.match(rest, tm.end())) is not None:
        # "10:40 14/04/2022 – …": the time before its date
        joined = NUMERIC_RE.fullmatch(f"{dm.group('date')} {tm.group(0).strip()}")
        if joined is not None and joined.group("H") is not None:
            stamp = stamp_from_numeric(joined, month_first_ok=month_first_ok)
            stamp.raw = rest[: dm.end()].strip()
            return stamp, rest[dm.end() :]
    if tm is not None and (":" in tm.group(0) or tm.group("ampm")) and _time_ends(rest, tm.end()):
        # A time of day with no date ("Latest Update: 15:00 – …"): the notice's date is
        # not assumed, as an update may come a day or more after the post. Kept as shown.
        raw = tm.group(0).strip()
        warning = f"time without a date {raw!r}: not dated from the notice"
        return Stamp(raw=raw, warning=warning), rest[tm.end() :]
    return None, rest


def _time_ends(text: str, end: int) -> bool:
    """Does a time end at ``end`` (the line's end, a separator, or a word after a space),
    rather than a number going on ("2.30 million", "10:30/11:00")?"""
    after = text[end : end + 1]
    return not after or (after in " –—-:,;." and not text[end + 1 : end + 2].isdigit())


def _next_update_order(stamp: Stamp, base: datetime | None) -> Stamp:
    """A "Next update by" date read day first that falls before the notice was written,
    where month first it falls after: Microsoft's US order ("05/04/2026 8:00 PM" on a
    notice of 16 April). Read month first and flagged; otherwise as it was."""
    local = stamp.local
    if local is None or base is None or local >= base or not NUMERIC_RE.match(stamp.raw):
        return stamp
    if local.day > 12 or local.day == local.month:
        return stamp  # no other reading
    swapped = local.replace(month=local.day, day=local.month)
    if not base <= swapped <= base + timedelta(days=14):
        return stamp  # neither reading is a next update: the caller warns
    flags = [f for f in stamp.flags if f not in ("time_in_dst_gap", "ambiguous_dst_fold")]
    again = Stamp(raw=stamp.raw, local=swapped, tz_label=stamp.tz_label, flags=flags)
    again = localise(again)
    again.flags.append("month_first_date")
    return again


def _update(
    label: str, rest: str, base: datetime | None, own: bool = True
) -> tuple[dict[str, Any], str | None]:
    """One timeline entry. ``own``: ``base`` is when the notice itself was written (not a
    page's "Last updated", which may come after its next update was due)."""
    stamp, text = _stamp_at_start(label, rest, base)
    early = None
    if stamp is not None and label == "Next update by" and stamp.has_time and own:
        stamp = _next_update_order(stamp, base)
        if stamp.local is not None and base is not None and stamp.local < base:
            early = f"{label}: {stamp.raw!r} is before the notice was written"
    entry = {
        "label": label,
        "at_raw": stamp.raw if stamp else None,
        "at_local": stamp.local_iso if stamp else None,
        "at": stamp.at_iso if stamp else None,
        "text": _LEAD_SEP_RE.sub("", text).strip(),
        "status_raw": None,
        "status": None,
        "flags": list(stamp.flags) if stamp else [],
    }
    warning = early
    if stamp is not None and stamp.warning:
        warning = f"{label}: {stamp.warning}"
    elif stamp is None and label == "Next update by" and rest:
        warning = f"{label}: unreadable timestamp {shorten(rest)!r}"
    return entry, warning


class _Part(NamedTuple):  # a tuple: one is made for every body line
    line: int  # index in the body's lines
    text: str
    label: Label | None


def _plain(parts: list[_Part], j: int) -> int | None:
    """``j`` when that line is text that is neither a label nor a closing line."""
    ok = j < len(parts) and parts[j].text and parts[j].label is None
    return j if ok and not _CLOSING_RE.match(parts[j].text) else None


def _value_below(parts: list[_Part], k: int) -> int | None:
    """Where a label with nothing after it has its value: the next text line, if it is not
    itself a label (``<strong>Final Update:</strong><br>26/02/2026 17:30 PM – …``)."""
    j = k + 1
    while j < len(parts) and not parts[j].text:
        j += 1
    return _plain(parts, j)


def _bare_label(parts: list[_Part], k: int) -> Label | None:
    """Line ``k`` as a timeline label without a colon, when the next text line is its time
    ("Current Update" / "14/04/2022 11:00:00 AM" / "The portal is now accessible again.")."""
    name = bare_timeline_label(parts[k].text)
    if name is None:
        return None
    below = _value_below(parts, k)
    if below is None or NUMERIC_RE.match(parts[below].text) is None:
        return None
    return Label(name, True, "", len(parts[k].text))


def read_labelled(lines: list[str], base: datetime | None, *, own: bool = True) -> Labelled:
    """Timeline entries and details from the notice body's lines, in order. ``base``: when
    the notice was written (``own``), or else the page that shows it was updated.

    A detail or an update's text runs on over the following lines of its block: a blank
    line (HTML gives one between paragraphs, as a person's copy does), the next label or a
    closing line ("Thank you for your patience…") ends it, so the HTML and the text copy of
    a page agree.
    """
    out = Labelled()
    # inlined labels split into lines of their own, each read once
    # tuple.__new__: _Part's own __new__ is a Python function, called for every body line
    parts = [
        tuple.__new__(_Part, (i, *part))
        for i, line in enumerate(lines)
        for part in split_inline(line)
    ]
    current_detail: str | None = None
    current_update: dict[str, Any] | None = None  # an update's text runs on like a detail
    # ... where blank lines set paragraphs apart: a flat copy (none at all) cannot tell an
    # update's second line from the next paragraph, and the update keeps its own line only
    paragraphs = any(not line for line in lines[1:-1])
    consumed: set[int] = set()
    for k, part in enumerate(parts):
        if k in consumed:
            continue
        label = part.label
        if label is None and part.text:
            label = _bare_label(parts, k)
        if label is None:
            if not part.text or _CLOSING_RE.match(part.text):
                current_detail = current_update = None
            elif current_detail is not None:
                out.details[current_detail] += "\n" + part.text  # a detail over several lines
            elif current_update is not None and paragraphs:
                text = current_update["text"]
                current_update["text"] = f"{text}\n{part.text}" if text else part.text
            continue
        taken = [k]
        rest = label.rest
        below = _value_below(parts, k) if not rest else None
        if below is not None:
            taken.append(below)
            rest = parts[below].text
        if label.timeline:
            entry, warning = _update(label.name, rest, base, own)
            after = _plain(parts, below + 1) if below is not None else None
            if after is not None and entry["at_raw"] and not entry["text"]:
                entry["text"] = parts[after].text  # label, time, text: one line each
                taken.append(after)
            out.updates.append(entry)
            if warning:
                out.warnings.append(warning)
            current_detail, current_update = None, entry
        else:
            name = label.name
            out.details[name] = f"{out.details[name]}\n{rest}" if name in out.details else rest
            current_detail, current_update = name, None
        consumed.update(taken)
        out.labelled_lines.update(parts[j].line for j in taken)
    return out
