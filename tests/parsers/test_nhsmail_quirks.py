"""NHSmail quirks found by review and by the hold-out pages: one table per defect, real-shaped
input lines, exact values. Each case names the quirk it pins down."""

from __future__ import annotations

import codecs
import json
import re
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest

from parsers import parse
from parsers.lines import is_chrome, page_lines
from parsers.nhsmail.labels import read_labelled
from parsers.record import validate
from parsers.timestamps import match_stamp_at, parse_stamp
from parsers.windows import find_window, stated_duration_minutes
from tests.golden import FIXTURES

FETCHED = datetime(2023, 4, 3, 8, 30, tzinfo=UTC)


def records(content: bytes | str, url: str | None = None) -> list[dict[str, Any]]:
    result = parse("nhsmail", content, url=url, fetched_at=FETCHED)
    for record in result.records:
        assert validate(record) == [], record
    return result.records


def html(body: str) -> str:
    return f"<!DOCTYPE html><html><body><main>{body}</main></body></html>"


def article(n: int, classes: str, title: str, when: str, text: str) -> str:
    return (
        f'<article class="post-{n} post type-post status-publish {classes}">'
        f'<h2 class="entry-title"><a href="https://support.nhs.net/2023/03/p{n}/">{title}</a></h2>'
        f'<div class="entry-meta"><time class="entry-date">{when}</time></div>'
        f'<div class="entry-content"><p>{text}</p></div></article>'
    )


# --- 1. furniture: whole class tokens, aria-hidden kept, Elementor chrome dropped -----------

LISTING = html(
    article(
        1,
        "category-service-status tag-exchange-online",
        "INC33500001 – Delayed Email – RESOLVED",
        "29/03/2023 10:12:00 AM",
        "RESOLVED – Email was delayed.",
    )
    + article(
        2,
        "category-microsoft-365 tag-sharepoint-online",
        "Microsoft 365 Alert – SharePoint Online – Files slow to open – RESOLVED",
        "28/03/2023 10:12:00 AM",
        "NHSmail Reference: INC33500002",
    )
    + article(
        3,
        "category-cyber-security tag-social-engineering tag-cookie-theft",
        "Threat: Social engineering calls to Local Administrators",
        "27/03/2023 10:12:00 AM",
        "Callers pretending to be the Helpdesk are asking for passwords.",
    )
)


def test_tag_classes_naming_share_social_cookie_keep_their_notice() -> None:
    got = [(r["title"], r["published_local"]) for r in records(LISTING)]
    assert got == [
        ("INC33500001 – Delayed Email – RESOLVED", "2023-03-29T10:12:00"),
        (
            "Microsoft 365 Alert – SharePoint Online – Files slow to open – RESOLVED",
            "2023-03-28T10:12:00",
        ),
        ("Threat: Social engineering calls to Local Administrators", "2023-03-27T10:12:00"),
    ]


@pytest.mark.parametrize(
    "furniture",
    [
        '<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3><p>Twitter</p></div>',
        '<div class="share-buttons"><p>Share on Facebook</p></div>',
        '<ul class="social-links"><li>Follow us on X</li></ul>',
        '<div id="cookie-notice"><p>We use cookies on this site.</p></div>',
        '<div class="cookie-law-info-bar"><p>We use cookies on this site.</p></div>',
        # a title and a date line, by their classes, inside furniture: neither shows
        '<div class="sidebar"><h4 class="widget-title">Recent Posts</h4>'
        '<p class="posted-on">30/03/2023 09:00:00 AM</p><p>Portal Slowness</p></div>',
    ],
)
def test_share_social_cookie_widgets_are_dropped(furniture: str) -> None:
    page = html(
        '<article class="post-9 post"><h1 class="entry-title">INC33500009 – Relay Delays – '
        'RESOLVED</h1><p>29/03/2023 10:12:00 AM</p><div class="entry-content">'
        f"<p>RESOLVED – Relay mail was delayed.</p>{furniture}</div></article>"
    )
    [record] = records(page)
    assert record["body"] == "RESOLVED – Relay mail was delayed."


def test_collapsed_accordion_panel_with_aria_hidden_is_read() -> None:
    page = (
        '<html><body><div id="content"><h1>Service Status</h1>'
        "<p>Last updated: 09/03/2017 17:30</p>"
        '<div id="accordion" class="ui-accordion" role="tablist">'
        '<h3 class="ui-accordion-header" role="tab">Portal Known Issues</h3>'
        '<div class="ui-accordion-content" role="tabpanel" aria-hidden="true" '
        'style="display:none"><p><strong>Bulk account upload reports Unknown error</strong></p>'
        "<p>Bulk upload files containing more than 500 rows may end with the message Unknown "
        "error.</p></div></div></div></body></html>"
    )
    [record] = records(page, url="http://support.nhs.net/servicestatus")
    assert record["title"] == "Bulk account upload reports Unknown error"
    assert record["section"] == "Portal Known Issues"
    assert record["body"] == (
        "Bulk upload files containing more than 500 rows may end with the message Unknown error."
    )


def test_elementor_footer_is_dropped() -> None:
    page = (
        "<html><body>"
        '<div data-elementor-type="wp-page" class="elementor">'
        '<h3 class="elementor-post__title">INC28010077 – Portal Search Slowness – RESOLVED</h3>'
        '<div class="elementor-post__meta-data"><span class="elementor-post-date">'
        "25/03/2022 16:55:00 PM</span></div>"
        '<div class="elementor-post__excerpt"><p>RESOLVED – Search times are back to normal.</p>'
        "</div></div>"
        '<div data-elementor-type="footer" class="elementor elementor-location-footer">'
        "<p>© 2022 NHSmail Support · Accessibility · Privacy</p></div></body></html>"
    )
    [record] = records(page, url="https://support.nhs.net/2022/03/portal-search-slowness/")
    assert record["body"] == "RESOLVED – Search times are back to normal."


# --- 12. what lxml refuses: XML declaration, control characters from entities; BOMs ---------

POST = (
    '<h1 class="entry-title">INC30766572 – NHSmail Password Issue – RESOLVED</h1>'
    "<p>27/07/2022 10:50:00 AM (BST)</p><p>Issue Status: RESOLVED</p>"
)


@pytest.mark.parametrize(
    "page",
    [
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
        'Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body><article>{POST}</article></body></html>',
        html(f"<article>{POST}</article>").replace("RESOLVED</h1>", "RESOLVED&#8</h1>"),
        html(f"<article>{POST}</article>").replace("Issue Status:", "&#x1f;&#11;Issue Status:"),
    ],
    ids=["xml-declaration", "h1-ends-in-&#8", "hex-and-decimal-control-refs"],
)
def test_html_lxml_would_refuse_still_parses(page: str) -> None:
    for content in (page, page.encode()):
        [record] = records(content)
        assert record["title"] == "INC30766572 – NHSmail Password Issue – RESOLVED"
        assert record["state_raw"] == "RESOLVED"
        assert record["published_local"] == "2022-07-27T10:50:00"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_text_with_a_utf16_or_utf32_bom_decodes(encoding: str) -> None:
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[encoding]
    text = "INC28274463 – HSSI – RESOLVED\n\n14/04/2022 09:35:00 AM\n\nRESOLVED – Portal back.\n"
    [record] = records(bom + text.encode(encoding))
    assert record["title"] == "INC28274463 – HSSI – RESOLVED"
    assert record["published_local"] == "2022-04-14T09:35:00"


# --- 2. chrome lines never reach a body --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chrome"),
    [
        ("Read More »", True),
        ("Read more", True),
        ("Continue reading …", True),
        ("Continue reading →", True),
        ("« Older Entries", True),
        ("Newer Entries »", True),
        ("« Previous Next »", True),
        ("Older posts", True),
        ("Page 2 of 4", True),
        ("Tag: Outage", True),
        ("Category Archives: Service Status", True),
        ("Author: NHSmail Service Desk", True),
        ("Month: April 2020", True),
        ("Read more about the new relay settings in the knowledge base.", False),
        ("Issue Status: RESOLVED", False),
        ("Next update by: 22/04/2026 20:00", False),
        # a person's copy of a post: breadcrumb, share heading, related posts, copyright
        ("Home » Service Status » INC25195556", True),
        ("Home › Service Status", True),
        ("You are here: Home » Service Status", True),
        ("Share this:", True),
        ("Share this post:", True),
        ("Like this:", True),
        ("Related", True),
        ("Related Posts", True),
        ("Previous post", True),
        ("Next post", True),
        ("© Crown copyright", True),
        ("© NHS Digital 2022", True),
        ("Copyright © 2023 NHS England", True),
        ("Home working users may see a delay.", False),
        ("Related issues with Outlook are being investigated.", False),
        ("(c) Users must restart Outlook.", False),
        ("Copyright material may not be attached.", False),
        ("Twitter", False),  # only under "Share this:" (test below)
    ],
)
def test_chrome_lines(text: str, chrome: bool) -> None:
    assert is_chrome(text) is chrome


def test_paragraphs_in_html_are_separated_like_a_persons_copy() -> None:
    page = page_lines(html("<p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul>"))
    assert [line.text for line in page.lines] == ["One", "", "Two", "Three", "", "a", "b"]


ELEMENTOR_COPY = """Latest Updates

INC28010077 – Portal Search Slowness – RESOLVED
25/03/2022 16:55:00 PM
RESOLVED – Searches in the NHSmail Portal were taking much longer than usual this […]

Read More »

Information – Retirement of Legacy POP and IMAP Hostnames
21/03/2022 10:00:00 AM
The old POP and IMAP hostnames are being retired …

Continue reading …

Threat: Fake ‘NHS COVID Pass’ emails asking for payment
23/03/2022 12:40:00 PM
Do not click the links or enter card details.

« Older Entries
"""


def test_listing_chrome_and_excerpt_markers_leave_the_body() -> None:
    got = [(r["body"], "excerpt" in r["flags"]) for r in records(ELEMENTOR_COPY)]
    assert got == [
        (
            "RESOLVED – Searches in the NHSmail Portal were taking much longer than usual this",
            True,
        ),
        ("The old POP and IMAP hostnames are being retired", True),
        ("Do not click the links or enter card details.", False),
    ]


# --- 5. timestamps: upper-case meridiem running on, dateparser input capped ------------------


@pytest.mark.parametrize(
    ("text", "local_iso", "rest"),
    [
        ("09/09/2022 08:40:00 PMthe portal was slow", "2022-09-09T20:40:00", "the portal was slow"),
        ("26/07/2023 08:28:00 AMMicrosoft have", "2023-07-26T08:28:00", "Microsoft have"),
        ("09/09/2022 08:40:00 PM– engineers", "2022-09-09T20:40:00", "– engineers"),
        ("09/09/2022 08:40:00 P.M. engineers", "2022-09-09T20:40:00", " engineers"),
        ("09/09/2022 08:40 pmx", "2022-09-09T08:40:00", " pmx"),  # lower case: not a meridiem
        ("09/09/2022 08:40 ampersand", "2022-09-09T08:40:00", " ampersand"),
    ],
)
def test_meridiem_running_into_text(text: str, local_iso: str, rest: str) -> None:
    stamp = match_stamp_at(text)
    assert stamp is not None
    assert stamp.local_iso == local_iso
    assert text[len(stamp.raw) :] == rest


def test_long_text_never_reaches_dateparser() -> None:
    line = "Wednesday, April 22, " * 8000  # 160 kB
    started = time.perf_counter()
    stamp = parse_stamp(line, base=datetime(2026, 4, 20), month_first_ok=True)
    assert time.perf_counter() - started < 0.1
    assert stamp.local is None
    assert stamp.warning is not None and stamp.warning.startswith("unreadable timestamp (too long)")
    assert len(stamp.warning) < 150


def test_long_next_update_line_is_a_short_warning() -> None:
    text = (
        "INC46757577 – Delay in Mail Delivery – ONGOING\n\n26/02/2026 13:00 PM\n\n"
        "Next update by: " + "Wednesday, April 22, " * 8000 + "\n"
    )
    started = time.perf_counter()
    [record] = records(text)
    assert time.perf_counter() - started < 1
    assert [u["at"] for u in record["updates"]] == [None]
    assert all(len(w) < 200 for w in record["warnings"])


# --- 3/4. windows: the notice's own clock only; meridiem, hrs, last night, overflow -----------

W = "window_date_inferred"
PREV = "window_date_inferred_previous_day"
NIGHT = "window_crosses_midnight"
LINE = "window_date_from_line"


