"""Timestamps as status pages write them: day-first, wall time, labels that may lie.

Policy, stated once:
- Numeric dates are day-first (``14/04/2022``). A date only valid month-first is read that
  way only where the caller allows it (Microsoft's "Next update by" lines) and is flagged.
- Wall times are Europe/London. A ``(BST)``/``(GMT)`` label is evidence, not truth: it is
  recorded, and when it contradicts the season of the wall time the wall time wins
  (``tz_label_contradicts_season``). A label does decide the otherwise unknowable cases:
  the autumn fold (01:00-02:00 happens twice) and the spring gap (01:00-02:00 never happens).
  Without a label those get ``at = None`` and a flag: never a guessed hour.
- ``UTC`` stated in the text is taken literally.
- A 24-hour hour with PM (``18:45:00 PM``) keeps its hour and is flagged.

The known numeric shapes go through one compiled regex (the fast path, well over 100k/s);
free prose goes through small English regexes and then dateparser, configured once here,
with the base time always passed in, never read from the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Upper-case AM/PM is a meridiem even when text runs straight on ("08:40:00 PMthe portal",
# "08:28:00 AMMicrosoft"); lower-case am/pm only when a word does not go on ("10 amber").
_AMPM = r"(?P<ampm>(?-i:[AP]M)|[AaPp]\.[Mm]\.|[ap]m(?![a-z]))"
_TIME = rf"(?P<H>\d{{1,2}})[:.](?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?(?:\s*{_AMPM})?"
# "(BST)", "(bst)", "GMT", "(GMT+1)", "BST (UTC+1)": a label, in any case, perhaps an offset
_OFFSET = r"\s?\+\s?0?[01](?::?00)?(?!\d)"
_TZ = (
    rf"(?:\s*\(?\s*(?P<tz>(?i:BST|GMT|UTC)(?:{_OFFSET})?)\s*\)?"
    rf"(?:\s*\(\s*(?i:UTC|GMT){_OFFSET}\s*\))?)?"
)

# 14/04/2022 09:35:00 AM (BST) · 26-11-2021 19:25:00 PM · 26/02/2026 13:00 PM · 09/03/2017 17:30
NUMERIC_RE = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[/\-.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d)"
    rf"(?:(?:\s+|\s*,\s*|T)(?:at\s+)?{_TIME})?{_TZ}"
)
TIME_RE = re.compile(rf"(?<![\d:/])(?:at\s+)?{_TIME}{_TZ}")

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_PATTERN = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
WEEKDAY_PATTERN = r"(?:(?P<wd>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+)?"
ORDINAL = r"(?:st|nd|rd|th)?"
# "Saturday the 14th October", "19th October, 2021", "23rd of June 2022"
PROSE_DMY_RE = re.compile(
    rf"{WEEKDAY_PATTERN}(?:the\s+)?(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH_PATTERN},?(?:\s+(?P<y>\d{{4}}))?(?!\d)",
    re.IGNORECASE | re.ASCII,  # ASCII: "ſept" must not match "sept" (MONTHS lookup)
)
# "Wednesday, April 22, 2026", "April 22 2026"
PROSE_MDY_RE = re.compile(
    rf"{WEEKDAY_PATTERN}{MONTH_PATTERN}\s+(?P<d>\d{{1,2}}){ORDINAL},?(?:\s+(?P<y>\d{{4}}))?(?!\d)",
    re.IGNORECASE | re.ASCII,
)
_PROSE_TIME_RE = re.compile(rf"\s*,?\s*(?:at\s+)?{_TIME}{_TZ}", re.IGNORECASE)
_TIME_FIRST_RE = re.compile(rf"(?:at\s+)?{_TIME}{_TZ}\s*,?\s*(?:on\s+)?", re.IGNORECASE)


@dataclass(slots=True)
class Stamp:
    """One timestamp as read: the raw text beside every parsed value."""

    raw: str
    local: datetime | None = None  # wall time as shown (naive)
    at: datetime | None = None  # UTC instant, None when it cannot be known
    tz_label: str | None = None
    tz_policy: str | None = None
    has_time: bool = True
    flags: list[str] = field(default_factory=list)
    warning: str | None = None

    @property
    def local_iso(self) -> str | None:
        if self.local is None:
            return None
        return self.local.date().isoformat() if not self.has_time else self.local.isoformat()

    @property
    def at_iso(self) -> str | None:
        return self.at.isoformat() if self.at is not None else None


def apply_ampm(h: int, ampm: str | None, flags: list[str]) -> int:
    """Apply AM/PM to an hour, keeping a 24-hour hour that also says PM (and flagging it)."""
    if ampm is None:
        return h
    pm = ampm[0] in "Pp"
    if pm:
        if 1 <= h <= 11:
            return h + 12
        if h >= 13:
            flags.append("hour_24_with_pm")
        elif h == 0:
            flags.append("hour_0_with_pm")
        return h
    if h == 12:
        return 0
    if h >= 13:
        flags.append("hour_24_with_am")
    return h


def _time_parts(m: re.Match[str], flags: list[str]) -> tuple[int, int, int] | None:
    hour, minute, second, ampm = m.group("H", "M", "S", "ampm")  # one call, not four
    if hour is None:
        return None
    h, mi, s = int(hour), int(minute), int(second or 0)
    h = apply_ampm(h, ampm, flags)
    if h > 23 or mi > 59 or s > 59:
        raise ValueError(f"time out of range: {m.group(0)!r}")
    return h, mi, s


@lru_cache(maxsize=8192)
def _london(local: datetime, label: str | None) -> tuple[datetime | None, str, tuple[str, ...]]:
    """Wall time in Europe/London (+ optional label) -> (UTC instant, policy, flags)."""
    if label == "UTC":
        return local.replace(tzinfo=UTC), "stated_utc", ()
    first = local.replace(tzinfo=LONDON, fold=0)
    second = local.replace(tzinfo=LONDON, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    label_off = {"BST": timedelta(hours=1), "GMT": timedelta(0)}.get(label or "")
    if off0 == off1:
        if label_off is None:
            return first.astimezone(UTC), "europe_london", ()
        if label_off == off0:
            return first.astimezone(UTC), "europe_london_label_agrees", ()
        return (
            first.astimezone(UTC),
            "europe_london_label_overruled",
            ("tz_label_contradicts_season",),
        )
    in_gap = first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local
    kind = "gap" if in_gap else "fold"
    flag = "time_in_dst_gap" if in_gap else "ambiguous_dst_fold"
    if label_off is None:
        return None, f"unresolved_{kind}", (flag,)
    at = (local - label_off).replace(tzinfo=UTC)
    return at, f"label_resolves_{kind}", (flag,)


def localise(stamp: Stamp) -> Stamp:
    """Fill ``stamp.at`` from its wall time and label under the London policy."""
    if stamp.local is None or not stamp.has_time:
        return stamp
    at, policy, flags = _london(stamp.local, stamp.tz_label)
    stamp.at, stamp.tz_policy = at, policy
    stamp.flags.extend(flags)
    return stamp


def zone_label(written: str | None) -> str | None:
    """A written zone label as the policy reads it: BST, GMT or UTC. "GMT+1" and "UTC+1"
    are an hour ahead of GMT, which in London is BST; "GMT+0" is GMT."""
    if written is None:
        return None
    label = written.upper().replace(" ", "")
    if "+" not in label:
        return label
    name, _, offset = label.partition("+")
    if offset.lstrip("0").startswith("1"):  # +1, +01, +01:00
        return "BST"
    return name


def _year(y: str, flags: list[str]) -> int:
    if len(y) == 2:
        flags.append("two_digit_year")
        return 2000 + int(y)
    return int(y)


def stamp_from_numeric(m: re.Match[str], *, month_first_ok: bool = False) -> Stamp:
    """Build a Stamp from a NUMERIC_RE match (the fast path)."""
    raw = m.group(0).strip()
    flags: list[str] = []
    day_, month_, year_, label = m.group("d", "m", "y", "tz")  # one call, not four
    d, mo = int(day_), int(month_)
    stamp = Stamp(raw=raw, tz_label=zone_label(label) if label else None, flags=flags)
    try:
        y = _year(year_, flags)
        if mo > 12 and month_first_ok and d <= 12:
            d, mo = mo, d
            flags.append("month_first_date")
        day = date(y, mo, d)
        hms = _time_parts(m, flags)
    except ValueError as exc:
        stamp.warning = f"unreadable timestamp {raw!r}: {exc}"
        return stamp
    if hms is None:
        stamp.local = datetime(day.year, day.month, day.day)
        stamp.has_time = False
        return stamp
    stamp.local = datetime(day.year, day.month, day.day, *hms)
    return localise(stamp)


def pick_year(month: int, day: int, weekday: int | None, base: date) -> tuple[int, str] | None:
    """Year for a year-less date near ``base``: the weekday decides when given."""
    candidates = [base.year - 1, base.year, base.year + 1]
    valid = []
    for y in candidates:
        try:
            valid.append(date(y, month, day))
        except ValueError:
            continue
    if weekday is not None:
        matching = [d for d in valid if d.weekday() == weekday]
        if len(matching) == 1:
            return matching[0].year, "year_inferred_from_weekday"
        if not matching:
            return None
    if not valid:
        return None
    best = min(valid, key=lambda d: abs((d - base).days))
    return best.year, "year_inferred"


def stamp_from_prose(
    m: re.Match[str], text: str, *, base: date | None, time_hint: re.Match[str] | None = None
) -> Stamp:
    """Build a Stamp from a PROSE_DMY_RE / PROSE_MDY_RE match plus an optional time after it."""
    flags: list[str] = []
    end = m.end()
    tm = time_hint or _PROSE_TIME_RE.match(text, end)
    if tm is not None and time_hint is None:
        end = tm.end()
    raw = text[m.start() : end].strip()
    stamp = Stamp(raw=raw, flags=flags)
    mon = MONTHS[m.group("mon").lower().rstrip(".")]
    d = int(m.group("d"))
    wd = m.group("wd")
    weekday = WEEKDAYS[wd.lower().rstrip(".")] if wd else None
    if m.group("y"):
        y = int(m.group("y"))
    elif base is not None:
        picked = pick_year(mon, d, weekday, base)
        if picked is None:
            stamp.warning = f"no year fits {raw!r} near {base.isoformat()}"
            return stamp
        y, how = picked
        flags.append(how)
    else:
        stamp.warning = f"no year in {raw!r} and nothing to infer it from"
        return stamp
    try:
        day = date(y, mon, d)
        hms = _time_parts(tm, flags) if tm is not None else None
    except ValueError as exc:
        stamp.warning = f"unreadable date {raw!r}: {exc}"
        return stamp
    if weekday is not None and day.weekday() != weekday:
        flags.append("weekday_contradicts_date")
    if hms is None:
        stamp.local = datetime(day.year, day.month, day.day)
        stamp.has_time = False
        return stamp
    stamp.tz_label = zone_label(tm.group("tz")) if tm is not None else None
    stamp.local = datetime(day.year, day.month, day.day, *hms)
    return localise(stamp)


_dateparser: Any = None
# No real timestamp is longer; dateparser's time grows with the input (160 kB: 1.4 s).
DATEPARSER_MAX_CHARS = 100


def shorten(text: str, limit: int = 80) -> str:
    """Offending text for a warning, cut to a readable length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dateparser_parse(text: str, base: datetime | None) -> tuple[datetime | None, bool]:
    """dateparser, configured once: English, day-first, base time passed in, no clock.

    Returns ``(value, has_time)``; ``value`` is aware only when the text states a zone/offset.
    """
    global _dateparser
    if _dateparser is None:
        import dateparser  # slow to import; only free prose needs it

        _dateparser = dateparser
    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_TIME_AS_PERIOD": True,  # period "time" only when the text gives a time
        # dateparser reads the clock unless given a base; a fixed one keeps it pure.
        "RELATIVE_BASE": base or datetime(2000, 1, 1),
        # No epoch parser (it renders in the machine's zone); relative dates ("yesterday")
        # only against a real base, never against the placeholder above.
        "PARSERS": ["relative-time", "absolute-time"] if base else ["absolute-time"],
    }
    data = _dateparser.DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    return data.date_obj, data.period == "time"


