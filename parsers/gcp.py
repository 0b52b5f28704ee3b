"""Google Cloud's status `incidents.json` (a list of incidents) -> records: layout `incidents`.

Rules (where the issue left a choice, the choice is stated here):
- ``notice_key`` ``gcp:<id>``; ``reference`` the id; ``references`` the id and the public
  incident ``number``.
- The impact window is ``begin`` – ``end`` (``window_*``; no end while it is ongoing) and
  the publication is ``created`` (``published_*``), kept apart so that the lag between
  impact and publication can be measured. ``modified`` and the raw times go to ``details``.
- Google's update ``status`` says how the *service* is (AVAILABLE, SERVICE_INFORMATION,
  SERVICE_DISRUPTION, SERVICE_OUTAGE), not a lifecycle step, so it maps onto the state
  vocabulary coarsely: AVAILABLE is ``resolved``, the others ``open`` (`GCP_STATUS`, the
  only place these words are read; they are deliberately not in parsers/states.py, whose
  words are also read from NHSmail titles). The incident's state is its latest update's;
  an incident with an ``end`` is ``resolved`` even when its last word says otherwise
  (``state_from_end``).
- Texts are Markdown: the HTML in them is read, and "<INSTANCE_NAME>" is a placeholder.
- ``severity`` is Google's ``severity`` (low / medium / high); ``status_impact``, the
  products and the locations (current and previous) go to ``details`` as JSON.
- Updates are a timeline oldest first: label and raw status the update's ``status``,
  ``at`` its ``when`` (else ``created``); each update's ``created``/``modified`` and
  affected locations are in ``details['update_details']`` (``seq`` = index in updates).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    iso_stamp,
    keep_valid,
    markdown_text,
    new_record,
    one_line,
    render_body,
    set_published,
    set_window,
    update_entry,
)
from parsers.result import ParseResult
from parsers.states import STATES

SOURCE = "gcp"
LAYOUT = "incidents"
VERSION = 3
GCP_STATUS: dict[str, str] = {
    "AVAILABLE": "resolved",
    "SERVICE_INFORMATION": "open",
    "SERVICE_DISRUPTION": "open",
    "SERVICE_OUTAGE": "open",
}


def gcp_state(raw: str | None) -> str | None:
    if raw is None:
        return None
    return GCP_STATUS.get(raw.strip().upper().replace(" ", "_"))


def _ids(values: list[Any]) -> list[str]:
    return [i for v in dicts(values) if (i := get_str(v, "id"))]


def _products(values: list[Any]) -> list[dict[str, str]]:
    out = []
    for v in dicts(values):
        item = {k: s for k in ("id", "title") if (s := get_str(v, k))}
        if item:
            out.append(item)
    return out


def incident_record(
    inc: dict[str, Any], ident: str, url: str | None, fetched_at: datetime | None
) -> dict[str, Any]:
    record = new_record(SOURCE, LAYOUT, VERSION, url, fetched_at)
    details: dict[str, str] = record["details"]
    references = [{"kind": "other", "value": ident, "where": "payload"}]
    number = get_str(inc, "number")
    if number and number != ident:
        references.append({"kind": "other", "value": number, "where": "payload"})
    record.update(
        notice_key=f"{SOURCE}:{ident}",
        title=one_line(markdown_text(get_str(inc, "external_desc")), markup=False),
        reference=ident,
        references=references,
        category="incident",
        severity=get_str(inc, "severity"),
    )
    set_published(record, iso_stamp(get_str(inc, "created")))
    set_window(record, iso_stamp(get_str(inc, "begin")), iso_stamp(get_str(inc, "end")))
    for key in (
        "number", "begin", "end", "created", "modified", "status_impact", "service_key",
        "service_name", "uri",
    ):  # fmt: skip
        if get_str(inc, key):
            details[key] = str(get_str(inc, key))
    products = _products(get_list(inc, "affected_products"))
    if products:
        details["affected_products"] = as_json(products)
    for key in ("currently_affected_locations", "previously_affected_locations"):
        ids = _ids(get_list(inc, key))
        if ids:
            details[key] = as_json(ids)

    entries = []
    for u in dicts(get_list(inc, "updates")):  # newest first
        status_raw = get_str(u, "status")
        status = gcp_state(status_raw)
        if status_raw is not None and status is None:
            record["warnings"].append(f"unknown update status {status_raw!r}")
        when, created = iso_stamp(get_str(u, "when")), iso_stamp(get_str(u, "created"))
        stamp = when if when is not None and not when.warning else created
        meta: dict[str, Any] = {
            k: s for k in ("created", "modified", "when") if (s := get_str(u, k))
        }
        locations = _ids(get_list(u, "affected_locations"))
        if locations:
            meta["affected_locations"] = locations
        text = markdown_text(get_str(u, "text"))
        entries.append((update_entry(status_raw, stamp, text, status_raw, status), meta))
    ordered = chronological(entries)
    record["updates"] = [u for u, _ in ordered]
    if ordered:
        details["update_details"] = as_json(
            [{"seq": seq, **meta} for seq, (_, meta) in enumerate(ordered)]
        )
    record["body"] = render_body(u for u, _ in reversed(ordered))

    latest = get_dict(inc, "most_recent_update") or (
        dicts(get_list(inc, "updates"))[0] if dicts(get_list(inc, "updates")) else {}
    )
    raw = get_str(latest, "status")
    state = gcp_state(raw)
    if raw is not None and state is None:
        record["warnings"].append(f"unknown status {raw!r}")
    if get_str(inc, "end") and record["window_end"] and state != "resolved":
        state = "resolved"
        add_flags(record["flags"], ["state_from_end"])
    if state is not None:
        record.update(state_raw=raw, state=state, state_source="payload", is_open=STATES[state])
    return finish(record)


def parse_incidents(
    content: bytes | str, *, url: str | None = None, fetched_at: datetime | None = None
) -> ParseResult:
    """Records for every incident in one saved Google Cloud incidents.json."""
    data, problem = decode_json(content)
    if problem is not None:
        return ParseResult([], None, [], [problem])
    if isinstance(data, dict) and get_str(data, "id") and "begin" in data:
        data = [data]  # one incident saved on its own
    if not isinstance(data, list):
        shape = (
            f"an object with keys {sorted(data)[:8]}"
            if isinstance(data, dict)
            else (f"a JSON {type(data).__name__}")
        )
        return ParseResult([], None, [], [f"not a Google Cloud incidents list: {shape}"])
    warnings: list[str] = []
    records = []
    for i, inc in enumerate(data):
        ident = get_str(inc, "id")
        if ident is None:
            warnings.append(f"{LAYOUT}: item {i} is not an incident with an id; skipped")
            continue
        records.append(incident_record(inc, ident, url, fetched_at))
    records = keep_valid(distinct_keys(records, warnings), warnings)
    if records:
        return ParseResult(records, LAYOUT, [LAYOUT], warnings)
    empty = not data
    if empty:
        warnings.append(f"{LAYOUT}: the list holds no incidents")
    return ParseResult([], LAYOUT if empty else None, [LAYOUT], warnings, empty_ok=empty)
