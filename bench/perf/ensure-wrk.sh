#!/usr/bin/env bash
# The HTTP load test of `make bench-perf` needs wrk (Debian package). Install it when it is missing and
# we are root; otherwise say how. The load test only ever targets 127.0.0.1.
set -eu
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "wrk is missing: installing it with apt-get" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  exit 0
fi
echo "wrk is missing: install it (apt-get install wrk) or run python -m bench.perf --skip-http" >&2
exit 1
