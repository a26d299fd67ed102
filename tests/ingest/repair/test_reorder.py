"""Tests for ingest/repair/reorder.py: displaced title blocks, headers and lone 文号 lines go back to where they
belong (docs/catalogue-1.md §2.4, §3.2). The real cases run the whole chain (repair_text) on data/gazettes/*.txt."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ingest.records import Paragraph, SourceLine
from ingest.repair import repair_text
from ingest.repair.lines import split_lines
from ingest.repair.reorder import page_bounds, restore_reading_order

GAZETTES = Path(__file__).resolve().parents[3] / "data" / "gazettes"


@cache
def repaired(name: str) -> tuple[Paragraph, ...]:
    return tuple(repair_text((GAZETTES / name).read_text(encoding="utf-8")))


def index_of(paragraphs: tuple[Paragraph, ...], text: str) -> int:
    matches = [i for i, p in enumerate(paragraphs) if p.text == text]
    assert len(matches) == 1, f"{text!r} occurs {len(matches)} times"
    return matches[0]


def index_startswith(paragraphs: tuple[Paragraph, ...], prefix: str) -> int:
    matches = [i for i, p in enumerate(paragraphs) if p.text.startswith(prefix)]
    assert len(matches) == 1, f"{prefix!r} starts {len(matches)} paragraphs"
    return matches[0]


def padded(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


# --- real files --------------------------------------------------------------------------------------------------


def test_2018_04_header_of_23hao_is_moved_before_its_first_article() -> None:
    # 000: 第一条–第六条 (L3–45), then the notice header (L47–69), then " 第七条" on the next page
    paras = repaired("jincheng-2018-04.txt")
    docno = index_of(paras, "晋市政发〔2018〕23号")
    first_article = index_startswith(paras, "第一条 为切实规范我市国有土地上房屋征收与补偿活动")
    assert paras[0] == Paragraph("晋城市人民政府", 47, 47, moved=True)
    assert paras[docno - 1].text == "关于印发晋城市国有土地上房屋征收与补偿办法的通知"
    assert docno < first_article
    assert paras[first_article - 1] == Paragraph("（此件公开发布）", 69, 69, moved=True)


def test_2018_04_articles_six_and_seven_of_23hao_are_adjacent_after_the_header_moves() -> None:
    paras = repaired("jincheng-2018-04.txt")
    sixth = index_startswith(paras, "第六条 市、县（市、区）人民政府对符合公共利益")
    assert (
        paras[sixth].text
        == "第六条 市、县（市、区）人民政府对符合公共利益、确需征收房屋的，应当根据规划用地范围和房屋实际状况确定房屋征收范围，并予以公布。"
    )
    assert paras[sixth + 1].text == "第七条 对认定为违法占地、违法建设的建（构）筑物及超过批准期限的临时建筑，依法不予补偿。"


def test_2021_06_article_seven_item_two_of_23hao_joins_you_and_guan_cailiao() -> None:
    # 002 L519 "…和其他有" / header L521–541 / L542 " 关材料；"
    paras = repaired("jincheng-2021-06.txt")
    holding = [p for p in paras if "和其他有关材料" in p.text]
    assert holding == [Paragraph("（二）查阅、复制、调取行政执法案卷和其他有关材料；", 519, 542)]


def test_2021_06_header_of_23hao_moves_to_the_top_of_its_page_before_chapter_one() -> None:
    # the page holding the header starts at L447 "第一章 总 则"; the header (L521–541) belongs above it
    paras = repaired("jincheng-2021-06.txt")
    docno = index_of(paras, "晋市政发〔2021〕23号")
    title = index_of(paras, "晋城市行政执法监督暂行办法")
    assert paras[docno - 2] == Paragraph("晋城市人民政府", 521, 521, moved=True)
    assert paras[title] == Paragraph("晋城市行政执法监督暂行办法", 541, 541, moved=True)
    assert paras[title + 1] == Paragraph("第一章 总则", 447, 447)
    assert paras[docno - 3].line_end == 446  # the last paragraph of 22号 stays before the header


def test_2018_04_60hao_split_sentence_ren_min_zheng_fu_is_rejoined() -> None:
    # 000 L8656–8660: "对各县（市、区）人民政" / 晋市政办〔2018〕60号 / " 府耕地保护…"
    paras = repaired("jincheng-2018-04.txt")
    holding = [p for p in paras if "人民政府耕地保护责任目标履行情况" in p.text]
    assert holding == [
        Paragraph(
            "第三条 市人民政府对各县（市、区）人民政府耕地保护责任目标履行情况进行考核，"
            "由市国土资源局会同市农委、市统计局（以下简称“考核部门”）负责组织开展考核检查工作。",
            8656,
            8663,
        )
    ]


def test_2018_04_60hao_docno_line_stands_right_after_its_title() -> None:
    paras = repaired("jincheng-2018-04.txt")
    docno = index_of(paras, "晋市政办〔2018〕60号")
    assert paras[docno] == Paragraph("晋市政办〔2018〕60号", 8658, 8658, moved=True)
    assert paras[docno - 1].text == "关于印发县级政府耕地保护责任目标考核办法的通知"
    assert paras[docno - 2].text == "晋城市人民政府办公厅"


def test_2021_06_43hao_split_word_biangeng_shouxu_is_rejoined() -> None:
    # 002 L1297 "…办理备案撤销或变更手" / title + 文号 L1299–1305 / L1306 " 续。公安机关…"
    paras = repaired("jincheng-2021-06.txt")
    holding = [p for p in paras if "变更手续" in p.text]
    assert len(holding) == 1
    assert (
        "应当在10个工作日内向原备案公安机关办理备案撤销或变更手续。公安机关应当对网络运营者提交的备案材料进行审核"
        in holding[0].text
    )
    assert (holding[0].line_start, holding[0].line_end) == (1273, 1312)


def test_2021_06_43hao_title_block_opens_its_document() -> None:
    paras = repaired("jincheng-2021-06.txt")
    docno = index_of(paras, "晋市政办〔2021〕43号")
    assert [p.text for p in paras[docno - 2 : docno + 2]] == [
        "晋城市人民政府办公室",
        "关于贯彻落实网络安全等级保护制度和关键信息基础设施安全保护制度的实施意见",
        "晋市政办〔2021〕43号",
        "各县（市、区）人民政府、开发区管委会，市人民政府各委、办、局：",
    ]


def test_2021_06_natural_resources_plan_title_follows_the_previous_plans_closing_line() -> None:
    # 002 L2883 "本方案自印发之日起实施。", L2885… first page of the plan, title at L2936–2940 mid-sentence
    paras = repaired("jincheng-2021-06.txt")
    title = index_of(paras, "晋城市自然资源领域市与县（市、区）财政事权和支出责任划分改革实施方案")
    assert paras[title] == Paragraph(
        "晋城市自然资源领域市与县（市、区）财政事权和支出责任划分改革实施方案", 2936, 2940, moved=True
    )
    assert paras[title - 1] == Paragraph("本方案自印发之日起实施。", 2883, 2883)
    assert paras[title + 1].text.startswith(
        "根据《山西省自然资源领域省级与市县财政事权和支出责任划分改革方案》（晋政办发〔2021〕80号）精神"
    )


def test_2021_06_natural_resources_plan_sentence_split_by_its_title_is_rejoined() -> None:
    # L2934 "…保障本行政区" / title / L2941 " 域内自然资源领域公共服务的积极性"
    paras = repaired("jincheng-2021-06.txt")
    assert sum("充分调动县（市、区）保障本行政区域内自然资源领域公共服务的积极性" in p.text for p in paras) == 1


def test_2021_06_45hao_header_precedes_its_wrapper_body() -> None:
    # 002 L2587–2609 wrapper body, header L2611–2619
    paras = repaired("jincheng-2021-06.txt")
    docno = index_of(paras, "晋市政办〔2021〕45号")
    assert paras[docno + 1] == Paragraph("各县（市、区）人民政府、开发区管委会，市人民政府各委、办、局：", 2587, 2589)


# --- synthetic pages ---------------------------------------------------------------------------------------------

PLAN_PAGE = padded(
    "（三）协同推进改革。各县（市、区）要同其他改",
    "革紧密结合、协同推进、良性互动、形成合力。",
    "本方案自印发之日起实施。",
    "根据《山西省自然资源领域省级与市县财政事权",
    "和支出责任划分改革方案》精神，结合我市实际，",
    "现就有关改革制定如下方案。",
    "一、总体要求",
    "晋城市自然资源领域",
    "市与县（市、区）财政事权和支出责任划分",
    "改革实施方案",
    " （一）指导思想。以习近平新时代中国特色社会",
    "主义思想为指导，全面贯彻党的十九大精神。",
)


def test_trailing_title_block_moves_to_just_after_the_closing_line_on_its_page() -> None:
    lines = restore_reading_order(split_lines(PLAN_PAGE))
    assert [(line.lineno, line.moved) for line in lines] == [
        (1, False),
        (3, False),
        (5, False),
        (15, True),
        (17, True),
        (19, True),
        (7, False),
        (9, False),
        (11, False),
        (13, False),
        (21, False),
        (23, False),
    ]


def test_trailing_title_block_becomes_one_paragraph_after_the_closing_line() -> None:
    assert [p.text for p in repair_text(PLAN_PAGE)] == [
        "（三）协同推进改革。各县（市、区）要同其他改革紧密结合、协同推进、良性互动、形成合力。",
        "本方案自印发之日起实施。",
        "晋城市自然资源领域市与县（市、区）财政事权和支出责任划分改革实施方案",
        "根据《山西省自然资源领域省级与市县财政事权和支出责任划分改革方案》精神，结合我市实际，现就有关改革制定如下方案。",
        "一、总体要求",
        "（一）指导思想。以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。",
    ]


def test_trailing_title_block_without_earlier_closing_goes_to_the_page_top_and_takes_the_page_start_mark() -> None:
    raw = padded(
        "上一页的结尾。",
        " 根据《山西省水污染防治条例》，结合我市实际，",
        "制定本计划。",
        "晋城市2021年水生态环境保护行动计划",
        " 一、工作目标",
    )
    lines = restore_reading_order(split_lines(raw))
    assert lines == [
        SourceLine(1, "上一页的结尾。"),
        SourceLine(7, "晋城市2021年水生态环境保护行动计划", page_start=True, moved=True),
        SourceLine(3, "根据《山西省水污染防治条例》，结合我市实际，"),
        SourceLine(5, "制定本计划。"),
        SourceLine(9, "一、工作目标", page_start=True),
    ]


def test_notice_header_after_the_body_moves_to_the_page_top() -> None:
    # the 002 28号/30号 shape: body first, then issuer + title + 文号 as the last lines of the page
    raw = padded(
        " 各县（市、区）行政审批服务管理局：",
        "为进一步优化营商环境，现就有关事项通知如下。",
        "晋城市行政审批服务管理局",
        "2021年6月30日",
        "晋城市行政审批服务管理局",
        "关于实行新开办企业免费刻制印章措施的通知",
        "晋市审管发〔2021〕30号",
        " 下一篇文件的正文。",
    )
    assert [p.text for p in repair_text(raw)] == [
        "晋城市行政审批服务管理局",
        "关于实行新开办企业免费刻制印章措施的通知",
        "晋市审管发〔2021〕30号",
        "各县（市、区）行政审批服务管理局：",
        "为进一步优化营商环境，现就有关事项通知如下。",
        "晋城市行政审批服务管理局",
        "2021年6月30日",
        "下一篇文件的正文。",
    ]


def test_lone_docno_inside_a_sentence_moves_under_the_title_that_opens_the_page() -> None:
    raw = padded(
        " 晋城市人民政府办公厅",
        "关于印发县级政府耕地保护责任目标考核办法的通知",
        "第三条 市人民政府对各县（市、区）人民政",
        "晋市政办〔2018〕60号",
        " 府耕地保护责任目标履行情况进行考核。",
    )
    assert [p.text for p in repair_text(raw)] == [
        "晋城市人民政府办公厅",
        "关于印发县级政府耕地保护责任目标考核办法的通知",
        "晋市政办〔2018〕60号",
        "第三条 市人民政府对各县（市、区）人民政府耕地保护责任目标履行情况进行考核。",
    ]


def test_file_without_page_marks_is_unchanged() -> None:
    lines = split_lines(PLAN_PAGE.replace("\n （一）", "\n（一）"))
    assert not any(line.page_start for line in lines)
    assert restore_reading_order(lines) == lines


def test_page_bounds_start_a_page_at_each_page_start_line() -> None:
    lines = [
        SourceLine(1, "甲"),
        SourceLine(3, "乙"),
        SourceLine(5, "丙", page_start=True),
        SourceLine(7, "丁"),
        SourceLine(9, "戊", page_start=True),
    ]
    assert page_bounds(lines) == [(0, 2), (2, 4), (4, 5)]


def test_page_bounds_of_a_file_that_opens_with_a_page_start_has_no_empty_first_page() -> None:
    lines = [SourceLine(1, "甲", page_start=True), SourceLine(3, "乙")]
    assert page_bounds(lines) == [(0, 2)]
