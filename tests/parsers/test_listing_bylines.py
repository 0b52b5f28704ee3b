"""A theme's byline over an untitled notice is neither its title nor the previous body."""

from __future__ import annotations

from parsers import parse

PAGE = """<html><body><main>
<article><header class="entry-header"><h2 class="entry-title">INC1 – Portal – RESOLVED</h2>
<div class="entry-meta"><span class="byline">By NHSmail Service Desk</span></div></header>
<div class="entry-content"><p>20/02/2026 10:15:00 AM</p><p>RESOLVED – The Portal is back.</p></div></article>
<article><header class="entry-header">
<div class="entry-meta"><span class="byline">By NHSmail Service Desk</span></div></header>
<div class="entry-content"><p>18/02/2026 09:40:00 AM</p><p>RESOLVED – Relay mail was held in a queue.</p></div></article>
</main></body></html>"""


def test_byline_over_an_untitled_notice() -> None:
    records = parse("nhsmail", PAGE, url="https://support.nhs.net/category/service-status/").records
    assert [r["title"] for r in records] == ["INC1 – Portal – RESOLVED", None]
    assert records[1]["notice_key"] == "nhsmail:20260218T0940:relay-mail-was-held-in-a-queue"
    assert "By NHSmail" not in records[0]["body"]