def parse_stamp(raw: str, *, base: datetime | None = None, month_first_ok: bool = False) -> Stamp:
    """Parse a string that should be one timestamp. Never raises; failures carry a warning."""
    text = " ".join(raw.split())
    if not text:
        return Stamp(raw=raw, has_time=False, warning="empty timestamp")
    m = NUMERIC_RE.fullmatch(text)
    if m is not None:
        return stamp_from_numeric(m, month_first_ok=month_first_ok)
    base_date = base.date() if base is not None else None
    for prose in (PROSE_DMY_RE, PROSE_MDY_RE):
        m = prose.match(text)
        if m is not None:
            tm = _PROSE_TIME_RE.match(text, m.end())
            end = tm.end() if tm else m.end()
            if text[end:].strip(" .,") == "":
                return stamp_from_prose(m, text, base=base_date)
    tf = _TIME_FIRST_RE.match(text)  # "1:00 AM on the 19th October, 2021"
    if tf is not None:
        m = PROSE_DMY_RE.match(text, tf.end()) or PROSE_MDY_RE.match(text, tf.end())
        if m is not None and text[m.end() :].strip(" .,") == "":
            stamp = stamp_from_prose(m, text, base=base_date, time_hint=tf)
            stamp.raw = text
            return stamp
    if len(text) > DATEPARSER_MAX_CHARS:
        return Stamp(
            raw=text, has_time=False, warning=f"unreadable timestamp (too long): {shorten(text)!r}"
        )
    try:
        value, has_time = _dateparser_parse(text, base)
        stated = value.astimezone(UTC) if value is not None and value.tzinfo else None
    except Exception as exc:  # dateparser raises assorted errors on odd input
        warning = f"unreadable timestamp {shorten(text)!r}: {exc}"
        return Stamp(raw=text, has_time=False, warning=warning)
    if value is None:
        return Stamp(raw=text, has_time=False, warning=f"unreadable timestamp {shorten(text)!r}")
    stamp = Stamp(raw=text, local=value.replace(tzinfo=None), flags=["parsed_by_dateparser"])
    stamp.has_time = has_time  # a date alone gets no invented midnight
    label = re.search(r"\b(BST|GMT|UTC)\b", text, re.IGNORECASE)
    stamp.tz_label = label.group(1).upper() if label else None
    if has_time and stated is not None and stamp.tz_label not in ("BST", "GMT"):
        # An offset or zone stated in the text ("Z", "+02:00", "EST") is taken literally.
        stamp.at = stated
        stamp.tz_label = stamp.tz_label or str(value.tzname()).replace("\\", "")
        stamp.tz_policy = "stated_utc" if value.utcoffset() == timedelta(0) else "stated_offset"
        return stamp
    return localise(stamp)


