"""Place vocabulary from the index: the corpus's cities and their counties, and known cities the corpus lacks.

The cities are the `city` of the indexed documents (read from each gazette's running header at ingest) and their
counties and districts are the names the city's own documents list (`index_format.places`, which the ingest shares
to find near-duplicate documents). So a third city's gazettes bring their own places without a code change. Two tables are general geography, not corpus vocabulary:
cities of the region that a question may name (a question about one the corpus lacks is refused), and the
romanisation of place names for questions asked in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from index_format.places import city_places, place_pattern
from ingest.records import Document

KNOWN_CITIES = (
    "太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁", "北京", "上海", "天津", "重庆",
    "广州", "深圳", "杭州", "南京", "武汉", "成都", "西安", "郑州", "济南", "石家庄", "呼和浩特",
)
"""Prefecture-level cities of the region and the largest cities elsewhere (geography, not corpus data)."""
ROMANISED = {
    "太原": "taiyuan", "大同": "datong", "阳泉": "yangquan", "长治": "changzhi", "晋城": "jincheng", "朔州": "shuozhou",
    "晋中": "jinzhong", "运城": "yuncheng", "忻州": "xinzhou", "临汾": "linfen", "吕梁": "lvliang", "北京": "beijing",
    "上海": "shanghai", "天津": "tianjin", "重庆": "chongqing", "广州": "guangzhou", "深圳": "shenzhen", "杭州": "hangzhou",
    "南京": "nanjing", "泽州": "zezhou", "高平": "gaoping", "阳城": "yangcheng", "陵川": "lingchuan", "沁水": "qinshui",
    "潞州": "luzhou", "上党": "shangdang", "屯留": "tunliu", "潞城": "lucheng", "襄垣": "xiangyuan", "平顺": "pingshun",
    "黎城": "licheng", "壶关": "huguan", "长子": "zhangzi", "武乡": "wuxiang", "沁县": "qinxian", "沁源": "qinyuan",
}
"""Pinyin of place names, for questions in English (geography, not corpus data)."""

_BY_PINYIN = {pinyin: name for name, pinyin in ROMANISED.items()}


def city_name(text: str) -> str:
    """The city a filter value names, in Chinese: 晋城, 晋城市 and jincheng (any case, spaces around) → 晋城."""
    text = text.strip()
    return _BY_PINYIN.get(text.lower(), text.removesuffix("市"))


@dataclass(frozen=True)
class Places:
    """city → its place names (the city first); the known cities the corpus lacks."""

    cities: dict[str, tuple[str, ...]]
    others: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, documents: Iterable[Document]) -> Places:
        cities = city_places(documents)
        return cls(cities, tuple(c for c in KNOWN_CITIES if c not in cities))

    def named(self, question: str) -> list[str]:
        """The corpus cities a (Chinese or English) question names, in the order it names them."""
        text, lower = question.replace(" ", ""), question.lower()
        found = []
        for city, names in self.cities.items():
            at = [text.find(n) for n in names if n in text]
            at += [lower.find(r) for n in names if (r := ROMANISED.get(n)) and r in lower]
            if at:
                found.append((min(at), city))
        return [city for _, city in sorted(found)]

    def other(self, question: str) -> str | None:
        """A known city outside the corpus that the question names, in Chinese (太原 for Taiyuan too: the documents
        and the refusal speak Chinese, and a clause naming it is found by that name), or None."""
        text, lower = question.replace(" ", ""), question.lower()
        return next((c for c in self.others if c in text), None) or next(
            (c for c in self.others if (r := ROMANISED.get(c)) and r in lower), None)

    @cached_property
    def pattern(self) -> str:
        """A regex alternative of every corpus place name, with an optional 市/县/区 (longest first)."""
        return place_pattern(n for names in self.cities.values() for n in names)

    def strip(self, text: str) -> str:
        """`text` with every corpus place name replaced by a space: a city is a filter, not evidence of relevance."""
        return re.sub(self.pattern, " ", text)

    def swap(self, text: str, city: str) -> str:
        """`text` with every place of the other corpus cities replaced by `city` (or `city` prefixed if none)."""
        out = text
        for other, names in self.cities.items():
            if other != city:
                for name in names:
                    out = out.replace(name, city)
        return out if out != text else f"{city}{text}"
