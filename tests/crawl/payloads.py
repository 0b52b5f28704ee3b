"""A loopback server for the structured sources (Statuspage API, feeds, Google Cloud), and
helpers to crawl it through `notices crawl` with a sources file of the test's own.

Payloads come from tests/fixtures (shaped like the real ones: Rails' HTML-safe JSON,
entities, CDATA); an incident's own JSON is built from an incident the lists show, or
from the api_incident fixture's shape.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.crawl.site import FAST, NOTICES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(kind: str, folder: str) -> bytes:
    """The page of a fixture folder, as stored (tests/fixtures/<kind>/<folder>/page.*)."""
    [page] = (FIXTURES / kind / folder).glob("page.*")
    return page.read_bytes()


def fixture_json(kind: str, folder: str) -> Any:
    return json.loads(fixture(kind, folder))


@dataclass
class Payload:
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer 500 to this many requests first


class PayloadSite:
    """Routes by path *and* query (history.json?page=2), and a log of every request."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Payload] = {
            "/robots.txt": Payload(b"User-agent: *\nAllow: /\n", "text/plain")
        }
        self.log: list[tuple[str, dict[str, str], int]] = []
        server.expect_request("").respond_with_handler(self.handle)

    @property
    def base(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def url(self, path: str) -> str:
        return self.base + path

    def handle(self, request: Request) -> Response:
        query = request.query_string.decode()
        key = request.path + (f"?{query}" if query else "")
        headers = dict(request.headers.items())
        route = self.routes.get(key)
        if route is None:
            self.log.append((key, headers, 404))
            return Response("not found", status=404)
        if route.fail_first > 0:
            route.fail_first -= 1
            self.log.append((key, headers, 500))
            return Response("oops", status=500)
        etag = route.headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag:
            self.log.append((key, headers, 304))
            return Response(status=304, headers={"ETag": etag})
        self.log.append((key, headers, route.status))
        out = {"Content-Type": route.content_type, **route.headers}
        return Response(route.body, status=route.status, headers=out)

    def requested(self, since: int = 0) -> list[str]:
        """Paths asked for (robots.txt aside), in order, from log entry ``since`` on."""
        return [p for p, _, _ in self.log[since:] if p != "/robots.txt"]

    def put_json(self, path: str, data: Any, **kw: Any) -> None:
        self.routes[path] = Payload(json.dumps(data).encode(), **kw)


# --- Statuspage --------------------------------------------------------------------------

TEMPLATE = fixture_json("statuspage", "api_incident-2024-01-04")


def incident_payload(item: dict[str, Any], page: dict[str, Any] | None = None) -> dict[str, Any]:
    """`/api/v2/incidents/<code>.json` for an incident a list shows (lists carry whole
    incidents, updates and all, as the real API's do)."""
    return {"page": copy.deepcopy(page or TEMPLATE["page"]), "incident": copy.deepcopy(item)}


def resolved_incident(code: str, name: str, resolved_at: str, impact: str = "minor") -> dict:
    """A resolved incident in the api_incident fixture's shape: investigating, resolved."""
    item = copy.deepcopy(TEMPLATE["incident"])
    first, last = item["incident_updates"][4], item["incident_updates"][1]  # newest first
    first.update(id=f"{code[:10]}u0", incident_id=code)
    last.update(id=f"{code[:10]}u1", incident_id=code, created_at=resolved_at,
                updated_at=resolved_at, display_at=resolved_at)  # fmt: skip
    item.update(id=code, name=name, status="resolved", impact=impact, resolved_at=resolved_at,
                updated_at=resolved_at, monitoring_at=None, incident_updates=[last, first])  # fmt: skip
    return item


def history_page(*months: tuple[str, int, list[dict[str, str]]]) -> dict[str, Any]:
    """A `/history.json?page=N` payload: (month name, year, incidents) per month."""
    return {"months": [{"name": n, "year": y, "incidents": list(i)} for n, y, i in months]}


EMPTY_HISTORY = history_page(("January", 2017, []), ("December", 2016, []), ("November", 2016, []))


# --- running crawls ------------------------------------------------------------------------


def sources_file(path: Path, *tables: dict[str, Any]) -> Path:
    """A sources.toml with these [[source]] tables (values: str, list of str, or a dict of
    numbers for politeness)."""

    def value(v: Any) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return json.dumps(v)

    text = "\n".join(
        "[[source]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in t.items()) for t in tables
    )
    path.write_text(text, encoding="utf-8")
    return path


def source(name: str, kind: str, *urls: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "urls": list(urls), "time_zone": "UTC",
            "date_order": "MDY", **extra}  # fmt: skip


def crawl(
    db: Path, *args: str, sources: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`notices crawl ARGS… --db DB [--sources FILE]` with the fast, loopback settings."""
    cmd = [NOTICES, "crawl", *args, "--db", str(db), *FAST]
    if sources is not None:
        cmd += ["--sources", str(sources)]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})}
    )
