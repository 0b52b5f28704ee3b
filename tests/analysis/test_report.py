"""`notices report`: the page escapes scraped text, embeds its plots, states the headline
figures of the hand-built archive (tests/handbuilt.py plus a notice titled with markup),
copes with an empty archive, and renders in headless Chromium with a clean console."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from archive.db import connect
from archive.report import NO_DATA, build_report, write_report
from notices.cli import main
from tests.analysis.browser import CHROMIUM, render
from tests.handbuilt import CRAWLS, notice

SCRIPT_TITLE = "<script>alert(1)</script> – RESOLVED"
X = notice(SCRIPT_TITLE, "10/01/2023 10:00:00 AM", "A notice whose title is markup & more.")
# the hand-built archive, with the markup-titled notice first seen (resolved) in crawl 3
REPORT_CRAWLS = [*CRAWLS[:2], (CRAWLS[2][0], [*CRAWLS[2][1], X])]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.handbuilt import build_archive

    path = tmp_path_factory.mktemp("report") / "report.duckdb"
    build_archive(path, REPORT_CRAWLS).close()
    return path


@pytest.fixture(scope="module")
def page(db: Path) -> str:
    con = connect(db, read_only=True)
    try:
        return build_report(con, name=db.name)
    finally:
        con.close()


def test_scraped_text_is_escaped_and_the_page_has_no_script(page: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt; – RESOLVED" in page
    assert "<script" not in page.lower()
    assert "alert(1)</script>" not in page


def test_the_page_loads_nothing(page: str) -> None:
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 3  # notices per month, Kaplan-Meier, coverage
    assert all(base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n") for data in images)
    references = re.findall(r'(?:src|href|action)\s*=\s*"([^"]*)"', page, flags=re.I)
    assert all(ref.startswith("data:image/png;base64,") for ref in references)
    assert "url(" not in page and "@import" not in page


def figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'<dd data-figure="([^"]+)">([^<]*)</dd>', page))


def test_headline_figures(page: str) -> None:
    # A resolved, B still open, C vanished open, D and X first seen resolved, E no state
    assert figures(page) == {
        "Notices": "6",
        "With a state": "5",
        "Open incidents": "1",
        "Resolved (seen open, then closed)": "1",
        "Vanished while open": "1",
        # KM leaves out D and X (first seen already closed): A resolved by 90 min, C
        # censored there, B censored at 140: S never falls to 1/2, so no median
        "Median time to resolve (incidents, KM, upper end)": "—",
        "Crawls": "3",
    }


def cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>([^<]*)</td>", html)


def section(page: str, key: str) -> str:
    match = re.search(rf'<section id="{key}">(.*?)</section>', page, flags=re.S)
    assert match, key
    return match.group(1)


def test_sections(page: str) -> None:
    # month, incident, maintenance, total, crawls that month
    assert cells(section(page, "monthly")) == ["2023-01", "5", "1", "6", "3"]
    # Kaplan-Meier per category: incidents, resolved, censored, median upper / lower end
    resolve = cells(section(page, "resolve"))
    assert resolve[:6] == ["incident", "3", "1", "2", "—", "—"]
    # time_to_resolve: the incident row as the view gives it
    assert resolve[6:20] == ["nhsmail", "2023 Q1", "incident", "5", "1", "1", "1", "2", "30 min",
                             "1 h 30 min", "1 h 30 min", "1 h 30 min", "1 h 15 min", "—"]  # fmt: skip
    # only B is open: published 09:10, last seen open 11:30, so open for at least 2 h 20
    assert cells(section(page, "open")) == [
        "INC10000002", "INC10000002 – Portal Slowness – ONGOING", "incident", "open",
        "2023-01-10 09:10", "2023-01-10 11:30", "2 h 20 min", "nhsmail",
    ]  # fmt: skip
    recent = cells(section(page, "recent"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; – RESOLVED" in recent
    assert cells(section(page, "coverage")) == ["nhsmail", "2023-01", "3", "3", "0", "0", "3", "1"]


def test_empty_archive(tmp_path: Path) -> None:
    connect(tmp_path / "empty.duckdb").close()
    out = write_report(tmp_path / "empty.duckdb", tmp_path / "out" / "empty.html")
    page = out.read_text(encoding="utf-8")
    for key in ("monthly", "resolve", "open", "recent", "coverage"):
        assert NO_DATA in section(page, key)
    assert "data:image" not in page
    assert figures(page)["Notices"] == "0"


def test_cli(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(db), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "&lt;script&gt;alert(1)" in out.read_text(encoding="utf-8")
    assert main(["report", "--db", str(tmp_path / "missing.duckdb")]) == 2


# -- headless Chromium --------------------------------------------------------------------


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); runs whenever CI is set")
    return CHROMIUM


def test_chromium_sees_console_errors(chromium: Path, tmp_path: Path) -> None:
    """The check below can fail: each kind of console error is seen on a page that has it."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><body><p>bad</p><img src='missing.png'>"
        "<script>console.error('boom-console'); throw new Error('boom-uncaught');</script>"
        "</body></html>",
        encoding="utf-8",
    )
    errors = render(bad.as_uri(), tmp_path / "profile").errors
    assert any("console.error: boom-console" in e for e in errors), errors
    assert any(e.startswith("uncaught:") and "boom-uncaught" in e for e in errors), errors
    assert any("missing.png" in e for e in errors), errors


