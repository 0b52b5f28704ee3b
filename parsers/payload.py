"""What the structured-payload parsers share (Statuspage, feeds, Google Cloud).

Those sources publish data, not prose: JSON or XML with ISO or RFC 822 instants. This
module turns raw payload values into the record's pieces, defensively (a payload is
untrusted input: any value may be missing, null or of the wrong type):

- `decode_json`: bytes -> JSON value, or a warning naming what was wrong (never raises);
- `text_of`: an HTML fragment or plain text -> clean text (entities decoded, tags dropped);
- `iso_stamp` / `rfc822_stamp`: an instant as the payload states it -> `Stamp`: the raw text,
  the wall time *as stated* (``published_local``), the UTC instant, the offset as a label
  (``UTC`` or ``+05:30``) and the policy (``stated_utc`` / ``stated_offset``);
- `new_record`, `update_entry`, `chronological`, `finish`: the record contract's plumbing.

`details` values are strings (the archive keeps them as MAP(VARCHAR, VARCHAR)); structured
values such as component lists go in as compact JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import lxml.html.defs

from parsers.record import UPDATE_FIELDS, empty_record, validate
from parsers.states import is_open, normalise_state
from parsers.timestamps import Stamp

_TAG_RE = re.compile(r"<[a-zA-Z/!?][^<>]*>")
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header footer".split()
)
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0\u200b\u2028\u2029]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SENTENCE_RE = re.compile(r"^(.+?[.!?])(?:\s|$)")
_SLUG_RE = re.compile(r"[^A-Za-z0-9]+")


# --- decoding ------------------------------------------------------------------------


def as_text(content: bytes | str) -> tuple[str | None, str | None]:
    """(text, None) for UTF-8 bytes or a str; (None, warning) for anything else."""
    if isinstance(content, str):
        text = content
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data":  # the last character is cut in two
                return None, "not UTF-8 text: it ends inside a character; it looks truncated"
            return (
                None,
                f"not UTF-8 text (byte {exc.start}: {content[exc.start : exc.start + 8]!r})",
            )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, "empty payload"
    if "\x00" in text:
        return None, "not text (NUL bytes)"
    return text, None


def decode_json(content: bytes | str) -> tuple[Any, str | None]:
    """(value, None) for well-formed JSON; (None, warning) when it is empty, not text,
    malformed or cut short (the warning says where, and says 'truncated' for a cut)."""
    text, problem = as_text(content)
    if text is None:
        return None, problem
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        # cut short: the error is at the very end (within an escape's length), a string
        # runs on to the end, or the text ends inside a literal ('nul', 'fal')
        rest = text[exc.pos :].rstrip()
        cut = (
            len(rest) <= 6
            or exc.msg.startswith("Unterminated string")
            or any(word.startswith(rest) for word in ("null", "true", "false"))
        )
        hint = "; the payload looks truncated" if cut else ""
        near = text[max(0, exc.pos - 20) : exc.pos + 20]
        return None, (
            f"malformed JSON ({exc.msg}: line {exc.lineno} column {exc.colno}, near {near!r}){hint}"
        )
    except RecursionError:
        return None, "malformed JSON: nested too deeply to read"


# --- typed access to untrusted values --------------------------------------------------


def get_str(obj: Any, key: str) -> str | None:
    """obj[key] when obj is a dict and the value is a non-blank string (numbers as text)."""
    if not isinstance(obj, dict):
        return None
    value = obj.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def get_dict(obj: Any, key: str) -> dict[str, Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def get_list(obj: Any, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, list) else []


def dicts(values: Iterable[Any]) -> list[dict[str, Any]]:
    return [v for v in values if isinstance(v, dict)]


# --- text --------------------------------------------------------------------------


def clean_line(text: str) -> str:
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()


def clean_text(text: str) -> str:
    """Whitespace normalised per line, blank lines dropped, lines joined by newlines."""
    lines = (
        clean_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line)


def looks_like_markup(text: str) -> bool:
    return bool(_TAG_RE.search(text) or _ENTITY_RE.search(text))


def _walk(el: Any, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("script", "style", "template"):
        if el.tail:
            out.append(el.tail)
        return
    if tag == "br" or tag in _BLOCK_TAGS:
        out.append("\n")
    if el.text and tag:
        out.append(el.text)
    for child in el:
        _walk(child, out)
    if tag in _BLOCK_TAGS:
        out.append("\n")
    if el.tail:
        out.append(el.tail)


def element_text(el: Any) -> str:
    """An lxml element's visible text: <br> and block ends become line breaks."""
    out: list[str] = []
    if el.text:
        out.append(el.text)
    for child in el:
        _walk(child, out)
    return clean_text("".join(out))


