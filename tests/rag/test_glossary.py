from pathlib import Path

import pytest

from rag.glossary import Glossary, calendar_terms, default_glossary

PAIRS = [
    ("expropriation", "征收"),
    ("housing expropriation", "房屋征收"),
    ("relocation subsidy", "搬迁补助费"),
    ("subsidy", "补助"),
    ("subsidy", "补贴"),
    ("wall", "围墙"),
    ("jincheng", "晋城"),
]


def test_longest_phrase_wins_and_matching_goes_on_after_it():
    g = Glossary.of(PAIRS)
    assert g.keywords("How is the housing expropriation relocation subsidy paid in Jincheng?") == [
        "房屋征收", "搬迁补助费", "晋城"]


def test_plurals_and_case_are_folded():
    g = Glossary.of(PAIRS)
    assert g.keywords("Subsidies for WALLS") == ["补助", "补贴", "围墙"]


def test_a_question_with_no_known_phrase_gives_nothing():
    assert Glossary.of(PAIRS).keywords("What is the weather tomorrow?") == []


def test_load_skips_comments_and_names_the_bad_line(tmp_path: Path):
    good = tmp_path / "g.tsv"
    good.write_text("# english<TAB>chinese\n\nwall\t围墙\n", encoding="utf-8")
    assert Glossary.load(good).keywords("wall") == ["围墙"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("wall\t围墙\nfence 篱笆\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        Glossary.load(bad)


def test_a_word_inside_a_known_phrase_is_part_of_a_corpus_term():
    g = Glossary.of([("heavy pollution weather", "重污染天气"), ("weather bureau", "市气象局"), ("wall", "围墙")])
    assert g.in_corpus_term("How many levels does the heavy pollution weather plan have?", "weather")
    assert not g.in_corpus_term("What is the weather tomorrow?", "weather")


def test_english_years_and_days_are_written_as_the_documents_write_them():
    assert calendar_terms("What did the mayor do on 22 March 2021?") == ["2021年", "3月22日"]
    assert calendar_terms("Which meeting was held on March 5th, 2019?") == ["2019年", "3月5日"]
    assert calendar_terms("Which projects were inspected on 20–21 July?") == ["7月20日", "7月21日"]
    assert calendar_terms("Is the deposit 100,000 yuan or 2,018 yuan?") == []  # amounts are not years


def test_a_made_up_english_question_maps_to_the_corpus_terms_of_the_bundled_glossary():
    keywords = default_glossary().keywords(
        "Within how many days must the undertaking unit reply to a deputy's suggestion about the fire control room?")
    assert {"承办单位", "人大代表建议", "答复", "消防控制室"} <= set(keywords)
    keywords = default_glossary().keywords("Can a developer pay the land-transfer fee in instalments for a prefab plant?")
    assert {"房地产开发", "土地出让金", "装配式"} <= set(keywords)