@pytest.mark.parametrize(
    ("text", "base", "start", "end", "flags"),
    [
        ("between 9:30 and 10:15pm", date(2022, 3, 1),
         "2022-03-01T21:30:00", "2022-03-01T22:15:00", [W]),
        ("between 11:00 and 1:00pm", date(2022, 3, 1),  # 23:00 would run backwards
         "2022-03-01T11:00:00", "2022-03-01T13:00:00", [W]),
        ("between 9:30am and 10:15pm", date(2022, 3, 1),
         "2022-03-01T09:30:00", "2022-03-01T22:15:00", [W]),
        ("between 22:00hrs and 23:30hrs on Wednesday 26th February", datetime(2020, 2, 27, 6, 30),
         "2020-02-26T22:00:00", "2020-02-26T23:30:00", ["year_inferred_from_weekday"]),
        ("between 2200hrs and 0130hrs", date(2020, 2, 26),
         "2020-02-26T22:00:00", "2020-02-27T01:30:00", [W, NIGHT]),
        ("between 10.00 hours and 11.30 hours", date(2020, 2, 26),
         "2020-02-26T10:00:00", "2020-02-26T11:30:00", [W]),
        ("between 18:00 PM and 19:00 PM", date(2022, 3, 1),
         "2022-03-01T18:00:00", "2022-03-01T19:00:00", ["hour_24_with_pm", W]),
        ("between 15:00 on the 29th of March and 17:00 on the 30th March", date(2022, 3, 21),
         "2022-03-29T15:00:00", "2022-03-30T17:00:00", ["year_inferred"]),
        # a past-tense report posted just after midnight: the night before
        ("Messages were held between 23:00 and 23:45 last night.", datetime(2022, 3, 27, 0, 15),
         "2022-03-26T23:00:00", "2022-03-26T23:45:00", [W, PREV]),
        # an announcement of a later window keeps the notice's day
        ("The Portal will be unavailable between 22:00 and 23:00.", datetime(2022, 3, 1, 10),
         "2022-03-01T22:00:00", "2022-03-01T23:00:00", [W]),
        ("Maintenance between 22:00 and 23:00 for the relay.", datetime(2022, 3, 1, 10),
         "2022-03-01T22:00:00", "2022-03-01T23:00:00", [W]),
        # a date line without a time of day cannot say the window is later than the notice
        ("Mail was delayed between 23:00 and 23:45.", date(2022, 3, 27),
         "2022-03-27T23:00:00", "2022-03-27T23:45:00", [W]),
        # "may not have received": a past report, so the evening before
        ("Some users may not have received email between 22:00 and 23:30.",
         datetime(2022, 2, 17, 9, 15), "2022-02-16T22:00:00", "2022-02-16T23:30:00", [W, PREV]),
        # the window's date stated before its times, not the notice's date
        ("The relay will be unavailable on 3rd January 2023 between 21:00 and 23:00.",
         datetime(2022, 12, 20, 9), "2023-01-03T21:00:00", "2023-01-03T23:00:00", [LINE]),
        ("The relay will be unavailable on Tuesday 03/01/2023 from 21:00 until 23:00.",
         datetime(2022, 12, 20, 9), "2023-01-03T21:00:00", "2023-01-03T23:00:00", [LINE]),
        ("Planned works on Saturday 14th October between 01:00 and 08:00.", date(2023, 10, 9),
         "2023-10-14T01:00:00", "2023-10-14T08:00:00", ["year_inferred_from_weekday", LINE]),
        # a later update's own stamp dates its "this morning", not the notice's date
        ("Final Update: 26/11/2021 09:15:00 AM – Email traffic was delayed between 06:00 and "
         "07:30 this morning.", datetime(2021, 11, 25, 8, 40),
         "2021-11-26T06:00:00", "2021-11-26T07:30:00", [LINE, W]),
        # a date in the sentence that is not the window's, and "may" the verb
        ("Users on Windows 10 may experience issues between 10:00 and 11:00 today.",
         datetime(2023, 1, 5, 9), "2023-01-05T10:00:00", "2023-01-05T11:00:00", [W]),
        ("Following the incident on 3rd January, between 10:00 and 11:00 today users will "
         "be unable to log in.", datetime(2023, 1, 5, 9),
         "2023-01-05T10:00:00", "2023-01-05T11:00:00", [W]),
        ("Further to the update on 3rd January, maintenance will take place between 22:00 "
         "and 23:00.", datetime(2023, 1, 5, 9), "2023-01-05T22:00:00", "2023-01-05T23:00:00",
         [W]),
        ("Further to our notice of 2/1/23, users were unable to connect between 06:00 and "
         "07:30 this morning.", datetime(2023, 1, 5, 9),
         "2023-01-05T06:00:00", "2023-01-05T07:30:00", [W]),
        ("Version 6.1 was released on 2/1/23. Users were unable to log in between 06:00 and "
         "07:00.", datetime(2023, 1, 5, 9), "2023-01-05T06:00:00", "2023-01-05T07:00:00", [W]),
        ("Microsoft will be deploying updates between 22:00 and 23:00 tonight.",
         datetime(2023, 1, 5, 9), "2023-01-05T22:00:00", "2023-01-05T23:00:00", [W]),
        ("The service may be unavailable between 22:00 and 23:00.", datetime(2023, 1, 5, 9),
         "2023-01-05T22:00:00", "2023-01-05T23:00:00", [W]),
        ("On 3rd January, between 08:00 and 08:30 users were unable to connect.",
         datetime(2023, 1, 5, 9), "2023-01-03T08:00:00", "2023-01-03T08:30:00",
         ["year_inferred", LINE]),
        ("The Portal was not available between 06:00 and 07:00 this morning.",
         datetime(2022, 3, 1, 9), "2022-03-01T06:00:00", "2022-03-01T07:00:00", [W]),
        ("Some users were unable to open attachments between 09:00 and 10:30.",
         datetime(2023, 5, 4, 12), "2023-05-04T09:00:00", "2023-05-04T10:30:00", [W]),
        # "emails sent between" reports the past: the evening before a notice after midnight
        ("Current Update: 27/11/2021 00:30:00 AM – Users are experiencing delays to emails "
         "sent between 23:00 and 23:45.", datetime(2021, 11, 26, 23, 50),
         "2021-11-26T23:00:00", "2021-11-26T23:45:00", [LINE, W, PREV]),
        # "On <date>" after a label; "overnight" after the times; a run-on "PMMicrosoft"
        ("Description: On Saturday the 14th October, emails sent or received between the "
         "hours of 01:00 and 08:00 may not have been delivered.", datetime(2023, 10, 16, 14, 57),
         "2023-10-14T01:00:00", "2023-10-14T08:00:00", ["year_inferred_from_weekday", LINE]),
        ("Maintenance will take place on Saturday 6th May between 22:00 and 02:00 overnight.",
         datetime(2023, 5, 4, 9), "2023-05-06T22:00:00", "2023-05-07T02:00:00",
         ["year_inferred_from_weekday", LINE, NIGHT]),
        ("Final Update : 26/07/2023 08:28:00 PMMicrosoft have completed the change. Users "
         "were affected between 18:00 and 19:30.", datetime(2023, 7, 25, 10),
         "2023-07-26T18:00:00", "2023-07-26T19:30:00", [LINE, W]),
        ("Final Update: 27/11/2021 09:15:00 AM – Following the issue first reported on "
         "26/11/2021, email was delayed between 06:00 and 07:30 this morning.",
         datetime(2021, 11, 26, 19, 40), "2021-11-27T06:00:00", "2021-11-27T07:30:00", [LINE, W]),
        # "On <date>" after a stamp, or before another date; a date after "overnight on"
        ("Issue Reported: 16/10/2023 09:00:00 AM On Saturday 14th October emails sent between "
         "01:00 and 08:00 may not have been delivered.", datetime(2023, 10, 16, 9),
         "2023-10-14T01:00:00", "2023-10-14T08:00:00", ["year_inferred_from_weekday", LINE]),
        ("On Saturday 6th May, following the issue reported on 3rd May, the Portal will be "
         "unavailable between 22:00 and 23:00.", datetime(2023, 5, 4, 9),
         "2023-05-06T22:00:00", "2023-05-06T23:00:00", ["year_inferred_from_weekday", LINE]),
        ("Maintenance will take place between 23:00 and 01:00 overnight on Saturday 6th May.",
         datetime(2023, 5, 4, 9), "2023-05-06T23:00:00", "2023-05-07T01:00:00",
         ["year_inferred_from_weekday", NIGHT]),
        ("Microsoft are deploying a fix between 22:00 and 23:00.", datetime(2023, 5, 12, 9),
         "2023-05-12T22:00:00", "2023-05-12T23:00:00", [W]),
        # a night given as two days starts on the first
        ("Maintenance will take place overnight on Saturday 14th / Sunday 15th October "
         "between 22:00 and 02:00.", datetime(2023, 10, 10, 9),
         "2023-10-14T22:00:00", "2023-10-15T02:00:00",
         ["year_inferred_from_weekday", LINE, NIGHT]),
        ("Maintenance will take place overnight on 14-15 October between 22:00 and 02:00.",
         datetime(2023, 10, 10, 9), "2023-10-14T22:00:00", "2023-10-15T02:00:00",
         ["year_inferred", LINE, NIGHT]),
        # mail already sent: the evening before, though its delivery "may be delayed"
        ("Emails sent between 23:00 and 23:45 may be delayed in reaching recipients.",
         datetime(2021, 11, 27, 0, 30), "2021-11-26T23:00:00", "2021-11-26T23:45:00", [W, PREV]),
        # an update's stamp inside the line, after another sentence
        ("Users may be unable to access Teams. Current Update: 22/04/2026 08:40:00 AM– "
         "Microsoft identified that users were impacted between 06:00 and 07:30.",
         datetime(2026, 4, 16, 8, 45), "2026-04-22T06:00:00", "2026-04-22T07:30:00", [LINE, W]),
        # a date opening the sentence dates it; words before the date do not undo that
        ("On Saturday 6th May the Portal will be unavailable between 22:00 and 23:00.",
         datetime(2023, 5, 4, 9), "2023-05-06T22:00:00", "2023-05-06T23:00:00",
         ["year_inferred_from_weekday", LINE]),
        ("On 26/11/2021 users were unable to log in between 19:25 and 19:55.",
         datetime(2021, 11, 29, 9), "2021-11-26T19:25:00", "2021-11-26T19:55:00", [LINE]),
        ("As advised in today's update, the Portal will be unavailable on Saturday 6th May "
         "between 22:00 and 23:00.", datetime(2023, 5, 4, 9),
         "2023-05-06T22:00:00", "2023-05-06T23:00:00", ["year_inferred_from_weekday", LINE]),
        # "approx." ends no sentence for the tense either; wording weaker than "will"
        ("Users will be unable to log in for approx. 30 minutes between 22:00 and 22:30.",
         datetime(2023, 5, 12, 9), "2023-05-12T22:00:00", "2023-05-12T22:30:00", [W]),
        ("Microsoft will deploy the update between 22:00 and 23:00 tonight.",
         datetime(2023, 5, 12, 9), "2023-05-12T22:00:00", "2023-05-12T23:00:00", [W]),
        ("Users may experience brief interruptions between 22:00 and 23:00.",
         datetime(2023, 5, 12, 9), "2023-05-12T22:00:00", "2023-05-12T23:00:00", [W]),
        # an update's stamp written with dashes, as the 2021 posts do
        ("Final Update : 27-11-2021 09:15:00 AM – Email traffic was delayed between 06:00 and "
         "07:30 this morning.", datetime(2021, 11, 26, 19, 40),
         "2021-11-27T06:00:00", "2021-11-27T07:30:00", [LINE, W]),
        ("Email was delayed between 06:00-07:30 this morning.", datetime(2022, 3, 1, 9),
         "2022-03-01T06:00:00", "2022-03-01T07:30:00", [W]),
        ("Mail was delayed between 22:00 and 02:00 on the night of Saturday 5th January.",
         date(2018, 12, 28), "2019-01-05T22:00:00", "2019-01-06T02:00:00",
         ["year_inferred_from_weekday", NIGHT]),
    ],
)  # fmt: skip
def test_window(text: str, base: date, start: str, end: str, flags: list[str]) -> None:
    window = find_window(text, base)
    assert window is not None and window.start is not None and window.end is not None
    assert (window.start.local_iso, window.end.local_iso, window.flags) == (start, end, flags)
    assert window.warnings == []


@pytest.mark.parametrize(
    ("text", "base", "why"),
    [
        ("The Portal was unavailable between 19:00 and 20:00 this evening.", None,
         "the prose gives no date and the notice has none"),
        ("The Portal was unavailable between 19:00 and 20:00 on Tuesday 5th March.", None,
         "its date has no year and the notice has no date"),
        ("The Portal was unavailable between 10:00 and 11:00 this morning.",
         datetime(2022, 3, 1, 9), "starts after the notice was written, on the same day"),
        ("The Portal was unavailable between 23:30 and 00:30.", datetime(2022, 3, 1, 0, 15),
         "starts after the notice was written and still ends after it a day earlier"),
        ("RESOLVED – outage between 23:00 and 01:00.", date(9999, 12, 31),
         "its dates are out of range"),
        # later than the notice, and neither "will" nor "was" says which day
        ("Email delivery delays between 22:00 and 23:30.", datetime(2022, 2, 17, 9, 15),
         "starts after the notice was written, and its wording says neither will nor was"),

        ("Email was delayed on 31st February between 10:00 and 11:00.", date(2022, 3, 1),
         "the date before it ('31st February') cannot be read"),
    ],
)  # fmt: skip
def test_window_that_cannot_be_dated(text: str, base: date | None, why: str) -> None:
    window = find_window(text, base)
    assert window is not None
    assert (window.start, window.end) == (None, None)
    [warning] = window.warnings
    assert warning.startswith("window_date_unknown: ") and warning.endswith(why)


@pytest.mark.parametrize(
    "text",
    [
        "We expect to provide a further update between 14:00 and 15:00 today.",
        "The Helpdesk will be open from 08:00 to 18:00, Monday to Friday.",
        "Calls are answered between 8am and 6pm on weekdays.",
        "Support is available between 09:00 and 17:00 daily.",
        "We will provide an update between 14:00 and 15:00 today.",
        "Over Christmas the Helpdesk telephony line will be staffed between 08:00 and 18:00 "
        "on the 24th December.",
        "The service desk is open from 09:00 to 13:00 on Boxing Day.",
        "The Helpdesk remains available between 08:00 and 18:00 on weekdays.",
    ],
)
def test_times_that_are_not_a_window(text: str) -> None:
    assert find_window(text, datetime(2022, 5, 14, 9)) is None


@pytest.mark.parametrize(
    ("text", "start", "end", "policy", "flags"),
    [
        ("Delays sending email between 14:00 and 16:30 UTC on Tuesday 18th July.",
         "2023-07-18T14:00:00+00:00", "2023-07-18T16:30:00+00:00", "stated_utc",
         ["year_inferred_from_weekday"]),
        # GMT in July: the label is wrong for the season; London's clock is kept, flagged
        ("Maintenance between 20:00 and 22:00 GMT on Saturday 15th July.",
         "2023-07-15T19:00:00+00:00", "2023-07-15T21:00:00+00:00",
         "europe_london_label_overruled",
         ["year_inferred_from_weekday", "tz_label_contradicts_season"]),
        ("Maintenance between 20:00 (GMT) and 22:00 (GMT) on Saturday 18th November.",
         "2023-11-18T20:00:00+00:00", "2023-11-18T22:00:00+00:00",
         "europe_london_label_agrees", ["year_inferred_from_weekday"]),
        # each end in its own zone
        ("Between 14:00 UTC and 16:00 BST on 7th June 2023 maintenance will take place.",
         "2023-06-07T14:00:00+00:00", "2023-06-07T15:00:00+00:00", "stated_utc", []),
    ],
)  # fmt: skip
def test_window_zone_label(text: str, start: str, end: str, policy: str, flags: list[str]) -> None:
    window = find_window(text, date(2023, 7, 21))
    assert window is not None and window.start is not None and window.end is not None
    assert (window.start.at_iso, window.end.at_iso) == (start, end)
    assert window.start.tz_policy == policy
    assert window.flags == flags


def test_window_in_a_later_update_takes_its_day() -> None:
    text = (
        "INC25195556 – Delayed Email Delivery – RESOLVED\n\n25/11/2021 08:40:00 AM\n\n"
        "Issue Status: RESOLVED\n\n"
        "Current Update: 25/11/2021 16:00:00 PM – Engineers continue to investigate.\n\n"
        "Final Update: 26/11/2021 09:15:00 AM – Email traffic was delayed between 06:00 and "
        "07:30 this morning. This incident is now resolved.\n"
    )
    [record] = records(text)
    assert (record["window_start_local"], record["window_end_local"]) == (
        "2021-11-26T06:00:00",
        "2021-11-26T07:30:00",
    )
    assert "window_date_from_line" in record["flags"]


def test_many_windows_that_cannot_be_placed_stay_linear() -> None:
    body = "The Portal was down between 10:00 and 11:00 this morning. " * 20000
    started = time.perf_counter()
    [record] = records(f"Portal – RESOLVED\n\n14/04/2022 09:35:00 AM\n\nRESOLVED – {body}\n")
    assert time.perf_counter() - started < 10  # a loose bound against quadratic scans only
    assert record["window_start"] is None
    assert record["warnings"] == [
        "window_date_unknown: 'between 10:00 and 11:00': starts after the notice was written, "
        "on the same day"
    ]


def test_windows_and_updates_never_take_the_fetch_time() -> None:
    text = (
        "Portal Issue – RESOLVED\n\n"
        "RESOLVED – The Portal was unavailable between 19:00 and 20:00 this evening.\n\n"
        "Next update by: Thursday 27th July at 18:00\n"
    )
    [record] = records(text, url="https://support.nhs.net/2023/07/portal-issue-resolved/")
    assert record["published_local"] is None
    assert [record[f] for f in ("window_raw", "window_start_local", "window_end_local")] == [
        None,
        None,
        None,
    ]
    assert [u["at_local"] for u in record["updates"]] == [None]
    assert any(
        w.startswith("window_date_unknown: 'between 19:00 and 20:00'") for w in record["warnings"]
    )


ACCORDION_THIS_MORNING = (
    "Service Status\n\nLast updated: {updated}\n\nHigh Severity Service Incidents\n\n"
    "  • Portal Unavailable – RESOLVED\n\n"
    "    RESOLVED – The Portal was unavailable between 07:40 and 08:20 this morning.\n"
)


def test_accordion_windows_never_take_the_pages_last_updated_day() -> None:
    """An undated item's "this morning" is the day it was written; the page's "Last
    updated" moves on as other items change, so its day is no window's: the times are
    kept raw, the day is unknown, and the item's key and content stay put."""
    got = []
    for updated in ("23/03/2017 09:10", "25/03/2017 16:00"):
        text = ACCORDION_THIS_MORNING.format(updated=updated)
        [record] = records(text, url="http://support.nhs.net/servicestatus")
        got.append(record)
    for record in got:
        assert record["window_raw"] == "between 07:40 and 08:20"
        assert (record["window_start_local"], record["window_start"]) == (None, None)
        assert record["warnings"] == [
            "window_date_unknown: 'between 07:40 and 08:20': the item states no day and has"
            " no date of its own (the page's Last updated is not when it was written)"
        ]
        assert W not in record["flags"]
    assert (
        got[0]["notice_key"] == got[1]["notice_key"] == ("nhsmail:undated:portal-unavailable:T0740")
    )
    fields = [{k: v for k, v in r.items() if not k.startswith("page_updated")} for r in got]
    assert fields[0] == fields[1]


# --- 6. states: the leading word of Issue Status; only NHSmail's words start a body ------------


def post(title: str, body: str, when: str = "12/03/2019 09:30:00 AM") -> str:
    return f"{title}\n\n{when}\n\n{body}\n"


@pytest.mark.parametrize(
    ("status", "state_raw", "state"),
    [
        ("Resolved.", "Resolved", "resolved"),
        ("Resolved – service restored", "Resolved", "resolved"),
        ("RESOLVED - mail is flowing", "RESOLVED", "resolved"),
        ("Closed", "Closed", "resolved"),
        ("Open – awaiting Microsoft", "Open", "open"),
        ("In Progress.", "In Progress", "in_progress"),
    ],
)
def test_issue_status_leading_word(status: str, state_raw: str, state: str) -> None:
    [record] = records(
        post("Delayed Email", f"Issue Status: {status}\n\nDescription: Mail is late.")
    )
    assert (record["state_raw"], record["state"], record["state_source"]) == (
        state_raw,
        state,
        "issue_status",
    )
    assert record["warnings"] == []


def test_issue_status_without_a_state_word_is_a_warning() -> None:
    [record] = records(post("Delayed Email", "Issue Status: Awaiting Microsoft"))
    assert (record["state_raw"], record["state"]) == (None, None)
    assert record["warnings"] == ["unknown state word in Issue Status: 'Awaiting Microsoft'"]


@pytest.mark.parametrize(
    ("first_line", "state_raw", "state"),
    [
        ("RESOLVED – The NHSmail team are aware of an issue.", "RESOLVED", "resolved"),
        ("RESOLVED- We are aware of an issue.", "RESOLVED", "resolved"),
        ("RESTORED – Access to the Portal has been restored.", "RESTORED", "resolved"),
        ("COMPLETED: The planned update has finished.", "COMPLETED", "completed"),
        ("ONGOING – Engineers are investigating.", "ONGOING", "open"),
        ("MONITORING – A fix has been applied.", "MONITORING", "monitoring"),
        ("New: Shared mailboxes can now be created from the Portal.", None, None),
        ("Update: the Portal release adds bulk licence changes.", None, None),
        ("NEW – Message recall for NHSmail users.", None, None),
    ],
)
def test_body_prefix_states(first_line: str, state_raw: str | None, state: str | None) -> None:
    [record] = records(post("Portal Release 5.2", first_line))
    assert (record["state_raw"], record["state"]) == (state_raw, state)
    assert record["state_source"] == ("body_prefix" if state else None)


# --- 10. Office 365 Alert is an alert; durations need outage wording ---------------------------