def html_fragment(markup: str) -> Any | None:
    """An HTML fragment parsed under one <div>, or None when lxml cannot read it."""
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None


def text_of(value: str | None, *, markup: bool = True) -> str:
    """Plain text of a payload string: HTML tags dropped and entities decoded when the
    value carries markup, whitespace normalised per line either way. ``markup=False``: the
    value is text by its format's word (Markdown, an Atom text construct), and
    "restart <INSTANCE_NAME>" keeps its placeholder."""
    if not value:
        return ""
    value = _CONTROL_RE.sub("", value)
    if not markup or not looks_like_markup(value):
        return clean_text(value)
    root = html_fragment(value)
    return element_text(root) if root is not None else clean_text(value)


_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9_\-]*)([^<>]*)>")


def markdown_text(value: str | None) -> str:
    """Plain text of Markdown: the HTML it may hold read as HTML ("<b>…</b>"), and kept as
    written what only looks like it: anything in a `code span`, and a bracketed word that
    is not a lower-case HTML element's name ("restart <INSTANCE_NAME>", "--labels=<LABEL>").
    A lower-case placeholder named like an element ("<table>") still reads as a tag."""
    if not value:
        return ""
    if not looks_like_markup(value):
        return text_of(value, markup=False)

    def keep(m: re.Match[str]) -> str:
        name = m.group(2)
        if name.islower() and name in lxml.html.defs.tags:
            return m.group(0)
        return _escaped(m.group(0))

    parts = value.split("`")
    for i, part in enumerate(parts):  # odd parts are code spans (an unclosed one too)
        parts[i] = _escaped(part) if i % 2 else _TAG_RE.sub(keep, part)
    return text_of("`".join(parts))


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(value: str | None, *, markup: bool = True) -> str | None:
    """Text of a title-like value on one line, or None when nothing is left."""
    text = " ".join(text_of(value, markup=markup).split("\n")).strip()
    return text or None


def first_sentence(text: str) -> str | None:
    line = next((line for line in text.split("\n") if line.strip()), "")
    if not line:
        return None
    m = _SENTENCE_RE.match(line)
    return (m.group(1) if m else line)[:300]


def slug(text: str, limit: int = 80, *, keep_case: bool = False) -> str:
    """Letters and digits joined by '-'. Ids keep their case (base62 ids differ by it)."""
    return _SLUG_RE.sub("-", text if keep_case else text.lower()).strip("-")[:limit].strip("-")


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host or None


