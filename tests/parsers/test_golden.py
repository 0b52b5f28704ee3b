"""Every fixture parses to exactly its reviewed expected records, field by field."""

from __future__ import annotations

import pytest

from parsers.record import FIELDS, validate
from tests.golden import Fixture, fact_mismatches, fixtures

ALL = fixtures()


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_layout_is_the_one_named(fixture: Fixture) -> None:
    assert fixture.parse().layout == fixture.meta["layout"]


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_records_match_golden(fixture: Fixture) -> None:
    records = fixture.parse().records
    expected = fixture.expected()
    assert [r["notice_key"] for r in records] == [e["notice_key"] for e in expected]
    for got, want in zip(records, expected, strict=True):
        assert list(got) == list(FIELDS), "no extra or missing fields, in contract order"
        for field in FIELDS:
            assert got[field] == want[field], f"{got['notice_key']}: {field}"


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_records_satisfy_schema(fixture: Fixture) -> None:
    for record in fixture.parse().records:
        assert validate(record) == [], record["notice_key"]


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_keys_unique_within_page(fixture: Fixture) -> None:
    keys = [r["notice_key"] for r in fixture.parse().records]
    assert len(keys) == len(set(keys))


WITH_FACTS = [f for f in ALL if f.facts() is not None]


@pytest.mark.parametrize("fixture", WITH_FACTS, ids=[f.name for f in WITH_FACTS])
def test_hand_derived_facts(fixture: Fixture) -> None:
    """facts.json was written by hand from the page: an oracle independent of the goldens."""
    records = fixture.parse().records
    facts = fixture.facts()
    assert facts is not None
    assert len(records) == len(facts), [r["title"] for r in records]
    for record, fact in zip(records, facts, strict=True):
        assert fact_mismatches(fact, record) == [], record["notice_key"]
