"""Outage and maintenance windows stated in prose, and stated durations.

"between 19:25 and 19:55", "between the hours of 01:00 and 08:00 on Saturday the 14th
October", "between 15:00 on Thursday the 23rd of June and 17:00 on Friday the 24th June
inclusive", "between 1:00 AM and 1:30 AM on the 19th October, 2021". A window needs both
ends: "From 7pm on 20th October 2022, accounts will..." is an effective time, not a window,
and a release date is not one either. Missing dates come from the notice's own date and
missing years from the weekday or the nearest year; both are flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from parsers.timestamps import (
    MONTH_PATTERN,
    MONTHS,
    ORDINAL,
    WEEKDAY_PATTERN,
    WEEKDAYS,
    Stamp,
    apply_ampm,
    localise,
    pick_year,
)

_CLOCK = r"\d{1,2}(?:[:.]\d{2}(?::\d{2})?\s*(?:[AP]M|[ap]m|[ap]\.m\.)?|\s*(?:[AP]M|[ap]m))(?![a-z])"
_CLOCK_RE = re.compile(
    r"(?P<H>\d{1,2})(?:[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*(?P<ampm>[AP]M|[ap]m|[ap]\.m\.)?"
)
_DATE = (
    rf"(?:{WEEKDAY_PATTERN}(?:the\s+)?\d{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH_PATTERN},?(?:\s+\d{{4}})?"
    rf"|{WEEKDAY_PATTERN}{MONTH_PATTERN}\s+\d{{1,2}}{ORDINAL},?(?:\s+\d{{4}})?"
    r"|\d{1,2}/\d{1,2}/\d{2,4})"
)
# Named groups may not repeat in one pattern, so the date pattern is matched again later.
_DATE_ANON = re.sub(r"\(\?P<\w+>", "(?:", _DATE)
WINDOW_RE = re.compile(
    rf"\b(?:between|from)\s+(?:the\s+hours\s+of\s+)?"
    rf"(?P<t1>{_CLOCK})(?:\s*(?:on|,)\s+(?P<d1>{_DATE_ANON}))?"
    rf"\s+(?:and|to|until|till|-|–)\s+"
    rf"(?P<t2>{_CLOCK})(?:\s*(?:on|,)\s+(?P<d2>{_DATE_ANON}))?"
    rf"(?:\s*(?:on|,)\s+(?P<d3>{_DATE_ANON}))?",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    rf"{WEEKDAY_PATTERN}(?:the\s+)?(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH_PATTERN},?(?:\s+(?P<y>\d{{4}}))?"
    rf"|(?P<wd2>[a-z]+day,?\s+)?(?P<mon2>[a-z]+)\.?\s+(?P<d2>\d{{1,2}}){ORDINAL},?(?:\s+(?P<y2>\d{{4}}))?"
    r"|(?P<nd>\d{1,2})/(?P<nm>\d{1,2})/(?P<ny>\d{2,4})",
    re.IGNORECASE,
)
DURATION_RE = re.compile(
    r"\b(?:lasted|lasting|an?\s+outage\s+of|a\s+period\s+of|duration\s+of)\s+"
    r"(?:for\s+)?(?:approximately|approx\.?|around|about|roughly|up\s+to|some)?\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>minutes?|mins?|hours?|hrs?)"
    r"(?:\s+and\s+(?P<n2>\d+)\s*(?:minutes?|mins?))?",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Window:
    raw: str
    start: Stamp
    end: Stamp
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _clock(text: str) -> tuple[int, int, int] | None:
    m = _CLOCK_RE.fullmatch(text.strip())
    if m is None:
        return None
    flags: list[str] = []
    h = apply_ampm(int(m.group("H")), (m.group("ampm") or "").replace(".", "") or None, flags)
    mi, s = int(m.group("M") or 0), int(m.group("S") or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s


def _date(text: str, base: date | None, flags: list[str]) -> date | None:
    m = _DATE_RE.fullmatch(text.strip().rstrip(","))
    if m is None:
        return None
    try:
        if m.group("nd"):
            y = int(m.group("ny"))
            return date(y + 2000 if y < 100 else y, int(m.group("nm")), int(m.group("nd")))
        if m.group("d"):
            day, mon, year, wd = m.group("d"), m.group("mon"), m.group("y"), m.group("wd")
        else:
            day, mon, year, wd = m.group("d2"), m.group("mon2"), m.group("y2"), m.group("wd2")
        month = MONTHS.get(mon.lower().rstrip("."))
        if month is None:
            return None
        weekday = WEEKDAYS.get(wd.strip(" ,").lower()) if wd else None
        if year:
            return date(int(year), month, int(day))
        if base is None:
            return None
        picked = pick_year(month, int(day), weekday, base)
        if picked is None:
            return None
        flags.append("year_inferred")
        return date(picked[0], month, int(day))
    except ValueError:
        return None


def find_window(text: str, base: date | None) -> Window | None:
    """The first prose window in ``text``; ``base`` is the notice's own date for inference."""
    for m in WINDOW_RE.finditer(text):
        flags: list[str] = []
        t1, t2 = _clock(m.group("t1")), _clock(m.group("t2"))
        if t1 is None or t2 is None:
            continue
        d1_text = m.group("d1") or m.group("d3")
        d2_text = m.group("d2") or m.group("d3") or m.group("d1")
        d1 = _date(d1_text, base, flags) if d1_text else None
        d2 = _date(d2_text, base, flags) if d2_text else None
        if (d1_text and d1 is None) or (d2_text and d2 is None):
            continue
        if d1 is None and d2 is None:
            if base is None:
                continue
            d1 = d2 = base
            flags.append("window_date_inferred")
        d1 = d1 or d2
        d2 = d2 or d1
        assert d1 is not None and d2 is not None
        start = datetime(d1.year, d1.month, d1.day, *t1)
        end = datetime(d2.year, d2.month, d2.day, *t2)
        if end < start and d1 == d2 and not (m.group("d1") and m.group("d2")):
            end += timedelta(days=1)
            flags.append("window_crosses_midnight")
        if end < start:
            continue
        raw = " ".join(m.group(0).split())
        s_stamp = localise(Stamp(raw=raw, local=start))
        e_stamp = localise(Stamp(raw=raw, local=end))
        for st in (s_stamp, e_stamp):
            flags.extend(f for f in st.flags if f not in flags)
        return Window(raw=raw, start=s_stamp, end=e_stamp, flags=flags)
    return None


def stated_duration_minutes(text: str) -> int | None:
    """ "lasted approximately 30 minutes" -> 30; "lasting 1 hour and 15 minutes" -> 75."""
    m = DURATION_RE.search(text)
    if m is None:
        return None
    n = float(m.group("n"))
    minutes = n * 60 if m.group("unit").lower().startswith(("h",)) else n
    if m.group("n2"):
        minutes += int(m.group("n2"))
    return round(minutes)
