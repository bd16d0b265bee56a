#!/usr/bin/env bash
# Installs Debian's Chromium (package `chromium`, /usr/bin/chromium) for the browser tests,
# which drive it through playwright-core. Idempotent: does nothing when it is there already.
# Playwright's own browser download is never used (it fetches from outside the package registries).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" chromium
/usr/bin/chromium --version