def test_office_365_alert_is_an_alert() -> None:
    title = (
        "Office 365 Alert – Service Degradation – Exchange Online – Delays sending email to "
        "external recipients"
    )
    [record] = records(post(title, "Issue Status : Closed"))
    assert record["category"] == "alert"
    assert "category_inferred" not in record["flags"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("The NHSmail Portal was unavailable for approximately 35 minutes this afternoon.", 35),
        ("This outage lasted approximately 30 minutes between 19:25 and 19:55.", 30),
        ("an outage lasting 1 hour and 15 minutes", 75),
        ("The relay was down for 2 hours overnight.", 120),
        ("There was an outage of around 20 minutes.", 20),
        ("The Portal was offline for a period of 2 hours and 15 minutes.", 135),
        ("Permission changes can take a period of 24 hours to apply.", None),
        ("The period of unavailability is expected to last no more than 5 minutes.", None),
        ("Recordings are kept for 120 days.", None),
    ],
)
def test_stated_duration(text: str, minutes: int | None) -> None:
    assert stated_duration_minutes(text) == minutes


# --- 8. labelled lines: no colon, dashes, values below, inlined labels, block boundaries -------

BASE = datetime(2021, 11, 26, 9, 0)


@pytest.mark.parametrize(
    ("line", "label", "at_local", "text"),
    [
        ("Update 12/03/2019 01:15:00 AM - Engineers have restarted the gateway services.",
         "Update", "2019-03-12T01:15:00", "Engineers have restarted the gateway services."),
        ("Final Update – 09/09/2022 12:00:00 PM – The change has been reversed.",
         "Final Update", "2022-09-09T12:00:00", "The change has been reversed."),
        ("Final Update:- 11/03/2025 18:05 PM – Mail flow has been stable for thirty minutes.",
         "Final Update", "2025-03-11T18:05:00", "Mail flow has been stable for thirty minutes."),
        ("Current Update 26/11/2021 12:15:00 PM: Engineers are investigating.",
         "Current Update", "2021-11-26T12:15:00", "Engineers are investigating."),
        ("Current Update: 26/11/2021 – 11:15 – Calls are being connected again.",
         "Current Update", "2021-11-26T11:15:00", "Calls are being connected again."),
        ("Final Update: 26th November 2021 at 13:30 – resolved.",
         "Final Update", "2021-11-26T13:30:00", "resolved."),
        ("Current Update: 18/02/2025 21:40:00 PMengineers have now fully resolved the issue.",
         "Current Update", "2025-02-18T21:40:00", "engineers have now fully resolved the issue."),
        ("Final Update : 26/07/2023 08:28:00 AMMicrosoft have deployed a fix.",
         "Final Update", "2023-07-26T08:28:00", "Microsoft have deployed a fix."),
        ("Next update by: Thursday, July 27, 2023, at 6:00 PM UTC",
         "Next update by", "2023-07-27T18:00:00", ""),
        # numbered updates, a time in brackets, a dash or ":-" before the time
        ("Update 1 – 09/09/2022 10:00:00 AM – Engineers are investigating.",
         "Update", "2022-09-09T10:00:00", "Engineers are investigating."),
        ("Update 2: 09/09/2022 10:30:00 AM – A fix has been found.",
         "Update", "2022-09-09T10:30:00", "A fix has been found."),
        ("Update #3 - 09/09/2022 10:45 - Testing the fix.",
         "Update", "2022-09-09T10:45:00", "Testing the fix."),
        ("Update (09/09/2022 11:00:00 AM): A fix is being deployed.",
         "Update", "2022-09-09T11:00:00", "A fix is being deployed."),
        ("Final Update (09/09/2022 16:30) – Closed.",
         "Final Update", "2022-09-09T16:30:00", "Closed."),
        ("Current Update - 09/09/2022 13:00:00 PM: The fix has been deployed.",
         "Current Update", "2022-09-09T13:00:00", "The fix has been deployed."),
        ("Final Update:- 09/09/2022 14:30:00 PM – Resolved.",
         "Final Update", "2022-09-09T14:30:00", "Resolved."),
    ],
)  # fmt: skip
def test_update_line_shapes(line: str, label: str, at_local: str, text: str) -> None:
    [entry] = read_labelled([line], BASE).updates
    assert (entry["label"], entry["at_local"], entry["text"]) == (label, at_local, text)


@pytest.mark.parametrize(
    "line",
    [
        "Update the Outlook app to the latest version to fix this.",
        "Updated guidance is available in the knowledge base.",
        "Final update – the issue is resolved.",  # a dash without a date is prose
        "Status 2 of the relay queue has cleared.",
        "Update 10 users at a time to the new client.",
        "Update 2 – 3 users remain affected.",
        "Update (see below) for the new settings.",
    ],
)
def test_prose_that_is_not_a_label(line: str) -> None:
    labelled = read_labelled([line], BASE)
    assert (labelled.updates, labelled.details) == ([], {})


def test_labels_inlined_in_an_excerpt_are_split() -> None:
    line = (
        "NHSmail Reference: INC28011223 Microsoft Reference: EX345678 Issue Status: RESOLVED "
        "Issue Description: Message trace searches may not show recent messages. "
        "Final Update: 30/03/2022 14:10:00 PM – Microsoft have fixed the search."
    )
    labelled = read_labelled([line], BASE)
    assert labelled.details == {
        "nhsmail_reference": "INC28011223",
        "microsoft_reference": "EX345678",
        "issue_status": "RESOLVED",
        "description": "Message trace searches may not show recent messages.",
    }
    assert [(u["label"], u["at_local"], u["text"]) for u in labelled.updates] == [
        ("Final Update", "2022-03-30T14:10:00", "Microsoft have fixed the search.")
    ]


VALUE_BELOW_HTML = html(
    '<article><h1 class="entry-title">INC46757577 – Delay in Mail Delivery – RESOLVED</h1>'
    '<div class="entry-meta"><time class="entry-date">26/02/2026 13:00 PM</time></div>'
    '<div class="entry-content"><p><strong>Issue Status:</strong> RESOLVED</p>'
    "<p><strong>Issue Reported:</strong><br>26/02/2026 12:40 PM</p>"
    "<p><strong>Current Update:</strong><br>26/02/2026 15:00 PM<br>"
    "The root cause has been identified.</p>"
    "<p><strong>Final Update:</strong><br>26/02/2026 17:30 PM – The issue is resolved.</p>"
    "</div></article>"
)
VALUE_BELOW_TEXT = """INC46757577 – Delay in Mail Delivery – RESOLVED

26/02/2026 13:00 PM

Issue Status: RESOLVED

Issue Reported:
26/02/2026 12:40 PM

Current Update:
26/02/2026 15:00 PM
The root cause has been identified.

Final Update:
26/02/2026 17:30 PM – The issue is resolved.
"""


@pytest.mark.parametrize("page", [VALUE_BELOW_HTML, VALUE_BELOW_TEXT], ids=["html", "text"])
def test_label_value_on_the_next_line(page: str) -> None:
    for url in (None, "https://support.nhs.net/category/service-status/"):
        [record] = records(page, url=url)  # the value lines are not notices' date lines
        assert record["published_local"] == "2026-02-26T13:00:00"
        assert [(u["label"], u["at_local"], u["text"]) for u in record["updates"]] == [
            ("Issue Reported", "2026-02-26T12:40:00", ""),
            ("Current Update", "2026-02-26T15:00:00", "The root cause has been identified."),
            ("Final Update", "2026-02-26T17:30:00", "The issue is resolved."),
        ]
        assert record["details"] == {"issue_status": "RESOLVED"}


DETAILS_HTML = html(
    '<article><h1 class="entry-title">INC46455432 – Multifactor Authentication Issues – '
    "RESOLVED</h1><p>18/02/2025 21:40:00 PM</p>"
    "<p><strong>Issue Status:</strong> RESOLVED</p>"
    "<p><strong>Issue Description:</strong> Users could not complete MFA prompts.<br>"
    "Users of the NHS app were not affected.</p>"
    "<p><strong>Root Cause:</strong> A planned change to the MFA service.</p>"
    "<p>Thank you for your patience whilst we worked to resolve this issue.</p>"
    "<p>If you require additional help, the NHSmail helpdesk is available 24 hours a day.</p>"
    "</article>"
)
DETAILS_TEXT = """INC46455432 – Multifactor Authentication Issues – RESOLVED

18/02/2025 21:40:00 PM

Issue Status: RESOLVED

Issue Description: Users could not complete MFA prompts.
Users of the NHS app were not affected.

Root Cause: A planned change to the MFA service.

Thank you for your patience whilst we worked to resolve this issue.

If you require additional help, the NHSmail helpdesk is available 24 hours a day.
"""
DETAILS_FLAT = DETAILS_TEXT.replace("\n\n", "\n")  # a copy with no blank lines


@pytest.mark.parametrize(
    "page", [DETAILS_HTML, DETAILS_TEXT, DETAILS_FLAT], ids=["html", "text", "text-no-blanks"]
)
def test_details_stop_at_the_block_end_in_html_and_text_alike(page: str) -> None:
    [record] = records(page)
    assert record["details"] == {
        "issue_status": "RESOLVED",
        "description": "Users could not complete MFA prompts.\nUsers of the NHS app were not affected.",
        "root_cause": "A planned change to the MFA service.",
    }


# --- 9. keys and references: a mentioned INC is not the notice's; undated twins differ -------


@pytest.mark.parametrize(
    ("page", "url", "reference", "key", "references"),
    [
        ("\n15/07/2022 11:45:00 AM\nRESOLVED – Following on from INC28274463 yesterday, users "
         "can open encrypted messages again.\n", None, None,
         "nhsmail:20220715T1145:following-on-from-inc28274463-yesterday-users-can-open",
         [("INC28274463", "body")]),
        ("Encrypted Messages – RESOLVED\n\n15/07/2022 11:45:00 AM\n\nFurther to INC30701234 "
         "raised yesterday, users can open encrypted messages again.\n", None, None,
         "nhsmail:20220715T1145:encrypted-messages", [("INC30701234", "body")]),
        ("Encrypted Messages – RESOLVED\n\n15/07/2022 11:45:00 AM\n\nNHSmail Reference: "
         "INC30701299\n\nFurther to INC30701234 raised yesterday, all is well.\n", None,
         "INC30701299", "nhsmail:INC30701299",
         [("INC30701299", "body"), ("INC30701234", "body")]),
        ("Encrypted Messages – RESOLVED\n\n15/07/2022 11:45:00 AM\n\nFurther to INC30701234 "
         "raised yesterday, all is well.\n",
         "https://support.nhs.net/2022/07/inc30701299-encrypted-messages-resolved/",
         "INC30701299", "nhsmail:INC30701299",
         [("INC30701234", "body"), ("INC30701299", "url")]),
    ],
)  # fmt: skip
def test_primary_reference_is_the_notices_own(
    page: str, url: str | None, reference: str | None, key: str, references: list[tuple]
) -> None:
    [record] = records(page, url=url)
    assert (record["reference"], record["notice_key"]) == (reference, key)
    assert [(r["value"], r["where"]) for r in record["references"]] == references


STATUS_2017 = """Service Status

Last updated: 23/03/2017 09:10

Forward Schedule of Change

  • Portal – Maintenance – SCHEDULED

    The NHSmail Portal will be unavailable between 18:00 and 23:00 on Saturday 25th March 2017.

  • Portal – Maintenance – SCHEDULED

    The NHSmail Portal will be unavailable between 18:00 and 22:00 on Saturday 8th April 2017.

Known Issues

  • Outlook Web Access – Known Issue

    RESOLVED – Attachments cannot be previewed in Internet Explorer 8.

  • Outlook Web Access – Known Issue

    Calendar reminders may appear twice.
"""


def test_undated_items_with_the_same_title_get_distinct_keys() -> None:
    keys = [
        r["notice_key"] for r in records(STATUS_2017, url="http://support.nhs.net/servicestatus")
    ]
    assert keys == [
        "nhsmail:undated:portal-maintenance:20170325T1800",
        "nhsmail:undated:portal-maintenance:20170408T1800",
        "nhsmail:undated:outlook-web-access-known-issue:attachments-cannot-be-previewed-in",
        "nhsmail:undated:outlook-web-access-known-issue:calendar-reminders-may-appear-twice",
    ]


# --- 7. titles in a person's copy: bylines, archive chrome, bullet lists, no blank lines ------


def titles(page: str, url: str | None = None) -> list[tuple[str | None, str]]:
    return [(r["title"], r["published_raw"]) for r in records(page, url=url)]


BYLINES = """Author: NHSmail Service Desk

INC36101234 – Shared Mailbox Permissions Not Applying – RESOLVED

By NHSmail Service Desk

27/03/2023 11:10:00 AM (BST)

RESOLVED – Full access permissions were taking several hours to apply.

Posted in Service Status

By NHSmail Service Desk

24/03/2023 15:40:00 PM (GMT)

RESOLVED- Some users saw a certificate warning in the Mail app on Android devices.

Information – Teams Meeting Recordings Retention

Posted on 22/03/2023

22/03/2023 09:30:00 AM (GMT)

From 3rd April 2023, new Teams meeting recordings will be deleted after 120 days.
"""


def test_listing_address_without_date_lines_gives_nothing() -> None:
    assert records("Tag: Outage\n\nNothing here yet.\n", "https://support.nhs.net/tag/x/") == []


def test_bylines_between_title_and_date_are_skipped() -> None:
    got = records(BYLINES)
    assert [(r["title"], r["published_raw"]) for r in got] == [
        ("INC36101234 – Shared Mailbox Permissions Not Applying – RESOLVED",
         "27/03/2023 11:10:00 AM (BST)"),
        (None, "24/03/2023 15:40:00 PM (GMT)"),
        ("Information – Teams Meeting Recordings Retention", "22/03/2023 09:30:00 AM (GMT)"),
    ]  # fmt: skip
    # the untitled notice's byline is not the end of the notice above it
    assert (
        got[0]["body"] == "RESOLVED – Full access permissions were taking several hours to apply."
    )


TAG_FLAT = """# source: https://support.nhs.net/tag/outage/
# text as a person sees the page; whole page
# ---
Tag: Outage

05/03/2020 08:55:00 AM
RESOLVED – Shared calendars are opening normally again.

• INC06512345 – HSSI – Outlook Web Access Sign-in Failures – RESOLVED

04/03/2020 07:40:00 AM (GMT)
RESOLVED – Sign-in is working again.

NHSmail Relay Delays – CLOSED

02/03/2020 14:20:00 PM
Some messages sent through the NHSmail Relay were held up. The systems most affected were:
• Pathology results sent from laboratory systems
• Appointment letters sent from patient administration systems

28/02/2020 9:05 AM
RESTORED – Searching for users and groups in the NHSmail Portal works again.

iOS Mail App – Calendar Invitations Not Syncing – RESOLVED

27/02/2020 06:30:00 AM
RESOLVED – Invitations are syncing again.

Read More »

« Previous Next »
"""


def test_flat_copy_titles() -> None:
    got = records(TAG_FLAT)
    assert [(r["title"], r["published_raw"]) for r in got] == [
        (None, "05/03/2020 08:55:00 AM"),
        ("INC06512345 – HSSI – Outlook Web Access Sign-in Failures – RESOLVED",
         "04/03/2020 07:40:00 AM (GMT)"),
        ("NHSmail Relay Delays – CLOSED", "02/03/2020 14:20:00 PM"),
        (None, "28/02/2020 9:05 AM"),
        ("iOS Mail App – Calendar Invitations Not Syncing – RESOLVED", "27/02/2020 06:30:00 AM"),
    ]  # fmt: skip
    assert got[2]["body"].endswith("• Appointment letters sent from patient administration systems")
    assert got[4]["body"] == "RESOLVED – Invitations are syncing again."


INDENTED = """Category Archives: Service Status

Service notices for NHSmail, newest first

     30/10/2023 08:10:00 AM (BST)
    RESOLVED – Attachments can now be added as normal.

  • NHSmail Relay – Maintenance – COMPLETED

    29/10/2023 01:20:00 AM (BST)
    COMPLETED: Planned maintenance on the NHSmail Relay has finished.

  INC24000456 – Delayed Delivery to Gmail Recipients – UPDATE

    28/10/2023 12:30:00 PM
    Email sent from NHSmail to Gmail addresses is being delivered more slowly than usual.

Page 2 of 4
"""


def test_indented_copy_bylines_are_skipped() -> None:
    page = (
        "  • INC36101234 – Shared Mailbox Permissions Not Applying – RESOLVED\n\n"
        "    By NHSmail Service Desk\n\n"
        "    27/03/2023 11:10:00 AM (BST)\n"
        "    RESOLVED – Permissions apply within the usual time.\n\n"
        "    By NHSmail Service Desk\n\n"
        "     24/03/2023 15:40:00 PM (GMT)\n"
        "    RESOLVED- The certificate warning no longer appears.\n"
    )
    got = records(page)
    assert [(r["title"], r["published_raw"]) for r in got] == [
        ("INC36101234 – Shared Mailbox Permissions Not Applying – RESOLVED",
         "27/03/2023 11:10:00 AM (BST)"),
        (None, "24/03/2023 15:40:00 PM (GMT)"),
    ]  # fmt: skip
    assert got[0]["body"] == "RESOLVED – Permissions apply within the usual time."


def test_indented_copy_archive_text_is_not_a_title() -> None:
    assert titles(INDENTED) == [
        (None, "30/10/2023 08:10:00 AM (BST)"),
        ("NHSmail Relay – Maintenance – COMPLETED", "29/10/2023 01:20:00 AM (BST)"),
        ("INC24000456 – Delayed Delivery to Gmail Recipients – UPDATE", "28/10/2023 12:30:00 PM"),
    ]


