"""The hold-out pages: written like real copies of NHSmail pages from other years, with
hand-derived facts only (no goldens), to catch what the fixtures' shapes do not cover."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import Fixture, fact_mismatches

HOLDOUT = Path(__file__).resolve().parents[1] / "holdout"
PAGES = [
    Fixture(source.name, folder)
    for source in sorted(HOLDOUT.iterdir())
    if source.is_dir()
    for folder in sorted(source.iterdir())
    if (folder / "facts.json").exists()
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_holdout_page_matches_its_facts(page: Fixture) -> None:
    result = page.parse()
    assert result.layout == page.meta["layout"]
    facts = page.facts()
    assert facts is not None
    assert len(result.records) == len(facts), [r["title"] for r in result.records]
    problems = {
        i: fact_mismatches(fact, record)
        for i, (fact, record) in enumerate(zip(facts, result.records, strict=True))
    }
    assert {i: p for i, p in problems.items() if p} == {}


def test_there_are_holdout_pages() -> None:
    assert len(PAGES) >= 15
