"""Text normalisation every package shares: the matching form of a text, canonical 文号, Chinese numerals.

The ingest writes chunks' matching copy (`Chunk.norm_text`) and canonical 文号 with these functions; retrieval,
the app and the evals normalise questions, filters and gold answers with the same ones, so both sides compare
like with like. Repairs of extraction artifacts are not here: they stay in `ingest/repair/`.
"""

from __future__ import annotations

import re
import unicodedata

CN_NUM = "一二三四五六七八九十百零〇两"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# 文号: a prefix of CJK characters, a bracketed year, a number and 号. Brackets vary: 〔〕, [], ［］, （）.
DOCNO_RE = re.compile(r"([\u4e00-\u9fff]{2,12})\s*[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*第?\s*(\d{1,4})\s*号")
# A blank template number (〔 年〕第 号, 函字〔202 〕 号) is never a document number.
TEMPLATE_DOCNO_RE = re.compile(r"〔\s*\d{0,3}\s*年?\s*〕\s*第?\s*号")

_ROMAN = str.maketrans({"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI", "Ⅶ": "VII", "Ⅷ": "VIII", "Ⅸ": "IX", "Ⅹ": "X"})
_WHITESPACE = re.compile(r"\s+")


def matching_form(text: str) -> str:
    """The copy used for matching (search, quotes, dedup): NFKC, Roman numerals unified, no whitespace, ` and `→和."""
    t = text.translate(_ROMAN)
    t = unicodedata.normalize("NFKC", t)
    t = t.replace(" and ", "和")
    return _WHITESPACE.sub("", t)


def normalize_docno(text: str) -> str | None:
    """Return the canonical form of the first 文号 in text (晋市政办[2018]8号 → 晋市政办〔2018〕8号), or None."""
    if TEMPLATE_DOCNO_RE.search(text) and not DOCNO_RE.search(text):
        return None
    m = DOCNO_RE.search(text)
    if not m:
        return None
    prefix, year, number = m.groups()
    return f"{prefix}〔{year}〕{int(number)}号"


def normalize_docnos(text: str) -> str:
    """Rewrite every 文号 in canonical form: 晋市政办[2017]113号 → 晋市政办〔2017〕113号, 〔2021〕4 号 → 〔2021〕4号."""

    def canon(m: re.Match[str]) -> str:
        prefix, year, number = m.groups()
        first = m.group(0)
        lead = first[: first.index(prefix) + len(prefix)]
        return f"{lead}〔{year}〕{number}号"

    return DOCNO_RE.sub(canon, text)


_SHORT_DOCNO = re.compile(r"(\s*(?:和|与|及|以及|、|，|,)\s*)第?\s*(\d{1,4})\s*号")


def expand_docno_lists(text: str) -> str:
    """A list of 文号 written in full once (晋市审管发〔2021〕28号和30号、31号): every short N号 that follows the full one
    gets its prefix and year (晋市审管发〔2021〕30号), so each names its document. Text in canonical form
    (`normalize_docnos`) is expected."""
    out, at = [], 0
    for m in DOCNO_RE.finditer(text):
        if m.start() < at:
            continue
        prefix, year, _ = m.groups()
        out.append(text[at:m.end()])
        at = m.end()
        while (short := _SHORT_DOCNO.match(text, at)) is not None:
            out.append(f"{short.group(1)}{prefix}〔{year}〕{short.group(2)}号")
            at = short.end()
    return "".join(out) + text[at:]


def cn_to_int(text: str) -> int:
    """Convert a Chinese numeral (一 … 九十九 … 一百二十) to an int; raises ValueError for non-numerals."""
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total, section, number = 0, 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
        elif ch == "十":
            section += (number or 1) * 10
            number = 0
        elif ch == "百":
            section += (number or 1) * 100
            number = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + number


def int_to_cn(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五: a number as the documents count in words (一、, （三）,
    第一条, 六个); the inverse of `cn_to_int`."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + int_to_cn(rest) if rest < 10 else ("一" + int_to_cn(rest) if rest < 20 else int_to_cn(rest)))
    return digits[n // 100] + "百" + tail