NO_BLANKS = """Category: Service Notices
• INC44120011 – Delay in Mail Delivery – RESOLVED
12/06/2024 10:05:00 AM
Issue Status: RESOLVED
Final Update: 12/06/2024 11:20:00 AM – Mail is flowing normally. This incident is resolved.
Information – Retirement of Basic Authentication for SMTP Relay
10/06/2024 15:00 PM
From 1st July 2024 applications must use the supported connection settings.
INC44100022 – Teams Presence Not Updating – MONITORING
07/06/2024 9:40 AM
Issue Status: MONITORING
Current Update: 07/06/2024 13:15 PM – A fix has been rolled out.
05/06/2024 08:30:00 AM
RESOLVED – Reports can now be downloaded as normal.
Thank you for your patience
03/06/2024 14:30:00 PM (BST)
Shared mailboxes created from today will have a 100GB quota.
Page 1 of 6
"""


def test_copy_without_blank_lines_keeps_titles_right_above_dates() -> None:
    got = records(NO_BLANKS, url="https://support.nhs.net/category/service-notices/")
    assert [(r["title"], r["published_raw"], r["reference"]) for r in got] == [
        ("INC44120011 – Delay in Mail Delivery – RESOLVED", "12/06/2024 10:05:00 AM",
         "INC44120011"),
        ("Information – Retirement of Basic Authentication for SMTP Relay", "10/06/2024 15:00 PM",
         None),
        ("INC44100022 – Teams Presence Not Updating – MONITORING", "07/06/2024 9:40 AM",
         "INC44100022"),
        (None, "05/06/2024 08:30:00 AM", None),
        (None, "03/06/2024 14:30:00 PM (BST)", None),  # "Thank you…" is no title
    ]  # fmt: skip


def test_html_archive_heading_is_not_the_first_notices_title() -> None:
    page = (
        '<html><body><main><header class="page-header"><h1 class="page-title">Tag: Outage</h1>'
        "</header>"
        '<article class="post"><h2 class="entry-title"><a href="https://support.nhs.net/?p=1">'
        '</a></h2><div class="entry-meta"><time class="entry-date">05/03/2020 08:55:00 AM</time>'
        '</div><div class="entry-content"><p>RESOLVED – Calendars open again.</p></div></article>'
        '<article class="post"><h2 class="entry-title"><a href="https://support.nhs.net/?p=2">'
        "NHSmail Relay Delays – CLOSED</a></h2>"
        '<div class="entry-meta"><time class="entry-date">02/03/2020 14:20:00 PM</time></div>'
        '<div class="entry-content"><p>Some messages were held up.</p></div></article>'
        "</main></body></html>"
    )
    assert titles(page) == [
        (None, "05/03/2020 08:55:00 AM"),
        ("NHSmail Relay Delays – CLOSED", "02/03/2020 14:20:00 PM"),
    ]


def test_post_copy_byline_is_not_the_title() -> None:
    page = (
        "INC36101234 – Shared Mailbox Permissions Not Applying – RESOLVED\n\n"
        "By NHSmail Service Desk\n\nPosted in Service Status\n\n27/03/2023 11:10:00 AM (BST)\n\n"
        "Issue Status: RESOLVED\n"
    )
    url = "https://support.nhs.net/2023/03/shared-mailbox-permissions-not-applying-resolved/"
    assert titles(page, url) == [
        ("INC36101234 – Shared Mailbox Permissions Not Applying – RESOLVED",
         "27/03/2023 11:10:00 AM (BST)"),
    ]  # fmt: skip


# --- 11. a status page copied flat: an item's own lists are not items ---------------------------

STATUS_FLAT = """Service Status

Last updated: 04/06/2019 11:05

High Severity Service Incidents

• Threat: Fake Voicemail Notification Emails

CareCERT has seen a campaign of emails that claim to contain a new voicemail message.

Typical subject lines:

• You have (1) new voicemail message
• Missed call from an unknown number

Advice for users:
• Do not follow links.
• Report them to spamreports@nhs.net.

Known Issues

• Calendar invitations from Gmail show the wrong time

Some meeting invitations sent from Gmail accounts appear an hour out.
"""


def test_flat_status_page_lists_stay_in_their_item() -> None:
    got = records(STATUS_FLAT, url="https://portal.nhs.net/Help/servicestatus")
    assert [(r["title"], r["section"]) for r in got] == [
        ("Threat: Fake Voicemail Notification Emails", "High Severity Service Incidents"),
        ("Calendar invitations from Gmail show the wrong time", "Known Issues"),
    ]
    # "CareCERT has seen…" is the item's prose, not a "CareCERT…" section
    assert got[0]["body"].startswith("CareCERT has seen a campaign")
    assert got[0]["body"].split("\n")[-4:] == [
        "• Missed call from an unknown number",
        "Advice for users:",
        "• Do not follow links.",
        "• Report them to spamreports@nhs.net.",
    ]


# --- 12. an HTML listing: each post is its own notice, never titled by the post above ----------

LISTING_PAGE_2 = "https://support.nhs.net/category/service-status/page/2/"
PORTAL_EXCERPT = (
    "RESOLVED – The NHSmail team are aware of an issue which is preventing the NHSmail Portal "
    "from being accessible."
)
RELAY_TEXT = (
    "RESOLVED- We are aware of an issue preventing mail being sent via the High-Sending Relay."
)
# a short excerpt (under 200 characters: it would pass for a title) ends the first post
TITLED = (
    '<{tag} class="post-47322 post type-post status-publish hentry{extra}"><header '
    'class="entry-header"><h2 class="entry-title"><a href="/2022/04/inc28274463-hssi-resolved/">'
    "INC28274463&#8211; HSSI &#8211; RESOLVED</a></h2>"
    '<div class="entry-meta"><time class="entry-date published">14/04/2022 09:35:00 AM</time>'
    '</div></header><div class="entry-summary"><p>{excerpt}</p></div></{tag}>'
)
UNTITLED = (
    '<{tag} class="post-47340 post type-post status-publish hentry{extra}">{header}'
    '<div class="entry-summary"><p>' + RELAY_TEXT + "</p></div></{tag}>"
)
DATE = (
    '<div class="entry-meta"><time class="entry-date published">21/03/2022 10:20:00 AM</time></div>'
)


def listing_html(excerpt: str, header: str, tag: str = "article", extra: str = "") -> str:
    return html(
        '<header class="page-header"><h1 class="page-title">Category: Service Status</h1>'
        "</header>"
        + TITLED.format(tag=tag, extra=extra, excerpt=excerpt)
        + UNTITLED.format(tag=tag, extra=extra, header=header)
        + '<nav class="pagination"><span>Page 2 of 14</span></nav>'
    )


@pytest.mark.parametrize(
    "page",
    [
        # an empty entry header, the date line under it
        listing_html(PORTAL_EXCERPT + " [&hellip;]", '<header class="entry-header"></header>' + DATE),
        # the date line inside the entry header
        listing_html(PORTAL_EXCERPT + " [&hellip;]", f'<header class="entry-header">{DATE}</header>'),
        # the theme's more link inside the excerpt's paragraph
        listing_html(PORTAL_EXCERPT + ' &hellip; <a class="more-link" href="/2022/04/">Continue '
                     "reading</a>", DATE),
        # Elementor: each post a <div> with WordPress's post classes, no <article>
        listing_html(PORTAL_EXCERPT + " [&hellip;]", DATE, tag="div",
                     extra=" elementor-post elementor-grid-item"),
    ],
    ids=["empty-header", "date-in-header", "more-link", "elementor-div"],
)  # fmt: skip
def test_untitled_post_is_not_titled_by_the_excerpt_above(page: str) -> None:
    got = records(page, url=LISTING_PAGE_2)
    assert [(r["title"], r["published_raw"]) for r in got] == [
        ("INC28274463– HSSI – RESOLVED", "14/04/2022 09:35:00 AM"),
        (None, "21/03/2022 10:20:00 AM"),
    ]
    assert (got[0]["body"], "excerpt" in got[0]["flags"]) == (PORTAL_EXCERPT, True)
    assert got[1]["body"] == RELAY_TEXT
    assert "title_missing" in got[1]["flags"]
    assert got[1]["notice_key"] == "nhsmail:20220321T1020:we-are-aware-of-an-issue-preventing-mail"


LISTING_COPY = """# source: https://support.nhs.net/category/service-status/page/2/
# ---
  • INC28274463– HSSI – RESOLVED

    14/04/2022 09:35:00 AM
    RESOLVED – The NHSmail team are aware of an issue which is preventing the NHSmail Portal from being accessible. […]


    21/03/2022 10:20:00 AM
    RESOLVED- We are aware of an issue preventing mail being sent via the High-Sending Relay. […]

  • NHSmail Helpdesk Telephony Issue – RESOLVED

    26-11-2021 19:25:00 PM
    RESOLVED: Please note, we are aware of an issue which prevented users from connecting […]

back to top
"""


def test_untitled_notice_in_a_copy_of_the_same_listing() -> None:
    got = records(LISTING_COPY)
    assert [(r["title"], r["body"]) for r in got] == [
        ("INC28274463– HSSI – RESOLVED", PORTAL_EXCERPT),
        (None, RELAY_TEXT),
        ("NHSmail Helpdesk Telephony Issue – RESOLVED",
         "RESOLVED: Please note, we are aware of an issue which prevented users from connecting"),
    ]  # fmt: skip


# --- 13. a timeline label without a colon, its time on the next line ----------------------------

BARE_LABEL_COPY = """# source: https://support.nhs.net/tag/outage/
# ---
  • INC28274463– HSSI – RESOLVED

    14/04/2022 09:35:00 AM
    RESOLVED – The NHSmail team are aware of an issue which is preventing the NHSmail Portal from being accessible.
    Current Update
    14/04/2022 11:00:00 AM
    The portal is now accessible again.

  • NHSmail Security Enhancements

    12/04/2022 18:45:00 PM
    NHSmail constantly review and update the proactive security measures in place.

back to top
"""
BARE_LABEL_HTML = html(
    '<article class="post hentry"><h2 class="entry-title">INC28274463– HSSI – RESOLVED</h2>'
    '<div class="entry-meta"><time class="entry-date">14/04/2022 09:35:00 AM</time></div>'
    f'<div class="entry-content"><p>{PORTAL_EXCERPT}</p>'
    "<p><strong>Current Update</strong><br>14/04/2022 11:00:00 AM<br>"
    "The portal is now accessible again.</p></div></article>"
    '<article class="post hentry"><h2 class="entry-title">NHSmail Security Enhancements</h2>'
    '<div class="entry-meta"><time class="entry-date">12/04/2022 18:45:00 PM</time></div>'
    '<div class="entry-content"><p>NHSmail constantly review and update the proactive security '
    "measures in place.</p></div></article>"
)


@pytest.mark.parametrize("page", [BARE_LABEL_COPY, BARE_LABEL_HTML], ids=["text", "html"])
def test_timeline_label_without_a_colon_keeps_its_notice_whole(page: str) -> None:
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["published_raw"]) for r in got] == [
        ("INC28274463– HSSI – RESOLVED", "14/04/2022 09:35:00 AM"),
        ("NHSmail Security Enhancements", "12/04/2022 18:45:00 PM"),
    ]
    assert [
        {k: u[k] for k in ("label", "at_raw", "at_local", "at", "text")} for u in got[0]["updates"]
    ] == [
        {
            "label": "Current Update",
            "at_raw": "14/04/2022 11:00:00 AM",
            "at_local": "2022-04-14T11:00:00",
            "at": "2022-04-14T10:00:00+00:00",
            "text": "The portal is now accessible again.",
        }
    ]


@pytest.mark.parametrize("label", ["Final Update", "Latest Update", "Update", "Next update by"])
def test_known_timeline_labels_without_a_colon(label: str) -> None:
    body = [PORTAL_EXCERPT, label, "14/04/2022 11:00:00 AM", "The portal is now accessible again."]
    updates = read_labelled(body, datetime(2022, 4, 14, 9, 35)).updates
    assert [(u["label"], u["at_local"], u["text"]) for u in updates] == [
        (label, "2022-04-14T11:00:00", "The portal is now accessible again."),
    ]


def test_a_line_that_is_no_label_above_a_date_line_is_still_a_title() -> None:
    page = BARE_LABEL_COPY.replace("    Current Update\n", "\n  • Portal Access\n\n")
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["published_raw"]) for r in got] == [
        ("INC28274463– HSSI – RESOLVED", "14/04/2022 09:35:00 AM"),
        ("Portal Access", "14/04/2022 11:00:00 AM"),
        ("NHSmail Security Enhancements", "12/04/2022 18:45:00 PM"),
    ]
    assert got[0]["updates"] == []


def test_a_label_without_a_colon_needs_its_time_below() -> None:
    body = [PORTAL_EXCERPT, "Update", "The portal is now accessible again."]
    labelled = read_labelled(body, datetime(2022, 4, 14, 9, 35))
    assert labelled.updates == []


# --- 14. "– Update" ends an announcement's title: a revision, not a state ------------------------

PORTAL_RELEASE = (
    "Please note the Portal release previously announced for 22nd December has moved to "
    "January. Further details will follow."
)


@pytest.mark.parametrize(
    ("title", "state_raw", "state", "open_", "category"),
    [
        # an announcement (a category prefix that is not an incident's) revised
        ("Information – NHSmail Portal Release – Update", None, None, None, "information"),
        ("Informational – Helpdesk Opening Hours – UPDATED", None, None, None, "information"),
        ("Enhancement – Message Recall for NHSmail Users – UPDATE", None, None, None,
         "enhancement"),
        # other state words still end such titles
        ("Information – Portal Release – COMPLETED", "COMPLETED", "completed", False,
         "information"),
        # incidents and alerts keep UPDATE as their state (the hold-out pages show them)
        ("INC24000456 – Delayed Delivery to Gmail Recipients – UPDATE", "UPDATE", "open", True,
         "incident"),
        ("Outlook on the Web – HSSI – Unable to Access Mailboxes – UPDATE", "UPDATE", "open", True,
         "incident"),
        ("Microsoft 365 Alert – Service Degradation – Teams – Update", "Update", "open", True,
         "alert"),
    ],
)  # fmt: skip
def test_update_ending_a_title(
    title: str, state_raw: str | None, state: str | None, open_: bool | None, category: str
) -> None:
    [record] = records(post(title, PORTAL_RELEASE, "20/12/2022 09:00:00 AM (GMT)"))
    got = (record["state_raw"], record["state"], record["is_open"], record["category"])
    assert got == (state_raw, state, open_, category)


def test_update_ending_an_announcements_title_keeps_its_key() -> None:
    """The post retitled "… – Update" is the same notice as before."""
    page = post("Information – NHSmail Portal Release – Update", PORTAL_RELEASE)
    [updated] = records(page)
    [first] = records(page.replace(" – Update", ""))
    assert updated["notice_key"] == first["notice_key"]
    assert updated["notice_key"] == "nhsmail:20190312T0930:information-nhsmail-portal-release"


# --- 15. a WordPress page's own "Last updated": page_updated_*, never the body or published --

UPDATED_POST_HTML = html(
    '<article class="post type-post hentry"><header class="entry-header">'
    '<h1 class="entry-title">INC30766572 – NHSmail Password Issue – RESOLVED</h1>'
    '<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date '
    'published">27/07/2022 10:50:00 AM (BST)</time></span> '
    '<span class="updated">Last updated: 28/07/2022 09:00</span></div></header>'
    '<div class="entry-content"><p><strong>Issue Status:</strong> RESOLVED</p>'
    "<p><strong>Description:</strong> We are aware of an issue relating to new passwords.</p>"
    "</div></article>"
)
UPDATED_POST_TEXT = """INC40000001 – Outlook Issue – ONGOING

Last updated: 05/03/2024 17:30

Issue Status: ONGOING

Issue Description: Users may be unable to open Outlook.

Current Update: 05/03/2024 17:30 – Engineers are investigating.
"""


@pytest.mark.parametrize(
    ("page", "url", "raw", "local", "at", "published"),
    [
        (UPDATED_POST_HTML, "https://support.nhs.net/2022/07/inc30766572-nhsmail-password-issue/",
         "28/07/2022 09:00", "2022-07-28T09:00:00", "2022-07-28T08:00:00+00:00",
         "2022-07-27T10:50:00"),
        (UPDATED_POST_TEXT, "https://support.nhs.net/2024/03/inc40000001-outlook-issue/",
         "05/03/2024 17:30", "2024-03-05T17:30:00", "2024-03-05T17:30:00+00:00", None),
    ],
    ids=["html", "text-undated"],
)  # fmt: skip
def test_a_posts_last_updated_is_page_updated(
    page: str, url: str, raw: str, local: str, at: str, published: str | None
) -> None:
    [record] = records(page, url=url)
    got = (record["page_updated_raw"], record["page_updated_local"], record["page_updated_at"])
    assert got == (raw, local, at)
    assert record["published_local"] == published  # never the page's "Last updated"
    assert "Last updated" not in record["body"]
    assert record["body"].startswith("Issue Status:")


def test_a_posts_last_updated_dates_nothing_else() -> None:
    """A post's "Last updated" is when it was edited, not when the notice was written: a
    year-less update time is not read against it."""
    page = UPDATED_POST_TEXT + "\nNext update by: 6th March at 09:00\n"
    [record] = records(page, url="https://support.nhs.net/2024/03/inc40000001-outlook-issue/")
    assert record["updates"][-1]["at_local"] is None
    assert "published_missing" in record["flags"]


STATUS_HEADED_LISTING = """Service Status

Last updated: 21/03/2022 12:00

  • Portal Slowness – RESOLVED

    21/03/2022 11:00:00 AM
    RESOLVED – The NHSmail Portal was slow.

  • Relay Issue – RESOLVED

    20/03/2022 10:20:00 AM
    RESOLVED- We are aware of an issue preventing mail being sent via the High-Sending Relay.

back to top
"""


