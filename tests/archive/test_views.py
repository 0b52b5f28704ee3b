"""Every analysis view on a hand-built archive whose right answers are known
(built by `tests.handbuilt`):

Three crawls an hour apart on 10 January 2023 (GMT, so local time = UTC):
  A  INC10000001 published 09:00, open at 09:30, resolved at 10:30 and 11:30 (revised)
  B  INC10000002 published 09:10, open in all three crawls             (still open)
  C  INC10000003 published 08:00, open at 09:30, gone at 10:30         (vanished open)
  D  INC10000004 published 07:00, first seen at 10:30 already resolved (first seen closed)
  E  a maintenance notice with only a stated window, seen once at 11:30 (no state)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from archive.survival import (
    first_seen_closed_count,
    kaplan_meier,
    median_survival,
    time_to_resolve_km,
)
from parsers.states import STATES
from tests.handbuilt import build_archive


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    db: Path = tmp_path_factory.mktemp("views") / "views.duckdb"
    return build_archive(db)


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    rows = con.execute(sql).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


COLUMNS = ("censored, observed_resolve_min_minutes, observed_resolve_max_minutes, "
           "stated_window_minutes, reported_to_final_minutes, t0_source")  # fmt: skip


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("nhsmail:INC10000001", (None, 30.0, 90.0, None, 90.0, "published")),
        ("nhsmail:INC10000002", ("still_open", 140.0, None, None, None, "published")),
        ("nhsmail:INC10000003", ("vanished_open", 90.0, None, None, None, "published")),
        ("nhsmail:INC10000004", ("first_seen_closed", None, 210.0, None, None, "published")),
        (
            "nhsmail:20230110T1100:relay-maintenance",
            ("no_state", None, None, 90.0, None, "published"),
        ),
    ],
)
def test_incidents_durations(con: duckdb.DuckDBPyConnection, key: str, expected: tuple) -> None:
    assert one(con, f"SELECT {COLUMNS} FROM incidents WHERE notice_key = '{key}'") == expected


def test_published_to_final_sits_beside_reported_to_final(
    con: duckdb.DuckDBPyConnection,
) -> None:
    got = con.execute(
        "SELECT notice_key, published_to_final_minutes FROM incidents"
        " WHERE published_to_final_minutes IS NOT NULL"
    ).fetchall()
    assert got == [("nhsmail:INC10000001", 75.0)]  # published 09:00, Final Update 10:15


def test_incidents_columns(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con, "SELECT count(*), count(DISTINCT notice_key), count(notice_key) FROM incidents"
    ) == (5, 5, 5)
    states = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT state FROM incidents WHERE state IS NOT NULL"
        ).fetchall()
    }
    assert states <= set(STATES)
    assert one(
        con,
        "SELECT count(*) FROM incidents WHERE observed_resolve_min_minutes > observed_resolve_max_minutes",
    ) == (0,)
    assert one(con, "SELECT count(*) FROM incidents WHERE len(data_errors) > 0") == (0,)
    assert one(
        con, "SELECT vanished_at FROM incidents WHERE notice_key = 'nhsmail:INC10000003'"
    ) == (datetime(2023, 1, 10, 10, 30, tzinfo=UTC),)


def test_monthly_counts(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT category, notices, with_state, resolved_observed, open_censored FROM monthly_counts"
        " WHERE month = '2023-01-01' ORDER BY category"
    ).fetchall()
    assert rows == [("incident", 4, 4, 1, 2), ("maintenance", 1, 0, 0, 0)]


def test_time_to_resolve(con: duckdb.DuckDBPyConnection) -> None:
    row = one(
        con,
        "SELECT incidents, resolved_observed, still_open, vanished_open, first_seen_closed,"
        " median_min_minutes, median_max_minutes, p90_max_minutes, median_reported_to_final_minutes,"
        " median_published_to_final_minutes FROM time_to_resolve WHERE category = 'incident'",
    )
    assert row == (4, 1, 1, 1, 1, 30.0, 90.0, 90.0, 90.0, 75.0)


def test_hour_of_week(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT category, weekday, hour, notices FROM hour_of_week ORDER BY ALL"
    ).fetchall()
    # 10 Jan 2023 was a Tuesday (ISO weekday 2)
    assert rows == [("incident", 2, 7, 1), ("incident", 2, 8, 1), ("incident", 2, 9, 2),
                    ("maintenance", 2, 11, 1)]  # fmt: skip


def test_revisions(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT notice_key, version, state, is_open, changed FROM revisions"
    ).fetchall()
    assert len(rows) == 1
    key, version, state, is_open, changed = rows[0]
    assert (key, version, state, is_open) == ("nhsmail:INC10000001", 2, "resolved", False)
    assert {"title", "state", "updates"} <= set(changed)
    assert "published" not in changed and "window" not in changed


def test_publication_lag(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con,
        "SELECT first_seen_lag_minutes FROM publication_lag WHERE notice_key = 'nhsmail:INC10000001'",
    ) == (30.0,)
    maintenance = one(con, "SELECT window_start_minus_published_minutes FROM publication_lag"
                           " WHERE notice_key LIKE '%relay-maintenance'")  # fmt: skip
    assert maintenance == ((4 * 24 + 11) * 60.0,)  # announced 4 days 11 hours ahead


def test_coverage(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con, "SELECT crawls, fetches, failed_fetches, snapshots, max_gap_hours FROM coverage"
    ) == (3, 3, 0, 3, 1.0)


def test_kaplan_meier_by_hand() -> None:
    # times 10, 20 (censored), 30, 40; S: 10 -> 3/4, 30 -> 3/4 * 1/2 = 3/8
    table = kaplan_meier([10, 20, 30, 40], [True, False, True, True])
    assert table["survival"].round(4).tolist() == [0.75, 0.75, 0.375, 0.0]
    assert table["at_risk"].tolist() == [4, 3, 2, 1]
    assert median_survival(table) == 30


def test_kaplan_meier_on_the_archive_censors_open_incidents(
    con: duckdb.DuckDBPyConnection,
) -> None:
    table = time_to_resolve_km(con, "category = 'incident'")
    # resolved: A at 90 (max end); censored: B at 140, C at 90 (open when last seen);
    # D is left out: first seen closed, it only says it resolved before we looked
    assert table[["minutes", "at_risk", "resolved", "censored"]].values.tolist() == [
        [90.0, 3, 1, 1],
        [140.0, 1, 0, 1],
    ]
    assert table["survival"].round(4).tolist() == [0.6667, 0.6667]
    assert median_survival(table) is None
    assert first_seen_closed_count(con, "category = 'incident'") == 1


def test_kaplan_meier_of_nothing_is_an_empty_table() -> None:
    assert kaplan_meier([], []).empty
    assert kaplan_meier([float("nan")], [True]).empty


def test_coverage_shows_months_without_crawls(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tests.handbuilt import A_DONE, A_OPEN, build_archive

    con = build_archive(tmp_path / "gap.duckdb", [
        (datetime(2023, 1, 10, 9, 30, tzinfo=UTC), [A_OPEN]),
        (datetime(2023, 3, 10, 9, 30, tzinfo=UTC), [A_DONE]),
    ])  # fmt: skip
    rows = con.execute(
        "SELECT month::DATE::VARCHAR, crawls, fetches, max_gap_hours FROM coverage ORDER BY month"
    ).fetchall()
    # the 59-day gap lies across all three months: February, with no fetch, shows it too
    assert rows == [("2023-01-01", 1, 1, 59 * 24.0), ("2023-02-01", 0, 0, 59 * 24.0),
                    ("2023-03-01", 1, 1, 59 * 24.0)]  # fmt: skip


def test_versions_must_agree_with_the_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    import pytest

    with pytest.raises(duckdb.ConstraintException):  # a resolved notice that is open
        con.execute(
            "INSERT INTO notice_versions SELECT * REPLACE"
            " ('k' AS notice_key, 'resolved' AS state, true AS is_open)"
            " FROM notice_versions LIMIT 1"
        )


def test_summer_times_t0_fallback_and_negative_durations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tests.handbuilt import build_archive, notice

    # published 11:00 BST (10:00 UTC) but seen open at 09:30 UTC: a page claim later than
    # our own sighting, so the negative bracket end is NULL and listed as a data error
    early = notice("INC50000001 – Mail – NEW", "10/07/2023 11:00:00 AM", "Mail is slow.")
    con = build_archive(tmp_path / "summer.duckdb", [
        (datetime(2023, 7, 10, 9, 30, tzinfo=UTC), [early]),
        (datetime(2023, 7, 10, 12, 0, tzinfo=UTC), [early.replace("NEW", "RESOLVED")]),
    ])  # fmt: skip
    row = con.execute(
        "SELECT observed_resolve_min_minutes, observed_resolve_max_minutes, data_errors"
        " FROM incidents"
    ).fetchone()
    assert row == (None, 120.0, ["negative_observed_min"])
    assert con.execute("SELECT weekday, hour FROM hour_of_week").fetchall() == [(1, 11)], (
        "London wall time in summer, not UTC"
    )


def test_t0_falls_back_to_the_first_sighting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse

    page = (
        "Service Status\n\nLast updated: 10/05/2017 09:00\n\nHigh Severity Service Incidents\n\n"
        "  • INC01872345– HSSI – NEW\n\n    Some users cannot sign in.\n"
    )
    con = connect(tmp_path / "t0.duckdb")
    at = datetime(2017, 5, 10, 9, 30, tzinfo=UTC)
    crawl_id = start_crawl(con, "nhsmail", at)
    ingest_page(con, crawl_id, FetchedPage("nhsmail", "http://support.nhs.net/servicestatus", at,
                                           200, page.encode()),
                lambda p: parse(p.source, p.body, url=p.url, fetched_at=p.fetched_at))  # fmt: skip
    finish_crawl(con, crawl_id, at)
    assert con.execute("SELECT t0, t0_source, published_at FROM incidents").fetchone() == (
        at,
        "first_seen",
        None,
    )


def test_time_to_resolve_quantiles_over_several_incidents(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from tests.handbuilt import build_archive, notice

    # five incidents published at 09:00, resolved at crawls 1..5 hours later
    base = datetime(2023, 1, 10, 9, 0, tzinfo=UTC)
    items = [notice(f"INC6000000{i} – Issue – NEW", "10/01/2023 09:00:00 AM", "Down.")
             for i in range(5)]  # fmt: skip
    crawls = []
    for hour in range(6):
        shown = [it.replace("NEW", "RESOLVED") if i < hour else it for i, it in enumerate(items)]
        crawls.append((base + timedelta(hours=hour, minutes=1), shown))
    con = build_archive(tmp_path / "q.duckdb", crawls[1:])  # first crawl an hour in
    row = con.execute(
        "SELECT resolved_observed, median_max_minutes, p90_max_minutes FROM time_to_resolve"
    ).fetchone()
    # incident i (1..4) is last seen open i h 1 min after 09:00 and first seen resolved an
    # hour later: maxima 121, 181, 241, 301 min (incident 0 was first seen closed)
    assert row[0] == 4
    assert row[1] == 211.0  # the median of four: (181 + 241) / 2
    assert row[2] == pytest.approx(283.0)  # p90: 241 + 0.7 * (301 - 241)


def _undated_2017(tmp_path: Path, pages: list[tuple[datetime, str]]) -> duckdb.DuckDBPyConnection:
    """Crawls of a 2017-style page, whose items carry no time of their own."""
    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse

    con = connect(tmp_path / "undated.duckdb")
    for at, state in pages:
        page = (
            "Service Status\n\nLast updated: 10/05/2017 09:00\n\nHigh Severity Service Incidents"
            f"\n\n  • INC01872345– HSSI – {state}\n\n    Some users cannot sign in.\n"
        )
        crawl_id = start_crawl(con, "nhsmail", at)
        ingest_page(con, crawl_id, FetchedPage("nhsmail", "http://support.nhs.net/servicestatus",
                                               at, 200, page.encode()),
                    lambda p: parse(p.source, p.body, url=p.url, fetched_at=p.fetched_at))  # fmt: skip
        finish_crawl(con, crawl_id, at)
    return con


def test_an_undated_notice_first_seen_closed_has_no_upper_bound(tmp_path: Path) -> None:
    # its t0 is the sighting that already showed it closed: "resolved within 0 minutes"
    # would be a bound on nothing
    con = _undated_2017(tmp_path, [(datetime(2017, 5, 10, 9, 30, tzinfo=UTC), "RESOLVED")])
    row = con.execute(
        "SELECT censored, t0_source, observed_resolve_min_minutes, observed_resolve_max_minutes"
        " FROM incidents"
    ).fetchone()
    assert row == ("first_seen_closed", "first_seen", None, None)


def test_undated_notices_are_left_out_of_time_to_resolve_and_counted(tmp_path: Path) -> None:
    from archive.survival import untimed_count

    # seen open at 09:30, closed at 10:30; it began some unknown time before 09:30
    con = _undated_2017(tmp_path, [(datetime(2017, 5, 10, 9, 30, tzinfo=UTC), "NEW"),
                                   (datetime(2017, 5, 10, 10, 30, tzinfo=UTC), "RESOLVED")])  # fmt: skip
    assert one(con, "SELECT censored, observed_resolve_max_minutes FROM incidents") == (None, 60.0)
    assert one(con, "SELECT resolved_observed, untimed, median_max_minutes FROM time_to_resolve") == (
        1, 1, None)  # fmt: skip
    assert time_to_resolve_km(con).empty
    assert untimed_count(con) == 1


def _statuspage_archive(db: Path, incident: dict, at: datetime) -> duckdb.DuckDBPyConnection:
    """An archive of one crawl of one Statuspage incident payload."""
    import json

    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse

    con = connect(db)
    crawl_id = start_crawl(con, "statuspage", at)
    page = FetchedPage("statuspage", "https://www.githubstatus.com/api/v2/incidents/x.json", at,
                       200, json.dumps(incident).encode())  # fmt: skip
    ingest_page(
        con, crawl_id, page, lambda p: parse("statuspage", p.body, url=p.url, fetched_at=at)
    )
    finish_crawl(con, crawl_id, at)
    return con


def test_phases_out_of_order_are_data_errors_in_incidents(tmp_path: Path) -> None:
    import json

    from tests.golden import FIXTURES

    data = json.loads(
        (FIXTURES / "statuspage" / "api_incident-2024-01-04" / "page.json").read_text()
    )
    updates = data["incident"]["incident_updates"]
    statuses = [u["status"] for u in updates]
    assert "monitoring" in statuses and "identified" in statuses
    # monitoring said an hour before identified
    ident = next(u for u in updates if u["status"] == "identified")
    monit = next(u for u in updates if u["status"] == "monitoring")
    monit["created_at"] = monit["display_at"] = "2000-01-01T00:00:00.000Z"
    assert ident["display_at"] > monit["display_at"]
    con = _statuspage_archive(tmp_path / "phases.duckdb", data, datetime(2024, 1, 5, tzinfo=UTC))
    row = con.execute(
        "SELECT identified_to_monitoring_minutes, data_errors FROM incidents"
    ).fetchone()
    assert row[0] is None and "monitoring_before_identified" in row[1]


def test_a_stale_copy_in_the_same_crawl_does_not_reopen_a_notice(tmp_path: Path) -> None:
    # crawl 2: the listing says RESOLVED, and the notice's own post, fetched a second
    # later, comes back unchanged (still NEW): the crawl's newest version decides
    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse
    from tests.handbuilt import A_DONE, A_OPEN, URL

    post_url = "https://support.nhs.net/2023/01/inc10000001-relay-delay/"
    post = (
        "INC10000001 – Relay Delay – NEW\n\n10/01/2023 09:00:00 AM\n\n"
        "We are aware of delays on the relay.\n"
    ).encode()
    con = connect(tmp_path / "stale.duckdb")
    for hour, listing in ((9, A_OPEN), (10, A_DONE)):
        at = datetime(2023, 1, 10, hour, 30, tzinfo=UTC)
        crawl_id = start_crawl(con, "nhsmail", at)
        for when, url, body in ((at, URL, listing.encode()),
                                (at.replace(second=1), post_url, post)):  # fmt: skip
            ingest_page(con, crawl_id, FetchedPage("nhsmail", url, when, 200, body),
                        lambda p: parse(p.source, p.body, url=p.url, fetched_at=p.fetched_at))  # fmt: skip
        finish_crawl(con, crawl_id, at)
    row = one(con, "SELECT state, censored, last_open, first_closed FROM incidents")
    assert row == (
        "resolved",
        None,
        datetime(2023, 1, 10, 9, 30, 1, tzinfo=UTC),
        datetime(2023, 1, 10, 10, 30, tzinfo=UTC),
    )


def _listing_and_post_crawls(db: Path, crawls: list[tuple[datetime, list[tuple[int, bytes]]]]):  # type: ignore[no-untyped-def]
    """An archive of crawls that each fetch, at the given seconds past the crawl's start,
    the listing (0) or INC10000001's own post (1)."""
    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse
    from tests.handbuilt import URL

    urls = (URL, "https://support.nhs.net/2023/01/inc10000001-relay-delay/")
    con = connect(db)
    for at, pages in crawls:
        crawl_id = start_crawl(con, "nhsmail", at)
        for i, (which, body) in enumerate(pages):
            page = FetchedPage("nhsmail", urls[which], at.replace(second=i), 200, body)
            ingest_page(con, crawl_id, page,
                        lambda p: parse(p.source, p.body, url=p.url, fetched_at=p.fetched_at))  # fmt: skip
        finish_crawl(con, crawl_id, at)
    return con


