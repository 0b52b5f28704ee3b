"""Statuspage update lists written as HTML, read into timeline entries.

Two shapes hold a whole timeline in one HTML body:

- the history feeds' item body (and some incidents' single update), newest first::

    <p><small>Oct <var data-var='date'>7</var>, <var data-var='time'>21:23</var> UTC</small>
    <br><strong>Resolved</strong> - text</p>

- incidents imported into Statuspage from an older status site (GitHub's, before 2019):
  one update whose body is a list, oldest first, of full stamps without a zone::

    <ul><li><strong>2017-08-23 12:31:05</strong> - We are investigating …</li>…</ul>

Entries come back newest first (the order the page shows; a list written newest first is
put in order by its stamps), so callers can treat them like a payload's own update list. A
paragraph without a stamp continues the entry before it. No stamp is dated after the
anchor, the time of the newest status (see `parsers.yearless`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from parsers.payload import element_text, html_fragment
from parsers.states import normalise_state
from parsers.timestamps import Stamp
from parsers.yearless import read_full, read_span

_LEADING_DASH = " \t\n-–—:"


@dataclass(slots=True)
class Entry:
    label: str | None  # the status word as shown ("Resolved", "Update"), None in old lists
    stamp: Stamp
    text: str
    style: str  # "small_strong" (feeds) or "strong_list" (imported pre-2019 lists)


def _text_without(block: Any, *remove: Any) -> str:
    """The block's text with some of its descendants cut out (their tails kept)."""
    twin = copy.deepcopy(block)
    targets = {id(r) for r in remove}
    originals = list(block.iter())
    copies = list(twin.iter())
    for original, dup in zip(originals, copies, strict=True):
        if id(original) in targets:
            dup.drop_tree()
    return element_text(twin).lstrip(_LEADING_DASH).strip()


def _strong_list(root: Any, zone: ZoneInfo | None) -> list[Entry]:
    entries = []
    for li in root.iter("li"):
        if (li.text or "").strip() or len(li) == 0 or li[0].tag != "strong":
            continue
        stamp = read_full(li[0].text_content(), zone)
        if stamp is None:
            continue
        entries.append(Entry(None, stamp, _text_without(li, li[0]), "strong_list"))
    entries.reverse()  # the lists run oldest first; entries are returned newest first
    if all(e.stamp.local is not None for e in entries):  # unless the stamps say otherwise
        entries.sort(key=lambda e: e.stamp.local, reverse=True)  # type: ignore[arg-type,return-value]
    return entries


def _small_strong(root: Any, anchor: date | None) -> list[Entry]:
    entries: list[Entry] = []
    for p in root.iter("p"):
        small = next(p.iter("small"), None)
        strong = next((s for s in p.iter("strong") if small is None or s is not small), None)
        span = None
        if small is not None:
            text = small.text_content()
            if anchor is None:
                stamp = Stamp(raw=" ".join(text.split()), warning="no date to infer the year from")
                span_start = stamp if text.strip() else None
            else:
                span = read_span(text, anchor=anchor, up_to_anchor=True)
                span_start = span.start if span else None
                if span is not None and span.end is not None:  # an update has one time
                    span_start.flags.append("stamp_end_ignored")
            if span_start is not None:
                label = " ".join(strong.text_content().split()) if strong is not None else None
                cut = (small, strong) if strong is not None else (small,)
                entries.append(
                    Entry(label or None, span_start, _text_without(p, *cut), "small_strong")
                )
                continue
        if entries:  # an unstamped paragraph continues the update before it
            more = element_text(p)
            if more:
                last = entries[-1]
                last.text = f"{last.text}\n{more}" if last.text else more
    return entries


def entry_status(label: str | None) -> str | None:
    """The status an entry's label states. "Update" states none: Statuspage shows it for a
    post that leaves the status as it was."""
    if label is None or " ".join(label.split()).lower() == "update":
        return None
    return normalise_state(label)


def read_update_list(
    markup: str, *, anchor: date | None, zone: ZoneInfo | None = None
) -> list[Entry]:
    """The timeline inside one HTML body, newest first; [] when it holds none."""
    if "<" not in markup:
        return []
    root = html_fragment(markup)
    if root is None:
        return []
    return _strong_list(root, zone) or _small_strong(root, anchor)
