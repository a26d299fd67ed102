"""Offline follow-up rewriting: an elliptical question ("那长治呢？", "第二步具体要做什么？") borrows its topic from
the previous turn, so retrieval sees a standalone question. The LLM mode can replace this with a model's rewrite."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.query import CITY_PLACES, analyse

_FOLLOW_MARKERS = re.compile(r"^(?:那|那么|那这个|这个|该|它|其|此|还有|另外|此外|然后|接着|具体|详细)")
_STEP_ONLY = re.compile(r"^第[一二三四五六七八九十\d]+(?:步|项|个环节|条)")
_TRAILING = re.compile(r"[呢吗啊？?。！!，,\s]+$")
_MIN_STANDALONE = 12


def is_elliptical(question: str) -> bool:
    q = _TRAILING.sub("", question.strip())
    return bool(_FOLLOW_MARKERS.match(q) or _STEP_ONLY.match(q)) or len(q) <= 6


def _swap_city(previous: str, city: str) -> str:
    out = previous
    for other, places in CITY_PLACES.items():
        if other == city:
            continue
        for place in places:
            out = out.replace(place, city)
    return out if out != previous else f"{city}{previous}"


def rewrite(question: str, history: Sequence[str]) -> str:
    """The standalone form of `question` given the earlier user questions (oldest first)."""
    if not history:
        return question.strip()
    previous = rewrite(history[-1], history[:-1])
    if not is_elliptical(question) and len(_TRAILING.sub("", question)) >= _MIN_STANDALONE:
        return question.strip()
    facts = analyse(question)
    core = _FOLLOW_MARKERS.sub("", _TRAILING.sub("", question.strip()))
    if facts.city and facts.city != analyse(previous).city and len(core) <= 6:
        return _swap_city(previous, facts.city)  # 那长治呢？ → the previous question, about 长治
    previous_core = _TRAILING.sub("", previous)
    return f"{previous_core}，{core}" if core else previous