@pytest.mark.parametrize("heading", ["Service Status", "NHSmail Service Status Updates"])
@pytest.mark.parametrize("url", ["https://support.nhs.net/category/service-status/", None])
def test_a_listing_headed_service_status_is_a_listing(heading: str, url: str | None) -> None:
    """ "Service Status" and "Last updated" are the 2017-2019 pages' furniture, but without
    their notice sections (and their address) they do not make a status page."""
    page = STATUS_HEADED_LISTING.replace("Service Status", heading, 1)
    result = parse("nhsmail", page, url=url, fetched_at=FETCHED)
    assert result.layout == "wp_listing"
    got = [(r["title"], r["published_local"], r["page_updated_local"]) for r in result.records]
    assert got == [
        ("Portal Slowness – RESOLVED", "2022-03-21T11:00:00", "2022-03-21T12:00:00"),
        ("Relay Issue – RESOLVED", "2022-03-20T10:20:00", "2022-03-21T12:00:00"),
    ]
    assert all("Last updated" not in r["body"] for r in result.records)


def test_a_status_page_with_empty_sections_still_has_none_on_show() -> None:
    page = "Service Status\n\nLast updated: 09/03/2017 17:30\n\nHigh Severity Incidents\n\n"
    result = parse("nhsmail", page, url=None, fetched_at=FETCHED)
    assert (result.records, result.layout, result.empty_ok) == ([], "servicestatus_2017", True)
    assert result.tried == ["servicestatus_2017", "portal_2018"]


STATUS_HTML = (
    "<!DOCTYPE html><html><body><h1>Service Status</h1><p>Last updated: 10/05/2017 12:00</p>"
    "<h2>High Severity Service Incidents</h2><p>In the event of High Severity Service Incidents"
    " (HSSIs), information will be provided here.</p><h2>Portal Known Issues</h2>"
    "<p>There are no known issues at present.</p></body></html>"
)


@pytest.mark.parametrize(
    "placeholders",
    [
        # as the 2017-2019 pages (fixtures and hold-outs) say it
        ("Any High Severity Service Incidents (HSSIs) will be described in this section.",
         "There are no Portal known issues at present."),
        ("Details of any High Severity Service Incidents (HSSIs) will appear here.",
         "There is no planned maintenance scheduled at this time."),
        ("Any High Severity Service Incidents (HSSIs) will be listed in this section.", ""),
    ],
)  # fmt: skip
def test_sections_saying_they_hold_none_have_none_on_show(placeholders: tuple[str, str]) -> None:
    hssi, known = placeholders
    page = STATUS_HTML.replace(
        "In the event of High Severity Service Incidents (HSSIs), information will be provided"
        " here.",
        hssi,
    ).replace("There are no known issues at present.", known)
    result = parse("nhsmail", page.encode(), url=None, fetched_at=FETCHED)
    assert (result.records, result.layout, result.empty_ok, result.shrink_ok) == (
        [], "servicestatus_2017", True, True
    )  # fmt: skip


@pytest.mark.parametrize(
    "items",
    [
        # the items as a list: "title: text" in one <li> each (a theme change)
        "<ul><li>INC46751234 – HSSI – Portal Unavailable – RESOLVED: The Portal could not be"
        " reached.</li></ul>",
        "<ul><li>Mobile – invitations from Gmail show the wrong time: Opening them in Outlook"
        " Web Access shows the correct time.</li></ul>",
        # paragraphs with no title markup: a reference, a time
        "<p>INC46751234 Portal unavailable</p><p>The Portal could not be reached.</p>",
        "<div class='card'><p>Portal slow to load since 09:05; engineers are looking into it."
        "</p></div>",
        # prose that says nothing of none on show
        "<p>Some users cannot sign in to Outlook Web Access.</p>",
    ],
    ids=["list-reference", "list-title", "paragraphs-reference", "card-time", "prose"],
)
def test_section_headings_over_items_the_layout_cannot_read_are_no_empty_page(
    items: str,
) -> None:
    """The sections' headings kept, their items in a markup the layout does not read: that
    is an unread page (drift, once it gave notices), not one with none on show, whose
    notices would all vanish."""
    page = STATUS_HTML.replace("provided here.</p>", "provided here.</p>" + items)
    result = parse("nhsmail", page.encode(), url=None, fetched_at=FETCHED)
    assert (result.records, result.layout, result.empty_ok, result.shrink_ok) == (
        [], None, False, False
    )  # fmt: skip
    # and so in the other section too
    page = STATUS_HTML.replace("<p>There are no known issues at present.</p>", items)
    result = parse("nhsmail", page.encode(), url=None, fetched_at=FETCHED)
    assert (result.records, result.empty_ok, result.shrink_ok) == ([], False, False)


PORTAL = "https://portal.nhs.net/Help/servicestatus"


def test_a_portal_page_whose_items_became_a_list_neither_empties_nor_shrinks() -> None:
    """The 2018 portal page's accordion items (<h3> title, <p> text) rewritten as one <li>
    each under the same section headings: read as none on show (or as a page that shrank
    to its release notes), it vanished every incident and known issue."""
    page = (FIXTURES / "nhsmail" / "portal_2018-2018-11-02" / "page.html").read_text()
    whole = parse("nhsmail", page, url=PORTAL, fetched_at=FETCHED)
    assert (whole.layout, len(whole.records), whole.shrink_ok) == ("portal_2018", 3, True)
    item = re.compile(r"<h3>(.*?)</h3>\s*<p>(.*?)</p>", re.S)
    release = re.compile(r'<div class="accordion__item">\s*<h2[^>]*><button[^>]*>Portal Release.*?'
                         r"</div>\s*</div>", re.S)  # fmt: skip
    as_list = item.sub(r"<ul><li>\1: \2</li></ul>", page)
    result = parse("nhsmail", as_list, url=PORTAL, fetched_at=FETCHED)
    # the release panel is read as ever, but the page may not have shrunk to it
    assert [r["category"] for r in result.records] == ["release"]
    assert not result.shrink_ok
    result = parse("nhsmail", release.sub("", as_list), url=PORTAL, fetched_at=FETCHED)
    assert (result.records, result.layout, result.empty_ok, result.shrink_ok) == (
        [], None, False, False
    )  # fmt: skip
    # with the items gone, and the sections saying they hold none: shrunk, then none on show
    emptied = item.sub("", page)
    result = parse("nhsmail", emptied, url=PORTAL, fetched_at=FETCHED)
    assert ([r["category"] for r in result.records], result.shrink_ok) == (["release"], True)
    result = parse("nhsmail", release.sub("", emptied), url=PORTAL, fetched_at=FETCHED)
    assert (result.records, result.layout, result.empty_ok, result.shrink_ok) == (
        [], "portal_2018", True, True
    )  # fmt: skip


def test_a_status_page_cut_short_proves_nothing_is_on_show() -> None:
    """A page that stops part way may have lost the items it still showed: it is neither
    an empty status page nor one that shrank, and it says it was cut."""
    url = "http://support.nhs.net/servicestatus"
    whole = parse("nhsmail", STATUS_HTML.encode(), url=url, fetched_at=FETCHED)
    assert (whole.layout, whole.empty_ok, whole.shrink_ok, whole.warnings) == (
        "servicestatus_2017",
        True,
        True,
        [],
    )
    cut = STATUS_HTML[: STATUS_HTML.index(" (HSSIs)")]
    result = parse("nhsmail", cut.encode(), url=url, fetched_at=FETCHED)
    assert (result.records, result.empty_ok, result.shrink_ok) == ([], False, False)
    assert result.warnings == ["cut short: the HTML document ends before </body> and </html>"]
    # a person's copy that says it was cut short (the real page of 9 March 2017)
    text = (
        "# source: http://support.nhs.net/servicestatus\n"
        "# text as a person sees the page; cut short by the store\n# ---\n"
        "Service Status\n\nLast updated: 09/03/2017 17:30\n\nHigh Severity Service Incidents\n\n"
        "In the event of High Severity Service Incidents (HSSIs), information will be provided"
        " in this section. You can also see any HSSIs raise"
    )
    result = parse("nhsmail", text, url=None, fetched_at=FETCHED)
    assert (result.records, result.empty_ok, result.shrink_ok) == ([], False, False)
    assert result.warnings == ["cut short: the saved copy says so"]


def test_a_status_page_cut_inside_an_item_keeps_its_items_but_may_not_shrink() -> None:
    item = "<p><strong>INC01872345 – HSSI – NEW</strong></p><p>Some users cannot sign in.</p>"
    page = STATUS_HTML.replace("provided here.</p>", "provided here.</p>" + item)
    url = "http://support.nhs.net/servicestatus"
    whole = parse("nhsmail", page.encode(), url=url, fetched_at=FETCHED)
    assert [r["reference"] for r in whole.records] == ["INC01872345"] and whole.shrink_ok
    cut = parse("nhsmail", page[: page.index(" sign in")].encode(), url=url, fetched_at=FETCHED)
    assert [r["reference"] for r in cut.records] == ["INC01872345"]
    assert "truncated" in cut.records[0]["flags"] and not cut.shrink_ok


def test_a_whole_page_is_not_cut_short_for_its_closing_tags_case() -> None:
    page = STATUS_HTML.replace("</body></html>", "</BODY>\n</HTML>\n")
    result = parse("nhsmail", page.encode(), url=None, fetched_at=FETCHED)
    assert (result.empty_ok, result.warnings) == (True, [])
    # a fragment (no document around it) has nothing that says where it should end
    assert not page_lines(b"<div><p>Service Status</p>").truncated


def test_a_listings_last_updated_under_a_post_is_not_the_pages() -> None:
    """Only a "Last updated" above the first notice is the page's."""
    page = STATUS_HEADED_LISTING.replace("Last updated: 21/03/2022 12:00\n", "").replace(
        "RESOLVED – The NHSmail Portal was slow.",
        "RESOLVED – The NHSmail Portal was slow.\n    Last updated: 21/03/2022 11:30",
    )
    result = parse("nhsmail", page, url=None, fetched_at=FETCHED)
    assert [r["page_updated_local"] for r in result.records] == [None, None]


# --- 16. a person's copy of a post: breadcrumb, share buttons, neighbouring posts -----------

POST_COPY_WITH_FURNITURE = """Skip to content
NHSmail Support
Home » Service Status » INC25195556

25-11-2021 08:40:00 AM (GMT)

Issue Status: RESOLVED

Description: We are aware of an issue regarding high volumes of email queuing on the NHSmail Relay.

Final Update: 26-11-2021 09:15:00 AM – This incident is now resolved.

To report any issues please contact 0333 200 1133 /

Share this:
Twitter
Facebook
Related
Previous post
Microsoft 365 Alert – Teams – RESOLVED
Next post
Information – Portal Release
© Crown copyright
back to top
"""
POST_URL = (
    "https://support.nhs.net/2021/11/inc25195556-delayed-email-delivery-using-the-nhsmail-relay/"
)


@pytest.mark.parametrize("url", [POST_URL, None])
def test_post_copy_furniture_stays_out_of_the_record(url: str | None) -> None:
    [record] = records(POST_COPY_WITH_FURNITURE, url=url)
    assert record["title"] is None  # the breadcrumb and the site's name above it are no title
    assert "title_missing" in record["flags"]
    # only the post's address names it: a breadcrumb is not among the reference's sources
    assert record["reference"] == ("INC25195556" if url else None)
    assert record["body"] == (
        "Issue Status: RESOLVED\n"
        "Description: We are aware of an issue regarding high volumes of email queuing on the "
        "NHSmail Relay.\n"
        "Final Update: 26-11-2021 09:15:00 AM – This incident is now resolved.\n"
        "To report any issues please contact 0333 200 1133 /"
    )


def test_post_copy_title_below_the_breadcrumb_is_kept() -> None:
    page = POST_COPY_WITH_FURNITURE.replace(
        "INC25195556\n\n25-11", "INC25195556\nINC25195556 – Delayed Email – RESOLVED\n\n25-11"
    )
    [record] = records(page, url=POST_URL)
    assert record["title"] == "INC25195556 – Delayed Email – RESOLVED"


def test_share_names_and_titles_are_kept_outside_the_furniture() -> None:
    """ "Twitter" is a share button only under "Share this:"; a title is a neighbour's only
    right under "Previous post"/"Next post"."""
    page = (
        "INC30000001 – Social Media Links Blocked – RESOLVED\n\n"
        "14/04/2022 09:35:00 AM\n\n"
        "RESOLVED – Links to these sites were blocked:\n"
        "Twitter\nFacebook\n\n"
        "Microsoft 365 Alert – Teams – RESOLVED\n"
        "Share this:\nTwitter\n\nFacebook\nNext post\nInformation – Portal Release\n"
    )
    [record] = records(page)
    assert record["body"] == (
        "RESOLVED – Links to these sites were blocked:\nTwitter\nFacebook\n"
        "Microsoft 365 Alert – Teams – RESOLVED"
    )


# --- 17. a timeline time without a date: null, with a warning naming it ----------------------


@pytest.mark.parametrize(
    ("line", "label", "at_raw", "text"),
    [
        ("Latest Update: 15:00 – Monitoring continues.", "Latest Update", "15:00",
         "Monitoring continues."),
        ("Current Update: 3:15 PM - Engineers are investigating.", "Current Update", "3:15 PM",
         "Engineers are investigating."),
        ("Next update by: 17:00", "Next update by", "17:00", ""),
    ],
)  # fmt: skip
def test_a_time_without_a_date_is_not_dated_from_the_notice(
    line: str, label: str, at_raw: str, text: str
) -> None:
    """The notice's date is not assumed: an update may be a day or more after the post."""
    labelled = read_labelled([line], BASE)
    [entry] = labelled.updates
    got = (entry["label"], entry["at_raw"], entry["at_local"], entry["at"], entry["text"])
    assert got == (label, at_raw, None, None, text)
    assert labelled.warnings == [
        f"{label}: time without a date {at_raw!r}: not dated from the notice"
    ]


def test_a_number_after_update_is_not_a_time() -> None:
    labelled = read_labelled(["Latest Update: 2.30 million messages are queued."], BASE)
    [entry] = labelled.updates
    assert (entry["at_raw"], entry["text"]) == (None, "2.30 million messages are queued.")
    assert labelled.warnings == []


TIMELINE_POST = """INC32000001 – Teams Issue – RESOLVED

09/09/2022 08:00:00 AM (BST)

Issue Status: RESOLVED

Issue Reported: 09/09/2022 07:45:00 AM

Update 1 – 09/09/2022 10:00:00 AM – Engineers are investigating.

Update (09/09/2022 11:00:00 AM): A fix is being deployed.

Current Update - 09/09/2022 13:00:00 PM: The fix has been deployed.

Final Update:- 09/09/2022 14:30:00 PM – Resolved.

Latest Update: 15:00 – Monitoring continues.
"""


def test_every_timeline_line_of_a_post_is_read_or_warned_about() -> None:
    [record] = records(TIMELINE_POST)
    assert [(u["label"], u["at_local"]) for u in record["updates"]] == [
        ("Issue Reported", "2022-09-09T07:45:00"),
        ("Update", "2022-09-09T10:00:00"),
        ("Update", "2022-09-09T11:00:00"),
        ("Current Update", "2022-09-09T13:00:00"),
        ("Final Update", "2022-09-09T14:30:00"),
        ("Latest Update", None),
    ]
    assert record["warnings"] == [
        "Latest Update: time without a date '15:00': not dated from the notice"
    ]


def test_date_lines_above_the_posts_keep_each_notice_with_its_text() -> None:
    """A theme that puts each post's date above its <article>: the post marks must not
    hand a notice's text to the next one (each date line heads the post below it)."""

    def post(title: str, body: str) -> str:
        return (
            f"<article class='post type-post hentry'><h2 class='entry-title'>{title}</h2>"
            f"<div class='entry-content'><p>{body}</p></div></article>"
        )

    html = (
        "<html><body><main>"
        "<div class='posted-on'>14/04/2022 09:35:00 AM</div>"
        + post("INC28274463 – Portal Unavailable – NEW", "The Portal cannot be reached.")
        + "<div class='posted-on'>21/03/2022 10:20:00 AM</div>"
        + post("INC28000000 – Relay Rejections – RESOLVED", "Mail via the relay was rejected.")
        + "</main></body></html>"
    )
    result = parse("nhsmail", html.encode(), url="https://support.nhs.net/category/service-status/")
    assert [r["published_local"] for r in result.records] == [
        "2022-04-14T09:35:00",
        "2022-03-21T10:20:00",
    ]
    first, second = (r["body"] for r in result.records)
    assert "INC28274463" in first and "Portal cannot be reached" in first
    assert "INC28000000" in second and "relay was rejected" in second


def test_a_posts_last_updated_line_with_text_is_the_notices_own() -> None:
    """Only a line that is just a stamp is the post's "Last updated"; one that runs on is
    the notice's text and stays in its body."""
    page = (
        "INC30766572 – NHSmail Password Issue – RESOLVED\n27/07/2022 10:50:00 AM (BST)\n"
        "Issue Status: RESOLVED\n"
        "Last updated: 27/07/2022 11:47:00 AM – A change has been made to resolve the issue.\n"
        "back to top\n"
    )
    [record] = records(page, url="https://support.nhs.net/2022/07/inc30766572-password/")
    assert record["page_updated_local"] is None
    assert "A change has been made to resolve the issue." in record["body"]


