"""Pages as lines of visible text, whether they arrive as HTML or as text a person copied.

Layout parsers work on `Line`s, not on CSS paths, so that a theme change does not break
them and the crawled HTML and a person's copy of the same page parse to the same records.
HTML becomes lines the way a browser shows it: one line per block, a blank line around
blocks set apart by a margin (paragraphs, lists, headings), list items with a bullet,
headings and accordion toggles marked as headings, navigation and footers dropped.
One lxml pass (iterwalk) does it; BeautifulSoup stays off this hot path.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from lxml import etree

from parsers.result import CUT_SHORT
from parsers.scan import first_chars

BULLETS = "•●▪◦·‣∙"
_WS_RE = re.compile(r"\s+")
_BULLET_RE = re.compile(rf"^[{BULLETS}]\s*")
_HEADER_SOURCE_RE = re.compile(r"^#\s*source:\s*(\S+)")
# Pagination and post links: WordPress themes wrap them in arrows and ellipses
# ("Read More »", "« Older Entries", "« Previous Next »", "Continue reading …"). Then what a
# person's copy of a post keeps and HTML drops by class: the breadcrumb ("Home » Service
# Status » INC25195556"), Jetpack's "Share this:", "Like this:" and "Related" headings, and
# the footer's copyright line ("© Crown copyright"; not "(c)", a list item's letter).
_CHROME_RE = re.compile(
    r"^[«‹←<\s]*(?:back to top|skip to (?:main )?content|print this (?:page|post)|"
    r"(?:share this(?: page| post)?|like this):?|share:|(?:older|newer) (?:posts|entries)|"
    r"previous\s+next|(?:previous|next)(?: posts?| entries| page)?|page \d+ of \d+|"
    r"load more|read more|continue reading|related(?: posts| articles)?|"
    r"(?:you are here:?\s*)?home\s*[»›].*|(?:©|copyright\s*(?:©|\d{4})).*)[\s»›→>….]*$",
    re.IGNORECASE,
)
# Under "Share this:" a copy shows the share buttons' names, one a line; under "Previous
# post" / "Next post" the neighbouring post's title. Furniture only there: "Twitter" or a
# notice title elsewhere is the notice's own text.
_SHARE_HEAD_RE = re.compile(r"^(?:share this(?: page| post)?:?|share:|like this:?)$", re.I)
_SHARE_BUTTON_RE = re.compile(
    r"^(?:click to (?:share on \w+|email|print)|share on \w+|tweet|twitter|x|facebook|linkedin|"
    r"e-?mail|print|whatsapp|reddit|pinterest|tumblr|telegram|pocket|mastodon|threads|bluesky|"
    r"more|like|like loading…?|loading…?)(?:\.\.\.)?(?: \(opens in new window\))?$",
    re.I,
)
_NEIGHBOUR_HEAD_RE = re.compile(r"^(?:previous|next) (?:post|article)\s*:?$", re.I)
# The archive's own heading ("Tag: Outage", "Category Archives: Service Status"): page
# furniture that must never become the first notice's title or part of its body.
_ARCHIVE_TITLE_RE = re.compile(
    r"^(?:(?:tag|category|author|monthly|daily|yearly|date) archives|archives|tag|category|"
    r"author|year|month|day):\s+[^.!?]{1,60}$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Line:
    text: str  # whitespace collapsed, bullet removed
    indent: int = 0  # text: leading spaces; HTML: DOM depth
    bullet: bool = False  # a list item's first line
    heading: int = 0  # 0: not a heading; 1-6: h1-h6; 7: accordion toggle / title element
    strong: bool = False  # HTML: the whole line is bold (a title set in <p><strong>)
    post: bool = False  # HTML: the first line of one post (an <article>) on a listing
    post_no: int = -1  # HTML, on a post's first line: which post (`Page.permalink`)

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass(slots=True)
class Page:
    """A page as lines, with what its own text says about itself."""

    lines: list[Line]
    is_html: bool
    header_url: str | None = None  # from a saved text's "# source:" header
    truncated: bool = False  # the saved copy says it was cut short
    warnings: list[str] = field(default_factory=list)
    posts: list[Any] = field(default_factory=list)  # HTML: each post's element, in order

    def permalink(self, line: Line) -> str | None:
        """The address of the post ``line`` starts, asked only where a notice needs it (a
        reference in it): looking costs more than most notices' reading."""
        if not line.post or not 0 <= line.post_no < len(self.posts):
            return None
        return _permalink(self.posts[line.post_no])


