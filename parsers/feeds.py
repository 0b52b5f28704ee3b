"""RSS and Atom status feeds -> records: layouts `atom` and `rss` (RSS 0.9x/2.0 and 1.0).

Read with lxml, not feedparser: lxml is already a dependency and the fastest XML reader
we have; it reads only the bytes it is given (feedparser.parse fetches a string that looks
like a URL and opens one that names a file: I/O inside a parser), never expands entities
or fetches DTDs here, keeps the content as published (feedparser rewrites it through its
sanitizer), and is strict, so a truncated feed is an error rather than half a feed.
Feeds that break XML only by using HTML's named entities (``&nbsp;``) or a bare ``&``
are repaired, flagged ``xml_repaired``, and read; anything else malformed gives a warning
and no records.

Rules (where the issue left a choice, the choice is stated here):
- ``notice_key`` is ``feed:<host>:<slug>``: the host of the feed's URL (else its own link);
  the slug is a Statuspage incident code when the item links to ``/incidents/<code>``
  (so the Atom and RSS feeds of one page agree), else the slugified guid / id (case kept)
  with scheme and host dropped, else the link, else the published time and title.
- A Statuspage item body (``<p><small>Oct 7, 21:23 UTC</small><br><strong>Resolved</strong>
  - text</p>`` …) becomes the timeline, oldest first, each year inferred from the item's
  date and flagged ``year_inferred`` (Dec 30 in an item dated Jan 2 is the previous year).
  The state is the newest status other than "Update" (which only means "no change").
  ``published_*`` is the first update, when the incident was posted: Statuspage's own
  ``<published>`` is the time of its latest status. The feed's dates go to ``details``.
- Any other item: ``published_*`` from ``published`` / ``pubDate`` / ``dc:date`` (else
  ``updated``, flagged ``published_from_updated``); the state only from a status word
  heading or closing the title (``[RESOLVED] …``, ``Resolved: …``, ``… - Resolved``).
- The feed's own ``updated`` / ``lastBuildDate`` is ``page_updated_*``.
"""

from __future__ import annotations

import hashlib
import html.entities
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.etree

from parsers.payload import (
    add_flags,
    as_json,
    as_text,
    chronological,
    distinct_keys,
    finish,
    host_of,
    iso_stamp,
    keep_valid,
    new_record,
    one_line,
    render_body,
    rfc822_stamp,
    set_page_updated,
    set_published,
    set_state,
    slug,
    text_of,
    update_entry,
)
from parsers.result import ParseResult
from parsers.timestamps import Stamp
from parsers.updatelist import entry_status, read_update_list

SOURCE = "feed"
VERSION = 3
DC = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MAINTENANCE_STATES = frozenset({"scheduled", "in_progress", "verifying", "completed"})
INCIDENT_STATES = frozenset({"investigating", "identified", "monitoring", "resolved"})
_INCIDENT_LINK_RE = re.compile(r"/incidents/([a-z0-9]{6,20})/?(?:[?#].*)?$")
_XML_NAMES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_AMP_RE = re.compile(r"&(#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)?")
_DECL_RE = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding=([\"'])[^\"']*\2", re.IGNORECASE)
# Words that, heading or closing a status feed's title, state where the incident is. Not
# "New", "Update" or "Open": feeds use those for release notes and announcements.
_TITLE_STATES = (
    "RESOLVED|RESTORED|FIXED|MITIGATED|INVESTIGATING|IDENTIFIED|MONITORING|SCHEDULED|"
    "IN PROGRESS|COMPLETED|CANCELLED|CANCELED|POSTMORTEM"
)
_TITLE_HEAD_RE = re.compile(
    rf"^\s*(?:\[\s*(?P<a>{_TITLE_STATES})\s*\]|\(\s*(?P<b>{_TITLE_STATES})\s*\)|"
    rf"(?P<c>{_TITLE_STATES})\s*[:\-–—|])",
    re.IGNORECASE,
)
_TITLE_TAIL_RE = re.compile(
    rf"(?:[\-–—|:]\s*|\[\s*|\(\s*)(?P<d>{_TITLE_STATES})\s*[\])]?\s*$", re.IGNORECASE
)
_MAINTENANCE_RE = re.compile(r"\bmaintenance\b", re.IGNORECASE)


def _local(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c) == name]


