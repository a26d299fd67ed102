"""Tests for ingest/formats/docx.py and numbering.py: Word documents made with python-docx (paragraphs, Word list
numbering, tables, running header and footer). Agreement with a gazette's text is in test_pdf.py."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from ingest.formats.docx import read_docx
from ingest.formats.numbering import chinese_number, format_number
from ingest.reader import IngestError

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# 一、 / （一） / 1. as Word numbers them: one abstract list with three levels
_ABSTRACT = f"""<w:abstractNum {_NS} w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>"""
_NUM = f'<w:num {_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'


def _numbered(document: docx.document.Document, text: str, level: int) -> None:
    para = document.add_paragraph(text)
    ppr = para._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {_NS}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))


def make_docx(path: Path) -> Path:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(_ABSTRACT))
    numbering.append(parse_xml(_NUM))
    document.sections[0].header.paragraphs[0].text = "长治市人民政府公报（2020. 3）"
    document.sections[0].footer.paragraphs[0].text = "— 7 —"
    document.add_paragraph("长治市人民政府办公室关于做好防汛工作的通知")
    document.add_paragraph("长政办发〔2020〕12号")
    _numbered(document, "总体要求", 0)
    _numbered(document, "压实责任。", 1)
    _numbered(document, "落实到人。", 2)
    _numbered(document, "落实到岗。", 2)
    _numbered(document, "强化预警。", 1)
    _numbered(document, "保障措施", 0)
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["序号", "单位", "电话"], ["1", "市应急局", "2020000"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合计"
    merged.cell(0, 2).text = "2个"
    document.save(str(path))
    return path


def test_docx_reader_prints_word_numbering_tables_by_row_and_drops_header_and_footer(tmp_path: Path) -> None:
    extraction = read_docx(make_docx(tmp_path / "a.docx"))
    assert [ln.text for ln in extraction.lines] == [
        "长治市人民政府办公室关于做好防汛工作的通知", "长政办发〔2020〕12号",
        "一、总体要求", "（一）压实责任。", "1.落实到人。", "2.落实到岗。", "（二）强化预警。", "二、保障措施",
        "序号\t单位\t电话", "1\t市应急局\t2020000", "合计\t2个",
    ]
    assert extraction.furniture == ("长治市人民政府公报（2020. 3）", "— 7 —")
    assert (extraction.fmt, extraction.positioned, extraction.whole_paragraphs) == ("docx", True, True)


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"), (100, "一百"), (105, "一百零五"), (112, "一百一十二")])
def test_chinese_counting_numbers_as_printed(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_number_formats_of_word_lists() -> None:
    assert [format_number(3, f) for f in ("decimal", "decimalEnclosedCircle", "lowerLetter", "upperRoman", "decimalFullWidth")] == [
        "3", "③", "c", "III", "３"]


def test_docx_without_text_fails_naming_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(IngestError) as info:
        read_docx(path)
    assert (info.value.path, info.value.problem) == (str(path), "the .docx has no text")
