"""What an NHSmail title says: its state suffix, category prefix and severity tag.

Titles are dash-separated parts: ``INC28274463– HSSI – RESOLVED``, ``Information –
Compromised Account Process Update``, ``Microsoft 365 Alert – Service Degradation – … –
RESOLVED``, ``Threat: Malware Delivery Campaign``. The state is only ever the *last* part
(also bracketed or closed by a full stop, ``– [RESOLVED]``, ``– RESOLVED.``, ``– NOW
RESOLVED``, ``– RESOLVED (HSSI)``), a bracketed resolved or ongoing word ending the title
(``… Issue (RESOLVED)``), or a resolved word heading it (``RESOLVED: …``); a tag or prefix
(HSSI, Maintenance, Information) is never taken for the state. "Update" ending an
announcement's, a maintenance's or a release's title (``Information – NHSmail Portal
Release – Update``, ``Planned Maintenance – Portal – UPDATE``, ``Portal Release 7.2 –
UPDATED``) says it was revised, not that anything is open: no state (an incident's or an
alert's "– UPDATE" is open). The state never stays in ``core``, the
text the notice's key is made from, so a notice keeps its key as its state moves on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.scan import word_scanning
from parsers.states import STATE_WORD_RE, normalise_state

# "–" with or without spaces, " - " only with spaces (hyphens live inside words).
# ``\s*[–—]\s*|\s+-\s+|(?<=\d)-\s+``, written to start with the character every match
# starts with, which the engine's search skips along in C (see `parsers.scan`); the
# look-behinds ask of that character what each alternative asks. test_scan holds the
# two equal.
_PART_SPLIT_RE = re.compile(
    r"[\s–—-](?:(?:(?<=\s)\s*[–—]|(?<=[–—]))\s*|(?<=\s)\s*-\s+|(?<=\d-)\s+)"
)
_STATE_PART_RE = re.compile(
    rf"^[\[(]?\s*(?:now\s+)?(?P<state>{STATE_WORD_RE.pattern})\s*[\])]?\.?"
    r"(?:\s*[\[(]\s*(?:HSSI|High Severity(?: Service)? Incident)\s*[\])])?$",
    re.IGNORECASE,
)
# "… Issue (RESOLVED)", "RESOLVED: … Issue": outside a part of their own, only the words that
# close or continue an incident. "(New)" and "(Planned)" tag features and events, "Closed:"
# a helpdesk's hours, "Ongoing -" a campaign.
_OUTSIDE_STATES = r"RESOLVED|RESTORED|FIXED|ONGOING"
_BRACKETED_TAIL_RE = re.compile(
    rf"\s[\[(]\s*(?P<state>{_OUTSIDE_STATES})\s*[\])]\.?$", re.IGNORECASE
)
_STATE_HEAD_RE = re.compile(
    r"^[\[(]?\s*(?P<state>RESOLVED|RESTORED|FIXED)\s*[\])]?\s*[:–—-]\s+(?=\S)",
    re.IGNORECASE,
)
# "Update" ending a release's title: a revision
_RELEASE_RE = re.compile(r"\brelease(?:s|\s+notes?)?\b", re.IGNORECASE)
# Announcements, by their prefix: "Update" as their last part is no state.
_ANNOUNCEMENTS = frozenset(("information", "enhancement"))
_REVISION_WORDS = frozenset(("UPDATE", "UPDATED"))
_SEVERITY_RE = re.compile(r"^(HSSI|High Severity(?: Service)? Incident|P[1-4]|SEV\s?[1-4])$", re.I)

_PREFIX_CATEGORIES: list[tuple[re.Pattern[str], str]] = [
    # before the alerts: "CareCERT Alert" and "Cyber Alert" are NHS cyber-security notices
    (
        re.compile(
            r"^(?:(?:Cyber|Security)\s+)?(?:Threat|Security Alert|Security Notice)\b"
            r"|^(?:CareCERT|Cyber)\s+(?:Alert|Advisory|Bulletin)\b",
            re.I,
        ),
        "threat",
    ),
    # "Office 365 Alert" until the 2020 rebrand, "Microsoft 365 Alert" after it.
    (
        re.compile(r"^(?:(?:Microsoft|Office)\s*365\s+|Microsoft\s+|[MO]365\s+)?Alert\b", re.I),
        "alert",
    ),
    (re.compile(r"^Information(?:al)?\b", re.I), "information"),
    (re.compile(r"^(?:Service\s+)?Enhancements?\b", re.I), "enhancement"),
    (re.compile(r"^(?:Planned|Scheduled|Emergency)?\s*Maintenance\b", re.I), "maintenance"),
]
# Searched for in most titles: written to skip along their first letters (`parsers.scan`).
_MAINTENANCE_RE = word_scanning(
    (
        "maintenance",
        "planned (?:works?|outage|downtime|change)",
        "scheduled (?:works?|outage|downtime)",
    ),
    r"\b",
    re.I,
)
_AFTER_MAINTENANCE_RE = re.compile(
    r"\b(?:after|following|since|due to|caused by)\s+(?:the\s+|a\s+)?"
    r"(?:(?:planned|scheduled|emergency|overnight)\s+)?(?:maintenance|works?)\b",
    re.I,
)
_ENHANCEMENT_RE = word_scanning(("enhancements?",), r"\b", re.I)
_HSSI_RE = re.compile(r"\bHSSI\b")
_INCIDENT_TITLE_RE = re.compile(
    r"\b(issues?|outage|incident|delays?|delayed|disruption|slowness|slow|degradation|degraded|"
    r"unavailable|unavailability|failures?|failing|problems?|errors?|intermittent|not working|"
    r"unable)\b",
    re.I,
)


@dataclass(slots=True)
class TitleInfo:
    parts: list[str]
    state_raw: str | None = None
    category: str | None = None
    severity: str | None = None
    core: str = ""  # the title without its state suffix: what identifies the notice


def split_parts(title: str) -> list[str]:
    return [p for p in (x.strip() for x in _PART_SPLIT_RE.split(title)) if p]


def read_title(title: str | None) -> TitleInfo:
    if not title:
        return TitleInfo(parts=[])
    parts = split_parts(title)
    info = TitleInfo(parts=parts, core=title)
    last = _STATE_PART_RE.match(parts[-1]) if len(parts) > 1 else None
    tail = _BRACKETED_TAIL_RE.search(title) if last is None else None
    leading = _STATE_HEAD_RE.match(title) if last is None and tail is None else None
    if last is not None and normalise_state(last.group("state")):
        info.state_raw = last.group("state")
        info.core = " – ".join(parts[:-1])
    elif tail is not None and normalise_state(tail.group("state")):
        info.state_raw = tail.group("state")
        info.core = title[: tail.start()].strip()
    elif leading is not None and normalise_state(leading.group("state")):
        info.state_raw = leading.group("state")
        info.core = title[leading.end() :].strip()
    for part in parts[:-1] if info.state_raw else parts:
        info.severity = severity_word(part) or info.severity
    if "HSSI" in title and _HSSI_RE.search(title):  # the search tries every position
        info.severity = "HSSI"
    head = parts[0] if parts else title
    if head.lower().startswith("threat:") or title.lower().startswith("threat:"):
        info.category = "threat"
    else:
        for pattern, category in _PREFIX_CATEGORIES:
            if pattern.match(head):
                info.category = category
                break
    if (info.state_raw or "").upper() in _REVISION_WORDS and (
        info.category in _ANNOUNCEMENTS
        or info.category == "maintenance"
        or _MAINTENANCE_RE.search(info.core)
        or _RELEASE_RE.search(info.core)
    ):
        info.state_raw = None  # the core stays without it: the same notice, retitled
    if info.category is None and any(p.lower() == "maintenance" for p in parts):
        info.category = "maintenance"
    if (
        info.category is None
        and _MAINTENANCE_RE.search(info.core)
        and not _caused_by_maintenance(info.core)
    ):
        info.category = "maintenance"
    if info.category is None and _ENHANCEMENT_RE.search(info.core):
        info.category = "enhancement"
    return info


def _caused_by_maintenance(core: str) -> bool:
    """An incident the title says maintenance caused ("Email Delays following Planned
    Maintenance"): an incident's word before the maintenance it followed."""
    m = _AFTER_MAINTENANCE_RE.search(core)
    return m is not None and looks_like_incident_title(core[: m.start()])


def severity_word(text: str) -> str | None:
    """The severity a title part or a "Severity:" line names: HSSI, P1…P4, SEV1…SEV4."""
    if not _SEVERITY_RE.match(text):
        return None
    upper = text.upper()
    return "HSSI" if upper.startswith(("HSSI", "HIGH")) else upper.replace(" ", "")


def looks_like_incident_title(title: str) -> bool:
    return bool(_INCIDENT_TITLE_RE.search(title))
