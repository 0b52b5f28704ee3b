"""`notices parse` and `notices demo`: output contract and exit codes."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.db import migrations
from notices.cli import main
from parsers.record import FIELDS

_LATEST = 19  # the schema this release brings archives to: bump with each migration


def test_the_latest_schema_is_the_one_these_tests_name() -> None:
    assert migrations()[-1][0] == _LATEST


LISTING = b"""\
  \xe2\x80\xa2 INC12345678\xe2\x80\x93 HSSI \xe2\x80\x93 RESOLVED

    14/04/2022 09:35:00 AM
    RESOLVED \xe2\x80\x93 Portal sign-in failed for some users.

     21/03/2022 10:20:00 AM
    RESOLVED- Relay mail was rejected.

back to top
"""


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "listing.txt"
    path.write_bytes(LISTING)
    return path


def test_parse_prints_one_json_record_per_line(listing: Path, capsys) -> None:
    code = main(["parse", "nhsmail", str(listing), "--url", "https://support.nhs.net/tag/x/"])
    out, err = capsys.readouterr()
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["notice_key"] for r in records] == [
        "nhsmail:INC12345678",
        "nhsmail:20220321T1020:relay-mail-was-rejected",
    ]
    assert all(list(r) == list(FIELDS) for r in records)
    assert records[0]["url"] == "https://support.nhs.net/tag/x/"
    assert err == ""


def test_fetched_at_is_normalised_to_utc(listing: Path, capsys) -> None:
    code = main(["parse", "nhsmail", str(listing), "--fetched-at", "2022-04-15T10:00:00+01:00"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out.splitlines()[0])["fetched_at"] == "2022-04-15T09:00:00+00:00"


def test_stdin(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LISTING)))
    assert main(["parse", "nhsmail", "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_page_without_notices_exits_1_naming_layouts(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><h1>Page not found</h1><p>Nothing here.</p></body></html>")
    assert main(["parse", "nhsmail", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "no notices found" in err and "wp_post" in err


def test_empty_file_exits_1_with_a_warning(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert main(["parse", "nhsmail", str(path)]) == 1
    err = capsys.readouterr().err
    assert "empty page" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", "nhsmail"],
        ["parse", "nosuchsource", "x.txt"],
        ["parse", "nhsmail", "/nonexistent/page.txt"],
        ["parse", "nhsmail", "-", "--fetched-at", "yesterday"],
        ["parse", "nhsmail", "-", "--fetched-at", "2022-04-15T10:00:00"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_warnings_go_to_stderr(tmp_path: Path, capsys) -> None:
    path = tmp_path / "post.txt"
    path.write_text(
        "Mail Delay\n14/04/2022 09:35:00 AM\nIssue Status: WOBBLY\nDescription: Mail is slow.\n"
    )
    assert main(["parse", "nhsmail", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "WOBBLY" in err and "unknown state word" in err
    assert json.loads(out)["state"] is None


def test_demo_crawls_the_sample_site_twice(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.duckdb"
    day = datetime.now(UTC).date()
    assert main(["demo", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    if datetime.now(UTC).date() == day:  # (pages date themselves from today)
        assert "crawl nhsmail #2: ok — 5 pages (3 new, 2 unchanged" in out
    assert "crawl nhsmail #1: ok" in out and "crawl nhsmail #2: ok" in out
    assert "vanished" in out and "appeared   nhsmail:INC46760001" in out
    # two page generations: the listing and its posts, and the 2018 portal page
    assert "crawl nhsmail #2: ok — 5 pages (" in out  # (new or unchanged: dates are today's)
    from archive.db import connect

    con = connect(db, read_only=True)
    layouts = con.execute("SELECT layout, count(*) FROM notices GROUP BY 1 ORDER BY 1").fetchall()
    con.close()
    assert layouts == [("portal_2018", 2), ("wp_listing", 3), ("wp_post", 2)]
    # the next command as it can be typed here: on PATH, or the environment's own
    command = out.split("\nNext: ", 1)[1].split(" status ", 1)[0]
    assert (command == "notices" and shutil.which("notices")) or Path(command).exists(), command


def test_a_later_sample_folder_holds_only_what_changed(tmp_path: Path, capsys) -> None:
    """A page a later folder lacks is served as an earlier one had it, even where the later
    folder has pages below it (a folder is not a page)."""
    from notices.demo import SAMPLES, run

    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    (samples / "crawl-2" / "status" / "index.html").unlink()  # the listing as it was
    deeper = samples / "crawl-2" / "status" / "page" / "2" / "index.html"
    deeper.parent.mkdir(parents=True, exist_ok=True)
    older = (samples / "crawl-1" / "status" / "page" / "2" / "index.html").read_text()
    deeper.write_text(older.replace("</article>", "<p>Edited.</p></article>", 1))
    assert run(tmp_path / "demo.duckdb", samples) == 0
    out = capsys.readouterr().out
    assert "crawl nhsmail #2: ok — 4 pages (2 new, 2 unchanged, 0 failed, 0 drift)" in out, out


def test_console_script_is_installed(listing: Path) -> None:
    exe = shutil.which("notices", path=str(Path(sys.executable).parent))
    assert exe, "the `notices` console script is installed beside the interpreter"
    done = subprocess.run([exe, "parse", "nhsmail", str(listing)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    from notices.demo import run

    assert run(db) == 0
    return db


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM notices",
        "INSERT INTO crawls (source, origin, started_at, outcome) VALUES ('x', 'live', now(), 'ok')",
        "DROP TABLE sightings",
        "UPDATE notices SET state = 'resolved'",
    ],
)
def test_sql_is_read_only(demo_db: Path, statement: str, capsys) -> None:
    before = main(
        ["sql", "SELECT count(*) AS n FROM notices", "--db", str(demo_db), "--format", "csv"]
    )
    first = capsys.readouterr().out
    assert before == 0
    assert main(["sql", statement, "--db", str(demo_db)]) == 1
    assert "query refused" in capsys.readouterr().err
    main(["sql", "SELECT count(*) AS n FROM notices", "--db", str(demo_db), "--format", "csv"])
    assert capsys.readouterr().out == first


def test_sql_formats(demo_db: Path, capsys) -> None:
    q = "SELECT notice_key, state FROM notices WHERE notice_key = 'nhsmail:INC46757577'"
    assert main(["sql", q, "--db", str(demo_db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "notice_key": "nhsmail:INC46757577",
        "state": "resolved",
    }
    assert main(["sql", q, "--db", str(demo_db), "--format", "csv"]) == 0
    assert capsys.readouterr().out == "notice_key,state\nnhsmail:INC46757577,resolved\n"


def test_sql_json_keeps_microseconds_and_bytes(demo_db: Path, capsys) -> None:
    q = (
        "SELECT TIMESTAMPTZ '2026-11-28 15:00:00.123456+00' AS at,"
        " '\\x78\\x9C\\x00'::BLOB AS raw, (SELECT data FROM contents LIMIT 1) AS page"
    )
    assert main(["sql", q, "--db", str(demo_db), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["at"].startswith("2026-11-28T15:00:00.123456")
    assert row["raw"] == "789c00"
    assert bytes.fromhex(row["page"])[:2] == b"\x78\x9c", "zlib bytes, whole"


def test_status_and_export(demo_db: Path, tmp_path: Path, capsys) -> None:
    assert main(["status", "--db", str(demo_db)]) == 0
    shown = capsys.readouterr().out
    assert "nhsmail: last crawl #2 ok" in shown
    assert "left out" not in shown, "nothing left out, nothing said"
    out = tmp_path / "export"
    assert main(["export", str(out), "--db", str(demo_db), "--format", "parquet"]) == 0
    import duckdb

    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM '{out / 'notices.parquet'}'").fetchone()[0]
    assert n == 7
    assert (out / "sightings.parquet").exists() and (out / "crawls.parquet").exists()
    assert (out / "backfill_captures.parquet").exists(), "bookkeeping tables go too"


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_writes_every_table_and_view_whole(demo_db: Path, tmp_path: Path, fmt: str) -> None:
    import duckdb

    out = tmp_path / fmt
    assert main(["export", str(out), "--db", str(demo_db), "--format", fmt]) == 0
    archive = duckdb.connect(str(demo_db), read_only=True)
    names = [r[0] for r in archive.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        " UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal"
        " AND schema_name = 'main'").fetchall()]  # fmt: skip
    assert {"notices", "notice_versions", "sightings", "incidents", "time_to_resolve"} <= set(names)
    bookkeeping = {"schema_migrations", "archive_meta"}  # the archive's own, not public
    public = [n for n in names if n not in bookkeeping]
    assert sorted(f.name for f in out.iterdir()) == sorted(f"{n}.{fmt}" for n in public)
    reader = {"parquet": "read_parquet", "csv": "read_csv", "jsonl": "read_json"}[fmt]
    con = duckdb.connect()
    for name in ("notices", "notice_versions", "sightings", "incidents"):
        want = archive.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        assert want, name
        got = con.execute(f"SELECT count(*) FROM {reader}('{out / f'{name}.{fmt}'}')").fetchone()
        assert got[0] == want, name
    archive.close()


def test_missing_archive_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["status", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no archive" in capsys.readouterr().err


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "COPY notices TO '/tmp/notices-leak.csv'",
        "ATTACH '/tmp/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT * FROM 'https://example.org/data.csv'",
        "SET enable_external_access = true",
        "SELECT * FROM glob('/etc/*')",
    ],
)
def test_sql_has_no_file_system_network_or_extensions(demo_db: Path, query: str, capsys) -> None:
    assert main(["sql", query, "--db", str(demo_db)]) == 1
    assert "query refused" in capsys.readouterr().err
    assert not Path("/tmp/notices-leak.csv").exists()


def test_csv_neutralises_cells_a_spreadsheet_would_run(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    q = "SELECT '=HYPERLINK(\"http://x\")' AS a, '+1' AS b, '-2' AS c, '@SUM(A1)' AS d, 'plain' AS e, -3 AS n"
    assert main(["sql", q, "--db", str(demo_db), "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == '\'=HYPERLINK(""http://x"")",\'+1,\'-2,\'@SUM(A1),plain,-3'.replace(
        "'=HY", "\"'=HY"
    )
    from archive.db import connect
    from archive.query import export

    con = connect(demo_db, read_only=True, allow_files=True)
    import shutil

    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, copy)
    con2 = connect(copy)  # give one stored title a formula's shape, then export
    con2.execute("UPDATE notices SET title = '=1+1' WHERE notice_key = 'nhsmail:INC46757577'")
    con2.close()
    con = connect(copy, read_only=True, allow_files=True)
    [path] = [p for p in export(con, tmp_path / "out", "csv") if p.name == "notices.csv"]
    con.close()
    assert "'=1+1" in path.read_text() and ",=1+1," not in path.read_text()


def test_report_on_the_demo_archive(demo_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(demo_db), "--out", str(out)]) == 0
    assert out.read_text().count("data:image/png;base64,") >= 1


@pytest.fixture
def not_an_archive(tmp_path: Path) -> Path:
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(bytes(range(256)) * 20)  # no DuckDB header: random-looking bytes
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["sql", "SELECT 1"],
        ["export", "{tmp}/out"],
        ["report", "--out", "{tmp}/report.html"],
        ["reparse"],
        ["reparse", "--dry-run"],
    ],
)
def test_a_file_that_is_no_archive_is_not_reported_as_locked(
    not_an_archive: Path, argv: list[str], capsys
) -> None:
    # exit 3 means "busy, try later" (systemd is told it is success): a damaged file must
    # fail loudly instead, naming the file, and with no traceback
    argv = [a.format(tmp=not_an_archive.parent) for a in argv]
    assert main([*argv, "--db", str(not_an_archive)]) == 1
    err = capsys.readouterr().err
    assert f"{not_an_archive} is not a valid archive" in err
    assert "being written" not in err and "Traceback" not in err


@pytest.fixture
def reader(demo_db: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A copy of the demo archive held open read-only by another process (a notebook)."""
    copy = tmp_path / "held.duckdb"
    shutil.copy(demo_db, copy)
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(copy)!r}, read_only=True)\n"
        "print('open', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "open\n"
        yield copy
    finally:
        proc.communicate(timeout=30)


