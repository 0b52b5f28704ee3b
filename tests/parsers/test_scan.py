"""The fast-scanning regexes find exactly what the plain patterns find, and the other fast
paths of the parsers give what the slow ones give."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers import lines, states
from parsers.lines import _ARCHIVE_TITLE_RE, _CHROME_RE, is_chrome
from parsers.nhsmail import labels, segments, titles
from parsers.nhsmail.notice import _INCIDENT_BODY_RE, _MAINTENANCE_BODY_RE
from parsers.references import _SCAN_RE
from parsers.scan import first_chars
from parsers.windows import _DURATION_REST, _WINDOW_REST, DURATION_RE, WINDOW_RE

# The patterns that start with a character class, as they were first written.
WORD_PLAIN = {
    WINDOW_RE: re.compile(r"\b(?:between|from)" + _WINDOW_REST, re.IGNORECASE),
    DURATION_RE: re.compile(
        r"\b(?:lasted|lasting|(?:outage|disruption|interruption|downtime)\s+of|"
        r"(?:unavailable|down|offline|inaccessible)\s+for)" + _DURATION_REST,
        re.IGNORECASE,
    ),
    _SCAN_RE: re.compile(r"\b(?:[Ii][Nn][Cc] ?(\d{6,10})|([A-Z]{2})(\d{5,8})|CC-(\d{3,6}))\b"),
    _INCIDENT_BODY_RE: re.compile(
        r"\b(?:aware of an? (?:intermittent |potential |ongoing )?(?:issue|problem|incident)|"
        r"outage|service disruption|are investigating)\b",
        re.I,
    ),
    _MAINTENANCE_BODY_RE: re.compile(
        r"\b(?:planned maintenance|scheduled maintenance|maintenance window|will be unavailable|"
        r"planned (?:works?|outage|downtime)|scheduled (?:works?|outage|downtime))\b",
        re.I,
    ),
}
SCANNING = list(WORD_PLAIN)
PROSE = [
    "The outage lasted approximately 30 minutes between 19:25 and 19:55.",
    "Users were unavailable for 2 hours and 15 minutes FROM 1:00 AM to 1:30 AM on the 19th "
    "October, 2021.",
    "INC28274463 and inc 12345678, EX649488, TM1283300, CC-1234; planned maintenance window.",
    "BETWEEN 09:00 AND 10:00 on Saturday the 14th October ſcheduled works.",
    "We are aware of an issue. Service disruption. Scheduled outage tonight.",
]
# The characters the patterns start with in every case, and those IGNORECASE folds onto
# ASCII letters ("ſ" is an "s", "K" a "k", "ı" and "İ" an "i").
ALPHABET = st.sampled_from(list("betwnfromlasdiuINCEXTMcpkhvgy :0123456789/.,-–ſKıİ_éC\n"))


def plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern as written before word_scanning."""
    return WORD_PLAIN[pattern]


def _groups(m: re.Match[str]) -> tuple[str | None, ...]:
    if m.re is _SCAN_RE:  # its Microsoft prefix is captured as two letters
        first, inc, second, digits, carecert = m.groups()
        return (inc, first + second if second else None, digits, carecert)
    return m.groups()


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), _groups(m)) for m in pattern.finditer(text)]


@pytest.mark.parametrize("pattern", SCANNING, ids=lambda p: p.pattern[:30])
@pytest.mark.parametrize("text", PROSE)
def test_same_matches_on_prose(pattern: re.Pattern[str], text: str) -> None:
    assert spans(pattern, text) == spans(plain(pattern), text)


@given(st.lists(st.one_of(st.sampled_from(PROSE), ALPHABET), max_size=60).map("".join))
def test_same_matches_on_anything(text: str) -> None:
    for pattern in SCANNING:
        assert spans(pattern, text) == spans(plain(pattern), text)


def test_prose_has_matches() -> None:
    """The prose above exercises every pattern (a comparison of two empty lists proves
    nothing)."""
    for pattern in SCANNING:
        assert any(pattern.search(text) for text in PROSE), pattern.pattern[:40]


def test_first_chars_fold_case() -> None:
    assert set(first_chars("is", ignorecase=True)) == set("iIİısSſ")
    assert first_chars("is", ignorecase=False) == "is"


