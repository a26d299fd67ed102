"""Collapse "fake bold" doubling (（（四四））规范规范。。 → （四）规范。) in heading-shaped text only.

The extractor emits every bold run twice. Bold runs sit at the start of a paragraph (a numbered heading or a
run-in label), so the repair walks from the start and stops at the first run that is not doubled: body text
after the heading, and legitimate repeats such as 上上河村 or 市市场监管局 in body text, are left alone.
"""

from __future__ import annotations

import re

_MAX_RUN = 40
_LEADING_MARKER = re.compile(r"^(?:[lI]?\d{1,3}[.．、]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")


def _doubled_run(text: str, i: int) -> int:
    """Length k of the longest run text[i:i+k] that is immediately repeated; 0 if none.

    The longest, not the shortest: 117117 is 117 twice, not 1 twice followed by 7117."""
    limit = min(_MAX_RUN, (len(text) - i) // 2)
    for k in range(limit, 0, -1):
        if text[i:i + k] == text[i + k:i + 2 * k]:
            return k
    return 0


def collapse_doubled_prefix(text: str) -> tuple[str, int]:
    """Collapse doubled runs from the start of text; return (collapsed prefix + untouched rest, doubled chars removed)."""
    out: list[str] = []
    i = 0
    removed = 0
    while i < len(text):
        if text[i] == " " and out and _doubled_run(text, i + 1):
            i += 1
            continue
        k = _doubled_run(text, i)
        if not k:
            break
        out.append(text[i:i + k])
        i += 2 * k
        removed += k
    return "".join(out) + text[i:], removed


def is_doubled_heading(text: str) -> bool:
    """Heading-shaped doubling: the paragraph opens with a doubled marker (（（, 11.., 一一、、) or, after an optional
    plain numbering marker, with doubled runs worth at least three characters (one doubled character, as in
    上上河村 or 市市场监管局, is ordinary text)."""
    t = text.lstrip()
    if t.startswith(("（（", "((")) or re.match(r"^(\d{1,2})\1[.．][.．]", t) or re.match(r"^([一二三四五六七八九十])\1、、", t):
        return True
    m = _LEADING_MARKER.match(t)
    body = t[m.end():] if m else t
    _, removed = collapse_doubled_prefix(body)
    return removed >= 3


def dedouble_heading(text: str) -> str:
    """Collapse the doubled bold prefix of a heading-shaped paragraph; other text is returned unchanged."""
    if not is_doubled_heading(text):
        return text
    lead = len(text) - len(text.lstrip())
    t = text[lead:]
    m = _LEADING_MARKER.match(t)
    if m and not t.startswith(("（（", "((")) and _doubled_run(t, 0) == 0:
        collapsed, _ = collapse_doubled_prefix(t[m.end():])
        return text[:lead] + t[:m.end()] + collapsed
    collapsed, _ = collapse_doubled_prefix(t)
    return text[:lead] + collapsed


def is_doubled_continuation(text: str) -> bool:
    """A wrapped line of a doubled heading: the whole line is doubled (监测网络建设监测网络建设, 案案)."""
    t = text.strip()
    if len(t) < 2:
        return False
    collapsed, removed = collapse_doubled_prefix(t)
    return removed * 2 >= len(t.replace(" ", "")) - 1 and removed >= 1 and len(collapsed) < len(t)
