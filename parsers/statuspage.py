"""Atlassian Statuspage payloads -> records: one layout per payload shape.

| layout                       | payload                                                    |
|------------------------------|------------------------------------------------------------|
| `api_incident`               | `/api/v2/incidents/<code>.json`: `{"page", "incident"}`     |
| `api_incidents`              | `/api/v2/incidents.json` (and `unresolved.json`)            |
| `api_scheduled_maintenances` | `/api/v2/scheduled-maintenances.json` (and `upcoming`, …)   |
| `api_summary`                | `/api/v2/summary.json`: the open incidents and maintenances |
| `history`                    | `/history.json?page=N`: months of year-less incident lines  |

Rules (where the issue left a choice, the choice is stated here):
- ``notice_key`` is ``statuspage:<host>:<code>``, the host from the URL the payload came
  from, else the payload's own ``page.url``, else ``page-<page id>``.
- ``published_*`` is the incident's ``created_at``, when it was posted, as the payload
  states it (an instant in UTC: ``published_local`` holds the UTC wall time, ``tz_label``
  ``UTC``, ``tz_policy`` ``stated_utc``). ``started_at`` (when the owner says it began,
  often earlier: incidents are posted after the fact) and ``resolved_at`` go to
  ``details``; ``started_before_created`` flags a start more than a minute earlier.
- ``window_*`` is a maintenance's ``scheduled_for`` – ``scheduled_until`` only; an
  incident's own times are not a stated window.
- ``page_updated_*`` is the page's ``updated_at`` (a page-level stamp, not the incident's).
- Every incident update is a timeline entry, oldest first: label the status as the page
  shows it ("In progress"), ``at`` the update's ``display_at`` (what the page shows; owners
  may edit it) else ``created_at``; when they differ by a minute or more the entry is
  flagged ``display_at_differs``. Both raw times, the update id and its affected
  components (old and new status) are in ``details['update_details']`` (JSON, one object
  per timeline entry, ``seq`` its index in ``updates``).
- A body holding a whole list of updates (imported pre-2019 incidents) becomes one entry
  per list item (``from_html_list``); only the newest takes the enclosing update's status
  (``status_from_enclosing_update``), the others have none. Their stamps state no zone:
  UTC when the oldest is the update's ``display_at`` read as UTC (GitHub's imports are;
  flagged ``zone_from_display_at``), else the page's declared ``time_zone``
  (``zone_from_page``), else UTC (``tz_assumed_utc``).
- A history line has no status; its time range starts ``published_*`` for an incident
  (``published_from_history_range``; the end goes to ``details``) and is the window for a
  maintenance. Its message is the latest update only: flagged ``excerpt``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from parsers.payload import (
    add_flags,
    as_json,
    chronological,
    decode_json,
    dicts,
    distinct_keys,
    finish,
    get_dict,
    get_list,
    get_str,
    host_of,
    iso_stamp,
    keep_valid,
    new_record,
    one_line,
    render_body,
    set_page_updated,
    set_published,
    set_state,
    set_window,
    text_of,
    update_entry,
)
from parsers.result import ParseResult
from parsers.states import normalise_state
from parsers.timestamps import MONTHS, Stamp
from parsers.updatelist import Entry, entry_status, read_update_list
from parsers.yearless import read_span, zone_named

SOURCE = "statuspage"
VERSION = 2
MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "verifying", "completed"})
_INCIDENT_TIMES = ("created_at", "started_at", "monitoring_at", "resolved_at", "updated_at")
_SCHEDULE_KEYS = (
    "scheduled_for",
    "scheduled_until",
    "scheduled_remind_prior",
    "scheduled_auto_in_progress",
    "scheduled_auto_completed",
)
_MINUTE = timedelta(seconds=60)
UTC_ZONE = ZoneInfo("UTC")


@dataclass(slots=True)
class Context:
    layout: str
    url: str | None
    fetched_at: datetime | None
    host: str
    zone: ZoneInfo | None  # the page's declared time zone
    page: dict[str, Any]


def _host(url: str | None, page: dict[str, Any]) -> str:
    host = host_of(url) or host_of(get_str(page, "url"))
    if host:
        return host
    page_id = get_str(page, "id")
    return f"page-{page_id}" if page_id else "unknown"


def _display(status: str | None) -> str | None:
    """The status as Statuspage shows it: 'in_progress' -> 'In progress'."""
    if status is None:
        return None
    return status.replace("_", " ").strip().capitalize() or None


def _apart(a: Stamp | None, b: Stamp | None) -> bool:
    return bool(a and b and a.at and b.at and abs(a.at - b.at) >= _MINUTE)


def _components(values: list[Any], *keys: str) -> list[dict[str, Any]]:
    out = []
    for c in dicts(values):
        item = {k: c.get(k) for k in keys if isinstance(c.get(k), str | int | float | bool)}
        if item:
            out.append(item)
    return out


def _listed(
    body: str, anchor: date | None, zone: ZoneInfo | None, display: Stamp | None
) -> list[Entry]:
    """The update list inside one body. Its stamps state no zone: when the oldest reads,
    as UTC, exactly as the update's display_at, the list is UTC (GitHub's imports are);
    otherwise the page's declared zone is used."""
    if "<" not in body:
        return []
    listed = read_update_list(body, anchor=anchor, zone=zone)
    if not listed or listed[0].style != "strong_list" or display is None or display.at is None:
        return listed
    oldest = listed[-1].stamp.local
    if oldest is not None and abs(oldest - display.at.replace(tzinfo=None)) < _MINUTE:
        listed = read_update_list(body, anchor=anchor, zone=UTC_ZONE)
        flag = "zone_from_display_at"
    else:
        flag = "zone_from_page"
    for item in listed:
        if "tz_assumed_utc" not in item.stamp.flags:
            item.stamp.flags.append(flag)
    return listed