# Lines are never changed once read: one blank line serves every gap (half a page's lines,
# each a Python-level __init__ call otherwise).
_BLANK = Line("")


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces (NBSP and zero-width space included)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        # Most lines: nothing to do, and a check in C is cheaper than splitting them into
        # words. Every whitespace character but the space is unprintable, as are U+200B
        # and U+FEFF.
        return text
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())


# The letters those two can start with: every line is asked, and most fail on this.
_CHROME_FIRST = frozenset(first_chars("bsponlrcdtamyh", ignorecase=True))


_BREADCRUMB_RE = re.compile(r"^(?:you are here:?\s*)?home\s*[»›]", re.I)


def is_breadcrumb(text: str) -> bool:
    """A breadcrumb trail ("Home » Service Status » INC25195556"): it ends the site's
    header, so nothing above it is the post's title."""
    return text[:1] in "HhYy" and _BREADCRUMB_RE.match(text) is not None


def is_chrome(text: str) -> bool:
    """Site furniture that is never part of a notice ("back to top", pagination, the
    archive's own heading)."""
    if len(text) > 80 or (text[:1].isalnum() and text[0] not in _CHROME_FIRST):
        return False
    return bool(_CHROME_RE.match(text) or (":" in text and _ARCHIVE_TITLE_RE.match(text)))


# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decoded(content: bytes | str) -> tuple[str, str | None]:
    """Bytes to text, and the encoding read (None: it came as text): the byte-order mark's
    encoding (UTF-8/16/32), else UTF-8, else Windows-1252, never an exception."""
    if isinstance(content, str):
        return content, None
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace"), encoding
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), "cp1252"


# The warning for an HTML document that ends before its closing tags. A page whose transfer
# filled its Content-Length came whole, as its server wrote it: the archive does not hold
# such a one cut short (`archive.ingest`); one with no length to tell may have been.
ENDS_EARLY = f"{CUT_SHORT}the HTML document ends before </body> and </html>"


