"""2017: the "Service Status" page at support.nhs.net/servicestatus.

"Last updated: DD/MM/YYYY HH:MM", a list of service areas, navigation links, then accordion
sections (high-severity incidents, known issues, portal releases, forward schedule of
change) whose items have a title and a body but no time of their own.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.lines import Page
from parsers.nhsmail.accordion import parse_accordions
from parsers.nhsmail.accordion import section_rule as _rule
from parsers.nhsmail.notice import Context

NAME = "servicestatus_2017"
VERSION = "9"  # bump when the output changes for any page: reparse records it
URL_RE = re.compile(r"support\.nhs\.net/servicestatus/?(?:$|[?#])", re.I)


SECTIONS = [
    _rule(r"high severity (?:service )?incidents?(?: \(hssis?\))?", "incident", "HSSI"),
    _rule(r".*\bknown issues?", "known_issue"),
    _rule(r"(?:portal |service |skype for business )?release\b.*", "release", whole=True),
    _rule(r"forward schedule of changes?|planned (?:maintenance|changes?|works?)", "maintenance"),
    _rule(r"(?:current |recent )?service (?:incidents|issues)", "incident"),
]


def parse(page: Page, ctx: Context) -> list[dict[str, Any]]:
    return parse_accordions(page, ctx, SECTIONS)