def test_a_listed_notice_without_a_date_line_is_reported_not_dropped() -> None:
    """An item dated only by its own "Last updated" has no date line for the listing to
    anchor it: it cannot be placed, and a warning names it."""
    text = (
        "Service Status Archive\n\nLast updated: 21/03/2022 12:00\n\n"
        "  • Portal Slowness – RESOLVED\n\n    Last updated: 21/03/2022 11:00:00 AM\n"
        "    RESOLVED – The NHSmail Portal was slow.\n\n"
        "  • Relay Issue – RESOLVED\n\n    20/03/2022 10:20:00 AM\n"
        "    RESOLVED- We are aware of an issue preventing mail being sent.\n"
    )
    result = parse("nhsmail", text, url="https://support.nhs.net/category/service-status/")
    assert [r["title"] for r in result.records] == ["Relay Issue – RESOLVED"]
    assert result.warnings == [
        "notice not read (no date line of its own), above the first notice: "
        "'Portal Slowness – RESOLVED'"
    ]
    # the same item second: its text goes with the notice above, and that is said
    second = (
        "Service Status Archive\n\nLast updated: 21/03/2022 12:00\n\n"
        "  • Relay Issue – RESOLVED\n\n    20/03/2022 10:20:00 AM\n"
        "    RESOLVED- We are aware of an issue preventing mail being sent.\n\n"
        "  • Portal Slowness – RESOLVED\n\n    Last updated: 21/03/2022 11:00:00 AM\n"
        "    RESOLVED – The NHSmail Portal was slow.\n"
    )
    result = parse("nhsmail", second, url="https://support.nhs.net/category/service-status/")
    assert result.warnings == [
        "notice not read (no date line of its own), in the body of notice 1: "
        "'Portal Slowness – RESOLVED'"
    ]


# --- 16. states written around the title, and keys that must not move with them -----------


@pytest.mark.parametrize(
    ("title", "state_raw", "state"),
    [
        ("RESOLVED: NHSmail Portal Login Issue", "RESOLVED", "resolved"),
        ("NHSmail Portal Login Issue (RESOLVED)", "RESOLVED", "resolved"),
        ("NHSmail Portal Login Issue – RESOLVED.", "RESOLVED", "resolved"),
        ("NHSmail Portal Login Issue – [RESOLVED]", "RESOLVED", "resolved"),
        ("NHSmail Portal Login Issue – NOW RESOLVED", "RESOLVED", "resolved"),
        ("NHSmail Portal Login Issue – RESOLVED (HSSI)", "RESOLVED", "resolved"),
        ("NHSmail Portal Login Issue (ONGOING)", "ONGOING", "open"),
        ("NHSmail Portal Login Issue", None, None),
        # a word that heads release notes is no state
        ("New: NHSmail Portal Login Issue", None, None),
    ],
)  # fmt: skip
def test_a_state_around_the_title_is_read_and_kept_out_of_the_key(
    title: str, state_raw: str | None, state: str | None
) -> None:
    body = "Users may be unable to log in to the Portal."
    [record] = records(post(title, body, "14/04/2022 09:35:00 AM"))
    assert (record["state_raw"], record["state"]) == (state_raw, state)
    if not title.startswith("New:"):
        assert record["notice_key"] == "nhsmail:20220414T0935:nhsmail-portal-login-issue"
    if "HSSI" in title:
        assert record["severity"] == "HSSI"


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Portal Release 7.2 – UPDATED", None),
        ("NHSmail Portal Release Notes – Update", None),
        ("Planned Maintenance – Portal – UPDATE", "maintenance"),
    ],
)
def test_update_ending_a_release_or_maintenance_title_is_no_state(
    title: str, category: str | None
) -> None:
    [record] = records(post(title, "The Portal release notes were revised."))
    assert (record["state_raw"], record["state"], record["is_open"]) == (None, None, None)
    assert record["category"] != "incident"
    if category:
        assert record["category"] == category


def test_an_undated_items_key_does_not_move_with_the_pages_last_updated() -> None:
    def page(updated: str) -> str:
        return (
            f"Service Status\n\nLast updated: {updated}\n\nHigh Severity Service Incidents\n\n"
            "  • NHSmail Portal unavailable - RESOLVED\n\n"
            "    RESOLVED - The NHSmail Portal was unavailable between 08:15 and 09:00 this"
            " morning. Service has been restored.\n\n"
            "Forward Schedule of Change\n\n  • Outlook Web Access – Planned Maintenance\n\n"
            "    OWA will be unavailable between 22:00 and 23:30 on Saturday 28th October.\n"
        )

    url = "http://support.nhs.net/servicestatus"
    first = [r["notice_key"] for r in records(page("24/10/2017 11:05"), url=url)]
    later = [r["notice_key"] for r in records(page("25/10/2017 09:00"), url=url)]
    assert first == later
    # its day was the page's: the key has the time only
    assert first[0] == "nhsmail:undated:nhsmail-portal-unavailable:T0815"
    # a window whose prose gives its day still names it
    assert first[1] == "nhsmail:undated:outlook-web-access-planned-maintenance:20171028T2200"


def test_date_lines_with_other_zone_wording_keep_their_notices() -> None:
    page = (
        "  • Portal Slowness – RESOLVED\n\n    14/04/2022 09:35:00 AM (BST)\n"
        "    The NHSmail Team are aware of an intermittent issue causing slowness.\n\n"
        "  • Outlook Web Access Issue – RESOLVED\n\n    13/04/2022 10:15:00 AM (bst)\n"
        "    The NHSmail Team are aware of an issue affecting Outlook Web Access.\n\n"
        "  • Relay Delays – RESOLVED\n\n    12/04/2022 08:00:00 AM (GMT+1)\n"
        "    The NHSmail Team are aware of delays on the relay.\n"
    )
    got = [(r["title"], r["published_at"], r["tz_label"])
           for r in records(page, url="https://support.nhs.net/tag/outage/")]  # fmt: skip
    assert got == [
        ("Portal Slowness – RESOLVED", "2022-04-14T08:35:00+00:00", "BST"),
        ("Outlook Web Access Issue – RESOLVED", "2022-04-13T09:15:00+00:00", "BST"),
        ("Relay Delays – RESOLVED", "2022-04-12T07:00:00+00:00", "BST"),
    ]


@pytest.mark.parametrize(
    ("line", "reference", "kind"),
    [
        ("NHSmail Reference: INC 46757577", "INC46757577", "nhsmail_inc"),
        ("NHSmail Ref: INC46757577", "INC46757577", "nhsmail_inc"),
        ("NHSmail Reference Number: INC46757577", "INC46757577", "nhsmail_inc"),
        ("NHSmail Incident Reference: INC46757577", "INC46757577", "nhsmail_inc"),
        ("Ref: INC46757577", "INC46757577", "nhsmail_inc"),
        ("Microsoft Reference: EX 649488", "EX649488", "microsoft"),
        ("NHS Service Bridge Reference: SB0012345", "SB0012345", "service_bridge"),
        ("NHSmail Reference: TBC", None, None),
    ],
)
def test_reference_lines_in_other_wordings(
    line: str, reference: str | None, kind: str | None
) -> None:
    body = f"Users may be unable to send mail.\n\n{line}\n\nIssue Status: ONGOING"
    [record] = records(post("Mail Delays", body, "14/04/2022 09:35:00 AM"))
    refs = [(r["value"], r["kind"]) for r in record["references"]]
    if reference is None:
        assert refs == [] and record["reference"] is None
        return
    assert (reference, kind) in refs
    assert ("INC", "other") not in refs
    if kind == "nhsmail_inc":
        assert (record["reference"], record["notice_key"]) == (reference, f"nhsmail:{reference}")


def test_incident_status_and_severity_lines() -> None:
    body = "Users may be unable to send mail.\n\nIncident Status: RESOLVED\n\nSeverity: HSSI"
    [record] = records(post("Mail Delays", body, "14/04/2022 09:35:00 AM"))
    assert (record["state"], record["severity"]) == ("resolved", "HSSI")


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("INC28274463 – Email Delays following Planned Maintenance – RESOLVED", "incident"),
        ("Email Delays after the scheduled maintenance – RESOLVED", "incident"),
        ("Portal unavailable during planned maintenance", "maintenance"),
        ("CareCERT Alert – CC-3121 – Critical Vulnerability", "threat"),
        ("Cyber Alert – Phishing Campaign", "threat"),
        ("Security Threat: Malware Delivery Campaign", "threat"),
        ("Microsoft 365 Alert – Exchange – RESOLVED", "alert"),
    ],
)
def test_category_words(title: str, category: str) -> None:
    [record] = records(post(title, "Users may see delays.", "14/04/2022 09:35:00 AM"))
    assert record["category"] == category


def test_a_table_of_labels_and_values_reads_as_labelled_lines() -> None:
    page = html(
        '<article class="post type-post hentry"><h1 class="entry-title">Email Delivery Delays'
        '</h1><div class="entry-content"><p>14/04/2022 09:35:00 AM</p><table>'
        "<tr><td><strong>NHSmail Reference</strong></td><td>INC28274499</td></tr>"
        "<tr><td><strong>Issue Status</strong></td><td>RESOLVED</td></tr>"
        "<tr><td>Final Update</td><td>14/04/2022 11:00:00 AM – Mail queues have cleared.</td></tr>"
        "<tr><th>Service</th><th>Before</th><th>After</th></tr>"
        "<tr><td>Relay</td><td>Degraded</td><td>Available</td></tr>"
        "</table></div></article>"
    )
    [record] = records(page, url="https://support.nhs.net/2022/04/email-delivery-delays/")
    assert (record["reference"], record["state"]) == ("INC28274499", "resolved")
    [update] = record["updates"]
    assert (update["label"], update["at"]) == ("Final Update", "2022-04-14T10:00:00+00:00")
    assert "Service Before After" in record["body"] and "Relay Degraded Available" in record["body"]


def test_an_update_time_is_not_an_update_number() -> None:
    body = "Users cannot log in.\n\nUpdate 14:30 – Engineers are investigating."
    [record] = records(post("Portal Issue", body, "14/04/2022 09:35:00 AM"))
    [update] = record["updates"]
    assert (update["label"], update["at_raw"], update["at"], update["text"]) == (
        "Update", "14:30", None, "Engineers are investigating.")  # fmt: skip
    assert any("time without a date '14:30'" in w for w in record["warnings"])


def test_an_update_time_written_before_its_date() -> None:
    body = (
        "Users cannot log in.\n\nCurrent Update: 10:40 14/04/2022 – Engineers are investigating"
        " the cause of the issue with the Portal and will update soon."
    )
    [record] = records(post("Portal Issue", body, "14/04/2022 09:35:00 AM"))
    [update] = record["updates"]
    assert (update["at_raw"], update["at"]) == ("10:40 14/04/2022", "2022-04-14T09:40:00+00:00")
    assert update["text"].startswith("Engineers are investigating")


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        ("RESOLVED – Users of the Outlook app (e.g. iOS and Android) may see a delay. More.",
         "Users of the Outlook app (e.g. iOS and Android) may see a delay."),
        ("The outage lasted approx. 30 minutes from 9 a.m. on Monday. Service is restored.",
         "The outage lasted approx. 30 minutes from 9 a.m. on Monday."),
        ("RESOLVED\n\nUsers could not send mail to Gmail. Mail is flowing again.",
         "Users could not send mail to Gmail."),
        ("Issue Status: RESOLVED\n\nThank you for your patience.", None),
    ],
)  # fmt: skip
def test_an_untitled_notices_summary(body: str, summary: str | None) -> None:
    page = f"14/04/2022 10:35:00 AM\n\n{body}\n"
    [record] = records(page, url="https://support.nhs.net/2022/04/x/")
    assert record["title"] is None
    assert record["summary"] == summary
    assert ("summary_derived" in record["flags"]) is (summary is not None)


def test_a_posts_updated_line_is_when_it_was_edited_not_published() -> None:
    page = (
        "Portal Issue – RESOLVED\n\nUpdated: 14/04/2022 12:05:00 PM\n\n14/04/2022 09:35:00 AM\n\n"
        "RESOLVED – The NHSmail team are aware of an issue.\n"
    )
    [record] = records(page, url="https://support.nhs.net/2022/04/portal-issue/")
    assert (record["published_raw"], record["page_updated_raw"]) == (
        "14/04/2022 09:35:00 AM", "14/04/2022 12:05:00 PM")  # fmt: skip
    assert "Updated" not in record["body"]


@pytest.mark.parametrize("when", ["17:00 today", "tomorrow at 09:00", "end of day"])
def test_a_next_update_relative_to_its_day_is_not_guessed(when: str) -> None:
    body = (
        "Users cannot log in.\n\nCurrent Update: 15/04/2022 14:30 – Engineers are working on it."
        f"\n\nNext update by: {when}"
    )
    [record] = records(post("Portal Issue", body, "14/04/2022 09:35:00 AM"))
    nxt = record["updates"][-1]
    assert (nxt["label"], nxt["at_local"], nxt["at"]) == ("Next update by", None, None)
    assert nxt["at_raw"] == when
    assert any("relative to an undated line" in w for w in record["warnings"])


@pytest.mark.parametrize(
    ("line", "at", "flags"),
    [
        ("Thursday 14/04/2022 09:35:00 AM", "2022-04-14T08:35:00+00:00", []),
        ("Thu, 14/04/2022 09:35", "2022-04-14T08:35:00+00:00", []),
        ("Friday 14/04/2022 09:35", "2022-04-14T08:35:00+00:00", ["weekday_contradicts_date"]),
        ("14/04/2022 – 09:35:00 AM", "2022-04-14T08:35:00+00:00", []),
    ],
)
def test_date_lines_as_people_also_write_them(line: str, at: str, flags: list[str]) -> None:
    page = (
        f"  • Portal Slowness – RESOLVED\n\n    {line}\n    Portal pages were slow to load.\n\n"
        "  • Relay Delays – RESOLVED\n\n    12/04/2022 08:00:00 AM\n    Mail was delayed.\n"
    )
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [r["title"] for r in got] == ["Portal Slowness – RESOLVED", "Relay Delays – RESOLVED"]
    assert (got[0]["published_raw"], got[0]["published_at"]) == (line, at)
    for flag in flags:
        assert flag in got[0]["flags"]


@pytest.mark.parametrize(
    ("title", "state"),
    [
        # an incident's or an alert's "– Update" is still open
        ("INC40000004 – Mail Delivery – Update", "open"),
        ("Microsoft 365 Alert – Teams – Update", "open"),
        ("Outlook not loading – UPDATE", "open"),
        # outside a part of their own, only resolved or ongoing words are states
        ("Ongoing - Phishing campaign targeting NHSmail users", None),
        ("NHSmail Portal Features (New)", None),
        ("Teams Live Events Webinar (Planned)", None),
        ("Closed: NHSmail Helpdesk over the Christmas period", None),
        ("Information – Helpdesk (CLOSED)", None),
    ],
)
def test_state_words_that_are_no_state(title: str, state: str | None) -> None:
    [record] = records(post(title, "Users may see changes.", "14/04/2022 09:35:00 AM"))
    assert record["state"] == state


@pytest.mark.parametrize(
    "title",
    [
        "NHSmail Portal planned maintenance due to change of hosting provider",
        "Exchange Online maintenance following a change request",
        "Directory planned maintenance post change freeze",
    ],
)
def test_maintenance_for_a_change_is_maintenance(title: str) -> None:
    from parsers.nhsmail.titles import read_title

    assert read_title(title).category == "maintenance"
    [record] = records(post(title, "Users may notice changes.", "14/04/2022 09:35:00 AM"))
    assert record["category"] == "maintenance"


def test_a_table_header_row_is_no_label() -> None:
    page = html(
        '<article class="post type-post hentry"><h1 class="entry-title">Portal Issue</h1>'
        '<div class="entry-content"><p>14/04/2022 09:35:00 AM</p><table>'
        "<tr><th>Issue Status</th><th>Description</th></tr>"
        "<tr><td>Open</td><td>Users are unable to log in.</td></tr>"
        "<tr><th>Issue Status</th><td>RESOLVED</td></tr></table></div></article>"
    )
    [record] = records(page, url="https://support.nhs.net/2022/04/portal-issue/")
    assert record["details"]["issue_status"] == "RESOLVED"
    assert not any("Description" in w for w in record["warnings"])


def test_updated_lines_in_a_listing_are_each_posts_own() -> None:
    page = (
        "Portal Issue – RESOLVED\n\nUpdated: 14/04/2022 12:05:00 PM\n\n14/04/2022 09:35:00 AM\n\n"
        "RESOLVED – The NHSmail team are aware of an issue with the Portal.\n\n"
        "Mail Delivery Delays – RESOLVED\n\nUpdated: 13/04/2022 16:00:00 PM\n\n"
        "13/04/2022 10:00:00 AM\n\nRESOLVED – Users experienced delays.\n"
    )
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["published_raw"], r["page_updated_raw"]) for r in got] == [
        ("Portal Issue – RESOLVED", "14/04/2022 09:35:00 AM", None),
        ("Mail Delivery Delays – RESOLVED", "13/04/2022 10:00:00 AM", None),
    ]
    assert all("Updated" not in r["body"] for r in got)


@pytest.mark.parametrize(
    "when", ["17:00 15/04/2022 (end of day)", "17:00 on 15/04/2022 or earlier today if resolved"]
)
def test_a_next_update_with_its_date_and_a_relative_word(when: str) -> None:
    body = f"Users cannot log in.\n\nNext update by: {when}"
    [record] = records(post("Portal Issue", body, "14/04/2022 09:35:00 AM"))
    assert record["updates"][-1]["at_local"] == "2022-04-15T17:00:00"


def test_a_ref_label_holding_prose_is_no_reference() -> None:
    body = "Users are unable to log in.\n\nRef: see the previous notice for background"
    [record] = records(post("Portal Login Issue", body, "14/04/2022 09:35:00 AM"))
    assert record["references"] == [] and record["reference"] is None