def _child(el: Any, name: str, ns: str | None = None) -> Any | None:
    for c in el:
        if _local(c) == name and (ns is None or c.tag == f"{{{ns}}}{name}"):
            return c
    return None


def _text(el: Any | None) -> str | None:
    if el is None:
        return None
    text = "".join(el.itertext())
    return text if text.strip() else None


def _is_text(el: Any | None, default: bool = False) -> bool:
    """An Atom text construct that says it is plain text (``type="text"``, the default
    where ``default``: titles); a construct that says nothing is sniffed for markup."""
    if el is None:
        return False
    kind = (el.get("type") or "").strip().lower()
    return kind == "text" or (default and not kind)


def _markup(el: Any | None) -> str | None:
    """An Atom text construct's content as HTML markup (or plain text)."""
    if el is None:
        return None
    if (el.get("type") or "").lower() == "xhtml":
        inner = (el.text or "") + "".join(
            lxml.etree.tostring(c, encoding="unicode", with_tail=True) for c in el
        )
        return inner if inner.strip() else None
    return _text(el)


# --- reading the XML ---------------------------------------------------------------------


def _repair(text: str) -> tuple[str, int]:
    """HTML named entities as character references, a bare '&' as '&amp;'."""
    count = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal count
        ref = m.group(1)
        if ref is None:
            count += 1
            return "&amp;"
        if ref[0] == "#" or ref[:-1] in _XML_NAMES:
            return m.group(0)
        chars = html.entities.html5.get(ref)
        count += 1
        if chars is None:
            return "&amp;" + ref
        return "".join(f"&#{ord(c)};" for c in chars)

    return _AMP_RE.sub(fix, text), count


def _parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


_DECLARED_RE = re.compile(rb"^\s*<\?xml[^>]*?\sencoding=[\"']([A-Za-z0-9._\-]+)[\"']")


