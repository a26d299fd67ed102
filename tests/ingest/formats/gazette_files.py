"""Gazette PDFs and DOCX files made the way they are really made, from a bundled gazette's text.

The bundled .txt files are extractions of printed gazettes (jincheng-2018-04: the printed lines of a two-column
page, 21 characters each, with displaced title blocks). The original's paragraphs are what the text pipeline
rebuilds from them (reading order restored, hard line breaks joined, before the text fixes); printed again here:
as HTML (running header, page numbers, notice headers across both columns, body text in two justified columns with
a first-line indent) to PDF by Debian's chromium, and as a Word document by python-docx (header and footer with a
page number field, centred titles, right-aligned signatures).
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest import patterns
from ingest.repair.join import join_lines
from ingest.repair.lines import drop_back_matter, drop_front_matter, drop_page_furniture, split_lines
from ingest.repair.reorder import restore_reading_order
from ingest.tables import is_column_dump
from tests.conftest import GAZETTES, ROOT

ENSURE_CHROMIUM = ROOT / "tests" / "app" / "ensure_chromium.sh"
CHROMIUM = Path("/usr/bin/chromium")
RUNNING_HEADER = "晋城市人民政府公报（2018. 4）　　市政府文件"


def original_paragraphs(name: str, first: int, last: int) -> list[str]:
    """The paragraphs of lines first..last (1-based) of a bundled gazette, in reading order, as printed. A table the
    extraction dumped column by column (kept as one paragraph of tab-separated cells, `ingest.column_dumps`) is
    printed as the run of its cells: the ruled table it was printed as cannot be rebuilt from the dump."""
    raw = "\n".join((GAZETTES / name).read_text(encoding="utf-8").split("\n")[first - 1:last])
    lines = restore_reading_order(drop_front_matter(drop_back_matter(drop_page_furniture(split_lines(raw)))))
    return [p.text.replace("\t", "") if is_column_dump(p.text.split("\t")) else p.text for p in join_lines(lines)]


def style_of(text: str, following: str = "") -> str:
    """How a gazette prints a paragraph: head (notice header, bold, centred across both columns), docno (the 文号
    under it, in the body font), title (centred), sign (right-aligned signature and date) or body (justified, first
    line indented)."""
    if patterns.is_docno_line(text):
        return "docno"
    if patterns.NOTICE_WORD_RE.match(text):
        return "head"
    if patterns.is_date_line(text) or (patterns.is_issuer_line(text) and patterns.is_date_line(following)):
        return "sign"
    if patterns.is_issuer_line(text) or text.startswith("关于"):
        return "head"
    if patterns.is_title_like(text) and len(text) <= 40:
        return "title"
    return "body"


def styled(paragraphs: list[str]) -> list[tuple[str, str]]:
    return [(style_of(p, paragraphs[k + 1] if k + 1 < len(paragraphs) else ""), p) for k, p in enumerate(paragraphs)]


CSS = """
@page { size: A4; margin: 24mm 18mm 22mm 18mm;
  @top-center { content: "RUNNING_HEADER"; font-size: 9pt; border-bottom: 0.5pt solid black; }
  @bottom-center { content: "· " counter(page) " ·"; font-size: 9pt; } }
body { font-family: "WenQuanYi Micro Hei"; font-size: 10.5pt; line-height: 1.55; margin: 0; word-break: break-all; }
.flow { column-count: 2; column-gap: 9mm; column-fill: auto; }
p { margin: 0; }
.body { text-indent: 2em; text-align: justify; }
.head { column-span: all; text-align: center; font-size: 13pt; font-weight: bold; }
.docno { column-span: all; text-align: center; }
.title { text-align: center; font-weight: bold; }
.sign { text-align: right; }
table { column-span: all; border-collapse: collapse; margin: 4pt auto; }
td { border: 0.6pt solid black; padding: 2pt 8pt; }
""".replace("RUNNING_HEADER", RUNNING_HEADER)


def _table(rows: list[list[str]]) -> str:
    return "<table>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>"


def gazette_html(paragraphs: list[tuple[str, str]], table: list[list[str]] | None = None) -> str:
    """Two-column gazette pages; paragraphs holding tabs (table rows in the text) are printed as ruled tables, and
    `table` (rows of cells) after the first body paragraph."""
    body: list[str] = []
    rows: list[list[str]] = []
    first_body = next(i for i, (s, _) in enumerate(paragraphs) if s == "body")
    for k, (style, text) in enumerate(paragraphs):
        if "\t" in text:
            rows.append(text.split("\t"))
            continue
        if rows:
            body.append(_table(rows))
            rows = []
        body.append(f'<p class="{style}">{html.escape(text)}</p>')
        if table and k == first_body:
            body.append(_table(table))
    if rows:
        body.append(_table(rows))
    return f'<!doctype html><html><head><meta charset="utf-8"><style>{CSS}</style></head><body><div class="flow">{"".join(body)}</div></body></html>'


def chromium() -> Path:
    """Debian's chromium with a CJK font (installed by tests/app/ensure_chromium.sh when missing), else skip."""
    if not CHROMIUM.exists() or not shutil.which("fc-list"):
        proc = subprocess.run(["bash", str(ENSURE_CHROMIUM)], capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            pytest.skip(f"chromium cannot be had to print test PDFs: {proc.stderr.strip()[-300:]}")
    return CHROMIUM


def print_pdf(html_text: str, out: Path) -> Path:
    source = out.with_suffix(".html")
    source.write_text(html_text, encoding="utf-8")
    subprocess.run(
        [str(chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", f"--print-to-pdf={out}", source.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    return out


def write_docx(paragraphs: list[tuple[str, str]], out: Path, table: list[list[str]] | None = None) -> Path:
    """A Word document of the paragraphs: running header, footer with a page number field, styles as printed."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    footer = section.footer.paragraphs[0]
    run = footer.add_run()
    for tag, text in (("w:fldChar", "begin"), ("w:instrText", "PAGE"), ("w:fldChar", "end")):
        el = OxmlElement(tag)
        if tag == "w:fldChar":
            el.set(qn("w:fldCharType"), text)
        else:
            el.text = text
        run._r.append(el)
    align = {"head": WD_ALIGN_PARAGRAPH.CENTER, "docno": WD_ALIGN_PARAGRAPH.CENTER, "title": WD_ALIGN_PARAGRAPH.CENTER, "sign": WD_ALIGN_PARAGRAPH.RIGHT,
             "body": WD_ALIGN_PARAGRAPH.JUSTIFY}
    first_body = next(i for i, (s, _) in enumerate(paragraphs) if s == "body")
    for k, (style, text) in enumerate(paragraphs):
        para = document.add_paragraph(text)
        para.alignment = align[style]
        if style == "body":
            para.paragraph_format.first_line_indent = Pt(21)
        if table and k == first_body:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    grid.cell(r, c).text = cell
    document.save(str(out))
    return out
