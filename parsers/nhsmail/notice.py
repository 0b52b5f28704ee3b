"""One NHSmail notice -> one normalised record. Layouts find the pieces; this reads them.

Every layout hands over the same pieces (title line, date line, body lines, section), so
the rules for states, categories, references, windows and keys live here once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from parsers.nhsmail.labels import is_closing, read_labelled
from parsers.nhsmail.titles import looks_like_incident_title, read_title, severity_word
from parsers.record import empty_record
from parsers.references import find_references, labelled_references, merge
from parsers.scan import word_scanning
from parsers.states import STATE_WORD_RE, is_open, normalise_state
from parsers.timestamps import Stamp, parse_stamp
from parsers.windows import find_window, stated_duration_minutes

SOURCE = "nhsmail"
# The words NHSmail starts a notice body with ("RESOLVED –", "RESTORED-", "COMPLETED:").
# Not NEW or UPDATE: "New:" and "Update:" start release notes and enhancements.
BODY_STATE_WORD = (
    r"(?:RESOLVED|RESTORED|FIXED|CLOSED|COMPLETED|COMPLETE|CANCELLED|ONGOING|OPEN|MONITORING|"
    r"INVESTIGATING|IDENTIFIED|SCHEDULED|IN\s+PROGRESS)"
)
_BODY_STATE_RE = re.compile(rf"^(?P<word>{BODY_STATE_WORD})\s*(?:[–—:\-]+\s*|$)", re.I)
# "Issue Status: Resolved." / "Issue Status: Resolved – service restored": the leading word.
_LEADING_STATE_RE = re.compile(rf"^(?P<word>{STATE_WORD_RE.pattern})\b[\s.,;:!–—\-]*", re.I)
# A sentence ends at a stop before a capital (or the end): not at "e.g. iOS", "approx. 30",
# nor at the abbreviations a capital may follow.
_SENTENCE_RE = re.compile(
    r"^(.+?(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bapprox\.)(?<!\bincl\.)(?<!\bvs\.)[.!?])"
    r"(?=\s+[\"'‘“(]?[A-Z]|\s*$)"
)
_INCIDENT_BODY_RE = word_scanning(
    (
        r"aware of an? (?:intermittent |potential |ongoing )?(?:issue|problem|incident)",
        "outage",
        "service disruption",
        "are investigating",
    ),
    r"\b",
    re.I,
)
_MAINTENANCE_BODY_RE = word_scanning(
    (
        "planned maintenance",
        "scheduled maintenance",
        "maintenance window",
        "will be unavailable",
        "planned (?:works?|outage|downtime)",
        "scheduled (?:works?|outage|downtime)",
    ),
    r"\b",
    re.I,
)


@dataclass(slots=True)
class Context:
    """What a layout knows about the page: where it came from and what it says of itself."""

    layout: str
    parser_version: str
    url: str | None = None
    fetched_at: datetime | None = None
    page_updated: Stamp | None = None  # the page's own "Last updated: …"
    # Undated items are read against it: a 2017-2019 status page's items, written by the
    # time it was updated. Not a post's: that is when it was edited, after it was written.
    page_updated_dates: bool = False
    warnings: list[str] = field(default_factory=list)  # the page's, from the layout


def slugify(text: str, words: int = 8, limit: int = 60) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    tokens = re.findall(r"[a-z0-9]+", ascii_.lower())[:words]
    return "-".join(tokens)[:limit].strip("-") or "untitled"


def first_sentence(text: str, limit: int = 200) -> str:
    m = _SENTENCE_RE.match(text)
    sentence = m.group(1) if m else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _written(stamp: Stamp | None, ctx: Context) -> date | None:
    """When the notice says it was written: its own date line, else (undated accordion
    items) the page's "Last updated". A datetime when the time of day is known. Never the
    fetch time: that is when we looked, and the two clocks are not mixed."""
    for candidate in (stamp, ctx.page_updated if ctx.page_updated_dates else None):
        if candidate is not None and candidate.local is not None:
            return candidate.local if candidate.has_time else candidate.local.date()
    return None


def distinct_keys(records: list[dict[str, Any]]) -> None:
    """Notices on one page that still share a key (same title, no reference, no date or
    window to tell them apart) get a short slug of their body's start; never row order."""
    seen: dict[str, int] = {}
    for record in records:
        seen[record["notice_key"]] = seen.get(record["notice_key"], 0) + 1
    for record in records:
        if seen[record["notice_key"]] > 1 and not record["reference"]:
            body = record["body"].split("\n", 1)[0]
            prefix = _BODY_STATE_RE.match(body)
            record["notice_key"] += ":" + slugify(body[prefix.end() :] if prefix else body, 5)