# What may come before a document's doctype: a byte-order mark, an XML declaration, comments.
_LEADING_RE = re.compile(r"^(?:[\ufeff\s]+|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)
_CLOSE_RE = re.compile(r"</(?:html|body)\b", re.IGNORECASE)


def _cut_short(text: str) -> bool:
    """A whole HTML document (it opens with a doctype or <html>) that never closes its body
    or itself: a transfer or a capture that stopped part way."""
    head = _LEADING_RE.sub("", text[:4096], 1)[:64].lower()
    if not head.startswith(("<!doctype html", "<html")):
        return False  # a fragment: nothing says where it should end
    tail = text[-4096:]
    if "</html" in tail or "</body" in tail or "</HTML" in tail or "</BODY" in tail:
        return False  # a whole page: the closing tags are at its end (asked in C, as is)
    return _CLOSE_RE.search(text) is None


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or bool(
        re.search(r"<(body|div|article|p|ul|h[1-6])[\s>]", head)
    )


def text_lines(text: str) -> Page:
    """A person's copy of a page. Understands the archive's '# source:' header."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    page = Page(lines=[], is_html=False)
    if raw_lines and raw_lines[0].startswith("# source:"):
        m = _HEADER_SOURCE_RE.match(raw_lines[0])
        page.header_url = m.group(1) if m else None
        for i, line in enumerate(raw_lines[:6]):
            if "cut short" in line.lower():
                page.truncated = True
                page.warnings.append(f"{CUT_SHORT}the saved copy says so")
            if line.strip() == "# ---":
                raw_lines = raw_lines[i + 1 :]
                break
    lines = page.lines
    for raw in raw_lines:
        expanded = raw.expandtabs(4).replace("\x00", "")
        stripped = expanded.lstrip()
        indent = len(expanded) - len(stripped)
        bullet = bool(stripped) and stripped[0] in BULLETS
        if bullet:
            stripped = _BULLET_RE.sub("", stripped)
        lines.append(Line(collapse(stripped), indent, bullet))
    _drop_copied_furniture(lines)
    return page


def _drop_copied_furniture(lines: list[Line]) -> None:
    """Drop, in place, the lines a copy shows under furniture headings that are furniture
    only there: share buttons under "Share this:", the neighbouring post's title under
    "Previous post" / "Next post". (HTML drops them with their elements, by class.)"""
    drop: list[int] = []
    for i, line in enumerate(lines):
        text = line.text
        # most lines: not one of the few short headings, which start with s, l, p or n
        if len(text) > 20 or text[:1] not in "SsLlPpNn":
            continue
        if _SHARE_HEAD_RE.match(text):
            j = i + 1
            while j < len(lines) and (lines[j].blank or _SHARE_BUTTON_RE.match(lines[j].text)):
                if not lines[j].blank:
                    drop.append(j)
                j += 1
        elif _NEIGHBOUR_HEAD_RE.match(text):
            j = i + 1
            while j < len(lines) and lines[j].blank:
                j += 1
            if j < len(lines) and not _NEIGHBOUR_HEAD_RE.match(lines[j].text):
                drop.append(j)
    for i in reversed(drop):
        del lines[i]


# --- HTML --------------------------------------------------------------------------------
# The tree is marked in place (line breaks in block elements' text and tails, private-use
# markers on headings, list items and all-bold lines), then lxml serialises it to text in C.
# XPath picks the elements, so Python touches only the few it must change: this is what
# keeps page parsing within a few times a bare lxml parse.

_DROP_TAGS = "script style noscript template svg iframe nav footer aside form select".split()
_DROP_ROLES = "navigation banner contentinfo complementary search".split()
# Whole class/id tokens only: a part such as "share" would also hit the notice itself
# (`<article class="… tag-sharepoint-online">`, `tag-social-engineering`).
_DROP_TOKENS = (
    "sidebar widget-area widget site-header site-footer main-navigation nav-menu menu "
    "breadcrumb breadcrumbs skip-link screen-reader-text comments-area post-navigation "
    "navigation nav-links pagination back-to-top "
    "cookie-notice cookie-banner cookie-consent cookie-bar cookie-law-info-bar cookies-notice "
    "cookie-notice-container cmplz-cookiebanner share-buttons share-links sharing "
    "sharing-buttons sharedaddy social-links social-share social-icons social-media "
    "social-navigation addtoany_share_save_container a2a_kit jp-relatedposts "
    # comments, other posts' lists, more consent banners and paginations
    "comment-list comment-respond wp-block-comments wp-block-post-comments "
    "wp-block-latest-posts widget_recent_entries related-posts cky-consent-container "
    "oceanwp-pagination"
).split()
_BLOCK_TAGS = (
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr table thead tbody blockquote pre section "
    "article header main summary details figure figcaption address hr time button body center"
).split()
_BLOCK_SET = frozenset(_BLOCK_TAGS)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_TOGGLE_TAGS = ("summary", "button", "dt")  # accordion toggles: headings of level 7
_TITLE_PARTS = ("title", "toggle", "accordion-heading", "panel-heading")
_DATE_PARTS = ("date", "posted-on", "published", "entry-meta")
# Blocks a browser sets apart with a margin: a person's copy shows a blank line around them.
_GAP_TAGS = (
    "p ul ol dl h1 h2 h3 h4 h5 h6 table blockquote pre figure hr address article section "
    "header details"
).split()
_GAP_SET = frozenset(_GAP_TAGS)
_HEAD, _BULLET, _STRONG = "\ue000", "\ue001", "\ue002"  # private use: never in real pages
_GAP = "\ue003"  # a blank line
_POST = "\ue004"  # the start of one post: its text is its own notice's, never the one above
_LINK = "\ue005"  # around a post's own address, after its _POST


_DROP_SET = frozenset(_DROP_TOKENS)  # a set, not a regex: 40 alternatives cost 5x more
_TITLE_CLASS_RE = re.compile("|".join(_TITLE_PARTS), re.IGNORECASE)
_DATE_CLASS_RE = re.compile("|".join(_DATE_PARTS), re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")  # XML forbids them
# The same characters written as references (`&#8`, `&#x1f;`): lxml decodes them into the
# tree, where setting a text or tail that holds one raises ValueError. Cheaper to replace the
# few references in the source than to check every text node.
_CONTROL_REF_RE = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])(?!\d)|[xX]0*(?:[0-8bBcCeEfF]|1[\da-fA-F])(?![\da-fA-F]));?"
)
# lxml refuses a str that declares its encoding; the text is decoded already.
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_CLASS_VALUES = etree.XPath(".//@class")  # attribute values know their element: cheap
_ID_VALUES = etree.XPath(".//@id")
# aria-hidden is not furniture: collapsed accordion panels carry aria-hidden="true".
_ROLE_VALUES = etree.XPath(".//@role")
# Elementor's theme-builder header and footer templates (site chrome, not a notice). The
# attribute's values, not an element predicate: that would be tested on every element.
_ELEMENTOR_VALUES = etree.XPath(".//@data-elementor-type")
_CONTENT_XPATHS = [etree.XPath(x) for x in ("//main", "//*[@role='main']", "//*[@id='content']")]
_CONTENT_TAGS = frozenset(("article", "main", "section"))


def _content_root(root: etree._Element) -> etree._Element:
    for xpath in _CONTENT_XPATHS:
        found = xpath(root)
        if found:
            return found[0]
    body = root.find("body")
    return body if body is not None else root


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


def _marks(marker: str, gap: bool) -> tuple[str, str]:
    """What goes before a block's text and after it: line breaks, a blank line around a
    block set apart by a margin, and the marker."""
    return (f"\n{_GAP}\n{marker}", f"\n{_GAP}\n") if gap else (f"\n{marker}", "\n")


_BLOCK_MARKS = {tag: _marks(_BULLET if tag == "li" else "", tag in _GAP_SET) for tag in _BLOCK_TAGS}


def _mark(el: etree._Element, marker: str, gap: bool = False) -> None:
    before, after = _marks(marker, gap)
    el.text = f"{before}{el.text}" if el.text else before
    el.tail = f"{after}{el.tail}" if el.tail else after


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _dropped(value: str) -> bool:
    return not _DROP_SET.isdisjoint(value.lower().split())


# What a class value says of its element, as bits: furniture, a title, a date line, the
# notice text itself (kept, with what holds it), one post (WordPress's post_class()).
_DROP_BIT, _TITLE_BIT, _DATE_BIT, _CONTENT_BIT, _POST_BIT, _UPDATED_BIT = 1, 2, 4, 8, 16, 32
# post_class() tokens a theme puts on each post's element, <article> or not (Elementor's
# `<div class="elementor-post … post-40187 type-post …">`).
_POST_TOKENS = frozenset(("hentry", "type-post"))


def _has_part(value: str, lowered: str, parts: tuple[str, ...], pattern: re.Pattern[str]) -> bool:
    """``pattern`` (``parts`` as a case-insensitive alternation) found in ``value``. An ASCII
    value is searched with plain substring tests on its lower case: the regex tries every
    position of a long value (``post-123 type-post … tag-outage``), one per article."""
    if value.isascii():  # no character IGNORECASE would fold onto an ASCII letter
        return any(part in lowered for part in parts)
    return pattern.search(value) is not None


def _class_kind(value: str) -> int:
    lowered = value.lower()
    kind = _DROP_BIT if _dropped(value) else 0  # judged as id values are
    if _has_part(value, lowered, _TITLE_PARTS, _TITLE_CLASS_RE):
        kind |= _TITLE_BIT
    elif _has_part(value, lowered, _DATE_PARTS, _DATE_CLASS_RE):
        kind |= _DATE_BIT
    if "entry-content" in value and "entry-content" in value.split():
        kind |= _CONTENT_BIT
    if ("hentry" in lowered or "type-post" in lowered) and not _POST_TOKENS.isdisjoint(
        lowered.split()
    ):
        kind |= _POST_BIT
    if "updated" in lowered and "published" not in lowered and "updated" in lowered.split():
        kind |= _UPDATED_BIT
    return kind


@dataclass(slots=True)
class _Found:
    """What one look at the tree's attribute values found."""

    furniture: list[etree._Element] = field(default_factory=list)  # to drop
    titles: list[etree._Element] = field(default_factory=list)  # title-like class
    dated: list[etree._Element] = field(default_factory=list)  # date-like class
    contents: list[etree._Element] = field(default_factory=list)  # entry-content
    posts: list[etree._Element] = field(default_factory=list)  # post_class() elements
    updated: list[etree._Element] = field(default_factory=list)  # class "updated"


# Class values judged, kept across pages: a crawl or reparse reads one theme's few hundred
# values on every page. A pure function of the value; bounded, for the values that name one
# post each ("post-40187 type-post … tag-outage").
_CLASS_KINDS: dict[str, int] = {}
_MEMO_MAX = 20_000


def _classes(root: etree._Element, found: _Found) -> None:
    """Sort elements by their class values. A listing repeats its theme's few hundred
    values thousands of times: each distinct value is judged once (`_CLASS_KINDS`), and
    the values are read once, before furniture is dropped (a title or date found inside
    furniture is marked in the dropped subtree, where it shows nowhere)."""
    memo = _CLASS_KINDS
    if len(memo) > _MEMO_MAX:
        memo.clear()
    for value in _CLASS_VALUES(root):
        kind = memo.get(value)
        if kind is None:
            # keyed by a plain str: lxml's string result holds its element, and so the tree
            kind = memo[str(value)] = _class_kind(value)
        if kind:
            el = value.getparent()
            if kind & _DROP_BIT:
                found.furniture.append(el)
            if kind & _TITLE_BIT:
                found.titles.append(el)
            elif kind & _DATE_BIT:
                found.dated.append(el)
            if kind & _CONTENT_BIT:
                found.contents.append(el)
            if kind & _POST_BIT:
                found.posts.append(el)
            if kind & _UPDATED_BIT:
                found.updated.append(el)


def _beside_published(el: etree._Element) -> bool:
    """Is a published date beside ``el`` (in the same parent)?"""
    parent = el.getparent()
    return parent is not None and any(
        other is not el and "published" in (other.get("class") or "") for other in parent.iter()
    )


def _furniture(root: etree._Element) -> _Found:
    """Navigation, footers, sidebars, scripts, cookie banners: never notice text. Titles
    and date lines named by their class come with them (one read of the class values)."""
    found = _Found(furniture=list(root.iter(*_DROP_TAGS)))
    _classes(root, found)
    furniture = found.furniture
    # A post's modified time beside its published one (<time class="updated">, which themes
    # hide with CSS): read as a second date line, it split the notice in two. Only beside
    # a published one: alone, it is the post's only date. A "Last updated: …" line says what
    # it is, and stays.
    furniture += [
        el
        for el in found.updated
        if el.tag in ("time", "abbr", "span")
        and "".join(el.itertext()).strip()[:1].isdigit()
        and _beside_published(el)
    ]
    memo: dict[str, bool] = {}
    for value in _ID_VALUES(root):
        hit = memo.get(value)
        if hit is None:
            hit = memo[value] = _dropped(value)
        if hit:
            furniture.append(value.getparent())
    furniture += [v.getparent() for v in _ROLE_VALUES(root) if v in _DROP_ROLES]
    furniture += [v.getparent() for v in _ELEMENTOR_VALUES(root) if v in ("header", "footer")]
    for header in root.iter("header"):  # a site header, unless it heads an article
        if not any(
            a.tag in _CONTENT_TAGS or a.get("role") == "main" for a in header.iterancestors()
        ):
            furniture.append(header)
    if not furniture:
        return found
    # Never dropped, nor anything holding them: the notice text itself (a comment is an
    # <article> too, in some themes: not the notice's).
    articles = [a for a in root.iter("article") if "comment" not in (a.get("class") or "")]
    contents = [*articles, *root.iter("main"), *found.contents]
    keep: set[etree._Element] = set()
    for content in contents:
        for el in chain((content,), content.iterancestors()):
            if el in keep:
                break  # the rest of the way up is marked already
            keep.add(el)
    found.furniture = [el for el in furniture if el not in keep]
    return found


_POST_ID_RE = re.compile(r"(?<![\w-])post-(\d+)(?![\w-])")
_OWN_POST_ID_RE = re.compile(r"(?<![\w-])postid-(\d+)(?![\w-])")


def _other_posts(doc: etree._Element, posts: list[etree._Element]) -> list[etree._Element]:
    """On a single post's page (WordPress writes ``postid-53067`` on its <body>), the other
    posts a theme lists under it ("More posts", related posts): never this notice's text."""
    body = doc.find("body")
    own = _OWN_POST_ID_RE.search(body.get("class") or "") if body is not None else None
    if own is None:
        return []
    others = []
    for post in posts:
        m = _POST_ID_RE.search(post.get("class") or "")
        if m is not None and m.group(1) != own.group(1):
            others.append(post)
    return others


def _dates_up_to_titles(found: _Found) -> None:
    """A post's date printed after its text, in its own footer (Twenty Twenty-One:
    "Published <time>", which goes with the footer's furniture) or last in the post (Twenty
    Twenty-Two's query loop): moved up under the post's title, where a reader of any other
    theme finds it, and the listing's reading (title, date, text) holds. Only for a post
    with no date before its text, and never a modified date ("Last modified …"). One walk
    up from each date: a listing has hundreds."""
    footers = {el for el in found.furniture if el.tag == "footer"}
    posts, dated = set(found.posts), set(found.dated)
    by_post: dict[etree._Element, list[tuple[etree._Element, bool]]] = {}
    for date in found.dated:
        footer = post = None
        outermost = True
        for above in date.iterancestors():
            if above in dated:
                outermost = False
            elif footer is None and above in footers:
                footer = above
            elif above.tag == "article" or above in posts:
                post = above
                break
        if post is not None and outermost:
            by_post.setdefault(post, []).append((date, footer is not None))
    movers: list[tuple[etree._Element, list[etree._Element]]] = []
    for post, dates in by_post.items():
        if any(not in_footer and _text_after(date, post) for date, in_footer in dates):
            continue  # dated before its text, as most themes do: nothing to move
        moving = [date for date, _ in dates if not _modified(date)]
        if all(_stamp_sized(date) for date in moving):  # else a block a date class names
            movers.append((post, moving))
    if not movers:
        return  # most pages: the titles need not be looked up
    titles: dict[etree._Element, etree._Element] = {}
    for title in found.titles:
        post = next((a for a in title.iterancestors() if a.tag == "article" or a in posts), None)
        if post is not None:
            titles.setdefault(post, title)
    for post, moving in movers:
        # under its title; a heading the theme gave no title class is the title too
        title = titles.get(post)
        if title is None:
            title = next(post.iter(*_HEADINGS), None)
        for date in reversed(moving):
            if title is not None and any(a is date for a in title.iterancestors()):
                continue  # never a block holding the title itself
            date.tail = None
            if title is not None:
                title.addnext(date)
            else:
                post.insert(0, date)


def _stamp_sized(el: etree._Element) -> bool:
    """A date element, not a block a class merely names ("ast-no-date-box" wraps a whole
    post): no heading in it, and a line's worth of text."""
    return next(el.iter(*_HEADINGS), None) is None and len("".join(el.itertext()).strip()) <= 100


def _text_after(el: etree._Element, post: etree._Element) -> bool:
    """Is there text after ``el`` inside ``post`` (its tail, its following siblings', and
    theirs of each element up to the post)?"""
    node = el
    while node is not post:
        if node.tail and not node.tail.isspace():
            return True
        for sibling in node.itersiblings():
            if any(t.strip() for t in sibling.itertext()) or (
                sibling.tail and not sibling.tail.isspace()
            ):
                return True
        parent = node.getparent()
        if parent is None:
            return False
        node = parent
    return False


def _modified(el: etree._Element) -> bool:
    """A modified date ("updated", "modified-date"), not when the post was published."""
    value = (el.get("class") or "").lower()
    text = "".join(el.itertext()).lower()
    return "published" not in value and (
        "updated" in value or "modified" in value or "modified" in text or "updated" in text
    )


def html_lines(text: str, *, controls: bool = True) -> Page:
    """HTML as the lines a browser would show. ``controls=False``: the caller knows the
    text holds no control characters (a pass over the whole text spared)."""
    page = Page(lines=[], is_html=True)
    try:
        text = _XML_DECL_RE.sub("", text, 1)
        if controls:
            text = _CONTROL_RE.sub("", text)
        if "&#" in text:
            text = _CONTROL_REF_RE.sub(" ", text)
        # plain etree elements: lxml.html's element classes cost a Python call per node
        doc = etree.fromstring(text, _HTML_PARSER)
        if doc is None:
            raise ValueError("no elements")
    except (etree.ParserError, ValueError) as exc:
        page.warnings.append(f"unreadable HTML: {exc}")
        return page
    root = _content_root(doc)
    found = _furniture(root)
    found.furniture += _other_posts(doc, found.posts)
    if found.dated:
        _dates_up_to_titles(found)
    for el in found.furniture:
        if el is not root and el.getparent() is not None:
            _drop(el)
    headings: dict[etree._Element, int] = {
        el: _HEADINGS.get(el.tag, 7) for el in root.iter(*_HEADINGS, *_TOGGLE_TAGS)
    }
    for el in found.titles:
        headings.setdefault(el, 7)
    for strong in root.iter("strong", "b"):  # a block set wholly in bold: an inline title
        parent = strong.getparent()
        # the only child: asked of its siblings, since len(parent) walks every child, and
        # a block of 100,000 bold words made that quadratic (minutes for a 1 MB page)
        alone = strong.getprevious() is None and strong.getnext() is None
        if parent is not None and parent.tag in ("p", "div", "li") and alone:
            whole = collapse("".join(parent.itertext()))
            if whole and whole == collapse("".join(strong.itertext())):
                parent.text = _STRONG + (parent.text or "")
    for el in root.iter(*_BLOCK_TAGS):  # the most elements of all: _mark inlined
        if el in headings:
            continue
        before, after = _BLOCK_MARKS[el.tag]
        text, tail = el.text, el.tail
        el.text = before + text if text else before
        el.tail = after + tail if tail else after
    for el in found.dated:
        if el not in headings and el.tag not in _BLOCK_SET:
            _mark(el, "")
    for el, level in headings.items():
        _mark(el, f"{_HEAD}{level},{_depth(el)}{_HEAD}", el.tag in _GAP_SET)
    for el in root.iter("br"):
        el.tail = f"\n{el.tail}" if el.tail else "\n"
    _table_cells(root)
    # Each post's first line is marked, so that a listing never takes one post's last line
    # (its excerpt) for the title of the untitled post below it. On a line of its own,
    # ahead of the post's own marks: it carries over to the post's first text.
    page.posts = list(dict.fromkeys((*root.iter("article"), *found.posts)))
    for n, el in enumerate(page.posts):
        mark = f"{_POST}{_LINK}{n}{_LINK}"
        el.text = f"\n{mark}{el.text}" if el.text else f"\n{mark}"
    marked = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    _read_marked(marked, page.lines)
    return page


def _permalink(post: etree._Element) -> str | None:
    """A listed post's own address: its title's link, else its bookmark link (an untitled
    post's date). Never a link of a post nested in it (a theme that leaves an <article>
    open, a related-posts block): that is another notice's. A few candidates are asked, so
    that deep or nested markup costs no more than a plain post."""
    titles = (h for h in post.iter(*_HEADINGS) if _is_title(h))
    for found in (_first_own(post, titles), _first_own(post, _bookmarks(post))):
        if found is None:
            continue
        for a in (found,) if found.tag == "a" else found.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith("#") and not any(c in href for c in _MARKS):
                return href
    return None


_MARKS = "\n\ue000\ue001\ue002\ue003\ue004\ue005"


def _is_title(heading: etree._Element) -> bool:
    """The post's title heading ("entry-title", "wp-block-post-title", in its <header>),
    not a heading inside its text, which may link to another notice."""
    parent = heading.getparent()
    return "title" in (heading.get("class") or "") or (
        parent is not None and parent.tag == "header"
    )


def _bookmarks(post: etree._Element) -> Iterator[etree._Element]:
    return (a for a in post.iter("a") if "bookmark" in (a.get("rel") or ""))


def _first_own(
    post: etree._Element, candidates: Iterator[etree._Element], tries: int = 8
) -> etree._Element | None:
    """The first of ``candidates`` that belongs to ``post`` itself, not to a post inside it."""
    for _, el in zip(range(tries), candidates, strict=False):
        node = el.getparent()
        while node is not None and node is not post:
            value = node.get("class")
            if node.tag == "article" or (value and ("hentry" in value or "type-post" in value)):
                break  # a post inside this one
            node = node.getparent()
        else:
            return el
    return None


def _table_cells(root: etree._Element) -> None:
    """Cells of a row apart, as a browser shows them: a row of a short name and a value
    ("NHSmail Reference" | "INC28274499", the value a <td>) reads as "NHSmail Reference:
    INC28274499"; any other row's cells, a header row's among them, with a space between
    (glued, the text said "ReferenceINC28274499")."""
    for row in root.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if len(cells) < 2:
            continue
        name = collapse("".join(cells[0].itertext()))
        pair = (
            len(cells) == 2
            and cells[1].tag == "td"
            and 0 < len(name) <= 40
            and not name.endswith((":", "."))
        )
        for i, cell in enumerate(cells[:-1]):
            gap = ": " if pair and i == 0 else " "
            cell.tail = gap + cell.tail if cell.tail else gap


def _read_marked(marked: str, lines: list[Line]) -> None:
    """Marked text back to Lines; a marker alone on a line carries over to the next text.

    Gaps become one blank Line between text lines, as in a person's copy, so that what
    runs on inside a block (a detail's second line) stops where the block ends.
    """
    bullet, heading, depth, gap, post, post_no = False, 0, 0, False, False, -1
    for raw in marked.split("\n"):
        # The two commonest lines first: a gap marker alone (every block set apart has
        # two) and an empty line; both change nothing but ``gap``.
        if raw == _GAP:
            gap = True
            continue
        if not raw:
            continue
        if raw.isascii():  # no marker (they are private-use characters): most lines
            text = " ".join(raw.split())
            if not text:
                continue
            strong = False
        else:
            if _POST in raw:
                post = True  # (a post with no text of its own: the next post's mark wins)
                raw = raw.replace(_POST, "")
                while _LINK in raw:
                    before, _, rest = raw.partition(_LINK)
                    number, _, after = rest.partition(_LINK)
                    post_no = int(number) if number.isdigit() else -1
                    raw = before + after
            if not raw or raw.isspace():
                continue
            if _GAP in raw:
                gap = True
                raw = raw.replace(_GAP, "")
                if not raw or raw.isspace():
                    continue
            while _HEAD in raw:  # nested headings: the outermost one names the line
                before, _, rest = raw.partition(_HEAD)
                mark, _, after = rest.partition(_HEAD)
                raw = before + after
                if not heading:
                    level, _, at = mark.partition(",")
                    heading, depth = int(level), int(at)
            if _BULLET in raw:
                bullet = True
                raw = raw.replace(_BULLET, "")
            strong = _STRONG in raw
            if strong:
                raw = raw.replace(_STRONG, "")
            text = collapse(raw)
            if not text:
                continue
            if bullet:
                text = _BULLET_RE.sub("", text)
        if gap and lines and lines[-1].text:
            lines.append(_BLANK)
        lines.append(Line(text, depth if heading else 0, bullet, heading, strong, post, post_no))
        bullet, heading, depth, gap, post, post_no = False, 0, 0, False, False, -1


_ODD_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # controls but \t \n \f \r; U+FFFD


def _binary_share(text: str) -> float:
    """Share of control and undecodable characters in the first 4 KB."""
    head = text[:4096]
    return len(_ODD_RE.findall(head)) / max(len(head), 1)


# UTF-8 that was read as Windows-1252 and saved again: "â€“" for "–", "Ã©" for "é". A lead
# character, then as many continuation characters (bytes 0x80-0xBF as cp1252 or Latin-1
# shows them) as its byte announces.
_CONT = "[{}]".format(
    re.escape(bytes(range(0x80, 0xC0)).decode("latin-1") + bytes(range(0x80, 0xA0)).decode(
        "cp1252", errors="ignore"))
)  # fmt: skip
_MOJIBAKE_RE = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}"
)


