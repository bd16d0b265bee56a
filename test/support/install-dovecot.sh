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
bash "$(dirname "$0")/apt-install.sh" dovecot-imapd

# Where systemd runs, keep the system service off as well (the tests never use it).
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
elif [ -f /run/dovecot/master.pid ]; then
  $SUDO dovecot -c /etc/dovecot/dovecot.conf stop >/dev/null 2>&1 || true
fi

dovecot --version
