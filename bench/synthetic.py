"""Synthetic NHSmail pages for benchmarks: many notices in the real shapes and quirks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

_SERVICES = ["Portal", "Relay", "Outlook Web Access", "Mobile Access", "Teams", "Helpdesk"]
_STATES = ["RESOLVED", "NEW", "ONGOING", "RESTORED", "COMPLETED"]


def _stamp(rng: random.Random, when: datetime) -> str:
    sep = rng.choice("/-")
    hour = when.hour if rng.random() < 0.3 else (when.hour % 12 or 12)
    ampm = "PM" if when.hour >= 12 else "AM"
    label = rng.choice(["", "", " (BST)", " (GMT)"])
    return f"{when:%d}{sep}{when:%m}{sep}{when:%Y} {hour:02d}:{when:%M}:{when:%S} {ampm}{label}"


def listing_html(n: int, seed: int = 1) -> bytes:
    """A WordPress listing page of ``n`` notices, some untitled, not in date order."""
    rng = random.Random(seed)
    start = datetime(2020, 1, 1)
    parts = [
        "<!doctype html><html><head><title>Service status</title><script>var x=1;</script>"
        "<style>.a{}</style></head><body><header class='site-header'><nav><ul>"
        "<li><a href='/'>Home</a></li><li><a href='/help'>Help</a></li></ul></nav></header>"
        "<main id='main'>"
    ]
    for i in range(n):
        when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 5))
        service = rng.choice(_SERVICES)
        state = rng.choice(_STATES)
        parts.append("<article class='post'><header class='entry-header'>")
        if rng.random() > 0.15:
            parts.append(
                f"<h2 class='entry-title'><a href='/p/{i}'>INC{40000000 + i}– {service} issue"
                f" – {state}</a></h2>"
            )
        parts.append(f"</header><div class='entry-meta'><p>{_stamp(rng, when)}</p></div>")
        parts.append(
            "<div class='entry-content'>"
            f"<p>{state} – The NHSmail team are aware of an issue affecting {service} users. "
            f"This outage lasted approximately {rng.randrange(5, 240)} minutes between "
            f"{when:%H}:{when:%M} and {(when + timedelta(minutes=30)):%H:%M}.</p>"
            f"<p>Issue Status: {state}</p>"
            f"<p>Final Update: {_stamp(rng, when + timedelta(hours=2))} – Service restored.</p>"
            "<ul><li>Users may need to sign in again.</li><li>No data was lost.</li></ul>"
            "</div></article>"
        )
    parts.append("</main><footer class='site-footer'><p>© NHS</p></footer></body></html>")
    return "".join(parts).encode()


def stamps(n: int, seed: int = 2) -> list[str]:
    """``n`` timestamps in the known numeric shapes."""
    rng = random.Random(seed)
    start = datetime(2017, 1, 1)
    return [
        _stamp(rng, start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 9)))
        for _ in range(n)
    ]