def as_json(value: Any) -> str:
    """Compact JSON text for a structured detail value."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- instants --------------------------------------------------------------------------


def _offset_label(offset: timedelta) -> str:
    if offset == timedelta(0):
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def stamp_from_aware(raw: str, moment: datetime) -> Stamp:
    """A Stamp for an instant whose offset the payload stated."""
    offset = moment.utcoffset() or timedelta(0)
    label = _offset_label(offset)
    return Stamp(
        raw=raw,
        local=moment.replace(tzinfo=None, microsecond=0),
        at=moment.astimezone(UTC).replace(microsecond=0),
        tz_label=label,
        tz_policy="stated_utc" if label == "UTC" else "stated_offset",
    )


def _assumed_utc(raw: str, moment: datetime) -> Stamp:
    local = moment.replace(microsecond=0)
    return Stamp(
        raw=raw,
        local=local,
        at=local.replace(tzinfo=UTC),
        tz_policy="assumed_utc",
        flags=["tz_assumed_utc"],
    )


def iso_stamp(raw: str | None) -> Stamp | None:
    """An ISO 8601 instant ('2023-01-10T17:04:42.462Z', '2022-07-01T13:37:44+00:00').
    None when absent; a Stamp with a warning when unreadable. A time with no offset is
    taken as UTC (these APIs speak UTC) and flagged ``tz_assumed_utc``."""
    if raw is None:
        return None
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return Stamp(raw=raw, warning=f"unreadable time {raw!r}")
    if "T" not in text and " " not in text:  # a bare date
        return Stamp(raw=raw, local=moment, has_time=False)
    if moment.tzinfo is None:
        return _assumed_utc(raw, moment)
    try:
        return stamp_from_aware(raw, moment)
    except OverflowError:
        return Stamp(raw=raw, warning=f"time out of range {raw!r}")


def rfc822_stamp(raw: str | None) -> Stamp | None:
    """An RSS date ('Wed, 02 Jul 2025 16:23:28 +0000', '… GMT', '… EST'), falling back to
    ISO 8601 (feeds mix them)."""
    if raw is None:
        return None
    text = raw.strip()
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return iso_stamp(raw)
    if moment.tzinfo is None:  # '-0000': the time is UTC, its zone unknown
        return _assumed_utc(raw, moment)
    try:
        return stamp_from_aware(raw, moment)
    except OverflowError:
        return Stamp(raw=raw, warning=f"time out of range {raw!r}")


# --- the record ------------------------------------------------------------------------


def fetched_iso(fetched_at: datetime | None) -> str | None:
    if fetched_at is None:
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    return fetched_at.astimezone(UTC).replace(microsecond=0).isoformat()


def new_record(
    source: str, layout: str, version: int, url: str | None, fetched_at: datetime | None
) -> dict[str, Any]:
    record = empty_record()
    record.update(
        source=source,
        url=url,
        fetched_at=fetched_iso(fetched_at),
        layout=layout,
        parser_version=f"{layout}/{version}",
    )
    return record


def set_published(record: dict[str, Any], stamp: Stamp | None) -> None:
    if stamp is None:
        return
    record["published_raw"] = stamp.raw
    if stamp.warning:
        record["warnings"].append(f"published: {stamp.warning}")
        return
    record.update(
        published_local=stamp.local_iso,
        published_at=stamp.at_iso,
        tz_label=stamp.tz_label,
        tz_policy=stamp.tz_policy,
    )
    add_flags(record["flags"], stamp.flags)


def set_page_updated(record: dict[str, Any], stamp: Stamp | None) -> None:
    if stamp is None or stamp.warning:
        return
    record.update(
        page_updated_raw=stamp.raw,
        page_updated_local=stamp.local_iso,
        page_updated_at=stamp.at_iso,
    )


def set_window(
    record: dict[str, Any], start: Stamp | None, end: Stamp | None, raw: str | None = None
) -> None:
    """A window from two stated instants (either may be missing), or from one text stating
    both (``raw``). An end before its start is dropped with a warning: the validator, and
    every duration, would reject it."""
    if start is None and end is None:
        return
    record["window_raw"] = raw or f"{start.raw if start else ''} – {end.raw if end else ''}".strip()
    for stamp, local_key, at_key in (
        (start, "window_start_local", "window_start"),
        (end, "window_end_local", "window_end"),
    ):
        if stamp is None:
            continue
        if stamp.warning:
            record["warnings"].append(f"window: {stamp.warning}")
            continue
        record[local_key], record[at_key] = stamp.local_iso, stamp.at_iso
        add_flags(record["flags"], stamp.flags)
    s, e = record["window_start"], record["window_end"]
    if s and e and e < s:
        record["warnings"].append(f"window ends before it starts: {record['window_raw']!r}")
        record["window_end_local"] = record["window_end"] = None


def set_state(record: dict[str, Any], raw: str | None, source: str = "payload") -> None:
    if raw is None:
        return
    state = normalise_state(raw)
    record["state_raw"] = raw
    if state is None:
        record["warnings"].append(f"unknown status {raw!r}")
        return
    record.update(state=state, state_source=source, is_open=is_open(state))


def update_entry(
    label: str | None,
    stamp: Stamp | None,
    text: str,
    status_raw: str | None,
    status: str | None,
    flags: Iterable[str] = (),
) -> dict[str, Any]:
    """One timeline entry in the contract's field order."""
    entry_flags: list[str] = []
    add_flags(entry_flags, flags)
    if stamp is not None:
        add_flags(entry_flags, stamp.flags)
    values = {
        "label": label,
        "at_raw": stamp.raw if stamp else None,
        # a wall time read in a zone no table names keeps its wall time, with no instant
        "at_local": stamp.local_iso if stamp else None,
        "at": stamp.at_iso if stamp else None,
        "text": text,
        "status_raw": status_raw,
        "status": status,
        "flags": entry_flags,
    }
    return {key: values[key] for key in UPDATE_FIELDS}