def _timeline(inc: dict[str, Any], ctx: Context, record: dict[str, Any]) -> None:
    """incident_updates (newest first in the payload) -> record updates, oldest first."""
    entries: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for u in dicts(get_list(inc, "incident_updates")):
        status_raw = get_str(u, "status")
        status = normalise_state(status_raw)
        if status_raw is not None and status is None:
            record["warnings"].append(f"update {get_str(u, 'id')}: unknown status {status_raw!r}")
        created, display = iso_stamp(get_str(u, "created_at")), iso_stamp(get_str(u, "display_at"))
        stamp = display if display is not None and not display.warning else created
        meta: dict[str, Any] = {"id": get_str(u, "id")}
        for key in ("created_at", "display_at", "updated_at"):
            if get_str(u, key):
                meta[key] = get_str(u, key)
        affected = _components(
            get_list(u, "affected_components"), "code", "name", "old_status", "new_status"
        )
        if affected:
            meta["affected_components"] = affected
        flags = ["display_at_differs"] if _apart(created, display) else []
        body = get_str(u, "body") or ""
        anchor = stamp.at.date() if stamp is not None and stamp.at is not None else None
        listed = _listed(body, anchor, ctx.zone, display)
        if not listed:
            entry = update_entry(
                _display(status_raw), stamp, text_of(body), status_raw, status, flags
            )
            entries.append((entry, meta))
            continue
        add_flags(record["flags"], ["updates_from_html_list", *flags])
        for part, item in enumerate(listed):  # newest first
            item_flags = ["from_html_list"]
            if item.label is not None:
                raw, norm = item.label, entry_status(item.label)
            elif part == 0:
                raw, norm = status_raw, status
                item_flags.append("status_from_enclosing_update")
            else:
                raw = norm = None
            entry = update_entry(item.label, item.stamp, item.text, raw, norm, item_flags)
            if item.stamp.warning:
                record["warnings"].append(item.stamp.warning)
            entries.append((entry, {**meta, "part": len(listed) - part}))
    _postmortem(inc, entries)
    ordered = chronological(entries)
    record["updates"] = [entry for entry, _ in ordered]
    if ordered:
        record["details"]["update_details"] = as_json(
            [{"seq": seq, **meta} for seq, (_, meta) in enumerate(ordered)]
        )
    add_flags(
        record["flags"],
        [
            f
            for u in record["updates"]
            for f in u["flags"]
            if f in ("display_at_differs", "tz_assumed_utc")
        ],
    )
    record["body"] = render_body(u for u, _ in reversed(ordered))