def match_stamp_at(text: str, pos: int = 0, *, month_first_ok: bool = False) -> Stamp | None:
    """A numeric timestamp starting exactly at ``pos`` (after spaces), with its end in raw."""
    m = NUMERIC_RE.match(text, pos)
    if m is None:
        return None
    return stamp_from_numeric(m, month_first_ok=month_first_ok)


def stamp_line(line: str) -> Stamp | None:
    """The stamp when a whole line is a timestamp with a time of day (a notice's date line):
    ``14/04/2022 09:35:00 AM (BST)``, and as people also write it, ``Thursday 14/04/2022
    09:35`` or ``14/04/2022 – 09:35:00 AM``. A date in words is prose, not a date line."""
    text = line.strip()
    if not text:
        return None
    if text[0].isdigit():
        m = NUMERIC_RE.fullmatch(text)
        if m is not None:
            return stamp_from_numeric(m) if m.group("H") is not None else None
        d = _DATE_DASH_TIME_RE.fullmatch(text)
        joined = NUMERIC_RE.fullmatch(f"{d.group('date')} {d.group('time')}") if d else None
        if joined is None or joined.group("H") is None:
            return None
        stamp = stamp_from_numeric(joined)
        stamp.raw = text
        return stamp
    head = _WEEKDAY_HEAD_RE.match(text)
    weekday = WEEKDAYS.get(head.group("wd").lower()) if head is not None else None
    if weekday is None:
        return None
    m = NUMERIC_RE.fullmatch(text, head.end())  # type: ignore[union-attr]
    if m is None or m.group("H") is None:
        return None
    stamp = stamp_from_numeric(m)
    stamp.raw = text
    if stamp.local is not None and stamp.local.weekday() != weekday:
        stamp.flags.append("weekday_contradicts_date")
    return stamp


# "14/04/2022 – 09:35:00 AM": a dash between a date line's date and its time
_DATE_DASH_TIME_RE = re.compile(r"(?P<date>\d{1,2}([/\-.])\d{1,2}\2\d{4})\s+[–—-]\s+(?P<time>\d.*)")
# "Thursday 14/04/2022 …", "Thu, 14/04/2022 …"
_WEEKDAY_HEAD_RE = re.compile(r"(?P<wd>[A-Za-z]{3,9})\.?,?\s+(?=\d)")