def chronological(entries: list[tuple[dict[str, Any], Any]]) -> list[tuple[dict[str, Any], Any]]:
    """Timeline entries (newest first, as payloads list them) oldest first. Entries without
    a time keep their place relative to their neighbours in the reversed list."""
    oldest_first = list(reversed(entries))
    timed = sorted(
        (i for i, (u, _) in enumerate(oldest_first) if u["at"] is not None),
        key=lambda i: (oldest_first[i][0]["at"], i),
    )
    slots = [i for i, (u, _) in enumerate(oldest_first) if u["at"] is not None]
    result = list(oldest_first)
    for slot, i in zip(slots, timed, strict=True):
        result[slot] = oldest_first[i]
    return result


def render_body(updates_newest_first: Iterable[dict[str, Any]]) -> str:
    """The body as the status page shows it: each update's label and text, newest first."""
    parts = []
    for u in updates_newest_first:
        head = u["label"] or ""
        text = u["text"] or ""
        parts.append(f"{head} - {text}" if head and text else head or text)
    return "\n".join(p for p in parts if p)


def add_flags(flags: list[str], new: Iterable[str]) -> None:
    for flag in new:
        if flag not in flags:
            flags.append(flag)


def finish(record: dict[str, Any]) -> dict[str, Any]:
    """Fill the summary from the title (or the body's first sentence, flagged)."""
    if record["title"] is None:
        add_flags(record["flags"], ["title_missing"])
        summary = first_sentence(record["body"])
        if summary:
            record["summary"] = summary
            add_flags(record["flags"], ["summary_derived"])
    else:
        record["summary"] = record["title"]
    return record


def keep_valid(records: list[dict[str, Any]], warnings: list[str]) -> list[dict[str, Any]]:
    """The records that satisfy the contract; any other is dropped with a warning (a
    parser bug must not reach the archive as a half-valid row)."""
    kept = []
    for record in records:
        errors = validate(record)
        if errors:
            warnings.append(f"{record.get('notice_key')}: dropped, invalid record: {errors[:3]}")
        else:
            kept.append(record)
    return kept


def distinct_keys(records: list[dict[str, Any]], warnings: list[str]) -> list[dict[str, Any]]:
    """One record per notice_key: a payload that lists an incident twice keeps the first."""
    seen: set[str] = set()
    out = []
    for record in records:
        key = record["notice_key"]
        if key in seen:
            warnings.append(f"{key}: listed twice; kept the first")
            continue
        seen.add(key)
        out.append(record)
    return out
