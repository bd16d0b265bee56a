#!/usr/bin/env bash
# Installs Debian's Chromium (package `chromium`, /usr/bin/chromium) for the browser tests,
# which drive it through playwright-core. Idempotent: does nothing when it is there already.
# Playwright's own browser download is never used (it fetches from outside the package registries).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-chromium: run as root (or with sudo) to install chromium" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run rather than failing on its lock.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends)
if ! "${APT[@]}" install chromium >/dev/null; then
  "${APT[@]}" update
  "${APT[@]}" install chromium >/dev/null
fi
/usr/bin/chromium --version
