"""Sources as configuration: `sources.toml` declares every source the archive knows.

Each source has a name, a kind (the parser that reads its pages: a key of
`parsers.SOURCES`), the URLs a crawl starts from, the time zone and date order its pages
use, and optional politeness overrides (Scrapy settings for that source only). Loading
checks all of it and names the file, the source and the offending value, so a typo fails
before any crawl starts. The file is read with tomllib; `NOTICES_SOURCES` points at
another one.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsers import SOURCES as KINDS

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "sources.toml"
DATE_ORDERS = ("DMY", "MDY", "YMD")
# Scrapy settings a source may override, and the types they take. Robots.txt is not
# among them: no source may stop obeying it.
POLITENESS: dict[str, tuple[type, ...]] = {
    "DOWNLOAD_DELAY": (int, float),
    "CONCURRENT_REQUESTS_PER_DOMAIN": (int,),
    "AUTOTHROTTLE_ENABLED": (bool,),
    "AUTOTHROTTLE_START_DELAY": (int, float),
    "AUTOTHROTTLE_MAX_DELAY": (int, float),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": (int, float),
    "DOWNLOAD_TIMEOUT": (int, float),
    "RETRY_TIMES": (int,),
    "CLOSESPIDER_PAGECOUNT": (int,),
    "DEPTH_LIMIT": (int,),
}
# Settings whose 0 would stall a crawl (no request ever sent, or every one timed out at
# once) while it holds the archive's lock.
_POSITIVE = frozenset(
    {"CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_TIMEOUT", "AUTOTHROTTLE_TARGET_CONCURRENCY"}
)
_KEYS = frozenset({"name", "kind", "urls", "time_zone", "date_order", "politeness"})
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class SourcesError(ValueError):
    """The sources file cannot be used; the message names the file, source and value."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    kind: str
    urls: tuple[str, ...]
    time_zone: str
    date_order: str
    politeness: Mapping[str, int | float | bool] = field(default_factory=dict)


def default_path() -> Path:
    env = os.environ.get("NOTICES_SOURCES")
    return Path(env) if env else DEFAULT_PATH


def url_ok(url: Any) -> bool:
    """An http(s) URL with a host (and a port, if any, that is a number): what a spider
    can be started on. The sources file and the command line's URLs both answer to it."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _source(where: str, table: Any) -> Source:
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: not a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(_KEYS)}")
    missing = {"name", "kind", "urls", "time_zone", "date_order"} - set(table)
    if missing:
        raise SourcesError(f"{where}: missing {sorted(missing)}")
    name = table["name"]
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SourcesError(f"{where}: name must be lower-case letters, digits, - or _: {name!r}")
    where = f"{where} ({name})"
    kind = table["kind"]
    if kind not in KINDS:
        raise SourcesError(f"{where}: kind {kind!r} unknown; known: {', '.join(KINDS)}")
    urls = table["urls"]
    if not isinstance(urls, list) or not urls:
        raise SourcesError(f"{where}: urls must be a non-empty list")
    for url in urls:
        if not url_ok(url):
            raise SourcesError(f"{where}: not an http(s) URL: {url!r}")
    zone = table["time_zone"]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise SourcesError(f"{where}: time_zone {zone!r} is not an IANA zone") from None
    order = table["date_order"]
    if order not in DATE_ORDERS:
        raise SourcesError(f"{where}: date_order {order!r} must be one of {DATE_ORDERS}")
    politeness = table.get("politeness", {})
    if not isinstance(politeness, dict):
        raise SourcesError(f"{where}: politeness must be a table of Scrapy settings")
    for key, value in politeness.items():
        if key not in POLITENESS:
            raise SourcesError(
                f"{where}: politeness setting {key!r} not allowed; allowed: {sorted(POLITENESS)}"
            )
        types = POLITENESS[key]
        wrong_bool = isinstance(value, bool) and bool not in types
        if (
            wrong_bool
            or not isinstance(value, types)
            or (not isinstance(value, bool) and not math.isfinite(value))  # nan, inf
            or (not isinstance(value, bool) and value < 0)
            or (key in _POSITIVE and value == 0)
        ):
            raise SourcesError(f"{where}: politeness {key} = {value!r} is not a valid value")
    return Source(name, kind, tuple(urls), zone, order, dict(politeness))


def load(path: Path | str | None = None) -> list[Source]:
    """Every source declared in the file, in file order; SourcesError when any is wrong."""
    path = Path(path) if path is not None else default_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"source"}
    if unknown:
        raise SourcesError(f"{path}: unknown top-level keys {sorted(unknown)}; use [[source]]")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[source]] tables")
    sources = [_source(f"{path}: source #{i + 1}", t) for i, t in enumerate(tables)]
    seen: set[str] = set()
    for s in sources:
        if s.name in seen:
            raise SourcesError(f"{path}: two sources are named {s.name!r}")
        seen.add(s.name)
    return sources


def kind_of(name: str, sources: list[Source] | None = None) -> str:
    """The parser kind of the source called ``name``: its declared kind, else the name
    itself when that is a kind (archives written before sources.toml: `nhsmail`).
    SourcesError when neither."""
    for declared in sources if sources is not None else load():
        if declared.name == name:
            return declared.kind
    if name in KINDS:
        return name
    raise SourcesError(f"no source named {name!r} is declared, and it is not a kind")