@given(st.text(alphabet=st.sampled_from(list("«<← bBsSpPaAtTgG:.ſKı1 ")), max_size=20))
def test_chrome_first_letter_check_loses_nothing(text: str) -> None:
    """is_chrome's first-letter check only skips lines its patterns could never match."""
    expected = len(text) <= 80 and bool(_CHROME_RE.match(text) or _ARCHIVE_TITLE_RE.match(text))
    assert is_chrome(text) == expected


@pytest.mark.parametrize(
    "text", ["Back to top", "« Older Entries", "Read More »", "Tag: Outage", "Page 2 of 9"]
)
def test_chrome_lines_still_found(text: str) -> None:
    assert is_chrome(text)


def _plain_class_kind(value: str) -> int:
    """lines._class_kind as the regexes alone say it (before the ASCII substring path)."""
    kind = lines._DROP_BIT if lines._dropped(value) else 0
    if lines._TITLE_CLASS_RE.search(value):
        kind |= lines._TITLE_BIT
    elif lines._DATE_CLASS_RE.search(value):
        kind |= lines._DATE_BIT
    if "entry-content" in value and "entry-content" in value.split():
        kind |= lines._CONTENT_BIT
    if {"hentry", "type-post"} & set(value.lower().split()):
        kind |= lines._POST_BIT
    return kind


CLASS_WORDS = [
    "entry-title", "Entry-Meta", "posted-on", "PUBLISHED", "toggle", "panel-heading", "date",
    "accordion-heading", "sidebar", "entry-content", "post-50001", "tag-outage", "hentry",
    "type-post", "Type-Post",
]  # fmt: skip


@given(
    st.lists(
        st.one_of(st.sampled_from(CLASS_WORDS), st.sampled_from(list("tTdDaApP- ſKıİ\u0130"))),
        max_size=12,
    ).map("".join)
)
def test_class_kind_same_as_regexes(value: str) -> None:
    assert lines._class_kind(value) == _plain_class_kind(value)


@pytest.mark.parametrize("value", ["entry-title", "TİTLE", "post-date", "x toggle", "sidebar"])
def test_class_kind_examples(value: str) -> None:
    assert lines._class_kind(value) == _plain_class_kind(value)


def test_word_scanning_starts_with_a_class() -> None:
    """What makes them fast: the engine's search skips along a character class."""
    assert WINDOW_RE.pattern.startswith("(?-i:[") and DURATION_RE.pattern.startswith("(?-i:[")
    assert _SCAN_RE.pattern.startswith("([A-Zi])")
    assert _INCIDENT_BODY_RE.pattern.startswith("(?-i:[")
    assert _MAINTENANCE_BODY_RE.pattern.startswith("(?-i:[")


@pytest.mark.parametrize(
    "text",
    [
        "xbetween 1:00 and 2:00",  # no word boundary: no match in either
        "_from 1:00 to 2:00",
        "éfrom 1:00 to 2:00",
        "BETWEEN 1:00 AND 2:00",
        "\nfrom 1:00 to 2:00",
        "ıNTERRUPTİON of 5 minutes; İnaccessible for 3 hours, down for 1 hr",
        "lasted lasting 10 minutes",
        "xINC1234567 INC 1234567 inc1234567 İnc1234567 _EX12345 EX12345 CC-123 CCC-123 C-123",
        "ICC-1234 EXX12345 éTM123456 IN1234567 INC12345678901 INC123456x",
        "xoutage _outage outages OUTAGE; aware of a problem, AWARE OF AN ONGOING INCIDENT",
        "ſcheduled maintenance, ſervice disruption, wİll be unavailable, planned works",
        "maintenance windows; scheduled downtime, planned outage; are investigatingly",
    ],
)
def test_class_first_edges(text: str) -> None:
    for pattern in WORD_PLAIN:
        assert spans(pattern, text) == spans(plain(pattern), text)
        for start in range(len(text)):  # a search from inside the text looks behind it
            found, expected = pattern.search(text, start), plain(pattern).search(text, start)
            assert (found and found.span()) == (expected and expected.span())


@given(
    st.text(alphabet=st.sampled_from(list("aZé1 \t\u00a0\u2003:–.")), max_size=30),
    st.integers(0, 32),
)
def test_word_colons_are_the_pattern_matches(text: str, pos: int) -> None:
    expected = [m.span() for m in labels._WORD_COLON_RE.finditer(text, pos)]
    assert list(labels.word_colons(text, pos)) == expected