def test_the_bracket_takes_the_first_closed_and_last_open_sighting_of_a_crawl(
    tmp_path: Path,
) -> None:
    # Both renderings agree within a crawl. 09:30: the listing, open. 10:30: the post, open
    # (a newer version), then the listing again (still its first version) at 10:30:01.
    # 11:30: the listing resolved, then the post resolved (newer still) at 11:30:01. The
    # bracket is the last open and the first closed sighting, whichever version said it.
    from tests.handbuilt import A_DONE, A_OPEN

    def post(state: str, *more: str) -> bytes:
        lines = [f"INC10000001 – Relay Delay – {state}", "", "10/01/2023 09:00:00 AM", "",
                 "We are aware of delays on the relay.", *more, ""]  # fmt: skip
        return "\n".join(lines).encode()

    con = _listing_and_post_crawls(tmp_path / "agree.duckdb", [
        (datetime(2023, 1, 10, 9, 30, tzinfo=UTC), [(0, A_OPEN.encode())]),
        (datetime(2023, 1, 10, 10, 30, tzinfo=UTC), [(1, post("NEW")), (0, A_OPEN.encode())]),
        (datetime(2023, 1, 10, 11, 30, tzinfo=UTC),
         [(0, A_DONE.encode()), (1, post("RESOLVED", "Mail is flowing normally again."))]),
    ])  # fmt: skip
    versions = "SELECT list(version ORDER BY observed_at) FROM sightings"
    assert one(con, versions) == ([1, 2, 1, 3, 4],)  # the orders the comment describes
    row = one(con, "SELECT state, censored, last_open, first_closed FROM incidents")
    assert row == (
        "resolved",
        None,
        datetime(2023, 1, 10, 10, 30, 1, tzinfo=UTC),
        datetime(2023, 1, 10, 11, 30, tzinfo=UTC),
    )