# Window flags saying its day was not written in its prose but taken from the page.
_DAY_FROM_PAGE = frozenset(
    (
        "window_date_inferred",
        "window_date_inferred_previous_day",
        "window_date_inferred_next_day",
        # "on Friday", "on the 24th": placed from the base, which for these is the page's
        "window_date_from_weekday",
        "window_month_inferred",
    )
)


_NOT_STATED = frozenset(("", "n/a", "na", "tbc", "tba", "-", "–", "none"))


def _final_entry(updates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The timeline's Final Update or Issue Resolved entry, when it says something."""
    for entry in updates:
        if entry["label"] in ("Final Update", "Issue Resolved") and (
            entry["at_raw"] or entry["text"].strip().lower().rstrip(".") not in _NOT_STATED
        ):
            return entry
    return None


def _labelled_window(
    record: dict[str, Any], details: dict[str, str], base: datetime | None
) -> None:
    """Microsoft's "Start time: …" / "End time: …" lines: the impact's bracket, when the
    prose states none. Both must read as times; one alone, or a bracket that ends before it
    starts, is a warning, not half a window."""
    start_raw = details.get("start_time", "").split("\n")[0].strip()
    end_raw = details.get("end_time", "").split("\n")[0].strip()
    if not start_raw and not end_raw:
        return
    flags, warnings = record["flags"], record["warnings"]
    start = parse_stamp(start_raw, base=base) if start_raw else None
    end = parse_stamp(end_raw, base=base) if end_raw else None
    if start is None or end is None:
        warnings.append(f"window: Start time / End time not both given: {start_raw!r}, {end_raw!r}")
        return
    if start.local is None or end.local is None or not (start.has_time and end.has_time):
        why = start.warning or end.warning or "not both a day and a time"
        warnings.append(
            f"window: Start time / End time not read ({why}): {start_raw!r}, {end_raw!r}"
        )
        return
    if start.at is not None and end.at is not None and end.at < start.at:
        warnings.append(f"window: End time before Start time: {start_raw!r}, {end_raw!r}")
        return
    record.update(
        window_raw=f"Start time: {start_raw}\nEnd time: {end_raw}",
        window_start_local=start.local_iso,
        window_end_local=end.local_iso,
        window_start=start.at_iso,
        window_end=end.at_iso,
    )
    flags.extend(["window_from_labels", *start.flags, *end.flags])
    for stamp in (start, end):
        if stamp.warning:
            warnings.append(f"window: {stamp.warning}")


def build_notice(
    ctx: Context,
    *,
    title: str | None,
    stamp: Stamp | None,
    body: list[str],
    section: str | None = None,
    section_category: str | None = None,
    section_severity: str | None = None,
    truncated: bool = False,
    excerpt: bool = False,
    link: Callable[[], str | None] | None = None,
) -> dict[str, Any]:
    """The record for one notice from its title line, date line and body lines."""
    record = empty_record()
    flags: list[str] = record["flags"]
    warnings: list[str] = record["warnings"]
    body = list(body)
    while body and not body[-1]:
        body.pop()
    content = [line for line in body if line]
    title = " ".join(title.split()) if title else None

    record.update(
        source=SOURCE,
        url=ctx.url,
        fetched_at=ctx.fetched_at.isoformat() if ctx.fetched_at else None,
        layout=ctx.layout,
        parser_version=ctx.parser_version,
        section=section,
        title=title,
        body="\n".join(content),
    )
    if ctx.page_updated is not None:
        record.update(
            page_updated_raw=ctx.page_updated.raw,
            page_updated_local=ctx.page_updated.local_iso,
            page_updated_at=ctx.page_updated.at_iso,
        )
        if ctx.page_updated.warning:
            warnings.append(f"page updated: {ctx.page_updated.warning}")

    # Timestamps: the notice's own, never the page's "Last updated".
    if stamp is not None:
        record.update(
            published_raw=stamp.raw,
            published_local=stamp.local_iso,
            published_at=stamp.at_iso,
            tz_label=stamp.tz_label,
            tz_policy=stamp.tz_policy,
        )
        flags.extend(stamp.flags)
        if stamp.warning:
            warnings.append(f"published: {stamp.warning}")
    else:
        flags.append("published_missing")
    written = _written(stamp, ctx)
    base = written if isinstance(written, datetime) else None
    if written is not None and base is None:  # a date without a time of day
        base = datetime.combine(written, time())

    labelled = read_labelled(body, base, own=stamp is not None and stamp.local is not None)
    record["updates"] = labelled.updates
    record["details"] = labelled.details
    warnings.extend(labelled.warnings)

    # State: the title's last part, else an "Issue Status:" line, else a body prefix.
    info = read_title(title)
    candidates: list[tuple[str, str]] = []
    if info.state_raw:
        candidates.append(("title", info.state_raw))
    status_line = labelled.details.get("issue_status", "").split("\n")[0].strip()
    status_word = _LEADING_STATE_RE.match(status_line)
    if status_word is not None and normalise_state(status_word.group("word")):
        candidates.append(("issue_status", status_word.group("word")))
    elif status_line:
        warnings.append(f"unknown state word in Issue Status: {status_line!r}")
    prefix = _BODY_STATE_RE.match(content[0]) if content else None
    if prefix is not None:
        candidates.append(("body_prefix", prefix.group("word")))
    if candidates:
        source_, raw = candidates[0]
        record.update(state_raw=raw, state=normalise_state(raw), state_source=source_)
        record["is_open"] = is_open(record["state"])
        if len({is_open(normalise_state(r)) for _, r in candidates}) > 1:
            flags.append("state_conflict")
            warnings.append(
                "states disagree: " + ", ".join(f"{where}={r!r}" for where, r in candidates)
            )
        elif record["is_open"] and (final := _final_entry(labelled.updates)) is not None:
            # its own timeline closes it: no state word says so, but an analyst must know
            flags.append("state_conflict")
            warnings.append(
                f"states disagree: {source_}={raw!r}, but its timeline has a"
                f" {final['label']} ({final['at_raw'] or final['text'][:40]!r})"
            )

    # References: every one the notice cites. The primary one (and so the key) only from
    # the title, a labelled "NHSmail Reference:" line or a post's URL: prose that merely
    # mentions an INC ("Following on from INC28274463 yesterday, …") is another notice's.
    own = merge(find_references(title or "", "title"), labelled_references(labelled.details))
    refs = merge(own, find_references(record["body"], "body"))
    incs = [r["value"] for r in own if r["kind"] == "nhsmail_inc"]
    # a post's address, on its own page or beside its excerpt on a listing (``link``: asked
    # only here, where nothing else names the incident)
    if incs:
        record["reference"] = incs[0]
    elif address := (link() if link else None) or (
        ctx.url if ctx.layout.startswith("wp_post") else None
    ):
        url_refs = [r for r in find_references(address, "url") if r["kind"] == "nhsmail_inc"]
        if url_refs:
            refs = merge(refs, url_refs)
            record["reference"] = url_refs[0]["value"]
            flags.append("reference_from_url")
    record["references"] = refs

    # Category and severity: title prefixes and tags, the section, then the body's wording.
    stated = labelled.details.get("severity", "").split("\n")[0].strip()  # "Severity: HSSI"
    record["severity"] = info.severity or severity_word(stated)
    if record["severity"] is None and section_severity:
        record["severity"] = section_severity
        flags.append("severity_from_section")
    category = info.category or section_category
    if category is None:
        text = record["body"]
        if (
            record["reference"]
            or record["severity"]
            or record["state"] in ("resolved", "open")
            or (title and looks_like_incident_title(title))
            or _INCIDENT_BODY_RE.search(text)
        ):
            category = "incident"
        elif _MAINTENANCE_BODY_RE.search(text):
            category = "maintenance"
        else:
            category = "information"
        flags.append("category_inferred")
    record["category"] = category

    # Windows and stated durations come from the notice's own prose.
    prose = record["body"]
    window = find_window(prose, written, own=stamp is not None and stamp.local is not None)
    # An undated accordion item's "between 09:10 and 10:25 this morning" is on the day it
    # was written, which the page's "Last updated" is not: it moves on as other items
    # change. The times are known, the day is not.
    day_unknown = (
        window is not None
        and (stamp is None or stamp.local is None)
        and not _DAY_FROM_PAGE.isdisjoint(window.flags)
    )
    if window is not None and day_unknown:
        record["window_raw"] = window.raw
        warnings.append(
            f"window_date_unknown: {window.raw!r}: the item states no day and has no date"
            " of its own (the page's Last updated is not when it was written)"
        )
    elif window is not None and window.start is not None and window.end is not None:
        record.update(
            window_raw=window.raw,
            window_start_local=window.start.local_iso,
            window_end_local=window.end.local_iso,
            window_start=window.start.at_iso,
            window_end=window.end.at_iso,
        )
    if window is not None and not day_unknown:
        flags.extend(window.flags)
        warnings.extend(window.warnings)
    if record["window_start"] is None and record["window_start_local"] is None:
        _labelled_window(record, labelled.details, base)
    record["stated_duration_minutes"] = stated_duration_minutes(prose)

    # Summary and key.
    if title:
        record["summary"] = title
        key_text = info.core or title
    else:
        flags.append("title_missing")
        # the first line of its own text: not a label's, not a closing courtesy
        texts = [
            line
            for i, line in enumerate(body)
            if line and i not in labelled.labelled_lines and not is_closing(line)
        ]
        source_text = labelled.details.get("description") or (texts[0] if texts else "")
        if prefix is not None and source_text == content[0]:
            source_text = source_text[prefix.end() :]
            if not source_text.strip() and len(texts) > 1:  # "RESOLVED" alone on its line
                source_text = texts[1]
        record["summary"] = first_sentence(source_text.strip()) or None
        if record["summary"]:
            flags.append("summary_derived")
        key_text = record["summary"] or ""
    if record["reference"]:
        record["notice_key"] = f"{SOURCE}:{record['reference']}"
    else:
        when = (
            stamp.local.strftime("%Y%m%dT%H%M")
            if stamp is not None and stamp.local is not None
            else "undated"
        )
        record["notice_key"] = f"{SOURCE}:{when}:{slugify(key_text)}"
        if when == "undated" and window is not None and window.start is not None:
            # Undated accordion items reuse generic titles ("Portal – Maintenance –
            # SCHEDULED"): the window they announce tells them apart, page after page. Its
            # time only, when its day is unknown: the key must not move with the page.
            start = window.start.local
            assert start is not None
            record["notice_key"] += f":T{start:%H%M}" if day_unknown else f":{start:%Y%m%dT%H%M}"
    if truncated:
        flags.append("truncated")  # the saved page was cut short inside this notice
    if excerpt:
        flags.append("excerpt")  # a listing shows only the start of this notice's text
    record["flags"] = list(dict.fromkeys(flags))
    return record
