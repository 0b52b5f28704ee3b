"""References a notice cites: NHSmail INC numbers, Microsoft 365 ids, Service Bridge, CareCERT."""

from __future__ import annotations

import re

INC_RE = re.compile(r"\bINC\s?(\d{6,10})\b", re.IGNORECASE)
# Microsoft 365 service-health ids: a workload prefix and digits (EX649488, TM1283300).
MICROSOFT_RE = re.compile(r"\b(EX|TM|SP|OD|MO|PL|CP|FL|IT|PB|DZ|MF|YA|FM|MM|PF)(\d{5,8})\b")
CARECERT_RE = re.compile(r"\bCC-(\d{3,6})\b")
# "Microsoft Reference: EX649488", "Service Bridge Reference : 12345"
LABELLED_RE = re.compile(
    r"\b(?P<label>NHSmail|Microsoft|Service\s*Bridge|Supplier|CareCERT)\s+"
    r"(?:Ref(?:erence)?|ID|Incident)\s*(?:No\.?|Number)?\s*:\s*(?P<value>[A-Z0-9][\w-]{2,30})",
    re.IGNORECASE,
)
_LABEL_KIND = {
    "nhsmail": "nhsmail_inc",
    "microsoft": "microsoft",
    "servicebridge": "service_bridge",
    "carecert": "carecert",
}


def find_references(text: str, where: str) -> list[dict[str, str]]:
    """Every reference in ``text``, in order of appearance, each once."""
    found: list[tuple[int, str, str]] = []
    for m in LABELLED_RE.finditer(text):
        kind = _LABEL_KIND.get(re.sub(r"\s+", "", m.group("label")).lower(), "other")
        value = (
            m.group("value").upper() if kind in ("nhsmail_inc", "microsoft") else m.group("value")
        )
        found.append((m.start("value"), kind, value))
    for m in INC_RE.finditer(text):
        found.append((m.start(), "nhsmail_inc", "INC" + m.group(1)))
    for m in MICROSOFT_RE.finditer(text):
        found.append((m.start(), "microsoft", m.group(0)))
    for m in CARECERT_RE.finditer(text):
        found.append((m.start(), "carecert", m.group(0)))
    seen: set[tuple[str, str]] = set()
    refs = []
    for _, kind, value in sorted(found):
        if kind == "nhsmail_inc" and not value.upper().startswith("INC"):
            kind = "other"  # an NHSmail reference that is not an INC number
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        refs.append({"kind": kind, "value": value, "where": where})
    return refs


def merge(*groups: list[dict[str, str]]) -> list[dict[str, str]]:
    """References from several places, first place winning for duplicates."""
    seen: set[tuple[str, str]] = set()
    out = []
    for group in groups:
        for ref in group:
            key = (ref["kind"], ref["value"])
            if key not in seen:
                seen.add(key)
                out.append(ref)
    return out
