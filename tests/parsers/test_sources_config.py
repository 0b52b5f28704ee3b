"""sources.toml and `notices sources`: the shipped file is valid, and every mistake in a
sources file is refused with a message naming the file, the source and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from notices.cli import main
from parsers import SOURCES
from scraper.sources import DEFAULT_PATH, SourcesError, load

GOOD = """
[[source]]
name = "example"
kind = "statuspage"
urls = ["https://status.example.com"]
time_zone = "UTC"
date_order = "MDY"
politeness = { DOWNLOAD_DELAY = 2.5, AUTOTHROTTLE_ENABLED = true }
"""


def test_the_shipped_file_declares_every_kind() -> None:
    sources = load(DEFAULT_PATH)
    assert {s.kind for s in sources} == set(SOURCES)
    assert len({s.name for s in sources}) == len(sources)
    nhsmail = next(s for s in sources if s.name == "nhsmail")
    assert (nhsmail.kind, nhsmail.time_zone, nhsmail.date_order) == (
        "nhsmail",
        "Europe/London",
        "DMY",
    )
    assert nhsmail.urls == ("https://support.nhs.net/servicestatus/",)
    assert sum(s.kind == "statuspage" for s in sources) >= 3
    assert sum(s.kind == "feed" for s in sources) >= 2


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD)
    [source] = load(path)
    assert source.name == "example"
    assert source.urls == ("https://status.example.com",)
    assert dict(source.politeness) == {"DOWNLOAD_DELAY": 2.5, "AUTOTHROTTLE_ENABLED": True}


def test_the_environment_points_at_another_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    monkeypatch.setenv("NOTICES_SOURCES", str(path))
    assert [s.name for s in load()] == ["example"]


# fmt: off
BAD = [
    (GOOD.replace('kind = "statuspage"', 'kind = "statuspages"'), "kind 'statuspages' unknown"),
    (GOOD.replace('name = "example"', 'name = "Example Page"'), "name must be lower-case"),
    (GOOD.replace('urls = ["https://status.example.com"]', "urls = []"), "urls must be a non-empty list"),
    (GOOD.replace('urls = ["https://status.example.com"]', 'urls = "https://status.example.com"'), "urls must be a non-empty list"),
    (GOOD.replace("https://status.example.com", "ftp://status.example.com"), "not an http(s) URL"),
    (GOOD.replace("https://status.example.com", "status.example.com"), "not an http(s) URL"),
    (GOOD.replace('time_zone = "UTC"', 'time_zone = "Europe/Londn"'), "is not an IANA zone"),
    (GOOD.replace('date_order = "MDY"', 'date_order = "DDMMYY"'), "date_order 'DDMMYY' must be one of"),
    (GOOD.replace('date_order = "MDY"', 'date_order = "MDY"\nurl = "x"'), "unknown keys ['url']"),
    (GOOD.replace('date_order = "MDY"\n', ""), "missing ['date_order']"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "ROBOTSTXT_OBEY = false"), "'ROBOTSTXT_OBEY' not allowed"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "DOWNLOAD_DELAY = -1"), "DOWNLOAD_DELAY = -1 is not a valid value"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", 'DOWNLOAD_DELAY = "slow"'), "is not a valid value"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "RETRY_TIMES = true"), "RETRY_TIMES = True is not a valid value"),
    # a crawl that never sends a request would hold the archive's lock for ever
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "CONCURRENT_REQUESTS_PER_DOMAIN = 0"), "CONCURRENT_REQUESTS_PER_DOMAIN = 0 is not a valid value"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "DOWNLOAD_TIMEOUT = 0"), "DOWNLOAD_TIMEOUT = 0 is not a valid value"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "DOWNLOAD_DELAY = inf"), "DOWNLOAD_DELAY = inf is not a valid value"),
    (GOOD.replace("DOWNLOAD_DELAY = 2.5", "DOWNLOAD_TIMEOUT = nan"), "DOWNLOAD_TIMEOUT = nan is not a valid value"),
    (GOOD + GOOD, "two sources are named 'example'"),
    (GOOD.replace("[[source]]", "[[sources]]"), "unknown top-level keys ['sources']"),
    ("", "no [[source]] tables"),
    (GOOD.replace("[[source]]", "[[source]"), "not valid TOML"),
]
# fmt: on


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _, m in BAD])
def test_mistakes_are_refused_by_name(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(SourcesError) as caught:
        load(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_cli_lists_name_kind_and_urls(capsys) -> None:
    assert main(["sources"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(load(DEFAULT_PATH))
    first = lines[0].split()
    assert first == ["nhsmail", "nhsmail", "https://support.nhs.net/servicestatus/"]


def test_cli_bad_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD.replace('kind = "statuspage"', 'kind = "rss"'))
    assert main(["sources", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert "kind 'rss' unknown" in err and "(example)" in err
    assert main(["sources", "--file", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
