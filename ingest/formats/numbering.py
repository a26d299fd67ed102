"""Word list numbering as printed: a paragraph numbered by Word (w:numPr) carries its number only in the list
definition (numbering.xml), not in its text. This renders the label (一、 （一） 1. （1） 第一条 ①) from the level's
format and counter, so the segmenter sees the clause numbers a reader sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textnorm import int_to_cn as chinese_number  # 1 → 一, 12 → 十二 (the counting style of 一、 and 第一条)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
                           (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting", "ideographDigital", "taiwaneseCounting"):
        return chinese_number(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass(frozen=True)
class Level:
    fmt: str
    text: str  # e.g. "%1、", "（%2）", "第%1条"
    start: int = 1


@dataclass
class Numbering:
    """The document's list definitions and the running counters, advanced paragraph by paragraph in order."""

    levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # numId → level → definition
    counters: dict[str, list[int]] = field(default_factory=dict)  # abstract list → counters per level

    @classmethod
    def of(cls, document: Any) -> Numbering:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return cls()
        abstract: dict[str, dict[int, Level]] = {}
        for node in root.findall(f"{_W}abstractNum"):
            defs: dict[int, Level] = {}
            for lvl in node.findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                defs[int(lvl.get(f"{_W}ilvl", "0"))] = Level(
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                )
            abstract[node.get(f"{_W}abstractNumId", "")] = defs
        levels = {}
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                levels[num.get(f"{_W}numId", "")] = abstract.get(ref.get(f"{_W}val", ""), {})
        return cls(levels)

    def label(self, paragraph: Any) -> str:
        """The printed number of a numbered paragraph (its counter advanced), else ""."""
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is None and paragraph.style is not None:
            style_ppr = paragraph.style.element.pPr
            numpr = style_ppr.numPr if style_ppr is not None else None
        if numpr is None or numpr.numId is None:
            return ""
        num_id = str(numpr.numId.val)
        ilvl = int(numpr.ilvl.val) if numpr.ilvl is not None else 0
        defs = self.levels.get(num_id)
        if not defs or ilvl not in defs:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        for k in range(9):
            if k == ilvl:
                counters[k] = counters[k] + 1 if counters[k] else defs[k].start
            elif k > ilvl:
                counters[k] = 0
        text = defs[ilvl].text
        for k in range(ilvl + 1):
            if f"%{k + 1}" in text:
                level = defs.get(k, Level("decimal", ""))
                text = text.replace(f"%{k + 1}", format_number(counters[k] or level.start, level.fmt))
        return text if defs[ilvl].fmt != "bullet" else ""
