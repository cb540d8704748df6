#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100) under the system Node 20 into a tools folder
# (default .tools/, gitignored) for the end-to-end tests. Idempotent: a second run that finds the
# right version returns at once. Offline recipe from ../shared/docs/testing.md:
#  - ripgrep and libkrb5-dev from Debian (kerberos builds natively; @vscode/ripgrep's postinstall
#    would download rg, so we pre-seed its cache with the Debian binary);
#  - npm_config_unsafe_perm (we run as root) and npm_config_yes (node-pty runs `npx node-gyp`).
set -euo pipefail
cd "$(dirname "$0")/../.."
TOOLS="${RE2LLM_TOOLS:-$PWD/.tools}"
VERSION=4.100.3
ENTRY="$TOOLS/node_modules/code-server/out/node/entry.js"
start=$(date +%s)

if [ -f "$ENTRY" ] && grep -q "\"version\": \"$VERSION\"" "$TOOLS/node_modules/code-server/package.json" 2>/dev/null; then
  echo "[code-server] $VERSION already installed in $TOOLS"
  exit 0
fi

# shellcheck source=test/e2e/code-server-prereqs.sh
. test/e2e/code-server-prereqs.sh
code_server_prereqs "[code-server]"
seed_ripgrep_cache 1.15.11 ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

mkdir -p "$TOOLS"
[ -f "$TOOLS/package.json" ] || echo '{"name":"re2llm-tools","private":true}' > "$TOOLS/package.json"
echo "[code-server] npm install code-server@$VERSION into $TOOLS (a few minutes)"
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "code-server@$VERSION"
test -f "$ENTRY"
echo "[code-server] installed in $(( $(date +%s) - start ))s"
