#!/usr/bin/env bash
# Installs Debian packages that tests need (chromium for the browser tests, tesseract for OCR): apt only, never a
# download from anywhere else. Needs root (as on these machines). Called by tests/app/ensure_chromium.sh and
# tests/ingest/ensure_tesseract.sh when their program is missing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): installing $* needs root (apt-get install $*)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "$@"
