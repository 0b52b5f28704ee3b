"""Statuspage's year-less stamps and spans, as its history pages and feeds write them.

Statuspage renders times as HTML fragments without a year (here with the tags dropped;
each number sits in a ``<var data-var='date'>`` or ``<var data-var='time'>``)::

    Jul 2, 16:23 UTC                       one time
    Mar 13, 06:55 - 16:02 UTC              a range within a day
    Dec 31, 23:10 - Jan 1, 01:20 UTC       a range across days (and here a year)

They are read from their text (tags dropped), so a change of markup does not matter.

Policy, stated once:
- The year comes from the context: a history month's heading ("March 2025") for a date in
  that month; otherwise the year that puts the date nearest the anchor (the heading's
  month), so "Dec 31" under January 2025 is 2024. An update list's anchor is the time of
  its newest status (a feed item's own date), which none of its updates can follow: each
  takes the latest year that does not put it after the anchor's next day (a day's grace
  for zones ahead of UTC), so Dec 30 in an item of Jan 2 is the previous year, and Feb 1
  in an item of Sep 1 the same year. Every year not stated by the text or its heading is
  flagged ``year_inferred``.
- A span's end takes the start's date when it has none, the next day when its time is
  earlier (``window_crosses_midnight``), and the next year when its date is earlier
  ("Dec 31 … - Jan 1"), flagged ``year_inferred``. An end whose own date puts it before
  the start is no end: a warning.
- The zone is the abbreviation written after the time. UTC/GMT/Z are UTC (``stated_utc``);
  the abbreviations Statuspage prints for its pages' zones map to their fixed offsets
  (``stated_abbreviation``); an abbreviation not in the table, or one that names several
  zones (IST, CST in Asia…), gives no instant and a warning: never a guessed offset.
  A numeric label ("-03", "+0530", "+05:30", as moment-timezone writes zones with no
  abbreviation) is that offset (``stated_offset``). With
  no abbreviation at all the time is taken as UTC and flagged ``tz_assumed_utc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsers.timestamps import MONTHS, Stamp, apply_ampm, pick_year

# Abbreviation -> UTC offset in hours. Only names that Statuspage prints for its pages'
# zones and that mean one offset in practice. US "CST" is included (Statuspage pages
# print US zones), the ambiguous "IST" is not.
TZ_ABBREVIATIONS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "UT": 0,
    "WET": 0,
    "BST": 1,
    "WEST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
    "AST": -4,
    "ADT": -3,
    "NST": -3.5,
    "NDT": -2.5,
    "JST": 9,
    "KST": 9,
    "HKT": 8,
    "SGT": 8,
    "AWST": 8,
    "ACST": 9.5,
    "ACDT": 10.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
}
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UT"})

_MON = r"(?P<{p}mon>[A-Za-z]{{3,9}})\.?"
_DATE = _MON + r"\s+(?P<{p}d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<{p}y>\d{{4}}))?"
_TIME = (
    r"(?P<{p}H>\d{{1,2}}):(?P<{p}M>\d{{2}})(?::(?P<{p}S>\d{{2}}))?"
    r"(?:\s*(?P<{p}ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
)
_START = (_DATE + r"\s*(?:,|-|–|at)?\s*" + _TIME).format(p="s")
_END = (r"(?:" + _DATE + r"\s*(?:,|-|–|at)?\s*)?" + _TIME).format(p="e")
_TZ = r"(?P<tz>[A-Za-z]{1,5}|[+-]\d{2}(?::?\d{2})?)"
SPAN_RE = re.compile(rf"^\s*{_START}(?:\s*[-–]\s*{_END})?(?:\s*\(?{_TZ}\)?)?\s*$")


@dataclass(slots=True)
class Span:
    """A stamp or a span as read: start and (optional) end, each a Stamp."""

    raw: str
    start: Stamp
    end: Stamp | None = None
    flags: list[str] = field(default_factory=list)


def _offset(label: str | None) -> tuple[timedelta | None, str, list[str], str | None]:
    """(offset, policy, flags, warning) for a written zone label."""
    if label is None:
        return timedelta(0), "assumed_utc", ["tz_assumed_utc"], None
    m = re.fullmatch(r"([+-])(\d{2})(?::?(\d{2}))?", label)
    if m:
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        delta = timedelta(minutes=minutes if m.group(1) == "+" else -minutes)
        return delta, "stated_offset", [], None
    key = label.upper()
    if key in _UTC_NAMES:
        return timedelta(0), "stated_utc", [], None
    if key in TZ_ABBREVIATIONS:
        return timedelta(hours=TZ_ABBREVIATIONS[key]), "stated_abbreviation", [], None
    return None, "unknown_abbreviation", [], f"unknown time zone abbreviation {label!r}"


def _month(name: str) -> int | None:
    return MONTHS.get(name.lower().rstrip("."))


def _clock(m: re.Match[str], p: str, flags: list[str]) -> tuple[int, int, int]:
    h, mi, s = int(m.group(f"{p}H")), int(m.group(f"{p}M")), int(m.group(f"{p}S") or 0)
    h = apply_ampm(h, m.group(f"{p}ampm"), flags)
    if h > 23 or mi > 59 or s > 59:
        raise ValueError(f"time out of range: {m.group(0)!r}")
    return h, mi, s


def _stamp(raw: str, local: datetime, label: str | None, flags: list[str]) -> Stamp:
    offset, policy, tz_flags, warning = _offset(label)
    stamp = Stamp(raw=raw, local=local, tz_label=label, tz_policy=policy, flags=flags)
    stamp.flags.extend(tz_flags)
    if label is not None and label[0] not in "+-":
        stamp.tz_label = label.upper()
    if offset is None:
        stamp.warning = warning
        return stamp
    stamp.at = (local - offset).replace(tzinfo=UTC)
    return stamp


def _year_up_to(month: int, day: int, anchor: date) -> int | None:
    """The latest year that puts the date no later than the day after ``anchor``."""
    limit = anchor + timedelta(days=1)
    for year in range(limit.year, limit.year - 8, -1):  # Feb 29 may be years back
        try:
            if date(year, month, day) <= limit:
                return year
        except ValueError:
            continue
    return None


def read_span(
    text: str,
    *,
    anchor: date,
    heading: tuple[int, int] | None = None,
    up_to_anchor: bool = False,
) -> Span | None:
    """A year-less stamp or span (tags already dropped), dated near ``anchor``, or (with
    ``up_to_anchor``, for an update list) no later than it.

    ``heading`` is the (year, month) of the history month the text sits under: a date in
    that month takes its year without a flag. None when the text is not such a stamp; a
    Span whose start carries a warning when its parts are out of range."""
    raw = " ".join(text.split())
    m = SPAN_RE.match(raw)
    if m is None:
        return None
    mon = _month(m.group("smon"))
    if mon is None:
        return None
    label = m.group("tz")
    flags: list[str] = []
    try:
        day = int(m.group("sd"))
        if m.group("sy"):
            year = int(m.group("sy"))
        elif heading is not None and heading[1] == mon:
            year = heading[0]
        else:
            if up_to_anchor:
                picked = _year_up_to(mon, day, anchor)
            else:
                nearest = pick_year(mon, day, None, anchor)
                picked = nearest[0] if nearest else None
            if picked is None:
                raise ValueError(f"no such date: {m.group('smon')} {day}")
            year = picked
            flags.append("year_inferred")
        start_local = datetime(year, mon, day, *_clock(m, "s", flags))
    except ValueError as exc:
        return Span(raw, Stamp(raw=raw, warning=f"unreadable time {raw!r}: {exc}"))
    start = _stamp(raw, start_local, label, flags)
    span = Span(raw, start)
    if m.group("eH") is None:
        return span
    end_flags: list[str] = []
    try:
        if m.group("emon"):
            emon = _month(m.group("emon"))
            if emon is None:
                raise ValueError(f"no such month: {m.group('emon')!r}")
            eday = int(m.group("ed"))
            eyear = int(m.group("ey")) if m.group("ey") else start_local.year
            if not m.group("ey") and (emon, eday) < (start_local.month, start_local.day):
                eyear += 1
                end_flags.append("year_inferred")
            end_date = date(eyear, emon, eday)
        else:
            end_date = start_local.date()
        end_local = datetime.combine(end_date, time(*_clock(m, "e", end_flags)))
        if not m.group("emon") and end_local < start_local:
            end_local += timedelta(days=1)
            span.flags.append("window_crosses_midnight")
        elif end_local < start_local:  # its own date says so: no crossing to assume
            raise ValueError("it ends before it starts")
    except ValueError as exc:
        span.end = Stamp(raw=raw, warning=f"unreadable end time {raw!r}: {exc}")
        return span
    span.end = _stamp(raw, end_local, label, end_flags)
    return span


_FULL_RE = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[ T](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<tz>UTC|GMT|Z))?\s*$"
)


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone a payload declares ('Etc/UTC', 'America/New_York'), or None."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def read_full(text: str, zone: ZoneInfo | None) -> Stamp | None:
    """A full 'YYYY-MM-DD HH:MM:SS' stamp (Statuspage's imported pre-2019 update lists)
    in the page's declared zone; UTC, flagged ``tz_assumed_utc``, when it declares none.
    The hour a clock change repeats or skips gets no instant (flagged), as elsewhere."""
    raw = " ".join(text.split())
    m = _FULL_RE.match(raw)
    if m is None:
        return None
    try:
        local = datetime(
            int(m.group("y")),
            int(m.group("m")),
            int(m.group("d")),
            int(m.group("H")),
            int(m.group("M")),
            int(m.group("S") or 0),
        )
    except ValueError as exc:
        return Stamp(raw=raw, warning=f"unreadable time {raw!r}: {exc}")
    if m.group("tz") or zone is None:
        stamp = _stamp(raw, local, "UTC" if m.group("tz") else None, [])
        return stamp
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    stamp = Stamp(raw=raw, local=local, tz_label=None, tz_policy="page_time_zone")
    if first.utcoffset() == second.utcoffset():
        stamp.at = first.astimezone(UTC)
        if first.utcoffset() == timedelta(0):
            stamp.tz_label = "UTC"
        return stamp
    in_gap = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local
    stamp.flags.append("time_in_dst_gap" if in_gap else "ambiguous_dst_fold")
    stamp.tz_policy = "unresolved_gap" if in_gap else "unresolved_fold"
    return stamp
