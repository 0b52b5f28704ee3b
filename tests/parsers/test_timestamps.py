"""parsers.timestamps as tables: input -> exact output (in the style of dateparser's tests).

Rows state local_iso, at_iso, tz_label, tz_policy and flags exactly. Wall times are
Europe/London: GMT (UTC+0) in winter, BST (UTC+1) in summer. The clock changes covered:

    2021-03-28 01:00 GMT -> 02:00 BST    2021-10-31 02:00 BST -> 01:00 GMT
    2022-03-27 01:00 GMT -> 02:00 BST    2022-10-30 02:00 BST -> 01:00 GMT

The tables are laid out by hand (``fmt: off``) so that one row reads as one case.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.timestamps import LONDON, Stamp, match_stamp_at, parse_stamp, stamp_line

# tz_policy values
EL = "europe_london"
AGREE = "europe_london_label_agrees"
OVER = "europe_london_label_overruled"
S_UTC = "stated_utc"
S_OFF = "stated_offset"
R_FOLD = "label_resolves_fold"
R_GAP = "label_resolves_gap"
U_FOLD = "unresolved_fold"
U_GAP = "unresolved_gap"
# flags
PM24 = "hour_24_with_pm"
AM24 = "hour_24_with_am"
PM0 = "hour_0_with_pm"
YY = "two_digit_year"
MF = "month_first_date"
FOLD = "ambiguous_dst_fold"
GAP = "time_in_dst_gap"
CONTRA = "tz_label_contradicts_season"
DP = "parsed_by_dateparser"
BY_WD = "year_inferred_from_weekday"
NEAR = "year_inferred"
WD_BAD = "weekday_contradicts_date"


def row(raw, local_iso, at_iso=None, tz_label=None, tz_policy=None, *flags, id=None):
    """One table row: the input and the exact (local_iso, at_iso, tz_label, tz_policy, flags)."""
    return pytest.param(raw, (local_iso, at_iso, tz_label, tz_policy, list(flags)), id=id or raw)


def summary(stamp: Stamp) -> tuple:
    return (stamp.local_iso, stamp.at_iso, stamp.tz_label, stamp.tz_policy, stamp.flags)


def check(stamp: Stamp, expected: tuple) -> None:
    assert summary(stamp) == expected
    assert stamp.warning is None
    local_iso, at_iso = expected[0], expected[1]
    assert local_iso is not None
    assert stamp.has_time is ("T" in local_iso)
    if at_iso is None:
        assert stamp.at is None
    else:
        assert stamp.at.tzinfo is UTC
    if not stamp.has_time:
        assert stamp.at is None and stamp.tz_policy is None


# --------------------------------------------------------------------------------------
# The numeric shapes (the fast path)
# --------------------------------------------------------------------------------------

# fmt: off
NUMERIC_SHAPES = [
    # NHSmail: dd/mm/yyyy hh:mm:ss AM
    row("14/04/2022 09:35:00 AM", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14/04/2022 09:35:00 PM", "2022-04-14T21:35:00", "2022-04-14T20:35:00+00:00", None, EL),
    row("14/01/2022 09:35:00 AM", "2022-01-14T09:35:00", "2022-01-14T09:35:00+00:00", None, EL),
    row("14/04/2022 09:35:00 am", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14/04/2022 09:35:00AM", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14/04/2022 9:35 p.m.", "2022-04-14T21:35:00", "2022-04-14T20:35:00+00:00", None, EL),
    row("14/04/2022 9:35 A.M.", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    # a 24-hour hour that also says PM (or AM) keeps its hour and is flagged
    row("26-11-2021 19:25:00 PM", "2021-11-26T19:25:00", "2021-11-26T19:25:00+00:00", None, EL,
        PM24),
    row("12/04/2022 18:45:00 PM", "2022-04-12T18:45:00", "2022-04-12T17:45:00+00:00", None, EL,
        PM24),
    row("26/02/2026 13:00 PM", "2026-02-26T13:00:00", "2026-02-26T13:00:00+00:00", None, EL, PM24),
    row("26/02/2026 23:59:59 PM", "2026-02-26T23:59:59", "2026-02-26T23:59:59+00:00", None, EL,
        PM24),
    row("14/04/2022 13:00 AM", "2022-04-14T13:00:00", "2022-04-14T12:00:00+00:00", None, EL, AM24),
    row("14/04/2022 00:30 PM", "2022-04-14T00:30:00", "2022-04-13T23:30:00+00:00", None, EL, PM0),
    # single-digit hours (and days, months) inside dates
    row("16/04/2026 8:45:00 AM", "2026-04-16T08:45:00", "2026-04-16T07:45:00+00:00", None, EL),
    row("16/04/2026 9:20:00 AM", "2026-04-16T09:20:00", "2026-04-16T08:20:00+00:00", None, EL),
    row("16/04/2026 9:20:00 PM", "2026-04-16T21:20:00", "2026-04-16T20:20:00+00:00", None, EL),
    row("6/4/2026 9:05", "2026-04-06T09:05:00", "2026-04-06T08:05:00+00:00", None, EL),
    row("1/12/2025 1:00 PM", "2025-12-01T13:00:00", "2025-12-01T13:00:00+00:00", None, EL),
    # noon, and the half hour after midnight
    row("14/04/2022 12:00 PM", "2022-04-14T12:00:00", "2022-04-14T11:00:00+00:00", None, EL),
    row("14/04/2022 12:00:00 PM", "2022-04-14T12:00:00", "2022-04-14T11:00:00+00:00", None, EL),
    row("14/04/2022 12:59 PM", "2022-04-14T12:59:00", "2022-04-14T11:59:00+00:00", None, EL),
    row("14/04/2022 12:30 AM", "2022-04-14T00:30:00", "2022-04-13T23:30:00+00:00", None, EL),
    row("14/04/2022 12:00:00 AM", "2022-04-14T00:00:00", "2022-04-13T23:00:00+00:00", None, EL),
    row("14/01/2022 12:30 AM", "2022-01-14T00:30:00", "2022-01-14T00:30:00+00:00", None, EL),
    # (BST) / (GMT) / UTC labels, with and without space or brackets
    row("14/04/2022 09:35:00 AM (BST)", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00",
        "BST", AGREE),
    row("14/04/2022 09:35:00 AM(BST)", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00",
        "BST", AGREE),
    row("14/04/2022 09:35:00 AM BST", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00",
        "BST", AGREE),
    row("14/04/2022 09:35 ( BST )", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00",
        "BST", AGREE),
    row("14/04/2022 09:35(BST)", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00",
        "BST", AGREE),
    row("14/01/2022 09:35:00 AM (GMT)", "2022-01-14T09:35:00", "2022-01-14T09:35:00+00:00",
        "GMT", AGREE),
    row("14/01/2022 09:35:00 AM(GMT)", "2022-01-14T09:35:00", "2022-01-14T09:35:00+00:00",
        "GMT", AGREE),
    row("14/01/2022 21:35 GMT", "2022-01-14T21:35:00", "2022-01-14T21:35:00+00:00", "GMT", AGREE),
    row("14/04/2022 09:35 UTC", "2022-04-14T09:35:00", "2022-04-14T09:35:00+00:00", "UTC", S_UTC),
    row("14/04/2022 09:35:00 AM (UTC)", "2022-04-14T09:35:00", "2022-04-14T09:35:00+00:00",
        "UTC", S_UTC),
    # "Last updated"-style 24-hour stamps, other separators
    row("09/03/2017 17:30", "2017-03-09T17:30:00", "2017-03-09T17:30:00+00:00", None, EL),
    row("09/06/2017 17:30", "2017-06-09T17:30:00", "2017-06-09T16:30:00+00:00", None, EL),
    row("09-03-2017 17:30", "2017-03-09T17:30:00", "2017-03-09T17:30:00+00:00", None, EL),
    row("14.04.2022 09:35", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14.04.2022 09.35", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14/04/2022, 09:35", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14/04/2022 at 09:35", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("14/04/2022T09:35", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL),
    row("29/02/2024 10:00", "2024-02-29T10:00:00", "2024-02-29T10:00:00+00:00", None, EL),
    row("31/12/2021 23:59:59", "2021-12-31T23:59:59", "2021-12-31T23:59:59+00:00", None, EL),
    row("01/01/2022 00:00:00", "2022-01-01T00:00:00", "2022-01-01T00:00:00+00:00", None, EL),
    # two-digit years are 20yy and flagged (even "99": no century pivot)
    row("09/03/17 17:30", "2017-03-09T17:30:00", "2017-03-09T17:30:00+00:00", None, EL, YY),
    row("26-11-21 19:25:00 PM", "2021-11-26T19:25:00", "2021-11-26T19:25:00+00:00", None, EL,
        YY, PM24),
    row("14/04/22 09:35 AM (BST)", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", "BST",
        AGREE, YY),
    row("09/03/99 17:30", "2099-03-09T17:30:00", "2099-03-09T17:30:00+00:00", None, EL, YY),
    # date-only: no time, no instant, no policy
    row("14/04/2022", "2022-04-14"),
    row("09/03/2017", "2017-03-09"),
    row("9/3/2017", "2017-03-09"),
    row("14-04-2022", "2022-04-14"),
    row("14.04.2022", "2022-04-14"),
    row("09/03/17", "2017-03-09", None, None, None, YY),
    row("14/04/2022 (BST)", "2022-04-14", None, "BST", None),
    row("14/04/2022 ( BST )", "2022-04-14", None, "BST", None),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), NUMERIC_SHAPES)
def test_numeric_shapes(raw: str, expected: tuple) -> None:
    stamp = parse_stamp(raw)
    check(stamp, expected)
    assert stamp.raw == raw
    assert DP not in stamp.flags


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  14/04/2022   09:35  ", "14/04/2022 09:35"),
        ("\t14/04/2022\t09:35:00 AM\n", "14/04/2022 09:35:00 AM"),
        ("14/04/2022\n09:35 (BST)", "14/04/2022 09:35 (BST)"),
        ("14/04/2022\u00a009:35", "14/04/2022 09:35"),
        ("14/04/2022 09:35:00 AM (BST) ", "14/04/2022 09:35:00 AM (BST)"),
    ],
)
def test_whitespace_is_normalised_into_raw(raw: str, normalised: str) -> None:
    stamp = parse_stamp(raw)
    assert stamp.raw == normalised
    assert stamp.local is not None
    assert stamp.warning is None
    assert summary(stamp) == summary(parse_stamp(normalised))


# --------------------------------------------------------------------------------------
# Prose
# --------------------------------------------------------------------------------------

# fmt: off
PROSE = [
    row("7th May 2024", "2024-05-07"),
    row("7 May 2024", "2024-05-07"),
    row("19th October, 2021", "2021-10-19"),
    row("the 19th October, 2021", "2021-10-19"),
    row("23rd of June 2022", "2022-06-23"),
    row("1st Sept 2022", "2022-09-01"),
    row("1 SEPT. 2022", "2022-09-01"),
    row("April 22, 2026", "2026-04-22"),
    row("Wednesday, April 22, 2026", "2026-04-22"),
    row("Thursday 14 April 2022", "2022-04-14"),
    row("Friday 22 April 2026", "2026-04-22", None, None, None, WD_BAD),
    row("23rd of June 2022 15:00", "2022-06-23T15:00:00", "2022-06-23T14:00:00+00:00", None, EL),
    row("Thursday 14 April 2022 10:00", "2022-04-14T10:00:00", "2022-04-14T09:00:00+00:00",
        None, EL),
    row("19th October, 2021 at 1:00 AM", "2021-10-19T01:00:00", "2021-10-19T00:00:00+00:00",
        None, EL),
    row("1:00 AM on the 19th October, 2021", "2021-10-19T01:00:00", "2021-10-19T00:00:00+00:00",
        None, EL),
    row("1:30 AM on 19th October 2021", "2021-10-19T01:30:00", "2021-10-19T00:30:00+00:00",
        None, EL),
    row("10:00 BST, 19 October 2021", "2021-10-19T10:00:00", "2021-10-19T09:00:00+00:00",
        "BST", AGREE),
    row("Wednesday, April 22, 2026, at 8:00 PM UTC", "2026-04-22T20:00:00",
        "2026-04-22T20:00:00+00:00", "UTC", S_UTC),
    row("Wednesday, April 22, 2026, at 8:00 PM", "2026-04-22T20:00:00",
        "2026-04-22T19:00:00+00:00", None, EL),
    row("Wednesday, April 22, 2026 at 8:00 PM (BST)", "2026-04-22T20:00:00",
        "2026-04-22T19:00:00+00:00", "BST", AGREE),
    row("April 22, 2026 8:00 pm utc", "2026-04-22T20:00:00", "2026-04-22T20:00:00+00:00",
        "UTC", S_UTC),
    row("14 April 2022 at 10:00 BST", "2022-04-14T10:00:00", "2022-04-14T09:00:00+00:00",
        "BST", AGREE),
    row("25 November 2021 08:40 BST", "2021-11-25T08:40:00", "2021-11-25T08:40:00+00:00",
        "BST", OVER, CONTRA),
    row("31 October 2021 01:30", "2021-10-31T01:30:00", None, None, U_FOLD, FOLD),
    row("31 October 2021 01:30 BST", "2021-10-31T01:30:00", "2021-10-31T00:30:00+00:00",
        "BST", R_FOLD, FOLD),
    # "on ..." is not one of the module's own prose shapes: dateparser reads it, and a
    # date alone stays a date (no invented midnight, no instant).
    row("on the 19th October, 2021", "2021-10-19", None, None, None, DP),
    row("on 19 October 2021", "2021-10-19", None, None, None, DP),
    row("on Wednesday, April 22, 2026", "2026-04-22", None, None, None, DP),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), PROSE)
def test_prose(raw: str, expected: tuple) -> None:
    check(parse_stamp(raw), expected)


BASE_A = datetime(2023, 10, 1, 9, 0)
BASE_B = datetime(2023, 6, 15, 17, 45)
BASE_C = datetime(2022, 10, 1, 0, 0)


def based(raw, base, local_iso, at_iso=None, tz_label=None, tz_policy=None, *flags, id):
    return pytest.param(raw, base, (local_iso, at_iso, tz_label, tz_policy, list(flags)), id=id)


# fmt: off
BASED = [
    # the weekday decides the year: 2023-10-14 is the only Saturday 14 October in 2021..2024
    based("Saturday the 14th October", BASE_A, "2023-10-14", None, None, None, BY_WD,
          id="sat14-A"),
    based("Saturday the 14th October", BASE_B, "2023-10-14", None, None, None, BY_WD,
          id="sat14-B"),
    based("Saturday the 14th October", BASE_C, "2023-10-14", None, None, None, BY_WD,
          id="sat14-C"),
    based("Saturday the 15th October", BASE_A, "2022-10-15", None, None, None, BY_WD,
          id="sat15-A"),
    based("Sat 14th Oct", BASE_A, "2023-10-14", None, None, None, BY_WD, id="sat14-abbr"),
    based("Saturday the 14th October at 10:00", BASE_A, "2023-10-14T10:00:00",
          "2023-10-14T09:00:00+00:00", None, EL, BY_WD, id="sat14-time"),
    based("Saturday the 14th October 01:30 (GMT)", BASE_A, "2023-10-14T01:30:00",
          "2023-10-14T00:30:00+00:00", "GMT", OVER, BY_WD, CONTRA, id="sat14-gmt-in-summer"),
    based("Sunday 29th October 01:30", BASE_A, "2023-10-29T01:30:00", None, None, U_FOLD,
          BY_WD, FOLD, id="sun29-fold"),
    based("1:00 AM on Saturday the 14th October", BASE_A, "2023-10-14T01:00:00",
          "2023-10-14T00:00:00+00:00", None, EL, BY_WD, id="time-first-weekday"),
    # no weekday: the nearest year
    based("14th October", BASE_A, "2023-10-14", None, None, None, NEAR, id="14oct-A"),
    based("14th October", datetime(2024, 3, 1), "2023-10-14", None, None, None, NEAR,
          id="14oct-mar24"),
    based("14th October", datetime(2024, 6, 1), "2024-10-14", None, None, None, NEAR,
          id="14oct-jun24"),
    based("October 14 10:00", datetime(2024, 6, 1), "2024-10-14T10:00:00",
          "2024-10-14T09:00:00+00:00", None, EL, NEAR, id="oct14-mdy-time"),
    based("29th February", BASE_A, "2024-02-29", None, None, None, NEAR, id="29feb"),
    # relative dates only against a real base; a bare relative date has no time of day
    based("yesterday", BASE_A, "2023-09-30", None, None, None, DP, id="yesterday"),
    based("yesterday at 10:00", BASE_A, "2023-09-30T10:00:00", "2023-09-30T09:00:00+00:00",
          None, EL, DP, id="yesterday-10"),
    based("2 hours ago", BASE_A, "2023-10-01T07:00:00", "2023-10-01T06:00:00+00:00", None, EL,
          DP, id="2h-ago"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "base", "expected"), BASED)
def test_prose_with_base(raw: str, base: datetime, expected: tuple) -> None:
    check(parse_stamp(raw, base=base), expected)


@pytest.mark.parametrize(
    ("raw", "base", "warning_start"),
    [
        ("Saturday the 14th October", None, "no year in"),
        ("14th October", None, "no year in"),
        ("Saturday the 14th October", datetime(2025, 1, 1), "no year fits"),
        ("Saturday the 14th October", datetime(2025, 6, 1), "no year fits"),
        ("yesterday", None, "unreadable timestamp"),
        ("yesterday at 10:00", None, "unreadable timestamp"),
        ("now", None, "unreadable timestamp"),
        ("today", None, "unreadable timestamp"),
        ("2 hours ago", None, "unreadable timestamp"),
        ("in 3 days", None, "unreadable timestamp"),
    ],
)
def test_no_base_no_guess(raw: str, base: datetime | None, warning_start: str) -> None:
    """Without a base (or with one no year fits) nothing is inferred and no clock is read."""
    stamp = parse_stamp(raw, base=base)
    assert stamp.local is None
    assert stamp.at is None
    assert stamp.warning is not None and stamp.warning.startswith(warning_start)


BASE_FREE = [p.values[0] for p in NUMERIC_SHAPES + PROSE] + [
    "31/10/2021 01:30",
    "28/03/2021 01:30 (BST)",
    "04/22/2026 10:00 AM",
    "31/02/2022 10:00",
    "hello world",
    "2022-04-14T09:35:00Z",
]


@pytest.mark.parametrize("raw", BASE_FREE)
def test_base_does_not_matter_when_the_text_is_complete(raw: str) -> None:
    """A full date reads the same whatever the base: the base is not a disguised clock."""
    plain = parse_stamp(raw)
    assert parse_stamp(raw, base=BASE_A) == plain
    assert parse_stamp(raw, base=BASE_C) == plain
    assert parse_stamp(raw, base=datetime(1990, 1, 1)) == plain


@pytest.mark.parametrize(
    ("raw", "bases", "local_isos"),
    [
        (
            "14th October",
            (datetime(2024, 3, 1), datetime(2024, 6, 1)),
            ("2023-10-14", "2024-10-14"),
        ),
        ("yesterday", (BASE_A, BASE_B), ("2023-09-30", "2023-06-14")),
        ("2 hours ago", (BASE_A, BASE_B), ("2023-10-01T07:00:00", "2023-06-15T15:45:00")),
    ],
)
def test_base_decides_only_where_it_must(raw: str, bases: tuple, local_isos: tuple) -> None:
    """Where the base matters the answer follows it, and repeats exactly for the same base."""
    for base, local_iso in zip(bases, local_isos, strict=True):
        first = parse_stamp(raw, base=base)
        assert first.local_iso == local_iso
        assert parse_stamp(raw, base=base) == first


# --------------------------------------------------------------------------------------
# UTC on both sides of the 2021 and 2022 clock changes
# --------------------------------------------------------------------------------------

# fmt: off
CLOCK_CHANGES = [
    # spring 2021: 28/03/2021 01:00 GMT -> 02:00 BST
    ("27/03/2021 12:00", "2021-03-27T12:00:00+00:00"),
    ("27/03/2021 23:59", "2021-03-27T23:59:00+00:00"),
    ("28/03/2021 00:00", "2021-03-28T00:00:00+00:00"),
    ("28/03/2021 00:59", "2021-03-28T00:59:00+00:00"),
    ("28/03/2021 02:00", "2021-03-28T01:00:00+00:00"),
    ("28/03/2021 03:00", "2021-03-28T02:00:00+00:00"),
    ("28/03/2021 12:00", "2021-03-28T11:00:00+00:00"),
    ("29/03/2021 00:30", "2021-03-28T23:30:00+00:00"),
    ("29/03/2021 12:00", "2021-03-29T11:00:00+00:00"),
    ("28/03/2021 12:30:00 AM", "2021-03-28T00:30:00+00:00"),
    ("28/03/2021 2:30:00 AM", "2021-03-28T01:30:00+00:00"),
    # autumn 2021: 31/10/2021 02:00 BST -> 01:00 GMT
    ("30/10/2021 12:00", "2021-10-30T11:00:00+00:00"),
    ("30/10/2021 23:59", "2021-10-30T22:59:00+00:00"),
    ("31/10/2021 00:00", "2021-10-30T23:00:00+00:00"),
    ("31/10/2021 00:59", "2021-10-30T23:59:00+00:00"),
    ("31/10/2021 02:00", "2021-10-31T02:00:00+00:00"),
    ("31/10/2021 03:00", "2021-10-31T03:00:00+00:00"),
    ("31/10/2021 12:00", "2021-10-31T12:00:00+00:00"),
    ("01/11/2021 00:30", "2021-11-01T00:30:00+00:00"),
    ("01/11/2021 12:00", "2021-11-01T12:00:00+00:00"),
    ("31/10/2021 12:30:00 AM", "2021-10-30T23:30:00+00:00"),
    ("31/10/2021 2:30:00 AM", "2021-10-31T02:30:00+00:00"),
    # spring 2022: 27/03/2022 01:00 GMT -> 02:00 BST
    ("26/03/2022 12:00", "2022-03-26T12:00:00+00:00"),
    ("26/03/2022 23:59", "2022-03-26T23:59:00+00:00"),
    ("27/03/2022 00:59", "2022-03-27T00:59:00+00:00"),
    ("27/03/2022 02:00", "2022-03-27T01:00:00+00:00"),
    ("27/03/2022 12:00", "2022-03-27T11:00:00+00:00"),
    ("28/03/2022 00:30", "2022-03-27T23:30:00+00:00"),
    ("28/03/2022 12:00", "2022-03-28T11:00:00+00:00"),
    # autumn 2022: 30/10/2022 02:00 BST -> 01:00 GMT
    ("29/10/2022 12:00", "2022-10-29T11:00:00+00:00"),
    ("29/10/2022 23:59", "2022-10-29T22:59:00+00:00"),
    ("30/10/2022 00:59", "2022-10-29T23:59:00+00:00"),
    ("30/10/2022 02:00", "2022-10-30T02:00:00+00:00"),
    ("30/10/2022 12:00", "2022-10-30T12:00:00+00:00"),
    ("31/10/2022 00:30", "2022-10-31T00:30:00+00:00"),
    ("31/10/2022 12:00", "2022-10-31T12:00:00+00:00"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "at_iso"), CLOCK_CHANGES)
def test_utc_either_side_of_clock_changes(raw: str, at_iso: str) -> None:
    stamp = parse_stamp(raw)
    assert stamp.at_iso == at_iso
    assert stamp.tz_policy == EL
    assert stamp.flags == []
    assert stamp.at.astimezone(LONDON).replace(tzinfo=None) == stamp.local


# --------------------------------------------------------------------------------------
# The autumn fold and the spring gap: a label decides, otherwise no instant
# --------------------------------------------------------------------------------------

# fmt: off
FOLD_AND_GAP = [
    # autumn fold 2021: 01:00-01:59 happens twice
    row("31/10/2021 01:30", "2021-10-31T01:30:00", None, None, U_FOLD, FOLD),
    row("31/10/2021 01:00", "2021-10-31T01:00:00", None, None, U_FOLD, FOLD),
    row("31/10/2021 01:59:59", "2021-10-31T01:59:59", None, None, U_FOLD, FOLD),
    row("31/10/2021 1:30:00 AM", "2021-10-31T01:30:00", None, None, U_FOLD, FOLD),
    row("31/10/2021 01:30 (BST)", "2021-10-31T01:30:00", "2021-10-31T00:30:00+00:00", "BST",
        R_FOLD, FOLD),
    row("31/10/2021 01:30 (GMT)", "2021-10-31T01:30:00", "2021-10-31T01:30:00+00:00", "GMT",
        R_FOLD, FOLD),
    row("31/10/2021 01:30BST", "2021-10-31T01:30:00", "2021-10-31T00:30:00+00:00", "BST",
        R_FOLD, FOLD),
    row("31/10/2021 1:30:00 AM (GMT)", "2021-10-31T01:30:00", "2021-10-31T01:30:00+00:00",
        "GMT", R_FOLD, FOLD),
    row("31/10/2021 01:30 UTC", "2021-10-31T01:30:00", "2021-10-31T01:30:00+00:00", "UTC",
        S_UTC),
    # autumn fold 2022
    row("30/10/2022 01:15", "2022-10-30T01:15:00", None, None, U_FOLD, FOLD),
    row("30/10/2022 01:15 (BST)", "2022-10-30T01:15:00", "2022-10-30T00:15:00+00:00", "BST",
        R_FOLD, FOLD),
    row("30/10/2022 01:15 (GMT)", "2022-10-30T01:15:00", "2022-10-30T01:15:00+00:00", "GMT",
        R_FOLD, FOLD),
    # spring gap 2021: 01:00-01:59 never happens
    row("28/03/2021 01:30", "2021-03-28T01:30:00", None, None, U_GAP, GAP),
    row("28/03/2021 01:00", "2021-03-28T01:00:00", None, None, U_GAP, GAP),
    row("28/03/2021 01:59:59", "2021-03-28T01:59:59", None, None, U_GAP, GAP),
    row("28/03/2021 1:30:00 AM", "2021-03-28T01:30:00", None, None, U_GAP, GAP),
    row("28/03/2021 01:30 (BST)", "2021-03-28T01:30:00", "2021-03-28T00:30:00+00:00", "BST",
        R_GAP, GAP),
    row("28/03/2021 01:30 (GMT)", "2021-03-28T01:30:00", "2021-03-28T01:30:00+00:00", "GMT",
        R_GAP, GAP),
    row("28/03/2021 01:30 UTC", "2021-03-28T01:30:00", "2021-03-28T01:30:00+00:00", "UTC",
        S_UTC),
    # spring gap 2022
    row("27/03/2022 01:45", "2022-03-27T01:45:00", None, None, U_GAP, GAP),
    row("27/03/2022 01:45 (BST)", "2022-03-27T01:45:00", "2022-03-27T00:45:00+00:00", "BST",
        R_GAP, GAP),
    row("27/03/2022 01:45 (GMT)", "2022-03-27T01:45:00", "2022-03-27T01:45:00+00:00", "GMT",
        R_GAP, GAP),
    # the dateparser path follows the same policy
    row("2021-10-31 01:30", "2021-10-31T01:30:00", None, None, U_FOLD, DP, FOLD),
    row("2021-03-28 01:30", "2021-03-28T01:30:00", None, None, U_GAP, DP, GAP),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), FOLD_AND_GAP)
def test_fold_and_gap(raw: str, expected: tuple) -> None:
    check(parse_stamp(raw), expected)


# --------------------------------------------------------------------------------------
# Labels that contradict the season: the wall time wins
# --------------------------------------------------------------------------------------

# fmt: off
CONTRADICTIONS = [
    row("25-11-2021 08:40:00 AM (BST)", "2021-11-25T08:40:00", "2021-11-25T08:40:00+00:00",
        "BST", OVER, CONTRA),
    row("25/11/2021 08:40 BST", "2021-11-25T08:40:00", "2021-11-25T08:40:00+00:00", "BST",
        OVER, CONTRA),
    row("14/07/2022 08:40 (GMT)", "2022-07-14T08:40:00", "2022-07-14T07:40:00+00:00", "GMT",
        OVER, CONTRA),
    row("14/07/2022 08:40:00 PM (GMT)", "2022-07-14T20:40:00", "2022-07-14T19:40:00+00:00",
        "GMT", OVER, CONTRA),
    # just outside the changes, the season (not the label) still decides
    row("28/03/2021 00:30 (BST)", "2021-03-28T00:30:00", "2021-03-28T00:30:00+00:00", "BST",
        OVER, CONTRA),
    row("28/03/2021 02:30 (GMT)", "2021-03-28T02:30:00", "2021-03-28T01:30:00+00:00", "GMT",
        OVER, CONTRA),
    row("31/10/2021 00:30 (GMT)", "2021-10-31T00:30:00", "2021-10-30T23:30:00+00:00", "GMT",
        OVER, CONTRA),
    row("31/10/2021 02:30 (BST)", "2021-10-31T02:30:00", "2021-10-31T02:30:00+00:00", "BST",
        OVER, CONTRA),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), CONTRADICTIONS)
def test_label_contradicting_season(raw: str, expected: tuple) -> None:
    check(parse_stamp(raw), expected)


# --------------------------------------------------------------------------------------
# Month-first only where the caller allows it
# --------------------------------------------------------------------------------------

# fmt: off
MONTH_FIRST = [
    row("04/22/2026 10:00 AM", "2026-04-22T10:00:00", "2026-04-22T09:00:00+00:00", None, EL, MF),
    row("12/31/2025 11:59 PM", "2025-12-31T23:59:00", "2025-12-31T23:59:00+00:00", None, EL, MF),
    row("04/22/26 10:00 AM", "2026-04-22T10:00:00", "2026-04-22T09:00:00+00:00", None, EL,
        YY, MF),
    row("04/22/2026", "2026-04-22", None, None, None, MF),
    # a valid day-first reading stays day-first even when month-first is allowed
    row("04/05/2026 10:00 AM", "2026-05-04T10:00:00", "2026-05-04T09:00:00+00:00", None, EL),
    row("22/04/2026 10:00 AM", "2026-04-22T10:00:00", "2026-04-22T09:00:00+00:00", None, EL),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), MONTH_FIRST)
def test_month_first_when_allowed(raw: str, expected: tuple) -> None:
    check(parse_stamp(raw, month_first_ok=True), expected)


@pytest.mark.parametrize(
    "raw", ["04/22/2026 10:00 AM", "12/31/2025 11:59 PM", "04/22/2026", "13/13/2026 10:00"]
)
def test_month_first_refused_by_default(raw: str) -> None:
    stamp = parse_stamp(raw)
    assert stamp.local is None
    assert stamp.at is None
    assert stamp.warning == f"unreadable timestamp {raw!r}: month must be in 1..12"
    assert MF not in stamp.flags


def test_month_first_needs_a_real_day() -> None:
    stamp = parse_stamp("13/13/2026 10:00", month_first_ok=True)
    assert stamp.local is None and stamp.warning is not None


# --------------------------------------------------------------------------------------
# The dateparser fallback: ISO-ish shapes and stated offsets
# --------------------------------------------------------------------------------------

# fmt: off
FALLBACK = [
    row("2022-04-14T09:35", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL, DP),
    row("2022-04-14 09:35:00", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, EL, DP),
    row("2022-04-14", "2022-04-14", None, None, None, DP),
    row("2022-04-14 00:00", "2022-04-14T00:00:00", "2022-04-13T23:00:00+00:00", None, EL, DP),
    row("19 Oct 2021 10am", "2021-10-19T10:00:00", "2021-10-19T09:00:00+00:00", None, EL, DP),
    row("noon on 19 October 2021", "2021-10-19T12:00:00", "2021-10-19T11:00:00+00:00", None, EL,
        DP),
    row("at 10:00 on 19 October 2021 (BST)", "2021-10-19T10:00:00", "2021-10-19T09:00:00+00:00",
        "BST", AGREE, DP),
    # an offset or zone stated in the text is taken literally
    row("2022-04-14T09:35:00Z", "2022-04-14T09:35:00", "2022-04-14T09:35:00+00:00", "Z",
        S_UTC, DP),
    row("2022-04-14T09:35:00+00:00", "2022-04-14T09:35:00", "2022-04-14T09:35:00+00:00",
        "UTC+00:00", S_UTC, DP),
    row("2022-04-14T09:35:00+02:00", "2022-04-14T09:35:00", "2022-04-14T07:35:00+00:00",
        "UTC+02:00", S_OFF, DP),
    row("14/04/2022 09:35 -05:00", "2022-04-14T09:35:00", "2022-04-14T14:35:00+00:00",
        "UTC-05:00", S_OFF, DP),
    row("14 April 2022 at 10:00 EST", "2022-04-14T10:00:00", "2022-04-14T15:00:00+00:00",
        "EST", S_OFF, DP),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), FALLBACK)
def test_dateparser_fallback(raw: str, expected: tuple) -> None:
    check(parse_stamp(raw), expected)


# fmt: off
ZONE_WORDING = [
    # lower-case labels are the same evidence as upper-case ones; an offset from GMT names
    # the London zone it is
    row("14/04/2022 09:35 (bst)", "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", "BST",
        AGREE),
    row("14/04/2022 09:35 (utc)", "2022-04-14T09:35:00", "2022-04-14T09:35:00+00:00", "UTC",
        S_UTC),
    row("13/04/2022 10:15:00 AM (GMT+1)", "2022-04-13T10:15:00", "2022-04-13T09:15:00+00:00",
        "BST", AGREE),
    row("13/04/2022 10:15:00 AM BST (UTC+1)", "2022-04-13T10:15:00",
        "2022-04-13T09:15:00+00:00", "BST", AGREE),
    row("13/01/2022 10:15:00 AM (GMT+0)", "2022-01-13T10:15:00", "2022-01-13T10:15:00+00:00",
        "GMT", AGREE),
    row("13/04/2022 10:15:00 AM (GMT+0)", "2022-04-13T10:15:00", "2022-04-13T09:15:00+00:00",
        "GMT", OVER, "tz_label_contradicts_season"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), ZONE_WORDING)
def test_zone_wording_on_the_fast_path(raw: str, expected: tuple) -> None:
    stamp = parse_stamp(raw)
    check(stamp, expected)
    assert "parsed_by_dateparser" not in stamp.flags


# --------------------------------------------------------------------------------------
# Garbage never raises
# --------------------------------------------------------------------------------------

GARBAGE = [
    pytest.param("", id="empty"),
    pytest.param("   ", id="spaces"),
    pytest.param("\t\n\r ", id="whitespace"),
    pytest.param("31/02/2022 10:00", id="31-feb"),
    pytest.param("29/02/2022 10:00", id="29-feb-not-leap"),
    pytest.param("00/00/0000 00:00", id="zeros"),
    pytest.param("25:00", id="25-oclock"),
    pytest.param("09:35", id="time-only"),
    pytest.param("9:20:00 AM", id="time-only-ampm"),
    pytest.param("14/04/2022 24:10", id="hour-24"),
    pytest.param("14/04/2022 09:60", id="minute-60"),
    pytest.param("14/04/2022 09:35:60", id="second-60"),
    pytest.param("14/04/2022 25:00 PM", id="hour-25-pm"),
    pytest.param("99/99/9999", id="99s"),
    pytest.param("99/99/9999 99:99:99 PM (BST)", id="99s-full"),
    pytest.param("14/13/2022 10:00", id="month-13"),
    pytest.param("hello world", id="words"),
    pytest.param("Resolved", id="status-word"),
    pytest.param("TBC", id="tbc"),
    pytest.param("N/A", id="na"),
    pytest.param("--/--/---- --:--", id="dashes"),
    pytest.param("Monday", id="weekday-only"),
    pytest.param("October 2021", id="month-year"),
    pytest.param("1650000000", id="epoch-seconds"),
    pytest.param("1650000000000", id="epoch-millis"),
    pytest.param("Last updated 09/03/2017 17:30", id="label-prefix"),
    pytest.param("x" * 10_000, id="long-x"),
    pytest.param("a " * 5_000, id="long-words"),
    pytest.param("\x00", id="nul"),
    pytest.param("a\x00b", id="nul-inside"),
    pytest.param("\x00" * 100, id="nuls"),
    pytest.param("🎉", id="emoji"),
    pytest.param("🕐🕑🕒 📅", id="clock-emoji"),
    pytest.param("\u200b", id="zero-width-space"),
    pytest.param("\ufeff", id="bom"),
    pytest.param("ſat 14th October", id="long-s-weekday"),
    pytest.param("01/01/0001 00:00 +05:00", id="offset-before-year-1"),
    pytest.param("31/12/9999 23:59 -05:00", id="offset-after-year-9999"),
]


@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_never_raises(raw: str) -> None:
    stamp = parse_stamp(raw)
    assert stamp.local is None
    assert stamp.at is None
    assert stamp.local_iso is None and stamp.at_iso is None
    assert stamp.warning
    assert stamp.warning.startswith(("empty timestamp", "unreadable timestamp"))


@pytest.mark.parametrize(
    "raw",
    [
        "1 ſeptember 2021",  # long s folds to "s" under Unicode IGNORECASE: must not KeyError
        "ſeptember 1, 2021",
        "1 Auguſt 2021 10:00",
        "10:00 on 1 ſep 2021",
        "14/04/2022\x00 09:35",
        "14/04/2022 09:35 🎉",
        "١٤/٠٤/٢٠٢٢ ٠٩:٣٥",
        "14/04/2022 09:35 " * 500,
    ],
)
def test_odd_text_never_raises(raw: str) -> None:
    stamp = parse_stamp(raw)
    assert isinstance(stamp, Stamp)
    assert stamp.at is None or (stamp.at.tzinfo is UTC and stamp.local is not None)
    assert stamp.local is not None or stamp.warning


# --------------------------------------------------------------------------------------
# stamp_line: which whole lines are a notice's date line
# --------------------------------------------------------------------------------------

# fmt: off
STAMP_LINES = [
    ("14/04/2022 09:35:00 AM", "14/04/2022 09:35:00 AM", "2022-04-14T08:35:00+00:00", []),
    ("   14/04/2022 09:35:00 AM", "14/04/2022 09:35:00 AM", "2022-04-14T08:35:00+00:00", []),
    ("\t14/04/2022 09:35:00 AM (BST)  ", "14/04/2022 09:35:00 AM (BST)",
     "2022-04-14T08:35:00+00:00", []),
    ("14/04/2022 09:35:00 AM(BST)", "14/04/2022 09:35:00 AM(BST)", "2022-04-14T08:35:00+00:00",
     []),
    ("26-11-2021 19:25:00 PM", "26-11-2021 19:25:00 PM", "2021-11-26T19:25:00+00:00", [PM24]),
    ("16/04/2026 8:45:00 AM", "16/04/2026 8:45:00 AM", "2026-04-16T07:45:00+00:00", []),
    ("09/03/2017 17:30", "09/03/2017 17:30", "2017-03-09T17:30:00+00:00", []),
    ("25-11-2021 08:40:00 AM (BST)", "25-11-2021 08:40:00 AM (BST)", "2021-11-25T08:40:00+00:00",
     [CONTRA]),
    ("31/10/2021 01:30", "31/10/2021 01:30", None, [FOLD]),
]
# fmt: on


@pytest.mark.parametrize(("line", "raw", "at_iso", "flags"), STAMP_LINES)
def test_stamp_line_accepts(line: str, raw: str, at_iso: str | None, flags: list) -> None:
    stamp = stamp_line(line)
    assert stamp is not None
    assert stamp.raw == raw
    assert stamp.has_time is True
    assert stamp.at_iso == at_iso
    assert stamp.flags == flags
    assert stamp.warning is None


@pytest.mark.parametrize(
    "line",
    [
        "",
        "    ",
        "14/04/2022",  # date only
        "  14/04/2022  ",
        "14/04/2022 (BST)",
        "09:35",  # time only
        "9:35:00 AM",
        "09:35 (BST)",
        "14/04/2022 09:35:00 AM Resolved",  # text after
        "14/04/2022 09:35: Microsoft have",
        "14/04/2022 09:35 - update",
        "Updated 14/04/2022 09:35",  # text before
        "Last updated 09/03/2017 17:30",
        "(14/04/2022 09:35)",
        "14/04/2022 0935",
        "19th October, 2021 10:00",  # prose is not a date line
        "Saturday the 14th October 10:00",
    ],
)
def test_stamp_line_rejects(line: str) -> None:
    assert stamp_line(line) is None


def test_stamp_line_keeps_impossible_date_lines_with_a_warning() -> None:
    """A line shaped like a date line is still one; an impossible value carries a warning."""
    stamp = stamp_line("14/04/2022 24:10")
    assert stamp is not None
    assert stamp.local is None and stamp.at is None
    assert stamp.warning == (
        "unreadable timestamp '14/04/2022 24:10': time out of range: '14/04/2022 24:10'"
    )
    month_first = stamp_line("04/22/2026 10:00 AM")  # never month-first here
    assert month_first is not None and month_first.local is None and month_first.warning


# --------------------------------------------------------------------------------------
# match_stamp_at: a stamp at the start of update text
# --------------------------------------------------------------------------------------

# fmt: off
MATCH_AT = [
    ("26/07/2023 08:28:00 AMMicrosoft have identified", 0, "26/07/2023 08:28:00 AM",
     "2023-07-26T08:28:00", "2023-07-26T07:28:00+00:00", None, []),
    ("26/02/2026 15:00 PM: The root cause", 0, "26/02/2026 15:00 PM",
     "2026-02-26T15:00:00", "2026-02-26T15:00:00+00:00", None, [PM24]),
    ("26/07/2023 08:28:00 AM (BST) Next update", 0, "26/07/2023 08:28:00 AM (BST)",
     "2023-07-26T08:28:00", "2023-07-26T07:28:00+00:00", "BST", []),
    ("26/07/2023 08:28 BST  Next update", 0, "26/07/2023 08:28 BST",
     "2023-07-26T08:28:00", "2023-07-26T07:28:00+00:00", "BST", []),
    ("26/07/2023 08:28:00 amazing news", 0, "26/07/2023 08:28:00",
     "2023-07-26T08:28:00", "2023-07-26T07:28:00+00:00", None, []),
    ("16/04/2026 8:45:00 AM - Investigating", 0, "16/04/2026 8:45:00 AM",
     "2026-04-16T08:45:00", "2026-04-16T07:45:00+00:00", None, []),
    ("26/07/2023: resolved", 0, "26/07/2023", "2023-07-26", None, None, []),
    ("Update 26/07/2023 08:28 text", 7, "26/07/2023 08:28",
     "2023-07-26T08:28:00", "2023-07-26T07:28:00+00:00", None, []),
]
# fmt: on


@pytest.mark.parametrize(("text", "pos", "raw", "local_iso", "at_iso", "label", "flags"), MATCH_AT)
def test_match_stamp_at(text, pos, raw, local_iso, at_iso, label, flags) -> None:
    stamp = match_stamp_at(text, pos)
    assert stamp is not None
    assert stamp.raw == raw
    assert text[pos:].startswith(raw)
    assert (stamp.local_iso, stamp.at_iso, stamp.tz_label, stamp.flags) == (
        local_iso,
        at_iso,
        label,
        flags,
    )
    assert stamp.warning is None


def test_match_stamp_at_raw_ends_at_am() -> None:
    text = "26/07/2023 08:28:00 AMMicrosoft have"
    stamp = match_stamp_at(text)
    assert stamp is not None
    assert stamp.raw.endswith("AM")
    assert text[len(stamp.raw) :] == "Microsoft have"


def test_match_stamp_at_month_first() -> None:
    assert match_stamp_at("04/22/2026 10:00 AM next").local is None
    stamp = match_stamp_at("04/22/2026 10:00 AM next", month_first_ok=True)
    assert (stamp.local_iso, stamp.flags) == ("2026-04-22T10:00:00", [MF])


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        ("Microsoft have 26/07/2023 08:28", 0),  # not at the start
        ("  26/07/2023 08:28", 0),  # leading spaces are the caller's to skip
        ("Update 26/07/2023 08:28", 6),
        ("", 0),
        ("08:28 26/07/2023", 0),
        ("26th July 2023 08:28", 0),  # prose is not the fast path
    ],
)
def test_match_stamp_at_none(text: str, pos: int) -> None:
    assert match_stamp_at(text, pos) is None


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


def _check_invariants(stamp: Stamp) -> None:
    assert isinstance(stamp, Stamp)
    if stamp.at is not None:
        assert stamp.at.tzinfo is UTC
        assert stamp.local is not None and stamp.local.tzinfo is None
        assert stamp.has_time
        assert stamp.warning is None
        assert stamp.tz_policy is not None
    if stamp.local is None:
        assert stamp.at is None
        assert stamp.warning
    if stamp.tz_policy in (EL, AGREE, OVER, R_FOLD):
        assert stamp.at.astimezone(LONDON).replace(tzinfo=None) == stamp.local
    if stamp.tz_policy == S_UTC:
        assert stamp.at.replace(tzinfo=None) == stamp.local
    if stamp.tz_policy in (U_FOLD, U_GAP):
        assert stamp.at is None
        assert FOLD in stamp.flags or GAP in stamp.flags


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=80))
def test_property_arbitrary_text_never_raises(text: str) -> None:
    _check_invariants(parse_stamp(text))


@settings(max_examples=100, deadline=None, database=None)
@given(st.text(max_size=40), st.datetimes(), st.booleans())
def test_property_arbitrary_text_with_base(text: str, base: datetime, mfo: bool) -> None:
    _check_invariants(parse_stamp(text, base=base, month_first_ok=mfo))


@st.composite
def numeric_stamps(draw: st.DrawFn) -> str:
    """Valid and near-miss numeric stamps, so the fast path and the DST logic get exercised."""
    d = draw(st.integers(0, 35))
    m = draw(st.integers(0, 14))
    y = draw(st.sampled_from(["2021", "2022", "2023", "21", "22", "0001", "9999"]))
    sep = draw(st.sampled_from("/-."))
    text = f"{d:0{draw(st.integers(1, 2))}d}{sep}{m:02d}{sep}{y}"
    if draw(st.booleans()):
        h = draw(st.integers(0, 25))
        mi = draw(st.integers(0, 61))
        text += f" {h}:{mi:02d}"
        if draw(st.booleans()):
            text += f":{draw(st.integers(0, 60)):02d}"
        text += draw(st.sampled_from(["", " AM", " PM", "AM", " am", " p.m."]))
    text += draw(st.sampled_from(["", " (BST)", " (GMT)", "(BST)", " GMT", " UTC"]))
    return text


@settings(max_examples=500, deadline=None, database=None)
@given(numeric_stamps(), st.booleans())
def test_property_numeric_stamps(text: str, mfo: bool) -> None:
    stamp = parse_stamp(text, month_first_ok=mfo)
    _check_invariants(stamp)
    assert DP not in stamp.flags
    assert stamp.raw == text
    if not mfo and stamp.local is not None:
        assert stamp_line(text) == (stamp if stamp.has_time else None)
    at_start = match_stamp_at(text + " tail", month_first_ok=mfo)
    assert at_start is not None
    assert at_start.raw == stamp.raw
    assert summary(at_start) == summary(stamp)
    assert bool(at_start.warning) == bool(stamp.warning)


@settings(max_examples=300, deadline=None, database=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_property_round_trip_through_the_fast_path(moment: datetime) -> None:
    """Any wall time written day-first reads back as itself, with London's UTC instant."""
    moment = moment.replace(microsecond=0)
    stamp = parse_stamp(moment.strftime("%d/%m/%Y %H:%M:%S"))
    assert stamp.local == moment
    first = moment.replace(tzinfo=LONDON, fold=0)
    second = moment.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() == second.utcoffset():
        assert stamp.at == first.astimezone(UTC)
        assert stamp.tz_policy == EL
    else:
        assert stamp.at is None
        assert stamp.tz_policy in (U_FOLD, U_GAP)


@pytest.mark.parametrize(
    ("raw", "at"),
    [
        ("13/04/2022 10:15:00 AM (UTC+01:00)", "2022-04-13T09:15:00+00:00"),
        # ten hours ahead is no London label: not cut to "+1" and read as BST
        ("14/04/2022 09:35 UTC+10", "2022-04-13T23:35:00+00:00"),
    ],
)
def test_zone_offsets_are_read_whole(raw: str, at: str) -> None:
    assert parse_stamp(raw).at_iso == at