@pytest.mark.parametrize("dry_run", [["--dry-run"], []])
def test_reparse_while_another_process_has_the_archive_open_exits_3(
    reader: Path, dry_run: list[str], capsys
) -> None:
    assert main(["reparse", *dry_run, "--db", str(reader)]) == 3
    err = capsys.readouterr().err
    assert "open in another process" in err and str(reader) in err
    assert "Traceback" not in err and "IOException" not in err


def test_export_into_an_existing_file_is_a_usage_error(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "afile"
    target.write_text("keep me")
    assert main(["export", str(target), "--db", str(demo_db), "--format", "csv"]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert target.read_text() == "keep me"
    assert main(["export", str(target / "sub"), "--db", str(demo_db)]) == 2
    assert "cannot create directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "nhsmail", "--start-url", "notaurl"],
        ["crawl", "nhsmail", "--start-url", "ftp://example.org/status/"],
        ["crawl", "nhsmail", "--start-url", "http:///status/"],
        ["backfill", "nhsmail", "--cdx-url", "notaurl"],
        ["backfill", "nhsmail", "--cdx-url", "http://example.org:port/cdx"],
        ["backfill", "nhsmail", "--playback-url", "web.archive.org"],
    ],
)
def test_a_url_that_is_no_url_is_a_usage_error_before_anything_runs(
    argv: list[str], tmp_path: Path, capsys
) -> None:
    db = tmp_path / "archive.duckdb"
    assert main([*argv, "--db", str(db)]) == 2
    assert "expected an http:// or https:// URL" in capsys.readouterr().err
    assert not db.exists(), "nothing written: no archive, no crawls row"


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("RETRY_TIMES=x", "-s RETRY_TIMES takes a whole number, got 'x'"),
        ("RETRY_TIMES=2.5", "-s RETRY_TIMES takes a whole number, got '2.5'"),
        ("NOTICES_STATUSPAGE_MAX_HISTORY_PAGES=2.5", "_MAX_HISTORY_PAGES takes a whole number"),
        ("NOTICES_STATUSPAGE_RECHECK_DAYS=soon", "_RECHECK_DAYS takes a number, got 'soon'"),
        ("DOWNLOAD_DELAY=abc", "-s DOWNLOAD_DELAY takes a number, got 'abc'"),
        ("CLOSESPIDER_PAGECOUNT=abc", "-s CLOSESPIDER_PAGECOUNT takes a whole number"),
        ("DEFAULT_REQUEST_HEADERS=garbage", "-s DEFAULT_REQUEST_HEADERS takes a JSON object"),
        ("NOTICES_WRITER_WAIT=soon", "-s NOTICES_WRITER_WAIT takes a number"),
        ("ROBOTSTXT_OBEY=maybe", "-s ROBOTSTXT_OBEY takes true or false"),
    ],
)
@pytest.mark.parametrize("command", ["crawl", "backfill"])
def test_a_setting_scrapy_cannot_read_is_a_usage_error_before_anything_runs(
    command: str, setting: str, says: str, tmp_path: Path, capsys
) -> None:
    # inside the crawl it failed in a component's init, where the crawl then hung
    db = tmp_path / "archive.duckdb"
    argv = [command, "nhsmail", "--db", str(db), "-s", setting]
    if command == "crawl":
        argv += ["--start-url", "http://127.0.0.1:9/status/"]
    assert main(argv) == 2
    assert says in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize(
    "setting",
    ["DOWNLOAD_TIMEOUT=2.5", "NOTICES_BACKFILL_RATE=0.5", "RETRY_TIMES=3",
     "ROBOTSTXT_OBEY=False", 'DEFAULT_REQUEST_HEADERS={"Accept-Language": "en"}',
     "USER_AGENT=anything at all", "RETRY_HTTP_CODES=500,503",
     "NOTICES_STATUSPAGE_RECHECK_DAYS=0.5", "NOTICES_STATUSPAGE_MAX_HISTORY_PAGES=50"],
)  # fmt: skip
def test_a_setting_scrapy_reads_is_taken(setting: str) -> None:
    from notices.cli import _overrides

    key, _, value = setting.partition("=")
    assert _overrides([setting]) == {key: value}