def _postmortem(inc: dict[str, Any], entries: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """A postmortem given as incident fields (not as an update) joins the timeline."""
    body = get_str(inc, "postmortem_body")
    if body is None or any(e["status"] == "postmortem" for e, _ in entries):
        return
    stamp = iso_stamp(get_str(inc, "postmortem_published_at"))
    entry = update_entry(
        "Postmortem", stamp, text_of(body), "postmortem", "postmortem", ["from_postmortem_fields"]
    )
    entries.insert(0, (entry, {"id": None, "postmortem": True}))


def incident_record(inc: dict[str, Any], ctx: Context, hint: str) -> dict[str, Any] | None:
    """One incident or maintenance object -> a record (None when it has no code)."""
    code = get_str(inc, "id") or get_str(inc, "code")
    if code is None:
        return None
    record = new_record(SOURCE, ctx.layout, VERSION, ctx.url, ctx.fetched_at)
    details: dict[str, str] = record["details"]
    record.update(
        notice_key=f"{SOURCE}:{ctx.host}:{code}",
        title=one_line(get_str(inc, "name")),
        reference=code,
        references=[{"kind": "other", "value": code, "where": "payload"}],
    )
    status = get_str(inc, "status")
    set_state(record, status)
    impact = get_str(inc, "impact")
    record["severity"] = impact
    scheduled = any(get_str(inc, k) for k in ("scheduled_for", "scheduled_until"))
    maintenance = (
        hint == "maintenance"
        or scheduled
        or impact == "maintenance"
        or (status or "").lower() in MAINTENANCE_STATUSES
    )
    record["category"] = "maintenance" if maintenance else "incident"
    times = {k: iso_stamp(get_str(inc, k)) for k in _INCIDENT_TIMES}
    set_published(record, times["created_at"])
    started, created = times["started_at"], times["created_at"]
    if started and created and started.at and created.at and created.at - started.at >= _MINUTE:
        add_flags(record["flags"], ["started_before_created"])
    if scheduled:
        set_window(
            record,
            iso_stamp(get_str(inc, "scheduled_for")),
            iso_stamp(get_str(inc, "scheduled_until")),
        )
    set_page_updated(record, iso_stamp(get_str(ctx.page, "updated_at")))
    for key in (*_INCIDENT_TIMES, *_SCHEDULE_KEYS, "impact_override", "shortlink"):
        value = inc.get(key)
        if isinstance(value, bool):
            details[key] = "true" if value else "false"
        elif get_str(inc, key):
            details[key] = str(get_str(inc, key))
    components = _components(get_list(inc, "components"), "id", "name", "status")
    if components:
        details["components"] = as_json(components)
    if get_str(inc, "postmortem_published_at"):
        details["postmortem_published_at"] = str(get_str(inc, "postmortem_published_at"))
    for key, name in (("id", "page_id"), ("name", "page_name"), ("time_zone", "page_time_zone")):
        if get_str(ctx.page, key):
            details[name] = str(get_str(ctx.page, key))
    _timeline(inc, ctx, record)
    for stamp in times.values():
        if stamp is not None and stamp.warning:
            record["warnings"].append(stamp.warning)
    return finish(record)


def _incidents(items: list[Any], ctx: Context, hint: str, warnings: list[str]) -> list[dict]:
    records = []
    for i, inc in enumerate(items):
        record = incident_record(inc, ctx, hint) if isinstance(inc, dict) else None
        if record is None:
            warnings.append(f"{ctx.layout}: item {i} is not an incident with an id; skipped")
            continue
        records.append(record)
    return records


def _history_record(
    inc: dict[str, Any], ctx: Context, heading: tuple[int, int], month_label: str
) -> dict[str, Any] | None:
    code = get_str(inc, "code") or get_str(inc, "id")
    if code is None:
        return None
    record = new_record(SOURCE, ctx.layout, VERSION, ctx.url, ctx.fetched_at)
    impact = get_str(inc, "impact")
    record.update(
        notice_key=f"{SOURCE}:{ctx.host}:{code}",
        title=one_line(get_str(inc, "name")),
        reference=code,
        references=[{"kind": "other", "value": code, "where": "payload"}],
        severity=impact,
        category="maintenance" if impact == "maintenance" else "incident",
        body=text_of(get_str(inc, "message")),
        flags=["excerpt"],
    )
    set_state(record, get_str(inc, "status"))
    record["details"]["history_month"] = month_label
    raw = get_str(inc, "timestamp")
    text = " ".join(text_of(raw).split()) if raw else ""
    if text:
        record["details"]["history_timestamp"] = text
    year, month = heading
    span = read_span(text, anchor=date(year, month, 15), heading=heading) if text else None
    if span is None:
        if raw:
            record["warnings"].append(f"unreadable history timestamp {text!r}")
        return finish(record)
    add_flags(record["flags"], span.flags)
    if record["category"] == "maintenance":
        set_window(record, span.start, span.end, raw=span.raw)
    else:
        set_published(record, span.start)
        add_flags(record["flags"], ["published_from_history_range"])
        if span.end is not None and not span.end.warning:
            record["details"]["history_end_local"] = span.end.local_iso or ""
            if span.end.at_iso:
                record["details"]["history_end_at"] = span.end.at_iso
            add_flags(record["flags"], span.end.flags)
        elif span.end is not None and span.end.warning:
            record["warnings"].append(span.end.warning)
    return finish(record)


def _history(data: dict[str, Any], ctx: Context, warnings: list[str]) -> list[dict]:
    records = []
    for month in dicts(get_list(data, "months")):
        name, year = get_str(month, "name"), month.get("year")
        if isinstance(year, str) and year.isdigit():
            year = int(year)
        number = MONTHS.get((name or "").strip().lower())
        if (
            number is None
            or not isinstance(year, int)
            or isinstance(year, bool)
            or not (1990 <= year <= 9998)
        ):
            warnings.append(
                f"history: a month without a readable name and year ({name!r}, {year!r})"
            )
            continue
        for i, inc in enumerate(get_list(month, "incidents")):
            rec = (
                _history_record(inc, ctx, (year, number), f"{name} {year}")
                if isinstance(inc, dict)
                else None
            )
            if rec is None:
                warnings.append(f"history {name} {year}: item {i} has no code; skipped")
                continue
            records.append(rec)
    return records


def _single(data: dict[str, Any], ctx: Context, warnings: list[str]) -> list[dict]:
    inc = data["incident"] if isinstance(data.get("incident"), dict) else data
    return _incidents([inc], ctx, "incident", warnings)


def _list_of(key: str, hint: str) -> Callable[[dict[str, Any], Context, list[str]], list[dict]]:
    def parse(data: dict[str, Any], ctx: Context, warnings: list[str]) -> list[dict]:
        return _incidents(get_list(data, key), ctx, hint, warnings)

    return parse


def _summary(data: dict[str, Any], ctx: Context, warnings: list[str]) -> list[dict]:
    return _incidents(get_list(data, "incidents"), ctx, "incident", warnings) + _incidents(
        get_list(data, "scheduled_maintenances"), ctx, "maintenance", warnings
    )


LAYOUTS: dict[str, Callable[[dict[str, Any], Context, list[str]], list[dict]]] = {
    "api_incident": _single,
    "api_incidents": _list_of("incidents", "incident"),
    "api_scheduled_maintenances": _list_of("scheduled_maintenances", "maintenance"),
    "api_summary": _summary,
    "history": _history,
}


# The payloads that render an incident whole, as its own JSON does: one rendering, whose
# versions are revisions of one another (a history line is an excerpt: another).
FULL_RECORD = frozenset(
    ("api_incident", "api_incidents", "api_summary", "api_scheduled_maintenances")
)
# Payloads that list only what is current: summary.json's open incidents and upcoming or
# active maintenances, and a history page, whose quarters move on. (incidents.json and
# scheduled-maintenances.json are the latest 50, whatever their state: they do not shrink.)
CURRENT_ONLY = frozenset(("api_summary", "history"))


def detect(data: Any) -> list[str]:
    """The layout whose marker keys the payload carries (at most one)."""
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("incident"), dict):
        return ["api_incident"]
    if isinstance(data.get("months"), list):
        return ["history"]
    lists = {k for k in ("incidents", "scheduled_maintenances") if isinstance(data.get(k), list)}
    if len(lists) == 2:
        return ["api_summary"]
    if lists:
        return ["api_incidents" if "incidents" in lists else "api_scheduled_maintenances"]
    if isinstance(data.get("incident_updates"), list) and get_str(data, "id"):
        return ["api_incident"]  # an incident object saved on its own
    return []


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        keys = ", ".join(sorted(str(k) for k in data)[:8])
        return f"an object with keys [{keys}]"
    return f"a JSON {type(data).__name__}"