def test_months_and_quarters_are_londons(tmp_path: Path) -> None:
    from tests.handbuilt import build_archive, notice

    # 00:30 BST on 1 April is 23:30 UTC on 31 March: April's, and the second quarter's
    early = notice("INC20000001 – Mail – RESOLVED", "01/04/2023 00:30:00 AM", "RESOLVED – Mail.")
    con = build_archive(tmp_path / "bst.duckdb",
                        [(datetime(2023, 4, 1, 8, 0, tzinfo=UTC), [early])])  # fmt: skip
    assert one(con, "SELECT t0 FROM incidents") == (datetime(2023, 3, 31, 23, 30, tzinfo=UTC),)
    assert one(con, "SELECT month::DATE::VARCHAR FROM monthly_counts") == ("2023-04-01",)
    assert one(con, "SELECT quarter::DATE::VARCHAR FROM time_to_resolve") == ("2023-04-01",)
    assert one(con, "SELECT month::DATE::VARCHAR FROM coverage") == ("2023-04-01",)


def test_hour_of_week_is_london_for_every_source(tmp_path: Path) -> None:
    import json

    from tests.golden import FIXTURES

    # a Statuspage incident created at 12:00 UTC in July: 13:00 in London
    data = json.loads(
        (FIXTURES / "statuspage" / "api_incident-2024-01-04" / "page.json").read_text()
    )
    for u in data["incident"]["incident_updates"]:
        u["created_at"] = u["display_at"] = "2024-07-10T12:00:00.000Z"
    data["incident"]["created_at"] = "2024-07-10T12:00:00.000Z"
    con = _statuspage_archive(tmp_path / "how.duckdb", data, datetime(2024, 7, 11, tzinfo=UTC))
    assert one(con, "SELECT published_local::VARCHAR FROM incidents")[0].startswith(
        "2024-07-10 12:"
    )
    assert one(con, "SELECT weekday, hour FROM hour_of_week") == (3, 13)


