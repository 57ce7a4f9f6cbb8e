#!/usr/bin/env bash
# Playwright cannot download its own browser offline: use Debian's Chromium, installing it when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ -n "${MONOSCOPE_CHROMIUM:-}" ] && [ -x "$MONOSCOPE_CHROMIUM" ]; then exit 0; fi
echo "[monoscope] /usr/bin/chromium not found: installing Debian's chromium package" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version >&2