def _declared(content: bytes | str) -> bytes | str:
    """Bytes in the encoding their XML declaration names (ISO-8859-1, Windows-1252…) as
    text; anything else as it came (read as UTF-8, XML's default)."""
    if isinstance(content, str):
        return content
    m = _DECLARED_RE.match(content[:200])
    if m is None or m.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
        return content
    try:
        return content.decode(m.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return content  # a name Python does not know, or bytes it does not fit: as UTF-8


def read_xml(content: bytes | str) -> tuple[Any | None, bool, str | None]:
    """(root element, repaired, None) or (None, False, warning)."""
    text, problem = as_text(_declared(content))
    if text is None:
        return None, False, problem
    text = _DECL_RE.sub(r'\1 encoding="utf-8"', text.lstrip(), count=1)
    data = text.encode("utf-8")
    try:
        return lxml.etree.fromstring(data, _parser()), False, None
    except lxml.etree.XMLSyntaxError as exc:
        first = exc
    except ValueError as exc:
        return None, False, f"not readable as XML: {exc}"
    if "ntity" in str(first) or "&" in str(first) or "EntityRef" in str(first):
        fixed, count = _repair(text)
        if count:
            try:
                return lxml.etree.fromstring(fixed.encode("utf-8"), _parser()), True, None
            except (lxml.etree.XMLSyntaxError, ValueError):
                pass
    # cut short: the reader stopped at the end of the data (lxml counts columns in
    # characters), or the data ends inside a '<![CDATA[' marker, reported at its start
    line, column = first.position if first.position else (0, 0)
    lines = text.split("\n")
    tail = lines[-1][-9:]
    in_marker = "<!" in tail and "<![CDATA[".startswith(tail[tail.rfind("<!") :])
    cut = line >= len(lines) and (column >= len(lines[-1]) or in_marker)
    hint = "; the feed looks truncated" if cut else ""
    return None, False, f"malformed XML ({first}){hint}"


# --- items -----------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """What one RSS item or Atom entry says, as raw strings."""

    ident: str | None
    title: str | None
    link: str | None
    published: Stamp | None
    updated: Stamp | None
    markup: str | None
    categories: list[str]
    title_is_text: bool = False  # plain text by the format's word: "<db>" is no tag
    body_is_text: bool = False


def _atom_link(el: Any) -> str | None:
    links = _children(el, "link")
    for link in links:
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return link.get("href").strip()
    return next((link.get("href").strip() for link in links if link.get("href")), None)


def _atom_items(root: Any) -> list[Item]:
    items = []
    for entry in _children(root, "entry"):
        title = _child(entry, "title")
        body = _child(entry, "content")
        if _markup(body) is None:
            body = _child(entry, "summary")
        items.append(
            Item(
                ident=_text(_child(entry, "id")),
                title=_markup(title),
                link=_atom_link(entry),
                published=iso_stamp(_text(_child(entry, "published"))),
                updated=iso_stamp(_text(_child(entry, "updated"))),
                markup=_markup(body),
                categories=[c.get("term") for c in _children(entry, "category") if c.get("term")],
                title_is_text=_is_text(title, default=True),
                body_is_text=_is_text(body),
            )
        )
    return items


def _rss_items(root: Any) -> list[Item]:
    channel = _child(root, "channel")
    holders = [root] + ([channel] if channel is not None else [])
    items = []
    for holder in holders:
        for item in _children(holder, "item"):
            link = _text(_child(item, "link"))
            guid = _text(_child(item, "guid"))
            encoded = _child(item, "encoded")
            items.append(
                Item(
                    ident=guid.strip() if guid else (item.get(f"{{{RDF}}}about") or None),
                    title=_text(_child(item, "title")),
                    link=link.strip() if link else None,
                    published=rfc822_stamp(_text(_child(item, "pubDate")))
                    or iso_stamp(_text(_child(item, "date", DC))),
                    updated=None,
                    markup=_text(encoded) or _text(_child(item, "description")),
                    categories=[t for c in _children(item, "category") if (t := _text(c))],
                    title_is_text=True,  # RSS titles are plain text; descriptions HTML
                )
            )
    return items


def _feed_link(root: Any, layout: str) -> str | None:
    if layout == "atom":
        return _atom_link(root)
    channel = _child(root, "channel")
    return _text(_child(channel, "link")) if channel is not None else None


def _feed_updated(root: Any, layout: str) -> Stamp | None:
    if layout == "atom":
        return iso_stamp(_text(_child(root, "updated")))
    channel = _child(root, "channel")
    if channel is None:
        return None
    return rfc822_stamp(
        _text(_child(channel, "lastBuildDate")) or _text(_child(channel, "pubDate"))
    )


# --- records -----------------------------------------------------------------------------


def _ident_slug(ident: str, host: str | None) -> str:
    text = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", ident.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^tag:", "", text, flags=re.IGNORECASE)
    if host and text.lower().startswith(host):
        text = text[len(host) :]
    full = slug(text, limit=10_000, keep_case=True)
    if len(full) <= 80:
        return full
    digest = hashlib.sha1(ident.encode("utf-8")).hexdigest()[:8]
    return f"{full[:71].strip('-')}-{digest}"


def _key_part(item: Item, host: str | None, code: str | None, record: dict[str, Any]) -> str:
    if code:
        return code
    for value in (item.ident, item.link):
        if value and (part := _ident_slug(value, host)):
            return part
    when = item.published or item.updated
    stamp = when.local.strftime("%Y%m%dT%H%M") if when and when.local else "undated"
    title_slug = slug(record["title"] or record["body"][:60]) or "untitled"
    return f"{stamp}:{title_slug}"


def _title_state(title: str | None) -> str | None:
    if not title:
        return None
    m = _TITLE_HEAD_RE.match(title) or _TITLE_TAIL_RE.search(title)
    if m is None:
        return None
    return next(g for g in m.groups() if g)


