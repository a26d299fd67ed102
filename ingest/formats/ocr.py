"""OCR of scanned PDF pages with Tesseract (Debian: tesseract-ocr tesseract-ocr-chi-sim), called as a program.

A page without a text layer is rendered at `DPI` (pypdfium2, which pdfplumber already installs) and read by
`tesseract … -l chi_sim tsv`; each recognised word becomes character boxes in PDF points, the way pdfplumber gives a
text page's characters, so a scan goes through the same reading order, furniture and paragraph rebuilding
(`ingest.formats.pdf_layout`) as a printed page. Every character carries its word's confidence (`conf`, 0–100); the
reader records each paragraph's mean (SourceLine.ocr_confidence).

`page_ocr()` is None when the program or its chi_sim data is missing: the PDF reader then fails such a file with the
packages to install, and the other files still ingest.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

DPI = 300
LANGUAGE = "chi_sim"
PAGE_TIMEOUT_S = 180.0
Char = dict[str, Any]
PageOcr = Callable[[Path, int], list[Char]]


@functools.cache
def tesseract() -> str | None:
    """The tesseract program when it is installed with the chi_sim data, else None."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return program if LANGUAGE in (listed.stdout + listed.stderr).split() else None


def page_ocr() -> PageOcr | None:
    """The OCR function the PDF reader calls for a page without a text layer, or None when OCR is unavailable."""
    return ocr_page if tesseract() else None


def ocr_page(path: Path, index: int) -> list[Char]:
    """The characters Tesseract reads on page `index` (0-based) of the PDF at `path`, in PDF points from the top."""
    import pypdfium2

    program = tesseract()
    if program is None:
        raise RuntimeError(f"tesseract with {LANGUAGE} is not installed")
    document = pypdfium2.PdfDocument(str(path))
    try:
        image = document[index].render(scale=DPI / 72).to_pil()
    finally:
        document.close()
    with tempfile.TemporaryDirectory(prefix="gazette-ocr-") as folder:
        png = Path(folder) / "page.png"
        image.save(png)
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per page: the machines are shared
        done = subprocess.run([program, str(png), "stdout", "-l", LANGUAGE, "--psm", "3", "tsv"], capture_output=True,
                              timeout=PAGE_TIMEOUT_S, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"tesseract failed on page {index + 1}: {done.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    return tsv_chars(done.stdout.decode("utf-8", "replace"), 72 / DPI)


def tsv_chars(tsv: str, scale: float) -> list[Char]:
    """Character boxes from Tesseract's TSV (pixels × `scale` = points). A word's width is shared evenly by its
    characters; every character takes its line's top, bottom and height (a short glyph such as 一 keeps its row),
    and reaches to the next word when the gap is under a character height (a full-width comma's box is narrow: the
    gap after it is not a space)."""
    lines: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
    line_box: dict[tuple[str, str, str, str], tuple[float, float]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        if row["level"] == "4":
            top = float(row["top"])
            line_box[key] = (top, top + float(row["height"]))
        elif row["level"] == "5" and (row.get("text") or "").strip() and float(row["conf"]) >= 0:
            lines.setdefault(key, []).append(row)
    chars: list[Char] = []
    for key, words in lines.items():
        top, bottom = line_box.get(key, (min(float(w["top"]) for w in words), max(float(w["top"]) + float(w["height"]) for w in words)))
        size = (bottom - top) * scale
        row_chars: list[Char] = []
        for word in sorted(words, key=lambda w: float(w["left"])):
            text = word["text"].strip()
            left, width = float(word["left"]), float(word["width"])
            step = width / len(text)
            for k, ch in enumerate(text):
                row_chars.append({"text": ch, "x0": (left + k * step) * scale, "x1": (left + (k + 1) * step) * scale,
                                  "top": top * scale, "bottom": bottom * scale, "size": size, "conf": float(word["conf"]),
                                  "fontname": "ocr"})
        for prev, nxt in itertools.pairwise(row_chars):
            if 0 < nxt["x0"] - prev["x1"] < size:
                if prev["text"].isascii() and prev["text"].isalnum() and nxt["text"].isascii() and nxt["text"].isalnum():
                    chars.append({**prev, "text": " ", "x0": prev["x1"], "x1": nxt["x0"]})  # two Latin words or numbers
                else:
                    prev["x1"] = nxt["x0"]
        chars.extend(row_chars)
    return chars
