"""What the page shows, as HTML: app.render (transcript, answers, refusals, source cards), app.documents (whole-document
view, browser) and app.trace. User and corpus text must stay text; citation keys must lead to the right card."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from app.chat import Turn
from app.documents import DocumentLibrary
from app.render import render_answer, render_card, render_transcript, welcome
from app.trace import render_trace
from ingest.records import Chunk, Document, Validity
from rag.records import REASON_LABELS, REFUSAL, Answer, Citation, Lead, Passage, Reason, Trace

TODAY = date(2026, 11, 22)
EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)> ![p](http://evil.example/p.png) [点我](javascript:alert(3))'
DOC_TEXT = "第一条 总则。\n第二条 搬迁补助费18元/平方米，支付一次。其他事项另行规定。\n第三条 " + EVIL + "\n第四条 附则。"


def _doc(expires: date | None = date(2023, 7, 15)) -> Document:
    return Document(
        doc_id="f:1", source_file="f.txt", city="晋城", gazette="晋城市人民政府公报 2018年第4期", kind="embedded",
        doc_type="办法", title="晋城市房屋征收办法", text=DOC_TEXT, paragraphs=(), doc_number="晋市政发〔2018〕23号",
        wrapper_title="关于印发晋城市房屋征收办法的通知", issuer="晋城市人民政府", date=date(2018, 7, 16),
        validity=Validity(effective=date(2018, 7, 16), expires=expires, statement="有效期5年"),
    )


def _chunk(n: int) -> Chunk:
    lines = DOC_TEXT.split("\n")
    start = sum(len(x) + 1 for x in lines[: n - 1])
    text = lines[n - 1]
    path = ("第一条", "第二条", "第三条", "第四条")[n - 1]
    return Chunk(chunk_id=f"c{n}", doc_id="f:1", ordinal=n, path=(path,), headings=(), text=text, norm_text=text,
                 start=start, end=start + len(text), line_start=n, line_end=n)


def _library(expires: date | None = date(2023, 7, 15)) -> DocumentLibrary:
    chunks = {c.chunk_id: c for c in (_chunk(n) for n in range(1, 5))}
    return DocumentLibrary({"f:1": _doc(expires)}, chunks, today=TODAY)


def _passage(key: str, n: int) -> Passage:
    c = _chunk(n)
    return Passage(key=key, chunk_id=c.chunk_id, text=c.text, doc_id="f:1", doc_title="晋城市房屋征收办法",
                   doc_number="晋市政发〔2018〕23号", wrapper_title="", path=c.path_str, headings=(), city="晋城", doc_type="办法",
                   date=date(2018, 7, 16), valid_until=date(2023, 7, 15), source_file="f.txt", line_start=n, line_end=n,
                   start=c.start, end=c.end, score=0.5, ranks={"dense": n, "keyword": 1})


def _citation(p: Passage, quote: str, lapsed: str = "") -> Citation:
    offset = p.text.index(quote)
    return Citation(key=p.key, chunk_id=p.chunk_id, doc_title=p.doc_title, doc_number=p.doc_number, path=p.path, date=p.date,
                    quote=quote, start=p.start + offset, end=p.start + offset + len(quote), source_file=p.source_file,
                    lapsed_note=lapsed)


def _trace(question: str) -> Trace:
    return Trace(question=question, rewritten=question + "（改写）", filters={"city": "晋城"},
                 legs={"dense": [("c2", 0.8123), ("c3", 0.5)], "keyword": [("c3", 12.5), ("c2", 9.25)]},
                 fused=[("c2", 0.0325), ("c3", 0.0322)], widened=["c4"], notes=["问题提到晋城，只检索晋城的文件"])


def _answer(text: str, citations: tuple[Citation, ...], passages: tuple[Passage, ...], refused: bool = False) -> Answer:
    return Answer(question="搬迁补助费怎么算？", text=text, citations=citations, passages=passages, refused=refused,
                  trace=_trace("搬迁补助费怎么算？"), timings={"total_ms": 12.0})


LAPSED = "该文件规定的有效期已于2023年7月15日届满，请核实是否仍然有效"


def _cited_answer() -> Answer:
    s1, s2 = _passage("S1", 2), _passage("S2", 3)
    c1 = _citation(s1, "搬迁补助费18元/平方米，支付一次。", LAPSED)
    c2 = _citation(s2, s2.text)
    return _answer(f"根据办法第二条：\n{s1.text}[S1]\n另见第三条：{s2.text}[S2]\n{EVIL}", (c1, c2), (s1, s2))


def test_question_with_script_and_markdown_tricks_renders_as_literal_text() -> None:
    html = render_transcript([Turn(EVIL, notice="x")], _library())
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "![p](http://evil.example/p.png) [点我](javascript:alert(3))" in html  # markdown is not interpreted


def test_answer_text_and_passages_with_html_stay_escaped() -> None:
    html = render_answer(1, _cited_answer(), _library(), staff=True)
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # twice in the answer text, once in the card's passage


def test_citation_keys_become_links_to_their_own_source_cards() -> None:
    html = render_transcript([Turn("上一个问题", notice="x"), Turn("搬迁补助费怎么算？", answer=_cited_answer())], _library())
    links = re.findall(r'<a class="cite" href="#(t\d-S\d)" data-card="(t\d-S\d)"', html)
    assert [href for href, _ in links] == ["t2-S1", "t2-S2"] and all(a == b for a, b in links)
    for target in ("t2-S1", "t2-S2"):
        card = re.search(rf'<details class="card[^"]*" id="{target}">(.*?)</details>', html, re.S)
        assert card is not None
    s1_card = re.search(r'id="t2-S1">(.*?)</details>', html, re.S)
    assert s1_card is not None and "第二条" in s1_card.group(1) and "晋市政发〔2018〕23号" in s1_card.group(1)


def test_a_key_without_citation_is_marked_invalid_not_linked() -> None:
    answer = _cited_answer()
    answer = Answer(**{**answer.__dict__, "text": answer.text + "\n还有一句。[S9]"})
    html = render_answer(1, answer, _library(), staff=True)
    assert '<span class="cite invalid"' in html and 'href="#t1-S9"' not in html


def test_card_shows_metadata_and_highlights_the_cited_sentence_inside_the_passage() -> None:
    answer = _cited_answer()
    c1, p1 = answer.citations[0], answer.passages[0]
    html = render_card(3, c1, p1, _library())
    for field in ("晋城市房屋征收办法", "晋市政发〔2018〕23号", "晋城市人民政府", "2018年7月16日", "第二条"):
        assert field in html
    assert '<blockquote class="passage">第二条 <mark class="quote">搬迁补助费18元/平方米，支付一次。</mark>其他事项另行规定。' in html
    assert 'data-doc="f:1" data-chunk="c2"' in html and f'data-qs="{c1.start}" data-qe="{c1.end}"' in html


def test_lapsed_validity_note_is_visible_on_the_card() -> None:
    answer = _cited_answer()
    lapsed = render_card(1, answer.citations[0], answer.passages[0], _library())
    assert f'<div class="lapsed">⚠ {LAPSED}</div>' in lapsed and "已过有效期" in lapsed
    assert "有效期至2023年7月15日（已届满）" in lapsed
    current = render_card(1, answer.citations[1], answer.passages[1], _library(expires=date(2030, 1, 1)))
    assert 'class="lapsed"' not in current and "已届满" not in current


def test_refusal_renders_as_no_answer_with_leads_not_as_an_answer() -> None:
    passages = (_passage("S1", 2), _passage("S2", 3))
    lead = Lead("f:1", "晋城市房屋征收办法", "晋市政发〔2018〕23号", "c2", passages[0].path)
    refusal = replace(_answer(f"{REFUSAL}\n可能相关的文件：《晋城市房屋征收办法》晋市政发〔2018〕23号", (), passages, refused=True),
                      leads=(lead,))
    html = render_answer(1, refusal, _library(), staff=True)
    assert html.startswith('<div class="a refusal" data-refused="1"><div class="badge">未找到答案</div>')
    assert REFUSAL in html and "sources" not in html and "可能相关的文件：《" not in html
    assert html.count('class="open-doc" data-doc="f:1" data-chunk="c2"') == 1  # one lead per document
    answered = render_answer(1, _cited_answer(), _library(), staff=True)
    assert answered.startswith('<div class="a answer"') and "未找到答案" not in answered
    # a refusal quoting the clause it judged shows that clause's source card and a link to it, beside the leads
    s1 = passages[0]
    quoting = replace(refusal, text=f"{REFUSAL}\n文件中的相关规定（供核对）：\n{s1.text}[S1]",
                      citations=(_citation(s1, s1.text),))
    html = render_answer(1, quoting, _library(), staff=True)
    assert html.startswith('<div class="a refusal"') and 'class="sources"' in html and html.count('class="card') == 1
    assert 'href="#' in html and html.count('class="open-doc" data-doc="f:1"') >= 1


def test_the_reason_of_a_refusal_or_an_extract_is_shown_and_marked() -> None:
    refusal = replace(_answer(REFUSAL, (), (_passage("S1", 2),), refused=True), reason=Reason.YEAR_NOT_COVERED)
    html = render_answer(1, refusal, _library(), staff=False)
    assert html.startswith('<div class="a refusal" data-refused="1" data-reason="year_not_covered">')
    assert f'<div class="reason">{REASON_LABELS[Reason.YEAR_NOT_COVERED]}</div>' in html
    declined = replace(_cited_answer(), reason=Reason.MODEL_DECLINED)
    html = render_answer(1, declined, _library(), staff=False)
    assert 'data-refused="0" data-reason="model_declined"' in html and REASON_LABELS[Reason.MODEL_DECLINED] in html
    assert "data-reason" not in render_answer(1, _cited_answer(), _library(), staff=False)


def test_streaming_turn_shows_status_then_escaped_partial_text_without_links() -> None:
    html = render_transcript([Turn("问", status="正在检索相关文件……", partial="<b>部分</b>[S1]<i>后")], _library())
    assert "正在检索相关文件……" in html and "&lt;b&gt;部分&lt;/b&gt;" in html and "&lt;i&gt;后" in html
    assert '<span class="cite">[S1]</span>' in html and "<a " not in html


def test_whole_document_view_marks_the_clause_and_the_quote_with_an_anchor() -> None:
    c = _citation(_passage("S1", 2), "搬迁补助费18元/平方米，支付一次。")
    html = _library().document_html("f:1", "c2", c.start, c.end)
    assert '<mark class="clause" id="clause-c2">第二条 <mark class="quote">搬迁补助费18元/平方米，支付一次。</mark>其他事项另行规定。</mark>' in html
    assert "第一条 总则。" in html and "第四条 附则。" in html  # the whole document, not the clause alone
    assert "<script" not in html and "&lt;script&gt;" in html


def test_whole_document_view_ignores_a_quote_outside_the_clause_and_unknown_ids() -> None:
    lib = _library()
    html = lib.document_html("f:1", "c2", 0, 5)
    assert '<mark class="clause" id="clause-c2">' in html and 'class="quote"' not in html
    assert "未找到该文件" in lib.document_html("nope", "c2")
    assert "<mark" not in lib.document_html("f:1", "c-unknown")


def test_document_browser_lists_each_document_with_metadata_and_chunk_count() -> None:
    html = _library().browser_html()
    row = re.search(r'<tr data-doc="f:1".*?</tr>', html, re.S)
    assert row is not None
    for field in ("晋市政发〔2018〕23号", "晋城市房屋征收办法（关于印发晋城市房屋征收办法的通知）", "晋城市人民政府", "2018年7月16日",
                  "晋城", "办法", "有效期至2023年7月15日（已届满）", '<td class="n">4</td>'):
        assert field in row.group(0)
    assert "<script" not in html


def test_trace_shows_the_rendered_answers_rewrite_legs_scores_fusion_and_widening() -> None:
    answer = _cited_answer()
    html = render_trace(answer, _library())
    assert "搬迁补助费怎么算？（改写）" in html and "city=晋城" in html and "问题提到晋城" in html
    assert "向量检索（dense，2条）" in html and "0.8123" in html and "关键词检索（keyword，2条）" in html and "12.5000" in html
    assert "融合排序（RRF，2条）" in html and "0.0325" in html
    assert "扩展进来的片段" in html and "第四条" in html
    assert "<script" not in html


def test_the_greeting_names_the_cities_the_index_holds() -> None:
    assert "晋城、长治两市政府公报" in welcome(["晋城", "长治"])
    assert "晋城、长治、大同各市政府公报" in welcome(["晋城", "长治", "大同"])
    assert "文件库中政府公报" in welcome([])


def test_trace_shows_the_parts_a_multi_part_question_was_split_into() -> None:
    answer = _cited_answer()
    split = replace(answer, trace=replace(answer.trace, parts=["搬迁补助费怎么算", "多久发放"]))
    assert "问题拆分" in render_trace(split, _library()) and "（1）搬迁补助费怎么算；（2）多久发放" in render_trace(split, _library())
    assert "未拆分" in render_trace(answer, _library())


def test_trace_says_how_many_hits_the_near_duplicate_cap_moved_down() -> None:
    answer = _cited_answer()
    capped = replace(answer, trace=replace(answer.trace, capped=["c1", "c2"]))
    assert "近似重复" in render_trace(capped, _library()) and "2条片段移到了后面" in render_trace(capped, _library())
    assert "近似重复" not in render_trace(answer, _library())


# --- a table printed column by column (a 附表 column dump): shown as its rows, never as the dump -----------------

DUMP_TEXT = "第一条 果树按株补偿。\n附表：\n序号\t1\t2\t项目\t果树\t围栏\t分类\t苹果果树\t木围栏\t单位\t株\tm\t补偿标准（元）\t120\t30\n第二条 附则。"
DUMP_LAYOUT = "附表：\n序号：1；项目：果树；分类：苹果果树；单位：株；补偿标准（元）：120\n序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30"


def _dump_library() -> tuple[DocumentLibrary, Chunk, Chunk]:
    a = DUMP_TEXT.index("附表：")
    b = DUMP_TEXT.index("\n第二条")
    block = Chunk(chunk_id="blk", doc_id="f:1", ordinal=2, path=("附表",), headings=(), text=DUMP_TEXT[a:b],
                  norm_text="", start=a, end=b, line_start=2, line_end=3, kind="table", layout=DUMP_LAYOUT)
    r = DUMP_TEXT.index("木围栏")
    row = Chunk(chunk_id="row2", doc_id="f:1", ordinal=3, path=("附表", "第2行"), headings=(), text="木围栏", norm_text="",
                start=r, end=r + 3, line_start=3, line_end=3, kind="table_row", parent_id="blk",
                cells=(("序号", "2"), ("项目", "围栏"), ("分类", "木围栏"), ("单位", "m"), ("补偿标准（元）", "30")))
    doc = replace(_doc(), text=DUMP_TEXT)
    return DocumentLibrary({"f:1": doc}, {"blk": block, "row2": row}, today=TODAY), block, row


def test_a_source_card_shows_a_column_dump_block_as_its_rows() -> None:
    lib, block, _ = _dump_library()
    p = replace(_passage("S1", 2), chunk_id="blk", text=block.text, path="附表", start=block.start, end=block.end,
                kind="table", layout=block.layout)
    card = render_card(1, _citation(p, p.text), p, lib)
    assert "序号：1；项目：果树；分类：苹果果树；单位：株；补偿标准（元）：120" in card
    assert "序号\t1\t2" not in card and "苹果果树\t木围栏" not in card


def test_the_whole_document_view_shows_a_column_dump_as_its_rows_and_marks_a_cited_row_in_it() -> None:
    lib, block, row = _dump_library()
    for chunk in (block, row):
        html = lib.document_html("f:1", chunk.chunk_id, chunk.start, chunk.end)
        assert "序号\t1\t2" not in html and "序号：2；项目：围栏" in html
        assert f'<mark class="clause" id="clause-{chunk.chunk_id}">' in html
        assert "第一条 果树按株补偿。" in html and "第二条 附则。" in html
    assert "序号\t1\t2" not in lib.document_html("f:1") and "序号：1；项目：果树" in lib.document_html("f:1")


def _row_passage(row: Chunk) -> Passage:
    return replace(_passage("S2", 2), chunk_id=row.chunk_id, text=row.text, path="附表 第2行", start=row.start,
                   end=row.end, kind="table_row", cells=row.cells)


def test_a_row_rebuilt_from_a_column_dump_reads_as_its_cells_on_its_card_marked_whole_when_cited_whole() -> None:
    lib, _, row = _dump_library()
    p = _row_passage(row)  # printed span: its own 分类 cell, 木围栏; the rest of the row is printed in other columns
    card = render_card(1, _citation(p, p.text), p, lib)
    quoted = card[card.index('<blockquote class="passage">'):card.index("</blockquote>")]
    assert quoted == '<blockquote class="passage"><mark class="quote">序号：2；项目：围栏；分类：木围栏；单位：m；补偿标准（元）：30</mark>'
    assert f'data-qs="{row.start}" data-qe="{row.end}"' in card  # the whole-document view still opens at the printed cell


def test_a_printed_row_cited_by_one_sentence_reads_as_its_cells_with_that_sentence_marked_in_its_cell() -> None:
    printed = "3\t木围栏\t按长度计。含立柱。\t30"  # 项目 left empty (merged with the row above): filled down, not printed
    cells = (("序号", "3"), ("项目", "围栏"), ("分类", "木围栏"), ("说明", "按长度计。含立柱。"), ("补偿标准（元）", "30"))
    p = replace(_passage("S1", 2), text=printed, end=_chunk(2).start + len(printed), kind="table_row", cells=cells)
    card = render_card(1, _citation(p, "含立柱。"), p, _library())
    assert ('<blockquote class="passage">序号：3；项目：围栏；分类：木围栏；说明：按长度计。<mark class="quote">含立柱。</mark>'
            "；补偿标准（元）：30</blockquote>") in card
    assert "\t" not in card