def _cp1252_byte(char: str) -> bytes:
    return bytes([ord(char)]) if ord(char) < 256 else char.encode("cp1252")


def _unmojibake(text: str) -> tuple[str, str | None]:
    """Text with its mojibake put back (only sequences that are valid UTF-8 once re-encoded),
    and the first repair as "was -> now" for the page's warning."""
    first: list[str] = []

    def fix(m: re.Match[str]) -> str:
        try:
            fixed = b"".join(_cp1252_byte(c) for c in m.group()).decode("utf-8")
        except UnicodeDecodeError:
            return m.group()
        if not first:
            first.append(f"{m.group()!r} -> {fixed!r}")
        return fixed

    return _MOJIBAKE_RE.sub(fix, text), (first[0] if first else None)


# C0 controls but tab, newline and carriage return: XML forbids them, lxml refuses them.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def page_lines(content: bytes | str) -> Page:
    """Bytes or text, HTML or a person's copy, to a Page of lines."""
    text, encoding = _decoded(content)
    # Two passes over the whole text, each several times a C-level look at the bytes, are
    # skipped when the bytes rule them out: UTF-8 and Windows-1252 keep control characters
    # as the same bytes, and UTF-8 spells every lead character of mojibake (Â..ô) with 0xC3.
    byte_level = isinstance(content, bytes) and encoding in ("utf-8", "cp1252")
    controls = not byte_level or len(content.translate(None, _CONTROL_BYTES)) != len(content)
    if byte_level and encoding == "utf-8" and b"\xc3" not in content:
        repaired = None
    else:
        text, repaired = _unmojibake(text)
    kind = _read_as(text)
    if kind == "empty":
        return Page(lines=[], is_html=False, warnings=["empty page"])
    if kind == "binary":
        share = f"{_binary_share(text):.0%}"
        return Page(lines=[], is_html=False, warnings=[f"not text: {share} control bytes"])
    if kind == "html":
        page = html_lines(text, controls=controls)
        if _cut_short(text):
            page.truncated = True
            page.warnings.append(ENDS_EARLY)
    else:
        page = text_lines(text)
    if not any(line.text for line in page.lines):
        page.warnings.append("empty page: no visible text")
    if repaired:
        page.warnings.append(f"mojibake repaired (UTF-8 read as Windows-1252): {repaired}")
    return page


def html_encoding(content: bytes) -> str | None:
    """The encoding `page_lines` reads ``content`` in when it reads it as HTML; None when it
    reads it otherwise (a person's copy, JSON, an empty or binary body). A crawler reads a
    page's links in it, so that it follows the links of the page the parser read, whatever
    the page's Content-Type or <meta> charset claims."""
    text, encoding = _decoded(content)
    return encoding if _read_as(text) == "html" else None


def _read_as(text: str) -> str:
    """How `page_lines` reads decoded text: "empty", "binary", "html" or "text"."""
    if not text.strip().lstrip("\ufeff"):
        return "empty"
    if _binary_share(text) > 0.1:
        return "binary"
    return "html" if looks_like_html(text) else "text"
