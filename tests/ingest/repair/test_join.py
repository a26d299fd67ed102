"""Tests for ingest/repair/join.py: hard line breaks are joined without spaces, never across structure (headings,
文号 lines, signatures, dates, table rows), and the one-paragraph-per-line layout joins only long unfinished lines.
Fixtures are real lines (docs/catalogue-1.md §2.2, catalogue-2.md A1, §4.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.records import Paragraph, SourceLine
from ingest.repair.join import ends_block, is_wrapped_layout, join_lines, starts_block
from ingest.repair.lines import drop_front_matter, drop_page_furniture, split_lines

GAZETTES = Path(__file__).resolve().parents[3] / "data" / "gazettes"

# 000 L3–13: a page-wrapped paragraph, about 21 characters a line (the corpus median). It sets the line width.
ARTICLE_ONE = [
    "第一条 为切实规范我市国有土地上房屋",
    "征收与补偿活动，维护公共利益，保障被征收房",
    "屋所有权人的合法权益，根据国务院《国有土地",
    "上房屋征收与补偿条例》和《山西省国有土地上",
    "房屋征收与补偿条例》及相关法律、法规，结合我",
    "市实际，制定本办法。",
]
ARTICLE_ONE_TEXT = "".join(ARTICLE_ONE)


def joined(*lines: str) -> list[str]:
    """Paragraph texts for lines in the page-wrapped layout, after the width-setting 第一条 paragraph."""
    source = [SourceLine(i, text) for i, text in enumerate([*ARTICLE_ONE, *lines], start=1)]
    paragraphs = join_lines(source)
    assert paragraphs[0].text == ARTICLE_ONE_TEXT
    return [p.text for p in paragraphs[1:]]


def test_wrapped_lines_join_without_inserting_spaces() -> None:
    source = [SourceLine(2 * i + 1, text) for i, text in enumerate(ARTICLE_ONE)]
    assert join_lines(source) == [
        Paragraph(
            "第一条 为切实规范我市国有土地上房屋征收与补偿活动，维护公共利益，保障被征收房屋所有权人的合法权益，"
            "根据国务院《国有土地上房屋征收与补偿条例》和《山西省国有土地上房屋征收与补偿条例》及相关法律、法规，"
            "结合我市实际，制定本办法。",
            1,
            11,
        )
    ]


def test_line_break_inside_a_word_is_joined() -> None:
    # 001 L723–724 "同时抄 / 送"
    assert joined(
        "各县（市、区）人民政府、开发区管委会要于每年1月底前将", "上年度工作情况报市人民政府，同时抄", "送市司法局。"
    ) == ["各县（市、区）人民政府、开发区管委会要于每年1月底前将上年度工作情况报市人民政府，同时抄送市司法局。"]


def test_docno_broken_before_hao_is_joined() -> None:
    # 000 L656–659 "（中央编办发〔2018〕23 / 号）"
    assert joined(
        "为认真贯彻落实中央编办、国务院法制办",
        "《关于深入推进和完善地方各级政府工作部门权",
        "责清单制度的指导意见》（中央编办发〔2018〕23",
        "号），山西省机构编制委员会办公室《关于推进全",
        "省各级政府部门权责清单标准化建设的通知》要求。",
    ) == [
        "为认真贯彻落实中央编办、国务院法制办《关于深入推进和完善地方各级政府工作部门权责清单制度的指导意见》"
        "（中央编办发〔2018〕23号），山西省机构编制委员会办公室《关于推进全省各级政府部门权责清单标准化建设的通知》要求。"
    ]


def test_docno_broken_after_the_year_is_joined() -> None:
    # 001 L333–335 "（晋政办发〔2020〕 / 107号）"; the number is not mistaken for a numbered heading
    assert joined(
        "发〔2020〕35号）和省政府办公厅《关于进一步加强",
        "安全生产监管能力建设的意见》（晋政办发〔2020〕",
        "107号），加强各级政府领导班子安全监管能力建",
        "设。",
    ) == [
        "发〔2020〕35号）和省政府办公厅《关于进一步加强安全生产监管能力建设的意见》（晋政办发〔2020〕107号），加强各级政府领导班子安全监管能力建设。"
    ]


def test_date_broken_before_nian_is_joined() -> None:
    # 000 L7599–7600 "2018 / 年7月底前"
    assert joined("各县（市、区）人民政府、开发区管委会要于2018", "年7月底前完成清理工作。") == [
        "各县（市、区）人民政府、开发区管委会要于2018年7月底前完成清理工作。"
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "第七条 对认定为违法占地、违法建设的建",
        "二、工作任务",
        "（一）指导思想",
        "1.开展土壤污染状况详查。按照国家和省",
        "（1）政府债券",
        "①董封乡口河村→（经太行一号风景道）到西",
    ],
)
def test_no_join_into_a_following_numbered_heading(heading: str) -> None:
    unfinished = "各县（市、区）人民政府要切实加强组织领导，明确"
    assert joined(unfinished, heading)[0] == unfinished


@pytest.mark.parametrize("heading", ["一、总体要求", "（一）指导思想", "第三章 监督检查", "三、保障措施"])
def test_short_heading_line_is_not_joined_with_the_body_below(heading: str) -> None:
    body = ["以习近平新时代中国特色社会主义思想为指导，全", "面贯彻党的十九大和十九届历次全会精神。"]
    assert joined(heading, *body) == [heading, "".join(body)]


def test_short_doubled_heading_is_not_joined_with_the_body_below() -> None:
    # 000 L2194–2197, in a file of ordinary width
    assert joined("（（四四））人员培训人员培训", "根据巡查工作需要，适时对参加派驻工作的", "人员进行培训。") == [
        "（四）人员培训",
        "根据巡查工作需要，适时对参加派驻工作的人员进行培训。",
    ]


def test_wrapped_doubled_heading_joins_its_doubled_continuation_and_collapses() -> None:
    # 000 L6460–6464
    assert joined(
        "（（一一））推进土壤污染状况调查推进土壤污染状况调查，，强化土壤环境强化土壤环境",
        "监测网络建设监测网络建设",
        "1.开展土壤污染状况详查。按照国家和省统一部",
        "署，完成农用地详查。",
    ) == [
        "（一）推进土壤污染状况调查，强化土壤环境监测网络建设",
        "1.开展土壤污染状况详查。按照国家和省统一部署，完成农用地详查。",
    ]


def test_no_join_across_a_docno_line() -> None:
    # 000 L8656–8660 before the reading-order repair: the 文号 line stays its own paragraph
    assert joined("第三条 市人民政府对各县（市、区）人民政", "晋市政办〔2018〕60号", "府耕地保护责任目标履行情况进行考核。") == [
        "第三条 市人民政府对各县（市、区）人民政",
        "晋市政办〔2018〕60号",
        "府耕地保护责任目标履行情况进行考核。",
    ]


@pytest.mark.parametrize("issuer", ["晋城市人民政府", "晋城市人民政府办公厅", "晋城市人民政府办公室", "晋城市行政审批服务管理局"])
def test_no_join_across_a_signature_line(issuer: str) -> None:
    assert joined("各县（市、区）人民政府、开发区管委会要认真贯彻执行", issuer, "关于规范中心城市规划区土地征收") == [
        "各县（市、区）人民政府、开发区管委会要认真贯彻执行",
        issuer,
        "关于规范中心城市规划区土地征收",
    ]


def test_no_join_across_a_date_line() -> None:
    assert joined("各县（市、区）人民政府、开发区管委会要认真贯彻执行", "2021年3月25日", "（此件公开发布）", "附件") == [
        "各县（市、区）人民政府、开发区管委会要认真贯彻执行",
        "2021年3月25日",
        "（此件公开发布）",
        "附件",
    ]


def test_no_join_across_tab_separated_table_rows() -> None:
    assert joined(
        "单位名称、值班电话和值班传真如下",
        "单 位\t值班电话\t值班传真",
        "市政府办公厅\t2196001\t2196002",
        "市财政局\t2196101\t2196102",
    ) == [
        "单位名称、值班电话和值班传真如下",
        "单 位\t值班电话\t值班传真",
        "市政府办公厅\t2196001\t2196002",
        "市财政局\t2196101\t2196102",
    ]


def test_no_join_into_a_dash_bullet_or_chronicle_entry() -> None:
    assert joined(
        "各类企业要落实安全生产主体责任，切实做到", "——煤矿：严格落实“三项监管”制度。", "25日 市长王震主持召开市政府常务会议。"
    ) == [
        "各类企业要落实安全生产主体责任，切实做到",
        "——煤矿：严格落实“三项监管”制度。",
        "25日 市长王震主持召开市政府常务会议。",
    ]


def test_paragraph_records_its_first_and_last_source_line_and_moved_flag() -> None:
    lines = [
        SourceLine(10, "晋城市自然资源领域", moved=True),
        SourceLine(12, "市与县（市、区）财政事权和支出责任划分", moved=True),
        SourceLine(14, "改革实施方案", moved=True),
        SourceLine(3, "根据《山西省自然资源领域省级与市县财政事权"),
    ]
    assert join_lines(lines) == [
        Paragraph("晋城市自然资源领域市与县（市、区）财政事权和支出责任划分改革实施方案", 10, 14, moved=True),
        Paragraph("根据《山西省自然资源领域省级与市县财政事权", 3, 3),
    ]


def test_join_lines_of_nothing_is_nothing() -> None:
    assert join_lines([]) == []


# --- one paragraph per line (003, 004) ---------------------------------------------------------------------------

# 003 L121–125: one paragraph per line; L121 is cut mid-word ("卫河支" / "流。") by a page break
ONE_PER_LINE = [
    "晋城市位于山西省东南部,太行山南麓,境内山峦起伏。晋城市是华北地区相对的富水区,境内河流纵横,主要为沁河和丹河两大流域,以及卫河支",
    "流。沁河发源于长治市沁源县,丹河发源于高平市,沁河为常流河,丹河为季节性河流。",
    "随着晋城市水域经济和水路运输业的快速发展,码头综合运输能力持续提高,船舶拥有量和客运量增长快速。",
    "七、文化",  # 004 L1020–1022: a short heading, then short label lines
    "旅游",
    "方面",
    "晋城市防治船舶及其有关作业活动污染通航水域环境应急能力建设规划",
    "为全面提升我市船舶污染应急处置能力,依据《中华人民共和国水污染防治法》等法律法规,结合我市实际,制定本规划。",
]


def test_one_paragraph_per_line_layout_is_detected() -> None:
    assert is_wrapped_layout([SourceLine(i, t) for i, t in enumerate(ONE_PER_LINE)]) is False


def test_one_paragraph_per_line_joins_only_the_long_unfinished_line() -> None:
    paragraphs = join_lines([SourceLine(2 * i + 1, t) for i, t in enumerate(ONE_PER_LINE)])
    assert [p.text for p in paragraphs] == [
        ONE_PER_LINE[0] + ONE_PER_LINE[1],
        ONE_PER_LINE[2],
        "七、文化",
        "旅游",
        "方面",
        ONE_PER_LINE[6],
        ONE_PER_LINE[7],
    ]
    assert (paragraphs[0].line_start, paragraphs[0].line_end) == (1, 3)


def test_one_paragraph_per_line_chronicle_entry_cut_by_a_page_break_is_joined() -> None:
    # 003 L2101–2103
    lines = [*ONE_PER_LINE[:3], "1月20日 晋城市太行一号国家风景道工程", "在陵川县六泉乡赵迪岭村正式开工建设。"]
    paragraphs = join_lines([SourceLine(i, t) for i, t in enumerate(lines)])
    assert paragraphs[-1].text == "1月20日 晋城市太行一号国家风景道工程在陵川县六泉乡赵迪岭村正式开工建设。"


@pytest.mark.parametrize(
    ("name", "wrapped"),
    [
        ("jincheng-2021-02.txt", True),
        ("jincheng-2021-06.txt", True),
        ("jincheng-2018-01.txt", False),
        ("changzhi-2020-03.txt", False),
    ],
)
def test_layout_detection_on_real_files(name: str, wrapped: bool) -> None:
    lines = drop_front_matter(drop_page_furniture(split_lines((GAZETTES / name).read_text(encoding="utf-8"))))
    assert is_wrapped_layout(lines) is wrapped


# --- block edges -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "第十二条 为了规范",
        "（（一一））人员构成人员构成。。",
        "1010.. 深入推进",
        "晋市政办〔2018〕60号",
        "2021年3月25日",
        "（此件公开发布）",
        "晋城市人民政府办公厅",
        "晋城市人民政府7月大事记",
        "※ 2月1日 市长刘锋主持召开会议",
        "附件1",
        "序号\t项目",
        "——煤矿：",
        "抄送：市委各部门",
        "关于印发晋城市行政执法监督暂行办法的通知",
    ],
)
def test_starts_block_for_structural_lines(line: str) -> None:
    assert starts_block(line) is True


@pytest.mark.parametrize(
    "line", ["府耕地保护责任目标履行情况进行考核", "107号），加强各级政府领导班子", "年7月底前完成", "关材料；"]
)
def test_starts_block_false_for_continuations(line: str) -> None:
    assert starts_block(line) is False


@pytest.mark.parametrize(
    "line",
    [
        "制定本办法。",
        "会同有关部门：",
        "晋市政办〔2018〕60号",
        "2018年8月10日",
        "（此件公开发布）",
        "晋城市人民政府",
        "通 知",
        "附件2",
    ],
)
def test_ends_block_for_finished_lines(line: str) -> None:
    assert ends_block(line) is True


@pytest.mark.parametrize("line", ["第一条 为切实规范我市国有土地上房屋", "（中央编办发〔2018〕23", "各县（市、区）人民政"])
def test_ends_block_false_for_unfinished_lines(line: str) -> None:
    assert ends_block(line) is False


def test_a_table_printed_column_by_column_becomes_one_paragraph_of_cells() -> None:
    """After a 附表N label, a run of short lines is a table dumped column by column (jincheng-2018-04 附表1): its
    cells are kept apart by tabs instead of being glued like prose (序号123…项目围墙地面硬化…)."""
    cells = ["序号", "1", "2", "3", "项 目", "围墙", "地面硬化", "大门", "补偿标准（元）", "80", "100", "2000"]
    got = joined("附表1：", "晋城市房屋征收附属物补偿指导价示例表格的标题", *cells, "注：未列项目结合市场实际协商确定。")
    assert got == ["附表1：", "晋城市房屋征收附属物补偿指导价示例表格的标题", "\t".join(cells), "注：未列项目结合市场实际协商确定。"]


def test_short_lines_without_a_table_label_or_too_few_are_not_a_column_dump() -> None:
    assert "\t" not in "".join(joined("围墙", "地面硬化", "大门", "水井", "水池", "厕所", "影壁", "简易房", "活动板房"))
    assert joined("附表2：", "序号", "1", "2", "项目") == ["附表2：", "序号12项目"]


def test_the_real_column_dumps_of_jincheng_2018_04_keep_their_cells() -> None:
    lines = drop_page_furniture(split_lines((GAZETTES / "jincheng-2018-04.txt").read_text(encoding="utf-8")))
    dumps = [p.text.split("\t") for p in join_lines(lines) if p.text.count("\t") >= 8]
    assert [cells[:4] for cells in dumps] == [["序号", "1", "2", "3"], ["序号", "1", "2", "3"]]
    first = dumps[0]
    assert first[first.index("项 目") + 1:first.index("项 目") + 4] == ["围墙", "地面硬化", "大门"]
    assert "砖砌，水泥抹面" in first  # a cell may hold a comma
    assert first[-1] == "结构不完整"  # the dump ends at the note below the table (注：…。)
