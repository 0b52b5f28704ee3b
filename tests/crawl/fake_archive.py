"""A loopback web archive: a CDX endpoint shaped like the Internet Archive's (JSON rows,
collapse by digest, paging with resume keys) and original-form playback."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

_PLAYBACK_RE = re.compile(r"^/web/(\d{14})id_/(https?):/+(.*)$")


@dataclass
class Snapshot:
    timestamp: str
    original: str
    body: bytes
    digest: str
    status_first: list[int] = field(default_factory=list)  # answers before the 200 (429…)
    retry_after: str | None = None


class FakeArchive:
    def __init__(self, server: HTTPServer, snapshots: list[Snapshot], page_size: int = 2) -> None:
        self.server = server
        self.snapshots = sorted(snapshots, key=lambda s: (s.original, s.timestamp))
        self.page_size = page_size
        self.log: list[tuple[float, str, dict[str, str], int]] = []
        self.cdx_down: set[str] = set()  # CDX urls answered 500 (an index that fails)
        server.expect_request("").respond_with_handler(self.handle)

    @property
    def cdx_url(self) -> str:
        return self.server.url_for("/cdx")

    def _rows(self, args: dict[str, str]) -> list[list[str]]:
        url, match = args["url"], args.get("matchType", "exact")
        picked = []
        for s in self.snapshots:
            bare = re.sub(r"^https?://", "", s.original)
            if (bare == url if match == "exact" else bare.startswith(url)) and (
                args.get("from", "") <= s.timestamp[: len(args.get("from", ""))]
                or not args.get("from")
            ):
                picked.append(s)
        if args.get("collapse") == "digest":  # adjacent captures with the same digest collapse
            collapsed = []
            for s in picked:
                if (
                    not collapsed
                    or collapsed[-1].original != s.original
                    or collapsed[-1].digest != s.digest
                ):
                    collapsed.append(s)
            picked = collapsed
        return [
            ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
        ] + [
            ["key", s.timestamp, s.original, "text/html", "200", s.digest, str(len(s.body))]
            for s in picked
        ]

    def handle(self, request: Request) -> Response:
        args = dict(request.args)
        if request.path == "/robots.txt":
            return self._log(request, Response("User-agent: *\nAllow: /\n", 200))
        if request.path == "/cdx":
            if args.get("url") in self.cdx_down:
                return self._log(request, Response("index unavailable", 500))
            rows = self._rows(args)
            header, data = rows[0], rows[1:]
            start = int(args.get("resumeKey", "0"))
            limit = min(int(args.get("limit", "1000")), self.page_size)
            page = [header, *data[start : start + limit]]
            if start + limit < len(data) and args.get("showResumeKey") == "true":
                page += [[], [str(start + limit)]]
            return self._log(
                request, Response(json.dumps(page), 200, content_type="application/json")
            )
        # the original's own query ("?p=53067") is part of the capture's address
        query = request.query_string.decode()
        m = _PLAYBACK_RE.match(request.path + (f"?{query}" if query else ""))
        if m:
            ts, scheme, rest = m.groups()
            original = f"{scheme}://{rest}"
            for s in self.snapshots:
                if s.timestamp == ts and s.original == original:
                    if s.status_first:
                        status = s.status_first.pop(0)
                        headers = {"Retry-After": s.retry_after} if s.retry_after else {}
                        return self._log(request, Response("slow down", status, headers=headers))
                    return self._log(request, Response(s.body, 200, content_type="text/html"))
        return self._log(request, Response("not in the archive", 404))

    def _log(self, request: Request, response: Response) -> Response:
        self.log.append((time.monotonic(), request.path, dict(request.args), response.status_code))
        return response

    def playbacks(self) -> list[tuple[str, int]]:
        return [(path, status) for _, path, _, status in self.log if path.startswith("/web/")]

    def cdx_calls(self) -> list[dict[str, str]]:
        return [args for _, path, args, _ in self.log if path == "/cdx"]
