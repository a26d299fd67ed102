"""Tests for ingest/formats/pdf.py and pdf_layout.py on PDFs printed by chromium the way gazettes are made, and
for DOCX agreement (ingest/formats/docx.py): a PDF and a Word document of a bundled gazette's first documents
ingest, through the real pipeline, into the documents and chunks its text gives."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest

from index_format.generations import IndexFiles, load_state
from ingest.formats import read_source
from ingest.formats.numbering import chinese_number
from ingest.formats.pdf import read_pdf
from ingest.pipeline import parse_text, run_ingest
from ingest.records import Chunk
from settings import Settings
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder
from tests.ingest.corpus_fixtures import BUDGET
from tests.ingest.formats.gazette_files import gazette_html, original_paragraphs, print_pdf, styled, write_docx
from textnorm import matching_form

SOURCE = "jincheng-2018-04.txt"
TEXT_NAME = "jincheng-2018-04-text.txt"
LAST_LINE = 2221  # 晋市政发〔2018〕23号 (+ its 办法), 26号 (+ its attachment) and 27号 (+ its 方案): six documents
TABLE = [["序号", "项目", "标准（元/平方米）"], ["1", "搬迁补助费", "18"], ["2", "临时安置补助费", "8"]]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("printed")
    paragraphs = styled(original_paragraphs(SOURCE, 1, LAST_LINE))
    return {
        "pdf": print_pdf(gazette_html(paragraphs), out / "jincheng-2018-04.pdf"),
        "docx": write_docx(paragraphs, out / "jincheng-2018-04-word.docx"),
        "layout": print_pdf(gazette_html(paragraphs[:40], table=TABLE), out / "layout.pdf"),
    }


@pytest.fixture(scope="module")
def ingested(printed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("printed-index")
    (root / "data").mkdir()
    for key in ("pdf", "docx"):
        shutil.copy(printed[key], root / "data" / printed[key].name)
    (root / "data" / TEXT_NAME).write_text(_text_lines(), encoding="utf-8")
    settings = Settings(data_dir=root / "data", index_dir=root / "index", collection_prefix=f"printed-{uuid.uuid4().hex[:8]}")
    report = run_ingest(settings, BigramEmbedder)
    assert report.failed == []
    return settings


def _text_lines() -> str:
    return "\n".join((GAZETTES / SOURCE).read_text(encoding="utf-8").split("\n")[:LAST_LINE]) + "\n"


def _of_file(settings: Settings, name: str) -> tuple[list, list]:
    _, docs, chunks = load_state(IndexFiles.of(settings))
    mine = [d for d in docs.values() if d.source_file == name]
    ids = {d.doc_id for d in mine}
    return mine, [c for c in chunks.values() if c.doc_id in ids]


@pytest.mark.parametrize("name", ["jincheng-2018-04.pdf", "jincheng-2018-04-word.docx"])
def test_printed_gazette_ingests_into_the_documents_and_chunks_of_its_text(ingested: Settings, name: str) -> None:
    docs, chunks = _of_file(ingested, name)
    text_docs, text_chunks = _of_file(ingested, TEXT_NAME)
    assert len(text_docs) == 6
    assert sorted((d.doc_number, d.title, d.date, d.kind, d.gazette) for d in docs) == sorted(
        (d.doc_number, d.title, d.date, d.kind, d.gazette) for d in text_docs)
    # 23号's 附表 is dumped column by column in the text, so only the text's cells give its rows (the printed file
    # holds the run of those cells, `original_paragraphs`): it is compared as text, everything else chunk by chunk
    got = {(c.path, matching_form(c.text)) for c in chunks if not _in_dumped_tables(c)}
    want = {(c.path, matching_form(c.text)) for c in text_chunks if not _in_dumped_tables(c)}
    assert len(got & want) >= 0.95 * len(want) and len(got) <= 1.05 * len(want)
    assert _dumped_text(chunks) == _dumped_text(text_chunks) != ""


def _in_dumped_tables(chunk: Chunk) -> bool:
    return bool(chunk.path) and chunk.path[0].startswith("附表")


def _dumped_text(chunks: list[Chunk]) -> str:
    blocks = sorted((c for c in chunks if _in_dumped_tables(c) and c.kind == "table"), key=lambda c: c.start)
    return matching_form("".join(c.text for c in blocks))


def test_the_parsed_text_version_is_the_one_ingested() -> None:
    """The agreement above compares with the pipeline's own ingest of the same lines of the .txt."""
    docs, chunks = parse_text(_text_lines(), TEXT_NAME, BUDGET)
    assert len(docs) == 6 and len(chunks) > 60


