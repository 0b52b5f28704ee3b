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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from parsers.scan import word_scanning
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

# "19:25", "1:00 AM", "10:15pm", "22:00hrs", "2200hrs", "9 PM".
_CLOCK = (
    r"(?:\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*(?:[AP]M|[ap]m|[ap]\.m\.)|\s*(?:hrs|hours)\b)?"
    r"|(?:[01]\d|2[0-3])[0-5]\d\s*hrs\b|\d{1,2}\s*(?:[AP]M|[ap]m))(?-i:(?![a-z]))"
)
_CLOCK_RE = re.compile(
    r"(?P<H>\d{1,2}?)(?:[:.]?(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*"
    r"(?:(?P<ampm>[AP]M|[ap]m|[ap]\.m\.)|hrs|hours)?"
)
_DATE = (
    rf"(?:{WEEKDAY_PATTERN}(?:the\s+)?\d{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH_PATTERN},?(?:\s+\d{{4}})?"
    rf"|{WEEKDAY_PATTERN}{MONTH_PATTERN}\s+\d{{1,2}}{ORDINAL},?(?:\s+\d{{4}})?"
    r"|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-\d{1,2}-\d{4})"
)
# Named groups may not repeat in one pattern, so the date pattern is matched again later.
_DATE_ANON = re.sub(r"\(\?P<\w+>", "(?:", _DATE)
_WINDOW_WORDS = ("between", "from")
# "14:00 UTC", "16:30 (GMT)": the zone the times are given in.
_ZONE = r"(?:\s*\(?(?P<{}>UTC|GMT|BST)\b\)?)?"
# "on", "on the night of", ",": what joins a time to its date.
_ON = r"\s*(?:overnight\s+)?(?:on(?:\s+the\s+(?:night|evening|morning)\s+of)?|,)\s+"
_WINDOW_REST = (
    rf"\s+(?:the\s+hours\s+of\s+)?"
    rf"(?P<t1>{_CLOCK}){_ZONE.format('z1')}(?:{_ON}(?P<d1>{_DATE_ANON}))?"
    rf"(?:\s+(?:and|to|until|till)\s+|\s*[-–]\s*)"
    rf"(?P<t2>{_CLOCK}){_ZONE.format('z2')}(?:{_ON}(?P<d2>{_DATE_ANON}))?"
    rf"(?:{_ON}(?P<d3>{_DATE_ANON}))?"
)
WINDOW_RE = word_scanning(_WINDOW_WORDS, _WINDOW_REST, re.IGNORECASE)
_DATE_RE = re.compile(
    rf"{WEEKDAY_PATTERN}(?:the\s+)?(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH_PATTERN},?(?:\s+(?P<y>\d{{4}}))?"
    rf"|(?P<wd2>[a-z]+day,?\s+)?(?P<mon2>[a-z]+)\.?\s+(?P<d2>\d{{1,2}}){ORDINAL},?(?:\s+(?P<y2>\d{{4}}))?"
    r"|(?P<nd>\d{1,2})(?P<sep>[/-])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{2,4})",
    re.IGNORECASE,
)
# Outage wording only: "can take a period of 24 hours to apply" is not how long anything
# was down, "offline for a period of 2 hours" is.
_DURATION_WORDS = (
    *("lasted", "lasting"),
    *(rf"{word}\s+of" for word in ("outage", "disruption", "interruption", "downtime")),
    *(rf"{word}\s+for" for word in ("unavailable", "down", "offline", "inaccessible")),
)
_DURATION_REST = (
    r"\s+(?:for\s+)?(?:an?\s+period\s+of\s+)?"
    r"(?:approximately|approx\.?|around|about|roughly|up\s+to|some)?\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>minutes?|mins?|hours?|hrs?)"
    r"(?:\s+and\s+(?P<n2>\d+)\s*(?:minutes?|mins?))?"
)
DURATION_RE = word_scanning(_DURATION_WORDS, _DURATION_REST, re.IGNORECASE)


