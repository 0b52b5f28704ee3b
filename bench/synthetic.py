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


_HEAD = (
    "<!doctype html><html lang='en-GB'><head><meta charset='UTF-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>Service Status Archives - NHSmail Support</title>"
    + "".join(
        f"<link rel='stylesheet' id='style-{i}-css' href='/wp-content/themes/support/css/{i}.css"
        f"?ver=6.4.{i}' media='all'>"
        for i in range(12)
    )
    + "<script id='wp-emoji'>window._wpemojiSettings={'baseUrl':'https://s.w.org/images/core/"
    "emoji/14.0.0/72x72/','ext':'.png','source':{'concatemoji':'/wp-includes/js/wp-emoji.js'}};"
    + "var x=1;" * 200
    + "</script><style id='global-styles-inline-css'>"
    + "body{--wp--preset--color--black:#000;}" * 60
    + "</style></head>"
)
_CHROME_TOP = (
    "<body class='archive category category-service-status wp-embed-responsive'>"
    "<a class='skip-link screen-reader-text' href='#content'>Skip to content</a>"
    "<header id='masthead' class='site-header'><div class='site-branding'><p class='site-title'>"
    "<a href='/'>NHSmail Support</a></p></div><nav id='site-navigation' class='main-navigation'>"
    "<ul id='primary-menu' class='menu'>"
    + "".join(
        f"<li class='menu-item menu-item-type-post_type menu-item-{i}'><a href='/m{i}/'>Item {i}"
        "</a></li>"
        for i in range(15)
    )
    + "</ul></nav></header><div id='content' class='site-content'><main id='main' "
    "class='site-main'><header class='page-header'><h1 class='page-title'>Category: "
    "<span>Service Status</span></h1></header>"
)
_CHROME_BOTTOM = (
    "<nav class='navigation posts-navigation'><div class='nav-links'><div class='nav-previous'>"
    "<a href='/category/service-status/page/2/'>Older posts</a></div></div></nav></main>"
    "<aside id='secondary' class='widget-area'><section class='widget widget_recent_entries'>"
    "<h2 class='widget-title'>Recent Posts</h2><ul>"
    + "".join(f"<li><a href='/r{i}/'>Recent post {i}</a></li>" for i in range(10))
    + "</ul></section></aside></div><footer id='colophon' class='site-footer'>"
    "<div class='site-info'>© NHS England</div></footer>"
    "<script src='/wp-includes/js/jquery/jquery.min.js?ver=3.7.1' id='jquery-core-js'></script>"
    "</body></html>"
)


def listing_html(n: int, seed: int = 1) -> bytes:
    """A WordPress category listing of ``n`` notices in a typical theme's markup (head,
    menus, bylines, categories, share links, sidebar), some untitled, not in date order."""
    rng = random.Random(seed)
    start = datetime(2020, 1, 1)
    parts = [_HEAD, _CHROME_TOP]
    for i in range(n):
        when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 5))
        service = rng.choice(_SERVICES)
        state = rng.choice(_STATES)
        post = 50000 + i
        parts.append(
            f"<article id='post-{post}' class='post-{post} post type-post status-publish "
            "format-standard hentry category-service-status tag-outage'>"
            "<header class='entry-header'>"
        )
        if rng.random() > 0.15:
            parts.append(
                f"<h2 class='entry-title'><a href='/{when:%Y/%m}/inc{40000000 + i}/' "
                f"rel='bookmark'>INC{40000000 + i}– {service} issue – {state}</a></h2>"
            )
        parts.append(
            "<div class='entry-meta'><span class='byline'> by <span class='author vcard'>"
            "<a class='url fn n' href='/author/nhsmail/'>NHSmail</a></span></span></div>"
            f"</header><div class='entry-content'><p>{_stamp(rng, when)}</p>"
            f"<p>{state} – The NHSmail team are aware of an issue affecting {service} users. "
            "Users may find that the service is slow to respond or returns an error, and "
            "some actions may need to be repeated once the service is available again. "
            f"This outage lasted approximately {rng.randrange(5, 240)} minutes between "
            f"{when:%H}:{when:%M} and {(when + timedelta(minutes=30)):%H:%M}.</p>"
            f"<p>Issue Status: {state}</p>"
            f"<p>Final Update: {_stamp(rng, when + timedelta(hours=2))} – Service restored. "
            "We apologise for any inconvenience caused and thank you for your patience.</p>"
            "<ul><li>Users may need to sign in again.</li><li>No data was lost.</li></ul>"
            "<p>To report any issues, please contact the helpdesk.</p></div>"
            "<footer class='entry-footer'><span class='cat-links'>Posted in <a href='/category/"
            "service-status/' rel='category tag'>Service Status</a></span><span class="
            "'tags-links'>Tagged <a href='/tag/outage/' rel='tag'>outage</a></span>"
            "<div class='sharedaddy sd-sharing-enabled'><ul><li class='share-twitter'><a href="
            "'#'>Share on X</a></li><li class='share-email'><a href='#'>Email</a></li></ul>"
            "</div></footer></article>"
        )
    parts.append(_CHROME_BOTTOM)
    return "".join(parts).encode()


def stamps(n: int, seed: int = 2) -> list[str]:
    """``n`` timestamps in the known numeric shapes."""
    rng = random.Random(seed)
    start = datetime(2017, 1, 1)
    return [
        _stamp(rng, start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 9)))
        for _ in range(n)
    ]
