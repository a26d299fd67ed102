"""Document inventory per gazette file, checked against the catalogues (docs/catalogue-1.md, catalogue-2.md)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.ingest.corpus_fixtures import FILES, doc_by, parsed

# Own 文号 of every issued document, per file, as the catalogues list them.
CATALOGUE_NUMBERS = {
    "jincheng-2018-04.txt": {
        "晋市政发〔2018〕23号", "晋市政发〔2018〕26号", "晋市政发〔2018〕27号", "晋市政办〔2018〕53号", "晋市政办〔2018〕54号",
        "晋市政办〔2018〕55号", "晋市政办〔2018〕57号", "晋市政办〔2018〕58号", "晋市政办〔2018〕59号", "晋市政办〔2018〕60号",
    },
    "jincheng-2021-02.txt": {
        "晋市政发〔2021〕1号", "晋市政发〔2021〕3号", "晋市政发〔2021〕4号", "晋市政发〔2021〕5号", "晋市政发〔2021〕6号",
        "晋市政发〔2021〕7号", "晋市政发〔2021〕10号", "晋市政办〔2021〕6号", "晋市政办〔2021〕7号", "晋市政办〔2021〕8号",
        "晋市政办〔2021〕9号", "晋市政办〔2021〕10号", "晋市政办〔2021〕12号", "晋市政办〔2021〕13号",
    },
    "jincheng-2021-06.txt": {
        "晋市政发〔2021〕22号", "晋市政发〔2021〕23号", "晋市政办〔2021〕42号", "晋市政办〔2021〕43号", "晋市政办〔2021〕44号",
        "晋市政办〔2021〕45号", "晋市政办〔2021〕46号", "晋市审管发〔2021〕27号", "晋市审管发〔2021〕28号",
        "晋市审管发〔2021〕30号", "晋市审管发〔2021〕42号",
    },
    "jincheng-2018-01.txt": {
        "晋市政办〔2017〕106号", "晋市政办〔2017〕107号", "晋市政办〔2017〕111号", "晋市政办〔2017〕113号",
        "晋市政办〔2018〕4号", "晋市政办〔2018〕5号", "晋市政办〔2018〕7号", "晋市政办〔2018〕8号",
    },
    "changzhi-2020-03.txt": {
        "长政发〔2020〕17号", "长政办发〔2020〕23号", "长政办发〔2020〕24号", "长政办发〔2020〕26号", "长政办发〔2020〕27号",
        "长政办发〔2020〕30号", "长政办发〔2020〕32号", "长政办发〔2020〕33号", "长政办发〔2020〕34号", "长政办发〔2020〕36号",
        "长政办发〔2020〕38号",
    },
}
CATALOGUE_CHRONICLES = {
    "jincheng-2018-04.txt": 1, "jincheng-2021-02.txt": 2, "jincheng-2021-06.txt": 0,
    "jincheng-2018-01.txt": 2, "changzhi-2020-03.txt": 0,
}


@pytest.mark.parametrize("name", FILES)
def test_each_issued_document_is_found_once_with_its_own_number(name: str) -> None:
    docs, _ = parsed(name)
    notices = [d.doc_number for d in docs if d.kind == "notice"]
    assert len(notices) == len(CATALOGUE_NUMBERS[name])
    assert set(notices) == CATALOGUE_NUMBERS[name]


@pytest.mark.parametrize("name", FILES)
def test_chronicle_blocks_match_the_catalogue(name: str) -> None:
    docs, _ = parsed(name)
    assert sum(1 for d in docs if d.kind == "chronicle") == CATALOGUE_CHRONICLES[name]


@pytest.mark.parametrize("name", FILES)
def test_every_embedded_text_inherits_its_notice_number(name: str) -> None:
    docs, _ = parsed(name)
    for d in docs:
        if d.kind in ("embedded", "attachment"):
            assert d.parent_doc_number == d.doc_number
            assert d.doc_number in CATALOGUE_NUMBERS[name]


def test_13710_notice_issues_the_measures_and_five_systems() -> None:
    docs, _ = parsed("jincheng-2018-01.txt")
    texts = [d.title for d in docs if d.kind == "embedded" and d.doc_number == "晋市政办〔2017〕107号"]
    assert texts[0] == "晋城市“13710”信息督办系统使用管理暂行办法"
    assert len(texts) == 6
    assert all(t.endswith("督办制度") for t in texts[1:])


@pytest.mark.parametrize(("name", "number", "plans"), [
    ("jincheng-2021-02.txt", "晋市政办〔2021〕9号", ["空气质量巩固提升", "水生态环境保护", "土壤污染防治"]),
    ("jincheng-2021-06.txt", "晋市政办〔2021〕45号", ["应急救援领域", "自然资源领域", "生态环境领域"]),
])
def test_bundled_plans_under_one_number_are_separate_texts(name: str, number: str, plans: list[str]) -> None:
    docs, _ = parsed(name)
    titles = [d.title for d in docs if d.kind == "embedded" and d.doc_number == number]
    assert len(titles) == 3
    for title, word in zip(titles, plans, strict=False):
        assert word in title


def test_blank_template_numbers_and_cited_numbers_are_never_a_documents_own() -> None:
    for name in FILES:
        docs, _ = parsed(name)
        for d in docs:
            assert d.doc_number is None or "年〕" not in d.doc_number
    # 晋市政办〔2021〕42号 (科技计划) cites 晋政办发〔2021〕42号; the prefix keeps them apart
    assert doc_by("jincheng-2021-06.txt", "晋市政办〔2021〕42号", "notice").title == "关于印发晋城市科技计划项目管理办法的通知"


def test_signature_dates_and_a_missing_date_is_not_guessed() -> None:
    assert doc_by("jincheng-2018-04.txt", "晋市政发〔2018〕23号", "notice").date == date(2018, 7, 16)
    assert doc_by("jincheng-2018-04.txt", "晋市政办〔2018〕53号").date is None
    assert doc_by("jincheng-2018-01.txt", "晋市政办〔2018〕5号").date == date(2018, 1, 10)
    assert doc_by("changzhi-2020-03.txt", "长政办发〔2020〕30号", "notice").date == date(2020, 6, 5)


def test_displaced_headers_go_with_the_document_that_starts_on_their_page() -> None:
    plan = doc_by("jincheng-2021-06.txt", "晋市政发〔2021〕22号", "embedded")
    assert plan.title == "推动晋城市“山西精品”公用品牌建设助力全方位高质量发展实施方案"
    assert plan.line_start == 1  # the body printed before the header on the first page
    joint = doc_by("jincheng-2021-06.txt", "晋市审管发〔2021〕28号", "notice")
    assert joint.title == "关于进一步优化企业开办服务有关工作的通知"
    assert joint.issuer is not None and joint.issuer.startswith("晋城市行政审批服务管理局、晋城市公安局")


def test_the_embedded_measures_take_their_title_from_the_notice_when_printed_without_one() -> None:
    measures = doc_by("jincheng-2018-04.txt", "晋市政发〔2018〕23号", "embedded")
    assert measures.title == "晋城市国有土地上房屋征收与补偿办法"
    assert measures.wrapper_title == "关于印发晋城市国有土地上房屋征收与补偿办法的通知"


@pytest.mark.parametrize(("name", "number", "effective", "expires"), [
    ("jincheng-2018-04.txt", "晋市政发〔2018〕23号", date(2018, 7, 16), date(2023, 7, 15)),
    ("jincheng-2021-02.txt", "晋市政发〔2021〕4号", date(2021, 3, 24), date(2023, 3, 23)),
    ("jincheng-2021-02.txt", "晋市政办〔2021〕7号", date(2021, 4, 1), date(2023, 3, 31)),
    ("jincheng-2021-06.txt", "晋市政办〔2021〕42号", date(2021, 12, 2), date(2026, 12, 1)),
])
def test_stated_validity_gives_the_expiry_date(name: str, number: str, effective: date, expires: date) -> None:
    text = doc_by(name, number, "embedded")
    assert text.validity.effective == effective
    assert text.validity.expires == expires


def test_cities_and_gazette_issues_come_from_the_text() -> None:
    docs, _ = parsed("changzhi-2020-03.txt")
    assert {d.city for d in docs} == {"长治"}
    assert docs[0].gazette == "长治市人民政府公报 2020年第3期"
    docs, _ = parsed("jincheng-2021-02.txt")
    assert {d.city for d in docs} == {"晋城"}
    assert docs[0].gazette == "晋城市人民政府公报（2021.2）"
