#!/usr/bin/env bash
# Run by `npm test` before the suites (npm's pretest hook): makes sure the browser tier has
# Debian's chromium and the VS Code tier has code-server, so `npm test` passes on a fresh machine.
# Idempotent and quick when both are present. Set RE2LLM_SKIP_PREREQS=1 to skip this step.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${RE2LLM_SKIP_PREREQS:-}" = "1" ] && exit 0
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test-prereqs] installing Debian chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "[test-prereqs] chromium is missing: install Debian's chromium (sudo apt-get install -y chromium) for the browser tests" >&2
  fi
fi
# The e2e tier runs on the oldest declared VS Code (code-server 4.100.3, Node 20) and on a current one (4.139.1, Node 24).
bash test/e2e/install-code-server.sh
bash test/e2e/install-code-server-current.sh
