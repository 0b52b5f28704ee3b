"""Regexes that scan whole notice bodies, compiled so that the scan runs in C.

Python's regex engine tries a pattern at every position of the text unless it knows which
characters a match can start with. A leading case-insensitive alternation
(``\\b(?:between|from)`` with ``re.IGNORECASE``) hides that, and such a search over a
600-character body costs several microseconds, a large share of a notice's parse time. A
pattern that *starts* with a case-sensitive character class lets the engine skip in a C
loop to the characters of that class (`word_scanning`, for patterns that start with a
word). A leading lookahead naming the first characters would say the same but still cost
one match attempt at every position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Non-ASCII characters that IGNORECASE matches to an ASCII letter.
_FOLDS = {"i": "İı", "k": "K", "s": "ſ"}


def first_chars(letters: str, *, ignorecase: bool) -> str:
    """A character class body for ``letters`` (and, case-insensitively, every character
    the engine takes for one of them)."""
    out = []
    for c in letters:
        out.append(c)
        if ignorecase and c.isalpha():
            out.append(c.swapcase())
            out.append(_FOLDS.get(c.lower(), ""))
    return "".join(dict.fromkeys("".join(out)))


def word_scanning(words: Sequence[str], rest: str, flags: int = 0) -> re.Pattern[str]:
    """``\\b(?:word|word…)rest``, written to start with a case-sensitive character class
    (see the module's docstring). Each word starts with an ASCII letter; the rest of a word
    may be any pattern. Same matches, spans and groups: the class holds every character the
    words' first letters match, the look-behind after it is the word boundary before that
    character (a letter: a boundary exactly when no word character precedes it), and each
    word's first letter is asked again, under ``flags``, by a one-character look-behind."""
    assert all(word[:1].isascii() and word[:1].isalpha() for word in words)
    first = first_chars("".join(word[0] for word in words), ignorecase=bool(flags & re.I))
    alternatives = "|".join(f"(?<={word[0]}){word[1:]}" for word in words)
    return re.compile(f"(?-i:[{re.escape(first)}])(?<!\\w.)(?:{alternatives}){rest}", flags)