def test_a_notice_in_a_clock_changes_gap_counts_in_its_own_month(tmp_path: Path) -> None:
    from tests.handbuilt import build_archive, notice

    # 01:30 on 26 March 2023 never happened in London: no instant, but its month is known
    gap = notice("INC20000002 – Mail – RESOLVED", "26/03/2023 01:30:00 AM", "RESOLVED – Mail.")
    con = build_archive(tmp_path / "gap.duckdb",
                        [(datetime(2023, 10, 30, 12, 0, tzinfo=UTC), [gap])])  # fmt: skip
    assert one(con, "SELECT published_at, t0_source FROM incidents") == (None, "first_seen")
    assert one(con, "SELECT month::DATE::VARCHAR FROM monthly_counts") == ("2023-03-01",)
    assert one(con, "SELECT weekday, hour FROM hour_of_week") == (7, 1)


def test_fetches_outside_any_crawl_each_say_open_or_closed(tmp_path: Path) -> None:
    import random
    from datetime import timedelta

    from archive.columns import stage_rows
    from archive.db import connect
    from archive.ingest import ingest_records
    from tests.archive.test_new_notices import T0, _record

    # three fetches with no crawl, an hour apart: open, open, resolved
    con = connect(tmp_path / "nocrawl.duckdb")
    con.execute(
        "INSERT INTO fetches (fetch_id, crawl_id, source, url, fetched_at, http_status, outcome,"
        " snapshot_id) SELECT i, NULL, 'nhsmail', 'u', now(), 200, 'new', i FROM range(1, 4) t(i)"
    )
    for fetch, (state, body) in enumerate([("open", "b1"), ("open", "b2"), ("resolved", "b3")], 1):
        record = _record(random.Random(1), "nhsmail:INC1", 0)
        record.update(state=state, state_raw=state.upper(), is_open=state != "resolved",
                      body=body, updates=[], category="incident",
                      published_at=(T0 - timedelta(hours=1)).isoformat())  # fmt: skip
        con.begin()
        ingest_records(con, stage_rows([record], fetch_id=fetch, snapshot_id=fetch,
                                       observed_at=T0 + timedelta(hours=fetch)))  # fmt: skip
        con.commit()
    assert one(con, "SELECT censored, observed_resolve_min_minutes, observed_resolve_max_minutes"
                    " FROM incidents") == (None, 180.0, 240.0)  # fmt: skip