def test_report_in_chromium(chromium: Path, db: Path, tmp_path: Path) -> None:
    out = write_report(db, tmp_path / "report.html")
    shot = render(out.as_uri(), tmp_path / "profile", width=1200, height=2000)
    assert shot.errors == []
    (tmp_path / "report.png").write_bytes(shot.png)
    assert len(shot.png) > 10_000
    pixels = np.asarray(Image.open(io.BytesIO(shot.png)).convert("RGB"))
    assert pixels.shape == (2000, 1200, 3)
    rgb = pixels.astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    colours, counts = np.unique(packed, return_counts=True)
    assert len(colours) > 50  # text, plots and tables, not one flat colour
    # far from blank: a good share of the page is not its background colour
    assert counts.max() < 0.95 * pixels.shape[0] * pixels.shape[1]


def test_a_scheduled_maintenance_is_no_open_incident(tmp_path: Path) -> None:
    from archive.report import headline
    from tests.handbuilt import build_archive

    # a maintenance announced with a state that is open (SCHEDULED) beside one open incident
    planned = notice("Planned Maintenance – Relay Upgrade – SCHEDULED", "10/01/2023 09:00:00 AM",
                     "The relay will be upgraded between 22:00 and 23:00 on 14/01/2023.")  # fmt: skip
    open_incident = notice("INC70000001 – Portal Slowness – ONGOING", "10/01/2023 09:10:00 AM",
                           "Some Portal pages are slow to load.")  # fmt: skip
    at = CRAWLS[0][0]
    con = build_archive(tmp_path / "m.duckdb", [(at, [planned, open_incident])])
    rows = con.execute("SELECT category, censored FROM incidents ORDER BY category").fetchall()
    assert rows == [("incident", "still_open"), ("maintenance", "still_open")]
    assert headline(con)["open_incidents"] == 1
    page = build_report(con, name="m")
    assert "Portal Slowness" in page.split("Open incidents")[-1]
    assert "Relay Upgrade" not in page.split("Open incidents")[-1].split("</table>")[0]


def test_an_open_alert_is_an_open_incident(tmp_path: Path) -> None:
    from archive.report import headline
    from tests.handbuilt import build_archive

    alert = notice("Microsoft 365 Alert – Service Degradation – Teams – ONGOING",
                   "10/01/2023 09:00:00 AM", "Some users cannot join meetings.")  # fmt: skip
    con = build_archive(tmp_path / "a.duckdb", [(CRAWLS[0][0], [alert])])
    assert con.execute("SELECT category, censored FROM incidents").fetchall() == [
        ("alert", "still_open")
    ]
    assert headline(con)["open_incidents"] == 1
