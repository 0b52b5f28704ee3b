"""What parsing one page gives back: the records, the layout used, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How a page-level warning that the page was cut short begins (the document ends early, a
# saved copy says it was cut). The archive reads it in a snapshot's stored warnings: such a
# page proves nothing left it, so the crawl that fetched it vanishes nothing.
CUT_SHORT = "cut short: "


@dataclass(slots=True)
class ParseResult:
    records: list[dict[str, Any]]
    layout: str | None  # the layout that produced the records (None: none did)
    tried: list[str] = field(default_factory=list)  # layouts whose markers matched, in order
    warnings: list[str] = field(default_factory=list)  # page-level problems
    # The page is plainly a status page of a known layout, so no records means no notices
    # on show (an empty incidents section), not a page the parsers failed to read.
    empty_ok: bool = False
    # The page shows only what is current (Statuspage's summary.json, an NHSmail status
    # page's incident sections): fewer notices than before, or none, is nothing wrong, and
    # no drift. A listing that always shows its latest N is not such a page.
    shrink_ok: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.records)