def test_a_wall_time_in_an_unnamed_zone_is_not_londons(tmp_path: Path) -> None:
    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse

    body = (
        "&lt;p&gt;&lt;small&gt;Mar &lt;var&gt;5&lt;/var&gt;, &lt;var&gt;10:00&lt;/var&gt; IST"
        "&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Investigating&lt;/strong&gt; - Looking.&lt;/p&gt;"
    )
    feed = f"""<rss version="2.0"><channel><link>https://status.acme.example/</link><item>
    <title>Slow</title><guid>g</guid><pubDate>Wed, 05 Mar 2025 05:30:00 +0000</pubDate>
    <description>{body}</description></item></channel></rss>""".encode()
    con = connect(tmp_path / "ist.duckdb")
    at = datetime(2025, 3, 5, 6, 0, tzinfo=UTC)
    crawl_id = start_crawl(con, "feed", at)
    ingest_page(con, crawl_id, FetchedPage("feed", "https://status.acme.example/history.rss", at,
                                           200, feed),
                lambda p: parse("feed", p.body, url=p.url, fetched_at=at))  # fmt: skip
    finish_crawl(con, crawl_id, at)
    # its wall time is kept, but months and hours come from the first sighting
    assert one(con, "SELECT published_local::VARCHAR, published_at, t0_local FROM incidents") == (
        "2025-03-05 10:00:00", None, datetime(2025, 3, 5, 6, 0))  # fmt: skip