def parse_payload(
    content: bytes | str, *, url: str | None = None, fetched_at: datetime | None = None
) -> ParseResult:
    """Records for every incident and maintenance in one saved Statuspage payload."""
    data, problem = decode_json(content)
    if problem is not None:
        return ParseResult([], None, [], [problem])
    tried = detect(data)
    if not tried:
        return ParseResult([], None, [], [f"not a Statuspage payload: {_shape(data)}"])
    layout = tried[0]
    page = get_dict(data, "page")
    ctx = Context(
        layout, url, fetched_at, _host(url, page), zone_named(get_str(page, "time_zone")), page
    )
    warnings: list[str] = []
    records = LAYOUTS[layout](data, ctx, warnings)
    records = keep_valid(distinct_keys(records, warnings), warnings)
    shrink_ok = layout in CURRENT_ONLY
    if records:
        return ParseResult(records, layout, tried, warnings, shrink_ok=shrink_ok)
    # A well-formed payload that lists nothing (no open incidents today) is a page with no
    # notices on show, not a page the parser failed to read.
    empty = not warnings
    if empty:
        warnings.append(f"{layout}: the payload lists no incidents")
    return ParseResult(
        [], layout if empty else None, tried, warnings, empty_ok=empty, shrink_ok=shrink_ok
    )
