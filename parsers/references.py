"""References a notice cites: NHSmail INC numbers, Microsoft 365 ids, Service Bridge, CareCERT."""

from __future__ import annotations

import re

INC_RE = re.compile(r"\bINC\s?(\d{6,10})\b", re.IGNORECASE)
# Microsoft 365 service-health ids: a workload prefix and digits (EX649488, TM1283300).
MICROSOFT_PREFIXES = frozenset("EX TM SP OD MO PL CP FL IT PB DZ MF YA FM MM PF".split())
# One pass over the text finds all three kinds:
# ``\b(?:[Ii][Nn][Cc] ?(\d{6,10})|([A-Z]{2})(\d{5,8})|CC-(\d{3,6}))\b``, written to start
# with a character class (the first letter, captured), which the engine's search skips
# along in C (see `parsers.scan`): the look-behinds ask again of that letter what each
# alternative asks, and the first one is the word boundary before it. A Microsoft prefix
# is the first letter and the one captured after it. test_scan holds the two equal.
_SCAN_RE = re.compile(
    r"([A-Zi])(?<!\w.)"
    r"(?:(?<=[Ii])[Nn][Cc] ?(\d{6,10})|(?<=[A-Z])([A-Z])(\d{5,8})|(?<=C)C-(\d{3,6}))\b"
)
# Labelled lines, as `parsers.nhsmail.labels` names them -> reference kind.
DETAIL_KINDS = {
    "nhsmail_reference": "nhsmail_inc",
    "microsoft_reference": "microsoft",
    "service_bridge_reference": "service_bridge",
    "reference": "other",
}
_VALUE_RE = re.compile(r"[A-Za-z0-9][\w-]{2,30}")
# "INC 46757577", "EX 649488": written with a space, the same reference.
_SPACED_RE = re.compile(r"(INC|[A-Z]{2})\s(\d{5,10})\b", re.IGNORECASE)
# What a labelled line holds until a reference exists: no reference.
_PLACEHOLDERS = frozenset(("TBC", "TBA", "TBD", "NONE", "UNKNOWN", "PENDING", "AWAITED"))

Reference = dict[str, str]


def find_references(text: str, where: str) -> list[Reference]:
    """Every INC, Microsoft and CareCERT reference in ``text``, in order, each once."""
    refs: list[Reference] = []
    for first, inc, second, digits, carecert in _SCAN_RE.findall(text):
        if inc:
            kind, value = "nhsmail_inc", "INC" + inc
        elif second:
            prefix = first + second
            if prefix not in MICROSOFT_PREFIXES:
                continue
            kind, value = "microsoft", prefix + digits
        else:
            kind, value = "carecert", "CC-" + carecert
        refs.append({"kind": kind, "value": value, "where": where})
    return merge(refs)


def labelled_references(details: dict[str, str]) -> list[Reference]:
    """References given on labelled lines ("Microsoft Reference: EX649488")."""
    refs: list[Reference] = []
    for name, kind in DETAIL_KINDS.items():
        text = details.get(name, "")
        spaced = _SPACED_RE.match(text)
        if spaced is not None:
            text = spaced.group(1) + spaced.group(2) + text[spaced.end() :]
        m = _VALUE_RE.match(text)
        if m is None or m.group(0).upper() in _PLACEHOLDERS:
            continue
        if kind == "other" and not any(c.isdigit() for c in m.group(0)):
            continue  # "Ref: see the previous notice": prose, not a reference
        value = m.group(0)
        if kind in ("nhsmail_inc", "microsoft"):
            value = value.upper()
        if kind == "nhsmail_inc" and not INC_RE.fullmatch(value):
            kind = "other"  # an NHSmail reference that is not an INC number
        elif kind == "other" and INC_RE.fullmatch(value):
            kind = "nhsmail_inc"
        refs.append({"kind": kind, "value": value, "where": "body"})
    return refs


def merge(*groups: list[Reference]) -> list[Reference]:
    """References from several places, the first place winning for duplicates."""
    seen: set[tuple[str, str]] = set()
    out = []
    for group in groups:
        for ref in group:
            key = (ref["kind"], ref["value"])
            if key not in seen:
                seen.add(key)
                out.append(ref)
    return out
