"""Tests for ingest/formats/pdf_layout.py on character boxes laid out by hand: the rules each protect one layout."""

from __future__ import annotations

from ingest.formats.pdf_layout import Line, drop_furniture, line_text, paragraphs

SIZE = 10.0


def chars(text: str, x: float, top: float, font: str = "Song", gap: float = 0.0) -> list[dict]:
    out = []
    for ch in text:
        out.append({"text": ch, "x0": x, "x1": x + SIZE, "top": top, "bottom": top + SIZE, "size": SIZE, "fontname": font})
        x += SIZE + gap
    return out


def line(text: str, x0: float, x1: float, font: str = "Song", page: int = 1, top: float = 100.0) -> Line:
    return Line(text, page, x0, x1, top, top + SIZE, SIZE, frame=(0.0, 200.0), font=font)


def test_justification_gaps_are_not_spaces_but_a_wide_gap_is_a_tab() -> None:
    assert line_text(chars("75%", 0, 0, gap=3.0)) == "75%"
    assert line_text(chars("序号", 0, 0) + chars("项目", 60, 0)) == "序号\t项目"


def test_a_full_line_continues_into_an_unindented_line_not_into_an_indented_one() -> None:
    full, cont, indented = line("为切实规范", 0, 200), line("补偿活动。", 0, 50), line("第二条", 20, 80)
    assert [len(p) for p in paragraphs([full, cont, indented])] == [2, 1]


def test_a_wrapped_title_joins_its_centred_last_line_but_not_a_docno_in_another_font() -> None:
    title, last = line("关于印发晋城市国有土地上房屋征收与补偿办法", 0, 200, font="Hei"), line("的通知", 70, 130, font="Hei")
    docno = line("晋市政发〔2018〕23号", 50, 150, font="Song")
    assert [len(p) for p in paragraphs([title, last])] == [2]
    assert [len(p) for p in paragraphs([title, docno])] == [1, 1]


def test_a_sentence_end_stops_a_centred_join() -> None:
    body, title = line("结合我市实际，制定本办法。", 0, 200), line("第二章 征收决定", 60, 140)
    assert [len(p) for p in paragraphs([body, title])] == [1, 1]


def test_running_header_repeated_on_many_pages_is_dropped_an_issuer_opening_two_pages_is_kept() -> None:
    pages = []
    for n in range(1, 13):
        lines = [line("某某市政府公报 第3期", 0, 120, page=n, top=20.0), line("正文", 0, 40, page=n, top=400.0), line(f"— {n} —", 90, 110, page=n, top=820.0)]
        if n in (2, 5):
            lines.insert(1, line("晋城市人民政府办公厅", 40, 160, page=n, top=60.0))
        pages.append(lines)
    kept, dropped = drop_furniture(pages, [842.0] * 12)
    assert [[ln.text for ln in p] for p in kept][1] == ["晋城市人民政府办公厅", "正文"]
    assert all([ln.text for ln in p][-1] == "正文" for p in kept)
    assert dropped == ["某某市政府公报 第3期"]
