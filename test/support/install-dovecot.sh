#!/usr/bin/env bash
# Installs Dovecot's IMAP server (Debian package dovecot-imapd) for the mailbox tests.
# Idempotent: does nothing when `dovecot` is already on the PATH. The tests start their
# own throw-away Dovecot on a loopback port with a config in a temp dir, so the system
# service the package would start is kept from starting (port 143 is never needed).
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"
if command -v dovecot >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-dovecot: dovecot is missing and apt-get is not available; install Dovecot 2.3+ (IMAP) by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-dovecot: run as root (or with sudo) to install dovecot-imapd" >&2
    exit 1
  fi
fi

# Keep the package's maintainer scripts from starting the system-wide service
# (policy-rc.d is Debian's documented switch for that); only when none is set already.
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
# Wait for another apt/dpkg run rather than failing on its lock.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y --no-install-recommends)
if ! "${APT[@]}" install dovecot-imapd; then
  "${APT[@]}" update
  "${APT[@]}" install dovecot-imapd
fi

# Where systemd runs, keep the system service off as well (the tests never use it).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
elif [ -f /run/dovecot/master.pid ]; then
  $SUDO dovecot -c /etc/dovecot/dovecot.conf stop >/dev/null 2>&1 || true
fi

dovecot --version
