#!/usr/bin/env bash
# Make sure the local PostgreSQL answers on 127.0.0.1:5432 before the tests run.
# On CI (CI=true) the tests require it; elsewhere they skip the PostgreSQL variants when it is absent.
set -u
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is down: starting it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
    sleep 1
  done
fi
echo "PostgreSQL is not reachable on 127.0.0.1:5432; its tests will skip (and fail when CI=true)" >&2
exit 0
