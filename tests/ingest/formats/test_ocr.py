"""ingest/formats/ocr.py: a scanned gazette page (a chromium-printed page rasterised and wrapped as an image-only PDF)
is read by Tesseract through the same layout as a printed page, with its confidence, and its clauses are found by
retrieval. Tesseract is installed by tests/ingest/ensure_tesseract.sh when missing (Debian packages); the tests that
need it skip, with the reason, only where it cannot be installed."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from ingest.formats import ReadLimits, read_source
from ingest.formats import ocr as ocr_module
from ingest.formats.ocr import tsv_chars
from ingest.pipeline import run_ingest
from rag.index import load_index
from rag.pipeline import Pipeline
from rag.policy import PolicyConfig
from settings import Settings
from tests.conftest import GAZETTES, ROOT
from tests.fakes import BigramEmbedder
from tests.ingest.formats.gazette_files import gazette_html, original_paragraphs, print_pdf, styled

ENSURE_TESSERACT = ROOT / "tests" / "ingest" / "ensure_tesseract.sh"
SCAN_DPI = 200
# 晋市政发〔2018〕23号's 办法, 第五条 (printed on the scanned page): in no other file of the test's index
QUESTION = "房屋征收部门可以依法委托谁承担房屋征收与补偿的具体工作？"


@pytest.fixture(scope="module")
def tesseract() -> str:
    if ocr_module.tesseract() is None:
        done = subprocess.run(["bash", str(ENSURE_TESSERACT)], capture_output=True, text=True, check=False, timeout=900)
        ocr_module.tesseract.cache_clear()
        if done.returncode != 0 or ocr_module.tesseract() is None:
            pytest.skip(f"Tesseract with chi_sim cannot be installed here: {(done.stderr or done.stdout).strip()[-300:]}")
    program = ocr_module.tesseract()
    assert program is not None
    return program


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first page of a printed gazette, rasterised at 200 dpi in grey and wrapped as an image-only PDF."""
    import pypdfium2

    out = tmp_path_factory.mktemp("scan")
    printed = print_pdf(gazette_html(styled(original_paragraphs("jincheng-2018-04.txt", 1, 300))), out / "printed.pdf")
    document = pypdfium2.PdfDocument(str(printed))
    image = document[0].render(scale=SCAN_DPI / 72).to_pil().convert("L")
    document.close()
    scan = out / "jincheng-2018-04-scan.pdf"
    image.save(scan, "PDF", resolution=SCAN_DPI)
    return scan


def test_tsv_words_become_character_boxes_on_their_line_with_their_confidence() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "4\t1\t1\t1\t1\t0\t100\t200\t700\t50\t-1\t",
        "5\t1\t1\t1\t1\t1\t100\t215\t100\t20\t96.5\t一二",  # a short glyph's box: the characters keep the line's row
        "5\t1\t1\t1\t1\t2\t210\t200\t30\t50\t80\t，",
        "5\t1\t1\t1\t1\t3\t270\t200\t100\t50\t90\tGB",
        "5\t1\t1\t1\t1\t4\t390\t200\t150\t50\t88\t50016",
        "5\t1\t1\t1\t1\t5\t560\t200\t50\t50\t-1\t ",
    ]
    chars = sorted(tsv_chars("\n".join([header, *rows]) + "\n", 0.5), key=lambda c: c["x0"])
    assert "".join(c["text"] for c in chars) == "一二，GB 50016"  # a space only between two Latin words
    assert {(c["top"], c["bottom"], c["size"]) for c in chars} == {(100.0, 125.0, 25.0)}
    first, second, comma = chars[0], chars[1], chars[2]
    assert (first["x0"], first["x1"], second["x1"]) == (50.0, 75.0, 105.0)  # the gap before the comma is closed
    assert comma["x1"] == 135.0 and comma["conf"] == 80.0


def test_without_tesseract_there_is_no_ocr_and_the_reader_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    ocr_module.tesseract.cache_clear()
    monkeypatch.setattr(ocr_module.shutil, "which", lambda _name: None)
    try:
        assert ocr_module.page_ocr() is None
    finally:
        ocr_module.tesseract.cache_clear()


def test_a_scanned_page_is_read_by_ocr_in_reading_order_with_its_confidence(tesseract: str, scanned: Path) -> None:
    extraction = read_source(scanned, scanned.read_bytes(), ReadLimits())  # in the bounded child process
    assert extraction.pages == extraction.ocr_pages == 1
    texts = [line.text for line in extraction.lines]
    assert any("晋城市国有土地上房屋征收与补偿办法" in t for t in texts[:6])  # the title block first
    assert any(t.startswith("第五条") and "房屋征收实施单位" in t for t in texts)
    confidences = [line.ocr_confidence for line in extraction.lines]
    assert all(c is not None and 0 < c <= 100 for c in confidences)
    assert sum(c for c in confidences if c) / len(confidences) > 80
    assert all(line.page == 1 for line in extraction.lines)


def test_a_scanned_pdf_ingests_and_its_clause_is_found_and_cited_with_its_page(tesseract: str, scanned: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / scanned.name).write_bytes(scanned.read_bytes())
    (data / "jincheng-2021-06.txt").write_bytes((GAZETTES / "jincheng-2021-06.txt").read_bytes())
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", collection_prefix=f"ocr-{uuid.uuid4().hex[:8]}")
    report = run_ingest(settings, BigramEmbedder)
    assert report.failed == [] and report.file_counts[scanned.name][1] > 3
    pipeline = Pipeline(load_index(settings, embedder=BigramEmbedder()), policy=PolicyConfig(min_coverage=0.3, min_dense=0.99))
    answer = pipeline.answer(QUESTION)
    assert not answer.refused
    top = answer.citations[0]
    assert top.source_file == scanned.name and top.path == "第五条" and "房屋征收实施单位" in top.quote
    assert pipeline.index.chunks[top.chunk_id].page_start == 1
