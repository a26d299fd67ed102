"""Properties of repair, segmentation and chunking on arbitrary text: gazette-like lines (headings, 文号, dates,
page furniture, tables, doubled bold, markup) mixed with arbitrary unicode. Whatever comes in, nothing crashes,
every chunk's span is exact, and no text of a document is lost (ingest/repair, segment.py, chunker.py, pipeline.parse_text)."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest.chunker import ChunkBudget, chunk_document
from ingest.metadata import validity_of
from ingest.pipeline import parse_text
from ingest.records import Chunk, Document, Paragraph
from ingest.repair import repair_text
from ingest.segment import Source, split_documents
from tests.conftest import GAZETTES

CASES = settings(max_examples=120, deadline=None)
SOURCE = Source("t.txt", "晋城", "晋城市人民政府公报（2021.2）")

WORDS = (
    "关于", "印发", "晋城市", "长治市", "人民政府", "办公室", "通知", "办法", "实施方案", "意见", "征收", "补偿", "土地", "房屋",
    "有效期", "五年", "本办法自发布之日起施行", "自印发之日起实施", "此件公开发布", "附件", "附表", "大事记", "各县（市、区）",
    "第", "条", "章", "一", "二", "十", "、", "。", "，", "；", "：", "“", "”", "《", "》", "（", "）", "·", "元", "万元", "%",
)
cn_number = st.sampled_from(["一", "二", "三", "九", "十", "十一", "二十", "九十九", "一百", "一百二十", "两", "零"])
cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=30)
phrase = st.lists(st.one_of(st.sampled_from(WORDS), cjk, st.from_regex(r"[0-9]{1,4}", fullmatch=True)), max_size=10).map("".join)
year, month, day = st.integers(1900, 2099), st.integers(0, 14), st.integers(0, 33)

heading = st.one_of(
    st.builds("第{}章{}".format, cn_number, phrase),
    st.builds("第{}条 {}".format, cn_number, phrase),
    st.builds("{}、{}".format, cn_number, phrase),
    st.builds("（{}）{}".format, cn_number, phrase),
    st.builds("({}){}".format, st.integers(0, 120), phrase),
    st.builds("{}.{}".format, st.integers(0, 120), phrase),
    st.builds("{}.{} {}".format, st.integers(0, 12), st.integers(0, 12), phrase),
    st.builds("{}.{}.{}{}".format, st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), phrase),
    st.builds("{}{}".format, st.sampled_from("①②③⑳"), phrase),
    st.builds("（（{0}{0}））{1}{1}".format, cn_number, phrase),  # fake-bold doubling
    st.builds("{0}{0}..{1}{1}".format, st.integers(1, 9), phrase),
)
docno = st.builds(
    "{}{}{}{}{}号".format, st.sampled_from(["晋市政发", "晋市政办", "长政发", "晋政办发", "市"]),
    st.sampled_from(["〔", "[", "［", "（", " 〔 "]), st.integers(1990, 2030).map(str), st.sampled_from(["〕", "]", "］", "）", " 〕"]),
    st.sampled_from(["1", "3", "23", "107", "0", "9999", "第4", " 4 "]),
)
dates = st.one_of(
    st.builds("{}年{}月{}日".format, year, month, day),
    st.builds("本办法自{}年{}月{}日起施行，有效期{}年。".format, year, month, day, st.sampled_from(["五", "2", "十", "9999", "零"])),
    st.builds("有效期至{}年{}月{}日。".format, year, month, day),
    st.builds("{}日{}".format, st.integers(0, 40), phrase),  # 大事记 entries
    st.builds("{}月{}日{}".format, month, day, phrase),
    st.builds("※{}日{}".format, day, phrase),
    st.builds("晋城市人民政府{}月大事记".format, month),
)
furniture = st.sampled_from([
    "·· 29", " ·· 3", "晋城市人民政府公报（2018. 4） 市政府文件", "目 录", "通 知", "（此件公开发布）", "晋城市人民政府",
    "晋城市人民政府办公室", "附件1", "附件：1.晋城市征收补偿标准", "附表 2", "内部资料注意保存", "传达政令", "前言", "抄送：市委",
    "各县（市、区）人民政府，市人民政府各委、办、局：", "关于印发晋城市房屋征收与补偿办法的通知", "晋城市房屋征收与补偿办法",
])
markup = st.builds("{}{}{}".format, st.sampled_from(["# ", "**", "- ", "<p>", "$\\geq ", "<td>", "\t"]), phrase,
                   st.sampled_from(["", "**", "</p>", "$", "\t1\t2", "</td>"]))
noise = st.one_of(
    st.text(max_size=40),  # arbitrary unicode: controls, line separators, combining marks, astral planes
    st.text(st.sampled_from(" \u3000\t\r\n\x0b\x0c\x85\u2028\u2029\ufeff\u200b\ufffd"), max_size=5),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
)
long_line = st.builds(lambda unit, n: unit * n, st.one_of(heading, phrase).filter(bool), st.integers(5, 60))  # over any budget
line = st.one_of(heading, docno, dates, furniture, markup, phrase, noise, long_line, st.just(""))
page_mark = st.sampled_from(["", "", "", " ", "  ", "\u3000\u3000"])
raw_text = st.lists(st.tuples(page_mark, line), max_size=40).flatmap(
    lambda lines: st.sampled_from(["\n", "\n\n", "\r\n", "\r"]).map(lambda sep: sep.join(m + t for m, t in lines))
)
budgets = st.builds(ChunkBudget, st.sampled_from([64, 120, 400]), st.sampled_from([0, 30, 200]), st.just(len))

# A real page: a notice header displaced below its body, with a page-start mark (exercises the reorder repair).
PAGE = "\n".join([
    " 第六条 本办法所称补偿，是指货币补偿。", "第七条 征收范围确定后，不得新建。", "晋城市人民政府", "关于印发晋城市房屋征收与补偿办法的通知",
    "晋市政发〔2018〕23号", " 各县（市、区）人民政府：", "现将办法印发给你们。", "晋城市人民政府", "2018年7月16日", "（此件公开发布）",
    "晋城市房屋征收与补偿办法", "第一条 为规范征收，制定本办法。", "2.1 总体要求", "（一）加强领导。", "1.出具规划审核意见。",
])


def assert_chunks_exact_and_complete(doc: Document, chunks: list[Chunk]) -> None:
    """Spans index the document text; chunks are in order without overlap; every non-whitespace character of the
    document is in a chunk, so the chunk texts joined are the document text minus whitespace between chunks. Table
    rows are the exception by design: each lies in the table block it is the child of (which holds it already)."""
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)
    rows = [c for c in chunks if c.kind == "table_row"]
    chunks = [c for c in chunks if c.kind != "table_row"]
    blocks = {c.chunk_id: c for c in chunks if c.kind == "table"}
    for row in rows:
        assert 0 <= row.start < row.end <= len(doc.text) and doc.text[row.start:row.end] == row.text
        block = blocks[row.parent_id or ""]
        assert block.start <= row.start < block.end
    spans = [(c.start, c.end) for c in chunks]
    assert spans == sorted(spans)
    for c in chunks:
        assert c.doc_id == doc.doc_id
        assert 0 <= c.start < c.end <= len(doc.text) and doc.text[c.start:c.end] == c.text
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start, "chunks overlap"
    gaps = [doc.text[a:b] for a, b in zip([0, *(e for _, e in spans)], [*(s for s, _ in spans), len(doc.text)], strict=True)]
    assert all(not g.strip() for g in gaps), f"text in no chunk: {[g for g in gaps if g.strip()][:1]!r}"
    assert re.sub(r"\s", "", "".join(c.text for c in chunks)) == re.sub(r"\s", "", doc.text)


@CASES
@given(raw_text)
@example(PAGE)
def test_repair_gives_stripped_non_empty_paragraphs_that_trace_to_source_lines(raw: str) -> None:
    paragraphs = repair_text(raw)
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for p in paragraphs:
        assert p.text and p.text == p.text.strip()
        assert 1 <= p.line_start <= p.line_end <= len(lines)


@CASES
@given(raw_text)
@example(PAGE)
@example("0日\n0日\n0日\n一一〔0000〕0号")  # regression: the notice header took the 大事记's lines, leaving an empty document
def test_documents_are_consecutive_runs_of_the_repaired_paragraphs(raw: str) -> None:
    paragraphs = repair_text(raw)
    docs = split_documents(paragraphs, SOURCE)
    joined = [p for d in docs for p in d.paragraphs]
    assert joined == paragraphs[len(paragraphs) - len(joined):]  # only front matter before the first header is dropped
    for d in docs:
        assert d.paragraphs and d.text == "\n".join(p.text for p in d.paragraphs)
    assert len({d.doc_id for d in docs}) == len(docs)


@CASES
@given(raw_text, budgets)
@example(PAGE, ChunkBudget(64, 30, len))
def test_parse_text_chunks_are_exact_spans_that_lose_no_text(raw: str, budget: ChunkBudget) -> None:
    docs, chunks = parse_text(raw, "t.txt", budget)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert {c.doc_id for c in chunks} <= {d.doc_id for d in docs}
    for doc in docs:
        assert_chunks_exact_and_complete(doc, [c for c in chunks if c.doc_id == doc.doc_id])


GAZETTE_LINES = tuple(
    tuple((GAZETTES / name).read_text(encoding="utf-8").split("\n")) for name in sorted(p.name for p in GAZETTES.glob("*.txt"))
)


@st.composite
def gazette_slices(draw: st.DrawFn) -> str:
    """A run of real gazette lines, then damaged: lines dropped, repeated, swapped, or replaced by generated ones."""
    lines = draw(st.sampled_from(GAZETTE_LINES))
    start = draw(st.integers(0, len(lines) - 1))
    out = list(lines[start:start + draw(st.integers(1, 160))])
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(out) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "swap", "replace"]))
        if action == "drop" and len(out) > 1:
            del out[i]
        elif action == "repeat":
            out.insert(i, out[i])
        elif action == "swap":
            j = draw(st.integers(0, len(out) - 1))
            out[i], out[j] = out[j], out[i]
        else:
            out[i] = draw(line)
    return "\n".join(out)


@CASES
@given(gazette_slices(), budgets)
def test_damaged_real_gazette_text_gives_exact_spans_and_loses_no_text(raw: str, budget: ChunkBudget) -> None:
    paragraphs = repair_text(raw)
    docs, chunks = parse_text(raw, "t.txt", budget)
    joined = [p for d in docs for p in d.paragraphs]
    assert joined == paragraphs[len(paragraphs) - len(joined):]
    for doc in docs:
        assert_chunks_exact_and_complete(doc, [c for c in chunks if c.doc_id == doc.doc_id])


paragraph_text = st.one_of(heading, dates, furniture, markup, phrase, long_line, st.text(min_size=1, max_size=40)).map(str.strip).filter(bool)


@CASES
@given(st.lists(paragraph_text, min_size=1, max_size=30), st.sampled_from(["notice", "embedded", "attachment", "chronicle"]),
       st.sampled_from(["测试办法", "", "晋城市人民政府1月大事记"]), budgets)
def test_chunk_document_on_any_paragraphs_gives_exact_complete_chunks(texts: list[str], kind: str, title: str, budget: ChunkBudget) -> None:
    paragraphs = tuple(Paragraph(t, i + 1, i + 1) for i, t in enumerate(texts))
    doc = Document(doc_id="t:1", source_file="t.txt", city="晋城", gazette="晋城市人民政府公报（2021.2）", kind=kind,
                   doc_type="办法", title=title, text="\n".join(texts), paragraphs=paragraphs)
    chunks = chunk_document(doc, budget)
    assert chunks and len({c.chunk_id for c in chunks}) == len(chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert_chunks_exact_and_complete(doc, chunks)


@CASES
@given(st.one_of(dates, st.builds("{}{}".format, dates, dates), raw_text), st.one_of(st.none(), st.dates()))
@example("自0000年0月0日起施行", None)  # regression: ValueError (year 0) crashed the file's ingest
@example("自0001年1月1日起施行有效期9999年", None)  # regression: ValueError (year 10000)
@example("自0001年1月1日起施行有效期0年", None)  # regression: OverflowError (the day before 1 January 1)
@example("晋市政发〔2021〕3号\n本办法自2021年2月30日起施行，有效期五年。", None)  # regression: 30 February
@example("本办法自印发之日起施行，有效期1十年。", date(2021, 1, 1))  # regression: cn_to_int("1十") raised
def test_validity_of_any_text_never_raises_and_a_term_ends_after_it_starts(text: str, signed: date | None) -> None:
    v = validity_of(text, signed)
    if v.effective and v.expires and "有效期至" not in text:
        assert v.expires >= v.effective
