"""The one state vocabulary shared by every source, the record type and the SQL schema.

Raw words are mapped here and nowhere else; `archive/` builds its CHECK constraint from
`STATES`, and tests check that every raw word lands inside it.
"""

from __future__ import annotations

import re

# Normalised state -> whether a notice in that state is still open.
STATES: dict[str, bool] = {
    "open": True,
    "investigating": True,
    "identified": True,
    "monitoring": True,
    "scheduled": True,
    "in_progress": True,
    "verifying": True,
    "resolved": False,
    "completed": False,
    "cancelled": False,
    "postmortem": False,
}

# Raw word (upper case, single spaces) -> normalised state.  NHSmail words first, then
# Atlassian Statuspage's and Google Cloud's, so later sources reuse the same table.
RAW_STATES: dict[str, str] = {
    "NEW": "open",
    "OPEN": "open",
    "ONGOING": "open",
    "ACTIVE": "open",
    "UPDATE": "open",
    "UPDATED": "open",
    "INVESTIGATING": "investigating",
    "UNDER INVESTIGATION": "investigating",
    "IDENTIFIED": "identified",
    "MONITORING": "monitoring",
    "SCHEDULED": "scheduled",
    "PLANNED": "scheduled",
    "IN PROGRESS": "in_progress",
    "IN_PROGRESS": "in_progress",
    "UNDERWAY": "in_progress",
    "VERIFYING": "verifying",
    "RESOLVED": "resolved",
    "RESTORED": "resolved",
    "FIXED": "resolved",
    "CLOSED": "resolved",
    "MITIGATED": "resolved",
    "COMPLETED": "completed",
    "COMPLETE": "completed",
    "CANCELLED": "cancelled",
    "CANCELED": "cancelled",
    "POSTMORTEM": "postmortem",
}

# Words that may be a state when they stand alone as a title part or body prefix.
_STATE_ALTERNATION = "|".join(
    sorted((re.escape(w).replace(r"\ ", r"\s+") for w in RAW_STATES), key=len, reverse=True)
)
STATE_WORD_RE = re.compile(rf"(?:{_STATE_ALTERNATION})", re.IGNORECASE)


def normalise_state(raw: str | None) -> str | None:
    """Map a raw state word ('RESOLVED', 'In progress', 'monitoring') to the vocabulary."""
    if not raw:
        return None
    state = RAW_STATES.get(raw)  # written as the table writes it ("RESOLVED"): most words
    if state is not None:
        return state
    key = " ".join(raw.replace("_", " ").split()).upper()
    state = RAW_STATES.get(key) or RAW_STATES.get(key.replace(" ", "_"))
    if state is None and key.lower() in STATES:
        state = key.lower()
    return state


def is_open(state: str | None) -> bool | None:
    """True/False for a known state, None when the state is unknown."""
    if state is None:
        return None
    return STATES[state]