# --- 17. other WordPress themes' markup -------------------------------------------------


def _themed(post_id: int, title: str | None, meta: str, text: str, footer: str = "") -> str:
    heading = (
        f'<header class="entry-header"><h2 class="entry-title"><a href="#">{title}</a></h2>'
        f"{meta}</header>"
        if title
        else f'<header class="entry-header">{meta}</header>'
    )
    return (
        f'<article id="post-{post_id}" class="post-{post_id} post type-post status-publish '
        f'hentry">{heading}<div class="entry-content"><p>{text}</p></div>{footer}</article>'
    )


def test_a_date_in_the_posts_footer_is_the_posts() -> None:  # Twenty Twenty-One
    def footer(stamp: str) -> str:
        return (
            '<footer class="entry-footer"><span class="posted-on">Published <time class='
            f'"entry-date published updated">{stamp}</time></span><div class="post-taxonomies">'
            '<span class="cat-links">Categorized as <a href="#">Service Status</a></span>'
            "</div></footer>"
        )

    page = html(
        _themed(1, "INC28274463– HSSI – RESOLVED", "", "RESOLVED – The Portal was down.",
                footer("14/04/2022 09:35:00 AM"))
        + _themed(2, None, "", "RESOLVED- Mail was rejected by the relay.",
                  footer("21/03/2022 10:20:00 AM"))
    )  # fmt: skip
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["published_raw"], r["body"]) for r in got] == [
        ("INC28274463– HSSI – RESOLVED", "14/04/2022 09:35:00 AM",
         "RESOLVED – The Portal was down."),
        (None, "21/03/2022 10:20:00 AM", "RESOLVED- Mail was rejected by the relay."),
    ]  # fmt: skip


def test_a_posts_hidden_modified_time_is_no_date_line() -> None:  # GeneratePress, Astra
    meta = (
        '<div class="entry-meta"><span class="posted-on"><time class="updated">'
        '{updated}</time><time class="entry-date published">{published}</time></span> '
        '<span class="byline">by <span class="author vcard">NHSmail Service Desk</span></span>'
        "</div>"
    )
    page = html(
        _themed(1, "Portal Issue – RESOLVED",
                meta.format(updated="14/04/2022 11:02:00 AM", published="14/04/2022 09:35:00 AM"),
                "RESOLVED – The Portal was down.")
        + _themed(2, "Relay Delays – RESOLVED",
                  meta.format(updated="13/04/2022 12:00:00 PM", published="13/04/2022 08:00:00 AM"),
                  "RESOLVED – Mail was delayed.")
    )  # fmt: skip
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["published_raw"], r["body"]) for r in got] == [
        ("Portal Issue – RESOLVED", "14/04/2022 09:35:00 AM", "RESOLVED – The Portal was down."),
        ("Relay Delays – RESOLVED", "13/04/2022 08:00:00 AM", "RESOLVED – Mail was delayed."),
    ]


def test_a_single_posts_comments_and_other_posts_are_not_its_text() -> None:
    own = _themed(53067, "INC46757577 – Delay in Mail Delivery – OPEN",
                  '<div class="entry-meta"><time class="entry-date">05/03/2024 10:00:00 AM</time></div>',
                  "Issue Status: OPEN")  # fmt: skip
    page = (
        '<!DOCTYPE html><html><body class="post-template-default single single-post '
        f'postid-53067"><main>{own}'
        '<div class="wp-block-comments"><article class="comment-body"><p>RESOLVED – mail is '
        "flowing again for us.</p></article></div>"
        '<ul class="wp-block-post-template">'
        + _themed(53001, "INC46700000 – Teams Issue – RESOLVED",
                  '<div class="entry-meta"><time class="entry-date">01/03/2024 09:00:00 AM</time></div>',
                  "RESOLVED – fixed.")
        + "</ul></main></body></html>"
    )  # fmt: skip
    [record] = records(page, url="https://support.nhs.net/inc46757577-delay-in-mail-delivery/")
    assert (record["reference"], record["state"]) == ("INC46757577", "open")
    assert [r["value"] for r in record["references"]] == ["INC46757577"]
    assert "flowing again" not in record["body"]


def test_a_latest_posts_block_in_the_main_column_is_no_notice() -> None:
    page = html(
        _themed(1, "Portal Issue – RESOLVED",
                '<div class="entry-meta"><time class="entry-date">14/04/2022 09:35:00 AM</time></div>',
                "RESOLVED – The Portal was down.")
        + '<ul class="wp-block-latest-posts__list wp-block-latest-posts"><li><a href="#">'
        "INC28999999 – Relay Issue – RESOLVED</a><time>01/04/2022 10:00:00 AM</time></li></ul>"
    )  # fmt: skip
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [r["title"] for r in got] == ["Portal Issue – RESOLVED"]


@pytest.mark.parametrize("meta", ["by NHSmail Service Desk", "| Service Status | 0 comments"])
def test_post_meta_under_the_date_is_not_the_notices_text(meta: str) -> None:
    page = (
        f"  • Portal Issue\n\n    14/04/2022 09:35:00 AM\n    {meta}\n"
        "    RESOLVED – The Portal was down.\n"
    )
    [record] = records(page, url="https://support.nhs.net/tag/outage/")
    assert record["body"] == "RESOLVED – The Portal was down."
    assert record["state"] == "resolved"


def test_a_notice_whose_text_starts_with_by_keeps_it() -> None:
    page = html(
        _themed(1, "Mail Delays – ONGOING",
                '<div class="entry-meta"><time class="entry-date">14/04/2022 09:35:00 AM</time></div>',
                "By 17:00 all mail will flow normally again")
        + _themed(2, "Skype History",
                  '<div class="entry-meta"><time class="entry-date">13/04/2022 09:35:00 AM</time></div>',
                  "By default Skype for Business saves history in Outlook")
    )  # fmt: skip
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [r["body"] for r in got] == [
        "By 17:00 all mail will flow normally again",
        "By default Skype for Business saves history in Outlook",
    ]


def test_an_updated_time_that_is_the_only_date_is_the_date() -> None:
    def post_html(n: int, day: str) -> str:
        meta = f'<div class="entry-meta"><abbr class="updated">{day}/03/2026 10:00:00 AM (GMT)</abbr></div>'
        return _themed(n, f"Portal Issue {n} – RESOLVED", meta, "RESOLVED – fixed.")

    got = records(html(post_html(1, "03") + post_html(2, "02") + post_html(3, "01")),
                  url="https://support.nhs.net/category/service-status/")  # fmt: skip
    assert [r["published_raw"] for r in got] == [
        "03/03/2026 10:00:00 AM (GMT)", "02/03/2026 10:00:00 AM (GMT)",
        "01/03/2026 10:00:00 AM (GMT)"]  # fmt: skip


def test_a_modified_date_in_the_footer_is_not_the_published_one() -> None:
    meta = '<div class="entry-meta"><time class="entry-date published">01/03/2026 10:00:00 AM (GMT)</time></div>'
    footer = (
        '<footer class="entry-footer"><span class="modified-date">Last modified <time '
        'class="entry-date">04/03/2026 16:00:00 PM (GMT)</time></span></footer>'
    )
    page = html(_themed(1, "Portal Issue – RESOLVED", meta, "RESOLVED – fixed.", footer))
    [record] = records(page, url="https://support.nhs.net/2026/03/portal-issue/")
    assert record["published_raw"] == "01/03/2026 10:00:00 AM (GMT)"
    assert record["body"] == "RESOLVED – fixed."


def test_a_footer_date_goes_under_a_title_without_a_title_class() -> None:
    def post(n: int, title: str, stamp: str) -> str:
        return (
            f'<article class="post-{n} post type-post hentry"><header><h2><a href="#">{title}'
            f'</a></h2></header><div class="entry-content"><p>RESOLVED – fixed {n}.</p></div>'
            '<footer class="entry-footer"><span class="posted-on">Published <time class='
            f'"entry-date published">{stamp}</time></span></footer></article>'
        )

    page = html(post(1, "Portal Issue – RESOLVED", "14/04/2022 09:35:00 AM")
                + post(2, "Relay Issue – RESOLVED", "13/04/2022 09:35:00 AM"))  # fmt: skip
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["body"]) for r in got] == [
        ("Portal Issue – RESOLVED", "RESOLVED – fixed 1."),
        ("Relay Issue – RESOLVED", "RESOLVED – fixed 2."),
    ]


def test_a_status_pages_item_starting_with_by_keeps_it() -> None:
    page = (
        "Service Status\n\nLast updated: 10/05/2017 09:00\n\nPortal Known Issues\n\n"
        "  • Skype history\n\n    By default Skype for Business saves history in Outlook\n"
    )
    [record] = records(page, url="http://support.nhs.net/servicestatus")
    assert record["body"].startswith("By default Skype")


def test_a_date_printed_last_in_its_post_is_the_posts() -> None:  # Twenty Twenty-Two
    def post(n: int, title: str | None, text: str, stamp: str) -> str:
        heading = f'<h2 class="wp-block-post-title"><a href="#">{title}</a></h2>' if title else ""
        return (
            f'<li class="wp-block-post post-{n} post type-post hentry">{heading}'
            f'<div class="wp-block-post-excerpt"><p>{text}</p></div>'
            f'<div class="wp-block-post-date"><time>{stamp}</time></div></li>'
        )

    page = html(
        '<ul class="wp-block-post-template">'
        + post(1, "Portal Issue – RESOLVED", "RESOLVED – The Portal was down.", "14/04/2022 09:35:00 AM")
        + post(2, None, "RESOLVED- Mail was rejected by the relay.", "21/03/2022 10:20:00 AM")
        + "</ul>"
    )  # fmt: skip
    got = records(page, url="https://support.nhs.net/tag/outage/")
    assert [(r["title"], r["published_raw"], r["body"]) for r in got] == [
        ("Portal Issue – RESOLVED", "14/04/2022 09:35:00 AM", "RESOLVED – The Portal was down."),
        (None, "21/03/2022 10:20:00 AM", "RESOLVED- Mail was rejected by the relay."),
    ]


def test_a_block_a_date_class_names_is_not_moved() -> None:
    # Astra wraps each post in "ast-no-date-box": a 'date' class that is no date
    page = html(
        '<article class="post-1 post type-post hentry"><div class="ast-post-format- '
        'ast-no-date-box"><header class="entry-header"><h2 class="entry-title">Portal Issue – '
        'RESOLVED</h2><div class="entry-meta"><span class="published">14/04/2022 09:35:00 AM'
        '</span></div></header><div class="entry-content"><p>RESOLVED – The Portal was down.'
        "</p></div></div></article>"
    )
    [record] = records(page, url="https://support.nhs.net/tag/outage/")
    assert (record["title"], record["published_raw"]) == (
        "Portal Issue – RESOLVED", "14/04/2022 09:35:00 AM")  # fmt: skip


# --- 20. timeline lines as real posts write them ----------------------------------------------

RESOLVED_POST = """INC30766572 – NHSmail Password Issue – RESOLVED

27/07/2022 10:50:00 AM (BST)

Issue Reported: 27/07/2022 09:05:00 AM

Issue Resolved: 27/07/2022 11:47:00 AM

Issue Status: RESOLVED

Update: 27/07/2022 10:15:00 AM – Engineers are investigating.
The cause is a certificate that expired overnight.

Resolved: 27/07/2022 11:50:00 AM – A change has been made to resolve the issue.

Thank you for your patience.
"""


def test_issue_resolved_lines_are_timeline_entries() -> None:
    """When service came back is the time a time-to-resolve needs: never dropped."""
    [record] = records(RESOLVED_POST, url=None)
    assert [(u["label"], u["at"], u["text"]) for u in record["updates"]] == [
        ("Issue Reported", "2022-07-27T08:05:00+00:00", ""),
        ("Issue Resolved", "2022-07-27T10:47:00+00:00", ""),
        ("Update", "2022-07-27T09:15:00+00:00",
         "Engineers are investigating.\nThe cause is a certificate that expired overnight."),
        ("Issue Resolved", "2022-07-27T10:50:00+00:00",
         "A change has been made to resolve the issue."),
    ]  # fmt: skip
    assert record["warnings"] == []


@pytest.mark.parametrize("prefix", ["RESOLVED: ", "Resolved: "])
def test_a_resolved_prefix_without_a_time_is_still_the_state(prefix: str) -> None:
    page = f"Portal Issue\n\n14/04/2022 09:35:00 AM\n\n{prefix}The Portal was down.\n"
    [record] = records(page, url=None)
    assert (record["state"], record["state_source"], record["updates"]) == (
        "resolved", "body_prefix", [])  # fmt: skip


def test_an_updates_text_runs_on_over_its_block() -> None:
    """Like a detail: the lines under an update's line, up to a blank line, a label or a
    closing courtesy, are its text; the HTML (a <br> inside the paragraph) reads the same."""
    body = [
        "Current Update: 14/04/2022 10:30:00 AM – Engineers have identified the cause.",
        "A fix is being deployed.",
        "Final Update: 14/04/2022 12:05:00 PM – The Portal is now accessible.",
        "Users may need to clear their browser cache.",
        "",
        "The NHSmail team",
        "Next update by: N/A",
        "Thank you for your patience.",
    ]
    updates = read_labelled(body, datetime(2022, 4, 14, 9, 35)).updates
    assert [u["text"] for u in updates] == [
        "Engineers have identified the cause.\nA fix is being deployed.",
        "The Portal is now accessible.\nUsers may need to clear their browser cache.",
        "N/A",
    ]
    page = html(
        "<article class='post'><h2>INC28274463 – HSSI – RESOLVED</h2><p>14/04/2022 09:35:00 AM</p>"
        "<p>Final Update: 14/04/2022 12:05:00 PM – The Portal is now accessible.<br>"
        "Users may need to clear their browser cache.</p><p>Thank you.</p></article>"
    )
    [record] = records(page, url="https://support.nhs.net/2022/04/inc28274463-hssi-resolved/")
    assert [u["text"] for u in record["updates"]] == [updates[1]["text"]]


MS_ALERT = """Microsoft 365 Alert – Service Degradation – Exchange Online – RESOLVED
16/04/2026 8:45:00 AM
NHSmail Reference: INC46803099
Microsoft Reference: EX1283399
Issue Status: RESOLVED
Scope of impact: Users attempting to send mail.
Start time: Thursday, April 16, 2026, at 6:30 AM UTC
End time: Thursday, April 16, 2026, at 12:45 PM UTC
Root cause: A configuration change.
"""


def test_microsofts_start_and_end_time_are_the_window() -> None:
    [record] = records(MS_ALERT, url=None)
    assert record["details"]["scope_of_impact"] == "Users attempting to send mail."
    assert (record["window_start"], record["window_end"], record["window_raw"]) == (
        "2026-04-16T06:30:00+00:00",
        "2026-04-16T12:45:00+00:00",
        "Start time: Thursday, April 16, 2026, at 6:30 AM UTC\n"
        "End time: Thursday, April 16, 2026, at 12:45 PM UTC",
    )
    assert "window_from_labels" in record["flags"]


def test_a_start_time_alone_is_a_warning_not_half_a_window() -> None:
    page = MS_ALERT.replace("End time: Thursday, April 16, 2026, at 12:45 PM UTC\n", "")
    [record] = records(page, url=None)
    assert (record["window_start"], record["window_end"]) == (None, None)
    assert record["warnings"] == [
        "window: Start time / End time not both given: "
        "'Thursday, April 16, 2026, at 6:30 AM UTC', ''"
    ]
    backwards = MS_ALERT.replace("12:45 PM", "5:45 AM")
    [record] = records(backwards, url=None)
    assert record["window_start"] is None
    assert record["warnings"][0].startswith("window: End time before Start time")


# --- 21. a window's day said in part: placed from the notice, or a reason ---------------------

MON_16_OCT = datetime(2023, 10, 16, 10, 30)
SAT_14_OCT = datetime(2023, 10, 14, 16, 30)


@pytest.mark.parametrize(
    ("written", "prose", "start", "flag"),
    [
        (MON_16_OCT, "Users were unable to log in between 09:00 and 11:00 on Saturday the 14th.",
         "2023-10-14T09:00:00", "window_month_inferred"),
        (MON_16_OCT, "Users were unable to log in between 09:00 and 11:00 on the 30th.",
         "2023-09-30T09:00:00", "window_month_inferred"),
        (SAT_14_OCT, "Users were unable to log in between 09:00 and 11:00 on Friday.",
         "2023-10-13T09:00:00", "window_date_from_weekday"),
        (SAT_14_OCT, "The Portal will be unavailable between 22:00 and 23:00 on Friday.",
         "2023-10-20T22:00:00", "window_date_from_weekday"),
        (SAT_14_OCT, "The Portal will be unavailable between 22:00 and 23:00 on Saturday.",
         "2023-10-14T22:00:00", "window_date_from_weekday"),
        (MON_16_OCT, "Mail was delayed between 09:00 and 11:00 on 14/10.",
         "2023-10-14T09:00:00", "year_inferred"),
    ],
)  # fmt: skip
def test_a_window_day_said_in_part_is_placed_from_the_notice(
    written: datetime, prose: str, start: str, flag: str
) -> None:
    window = find_window(prose, written)
    assert window is not None and window.start is not None
    assert window.start.local_iso == start
    assert flag in window.flags and "window_date_inferred" not in window.flags