def test_pdf_chunks_carry_their_pages_and_docx_chunks_none(ingested: Settings) -> None:
    _, docs, chunks = load_state(IndexFiles.of(ingested))
    by_file: dict[str, list] = {}
    for c in chunks.values():
        by_file.setdefault(docs[c.doc_id].source_file, []).append(c)
    pdf_chunks = by_file["jincheng-2018-04.pdf"]
    assert all(c.page_start is not None and 1 <= c.page_start <= c.page_end <= 7 for c in pdf_chunks)
    assert any(c.page_end > c.page_start for c in pdf_chunks)  # a clause running over a page break
    assert max(c.page_end for c in pdf_chunks) >= 5
    assert all(c.page_start is None for c in by_file["jincheng-2018-04-word.docx"])


def test_pdf_clause_page_is_the_page_it_is_printed_on(printed: dict[str, Path]) -> None:
    import pdfplumber

    extraction = read_pdf(printed["pdf"])
    line = next(ln for ln in extraction.lines if ln.text.startswith("第十二条"))
    with pdfplumber.open(printed["pdf"]) as pdf:
        pages = [i + 1 for i, page in enumerate(pdf.pages) if "第十二条" in (page.extract_text() or "").replace(" ", "")]
    assert [line.page] == pages


def test_pdf_reader_drops_running_headers_and_page_numbers_and_keeps_them_as_furniture(printed: dict[str, Path]) -> None:
    extraction = read_pdf(printed["pdf"])
    texts = [ln.text for ln in extraction.lines]
    assert not any("人民政府公报" in t for t in texts)
    assert not any(t.strip("· ").isdigit() for t in texts)
    assert extraction.furniture == ("晋城市人民政府公报（2018. 4） 市政府文件",)
    assert (extraction.fmt, extraction.positioned, extraction.whole_paragraphs, extraction.pages) == ("pdf", True, True, 7)


def test_pdf_reader_reads_two_columns_left_first_with_the_title_block_above(printed: dict[str, Path]) -> None:
    texts = [ln.text for ln in read_pdf(printed["layout"]).lines]
    assert texts[:3] == ["晋城市人民政府", "关于印发晋城市国有土地上房屋征收与补偿办法的通 知", "晋市政发〔2018〕23号"]
    # 第一条, 第二条 … in order although the pages hold them in two columns side by side
    articles = [m.group(0) for t in texts if (m := re.match(r"^第[一二三四五六七八九十]+条", t))]
    assert len(articles) >= 10
    assert articles == [f"第{chinese_number(n)}条" for n in range(1, len(articles) + 1)]


def test_pdf_reader_reads_a_ruled_table_row_by_row_with_tabs(printed: dict[str, Path]) -> None:
    texts = [ln.text for ln in read_pdf(printed["layout"]).lines]
    rows = ["\t".join(r) for r in TABLE]
    at = texts.index(rows[0])
    assert texts[at:at + 3] == rows


def test_pdf_reader_rebuilds_paragraphs_across_column_and_page_breaks(printed: dict[str, Path]) -> None:
    paragraphs = [matching_form(p) for p in original_paragraphs(SOURCE, 1, LAST_LINE)]
    extraction = read_pdf(printed["pdf"])
    assert [matching_form(ln.text) for ln in extraction.lines] == paragraphs
    assert any(ln.page_end != ln.page for ln in extraction.lines)


def test_read_source_reads_pdf_and_docx_in_a_child_process_like_in_process(printed: dict[str, Path]) -> None:
    pdf = printed["layout"]
    assert read_source(pdf, pdf.read_bytes()) == read_pdf(pdf)
    docx = printed["docx"]
    assert read_source(docx, docx.read_bytes()).fmt == "docx"
