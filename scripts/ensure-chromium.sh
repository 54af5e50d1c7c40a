#!/usr/bin/env bash
# Make sure Debian's Chromium is installed at /usr/bin/chromium for the browser tests.
# Safe to run again: does nothing when it is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
export DEBIAN_FRONTEND=noninteractive

say() { printf 'ensure-chromium: %s\n' "$*"; }

if [ -x "$CHROMIUM" ]; then
    say "found $CHROMIUM"
    exit 0
fi

say "$CHROMIUM is missing; installing Debian's chromium package"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    printf 'ensure-chromium: ERROR: need root to install Chromium.\n  Run as root (or with sudo): apt-get update && apt-get install -y chromium\n' >&2
    exit 1
fi

if ! { "${SUDO[@]}" apt-get update && "${SUDO[@]}" apt-get install -y chromium; }; then
    printf 'ensure-chromium: ERROR: could not install Chromium.\n  Run as root: apt-get update && apt-get install -y chromium\n' >&2
    exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
    printf 'ensure-chromium: ERROR: the chromium package installed, but %s is missing.\n' "$CHROMIUM" >&2
    exit 1
fi
say "installed $CHROMIUM"