@pytest.mark.parametrize(
    ("prose", "reason"),
    [
        ("Maintenance between 22:00 and 23:00 on Friday.",
         "its day ('on Friday') is a weekday, and its wording says neither will nor was"),
        ("Users were unable to log in between 09:00 and 11:00 on Sunday the 14th.",
         "no month near the notice has 'on Sunday the 14th'"),
        ("Users were unable to log in between 09:00 and 11:00 on Sunday the 14th October.",
         "its date ('Sunday the 14th October.') cannot be read"),
    ],
)  # fmt: skip
def test_a_window_day_that_cannot_be_placed_is_a_reason_not_the_notices_day(
    prose: str, reason: str
) -> None:
    window = find_window(prose, MON_16_OCT)
    assert window is not None and (window.start, window.end) == (None, None)
    assert window.warnings == [f"window_date_unknown: {window.raw!r}: {reason}"]


def test_a_weekday_that_contradicts_a_dated_window_is_flagged() -> None:
    window = find_window(
        "Maintenance between 01:00 and 08:00 on Sunday the 14th October 2023.", MON_16_OCT
    )
    assert window is not None and window.start is not None
    assert window.start.local_iso == "2023-10-14T01:00:00"
    assert "weekday_contradicts_date" in window.flags


@pytest.mark.parametrize(
    "prose",
    [
        "The Portal will be unavailable between 01:00 and 03:00 tonight.",
        "The Portal will be unavailable between 01:00 and 03:00 while maintenance is carried out.",
    ],
)
def test_an_announced_small_hours_window_is_the_night_to_come(prose: str) -> None:
    window = find_window(prose, datetime(2023, 10, 14, 22, 30))
    assert window is not None and window.start is not None
    assert window.start.local_iso == "2023-10-15T01:00:00"
    assert "window_date_inferred_next_day" in window.flags
    # a report of the small hours, written later that day, stays on its day
    past = find_window("Mail was delayed between 01:00 and 03:00.", datetime(2023, 10, 14, 22, 30))
    assert past is not None and past.start is not None
    assert past.start.local_iso == "2023-10-14T01:00:00"


# --- 22. a listed post's own address names its incident, as its own page does ----------------

UNTITLED_POST_URL = (
    "https://support.nhs.net/2021/11/inc25195556-delayed-email-delivery-using-the-nhsmail-relay/"
)
UNTITLED_TEXT = (
    "We are aware of an issue regarding high volumes of email being queued on the NHSmail"
    " relay. Users may experience delays."
)


def test_an_untitled_listed_post_takes_the_reference_in_its_address() -> None:
    """The same incident, seen on a listing and on its own page, is one notice: its INC
    number is only in its address, which the listing shows as the post's link."""
    listing = html(
        '<article class="post-1 post type-post hentry"><header class="entry-header">'
        f'<div class="entry-meta"><a href="{UNTITLED_POST_URL}" rel="bookmark">'
        '<time class="entry-date published">25/11/2021 08:40:00 AM</time></a></div></header>'
        f'<div class="entry-content"><p>{UNTITLED_TEXT}</p></div></article>'
        '<article class="post-2 post type-post hentry"><header class="entry-header">'
        '<h2 class="entry-title"><a href="https://support.nhs.net/2021/11/portal-issue/">'
        "Portal Issue – RESOLVED</a></h2><div class='entry-meta'>"
        '<time class="entry-date published">24/11/2021 10:00:00 AM</time></div></header>'
        '<div class="entry-content"><p>RESOLVED – The Portal was slow.</p></div></article>'
    )
    got = records(listing, url="https://support.nhs.net/category/service-status/")
    assert [(r["notice_key"], r["reference"]) for r in got] == [
        ("nhsmail:INC25195556", "INC25195556"),
        ("nhsmail:20211124T1000:portal-issue", None),
    ]
    assert "reference_from_url" in got[0]["flags"]
    post = html(
        '<article class="post-1 post type-post hentry"><div class="entry-meta">'
        '<time class="entry-date published">25/11/2021 08:40:00 AM</time></div>'
        f'<div class="entry-content"><p>{UNTITLED_TEXT}</p></div></article>'
    )
    [own] = records(post, url=UNTITLED_POST_URL)
    assert own["notice_key"] == got[0]["notice_key"]


def test_an_open_notice_whose_timeline_closes_it_is_flagged() -> None:
    page = (
        "Mail Delivery Issue\n\n16/10/2023 09:00:00 AM\n\nIssue Status: OPEN\n\n"
        "Final Update: 16/10/2023 17:10:00 PM – This issue has now been resolved.\n"
    )
    [record] = records(page)
    assert (record["state"], record["is_open"]) == ("open", True)  # the stated word stands
    assert "state_conflict" in record["flags"]
    assert record["warnings"] == [
        "states disagree: issue_status='OPEN', but its timeline has a Final Update"
        " ('16/10/2023 17:10:00 PM')"
    ]
    # "Final Update: N/A" says nothing
    [quiet] = records(
        page.replace("16/10/2023 17:10:00 PM – This issue has now been resolved.", "N/A")
    )
    assert "state_conflict" not in quiet["flags"]


def test_a_closing_courtesy_is_never_the_next_untitled_notices_title() -> None:
    page = (
        "Information – Compromised Account Process Update\n\n20/10/2022 16:03:00 PM (BST)\n\n"
        "Please note, we are making a change to the compromised account process.\n\n"
        "If you require additional help and support, the NHSmail helpdesk is available on"
        " 0333 200 1133 or by emailing\n\n"
        "25-11-2021 08:40:00 AM (BST)\n\nIssue Status: RESOLVED\n\n"
        "Description: We are aware of an issue regarding high volumes of email queuing.\n"
    )
    got = records(page, url="https://support.nhs.net/category/service-status/")
    assert [r["title"] for r in got] == ["Information – Compromised Account Process Update", None]
    assert got[0]["body"].endswith("or by emailing")


@pytest.mark.parametrize(
    ("line", "at_raw", "at_local", "text"),
    [
        ("Latest Update: 26/02/2026 3pm – Engineers are working.", "26/02/2026 3pm",
         "2026-02-26T15:00:00", "Engineers are working."),
        ("Update: 26/02/2026 – 11 a.m. – Fixed.", "26/02/2026 – 11 a.m.",
         "2026-02-26T11:00:00", "Fixed."),
        # a number that is no hour stays text
        ("Update: 26/02/2026 – 3 users were affected.", "26/02/2026", "2026-02-26",
         "3 users were affected."),
    ],
)  # fmt: skip
def test_an_update_time_with_an_hour_and_no_minutes(
    line: str, at_raw: str, at_local: str, text: str
) -> None:
    [entry] = read_labelled([line], datetime(2026, 2, 26, 9)).updates
    assert (entry["at_raw"], entry["at_local"], entry["text"]) == (at_raw, at_local, text)


def test_a_themes_own_date_line_above_a_posts_date_is_no_title() -> None:
    page = (
        "INC30766572 – NHSmail Password Issue – RESOLVED\n\nJuly 27, 2022\n\n"
        "27/07/2022 10:50:00 AM (BST)\n\nIssue Status: RESOLVED\n"
    )
    [record] = records(page)
    assert record["title"] == "INC30766572 – NHSmail Password Issue – RESOLVED"


@pytest.mark.parametrize(
    ("stamp", "at_local", "flags", "warnings"),
    [
        # month first, it is the next day; day first, nearly a fortnight before the notice
        ("04/17/2026 8:00 PM", "2026-04-17T20:00:00", ["month_first_date"], []),
        ("05/04/2026 8:00 PM", "2026-04-05T20:00:00", [],
         ["Next update by: '05/04/2026 8:00 PM' is before the notice was written"]),
        ("04/05/2026 8:00 PM", "2026-05-04T20:00:00", [], []),
    ],
)  # fmt: skip
def test_a_next_update_before_its_notice_is_read_month_first_or_warned(
    stamp: str, at_local: str, flags: list[str], warnings: list[str]
) -> None:
    labelled = read_labelled([f"Next update by: {stamp}"], datetime(2026, 4, 16, 9))
    [entry] = labelled.updates
    assert (entry["at_local"], entry["flags"], labelled.warnings) == (at_local, flags, warnings)
    # a page's "Last updated" is no notice's writing: its next update may well be earlier
    quiet = read_labelled([f"Next update by: {stamp}"], datetime(2026, 4, 30, 9), own=False)
    assert quiet.warnings == []


def test_a_rescheduled_window_is_the_new_one() -> None:
    text = (
        "The maintenance planned between 22:00 and 23:00 on 14th October 2023 has been"
        " postponed and will now take place between 22:00 and 23:00 on 21st October 2023."
    )
    window = find_window(text, datetime(2023, 10, 14, 16, 30))
    assert window is not None and window.start is not None
    assert window.start.local_iso == "2023-10-21T22:00:00"


def _listed(n: int, header: str, text: str, after: str = "") -> str:
    return (
        f'<article class="post-{n} post type-post hentry"><header class="entry-header">{header}'
        f"</header><div class='entry-content'><p>{text}</p>{after}</div></article>"
    )


INC_POST = "https://support.nhs.net/2021/11/inc25195556-delayed-email/"
WHEN = '<time class="entry-date published">{}</time>'


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        # a category link before the title is no address of the post's
        (_listed(1, '<span class="cat-links"><a href="https://support.nhs.net/category/'
                    'inc99999999-archive/" rel="category tag">Incidents</a></span>'
                    f'<h2 class="entry-title"><a href="{INC_POST}">Delayed email</a></h2>'
                    + WHEN.format("25/11/2021 08:40:00 AM"), UNTITLED_TEXT),
         ["nhsmail:INC25195556"]),
        # a heading inside an untitled post's text links to another notice
        (_listed(1, WHEN.format("26/11/2021 08:40:00 AM"),
                 "Users may experience delays again.",
                 f'<h3><a href="{INC_POST}">The earlier notice</a></h3>'),
         ["nhsmail:20211126T0840:users-may-experience-delays-again"]),
        # a related post's bookmark inside the post is that post's
        (_listed(1, WHEN.format("10/01/2022 08:40:00 AM"), "Portal slow.",
                 f'<aside><article class="post-9 post hentry"><a href="{INC_POST}" rel="bookmark">'
                 "Earlier</a></article></aside>"),
         ["nhsmail:20220110T0840:portal-slow"]),
        # an empty post's link does not pass to the post after it
        ('<article class="post-1 post hentry"><a href="https://support.nhs.net/2021/11/'
         'inc11111111-x/" rel="bookmark"></a></article>'
         + _listed(2, WHEN.format("25/11/2021 08:40:00 AM"), UNTITLED_TEXT),
         ["nhsmail:20211125T0840:we-are-aware-of-an-issue-regarding-high"]),
    ],
)  # fmt: skip
def test_a_listed_posts_address_is_its_own(page: str, keys: list[str]) -> None:
    got = records(html(page), url="https://support.nhs.net/category/service-status/")
    assert [r["notice_key"] for r in got] == keys


@pytest.mark.parametrize("day", ["on Friday", "on the 24th", "on 24/03"])
def test_an_undated_items_key_stays_put_whatever_day_it_names(day: str) -> None:
    """Placed from the page's "Last updated", "on Friday" would be a different Friday as
    the page moves on: the item's key must not move with it."""
    keys = set()
    for updated in ("20/03/2017 09:10", "22/03/2017 16:00", "25/03/2017 09:00"):
        page = (
            f"Service Status\n\nLast updated: {updated}\n\nPortal Known Issues\n\n"
            "  • Portal – Maintenance – SCHEDULED\n\n"
            f"    The Portal will be unavailable between 22:00 and 23:00 {day}.\n"
        )
        [record] = records(page, url="http://support.nhs.net/servicestatus")
        keys.add(record["notice_key"])
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    "prose",
    [
        "Engineers will be working between 09:00 and 17:00 on the 1st floor of the data centre.",
        "Mail was delayed between 09:00 and 11:00 on 3/4 of servers.",
    ],
)
def test_a_number_after_on_is_a_day_only_where_its_clause_ends(prose: str) -> None:
    window = find_window(prose, datetime(2023, 10, 10, 16, 30))
    assert window is not None and window.start is not None
    assert window.start.local_iso[:10] == "2023-10-10"
    assert "window_month_inferred" not in window.flags and "year_inferred" not in window.flags


def test_a_day_and_month_on_the_wrong_side_of_the_notice_is_a_reason() -> None:
    window = find_window(
        "Mail was delayed between 09:00 and 11:00 on 29/02.", datetime(2023, 3, 2, 16, 30)
    )
    assert window is not None and window.start is None
    assert window.warnings == [
        "window_date_unknown: 'between 09:00 and 11:00': its day ('on 29/02') is on the wrong"
        " side of the notice for its tense"
    ]


def test_a_flat_copy_keeps_an_update_to_its_own_line() -> None:
    """With no blank line anywhere, an update's second line and the next paragraph look
    alike: the update keeps its line, the paragraph stays body text."""
    body = [
        "Issue Status: RESOLVED",
        "Final Update: 27/07/2022 11:47:00 AM – A change has been made to resolve the issue.",
        "Users who reset their password between 09:00 and 11:00 will need to reset it again.",
        "Posted in Service Status",
    ]
    [entry] = read_labelled(body, datetime(2022, 7, 27, 10)).updates
    assert entry["text"] == "A change has been made to resolve the issue."


def test_a_sign_off_ends_an_updates_text() -> None:
    body = [
        "Final Update: 27/07/2022 11:47:00 AM – The issue is resolved.",
        "Users need do nothing.",
        "The NHSmail Team",
        "",
        "NHSmail Support",
    ]
    [entry] = read_labelled(body, datetime(2022, 7, 27, 10)).updates
    assert entry["text"] == "The issue is resolved.\nUsers need do nothing."


def test_start_and_end_times_without_a_day_say_so() -> None:
    page = MS_ALERT.replace("Thursday, April 16, 2026, at 6:30 AM UTC", "22:00").replace(
        "Thursday, April 16, 2026, at 12:45 PM UTC", "02:00"
    )
    [record] = records(page, url=None)
    assert record["window_start"] is None
    assert record["warnings"][0].startswith("window: Start time / End time not read (")
    assert record["warnings"][0].endswith("): '22:00', '02:00'")


@pytest.mark.parametrize(
    "lead", ["<?xml version='1.0' encoding='utf-8'?>\n", "<!-- cached 2026-11-28 -->\n", "\ufeff"]
)
def test_a_page_cut_short_is_seen_behind_a_declaration_or_comment(lead: str) -> None:
    cut = STATUS_HTML[: STATUS_HTML.index(" (HSSIs)")]
    assert page_lines((lead + cut).encode()).truncated
    assert not page_lines((lead + STATUS_HTML).encode()).truncated


def test_the_status_listing_with_one_notice_is_still_a_listing() -> None:
    """support.nhs.net/servicestatus/ is the WordPress listing since 2020: with one notice
    on show it must read as it does with several (same layout, excerpt marked), or the
    notice gets a new version each time the listing grows or shrinks to one."""
    page = html(
        '<article class="post-1 post type-post hentry"><h2 class="entry-title">'
        "INC28274463 – HSSI – RESOLVED</h2><p>14/04/2022 09:35:00 AM</p>"
        "<div class='entry-summary'><p>RESOLVED – The Portal was down […]</p></div></article>"
    )
    [record] = records(page, url="https://support.nhs.net/servicestatus/")
    assert (record["layout"], "excerpt" in record["flags"]) == ("wp_listing", True)


def test_a_status_page_without_its_last_updated_line_is_still_a_status_page() -> None:
    import re

    from tests.golden import FIXTURES

    page = (FIXTURES / "nhsmail" / "servicestatus_2017-2017-03-24" / "page.html").read_text()
    page = re.sub(r"<p[^>]*>\s*Last updated:[^<]*</p>", "", page)
    url = "http://support.nhs.net/servicestatus"
    from parsers.nhsmail import parse_page

    forced = parse_page(page, url=url, fetched_at=FETCHED, layout="servicestatus_2017")
    result = parse("nhsmail", page, url=url, fetched_at=FETCHED)
    assert "Last updated" not in page and len(forced.records) > 1
    assert result.layout == "servicestatus_2017"
    assert [r["notice_key"] for r in result.records] == [r["notice_key"] for r in forced.records]


def test_the_status_listing_at_the_status_address_is_never_a_2017_page() -> None:
    """The WordPress listing has shown at the 2017 address since 2020, with no "Last
    updated": a heading that matches a 2017 section ("Service notices", a post titled
    "… Known Issue") must not make it a status page of sections."""
    from tests.golden import FIXTURES

    folder = FIXTURES / "nhsmail" / "wp_listing-2024-11-12"
    page = next(folder.glob("page.*")).read_bytes()
    lines = (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    expected = [json.loads(line)["notice_key"] for line in lines]
    result = parse(
        "nhsmail", page, url="https://support.nhs.net/servicestatus/", fetched_at=FETCHED
    )
    assert result.layout == "wp_listing"
    assert [r["notice_key"] for r in result.records] == expected


@pytest.mark.parametrize("dated", ["Date: 10/05/2017 07:10", "10/05/2017 07:10"])
def test_a_status_page_without_last_updated_may_date_one_item(dated: str) -> None:
    from tests.golden import FIXTURES

    page = (FIXTURES / "nhsmail" / "servicestatus_2017-2017-05-12" / "page.txt").read_text()
    page = page.replace("Last updated: 11/05/2017 16:45\n", "")
    page = page.replace("    RESOLVED – Some users", f"    {dated}\n\n    RESOLVED – Some users")
    result = parse("nhsmail", page, url="http://support.nhs.net/servicestatus", fetched_at=FETCHED)
    assert (result.layout, len(result.records)) == ("servicestatus_2017", 4)
