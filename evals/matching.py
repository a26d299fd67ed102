"""Quote matching, the one rule every metric and the `check` command use.

Texts are compared in their matching form (`textnorm.matching_form`: NFKC, Roman numerals unified,
no whitespace), so full-width/half-width punctuation, extraction spaces and line breaks never decide a match.
A passage supports a quote when the normalised quote is a substring of the normalised passage, or when their
longest common substring covers at least `SUPPORT_THRESHOLD` of the quote (a clause cut at a chunk boundary, or
a quote spanning two clauses, still counts when most of it is in one passage).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from textnorm import matching_form

SUPPORT_THRESHOLD = 0.6
"""Share of the (normalised) quote that one contiguous run of the passage must cover."""


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """The matching form of `text` (cached: the same passages are compared with many quotes)."""
    return matching_form(text)


def longest_common_substring(a: str, b: str) -> int:
    """Length of the longest common substring of `a` and `b` (exact; autojunk off, so frequent characters count)."""
    if not a or not b:
        return 0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return int(matcher.find_longest_match(0, len(a), 0, len(b)).size)


def coverage(passage: str, quote: str) -> float:
    """Share of the normalised quote covered by its longest common substring with the normalised passage (0…1)."""
    q, p = norm(quote), norm(passage)
    if not q:
        return 0.0
    if q in p:
        return 1.0
    return longest_common_substring(q, p) / len(q)


def supports(passage: str, quote: str, threshold: float = SUPPORT_THRESHOLD) -> bool:
    """Whether `passage` supports `quote`: substring after normalisation, or LCS ≥ threshold × quote length.

    An empty quote supports nothing (unanswerable items have no evidence; they must not count as hits).
    """
    return coverage(passage, quote) >= threshold if norm(quote) else False


def first_supporting_rank(passages: Sequence[str], quote: str) -> int | None:
    """1-based rank of the first passage that supports `quote`, or None."""
    for rank, text in enumerate(passages, start=1):
        if supports(text, quote):
            return rank
    return None


def any_supports(passages: Iterable[str], quote: str) -> bool:
    return any(supports(text, quote) for text in passages)
