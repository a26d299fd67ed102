"""The English -> Chinese glossary is well-formed data, and every Chinese term in it occurs in the bundled gazettes."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "rag" / "glossary_en_zh.tsv"
GAZETTES = ROOT / "data" / "gazettes"

ENGLISH = re.compile(r"[a-z0-9]+(?:[ '/-]+[a-z0-9]+)*")  # lowercase ASCII; spaces, hyphens, apostrophes, slashes inside
MIN_ENTRIES = 400
ANCHORS = (
    ("relocation subsidy", "搬迁补助费"),
    ("temporary resettlement subsidy", "临时安置补助费"),
    ("expropriation", "征收"),
    ("housing expropriation", "房屋征收"),
    ("compensation", "补偿"),
    ("appurtenances", "附属物"),
    ("wall", "围墙"),
    ("well", "水井"),
    ("tree", "树木"),
    ("minimum living allowance", "低保"),
    ("pension insurance", "养老保险"),
    ("business licence", "营业执照"),
    ("administrative licensing", "行政许可"),
    ("notification and commitment", "告知承诺"),
    ("supervision", "督办"),
    ("meteorological disaster", "气象灾害"),
    ("emergency plan", "应急预案"),
    ("government transparency", "政务公开"),
    ("speed bump", "减速带"),
    ("traffic light", "信号灯"),
    ("chronicle of events", "大事记"),
    ("phone number", "电话"),
    ("fine", "罚款"),
    ("jincheng", "晋城"),
    ("changzhi", "长治"),
    ("zezhou county", "泽州县"),
    ("qin county", "沁县"),
    ("luzhou district", "潞州区"),
    ("housing and urban-rural development bureau", "市住建局"),
    ("human resources and social security bureau", "市人社局"),
    ("administrative approval service bureau", "市行政审批服务管理局"),
)


@cache
def _lines() -> tuple[tuple[int, str], ...]:
    """(line number, line) of the data lines: comments (#) and blank lines skipped."""
    text = GLOSSARY.read_text(encoding="utf-8")
    return tuple((n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#"))


@cache
def _entries() -> tuple[tuple[str, str], ...]:
    pairs = []
    for _, line in _lines():
        english, _, chinese = line.partition("\t")
        pairs.append((english, chinese))
    return tuple(pairs)


@cache
def _corpus() -> str:
    files = sorted(GAZETTES.glob("*.txt"))
    assert files, f"no gazettes under {GAZETTES}"
    return re.sub(r"\s", "", "".join(f.read_text(encoding="utf-8") for f in files))


def test_every_line_has_exactly_two_non_empty_tab_separated_fields() -> None:
    bad = [
        (n, line)
        for n, line in _lines()
        if len(fields := line.split("\t")) != 2 or not all(field.strip() for field in fields)
    ]
    assert not bad, bad[:10]


def test_english_is_lowercase_ascii_with_only_spaces_hyphens_apostrophes_and_slashes() -> None:
    bad = [english for english, _ in _entries() if not ENGLISH.fullmatch(english)]
    assert not bad, bad[:10]


def test_chinese_fields_carry_no_surrounding_whitespace() -> None:
    bad = [chinese for _, chinese in _entries() if chinese != chinese.strip() or re.search(r"\s", chinese)]
    assert not bad, bad[:10]


def test_no_pair_is_listed_twice() -> None:
    dupes = [pair for pair, count in Counter(_entries()).items() if count > 1]
    assert not dupes, dupes[:10]


def test_every_chinese_term_occurs_in_the_bundled_corpus() -> None:
    corpus = _corpus()
    missing = sorted({chinese for _, chinese in _entries() if chinese not in corpus})
    assert not missing, missing[:20]


def test_the_glossary_is_large_enough() -> None:
    assert len(_entries()) >= MIN_ENTRIES


def test_the_named_anchor_pairs_are_present() -> None:
    pairs = set(_entries())
    missing = [anchor for anchor in ANCHORS if anchor not in pairs]
    assert not missing, missing
