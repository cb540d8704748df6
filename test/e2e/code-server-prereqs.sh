# Sourced by install-code-server.sh and install-code-server-current.sh: what both code-server
# installs need before `npm install` (offline recipe from ../shared/docs/testing.md).

# code_server_prereqs TAG: Debian's ripgrep and libkrb5-dev (kerberos builds natively), when missing.
code_server_prereqs() {
  local need=()
  command -v rg >/dev/null 2>&1 || need+=(ripgrep)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  if [ ${#need[@]} -gt 0 ]; then
    echo "$1 apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# seed_ripgrep_cache CACHE_VERSION TARBALL...: @vscode/ripgrep's postinstall would download rg;
# its cache folder ($TMPDIR/vscode-ripgrep-cache-<version>) is pre-seeded with Debian's binary.
seed_ripgrep_cache() {
  export TMPDIR="${TMPDIR:-/tmp}"
  local cache="$TMPDIR/vscode-ripgrep-cache-$1" tarball tmp
  shift
  for tarball in "$@"; do
    [ -f "$cache/$tarball" ] && continue
    mkdir -p "$cache"
    tmp=$(mktemp -d)
    cp "$(command -v rg)" "$tmp/rg"
    tar -czf "$cache/$tarball" -C "$tmp" rg
    rm -rf "$tmp"
  done
}
