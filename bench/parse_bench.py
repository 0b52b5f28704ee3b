"""Parsing speed, as ratios against a bare lxml parse of the same bytes in the same run.

Targets (issue #2): whole-page parsing within 4x a bare `lxml.html` parse; known-shape
timestamps at 100,000/s or more. Run: `make bench` (prints; asserts nothing).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import lxml.html

from bench.synthetic import listing_html, stamps
from parsers import parse
from parsers.timestamps import parse_stamp
from tests.golden import fixtures


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    corpus = [(f.source, f.page.read_bytes(), f.meta.get("url")) for f in fixtures()]
    big = listing_html(500)
    pages = [*corpus, ("nhsmail", big, "https://support.nhs.net/category/status/")]
    html_pages = [p for p in pages if p[1].lstrip()[:1] == b"<"]

    def ours() -> int:
        return sum(len(parse(s, b, url=u).records) for s, b, u in html_pages)

    def bare() -> None:
        for _, b, _ in html_pages:
            lxml.html.document_fromstring(b)

    notices = ours()
    t_ours, t_bare = best_of(ours), best_of(bare)
    print(f"HTML pages: {len(html_pages)} ({sum(len(p[1]) for p in html_pages) / 1e6:.2f} MB)")
    print(f"  notices parsed:         {notices}")
    print(f"  notices/s:              {notices / t_ours:,.0f}")
    print(f"  parse time:             {t_ours * 1e3:.1f} ms   bare lxml: {t_bare * 1e3:.1f} ms")
    print(f"  ratio to bare lxml:     {t_ours / t_bare:.2f}x   (target <= 4x)")

    t_big = (
        best_of(lambda: parse("nhsmail", big)),
        best_of(lambda: lxml.html.document_fromstring(big)),
    )
    print(f"500-notice listing alone: {t_big[0] * 1e3:.1f} ms, ratio {t_big[0] / t_big[1]:.2f}x")

    text_pages = [p for p in pages if p not in html_pages]
    if text_pages:
        t_text = best_of(lambda: [parse(s, b, url=u) for s, b, u in text_pages])
        print(f"text pages: {len(text_pages)} in {t_text * 1e3:.1f} ms")

    sample = stamps(100_000)
    parse_stamp(sample[0])
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        for s in sample:
            parse_stamp(s)
        rates.append(len(sample) / (time.perf_counter() - t0))
    print(f"known-shape timestamps/s: {statistics.median(rates):,.0f}   (target >= 100,000)")


if __name__ == "__main__":
    main()
