#!/usr/bin/env bash
# Installs Debian's chromium (and a CJK font, else Chinese renders as boxes) for the browser tests, when missing.
# Never downloads a browser from anywhere else (no `playwright install`). Needs root (as on these machines).
set -euo pipefail

if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
    exit 0
fi
bash "$(dirname "$0")/../apt_install.sh" chromium fonts-wqy-microhei
test -x /usr/bin/chromium
