"""Golden fixtures: tests/fixtures/<source>/<layout>-<date>/ holding the page, its metadata
(url, fetch time, expected layout) and the expected records, one JSON object per line.

`python -m tests.regen_fixtures` (or `make fixtures`) rewrites expected.jsonl from the current
parsers, so that a parser change shows up as a reviewable diff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from parsers import parse
from parsers.result import ParseResult

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Fixture:
    source: str
    folder: Path

    @property
    def name(self) -> str:
        return f"{self.source}/{self.folder.name}"

    @property
    def page(self) -> Path:
        pages = [p for p in self.folder.iterdir() if p.stem == "page"]
        if len(pages) != 1:
            raise FileNotFoundError(f"{self.folder}: expected exactly one page.* file")
        return pages[0]

    @property
    def meta(self) -> dict[str, Any]:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    @property
    def expected_path(self) -> Path:
        return self.folder / "expected.jsonl"

    def expected(self) -> list[dict[str, Any]]:
        lines = self.expected_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def facts(self) -> list[dict[str, Any]] | None:
        path = self.folder / "facts.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def parse(self) -> ParseResult:
        meta = self.meta
        fetched = meta.get("fetched_at")
        return parse(
            self.source,
            self.page.read_bytes(),
            url=meta.get("url"),
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
        )


def fixtures() -> list[Fixture]:
    return [
        Fixture(source.name, folder)
        for source in sorted(FIXTURES.iterdir())
        if source.is_dir()
        for folder in sorted(source.iterdir())
        if (folder / "meta.json").exists()
    ]


def dump(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


def fact_mismatches(fact: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """How a parsed record differs from hand-derived facts (only the keys the facts give)."""
    out = []
    for key, want in fact.items():
        if key == "flags_include":
            missing = set(want) - set(record["flags"])
            if missing:
                out.append(f"flags lack {sorted(missing)}")
        elif key == "updates":
            got = [{"label": u["label"], "at_local": u["at_local"]} for u in record["updates"]]
            if got != want:
                out.append(f"updates: expected {want}, got {got}")
        elif record.get(key) != want:
            out.append(f"{key}: expected {want!r}, got {record.get(key)!r}")
    return out
