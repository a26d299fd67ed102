"""Repairs of the text itself: canonical 文号 and spacing in the repaired (cited) text. The matching copy and the
文号 canonical form are `textnorm`'s (every package uses them)."""

from __future__ import annotations

import re

from textnorm import CN_NUM, normalize_docnos

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# whitespace with a CJK character or CJK punctuation on either side (通 知, 2021年 3月, 焦 勇, 、 已取得)
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \u3000]+|[ \u3000]+(?=[{_CJK}])")


_ARTICLE_HEAD = re.compile(rf"^(第[{CN_NUM}]+[章条节])[ \u3000]+(?=\S)")


# a decimal heading number (1 总则, 1.5.1 出现下列情形) keeps the space that separates it from its title
_DECIMAL_HEAD = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})[ \u3000]+(?=[\u4e00-\u9fff])")


def tidy_spacing(text: str) -> str:
    """Remove extraction spaces next to CJK text (通 知, 2021年 3月); keep one space after 第X章/第X条 and a decimal heading number, and between
    Latin words and numbers (PM 2.5 stays)."""
    m = _ARTICLE_HEAD.match(text) or _DECIMAL_HEAD.match(text)
    if m:
        return m.group(1) + " " + _SPACE_NEAR_CJK.sub("", text[m.end():])
    return _SPACE_NEAR_CJK.sub("", text)


def repair_paragraph_text(text: str) -> str:
    return tidy_spacing(normalize_docnos(text))

