"""The `notices` command: a thin layer over parsers/, archive/ and scraper/.

Exit codes (stable, for cron and scripts):
  0  done: the page(s) gave notices; the crawl went well
  1  a page gave no notices or could not be read; a crawl had failed fetches; a query
     was refused; the archive file is not a valid archive (damaged, or not DuckDB) (the
     message says which and why)
  2  usage error (bad arguments, missing file)
  3  the archive is locked by another crawl, or (for a command that reads it) open in a
     process that writes it (nothing was touched; a crawl of several sources of which only
     some were locked out exits 1, or 4 if one drifted)
  4  drift: a page that used to give notices now gives none or far fewer (the snapshot is
     kept for a later reparse; nothing was marked vanished because of it)
  5  a crawl or backfill found the archive held open by another process that is no crawl
     (a notebook, an sql session) for over a minute: nothing was crawled, and nothing will
     be until it is closed (unlike 3, worth an alert)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from parsers import SOURCES, parse
from scraper.spiders import SPIDERS, crawlable

EXIT_OK, EXIT_EMPTY, EXIT_USAGE, EXIT_LOCKED, EXIT_DRIFT = 0, 1, 2, 3, 4
EXIT_FAILED = 1
EXIT_HELD = 5


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


class Busy(Exception):
    """The archive is being written by another process: exit 3 with the message."""


class BadArchive(Exception):
    """The archive file cannot be opened at all (not DuckDB, damaged): exit 1 with the
    message. Never exit 3, which schedulers are told to take for "try again later"."""


def _fetched_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--fetched-at must be an ISO 8601 time, got {value!r}") from None
    if parsed.tzinfo is None:
        raise UsageError(f"--fetched-at needs an offset (e.g. {value}+00:00), got {value!r}")
    return parsed.astimezone(UTC)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def cmd_parse(args: argparse.Namespace) -> int:
    fetched_at = _fetched_at(args.fetched_at)  # before reading: a usage error costs nothing
    content = _read(args.path)
    result = parse(args.source, content, url=args.url, fetched_at=fetched_at)
    where = f"{args.source} page {args.path}"
    for warning in result.warnings:
        print(f"warning: {where}: {warning}", file=sys.stderr)
    out = sys.stdout
    for record in result.records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for warning in record["warnings"]:
            print(f"warning: {record['notice_key']}: {warning}", file=sys.stderr)
    if not result.records:
        tried = ", ".join(result.tried) or "none matched"
        print(f"error: no notices found in {where}; layouts tried: {tried}", file=sys.stderr)
        return EXIT_EMPTY
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from notices.demo import run

    return run(Path(args.db))


def _overrides(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-s takes KEY=VALUE, got {pair!r}")
        _check_setting(key, value)
        out[key] = value
    return out


# Settings whose default is whole but which Scrapy or this project read as any number
# (found by their getfloat calls).
_READ_AS_FLOAT = {"DNS_TIMEOUT", "DOWNLOAD_TIMEOUT", "METAREFRESH_MAXDELAY",
                  "NOTICES_BACKFILL_RATE", "NOTICES_STATUSPAGE_RECHECK_DAYS"}  # fmt: skip
# Ours with no project default (the spider's applies): read as whole numbers.
_READ_AS_INT = {"NOTICES_STATUSPAGE_MAX_HISTORY_PAGES", "NOTICES_STATUSPAGE_EMPTY_HISTORY_PAGES"}


def _check_setting(key: str, value: str) -> None:
    """A -s value that Scrapy would fail to read as its setting's type is a usage error
    now: inside the crawl it fails where no one reads it (a component's init). Read as they
    are read: a whole number where Scrapy takes one (RETRY_TIMES=2.5 fails), any number
    where it takes any (DOWNLOAD_TIMEOUT's default is whole, its reader is not), a mapping
    as a JSON object."""
    from scrapy.settings import BaseSettings, Settings

    defaults = Settings()
    defaults.setmodule("scraper.settings")
    default = defaults.get(key)
    if isinstance(default, bool):
        reader, kind = "getbool", "true or false"
    elif isinstance(default, float) or key in _READ_AS_FLOAT:
        reader, kind = "getfloat", "a number"
    elif isinstance(default, int) or key in _READ_AS_INT:
        reader, kind = "getint", "a whole number"
    elif isinstance(default, BaseSettings | dict):
        reader, kind = "getdict", "a JSON object"
    else:
        return  # text, a list (any text is one), or a setting of no known type: as given
    try:
        getattr(Settings({key: value}), reader)(key)
    except (ValueError, TypeError):
        raise UsageError(f"-s {key} takes {kind}, got {value!r}") from None


def _crawl_jobs(args: argparse.Namespace) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(name, spider, arguments, politeness) per source to crawl, from the sources file."""
    from scraper.sources import SourcesError, load

    try:
        declared = crawlable(load(args.sources_file))
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    by_name = {s.name: s for s in declared}
    if args.all and args.sources:
        raise UsageError("name sources or give --all, not both")
    if not args.all and not args.sources:
        raise UsageError("name a source to crawl (or --all); known: " + ", ".join(by_name))
    unknown = [n for n in args.sources if n not in by_name]
    if unknown:
        raise UsageError(
            f"no crawlable source named {', '.join(unknown)}; known: {', '.join(by_name)}"
        )
    chosen = declared if args.all else [by_name[n] for n in dict.fromkeys(args.sources)]
    if args.start_url and len(chosen) != 1:
        raise UsageError("--start-url replaces the URLs of one source: name exactly one")
    return [
        (s.name, SPIDERS[s.kind],
         {"source": s.name, "start_urls": list(args.start_url or s.urls)}, dict(s.politeness))
        for s in chosen
    ]  # fmt: skip


def cmd_crawl(args: argparse.Namespace) -> int:
    jobs = _crawl_jobs(args)  # before importing Scrapy: a usage error costs nothing
    from scraper.run import run_spiders  # Scrapy is slow to import; only crawls need it

    reports = run_spiders(jobs, db=args.db, overrides=_overrides(args.set))
    for report in reports:
        print(report.line())
    outcomes = {r.outcome for r in reports}
    if outcomes <= {"locked", "held"}:  # nothing was touched
        return EXIT_HELD if "held" in outcomes else EXIT_LOCKED  # mend it, or try later
    if "drift" in outcomes:
        return EXIT_DRIFT
    # a source that failed, or one left uncrawled while another was (locked out): never
    # 3, which a timer takes for "nothing happened, try later"
    return EXIT_OK if outcomes == {"ok"} else EXIT_FAILED


def cmd_backfill(args: argparse.Namespace) -> int:
    from scraper.run import run_spiders

    overrides = _overrides(args.set)
    if args.rate is not None:
        if args.rate <= 0:
            raise UsageError("--rate is requests per minute, more than 0")
        overrides["NOTICES_BACKFILL_RATE"] = str(args.rate)
    kwargs = {"source": args.source, "cdx_url": args.cdx_url, "playback_url": args.playback_url,
              "start": args.start, "end": args.end, "patterns": args.pattern}  # fmt: skip
    for stamp in (args.start, args.end):
        if stamp is not None and not (stamp.isdigit() and 4 <= len(stamp) <= 14):
            raise UsageError(f"--from/--to take YYYY, YYYYMM, YYYYMMDD…, got {stamp!r}")
    [report] = run_spiders([(args.source, "backfill", kwargs)], db=args.db, overrides=overrides)
    if report.interrupted:  # a signal while it waited for the archive: nothing booked
        print(report.line().replace("crawl ", "backfill ", 1))
        return EXIT_FAILED
    if report.locked:
        print(report.line().replace("crawl ", "backfill ", 1))
        return EXIT_HELD if report.held else EXIT_LOCKED
    s = report.summary
    if not s:
        print(f"backfill {args.source}: failed — " + ("; ".join(report.errors) or "no summary"))
        return EXIT_FAILED
    print(
        f"backfill {s['source']}: {s['outcome']} — {s['fetched']} captures fetched this run"
        f" ({s['failed']} failed), {s['stored']} stored in all, {s['pending']} pending,"
        f" {s['cdx_errors']} CDX errors"
        + (" | " + "; ".join(s["errors"][:3]) if s["errors"] else "")
    )
    return EXIT_OK if s["outcome"] == "ok" else EXIT_FAILED


def _read_only(db: str, *, allow_files: bool = False) -> Any:
    from archive.db import ArchiveBusy, ArchiveUnusable, connect

    try:
        return connect(db, read_only=True, allow_files=allow_files)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except ArchiveBusy as exc:  # a crawl is writing it; DuckDB admits no readers then
        raise Busy(f"busy: {exc}; try again when it is closed") from None
    except ArchiveUnusable as exc:
        raise BadArchive(str(exc)) from None


@contextmanager
def _writing(db: str, *, probe: bool = False) -> Iterator[tuple[Any, list[str], bool]]:
    """The archive's lock, then a writable connection brought up to date (the migrations
    applied, whether the notices were rebuilt), closed after; the ways a writer is refused
    as this command's errors. ``probe``: look read-only first, so that an archive an older
    release wrote is refused rather than migrated (a dry run writes nothing)."""
    from archive.db import ArchiveBusy, ArchiveUnusable, open_upgraded
    from archive.lock import ArchiveLock, ArchiveLocked, LockUnavailable

    if not Path(db).exists():
        raise UsageError(f"no archive at {db}")
    try:
        lock = ArchiveLock(db).__enter__()
    except ArchiveLocked as exc:
        raise Busy(str(exc)) from None
    except LockUnavailable as exc:
        raise BadArchive(str(exc)) from None
    try:
        if probe:
            _read_only(db).close()
        try:
            con, applied, rebuilt = open_upgraded(Path(db))
        except ArchiveBusy as exc:
            raise Busy(f"busy: {exc}; try again when it is closed") from None
        except ArchiveUnusable as exc:
            raise BadArchive(str(exc)) from None
        try:
            yield con, applied, rebuilt
        finally:
            con.close()
    finally:
        lock.__exit__(None, None, None)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring an archive an older release wrote up to date: its schema and its notices'
    derived columns (what any writable open does, for readers, which cannot)."""
    from archive.db import migrations

    with _writing(args.db) as (_, applied, rebuilt):
        pass
    done = f"applied {', '.join(applied)}" if applied else "schema already current"
    print(
        f"{args.db}: schema {migrations()[-1][0]:03d} ({done});"
        f" {'notices rebuilt' if rebuilt else 'notices already current'}"
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from archive.query import status

    con = _read_only(args.db)
    rows = status(con)
    con.close()
    if not rows:
        print(f"{args.db}: no crawls yet")
    for r in rows:
        when = r["finished_at"] or r["started_at"]
        print(
            f"{r['source']}: last crawl #{r['last_crawl']} {r['outcome']}"
            f" at {when:%Y-%m-%d %H:%M}Z;"
            f" {r['crawls']} crawls, {r['snapshots']} snapshots, {r['notices']} notices"
            f" ({r['on_show']} on show), {r['versions']} versions"
            + (f"; its last crawl left out {r['left_out']} notice"
               f" page{'s' if r['left_out'] != 1 else ''} robots.txt forbids"
               if r["left_out"] else "")
        )  # fmt: skip
    return EXIT_OK


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    con = _read_only(args.db)
    try:
        rel = con.sql(args.query)
        if rel is None:
            print("error: the statement returned no rows (is it a query?)", file=sys.stderr)
            return EXIT_FAILED
        if args.format == "json":
            # from DuckDB's own Python values: pandas turns a NULL inside a list into 0
            # or False, and a NULL time into 1970
            names, rows = rel.columns, rel.fetchall()
        else:
            frame = rel.df()
    except duckdb.Error as exc:
        print(f"error: query refused: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()
    if args.format == "csv":
        from archive.query import neutralise

        frame.map(lambda v: neutralise(_csv_cell(v))).to_csv(sys.stdout, index=False)
    elif args.format == "json":
        # times with their microseconds, raw bytes (BLOB columns) as hex
        for row in rows:
            record = dict(zip(names, (_plain(v) for v in row), strict=True))
            print(json.dumps(record, ensure_ascii=False, default=str))
    else:
        shown = frame.astype(object).where(frame.notna(), "NULL")  # not NaN, NaT or <NA>
        text = shown.to_string(index=False, max_colwidth=60)
        print(text if len(frame) else "(no rows)")
    return EXIT_OK


def _plain(value: Any) -> Any:
    """A cell as JSON can hold it: pandas hands nested values over as numpy arrays."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or Infinity
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # an interval, a UUID: as Python prints it


def _csv_cell(value: Any) -> Any:
    """One CSV cell: lists and structs as JSON (a spreadsheet or csv reader gets one
    parseable cell), bytes as hex, booleans as SQL writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, dict | list | tuple) or getattr(value, "ndim", 0):
        return json.dumps(_plain(value), ensure_ascii=False)
    return value


def cmd_reparse(args: argparse.Namespace) -> int:
    from archive.reparse import ReparseError, reparse

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rparsed {done}/{total} snapshots ", end="", file=sys.stderr, flush=True)

    try:
        # a dry run writes nothing, not even a migration
        with _writing(args.db, probe=args.dry_run) as (con, _, _):
            # a source the archive never stored is a typo, not "nothing changed"
            stored = [row[0] for row in con.execute(
                "SELECT DISTINCT source FROM snapshots ORDER BY 1").fetchall()]  # fmt: skip
            if args.source is not None and args.source not in stored:
                known = ", ".join(stored) or "none yet"
                raise UsageError(
                    f"no snapshots of source {args.source!r} in {args.db} (it has: {known})"
                )
            report = reparse(
                con, args.source, dry_run=args.dry_run, progress=progress, jobs=args.jobs
            )
    except ReparseError as exc:
        if sys.stderr.isatty():
            print(file=sys.stderr)  # past the progress line
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print("\n".join(report.lines()))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from archive.query import export

    out = Path(args.dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory; export writes a file per table")
    con = _read_only(args.db, allow_files=True)  # it writes only the files it names
    try:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a parent that is a file, no permission
            raise UsageError(f"cannot create directory {out}: {exc.strerror}") from None
        for path in export(con, out, args.format):
            print(path)
    finally:
        con.close()
    return EXIT_OK


def cmd_sources(args: argparse.Namespace) -> int:
    from scraper.sources import SourcesError, load

    try:
        sources = load(args.file)
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    width = max(len(s.name) for s in sources)
    for s in sources:
        print(f"{s.name:<{width}}  {s.kind:<10}  {' '.join(s.urls)}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from archive.report import build_report, save_report

    con = _read_only(args.db)
    try:
        print(save_report(build_report(con, name=Path(args.db).name), args.out))
    finally:
        con.close()
    return EXIT_OK


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _http_url(text: str) -> str:
    """An argparse type: a URL a spider can start from, checked before anything runs."""
    from scraper.sources import url_ok

    if not url_ok(text):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {text!r}")
    return text


def _db_option(parser: argparse.ArgumentParser) -> None:
    from archive.db import default_path

    parser.add_argument(
        "--db",
        default=str(default_path()),
        help="archive file (default: $NOTICES_DB or data/archive.duckdb)",
    )


def _crawl_options(parser: argparse.ArgumentParser) -> None:
    """What every command that runs a spider takes: the archive and Scrapy overrides."""
    _db_option(parser)
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a Scrapy setting (e.g. DOWNLOAD_DELAY=0)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notices",
        description="Crawl service-status pages into normalised notice records.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="parse a saved page and print one JSON record per line")
    p.add_argument("source", choices=sorted(SOURCES), help="source kind")
    p.add_argument("path", help="saved page (HTML or visible text); - for stdin")
    p.add_argument("--url", help="the page's address (else read from a '# source:' header)")
    p.add_argument("--fetched-at", help="when the page was fetched, ISO 8601 with offset")
    p.set_defaults(func=cmd_parse)

    c = sub.add_parser("crawl", help="crawl sources into the archive")
    c.add_argument("sources", nargs="*", metavar="SOURCE", help="names from the sources file")
    c.add_argument("--all", action="store_true", help="every source in the sources file")
    c.add_argument(
        "--sources",
        dest="sources_file",
        metavar="PATH",
        help="sources file (default: $NOTICES_SOURCES or sources.toml)",
    )
    c.add_argument(
        "--start-url",
        action="append",
        type=_http_url,
        help="replace the source's URLs (one source only)",
    )
    _crawl_options(c)
    c.set_defaults(func=cmd_crawl)

    b = sub.add_parser("backfill", help="fetch a source's history from a web archive")
    b.add_argument("source", choices=["nhsmail"])
    b.add_argument("--from", dest="start", metavar="YYYY[MMDD]", help="earliest capture")
    b.add_argument("--to", dest="end", metavar="YYYY[MMDD]", help="latest capture")
    b.add_argument(
        "--cdx-url", type=_http_url, help="CDX endpoint (default: the Internet Archive's)"
    )
    b.add_argument(
        "--playback-url", type=_http_url, help="where captures play back (default: the CDX host)"
    )
    b.add_argument("--rate", type=float, help="requests per minute (default 24)")
    b.add_argument(
        "--pattern",
        action="append",
        metavar="HOST/PATH[*]",
        help="replace the source's address patterns (a trailing * for a prefix)",
    )
    _crawl_options(b)
    b.set_defaults(func=cmd_backfill)

    st = sub.add_parser("status", help="sources, last crawl and outcome, counts")
    _db_option(st)
    st.set_defaults(func=cmd_status)

    q = sub.add_parser("sql", help="run a read-only SQL query against the archive")
    q.add_argument("query")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _db_option(q)
    q.set_defaults(func=cmd_sql)

    r = sub.add_parser("reparse", help="rebuild notices from stored snapshots, current parsers")
    r.add_argument("source", nargs="?", help="only this source (a name in the archive)")
    r.add_argument("--dry-run", action="store_true", help="report the difference, write nothing")
    r.add_argument("--jobs", type=_positive, metavar="N",
                   help="processes that parse (default: one per core)")  # fmt: skip
    _db_option(r)
    r.set_defaults(func=cmd_reparse)

    e = sub.add_parser("export", help="write every public table and view to DIR")
    e.add_argument("dir")
    e.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    _db_option(e)
    e.set_defaults(func=cmd_export)

    r = sub.add_parser("report", help="write a self-contained HTML report of the archive")
    r.add_argument("--out", default="report.html", help="HTML file (default: report.html)")
    _db_option(r)
    r.set_defaults(func=cmd_report)

    so = sub.add_parser("sources", help="list the declared sources: name, kind, URLs")
    so.add_argument("--file", help="sources file (default: $NOTICES_SOURCES or sources.toml)")
    so.set_defaults(func=cmd_sources)

    mg = sub.add_parser("migrate", help="bring an archive an older release wrote up to date")
    _db_option(mg)
    mg.set_defaults(func=cmd_migrate)

    d = sub.add_parser("demo", help="crawl the bundled sample site twice into a demo archive")
    d.add_argument("--db", default="data/demo.duckdb", help="demo archive (recreated)")
    d.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Busy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except BadArchive as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # `notices parse … | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a file it was asked to write: a directory, no space, no rights
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        # DuckDB's own errors mid-command (a damaged block, an interrupted query): its
        # first line, not a traceback; anything else is a bug and keeps its traceback
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        interrupted = "interrupted" in first.lower()  # DuckDB's ^C: a RuntimeError too
        if not (
            type(exc).__module__.startswith(("duckdb", "_duckdb"))
            or (isinstance(exc, RuntimeError) and interrupted)
        ):
            raise
        if interrupted:
            print("interrupted", file=sys.stderr)
            return 130
        print(f"error: the archive failed: {first}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
