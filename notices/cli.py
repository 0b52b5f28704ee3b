"""The `notices` command: a thin layer over parsers/, archive/ and scraper/.

Exit codes (stable, for cron and scripts):
  0  done, and the page(s) gave notices
  1  a page gave no notices, or could not be read (the message says which and why)
  2  usage error (bad arguments, missing file)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from parsers import SOURCES, parse

EXIT_OK, EXIT_EMPTY, EXIT_USAGE = 0, 1, 2
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


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
    """Parse the bundled sample pages and print what they hold."""
    pages = sorted(p for p in Path(args.samples).rglob("*") if p.suffix in (".html", ".txt"))
    if not pages:
        print(f"error: no sample pages under {args.samples}", file=sys.stderr)
        return EXIT_EMPTY
    total = 0
    for page in pages:
        meta_path = page.with_suffix(".json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        fetched = _fetched_at(meta.get("fetched_at"))
        result = parse("nhsmail", page.read_bytes(), url=meta.get("url"), fetched_at=fetched)
        rel = page.relative_to(args.samples)
        print(f"\n{rel}  [{result.layout or 'no layout'}]  {len(result.records)} notices")
        for r in result.records:
            state = r["state"] or "-"
            when = r["published_local"] or "undated"
            print(
                f"  {when[:16]:16}  {state:11}  {r['category'] or '-':12}  {r['summary'] or ''}"[
                    :150
                ]
            )
        total += len(result.records)
    print(f"\n{total} notices from {len(pages)} sample pages.")
    print("Next: `notices parse nhsmail PATH` prints full JSON records for any saved page.")
    return EXIT_OK


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

    d = sub.add_parser("demo", help="parse the bundled sample pages and summarise them")
    d.add_argument("--samples", default=str(SAMPLES), help="folder of sample pages")
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
    except BrokenPipeError:  # `notices parse … | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
