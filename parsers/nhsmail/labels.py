"""Labelled lines inside a notice: the timeline (``Final Update: 26/07/2023 08:28:00 AM …``)
and the details (``Issue Status: RESOLVED``, ``Description: …``, ``Root cause: …``).

Spelling varies (``Final Update :``), text may run straight on after the time
(``08:28:00 AMMicrosoft have…``), and ``Next update by:`` lines are Microsoft's prose or
US-style dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from parsers.timestamps import NUMERIC_RE, Stamp, parse_stamp, shorten, stamp_from_numeric

# Canonical label -> detail key (None: a timeline label).
TIMELINE_LABELS = {
    "issue reported": "Issue Reported",
    "reported": "Issue Reported",
    "current update": "Current Update",
    "latest update": "Latest Update",
    "previous update": "Previous Update",
    "update": "Update",
    "final update": "Final Update",
    "resolution update": "Final Update",
    "next update by": "Next update by",
    "next update": "Next update by",
    "next update due": "Next update by",
    "next update due by": "Next update by",
}
DETAIL_LABELS = {
    "issue status": "issue_status",
    "status": "issue_status",
    "issue description": "description",
    "description": "description",
    "more info": "more_info",
    "more information": "more_info",
    "business impact": "business_impact",
    "impact": "business_impact",
    "user impact": "user_impact",
    "scope of impact": "scope_of_impact",
    "root cause": "root_cause",
    "next steps": "next_steps",
    "workaround": "workaround",
    "affected services": "affected_services",
    "nhsmail reference": "nhsmail_reference",
    "microsoft reference": "microsoft_reference",
    "service bridge reference": "service_bridge_reference",
    "reference": "reference",
}
_LABEL_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*:\s*(?P<rest>.*)$")
_LEAD_SEP_RE = re.compile(r"^[\s–—:\-]+")


@dataclass(slots=True)
class Labelled:
    updates: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    labelled_lines: set[int] = field(default_factory=set)  # indexes of lines that were labels


def _update(label: str, rest: str, base: datetime | None) -> tuple[dict[str, Any], str | None]:
    stamp: Stamp | None = None
    text = rest
    m = NUMERIC_RE.match(rest)
    if m is not None:
        stamp = stamp_from_numeric(m, month_first_ok=label == "Next update by")
        text = _LEAD_SEP_RE.sub("", rest[m.end() :])
    elif label == "Next update by" or len(rest) <= 60:
        candidate = parse_stamp(rest, base=base, month_first_ok=True)
        if candidate.local is not None:
            stamp, text = candidate, ""
    entry = {
        "label": label,
        "at_raw": stamp.raw if stamp else None,
        "at_local": stamp.local_iso if stamp else None,
        "at": stamp.at_iso if stamp else None,
        "text": text.strip(),
        "status_raw": None,
        "status": None,
        "flags": list(stamp.flags) if stamp else [],
    }
    warning = None
    if stamp is not None and stamp.warning:
        warning = f"{label}: {stamp.warning}"
    elif stamp is None and label == "Next update by" and rest:
        warning = f"{label}: unreadable timestamp {shorten(rest)!r}"
    return entry, warning


def read_labelled(lines: list[str], base: datetime | None) -> Labelled:
    """Timeline entries and details from the notice body's lines, in order."""
    out = Labelled()
    current_detail: str | None = None
    for i, line in enumerate(lines):
        if not line:
            current_detail = None
            continue
        m = _LABEL_RE.match(line)
        key = " ".join(m.group("label").lower().split()) if m else ""
        if m and key in TIMELINE_LABELS:
            entry, warning = _update(TIMELINE_LABELS[key], m.group("rest").strip(), base)
            out.updates.append(entry)
            if warning:
                out.warnings.append(warning)
            out.labelled_lines.add(i)
            current_detail = None
        elif m and key in DETAIL_LABELS:
            name = DETAIL_LABELS[key]
            value = m.group("rest").strip()
            out.details[name] = f"{out.details[name]}\n{value}" if name in out.details else value
            out.labelled_lines.add(i)
            current_detail = name
        elif current_detail is not None:
            out.details[current_detail] += "\n" + line  # a detail running over several lines
    return out
