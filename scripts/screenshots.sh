#!/usr/bin/env bash
# The README's pictures of the console in Chinese (docs/clusters-zh.png, docs/cluster-zh.png):
# the Chinese browser test (tests/e2e/chinese.test.mjs) takes them as it passes, with a
# Chinese font installed so that Chromium draws the characters.
#   scripts/screenshots.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

apt_install fonts-noto-cjk
E2E_SCREENSHOT_DIR="$ROOT/docs" "$ROOT/scripts/e2e.sh" chinese.test.mjs
log "pictures in docs/: clusters-zh.png, cluster-zh.png"
