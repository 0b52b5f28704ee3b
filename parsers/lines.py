"""Pages as lines of visible text, whether they arrive as HTML or as text a person copied.

Layout parsers work on `Line`s, not on CSS paths, so that a theme change does not break
them and the crawled HTML and a person's copy of the same page parse to the same records.
HTML becomes lines the way a browser shows it: one line per block, list items with a
bullet, headings and accordion toggles marked as headings, navigation and footers dropped.
One lxml pass (iterwalk) does it; BeautifulSoup stays off this hot path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html

BULLETS = "•●▪◦·‣∙"
_WS_RE = re.compile(r"\s+")
_BULLET_RE = re.compile(rf"^[{BULLETS}]\s*")
_HEADER_SOURCE_RE = re.compile(r"^#\s*source:\s*(\S+)")
_CHROME_RE = re.compile(
    r"^(back to top|skip to (main )?content|print this page|share this( page)?|"
    r"older posts|newer posts|previous posts?|next posts?|« previous|next »|"
    r"page \d+ of \d+|load more|read more)$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Line:
    text: str  # whitespace collapsed, bullet removed
    indent: int = 0  # text: leading spaces; HTML: DOM depth
    bullet: bool = False  # a list item's first line
    heading: int = 0  # 0: not a heading; 1-6: h1-h6; 7: accordion toggle / title element
    strong: bool = False  # HTML: the whole line is bold (a title set in <p><strong>)

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


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces (NBSP and zero-width space included)."""
    return _WS_RE.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


def is_chrome(text: str) -> bool:
    """Site furniture that is never part of a notice ("back to top", pagination)."""
    return bool(_CHROME_RE.match(text))


def decode(content: bytes | str) -> str:
    """Bytes to text: UTF-8 (BOM aware), else Windows-1252, never an exception."""
    if isinstance(content, str):
        return content
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


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
    return page


# --- HTML --------------------------------------------------------------------------------

_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "nav",
    "footer",
    "aside",
    "form",
    "head",
    "select",
}
_DROP_CLASS_RE = re.compile(
    r"(?:^|\s)(sidebar|widget-area|widget|site-header|site-footer|main-navigation|nav-menu|"
    r"menu|breadcrumbs?|skip-link|screen-reader-text|cookie[\w-]*|comments-area|"
    r"post-navigation|navigation|nav-links|pagination|share[\w-]*|social[\w-]*|back-to-top)"
    r"(?:$|\s)",
    re.IGNORECASE,
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "thead",
    "tbody",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "main",
    "summary",
    "details",
    "figure",
    "figcaption",
    "address",
    "hr",
    "time",
    "button",
    "body",
    "center",
}
_TITLE_CLASS_RE = re.compile(r"(title|toggle|accordion-heading|panel-heading)(?:$|[\s_-])")
_DATE_CLASS_RE = re.compile(r"(?:^|[\s_-])(date|posted-on|published|meta-date|entry-meta)")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_TOGGLE_TAGS = frozenset(("summary", "button", "dt"))
_STRONG_TAGS = frozenset(("strong", "b"))


def _dropped(el: etree._Element, tag: str) -> bool:
    """Site furniture: navigation, footers, sidebars, scripts, cookie banners."""
    if tag in _DROP_TAGS:
        return True
    role, classes, id_ = el.get("role"), el.get("class"), el.get("id")
    if role in _DROP_ROLES or el.get("aria-hidden") == "true":
        return True
    if tag == "header" and not _inside_content(el):
        return True
    return bool(classes and _DROP_CLASS_RE.search(classes)) or bool(
        id_ and _DROP_CLASS_RE.search(id_)
    )


