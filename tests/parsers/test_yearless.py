"""parsers.yearless as tables: Statuspage's year-less stamps and spans -> exact output.

Each row: the text (as Statuspage writes it, with its <var> tags), the anchor date and the
history heading (year, month) or None, then the start wall time, its UTC instant, its
flags, the end wall time and the span's own flags. ``None`` for an end means no end.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.payload import text_of
from parsers.yearless import read_full, read_span, zone_named


def V(kind: str, value: str) -> str:
    return f"<var data-var='{kind}'>{value}</var>"


YI = ["year_inferred"]
JAN25 = (2025, 1)
DEC24 = (2024, 12)

# fmt: off
SPANS = [
    # one time; the heading's month gives its year without a flag
    (f"Mar {V('date', '13')}, {V('time', '06:55')} UTC", date(2025, 3, 15), (2025, 3),
     "2025-03-13T06:55:00", "2025-03-13T06:55:00+00:00", [], None, []),
    # a range within a day
    (f"Mar {V('date', '13')}, {V('time', '06:55')} - {V('time', '16:02')} UTC", date(2025, 3, 15), (2025, 3),
     "2025-03-13T06:55:00", "2025-03-13T06:55:00+00:00", [], "2025-03-13T16:02:00", []),
    # across the new year, listed under January: the start is the previous year
    (f"Dec {V('date', '31')}, {V('time', '23:10')} - Jan {V('date', '1')}, {V('time', '01:20')} UTC", date(2025, 1, 15), JAN25,
     "2024-12-31T23:10:00", "2024-12-31T23:10:00+00:00", YI, "2025-01-01T01:20:00", []),
    # the same range listed under December: the end is the next year
    (f"Dec {V('date', '31')}, {V('time', '23:10')} - Jan {V('date', '1')}, {V('time', '01:20')} UTC", date(2024, 12, 15), DEC24,
     "2024-12-31T23:10:00", "2024-12-31T23:10:00+00:00", [], "2025-01-01T01:20:00", []),
    # a January date under December (an incident listed by its end): the next year
    (f"Jan {V('date', ' 2')}, {V('time', '00:05')} UTC", date(2024, 12, 15), DEC24,
     "2025-01-02T00:05:00", "2025-01-02T00:05:00+00:00", YI, None, []),
    # a feed's update: Dec in an item dated Jan 2 is the previous year
    (f"Dec {V('date', '30')}, {V('time', '21:23')} UTC", date(2025, 1, 2), None,
     "2024-12-30T21:23:00", "2024-12-30T21:23:00+00:00", YI, None, []),
    # ... and Jan in an item dated Dec 31 the next
    (f"Jan {V('date', '1')}, {V('time', '00:30')} UTC", date(2024, 12, 31), None,
     "2025-01-01T00:30:00", "2025-01-01T00:30:00+00:00", YI, None, []),
    # space-padded day, as Statuspage renders days below 10
    (f"Jul {V('date', ' 2')}, {V('time', '16:23')} UTC", date(2025, 7, 2), None,
     "2025-07-02T16:23:00", "2025-07-02T16:23:00+00:00", YI, None, []),
    # a range past midnight with no end date: the next day
    (f"Mar {V('date', '13')}, {V('time', '23:55')} - {V('time', '00:10')} UTC", date(2025, 3, 15), (2025, 3),
     "2025-03-13T23:55:00", "2025-03-13T23:55:00+00:00", [], "2025-03-14T00:10:00", ["window_crosses_midnight"]),
    # a US zone abbreviation: its fixed offset
    (f"Nov {V('date', '4')}, {V('time', '09:30')} PST", date(2024, 11, 5), None,
     "2024-11-04T09:30:00", "2024-11-04T17:30:00+00:00", YI, None, []),
    (f"Jun {V('date', '10')}, {V('time', '14:00')} - {V('time', '15:30')} BST", date(2025, 6, 15), (2025, 6),
     "2025-06-10T14:00:00", "2025-06-10T13:00:00+00:00", [], "2025-06-10T15:30:00", []),
    # a stated year needs no inference
    (f"Mar {V('date', '13')}, {V('year', '2024')} - {V('time', '06:55')} UTC", date(2025, 3, 15), None,
     "2024-03-13T06:55:00", "2024-03-13T06:55:00+00:00", [], None, []),
    # 29 February only exists in leap years: the nearest one
    (f"Feb {V('date', '29')}, {V('time', '10:00')} UTC", date(2025, 1, 20), None,
     "2024-02-29T10:00:00", "2024-02-29T10:00:00+00:00", YI, None, []),
    # no zone at all: UTC, flagged
    (f"Aug {V('date', '5')}, {V('time', '12:00')}", date(2025, 8, 5), None,
     "2025-08-05T12:00:00", "2025-08-05T12:00:00+00:00", ["year_inferred", "tz_assumed_utc"], None, []),
    # a 12-hour clock
    (f"Aug {V('date', '5')}, {V('time', '1:15')} PM UTC", date(2025, 8, 5), None,
     "2025-08-05T13:15:00", "2025-08-05T13:15:00+00:00", YI, None, []),
]
# fmt: on


@pytest.mark.parametrize(
    ("fragment", "anchor", "heading", "start", "at", "flags", "end", "span_flags"),
    SPANS,
    ids=[text_of(row[0]) + f" @{row[1]}" for row in SPANS],
)
def test_span(fragment, anchor, heading, start, at, flags, end, span_flags) -> None:
    span = read_span(text_of(fragment), anchor=anchor, heading=heading)
    assert span is not None
    assert span.start.warning is None
    assert span.start.local_iso == start
    assert span.start.at_iso == at
    assert span.start.flags == flags
    assert (span.end.local_iso if span.end else None) == end
    assert span.flags == span_flags


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("Jan 3, 10:00 IST", "unknown time zone abbreviation 'IST'"),  # India? Ireland? Israel?
        ("Jan 3, 10:00 XYZ", "unknown time zone abbreviation 'XYZ'"),
        ("Feb 30, 10:00 UTC", "no such date"),
        ("Mar 13, 25:00 UTC", "time out of range"),
        ("Mar 13, 10:00 - 10:75 UTC", None),  # the start reads; the end is refused below
    ],
)
def test_unreadable_parts_warn_and_give_no_instant(text: str, warning: str | None) -> None:
    span = read_span(text, anchor=date(2025, 3, 1))
    assert span is not None
    if warning is None:
        assert span.start.at is not None
        assert span.end is not None and span.end.warning and span.end.at is None
    else:
        assert span.start.at is None
        assert warning in (span.start.warning or "")


@pytest.mark.parametrize(
    "text",
    ["", "UTC", "Resolved", "13 Mar 2025 06:55", "2025-03-13 06:55", "Smarch 13, 06:55 UTC",
     "Mar 13", "Mar 13, 06:55 UTC and then some"],
)  # fmt: skip
def test_not_a_stamp(text: str) -> None:
    assert read_span(text, anchor=date(2025, 3, 1)) is None


# fmt: off
FULL = [
    # imported pre-2019 lists: full stamps, no zone; the page's zone dates them
    ("2017-08-23 12:31:05", "Etc/UTC", "2017-08-23T12:31:05", "2017-08-23T12:31:05+00:00", []),
    ("2017-08-23 12:31:05", "America/New_York", "2017-08-23T12:31:05", "2017-08-23T16:31:05+00:00", []),
    ("2017-08-23 12:31:05", None, "2017-08-23T12:31:05", "2017-08-23T12:31:05+00:00", ["tz_assumed_utc"]),
    ("2017-08-23 12:31:05 UTC", "America/New_York", "2017-08-23T12:31:05", "2017-08-23T12:31:05+00:00", []),
    # the hour a clock change repeats or skips: no instant, never a guess
    ("2016-11-06 01:30:00", "America/New_York", "2016-11-06T01:30:00", None, ["ambiguous_dst_fold"]),
    ("2016-03-13 02:30:00", "America/New_York", "2016-03-13T02:30:00", None, ["time_in_dst_gap"]),
]
# fmt: on


@pytest.mark.parametrize(("text", "zone", "local", "at", "flags"), FULL)
def test_full_stamp(text: str, zone: str | None, local: str, at: str | None, flags: list) -> None:
    stamp = read_full(text, zone_named(zone))
    assert stamp is not None
    assert (stamp.local_iso, stamp.at_iso, stamp.flags) == (local, at, flags)


def test_unknown_zone_name_is_none() -> None:
    assert zone_named("Mars/Olympus_Mons") is None
    assert zone_named("../../etc/passwd") is None
    assert zone_named(None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.dates(min_value=date(1971, 1, 1), max_value=date(9990, 1, 1)))
def test_never_raises(text: str, anchor: date) -> None:
    span = read_span(text, anchor=anchor)
    if span is not None and span.start.at is not None:
        assert span.start.at.utcoffset() is not None


def test_an_end_dated_before_its_start_is_no_end() -> None:
    span = read_span("Jan 3, 09:15 - Jan 3, 08:00 UTC", anchor=date(2025, 1, 10))
    assert span is not None and span.start.at is not None
    assert span.end is not None and span.end.at is None
    assert "ends before it starts" in (span.end.warning or "")