@pytest.mark.parametrize(
    "text", ["Final Update: 26-01-2021 10:44:00 AM – done", "a : b  :c:d 1:2 é: Issue Status :"]
)
def test_word_colons_examples(text: str) -> None:
    for pos in range(len(text) + 1):
        expected = [m.span() for m in labels._WORD_COLON_RE.finditer(text, pos)]
        assert list(labels.word_colons(text, pos)) == expected


@given(
    st.text(
        alphabet=st.sampled_from(list("a– \t\n\u00a0\u2003\u2028\u200b\ufeff\x1c\x85é")),
        max_size=12,
    )
)
def test_collapse_fast_path_changes_nothing(text: str) -> None:
    """collapse returns some lines as they are: exactly those splitting would not change."""
    plain = " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())
    assert lines.collapse(text) == plain


def test_every_whitespace_but_space_is_unprintable() -> None:
    """What collapse's fast path relies on, for this Python's Unicode tables."""
    chars = map(chr, range(0x110000))
    assert [c for c in chars if c.isspace() and c.isprintable()] == [" "]
    assert not "\u200b".isprintable() and not "\ufeff".isprintable()


# Patterns whose matches only count, not their groups, as they were first written.
SPAN_PLAIN = {
    titles._MAINTENANCE_RE: re.compile(
        r"\b(maintenance|planned (?:works?|outage|downtime|change)|"
        r"scheduled (?:works?|outage|downtime))\b",
        re.I,
    ),
    titles._ENHANCEMENT_RE: re.compile(r"\benhancements?\b", re.I),
}
TITLE_WORDS = ["maintenance", "planned ", "scheduled ", "works", "outage", "change", "enhancement"]


@given(
    st.lists(
        st.one_of(st.sampled_from(TITLE_WORDS), st.sampled_from(list("MmPpSsEeſKı_é –s"))),
        max_size=12,
    ).map("".join)
)
def test_title_word_scans_same_spans(text: str) -> None:
    for fast, plain_ in SPAN_PLAIN.items():
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain_.finditer(text)]


@pytest.mark.parametrize(
    "text",
    ["Planned Maintenance – Portal", "xmaintenance", "Service Enhancements", "ſcheduled works"],
)
def test_title_word_scan_examples(text: str) -> None:
    for fast, plain_ in SPAN_PLAIN.items():
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain_.finditer(text)]


@given(st.text(alphabet=st.sampled_from(list("ab .…[]\n")), max_size=12))
def test_excerpt_end_check_loses_nothing(last: str) -> None:
    """strip_excerpt asks its pattern only of lines ending as a match must end."""
    body = ["first line", last]
    m = segments._EXCERPT_END_RE.search(last) if last else None
    expected = (["first line", last[: m.start()]], True) if m else (body, False)
    assert segments.strip_excerpt(body) == expected


PART_SPLIT_PLAIN = re.compile(r"\s*[–—]\s*|\s+-\s+|(?<=\d)-\s+")


@given(st.text(alphabet=st.sampled_from(list("a1 \t\u00a0–—-_")), max_size=16))
def test_title_part_split_same_as_first_written(title: str) -> None:
    assert spans(titles._PART_SPLIT_RE, title) == spans(PART_SPLIT_PLAIN, title)
    assert titles._PART_SPLIT_RE.split(title) == PART_SPLIT_PLAIN.split(title)


@pytest.mark.parametrize(
    "title",
    ["INC28274463– HSSI – RESOLVED", "a - – b", "a – - b", "12- x", "x -y", "— a —", "a  -  b"],
)
def test_title_part_split_examples(title: str) -> None:
    assert spans(titles._PART_SPLIT_RE, title) == spans(PART_SPLIT_PLAIN, title)
    assert titles._PART_SPLIT_RE.split(title) == PART_SPLIT_PLAIN.split(title)


@pytest.mark.parametrize("word", sorted(states.RAW_STATES))
def test_state_table_words_normalise_as_spelled_out(word: str) -> None:
    """normalise_state looks a word up as it is first: the table's own spellings must give
    what normalising them gives ("IN_PROGRESS" as "IN PROGRESS")."""
    key = " ".join(word.replace("_", " ").split()).upper()
    expected = states.RAW_STATES.get(key) or states.RAW_STATES.get(key.replace(" ", "_"))
    assert states.normalise_state(word) == expected