def _inside_content(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag in ("article", "main", "section") or parent.get("role") == "main":
            return True
        parent = parent.getparent()
    return False


def _content_root(root: etree._Element) -> etree._Element:
    for path in ("//main", "//*[@role='main']", "//*[@id='content']", "//*[@id='main']"):
        found = root.xpath(path)
        if found:
            return found[0]
    body = root.find("body")
    return body if body is not None else root


def _kind(el: etree._Element, tag: str) -> tuple[bool, int]:
    """(starts its own line, heading level): 1-6 for h1-h6, 7 for toggles and titles."""
    level = _HEADINGS.get(tag, 0)
    classes = el.get("class")
    if not level and (tag in _TOGGLE_TAGS or (classes and _TITLE_CLASS_RE.search(classes))):
        level = 7
    block = tag in _BLOCK_TAGS or bool(level) or bool(classes and _DATE_CLASS_RE.search(classes))
    return block, level


class _LineBuilder:
    """Collects text into lines; remembers whether a line was all bold (an inline title)."""

    __slots__ = ("bold", "buf", "lines", "pending_bullet", "plain")

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.buf: list[str] = []
        self.bold = self.plain = False
        self.pending_bullet = False

    def add(self, text: str, bold: bool) -> None:
        self.buf.append(text)
        if not text.isspace():
            if bold:
                self.bold = True
            else:
                self.plain = True

    def flush(self, depth: int, heading: int) -> None:
        if not self.buf:
            return
        text = collapse("".join(self.buf))
        strong = self.bold and not self.plain
        self.buf.clear()
        self.bold = self.plain = False
        if not text:
            return
        bullet = self.pending_bullet
        self.pending_bullet = False
        if bullet:
            text = _BULLET_RE.sub("", text)
        self.lines.append(Line(text, depth, bullet, heading, strong))


def html_lines(text: str) -> Page:
    """HTML as the lines a browser would show, in one pass over the tree."""
    page = Page(lines=[], is_html=True)
    try:
        root = html.document_fromstring(text.replace("\x00", ""))
    except (etree.ParserError, ValueError) as exc:
        page.warnings.append(f"unreadable HTML: {exc}")
        return page
    out = _LineBuilder(page.lines)
    stack: list[tuple[bool, int, bool]] = []  # per open element: (block, level, strong)
    headings: list[int] = []
    depth = strong = skip = 0  # skip > 0 while inside a dropped element
    for event, el in etree.iterwalk(_content_root(root), events=("start", "end", "comment", "pi")):
        if event == "comment" or event == "pi":
            if not skip and el.tail:
                out.add(el.tail, strong > 0)
            continue
        tag = el.tag
        if event == "start":
            if skip or _dropped(el, tag):
                skip += 1
                continue
            depth += 1
            if tag == "br":
                out.flush(depth, headings[0] if headings else 0)
                stack.append((False, 0, False))
            else:
                block, level = _kind(el, tag)
                is_strong = tag in _STRONG_TAGS
                stack.append((block, level, is_strong))
                if block:
                    out.flush(depth, headings[0] if headings else 0)
                    if level:
                        headings.append(level)
                    if tag == "li":
                        out.pending_bullet = True
                strong += is_strong
            if el.text:
                out.add(el.text, strong > 0)
            continue
        if skip:
            skip -= 1
            if not skip and el.tail:
                out.add(el.tail, strong > 0)
            continue
        block, level, is_strong = stack.pop()
        if block:
            out.flush(depth, headings[0] if headings else 0)
            if level:
                headings.pop()
        strong -= is_strong
        depth -= 1
        if el.tail:
            out.add(el.tail, strong > 0)
    out.flush(depth, headings[0] if headings else 0)
    return page


def _binary_share(text: str) -> float:
    """Share of control and undecodable characters in the first 4 KB."""
    head = text[:4096]
    odd = sum(1 for c in head if c == "\ufffd" or (c < " " and c not in "\t\n\r\f"))
    return odd / max(len(head), 1)


def page_lines(content: bytes | str) -> Page:
    """Bytes or text, HTML or a person's copy, to a Page of lines."""
    text = decode(content)
    if not text.strip().lstrip("\ufeff"):
        return Page(lines=[], is_html=False, warnings=["empty page"])
    if _binary_share(text) > 0.1:
        share = f"{_binary_share(text):.0%}"
        return Page(lines=[], is_html=False, warnings=[f"not text: {share} control bytes"])
    page = html_lines(text) if looks_like_html(text) else text_lines(text)
    if not any(line.text for line in page.lines):
        page.warnings.append("empty page: no visible text")
    return page
