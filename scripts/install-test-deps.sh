#!/usr/bin/env bash
# Debian packages the tests use: Chromium for the studio page tests, redis-server for the
# distributed queue (serve --redis, worker). Installed when missing; on a machine without apt (a
# laptop), those tests skip with a message instead. In CI they must run.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing ${missing[*]} for the tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif [ "${CI:-}" = true ]; then
  echo "CI needs ${missing[*]} and cannot install it (no apt-get, or not root)" >&2
  exit 1
else
  echo "note: ${missing[*]} missing and not installable here; the tests that need them will be skipped"
fi
