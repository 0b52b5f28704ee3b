"""Statuspage, feeds and Google Cloud: malformed input, the CLI, and rules the goldens
do not pin down on their own (fallbacks, repairs, refusals)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from notices.cli import main
from parsers import parse
from parsers.gcp import GCP_STATUS
from parsers.record import validate
from parsers.states import STATES
from tests.golden import FIXTURES

SP = FIXTURES / "statuspage"
INCIDENT = SP / "api_incident-2024-01-04" / "page.json"
LEGACY = SP / "api_incident-2022-03-16" / "page.json"
ATOM = FIXTURES / "feed" / "atom-2025-01-03" / "page.atom"
RSS = FIXTURES / "feed" / "rss-2025-01-01" / "page.rss"
GCP = FIXTURES / "gcp" / "incidents-2024-03-31" / "page.json"
PAYLOADS = {"statuspage": INCIDENT, "feed": ATOM, "gcp": GCP}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _parse_json(source: str, data: object, **kwargs):
    return parse(source, json.dumps(data).encode(), **kwargs)


# --- malformed input: a clear warning, no records, never a traceback -------------------

NOT_JSON = "malformed JSON"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>&h;</title></entry></feed>"""

# fmt: off
MALFORMED = [
    ("statuspage", b"", "empty payload"),
    ("statuspage", b"   \n\t ", "empty payload"),
    ("statuspage", b"\xff\xfe\xfa junk", "not UTF-8"),
    ("statuspage", b'{"incident": {"id": "x"}\x00}', "NUL"),
    ("statuspage", b'{"page": {"id": "h4rb0url1n3x"}, "incident": {"id": "abc", "name": "Cut', "truncated"),
    ("statuspage", b'{"incidents": [1, 2,], "page": {"id": "h4rb0url1n3x"}}', NOT_JSON),
    ("statuspage", "caf\u00e9".encode()[:-1], "ends inside a character; it looks truncated"),
    ("statuspage", b"<!DOCTYPE html><html><body>Status</body></html>", NOT_JSON),
    ("statuspage", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("statuspage", b"[1, 2, 3]", "not a Statuspage payload: a JSON list"),
    ("statuspage", b'{"status": {"indicator": "none"}}', "not a Statuspage payload: an object with keys [status]"),
    ("statuspage", b'"just a string"', "not a Statuspage payload"),
    ("gcp", b"", "empty payload"),
    ("gcp", b'[{"id": "Kx4mP9qR2sT6vW8yZ1aB", "begin": "2024-03-29T22:41:00+00:00", "upd', "truncated"),
    ("gcp", b'{"incidents": []}', "not a Google Cloud incidents list"),
    ("gcp", b"null", "not a Google Cloud incidents list: a JSON NoneType"),
    ("feed", b"", "empty payload"),
    ("feed", b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Cut', "truncated"),
    ("feed", b"<rss><channel><item></channel></rss>", "malformed XML (Opening and ending tag mismatch"),
    ("feed", b'{"incidents": []}', "malformed XML"),
    ("feed", b"<html><head><title>Status</title></head><body></body></html>", "not an RSS or Atom feed: root element <html>"),
    ("feed", b"/etc/passwd", "malformed XML"),  # read as content, never opened as a file name
    ("feed", b"https://status.example.com/history.atom", "malformed XML"),  # never fetched
]
# fmt: on


@pytest.mark.parametrize(
    ("source", "content", "warning"), MALFORMED, ids=[f"{s}-{w}" for s, _, w in MALFORMED]
)
def test_malformed_input_gives_a_warning_and_no_records(source, content, warning) -> None:
    result = parse(source, content)
    assert result.records == []
    assert result.layout is None
    assert not result.empty_ok
    assert any(warning in w for w in result.warnings), result.warnings


CUT = (
    [("statuspage", path) for path in sorted(SP.glob("*/page.json"))]
    + [("gcp", GCP)]
    + [("feed", path) for path in sorted((FIXTURES / "feed").glob("*/page.*"))]
)


@pytest.mark.parametrize(("source", "path"), CUT, ids=[p.parent.name for _, p in CUT])
def test_cut_anywhere_gives_no_records_and_says_truncated(source: str, path: Path) -> None:
    data = path.read_bytes().rstrip()
    start = 40 if source == "feed" else 1  # a cut inside '<?xml version=…' is just junk
    for cut in range(start, len(data) - 1, 7):
        result = parse(source, data[:cut])
        assert result.records == [], cut
        assert any("truncated" in w for w in result.warnings), (data[:cut][-30:], result.warnings)


def test_entities_are_never_expanded() -> None:
    result = parse("feed", BILLION_LAUGHS)
    for record in result.records:
        assert len(record["title"] or "") < 1000


# --- the CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(PAYLOADS))
def test_cli_parses_every_kind(source: str, capsys) -> None:
    code = main(["parse", source, str(PAYLOADS[source]), "--fetched-at", "2025-01-03T06:30:00Z"])
    out, err = capsys.readouterr()
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert records and all(validate(r) == [] for r in records)
    assert all(
        r["source"] == source and r["fetched_at"] == "2025-01-03T06:30:00+00:00" for r in records
    )


@pytest.mark.parametrize("source", sorted(PAYLOADS))
def test_cli_truncated_payload_exits_1_with_a_message(source: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "cut"
    path.write_bytes(PAYLOADS[source].read_bytes()[:300])
    code = main(["parse", source, str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "truncated" in err and "no notices found" in err
    assert "Traceback" not in err


def test_cli_empty_list_exits_1_but_says_it_is_a_valid_page(tmp_path: Path, capsys) -> None:
    path = tmp_path / "unresolved.json"
    path.write_text('{"page": {"id": "x"}, "incidents": []}')
    assert main(["parse", "statuspage", str(path)]) == 1
    assert "lists no incidents" in capsys.readouterr().err


# --- Statuspage rules --------------------------------------------------------------------


def test_host_comes_from_the_url_then_the_payload_then_the_page_id() -> None:
    data = _json(INCIDENT)
    key = lambda **kw: _parse_json("statuspage", data, **kw).records[0]["notice_key"]  # noqa: E731
    assert key(url="http://127.0.0.1:8000/api/v2/incidents/w3bh00kd3l4y.json") == (
        "statuspage:127.0.0.1:w3bh00kd3l4y"
    )
    assert key() == "statuspage:status.harbourline.example:w3bh00kd3l4y"
    del data["page"]["url"]
    assert key() == "statuspage:page-h4rb0url1n3x:w3bh00kd3l4y"
    del data["page"]
    assert key() == "statuspage:unknown:w3bh00kd3l4y"


def test_empty_lists_are_a_page_with_nothing_on_show() -> None:
    for data, layout in (
        ({"page": {}, "incidents": []}, "api_incidents"),
        ({"page": {}, "scheduled_maintenances": []}, "api_scheduled_maintenances"),
        (
            {"page": {}, "incidents": [], "scheduled_maintenances": [], "components": []},
            "api_summary",
        ),
        ({"months": [{"name": "March", "year": 2025, "incidents": []}]}, "history"),
    ):
        result = _parse_json("statuspage", data)
        assert (result.records, result.layout, result.empty_ok) == ([], layout, True)


def test_items_without_a_code_are_skipped_and_named() -> None:
    data = _json(SP / "api_incidents-2025-01-03" / "page.json")
    data["incidents"].insert(1, {"name": "no id"})
    data["incidents"].append("not an object")
    result = _parse_json("statuspage", data)
    assert len(result.records) == 3
    assert sum("skipped" in w for w in result.warnings) == 2
    assert not result.empty_ok


def test_an_incident_listed_twice_keeps_the_first() -> None:
    data = _json(SP / "api_incidents-2025-01-03" / "page.json")
    data["incidents"].append(copy.deepcopy(data["incidents"][0]))
    result = _parse_json("statuspage", data)
    assert len(result.records) == 3
    assert any("listed twice" in w for w in result.warnings)


def test_unknown_status_word_is_kept_raw_and_warned() -> None:
    data = _json(INCIDENT)
    data["incident"]["status"] = "escalated"
    data["incident"]["incident_updates"][0]["status"] = "escalated"
    [record] = _parse_json("statuspage", data).records
    assert (record["state_raw"], record["state"], record["is_open"]) == ("escalated", None, None)
    assert record["updates"][-1]["status_raw"] == "escalated"
    assert record["updates"][-1]["status"] is None
    assert any("escalated" in w for w in record["warnings"])


def test_a_window_ending_before_it_starts_loses_its_end() -> None:
    data = _json(SP / "api_scheduled_maintenances-2025-03-28" / "page.json")
    data["scheduled_maintenances"][0]["scheduled_until"] = "2025-03-29T23:00:00.000Z"
    record = _parse_json("statuspage", data).records[0]
    assert record["window_start"] == "2025-03-30T01:00:00+00:00"
    assert record["window_end"] is None
    assert any("ends before it starts" in w for w in record["warnings"])
    assert validate(record) == []


def test_a_postmortem_given_as_fields_joins_the_timeline() -> None:
    data = _json(INCIDENT)
    inc = data["incident"]
    inc["incident_updates"] = inc["incident_updates"][1:]  # no postmortem update
    inc["postmortem_body"] = "<p>Root cause: a stuck consumer.</p>"
    inc["postmortem_published_at"] = "2024-01-05T09:00:00.000Z"
    [record] = _parse_json("statuspage", data).records
    last = record["updates"][-1]
    assert (last["label"], last["status"], last["at"], last["text"]) == (
        "Postmortem",
        "postmortem",
        "2024-01-05T09:00:00+00:00",
        "Root cause: a stuck consumer.",
    )
    assert last["flags"] == ["from_postmortem_fields"]


def test_an_imported_list_that_does_not_match_display_at_takes_the_page_zone() -> None:
    data = _json(LEGACY)
    data["page"]["time_zone"] = "America/New_York"
    update = data["incident"]["incident_updates"][0]
    [record] = _parse_json("statuspage", data).records
    assert record["updates"][0]["at"] == "2016-11-03T18:02:44+00:00"  # matches display_at: UTC
    assert "zone_from_display_at" in record["updates"][0]["flags"]
    update["display_at"] = "2016-11-03T22:02:44.000Z"  # the New York wall time, read as UTC
    [record] = _parse_json("statuspage", data).records
    assert record["updates"][0]["at"] == "2016-11-03T22:02:44+00:00"
    assert "zone_from_page" in record["updates"][0]["flags"]


def test_history_months_without_a_year_are_reported() -> None:
    data = {"months": [{"name": "Smarch", "year": 2025, "incidents": [{"code": "abc123def456"}]}]}
    result = _parse_json("statuspage", data)
    assert result.records == []
    assert any("month without a readable name and year" in w for w in result.warnings)


# --- feeds -------------------------------------------------------------------------------


def test_atom_and_rss_of_one_page_give_the_same_keys() -> None:
    atom = {r["notice_key"] for r in parse("feed", ATOM.read_bytes()).records}
    rss = {r["notice_key"] for r in parse("feed", RSS.read_bytes()).records}
    assert rss <= atom and len(rss) == 2


def test_html_entities_and_bare_ampersands_are_repaired_and_flagged() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><link>https://s.example/</link>
    <item><title>Q&A service&nbsp;down &mdash; [Resolved]</title><guid>a-1</guid>
    <pubDate>Tue, 19 Nov 2024 06:42:00 +0000</pubDate><description>x</description></item>
    </channel></rss>"""
    [record] = parse("feed", feed).records
    assert record["title"] == "Q&A service down \u2014 [Resolved]"
    assert record["state"] == "resolved"
    assert "xml_repaired" in record["flags"]


def test_a_str_with_an_encoding_declaration_is_read() -> None:
    text = ATOM.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert len(parse("feed", text).records) == 3


def test_a_feed_with_no_items_has_nothing_on_show() -> None:
    feed = b'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title></feed>'
    result = parse("feed", feed)
    assert (result.records, result.layout, result.empty_ok) == ([], "atom", True)


def test_release_notes_words_are_not_states() -> None:
    feed = b"""<rss version="2.0"><channel><link>https://s.example/</link>
    <item><title>New: dark mode</title><guid>n1</guid></item>
    <item><title>Update: new regions</title><guid>n2</guid></item></channel></rss>"""
    assert [r["state"] for r in parse("feed", feed).records] == [None, None]


def test_an_item_without_any_id_gets_a_readable_fallback_key() -> None:
    feed = b"""<rss version="2.0"><channel><link>https://s.example/</link>
    <item><title>Slow uploads</title><pubDate>Tue, 19 Nov 2024 06:42:00 +0000</pubDate></item>
    <item><title>Slow uploads</title></item></channel></rss>"""
    keys = [r["notice_key"] for r in parse("feed", feed).records]
    assert keys == [
        "feed:s.example:20241119T0642:slow-uploads",
        "feed:s.example:undated:slow-uploads",
    ]


def test_a_statuspage_item_without_a_date_has_untimed_updates() -> None:
    body = "&lt;p&gt;&lt;small&gt;Dec &lt;var&gt;30&lt;/var&gt;, &lt;var&gt;21:23&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - Fixed.&lt;/p&gt;"
    feed = f"""<rss version="2.0"><channel><item><title>t</title><guid>g</guid>
    <description>{body}</description></item></channel></rss>""".encode()
    [record] = parse("feed", feed).records
    [update] = record["updates"]
    assert (update["label"], update["at"], update["text"]) == ("Resolved", None, "Fixed.")
    assert any("no date to infer the year from" in w for w in record["warnings"])


# --- Google Cloud ------------------------------------------------------------------------


def test_gcp_statuses_map_into_the_vocabulary() -> None:
    assert set(GCP_STATUS.values()) <= set(STATES)


def test_gcp_unknown_status_is_warned() -> None:
    data = _json(GCP)
    data[1]["most_recent_update"]["status"] = "SERVICE_ON_FIRE"
    del data[1]["end"]
    record = _parse_json("gcp", data).records[1]
    assert record["state"] is None
    assert any("SERVICE_ON_FIRE" in w for w in record["warnings"])


def test_gcp_empty_list_has_nothing_on_show() -> None:
    result = parse("gcp", b"[]")
    assert (result.records, result.layout, result.empty_ok) == ([], "incidents", True)


# --- the contract --------------------------------------------------------------------------


def test_details_must_be_strings() -> None:
    record = parse("gcp", GCP.read_bytes()).records[0]
    assert validate(record) == []
    record["details"]["affected_products"] = [{"id": "x"}]
    assert "details must map strings to strings" in validate(record)


@pytest.mark.parametrize(
    ("source", "content"),
    [
        ("statuspage", b'{"incidents": [1, 2,], "page": {"id": "h4rb0url1n3x"}}'),
        ("feed", b"<rss><channel><item></channel></rss>"),
    ],
)
def test_an_error_inside_the_payload_is_not_called_a_cut(source: str, content: bytes) -> None:
    assert not any("truncated" in w for w in parse(source, content).warnings)


def test_a_statuspage_item_whose_first_update_is_in_an_unknown_zone_keeps_its_wall_time() -> None:
    # the feed's own date is when the latest status came, not when the incident was posted:
    # the first update's wall time is known, its instant is not, and none is borrowed
    body = (
        "&lt;p&gt;&lt;small&gt;Jan &lt;var&gt;3&lt;/var&gt;, &lt;var&gt;10:00&lt;/var&gt; IST"
        "&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Investigating&lt;/strong&gt; - Looking.&lt;/p&gt;"
    )
    feed = f"""<rss version="2.0"><channel><item><title>t</title><guid>g</guid>
    <pubDate>Fri, 03 Jan 2025 05:00:00 +0000</pubDate>
    <description>{body}</description></item></channel></rss>""".encode()
    [record] = parse("feed", feed).records
    [update] = record["updates"]
    assert (update["at_local"], update["at"]) == ("2025-01-03T10:00:00", None)
    assert (record["published_local"], record["published_at"]) == ("2025-01-03T10:00:00", None)
    assert record["tz_policy"] == "unknown_abbreviation"
    assert any("unknown time zone abbreviation 'IST'" in w for w in record["warnings"])


def _atom_item(content: str, *, published: str, title: str = "Exports", extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://status.example.com"/>
  <entry><id>tag:status.example.com,2005:Incident/1</id><published>{published}</published>
    <link href="https://status.example.com/incidents/abcd1234wxyz"/>{extra}
    <title>{title}</title><content type="html">{content}</content></entry></feed>""".encode()


def _entry(month_day: str, clock: str, status: str, text: str, zone: str = "UTC") -> str:
    month, day = month_day.split()
    return (
        f"&lt;p&gt;&lt;small&gt;{month} &lt;var data-var='date'&gt;{day}&lt;/var&gt;, "
        f"&lt;var data-var='time'&gt;{clock}&lt;/var&gt; {zone}&lt;/small&gt;&lt;br&gt;"
        f"&lt;strong&gt;{status}&lt;/strong&gt; - {text}&lt;/p&gt;"
    )


def test_a_feed_update_is_never_dated_after_its_item() -> None:
    # a known issue resolved seven months after it was identified: February is this year's,
    # not next year's (nearest to September), which would put it after the item itself
    content = _entry("Sep 1", "10:00", "Resolved", "Fixed.") + _entry(
        "Feb 1", "09:00", "Identified", "Known issue."
    )
    [record] = parse("feed", _atom_item(content, published="2025-09-01T10:00:00Z")).records
    assert [u["at"] for u in record["updates"]] == [
        "2025-02-01T09:00:00+00:00",
        "2025-09-01T10:00:00+00:00",
    ]
    assert record["published_at"] == "2025-02-01T09:00:00+00:00"


def test_a_feed_update_a_day_ahead_in_its_own_zone_keeps_the_items_year() -> None:
    content = _entry("Jan 1", "08:00", "Resolved", "Fixed.", zone="JST")
    [record] = parse("feed", _atom_item(content, published="2024-12-31T23:00:00Z")).records
    assert record["updates"][0]["at"] == "2024-12-31T23:00:00+00:00"


def test_a_numeric_zone_label_is_that_offset() -> None:
    # moment-timezone writes zones with no abbreviation as "-03", "+04"
    content = _entry("Jan 3", "09:15", "Investigating", "Looking.", zone="-03")
    [record] = parse("feed", _atom_item(content, published="2025-01-03T12:15:00Z")).records
    [update] = record["updates"]
    assert (update["at"], update["status"]) == ("2025-01-03T12:15:00+00:00", "investigating")
    assert record["tz_policy"] == "stated_offset"


def test_an_update_that_changes_no_status_states_none() -> None:
    content = (
        _entry("Jan 3", "11:00", "Resolved", "Fixed.")
        + _entry("Jan 3", "10:30", "Update", "Still looking.")
        + _entry("Jan 3", "10:00", "Investigating", "Looking.")
    )
    [record] = parse("feed", _atom_item(content, published="2025-01-03T11:00:00Z")).records
    statuses = [(u["status_raw"], u["status"]) for u in record["updates"]]
    assert statuses == [
        ("Investigating", "investigating"),
        ("Update", None),
        ("Resolved", "resolved"),
    ]


def test_the_statuses_decide_the_category_before_the_title() -> None:
    content = _entry("Jan 3", "11:00", "Resolved", "Fixed.") + _entry(
        "Jan 3", "10:00", "Investigating", "Looking."
    )
    title = "Elevated errors after database maintenance"
    [record] = parse(
        "feed", _atom_item(content, published="2025-01-03T11:00:00Z", title=title)
    ).records
    assert record["category"] == "incident"
    assert "category_inferred" not in record["flags"]
    scheduled = _entry("Jan 3", "10:00", "Scheduled", "We will upgrade.")
    [record] = parse("feed", _atom_item(scheduled, published="2025-01-03T10:00:00Z")).records
    assert record["category"] == "maintenance"


def test_an_atom_text_title_keeps_what_looks_like_a_tag() -> None:
    content = _entry("Jan 3", "10:00", "Scheduled", "We will upgrade.")
    feed = _atom_item(content, published="2025-01-03T10:00:00Z",
                      title="<![CDATA[Scheduled maintenance <db> upgrade]]>")  # fmt: skip
    assert parse("feed", feed).records[0]["title"] == "Scheduled maintenance <db> upgrade"
    summary = b"""<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://s.example/"/>
    <entry><id>e1</id><title type="html">A &lt;b&gt;bold&lt;/b&gt; move</title>
    <summary type="text">Restart &lt;INSTANCE&gt; now</summary></entry></feed>"""
    [record] = parse("feed", summary).records
    assert (record["title"], record["body"]) == ("A bold move", "Restart <INSTANCE> now")


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("**Workaround:** run `gcloud sql instances restart <INSTANCE_NAME>` and <b>retry</b>.",
         "**Workaround:** run `gcloud sql instances restart <INSTANCE_NAME>` and retry."),
        # placeholders named like elements: upper case, or inside a code span
        ("Run with --labels=<LABEL> and <TIME>, or `bq query <dataset>.<table>`.",
         "Run with --labels=<LABEL> and <TIME>, or `bq query <dataset>.<table>`."),
    ],
)  # fmt: skip
def test_gcp_markdown_keeps_its_placeholders_and_reads_its_html(text: str, read: str) -> None:
    data = _json(GCP)
    data[0]["updates"][0]["text"] = text
    record = _parse_json("gcp", data).records[0]
    assert read in [u["text"] for u in record["updates"]]


def test_a_feed_in_the_encoding_its_declaration_names_is_read() -> None:
    feed = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss version="2.0"><channel>'
        b"<link>https://status.example.de/</link><item><title>St\xf6rung - Resolved</title>"
        b"<guid>g1</guid></item></channel></rss>"
    )
    [record] = parse("feed", feed).records
    assert (record["title"], record["state"]) == ("Störung - Resolved", "resolved")


def test_an_imported_list_written_newest_first_is_put_in_order_by_its_stamps() -> None:
    data = {
        "page": {"id": "p2", "url": "https://status.old.example", "time_zone": "Etc/UTC"},
        "incident": {
            "id": "oldold000002", "name": "Incident", "status": "resolved", "impact": "minor",
            "created_at": "2016-03-01T10:00:00.000Z",
            "incident_updates": [{
                "id": "x1", "status": "resolved",
                "body": "<ul><li><strong>2016-03-01 12:00:00</strong> - All clear.</li>"
                        "<li><strong>2016-03-01 10:00:00</strong> - Investigating.</li></ul>",
                "created_at": "2018-12-05T11:00:00.000Z",
                "display_at": "2016-03-01T10:00:00.000Z",
            }],
        },
    }  # fmt: skip
    [record] = _parse_json("statuspage", data).records
    got = [
        (u["text"], u["status"], "zone_from_display_at" in u["flags"]) for u in record["updates"]
    ]
    assert got == [("Investigating.", None, True), ("All clear.", "resolved", True)]