def test_a_crawl_whose_parts_cannot_be_built_fails_at_once(tmp_path: Path) -> None:
    # Every crawl failing before the reactor ran used to stop it before it started: the
    # command then hung for ever (and a oneshot systemd unit with it).
    exe = shutil.which("notices", path=str(Path(sys.executable).parent))
    assert exe
    argv = [exe, "crawl", "nhsmail", "--start-url", "http://127.0.0.1:9/status/",
            "--db", str(tmp_path / "a.duckdb"),
            "-s", 'DOWNLOADER_MIDDLEWARES={"no_such_module.Middleware": 1}']  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "crawl nhsmail: failed — nhsmail: No module named 'no_such_module'" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        (["ok", "ok"], 0),
        (["locked", "locked"], 3),
        # once something was written, never 3 (a timer takes it for "try later")
        (["failed", "locked"], 1),
        (["ok", "locked"], 1),
        (["drift", "locked"], 4),
        (["drift", "failed"], 4),
        # a reader kept the archive open: nothing crawled, and no later run mends it alone
        (["held", "held"], 5),
        (["held", "locked"], 5),
        (["ok", "held"], 1),
    ],
)
def test_a_crawl_of_several_sources_exits_with_the_worst(
    outcomes: list[str], code: int, monkeypatch, tmp_path: Path
) -> None:
    import scraper.run
    from scraper.run import CrawlReport

    def fake_run(jobs, db, overrides):  # type: ignore[no-untyped-def]
        reports = []
        for job, outcome in zip(jobs, outcomes, strict=True):
            name = job[0] if isinstance(job, tuple) else getattr(job, "source", "x")
            if outcome in ("locked", "held"):
                reports.append(
                    CrawlReport(str(name), locked="held elsewhere", held=outcome == "held")
                )
            else:
                summary = {"source": "s", "crawl_id": 1, "outcome": outcome, "pages": 1,
                           "new": 1, "unchanged": 0, "failed": 0, "drift": 0, "notices": 1,
                           "versions_new": 1, "vanished": 0, "errors": []}  # fmt: skip
                reports.append(CrawlReport(str(name), summary=summary))
        return reports

    monkeypatch.setattr(scraper.run, "run_spiders", fake_run)
    argv = ["crawl", "nhsmail", "github", "--db", str(tmp_path / "x.duckdb")]
    assert main(argv) == code


