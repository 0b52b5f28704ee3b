"""Rewrite every fixture's expected.jsonl from the current parsers; review with `git diff`."""

from __future__ import annotations

import sys

from tests.golden import dump, fixtures


def main() -> int:
    changed = 0
    for fixture in fixtures():
        result = fixture.parse()
        text = dump(result.records)
        old = (
            fixture.expected_path.read_text(encoding="utf-8")
            if fixture.expected_path.exists()
            else ""
        )
        if text != old:
            fixture.expected_path.write_text(text, encoding="utf-8")
            changed += 1
            print(f"rewrote {fixture.name}: {len(result.records)} records ({result.layout})")
    print(f"{changed} fixture(s) changed; review with: git diff tests/fixtures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
