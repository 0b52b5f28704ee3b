"""The seed page (../shared/seed/nhsmail-2022.txt): its 10 notices, every field checked by hand.

The seed sits beside the project, not in it (CI has it there too); set NOTICES_SEED to point
elsewhere. The expectations below were derived by reading the page, not from parser output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parsers import parse
from parsers.record import validate

SEED = Path(
    os.environ.get(
        "NOTICES_SEED", Path(__file__).resolve().parents[3] / "shared/seed/nhsmail-2022.txt"
    )
)
pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"seed page not found at {SEED}")

# (title, published_raw, published_local, published_at, tz_label, state_raw, state, category,
#  severity, reference)
EXPECTED = [
    ("Compromised Accounts – Applying MFA", "06/05/2022 10:50:00 AM (BST)",
     "2022-05-06T10:50:00", "2022-05-06T09:50:00+00:00", "BST", None, None, "information",
     None, None),
    ("INC28274463– HSSI – RESOLVED", "14/04/2022 09:35:00 AM",
     "2022-04-14T09:35:00", "2022-04-14T08:35:00+00:00", None, "RESOLVED", "resolved",
     "incident", "HSSI", "INC28274463"),
    ("NHSmail Security Enhancements", "12/04/2022 18:45:00 PM",
     "2022-04-12T18:45:00", "2022-04-12T17:45:00+00:00", None, None, None, "enhancement",
     None, None),
    (None, "21/03/2022 10:20:00 AM",
     "2022-03-21T10:20:00", "2022-03-21T10:20:00+00:00", None, "RESOLVED", "resolved",
     "incident", None, None),
    (None, "22/04/2022 11:05:00 AM",
     "2022-04-22T11:05:00", "2022-04-22T10:05:00+00:00", None, "RESOLVED", "resolved",
     "incident", None, None),
    (None, "17/02/2022 04:52:00 PM",
     "2022-02-17T16:52:00", "2022-02-17T16:52:00+00:00", None, "RESOLVED", "resolved",
     "incident", None, None),
    ("NHSmail Helpdesk Telephony Issue – RESOLVED", "26-11-2021 19:25:00 PM",
     "2021-11-26T19:25:00", "2021-11-26T19:25:00+00:00", None, "RESOLVED", "resolved",
     "incident", None, None),
    ("Intermittent Portal Slowness – RESOLVED", "18-11-2021 12:46:48 PM (GMT)",
     "2021-11-18T12:46:48", "2021-11-18T12:46:48+00:00", "GMT", "RESOLVED", "resolved",
     "incident", None, None),
    ("Planned NHS Extended DNS Service Maintenance", "11-11-2021 16:00:00 PM (GMT)",
     "2021-11-11T16:00:00", "2021-11-11T16:00:00+00:00", "GMT", None, None, "maintenance",
     None, None),
    ("NHSmail Helpdesk Telephony – Maintenance – COMPLETED", "18-10-2021 07:22:59 PM (BST)",
     "2021-10-18T19:22:59", "2021-10-18T18:22:59+00:00", "BST", "COMPLETED", "completed",
     "maintenance", None, None),
]  # fmt: skip
COLUMNS = (
    "title", "published_raw", "published_local", "published_at", "tz_label", "state_raw",
    "state", "category", "severity", "reference",
)  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list[dict]:
    result = parse("nhsmail", SEED.read_bytes())
    assert result.layout == "wp_listing"
    return result.records


def test_ten_notices_in_page_order(records: list[dict]) -> None:
    assert len(records) == 10


@pytest.mark.parametrize("i", range(10))
def test_every_field(records: list[dict], i: int) -> None:
    got = tuple(records[i][c] for c in COLUMNS)
    assert dict(zip(COLUMNS, got, strict=True)) == dict(zip(COLUMNS, EXPECTED[i], strict=True))
    assert validate(records[i]) == []
    assert records[i]["warnings"] == []


def test_untitled_notices_take_state_from_body_prefix(records: list[dict]) -> None:
    untitled = [r for r in records if r["title"] is None]
    assert len(untitled) == 3
    for r in untitled:
        assert r["state_source"] == "body_prefix"
        assert "title_missing" in r["flags"] and "summary_derived" in r["flags"]
        assert not r["summary"].upper().startswith("RESOLVED")
    assert untitled[0]["summary"] == (
        "We are aware of an issue preventing mail being sent via the High-Sending Relay."
    )
    assert untitled[0]["body"].startswith("RESOLVED- We are aware")  # body kept as shown


def test_24_hour_hour_with_pm_is_kept_and_flagged(records: list[dict]) -> None:
    flagged = [r["published_raw"] for r in records if "hour_24_with_pm" in r["flags"]]
    assert flagged == [
        "12/04/2022 18:45:00 PM",
        "26-11-2021 19:25:00 PM",
        "11-11-2021 16:00:00 PM (GMT)",
    ]


def test_thirty_minute_outage_window(records: list[dict]) -> None:
    r = records[6]
    assert r["window_raw"] == "between 19:25 and 19:55"
    assert (r["window_start_local"], r["window_end_local"]) == (
        "2021-11-26T19:25:00",
        "2021-11-26T19:55:00",
    )
    assert (r["window_start"], r["window_end"]) == (
        "2021-11-26T19:25:00+00:00",
        "2021-11-26T19:55:00+00:00",
    )
    assert "window_date_inferred" in r["flags"]
    assert r["stated_duration_minutes"] == 30


def test_maintenance_window_on_the_19th_october(records: list[dict]) -> None:
    r = records[9]
    assert r["window_raw"] == "between 1:00 AM and 1:30 AM on the 19th October, 2021"
    assert (r["window_start_local"], r["window_end_local"]) == (
        "2021-10-19T01:00:00",
        "2021-10-19T01:30:00",
    )
    assert (r["window_start"], r["window_end"]) == (
        "2021-10-19T00:00:00+00:00",
        "2021-10-19T00:30:00+00:00",
    )
    assert "window_date_inferred" not in r["flags"]


def test_no_window_or_duration_invented(records: list[dict]) -> None:
    for i in (0, 1, 2, 3, 4, 5, 7, 8):
        assert records[i]["window_raw"] is None, i
        assert records[i]["stated_duration_minutes"] is None, i


def test_keys_are_references_or_readable_fallbacks(records: list[dict]) -> None:
    keys = [r["notice_key"] for r in records]
    assert keys[1] == "nhsmail:INC28274463"
    assert keys[3] == "nhsmail:20220321T1020:we-are-aware-of-an-issue-preventing-mail"
    assert keys[6] == "nhsmail:20211126T1925:nhsmail-helpdesk-telephony-issue"
    assert len(set(keys)) == 10


def test_page_furniture_is_not_body(records: list[dict]) -> None:
    assert all("back to top" not in r["body"] for r in records)
    assert records[9]["body"].startswith("COMPLETED: The NHSmail Helpdesk Telephony Service")
