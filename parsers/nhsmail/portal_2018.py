"""2018-2019: the "Service Status" page at portal.nhs.net/Help/servicestatus.

The 2017 idea restyled: "Last updated", service areas, a High Severity Service Incidents
section whose items (threats, incidents) are accordions. The page also carries accordions
that are help and process text; they are not notices and yield nothing.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.lines import Page
from parsers.nhsmail.accordion import parse_accordions
from parsers.nhsmail.accordion import section_rule as _rule
from parsers.nhsmail.notice import Context

NAME = "portal_2018"
VERSION = "9"  # bump when the output changes for any page: reparse records it
URL_RE = re.compile(r"portal\.nhs\.net/help/servicestatus/?(?:$|[?#])", re.I)


SECTIONS = [
    _rule(r"high severity (?:service )?incidents?(?: \(hssis?\))?", "incident", "HSSI"),
    _rule(r".*\bknown issues?", "known_issue"),
    _rule(r"(?:portal |service )?releases?\b.*|release notes?\b.*", "release", whole=True),
    _rule(r"forward schedule of changes?|planned (?:maintenance|changes?|works?)", "maintenance"),
    # "CareCERT Alerts" is a section; "CareCERT has seen a campaign…" is an item's prose.
    _rule(
        r"(?:cyber |security )?(?:threats?|alerts?)(?: and alerts)?"
        r"|carecert(?: (?:alerts?|notices?|bulletins?|advisories))?",
        "threat",
    ),
    _rule(r"(?:current |recent )?service (?:incidents|issues)", "incident"),
    _rule(r"service (?:notices|announcements)", "information"),
]


def parse(page: Page, ctx: Context) -> list[dict[str, Any]]:
    return parse_accordions(page, ctx, SECTIONS)
