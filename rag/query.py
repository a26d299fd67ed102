"""What a question says about where to look: the city (or a county of it), a 文号, a year, a step number, and
whether it names a place the corpus does not cover."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest import patterns

# Counties and districts, so "泽州县" or "沁源县" points at its city.
CITY_PLACES: dict[str, tuple[str, ...]] = {
    "晋城": ("晋城", "泽州", "高平", "阳城", "陵川", "沁水"),
    "长治": ("长治", "潞州", "上党", "屯留", "潞城", "襄垣", "平顺", "黎城", "壶关", "长子", "武乡", "沁县", "沁源"),
}
# Cities with no documents in this corpus: a question about them is out of scope, whatever the hits say.
OTHER_CITIES = (
    "太原", "大同", "阳泉", "朔州", "忻州", "吕梁", "晋中", "临汾", "运城", "北京", "上海", "天津", "重庆", "广州",
    "深圳", "杭州", "南京", "武汉", "成都", "西安", "郑州", "济南", "石家庄", "呼和浩特",
)
_STEP = re.compile(rf"第([{patterns.CN_NUM}\d]+)(步|项|个环节|条)")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")


@dataclass(frozen=True)
class QueryFacts:
    city: str | None
    other_city: str | None
    doc_number: str | None
    year: int | None
    step: int | None
    step_word: str | None


def _number(text: str) -> int | None:
    try:
        return int(text) if text.isdigit() else patterns.cn_to_int(text)
    except ValueError:
        return None


def analyse(question: str) -> QueryFacts:
    q = question.replace(" ", "")
    cities = [city for city, places in CITY_PLACES.items() if any(p in q for p in places)]
    other = next((c for c in OTHER_CITIES if c in q), None)
    step = _STEP.search(q)
    year = _YEAR.search(q)
    return QueryFacts(
        city=cities[0] if len(cities) == 1 else None,
        other_city=other if not cities else None,
        doc_number=patterns.normalize_docno(q) if patterns.DOCNO_RE.search(q) else None,
        year=int(year.group(1)) if year else None,
        step=_number(step.group(1)) if step else None,
        step_word=step.group(2) if step else None,
    )
