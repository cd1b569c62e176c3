#!/usr/bin/env bash
# Make sure Debian's Chromium (and its driver) is installed before the browser tests run.
# The e2e tests drive /usr/bin/chromium through Playwright; Playwright's own browser download is never used.
# On CI (CI=true) the tests require Chromium; elsewhere they skip with a message when it cannot be had.
set -u
CHROMIUM="${SKILLMATCH_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo -n"
    else
      echo "Chromium is missing and we are not root: install the Debian packages chromium and chromium-driver" >&2
      exit 0
    fi
  fi
  echo "Chromium is missing: installing the Debian packages chromium and chromium-driver" >&2
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >&2 || true
fi
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "Chromium is not available at $CHROMIUM; the browser tests will skip (and fail when CI=true)" >&2
exit 0
