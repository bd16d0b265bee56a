#!/usr/bin/env bash
# Installs Debian packages for the tests and CI: as root or through sudo, waiting for
# another apt run's lock rather than failing on it, refreshing the package lists only
# when an install fails without them, and with package scripts kept from starting
# system services (policy-rc.d, Debian's switch for that; the tests run their own).
# Usage: apt-install.sh PACKAGE...
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: apt-install.sh PACKAGE..." >&2
  exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-install: apt-get is not available; install $* by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "apt-install: run as root (or with sudo) to install $*" >&2
    exit 1
  fi
fi

POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  ADDED_POLICY=1
fi
cleanup() {
  if [ -n "$ADDED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends)
if ! "${APT[@]}" install "$@" >/dev/null; then
  "${APT[@]}" update
  "${APT[@]}" install "$@" >/dev/null
fi
