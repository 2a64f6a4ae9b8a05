#!/bin/sh
# Makes sure Debian's chromium is at /usr/bin/chromium (the console test drives it with playwright-core).
# Installs it with apt-get when missing; needs root (or sudo) and Debian's package mirror.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "ensure-chromium: $CHROMIUM is missing and we are not root; install Debian's chromium package" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium (apt-get install chromium)…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version >&2
