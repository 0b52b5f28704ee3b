"""The normalised notice record: its fields (the contract of `notices parse`) and a validator.

Records are plain dicts so they serialise to JSON as they are and cross into pandas and
DuckDB without adapters; `FIELDS` fixes their keys and order, `validate` their types and
vocabularies. The archive's schema and the tests both use these two.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.states import STATES

# Field -> allowed Python types (None means the field may be null).
FIELDS: dict[str, tuple[type | None, ...]] = {
    "source": (str,),
    "url": (str, None),
    "fetched_at": (str, None),
    "layout": (str,),
    "parser_version": (str,),
    "notice_key": (str,),
    "section": (str, None),
    "title": (str, None),
    "summary": (str, None),
    "reference": (str, None),
    "references": (list,),
    "state_raw": (str, None),
    "state": (str, None),
    "state_source": (str, None),
    "is_open": (bool, None),
    "category": (str, None),
    "severity": (str, None),
    "published_raw": (str, None),
    "published_local": (str, None),
    "published_at": (str, None),
    "tz_label": (str, None),
    "tz_policy": (str, None),
    "page_updated_raw": (str, None),
    "page_updated_local": (str, None),
    "page_updated_at": (str, None),
    "window_raw": (str, None),
    "window_start_local": (str, None),
    "window_end_local": (str, None),
    "window_start": (str, None),
    "window_end": (str, None),
    "stated_duration_minutes": (int, None),
    "updates": (list,),
    "details": (dict,),
    "body": (str,),
    "flags": (list,),
    "warnings": (list,),
}

UPDATE_FIELDS = ("label", "at_raw", "at_local", "at", "text", "status_raw", "status", "flags")
REFERENCE_KINDS = ("nhsmail_inc", "microsoft", "service_bridge", "carecert", "other")
CATEGORIES = (
    "incident",
    "maintenance",
    "information",
    "enhancement",
    "threat",
    "alert",
    "known_issue",
    "release",
)
STATE_SOURCES = ("title", "issue_status", "body_prefix", "section", "payload")
_LOCAL_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$")
_UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


def empty_record() -> dict[str, Any]:
    """A record with every field present and empty, in contract order."""
    record: dict[str, Any] = dict.fromkeys(FIELDS)
    for key in ("references", "updates", "flags", "warnings"):
        record[key] = []
    record["details"] = {}
    record["body"] = ""
    return record


def _check_time(errors: list[str], where: str, value: Any, pattern: re.Pattern[str]) -> None:
    if value is not None and not (isinstance(value, str) and pattern.match(value)):
        errors.append(f"{where}: not an ISO time of the expected shape: {value!r}")


def validate(record: dict[str, Any]) -> list[str]:
    """Everything wrong with a record, as readable strings (empty when it is valid)."""
    errors: list[str] = []
    extra = set(record) - set(FIELDS)
    missing = set(FIELDS) - set(record)
    if extra:
        errors.append(f"unknown fields: {sorted(extra)}")
    if missing:
        errors.append(f"missing fields: {sorted(missing)}")
    for name, types in FIELDS.items():
        value = record.get(name)
        if value is None:
            if None not in types:
                errors.append(f"{name}: must not be null")
            continue
        allowed = tuple(t for t in types if t is not None)
        # bool is an int subclass; keep them apart
        if isinstance(value, bool) and bool not in allowed:
            errors.append(f"{name}: bool where {allowed} expected")
        elif not isinstance(value, allowed):
            errors.append(f"{name}: {type(value).__name__} where {allowed} expected")
    if errors:
        return errors
    state = record["state"]
    if state is not None and state not in STATES:
        errors.append(f"state outside the vocabulary: {state!r}")
    if (state is None) != (record["is_open"] is None) or (
        state is not None and STATES[state] != record["is_open"]
    ):
        errors.append(f"is_open {record['is_open']!r} does not follow state {state!r}")
    if record["state_source"] is not None and record["state_source"] not in STATE_SOURCES:
        errors.append(f"state_source unknown: {record['state_source']!r}")
    if record["category"] is not None and record["category"] not in CATEGORIES:
        errors.append(f"category outside the vocabulary: {record['category']!r}")
    for name in ("published_local", "page_updated_local", "window_start_local", "window_end_local"):
        _check_time(errors, name, record[name], _LOCAL_RE)
    for name in ("fetched_at", "published_at", "page_updated_at", "window_start", "window_end"):
        _check_time(errors, name, record[name], _UTC_RE)
    if record["published_at"] is not None and record["published_local"] is None:
        errors.append("published_at without published_local")
    start, end = record["window_start"], record["window_end"]
    if start and end and end < start:
        errors.append("window ends before it starts")
    if record["stated_duration_minutes"] is not None and record["stated_duration_minutes"] < 0:
        errors.append("negative stated duration")
    for ref in record["references"]:
        if not isinstance(ref, dict) or set(ref) != {"kind", "value", "where"}:
            errors.append(f"reference of the wrong shape: {ref!r}")
        elif ref["kind"] not in REFERENCE_KINDS:
            errors.append(f"reference kind unknown: {ref['kind']!r}")
    for i, update in enumerate(record["updates"]):
        if not isinstance(update, dict) or tuple(update) != UPDATE_FIELDS:
            errors.append(f"updates[{i}] of the wrong shape: {update!r}")
            continue
        _check_time(errors, f"updates[{i}].at_local", update["at_local"], _LOCAL_RE)
        _check_time(errors, f"updates[{i}].at", update["at"], _UTC_RE)
        if update["status"] is not None and update["status"] not in STATES:
            errors.append(f"updates[{i}].status outside the vocabulary: {update['status']!r}")
    # the archive keeps details as MAP(VARCHAR, VARCHAR): structured values go in as JSON text
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in record["details"].items()):
        errors.append("details must map strings to strings")
    if not all(isinstance(f, str) for f in record["flags"]):
        errors.append("flags must be strings")
    if not all(isinstance(w, str) for w in record["warnings"]):
        errors.append("warnings must be strings")
    if not record["notice_key"].startswith(record["source"] + ":"):
        errors.append("notice_key must start with the source name")
    return errors