def _tampered(demo_db: Path, tmp_path: Path, *statements: str) -> Path:
    """A copy of the demo archive, changed by ``statements`` as an older release left it."""
    from tests.handbuilt import tampered_copy

    return tampered_copy(demo_db, tmp_path / "old.duckdb", *statements)


def test_an_archive_with_notices_derived_by_an_older_release_is_rebuilt(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    """A migration that adds derived columns leaves them NULL in the rows already there,
    and a release that changes their derivation leaves the old values: readers are told to
    migrate (never shown stale analysis), and `notices migrate` (or any crawl) rebuilds."""
    import duckdb

    from archive.db import DERIVATION, connect

    db = tmp_path / "old.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    derived = "last_open, first_closed, ever_open, ever_closed, first_published_at, reported_at"
    want = con.execute(f"SELECT notice_key, {derived} FROM notices ORDER BY 1").fetchall()
    censored = con.execute(
        "SELECT censored, count(*) FROM incidents GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.execute("UPDATE notices SET " + ", ".join(f"{c} = NULL" for c in derived.split(", ")))
    con.execute("DELETE FROM archive_meta")  # as migration 016 finds an older archive
    con.close()

    assert main(["sql", "SELECT count(*) FROM incidents", "--db", str(db)]) == 1
    assert capsys.readouterr().err == (
        f"error: archive {db} was written by an older release (derivation 0, this release's"
        f" is {DERIVATION}): run `notices migrate` (or any crawl) to bring it up to date\n"
    )
    assert main(["migrate", "--db", str(db)]) == 0
    assert (
        capsys.readouterr().out
        == f"{db}: schema {_LATEST:03d} (schema already current); notices rebuilt\n"
    )
    con = connect(db, read_only=True)
    assert con.execute(f"SELECT notice_key, {derived} FROM notices ORDER BY 1").fetchall() == want
    assert (
        con.execute("SELECT censored, count(*) FROM incidents GROUP BY 1 ORDER BY 1").fetchall()
        == censored
    )
    con.close()
    assert main(["migrate", "--db", str(db)]) == 0
    assert capsys.readouterr().out.endswith("(schema already current); notices already current\n")


def test_an_archive_of_an_older_schema_is_named_not_queried(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import archive.db

    db = tmp_path / "old.duckdb"
    every = archive.db.migrations()
    con = archive.db._open(db)
    monkeypatch.setattr(archive.db, "migrations", lambda: every[:9])
    archive.db.migrate(con)  # what release 009 made
    con.close()
    monkeypatch.undo()
    for argv in (["sql", "SELECT 1"], ["status"], ["report", "--out", str(tmp_path / "r.html")]):
        assert main([*argv, "--db", str(db)]) == 1
        needs = f"older release (schema 009, this release needs {_LATEST:03d})"
        assert needs in capsys.readouterr().err
    assert main(["migrate", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{db}: schema {_LATEST:03d} (applied 010_notice_lifecycle, ")
    assert main(["sql", "SELECT count(*) AS n FROM incidents", "--db", str(db)]) == 0


def test_a_duckdb_file_that_is_no_archive_is_never_made_one(tmp_path: Path, capsys) -> None:
    """Someone else's DuckDB database: read, crawled into, reparsed or migrated, it gets
    the documented exit 1 and keeps exactly its own tables."""
    import duckdb

    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    for argv in (["status"], ["sql", "SELECT 1"], ["reparse", "--dry-run"], ["reparse"],
                 ["migrate"]):  # fmt: skip
        assert main([*argv, "--db", str(db)]) == 1, argv
        err = capsys.readouterr().err
        assert "is a DuckDB database but no archive" in err, (argv, err)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("t",)]
    con.close()


def test_a_dry_run_reparse_migrates_nothing_and_a_mistyped_source_is_named(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    import duckdb

    db = _tampered(demo_db, tmp_path, "DELETE FROM archive_meta")
    assert main(["reparse", "--dry-run", "--db", str(db)]) == 1
    assert "run `notices migrate`" in capsys.readouterr().err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM archive_meta").fetchone() == (0,)
    con.close()
    assert main(["reparse", "nhsmial", "--dry-run", "--db", str(demo_db)]) == 2
    assert capsys.readouterr().err == (
        f"error: no snapshots of source 'nhsmial' in {demo_db} (it has: nhsmail)\n"
    )


def test_writing_a_report_into_a_directory_is_a_message(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    assert main(["report", "--db", str(demo_db), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("Query interrupted")])
def test_ctrl_c_is_a_word_not_a_traceback(error: BaseException, monkeypatch, capsys) -> None:
    import notices.cli

    def interrupted(args):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(notices.cli, "cmd_status", interrupted)
    assert main(["status"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_the_readmes_queries_run_on_the_demo_archive(demo_db: Path) -> None:
    """Every statement in the README's SQL blocks, as an analyst would paste it."""
    import re

    from archive.db import connect

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.DOTALL)
    statements = [
        s.strip()
        for block in blocks
        for s in re.sub(r"--[^\n]*", "", block).split(";")
        if s.strip()
    ]
    assert len(statements) >= 8
    con = connect(demo_db, read_only=True)
    try:
        for statement in statements:
            con.execute(statement).fetchall()
    finally:
        con.close()


def test_a_crawls_line_names_what_stopped_it_beside_its_summary() -> None:
    """A crawl stopped by its archive (a damaged block) still gets a summary: its line
    must carry the cause, not only '0 pages'."""
    from scraper.run import CrawlReport

    summary = {"source": "nhsmail", "crawl_id": 18, "outcome": "interrupted", "pages": 0,
               "new": 0, "unchanged": 0, "failed": 0, "drift": 0, "notices": 0,
               "versions_new": 0, "vanished": 0, "errors": []}  # fmt: skip
    report = CrawlReport("nhsmail", summary=summary, errors=["nhsmail: Checksum mismatch"])
    assert report.line().endswith(" | nhsmail: Checksum mismatch")


def test_sql_shows_null_as_null_and_nested_csv_cells_as_json(demo_db: Path, capsys) -> None:
    import csv

    query = ("SELECT notice_key, flags, NULL::VARCHAR AS nothing, NULL::INTEGER AS n,"
             " NULL::TIMESTAMPTZ AS t, true AS yes FROM notices ORDER BY notice_key LIMIT 2")  # fmt: skip
    assert main(["sql", query, "--db", str(demo_db)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert all(row.split()[-4:-1] == ["NULL", "NULL", "NULL"] for row in table[1:])
    assert not any(word in " ".join(table) for word in ("NaN", "NaT", "<NA>", "None"))
    assert main(["sql", query, "--db", str(demo_db), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2
    for row in rows:
        assert isinstance(json.loads(row["flags"]), list)
        assert (row["nothing"], row["n"], row["t"], row["yes"]) == ("", "", "", "true")


def test_views_of_an_older_release_are_refused_until_migrated(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    """Views are code: a reader of an archive whose views an older release made would get
    that release's columns and answers. Any writable open, `notices migrate` among them,
    makes them anew."""
    db = _tampered(
        demo_db, tmp_path, "UPDATE archive_meta SET value = 'older' WHERE name = 'views'"
    )
    assert main(["sql", "SELECT 1", "--db", str(db)]) == 1
    assert "(its views are an older release's): run `notices migrate`" in capsys.readouterr().err
    assert main(["migrate", "--db", str(db)]) == 0
    assert capsys.readouterr().out.endswith("notices already current\n")
    assert main(["sql", "SELECT 1", "--db", str(db)]) == 0


def test_sql_json_and_csv_keep_nulls_in_lists_and_print_any_type(demo_db: Path, capsys) -> None:
    query = ("SELECT [1, NULL] AS l, [true, NULL] AS b, NULL::TIMESTAMPTZ AS t,"
             " [INTERVAL 90 MINUTE] AS d, [gen_random_uuid()] AS u FROM crawls LIMIT 1")  # fmt: skip
    assert main(["sql", query, "--db", str(demo_db), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["l"], row["b"], row["t"], row["d"]) == ([1, None], [True, None], None, ["1:30:00"])
    assert len(row["u"][0]) == 36
    assert main(["sql", query, "--db", str(demo_db), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert '"[1, null]"' in out and "1:30:00" in out


def test_sql_json_has_no_nan(demo_db: Path, capsys) -> None:
    query = "SELECT 'nan'::DOUBLE AS x, 'inf'::DOUBLE AS y, [1.5, 'nan'::DOUBLE] AS z"
    assert main(["sql", query, "--db", str(demo_db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"x": None, "y": None, "z": [1.5, None]}
