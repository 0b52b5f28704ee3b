"""The incident_phases view on a small archive built by hand from Statuspage payloads,
each answer worked out from the payload's own times."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from archive.db import connect
from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
from scraper.pipelines import parse_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "statuspage"
BASE = "https://status.harbourline.example"
WEBHOOKS = json.loads((FIXTURES / "api_incident-2024-01-04" / "page.json").read_text())


def at(stamp: str) -> dict[str, str]:
    return {"created_at": stamp, "display_at": stamp, "updated_at": stamp}


def skipping() -> dict[str, Any]:
    """investigating 10:00, resolved 10:45: identified and monitoring skipped."""
    data = copy.deepcopy(WEBHOOKS)
    item = data["incident"]
    first, last = item["incident_updates"][4], item["incident_updates"][1]  # newest first
    first.update(at("2024-02-01T10:00:00.000Z"), id="sk1pu0", incident_id="sk1pp3d00001")
    last.update(at("2024-02-01T10:45:00.000Z"), id="sk1pu1", incident_id="sk1pp3d00001")
    item.update(id="sk1pp3d00001", name="Skipped phases", status="resolved",
                created_at="2024-02-01T10:00:00.000Z", updated_at="2024-02-01T10:45:00.000Z",
                monitoring_at=None, resolved_at="2024-02-01T10:45:00.000Z",
                incident_updates=[last, first])  # fmt: skip
    return data


def out_of_order() -> dict[str, Any]:
    """identified 12:00, monitoring 12:30, resolved shown at 12:20 (display_at edited)."""
    data = copy.deepcopy(WEBHOOKS)
    item = data["incident"]
    ident, mon, res = (copy.deepcopy(item["incident_updates"][i]) for i in (3, 2, 1))
    ident.update(at("2024-03-05T12:00:00.000Z"), id="000u1")
    mon.update(at("2024-03-05T12:30:00.000Z"), id="000u2")
    res.update(at("2024-03-05T12:35:00.000Z"), id="000u3", display_at="2024-03-05T12:20:00.000Z")
    item.update(id="0rd3r000001", name="Edited times", status="resolved",
                created_at="2024-03-05T12:00:00.000Z", updated_at="2024-03-05T12:35:00.000Z",
                started_at="2024-03-05T12:00:00.000Z", monitoring_at="2024-03-05T12:30:00.000Z",
                resolved_at="2024-03-05T12:35:00.000Z", incident_updates=[res, mon, ident])  # fmt: skip
    return data


HISTORY = {"months": [{"name": "January", "year": 2024, "incidents": [{
    "code": "w3bh00kd3l4y", "name": "Delayed webhook deliveries", "message": "Postmortem",
    "impact": "major", "timestamp": "Dec <var data-var='date'>31</var>, <var data-var='time'>"
    "21:05</var> - Jan <var data-var='date'>1</var>, <var data-var='time'>02:14</var> UTC"}]}]}  # fmt: skip


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_path_factory.mktemp("phases") / "archive.duckdb")
    when = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
    pages = [
        (f"{BASE}/api/v2/incidents/w3bh00kd3l4y.json", WEBHOOKS),
        (f"{BASE}/api/v2/incidents/sk1pp3d00001.json", skipping()),
        (f"{BASE}/api/v2/incidents/0rd3r000001.json", out_of_order()),
        # the history's line for the same incident comes after its JSON: a newer version
        # without a timeline, which must not hide the JSON's
        (f"{BASE}/history.json?page=1", HISTORY),
    ]
    crawl = start_crawl(con, "harbourline", when)
    for url, data in pages:
        page = FetchedPage("harbourline", url, when, 200, json.dumps(data).encode(),
                           kind="statuspage")  # fmt: skip
        assert ingest_page(con, crawl, page, parse_page).outcome == "new"
    finish_crawl(con, crawl, when)
    return con


def phases(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, Any]:
    cur = con.execute(
        "SELECT * FROM incident_phases WHERE notice_key = ?",
        [f"statuspage:status.harbourline.example:{code}"],
    )
    [row] = cur.fetchall()
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def test_every_phase_stated(con: duckdb.DuckDBPyConnection) -> None:
    p = phases(con, "w3bh00kd3l4y")
    # the fixture's display_at: 23:41:17, 00:22:10, 01:50:00 (edited), 02:14:03, Jan 4 10:12:40
    assert p["source"] == "harbourline" and p["category"] == "incident"
    assert p["updates"] == 5
    assert p["investigating_at"] == datetime(2023, 12, 31, 23, 41, 17, tzinfo=UTC)
    assert p["monitoring_at"] == datetime(2024, 1, 1, 1, 50, tzinfo=UTC)
    assert p["investigating_to_identified_minutes"] == pytest.approx(40 + 53 / 60)
    assert p["identified_to_monitoring_minutes"] == pytest.approx(87 + 50 / 60)
    assert p["monitoring_to_resolved_minutes"] == pytest.approx(24 + 3 / 60)
    # 3 days 7 h 58 min 37 s
    assert p["resolved_to_postmortem_minutes"] == pytest.approx(3 * 1440 + 7 * 60 + 58 + 37 / 60)
    assert p["first_update_to_resolved_minutes"] == pytest.approx(152 + 46 / 60)
    assert p["data_errors"] == []
    # read from the JSON's version, not the newer history line (which has no timeline)
    versions = con.execute(
        "SELECT max(version) FROM notice_versions WHERE notice_key = ?",
        ["statuspage:status.harbourline.example:w3bh00kd3l4y"],
    ).fetchone()
    assert versions is not None and versions[0] > p["version"]


def test_skipped_phases_are_null_never_bridged(con: duckdb.DuckDBPyConnection) -> None:
    p = phases(con, "sk1pp3d00001")
    assert p["identified_at"] is None and p["monitoring_at"] is None
    assert p["investigating_to_identified_minutes"] is None
    assert p["identified_to_monitoring_minutes"] is None
    assert p["monitoring_to_resolved_minutes"] is None
    assert p["resolved_to_postmortem_minutes"] is None
    assert p["first_update_to_resolved_minutes"] == pytest.approx(45)


def test_times_out_of_order_are_errors_not_negative(con: duckdb.DuckDBPyConnection) -> None:
    p = phases(con, "0rd3r000001")
    assert p["investigating_at"] is None
    assert p["identified_to_monitoring_minutes"] == pytest.approx(30)
    assert p["monitoring_to_resolved_minutes"] is None
    assert p["data_errors"] == ["resolved_before_monitoring"]


def test_only_notices_with_statuses_have_rows(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT count(*) FROM incident_phases").fetchall() == [(3,)]


def test_incidents_shows_the_same_phase_durations(con: duckdb.DuckDBPyConnection) -> None:
    columns = ("investigating_to_identified_minutes, identified_to_monitoring_minutes,"
               " monitoring_to_resolved_minutes, resolved_to_postmortem_minutes")  # fmt: skip
    phases = con.execute(f"SELECT notice_key, {columns} FROM incident_phases ORDER BY 1").fetchall()
    incidents = con.execute(
        f"SELECT notice_key, {columns} FROM incidents"
        " WHERE notice_key IN (SELECT notice_key FROM incident_phases) ORDER BY 1"
    ).fetchall()
    assert phases and incidents == phases
