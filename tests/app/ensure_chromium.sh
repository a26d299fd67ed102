#!/usr/bin/env bash
# Installs Debian's chromium (and a CJK font, else Chinese renders as boxes) for the browser tests, when missing.
# Never downloads a browser from anywhere else (no `playwright install`). Needs root (as on these machines).
set -euo pipefail

if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_chromium: /usr/bin/chromium is missing and installing it needs root (apt-get install chromium fonts-wqy-microhei)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-wqy-microhei
test -x /usr/bin/chromium