def test_an_ongoing_incident_keeps_the_start_of_its_window(tmp_path: Path) -> None:
    # Google Cloud's begin with no end yet: the impact started then, ended or not
    import json

    from archive.db import connect
    from archive.ingest import FetchedPage, finish_crawl, ingest_page, start_crawl
    from parsers import parse
    from tests.golden import FIXTURES

    data = json.loads((FIXTURES / "gcp" / "incidents-2024-03-31" / "page.json").read_text())
    ongoing = [i for i in data if "end" not in i]
    assert ongoing, "the fixture has an ongoing incident"
    con = connect(tmp_path / "gcp.duckdb")
    at = datetime(2024, 3, 31, 8, 0, tzinfo=UTC)
    crawl_id = start_crawl(con, "gcp", at)
    page = FetchedPage("gcp", "https://status.cloud.google.com/incidents.json", at, 200,
                       json.dumps(data).encode())  # fmt: skip
    ingest_page(con, crawl_id, page, lambda p: parse("gcp", p.body, url=p.url, fetched_at=at))
    finish_crawl(con, crawl_id, at)
    key = f"gcp:{ongoing[0]['id']}"
    begin = datetime.fromisoformat(ongoing[0]["begin"].replace("Z", "+00:00"))
    row = one(con, f"SELECT window_start, window_end, stated_window_minutes FROM incidents"
                   f" WHERE notice_key = '{key}'")  # fmt: skip
    assert row == (begin, None, None)
    lag = one(con, "SELECT window_start_minus_published_minutes FROM publication_lag"
                   f" WHERE notice_key = '{key}'")  # fmt: skip
    assert lag[0] is not None