# Wording that puts a window in the past, in the future, or on the day the notice was written.
_THIS_DAY = r"today|this (?:morning|afternoon|evening)"  # the notice's own day
_PAST_RE = re.compile(
    r"\b(?:was|were|had|has been|have been|lasted|could not|couldn't|did not|didn't|occurred|"
    r"experienced|last night|yesterday|overnight|earlier|"
    r"(?:may|might|could|would)(?:\s+not)?\s+have|(?:emails?|messages?|mail)\s+sent)\b",
    re.IGNORECASE,
)
_FUTURE_RE = re.compile(
    r"\b(?:will|shall|tonight|going to|(?:is|are) (?:planned|scheduled|expected)|planned|"
    r"scheduled|upcoming)\b",
    re.IGNORECASE,
)
# Weaker than "will", asked only when no tense word decides: wording that puts a window
# later than the notice on its own day.
_LATER_TODAY_RE = re.compile(
    rf"\b(?:maintenance|{_THIS_DAY}|"
    r"(?:may|might|could)(?:\s+not)?\s+(?!have\b)[a-z]+|(?:is|are)\s+[a-z]+ing)\b",
    re.IGNORECASE,
)
# Words right after a window that date it relative to the notice: a date before it is not
# its day ("Following the incident on 3rd January, between 10:00 and 11:00 today").
_RELATIVE_AFTER_RE = re.compile(
    rf"\s*,?\s*(?:{_THIS_DAY}|tonight|yesterday|last night)\b",
    re.IGNORECASE,
)
# "On Saturday 6th May the Portal will…": a date opening its sentence (or the clause after
# a label or a dash: "Description: On …", "… 09:15 – On …") dates what follows.
_ON_RE = re.compile(
    r"(?:(?i:(?:.*[:–—-])?\s*on)|.*\s(?-i:On))\s+(?i:the\s+(?:night|evening|morning)\s+of\s+)?"
)
# The first of two days before a date: "Saturday 14th / Sunday 15th October", "14-15 October".
_NIGHT_PAIR_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:/|-|–|&|and)\s*$", re.IGNORECASE)
_MAY_VERB_RE = re.compile(r"\bmay\b")  # lower case: the verb (the month is written May)
_TONIGHT_RE = re.compile(r"\b(?:tonight|overnight tonight|later tonight)\b", re.I)
_SAME_DAY_RE = re.compile(rf"\b(?:{_THIS_DAY})\b", re.I)  # "earlier today" holds "today"
_SENTENCE_END_RE = re.compile(r"[.!?](?:\s+(?=[A-Z])|$)")  # "approx. 30" ends nothing
# Times that are not an outage, said after them: opening hours "from 08:00 to 18:00, Monday
# to Friday" (hours and update times said before them: `_is_not_outage`).
_RECURRING_AFTER_RE = re.compile(
    r"\s*,?\s*(?:(?:on\s+|every\s+|each\s+)?(?:weekdays?|daily|every\s+day|each\s+day)\b"
    r"|(?:on\s+|from\s+)?(?:mon(?:day)?s?)\s*(?:to|-|–|until|till)\s*(?:fri|sat|sun))",
    re.IGNORECASE,
)
# A date earlier in the window's line: "unavailable on 3rd January 2023 between 21:00 and
# 23:00" (the window's day), "Final Update: 26/11/2021 09:15:00 AM – delayed between 06:00
# and 07:30 this morning" (when the line was written: the window's day is inferred from it).
_LINE_DATE_RE = re.compile(
    rf"(?<![\w/])(?P<date>{_DATE_ANON})(?![\w/])(?:\s+(?P<time>{_CLOCK}))?", re.IGNORECASE
)
# Every such date has a number in it: a day before a month ("5th of January"), after one
# ("January 5"), or d/m/y. Numbers are found fast (the engine skips to digits in C) and
# checked for a month; the full pattern above, which tries every position, then reads only
# around each such number, last first.
_DIGITS_RE = re.compile(r"\d+")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_MONTH_AFTER_RE = re.compile(
    rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}|/\d|-\d{{1,2}}-\d", re.IGNORECASE
)
_MONTH_BEFORE_RE = re.compile(rf"\b{_MONTHS}[a-z]*\.?\s+$", re.IGNORECASE)
# A day after the times that a full date is not: a day of the month without its month ("on
# Saturday the 14th", "on the 14th"), a weekday alone ("on Friday"), a day and a month
# without a year ("on 14/10"). Placed from the notice's date, or a reason; never left to
# fall back on the notice's own day.
_WEEKDAY_NAMES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_PARTIAL_DAY_RE = re.compile(
    rf"{_ON}(?:(?:(?P<wd>{_WEEKDAY_NAMES})\.?,?\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)\b"
    rf"|(?P<wd_only>{_WEEKDAY_NAMES})\b|(?P<dm_d>\d{{1,2}})/(?P<dm_m>\d{{1,2}})(?![/\d]))"
    # where the day's clause ends: "on the 1st floor", "on 3/4 of servers" are no days
    r"(?=\s*(?:[.,;:!?)–—-]|$|\s(?:and|to|until|till|when|while|at|from|for|but|as|due|"
    r"because|so|with|this|last|next|there|users?|we|the\s+\w+\s+(?:was|were|will)|"
    r"(?:was|were|is|are|will|has|had|have)\b)))",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Window:
    """A prose window; ``start``/``end`` are None when its date cannot be known."""

    raw: str
    start: Stamp | None
    end: Stamp | None
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Clock(NamedTuple):  # not a frozen dataclass: those cost three times as much to make
    h: int
    m: int
    s: int
    written_h: int  # the hour as written, before any meridiem
    ampm: str | None  # as written, for the start to borrow the end's
    flags: tuple[str, ...]


def _clock(text: str) -> _Clock | None:
    m = _CLOCK_RE.fullmatch(text.strip())
    if m is None:
        return None
    flags: list[str] = []
    hour, minute, second, meridiem = m.group("H", "M", "S", "ampm")  # one call, not four
    ampm = (meridiem or "").replace(".", "") or None
    written_h = int(hour)
    h = apply_ampm(written_h, ampm, flags)
    mi, s = int(minute or 0), int(second or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return _Clock(h, mi, s, written_h, ampm, tuple(flags))


def _shared_meridiem(t1: _Clock, t2: _Clock) -> _Clock:
    """ "between 9:30 and 10:15pm": the start takes the end's meridiem when it has none of
    its own and the window still runs forwards."""
    if t1.ampm is not None or t2.ampm is None or not 1 <= t1.written_h <= 12:
        return t1
    h = apply_ampm(t1.written_h, t2.ampm, [])
    if (h, t1.m, t1.s) <= (t2.h, t2.m, t2.s):
        return _Clock(h, t1.m, t1.s, t1.written_h, t2.ampm, t1.flags)
    return t1


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
            day_ = date(int(year), month, int(day))
            if weekday is not None and day_.weekday() != weekday:
                flags.append("weekday_contradicts_date")
            return day_
        if base is None:
            return None
        picked = pick_year(month, int(day), weekday, base)
        if picked is None:
            return None
        flags.append(picked[1])  # year_inferred, or year_inferred_from_weekday
        return date(picked[0], month, int(day))
    except ValueError:
        return None


def _partial_day(
    m: re.Match[str], base: date | None, sentence: str, flags: list[str], own: bool = True
) -> date | str:
    """The day a `_PARTIAL_DAY_RE` match names, from the notice's date: the nearest such
    day of the month (with its weekday, when given), the weekday on or before the notice
    for a report and on or after it for an announcement, the nearest year."""
    said = " ".join(m.group(0).split())
    if base is None:
        return f"its day ({said!r}) is not a full date and the notice has no date"
    if m.group("d"):
        day = int(m.group("d"))
        weekday = WEEKDAYS[m.group("wd").lower()] if m.group("wd") else None
        candidates = []
        for shift in (-1, 0, 1):
            y, mo = divmod(base.year * 12 + base.month - 1 + shift, 12)
            try:
                candidate = date(y, mo + 1, day)
            except ValueError:
                continue
            if weekday is None or candidate.weekday() == weekday:
                candidates.append(candidate)
        # a report's day is not after the notice, an announcement's not before it
        if _FUTURE_RE.search(sentence) and not _PAST_RE.search(sentence):
            candidates = [c for c in candidates if c >= base]
        elif _PAST_RE.search(sentence):
            candidates = [c for c in candidates if c <= base]
        if not candidates:
            return f"no month near the notice has {said!r}"
        flags.append("window_month_inferred")
        return min(candidates, key=lambda c: abs((c - base).days))
    if m.group("wd_only"):
        weekday = WEEKDAYS[m.group("wd_only").lower()]
        if _FUTURE_RE.search(sentence):
            ahead = (weekday - base.weekday()) % 7
            flags.append("window_date_from_weekday")
            return base + timedelta(days=ahead)
        if _PAST_RE.search(sentence):
            back = (base.weekday() - weekday) % 7
            flags.append("window_date_from_weekday")
            return base - timedelta(days=back)
        return f"its day ({said!r}) is a weekday, and its wording says neither will nor was"
    month, day = int(m.group("dm_m")), int(m.group("dm_d"))
    picked = pick_year(month, day, None, base) if 1 <= month <= 12 else None
    if picked is None:
        return f"its day ({said!r}) cannot be read"
    found = date(picked[0], month, day)
    # a report's day is not after the notice, an announcement's not before it
    past = _PAST_RE.search(sentence) is not None
    future = not past and _FUTURE_RE.search(sentence) is not None
    if own and ((past and found > base) or (future and found < base)):
        return f"its day ({said!r}) is on the wrong side of the notice for its tense"
    flags.append(picked[1])
    return found


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``: where its tense and day words are (at
    most 300 characters either side, so a huge line costs no more than a short one)."""
    lo, hi = max(0, start - 300), min(len(text), end + 300)
    before = [m.end() for m in _SENTENCE_END_RE.finditer(text, lo, start)]
    after = _SENTENCE_END_RE.search(text, end, hi)
    return text[before[-1] if before else lo : after.end() if after else hi]


def _inferred_day(
    start: datetime,
    end: datetime,
    written: datetime,
    text: str,
    span: tuple[int, int],
    flags: list[str],
) -> tuple[datetime, datetime] | str:
    """A window dated from the notice that would start after the notice was written: an
    announcement ("will be unavailable between 22:00 and 23:00") is of a later window, a
    past-tense report posted after midnight ("were held between 23:00 and 23:45 last
    night") means the day before. A sentence with neither tense is an announcement when it
    speaks of maintenance ("Maintenance between 22:00 and 23:00"), is on the notice's day
    when it says "today", and otherwise cannot be placed. Returns the window, or why it
    cannot be placed."""
    if start <= written:  # most windows: the sentence around ``span`` is not needed
        if start.hour < 7 and written.hour >= 12:  # the small hours, announced by day
            sentence = _sentence(text, *span)
            if _TONIGHT_RE.search(sentence) or (
                _FUTURE_RE.search(sentence)
                and not _PAST_RE.search(sentence)
                and not _SAME_DAY_RE.search(sentence)  # "today", "this morning"
            ):
                # "will be unavailable between 01:00 and 03:00 (tonight)", written at
                # 22:30: the small hours to come, not the morning gone
                flags.append("window_date_inferred_next_day")
                return start + timedelta(days=1), end + timedelta(days=1)
        return start, end
    sentence = _sentence(text, *span)
    if _FUTURE_RE.search(sentence):
        return start, end
    if not _PAST_RE.search(sentence):
        if _LATER_TODAY_RE.search(sentence):
            return start, end  # maintenance, "today", "may experience", "are carrying out"
        return "starts after the notice was written, and its wording says neither will nor was"
    if _SAME_DAY_RE.search(sentence):
        return "starts after the notice was written, on the same day"
    start, end = start - timedelta(days=1), end - timedelta(days=1)
    if end > written:
        return "starts after the notice was written and still ends after it a day earlier"
    flags.append("window_date_inferred_previous_day")
    return start, end


def _dates_in(text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """The dates in ``text[lo:hi]`` (each with the time after it, if any), last first."""
    for number in reversed(list(_DIGITS_RE.finditer(text, lo, hi))):
        start, end = number.span()
        if not (
            _MONTH_AFTER_RE.match(text, end)
            or _MONTH_BEFORE_RE.search(text, max(lo, start - 12), start)
        ):
            continue
        # the whole date around that number: a weekday and "the" before it, a year, a time
        for found in _LINE_DATE_RE.finditer(text, max(lo, start - 24), hi):
            if found.end() >= end:
                # "10 may experience": the verb, not the month (which is written May)
                if not _MAY_VERB_RE.search(found.group("date")):
                    yield found
                break


def _sentence_start(text: str, lo: int, pos: int) -> int:
    """Where the sentence holding ``pos`` starts (not before ``lo``): after the last
    ". ", "! " or "? " followed by a capital ("approx. 30" ends nothing). str.rfind, not a
    regex: a regex would try every position of the line."""
    for mark in (". ", "! ", "? "):
        hi = pos
        while (cut := text.rfind(mark, lo, hi)) >= 0:
            if text[cut + 2 : cut + 3].isupper():
                lo = cut + 2
                break
            hi = cut
    return lo


def _date_before(
    text: str, span: tuple[int, int], base: date | None, flags: list[str]
) -> tuple[date, _Clock | None, bool] | str | None:
    """A date stated before a window that has none of its own: in its sentence, right
    before its times ("unavailable on 3rd January 2023 between …") or opening the sentence
    ("On Saturday 6th May the Portal will be unavailable between …"), which is its day
    unless "today", "last night" and the like follow the times; else a stamp with a time
    in its sentence or near its line's start (an update's: "Final Update: 26/11/2021
    09:15:00 AM – … between …"), from which its day is inferred. Returns the day, the time after
    it, and whether it is the window's own day; or a reason when it cannot be read."""
    pos, finish = span
    line = text.rfind("\n", 0, pos) + 1
    sentence = _sentence_start(text, max(line, pos - 300), pos)
    found, own = None, False
    if not _RELATIVE_AFTER_RE.match(text, finish):
        for candidate in _dates_in(text, sentence, pos):
            if candidate.group("time") is not None:
                found = candidate  # a stamp ("Current Update: 22/04/2026 08:40 –"): when
                break  # the sentence was written, its day inferred from it
            right_before = not text[candidate.end() : pos].strip(" ,")
            if right_before or _ON_RE.fullmatch(text[sentence : candidate.start()]):
                found, own = candidate, True
                break
    if found is None:  # an update's stamp at the start of the line
        found = next(_dates_in(text, line, min(pos, line + 60)), None)
        if found is not None and found.group("time") is None:
            found = None
    if found is None:
        return None
    day = _date(found.group("date"), base, flags)
    if day is None:
        return f"the date before it ({found.group('date')!r}) cannot be read"
    # "overnight on Saturday 14th / Sunday 15th October", "on 14-15 October": the night
    # starts on the first of the two days
    pair = _NIGHT_PAIR_RE.search(text, max(line, found.start() - 12), found.start())
    if own and pair and int(pair.group(1)) == (day - timedelta(days=1)).day:
        day -= timedelta(days=1)
    written = found.group("time")
    return day, _clock(written) if written else None, own


_GIVE_WORDS = frozenset(("provide", "give", "issue", "send", "post", "publish", "share"))
_STAFFED = frozenset(("staffed", "answered", "manned"))
_HOURS_WORDS = frozenset((*_STAFFED, "open", "available"))
_BEING = frozenset(("is", "are", "be", "remain", "remains", "stay", "stays"))


def _is_not_outage(text: str, pos: int) -> bool:
    """ "a further update between 14:00 and 15:00" (when the next update comes; "deploying
    updates between 22:00 and 23:00" is an outage) and service hours ("the line will be
    staffed between 08:00 and 18:00 on the 24th December")."""
    words = text[max(0, pos - 40) : pos].lower().split()
    if len(words) >= 2 and words[-1] in ("update", "updates"):
        if words[-2] in ("further", "next"):
            return True
        # "provide an update between …"; "deploy the update between …" is an outage
        return len(words) >= 3 and words[-3] in _GIVE_WORDS
    # "staffed between", "is open from", "remains available between"; not "unable to
    # open attachments between", "shown as available between", "was not available between"
    if not words or words[-1] not in _HOURS_WORDS:
        return False
    return words[-1] in _STAFFED or (len(words) >= 2 and words[-2] in _BEING)


def _read(m: re.Match[str], text: str, base: date | None, own: bool = True) -> Window | str | None:
    """One WINDOW_RE match as a Window; a reason when it cannot be dated; None if not one."""
    begin, finish = m.span()
    if _is_not_outage(text, begin) or _RECURRING_AFTER_RE.match(text, finish):
        return None
    flags: list[str] = []
    t1, t2, said1, said2, said3 = m.group("t1", "t2", "d1", "d2", "d3")  # one call, not five
    c1, c2 = _clock(t1), _clock(t2)
    if c1 is None or c2 is None:
        return None
    c1 = _shared_meridiem(c1, c2)
    flags.extend(c1.flags + c2.flags)
    base_day = base.date() if isinstance(base, datetime) else base
    d1_text = said1 or said3
    d2_text = said2 or said3 or said1
    d1 = _date(d1_text, base_day, flags) if d1_text else None
    d2 = _date(d2_text, base_day, flags) if d2_text else None
    if (d1_text and d1 is None) or (d2_text and d2 is None):
        if base is None:
            return "its date has no year and the notice has no date"
        bad = d1_text if d1 is None and d1_text else d2_text
        return f"its date ({' '.join(bad.split())!r}) cannot be read"
    partial = None
    if d1 is None and d2 is None:
        partial = _PARTIAL_DAY_RE.match(text, finish)
    if partial is not None:
        day = _partial_day(partial, base_day, _sentence(text, begin, finish), flags, own)
        if isinstance(day, str):
            return day
        d1 = d2 = day
        finish = partial.end()
    elif d1 is None and d2 is None:
        before = _date_before(text, (begin, finish), base_day, flags)
        if isinstance(before, str):
            return before
        if before is not None:
            flags.append("window_date_from_line")
            day, written, own = before
            if own:  # "on 3rd January 2023 between …"
                d1 = d2 = day
            elif written is None:  # when its line was written, the day only
                base = base_day = day
            else:
                flags.extend(written.flags)
                base = datetime(day.year, day.month, day.day, written.h, written.m, written.s)
                base_day = day
    inferred = d1 is None and d2 is None
    if inferred:
        if base is None:
            return "the prose gives no date and the notice has none"
        d1 = d2 = base_day
        flags.append("window_date_inferred")
    d1 = d1 or d2
    d2 = d2 or d1
    assert d1 is not None and d2 is not None
    start = datetime(d1.year, d1.month, d1.day, c1.h, c1.m, c1.s)
    end = datetime(d2.year, d2.month, d2.day, c2.h, c2.m, c2.s)
    if end < start and d1 == d2 and not (said1 and said2):
        end += timedelta(days=1)
        flags.append("window_crosses_midnight")
    if end < start:
        return None
    if inferred and isinstance(base, datetime):  # the time it was written is known
        placed = _inferred_day(start, end, base, text, m.span(), flags)
        if isinstance(placed, str):
            return placed
        start, end = placed
    raw = " ".join(text[begin:finish].split())
    # "between 14:00 and 16:30 UTC": both ends; "14:00 UTC and 16:00 BST": each its own
    z1, z2 = m.group("z1", "z2")
    s_zone, e_zone = z1 or z2, z2 or z1
    s_stamp = localise(Stamp(raw=raw, local=start, tz_label=s_zone.upper() if s_zone else None))
    e_stamp = localise(Stamp(raw=raw, local=end, tz_label=e_zone.upper() if e_zone else None))
    flags.extend(s_stamp.flags + e_stamp.flags)
    return Window(raw=raw, start=s_stamp, end=e_stamp, flags=list(dict.fromkeys(flags)))


# What moves a window: "postponed and will now take place between …", "moved to …".
_RESCHEDULED_RE = word_scanning(
    ("postponed", "rescheduled", "re-scheduled", "moved", r"now\s+take\s+place",
     r"now\s+be\s+carried\s+out", r"new\s+(?:date|time)", "instead"),
    r"\b",
    re.IGNORECASE,
)  # fmt: skip


_RESCHEDULED_WORDS = ("postpone", "reschedul", "re-schedul", "moved", "now take", "now be",
                      "new date", "new time", "instead")  # fmt: skip


def _rescheduled(
    text: str, first: tuple[int, int], base: date | None, own: bool = True
) -> Window | None:
    """A later window that replaces the first: its sentence says the work moved. The first
    one ("planned between … has been postponed", "moved from between …") is then history,
    not the window."""
    begin, after = first
    lowered = text.lower()  # most notices have no cue: substring tests in C rule it out
    if not any(word in lowered for word in _RESCHEDULED_WORDS):
        return None
    if _RESCHEDULED_RE.search(text, _sentence_start(text, 0, begin)) is None:
        return None
    for m in WINDOW_RE.finditer(text, after):
        # the cue in the later window's own sentence (the one that holds both, maybe)
        if _RESCHEDULED_RE.search(text, _sentence_start(text, 0, m.start()), m.start()) is None:
            continue
        try:
            found = _read(m, text, base, own)
        except OverflowError:
            continue
        if isinstance(found, Window):
            found.flags.append("window_rescheduled")
            return found
    return None


def find_window(text: str, base: date | None, *, own: bool = True) -> Window | None:
    """The first prose window in ``text`` that can be dated.

    ``base`` is when the notice says it was written (its own date line, or for an undated
    accordion item the page's "Last updated"; a datetime when the time of day is known): a
    window without a date takes that day, a year-less date the nearest year. Never the
    fetch time: that is our clock, not the page's. A window that cannot be dated comes
    back with null ends and a warning. ``own``: ``base`` is the notice's own date, so the
    tense of its prose may tell a day before it from one after it (a page's "Last updated"
    is not when its items were written).
    """
    undated: Window | None = None
    for m in WINDOW_RE.finditer(text):
        try:
            found = _read(m, text, base, own)
        except OverflowError:  # year 9999 plus a day
            found = "its dates are out of range"
        if isinstance(found, Window):
            return _rescheduled(text, m.span(), base, own) or found
        if isinstance(found, str) and undated is None:
            raw = " ".join(m.group(0).split())
            undated = Window(raw, None, None, warnings=[f"window_date_unknown: {raw!r}: {found}"])
    return undated


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
