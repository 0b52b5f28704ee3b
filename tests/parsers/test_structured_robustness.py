"""Statuspage, feeds and Google Cloud never raise: on arbitrary bytes, on JSON built from
their own keys with values of every type, and on feed-shaped XML. Every record they give
satisfies the contract (and none is dropped as invalid: that would be a parser bug)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import parse
from parsers.record import validate

SOURCES = st.sampled_from(["statuspage", "feed", "gcp"])


def _check(source: str, content: bytes | str) -> None:
    result = parse(source, content)
    assert not any("invalid record" in w for w in result.warnings), result.warnings
    for record in result.records:
        assert validate(record) == [], record
    keys = [r["notice_key"] for r in result.records]
    assert len(keys) == len(set(keys))
    if not result.records:
        assert result.warnings  # an empty result always says why


@settings(max_examples=200, deadline=None)
@given(SOURCES, st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(source: str, data: bytes) -> None:
    _check(source, data)


@settings(max_examples=100, deadline=None)
@given(SOURCES, st.text(max_size=2000))
def test_arbitrary_text_never_raises(source: str, text: str) -> None:
    _check(source, text)


KEYS = st.sampled_from(
    # Statuspage
    "id code name status impact created_at updated_at started_at resolved_at monitoring_at "
    "display_at scheduled_for scheduled_until incident_updates body affected_components "
    "components page url time_zone months year incidents timestamp message incident "
    "scheduled_maintenances postmortem_body postmortem_published_at old_status new_status "
    # Google Cloud
    "begin end created modified updates when text most_recent_update external_desc number "
    "severity status_impact affected_products affected_locations currently_affected_locations "
    "title".split()
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2023-01-10T17:04:42.462Z",
            "2022-07-01T13:37:44+00:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
            "2024-13-45T99:99:99Z",
            "resolved",
            "in_progress",
            "postmortem",
            "Investigating",
            "AVAILABLE",
            "SERVICE_OUTAGE",
            "January",
            "Smarch",
            "Etc/UTC",
            "America/New_York",
            "https://status.example.com",
            "<ul><li><strong>2017-08-23 12:31:05</strong> - x</li></ul>",
            "<ul><li><strong>2016-11-06 01:30:00</strong> - fold</li></ul>",
            "<p><small>Dec <var>31</var>, <var>23:10</var> UTC</small><br>"
            "<strong>Resolved</strong> - t</p>",
            "Dec <var data-var='date'>31</var>, <var data-var='time'>23:10</var> - "
            "Jan <var data-var='date'>1</var>, <var data-var='time'>01:20</var> UTC",
            "Feb <var data-var='date'>30</var>, <var data-var='time'>25:61</var> XYZ",
        ]
    ),
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=8),
    max_leaves=40,
)


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.sampled_from(["statuspage", "gcp"]), JSON_VALUES)
def test_json_of_any_shape_never_raises(source: str, value: object) -> None:
    _check(source, json.dumps(value).encode())


FEED_PARTS = st.sampled_from(
    [
        "<item>",
        "</item>",
        "<entry>",
        "</entry>",
        "<title>",
        "</title>",
        "<guid>g1</guid>",
        "<id>tag:x,2005:Incident/1</id>",
        "<link>https://s.example/incidents/abcdef123456</link>",
        '<link rel="alternate" href="https://s.example/incidents/abcdef123456"/>',
        "<pubDate>Tue, 19 Nov 2024 06:42:00 PST</pubDate>",
        "<pubDate>not a date</pubDate>",
        "<published>2025-01-02T08:15:40Z</published>",
        "<updated>0001-01-01T00:00:00+14:00</updated>",
        "<description>",
        "</description>",
        '<content type="html">',
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div>',
        "</content>",
        "<![CDATA[<p>cdata & <b>bold</b></p>]]>",
        "&lt;p&gt;&lt;small&gt;Dec &lt;var&gt;31&lt;/var&gt;, &lt;var&gt;23:58&lt;/var&gt; "
        "UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Identified&lt;/strong&gt; - x&lt;/p&gt;",
        "&lt;p&gt;&lt;small&gt;Feb &lt;var&gt;29&lt;/var&gt;, &lt;var&gt;10:00&lt;/var&gt; "
        "IST&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Update&lt;/strong&gt; - y&lt;/p&gt;",
        "&nbsp;",
        "&amp;",
        " & ",
        "[RESOLVED] ",
        "Completed",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            ('<rss version="2.0"><channel><link>https://s.example/</link>', "</channel></rss>"),
            ('<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>"),
        ]
    ),
    st.lists(st.one_of(FEED_PARTS, st.text(max_size=20)), max_size=40),
)
def test_feed_shaped_xml_never_raises(frame: tuple[str, str], parts: list[str]) -> None:
    head, tail = frame
    _check("feed", head + "".join(parts) + tail)