def _statuspage_timeline(item: Item, record: dict[str, Any]) -> bool:
    """Fill the timeline from a Statuspage item body; False when the body holds none."""
    anchor_stamp = item.published or item.updated
    anchor = None
    if anchor_stamp is not None and anchor_stamp.local is not None:
        anchor = (anchor_stamp.at or anchor_stamp.local).date()
    if item.body_is_text:
        return False
    entries = read_update_list(item.markup or "", anchor=anchor)
    if not entries:
        return False
    updates = []
    for e in entries:  # newest first
        status = entry_status(e.label)
        updates.append((update_entry(e.label, e.stamp, e.text, e.label, status), e.stamp))
        if e.stamp.warning:
            record["warnings"].append(e.stamp.warning)
    newest_first = [u for u, _ in updates]
    ordered = chronological(updates)
    record["updates"] = [u for u, _ in ordered]
    record["body"] = render_body(newest_first)
    statused = [u for u in newest_first if (u["label"] or "").strip().lower() != "update"]
    latest = (statused or newest_first)[0]
    set_state(record, latest["status_raw"])
    # The statuses say which it is (a maintenance's are its own); the title only when
    # they do not: "errors after database maintenance" is an incident.
    states = {u["status"] for u in newest_first}
    if states & MAINTENANCE_STATES:
        record["category"] = "maintenance"
    elif states & INCIDENT_STATES:
        record["category"] = "incident"
    else:
        maintenance = _MAINTENANCE_RE.search(record["title"] or "")
        record["category"] = "maintenance" if maintenance else "incident"
        add_flags(record["flags"], ["category_inferred"])
    add_flags(
        record["flags"], [f for u in newest_first for f in u["flags"] if f == "year_inferred"]
    )
    first, stamp = ordered[0]
    if first["at_local"] is not None:
        record.update(
            published_raw=first["at_raw"],
            published_local=first["at_local"],
            published_at=first["at"],
            tz_label=stamp.tz_label,
            tz_policy=stamp.tz_policy,
        )
        add_flags(record["flags"], ["published_from_first_update"])
    elif item.published is not None or item.updated is not None:
        set_published(record, item.published or item.updated)  # the first update is undated
    return True


def item_record(
    item: Item,
    layout: str,
    url: str | None,
    fetched_at: datetime | None,
    host: str,
    page_updated: Stamp | None,
    repaired: bool,
) -> dict[str, Any]:
    record = new_record(SOURCE, layout, VERSION, url, fetched_at)
    details: dict[str, str] = record["details"]
    record["title"] = one_line(item.title, markup=not item.title_is_text)
    code_match = _INCIDENT_LINK_RE.search(item.link or "")
    code = code_match.group(1) if code_match else None
    for key, value in (("id", item.ident), ("link", item.link)):
        if value:
            details[key] = value.strip()
    for key, stamp in (("feed_published", item.published), ("feed_updated", item.updated)):
        if stamp is not None:
            details[key] = stamp.raw.strip()
    if item.categories:
        details["categories"] = as_json(item.categories)
    set_page_updated(record, page_updated)
    if repaired:
        record["flags"].append("xml_repaired")
    if not _statuspage_timeline(item, record):
        record["body"] = text_of(item.markup, markup=not item.body_is_text)
        if item.published is not None:
            set_published(record, item.published)
        elif item.updated is not None:
            set_published(record, item.updated)
            add_flags(record["flags"], ["published_from_updated"])
        set_state(record, _title_state(record["title"]), source="title")
        maintenance = _MAINTENANCE_RE.search(f"{record['title'] or ''} {' '.join(item.categories)}")
        record["category"] = "maintenance" if maintenance else "incident"
        add_flags(record["flags"], ["category_inferred"])
    reference = code or (item.ident.strip() if item.ident else None)
    record["reference"] = reference
    if reference:
        record["references"] = [{"kind": "other", "value": reference, "where": "payload"}]
    record["notice_key"] = f"{SOURCE}:{host}:{_key_part(item, host, code, record)}"
    return finish(record)


def parse_feed(
    content: bytes | str, *, url: str | None = None, fetched_at: datetime | None = None
) -> ParseResult:
    """Records for every item of one saved RSS or Atom feed."""
    root, repaired, problem = read_xml(content)
    if root is None:
        return ParseResult([], None, [], [problem or "unreadable feed"])
    name = _local(root)
    if name == "feed":
        layout, items = "atom", _atom_items(root)
    elif name in ("rss", "RDF"):
        layout, items = "rss", _rss_items(root)
    else:
        return ParseResult([], None, [], [f"not an RSS or Atom feed: root element <{name}>"])
    host = host_of(url) or host_of(_feed_link(root, layout)) or "unknown"
    page_updated = _feed_updated(root, layout)
    warnings: list[str] = []
    records = [
        item_record(item, layout, url, fetched_at, host, page_updated, repaired) for item in items
    ]
    records = keep_valid(distinct_keys(records, warnings), warnings)
    if records:
        return ParseResult(records, layout, [layout], warnings)
    empty = not items
    if empty:
        warnings.append(f"{layout}: the feed has no items")
    return ParseResult([], layout if empty else None, [layout], warnings, empty_ok=empty)
