#!/usr/bin/env bash
# Installs Debian's Tesseract with its Simplified Chinese data for the OCR tests (tests/ingest/formats/test_ocr.py),
# when missing; the tests call it as the browser tests call tests/app/ensure_chromium.sh, so `make test` (.ci/run)
# installs it the same way. Debian packages only. Needs root (as on these machines). Pages are rasterised by
# pypdfium2 (a pdfplumber dependency), so poppler is not needed.
set -euo pipefail

if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then
    exit 0
fi
bash "$(dirname "$0")/../apt_install.sh" tesseract-ocr tesseract-ocr-chi-sim
tesseract --list-langs 2>/dev/null | grep -qx chi_sim
