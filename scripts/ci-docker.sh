#!/usr/bin/env bash
# Installs and starts a real Docker Engine for the tests that use one
# (see /work/shared/docs/docker-recipe.md), plus a local registry on
# 127.0.0.1:5000 so that pulled images have a RepoDigest.
#   - Debian: docker.io (Engine 20.10), busybox-static (tiny test images),
#     golang-go (Go binaries for test images), docker-registry
#   - dockerd with overlay2 (vfs only if overlay2 does not start), no iptables,
#     no bridge: containers run with --network host
# Idempotent: does nothing that is already done (apt-get update at most once).
# Usage: bash scripts/ci-docker.sh          (.ci/run calls it before npm test)
set -euo pipefail

APT_PACKAGES=(docker.io busybox-static golang-go docker-registry)
STATE=/var/lib/container-tuner-ci
DOCKERD_LOG=$STATE/dockerd.log
REGISTRY_DIR=$STATE/registry
REGISTRY_ADDR=127.0.0.1:5000
# Debian's CLI talks to Debian's daemon; a newer `docker` earlier on PATH works too
DOCKER=/usr/bin/docker

log() { printf 'ci-docker: %s\n' "$*" >&2; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    log "not root and no passwordless sudo: cannot install or start Docker"; exit 1
  fi
fi

# --- Debian packages -------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # another setup script may hold the dpkg lock: wait for it instead of failing
  "${SUDO[@]}" timeout 600 apt-get -o DPkg::Lock::Timeout=300 update -qq
  "${SUDO[@]}" timeout 1800 apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
fi
[[ -x $DOCKER ]] || DOCKER=$(command -v docker)
"${SUDO[@]}" mkdir -p "$STATE"

# --- the daemon ------------------------------------------------------------
docker_ok() { timeout 10 "${SUDO[@]}" "$DOCKER" info >/dev/null 2>&1; }

start_dockerd() { # $1 = storage driver; returns 0 when `docker info` answers within ~30 s
  log "starting dockerd (storage driver $1)"
  "${SUDO[@]}" setsid dockerd --storage-driver="$1" --iptables=false --bridge=none \
    >>"$DOCKERD_LOG" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    if docker_ok; then log "dockerd is up ($1)"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  log "dockerd ($1) did not come up; last log lines:"
  tail -n 5 "$DOCKERD_LOG" >&2 || true
  kill "$pid" 2>/dev/null || true
  # a half-started daemon keeps its pidfile: wait for it to go before retrying
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  return 1
}

if docker_ok; then
  log "Docker is already running"
else
  start_dockerd overlay2 || start_dockerd vfs || { log "could not start Docker"; exit 1; }
fi
# the tests run as this user: make the socket reachable without sudo
if [[ ${#SUDO[@]} -gt 0 ]] && ! timeout 10 "$DOCKER" info >/dev/null 2>&1; then
  "${SUDO[@]}" chmod 666 /var/run/docker.sock || true
fi

# --- the local registry (so a pulled image has a RepoDigest) ----------------
registry_ok() { timeout 3 bash -c "exec 3<>/dev/tcp/${REGISTRY_ADDR%:*}/${REGISTRY_ADDR#*:}" 2>/dev/null; }
if registry_ok; then
  log "registry already listening on $REGISTRY_ADDR"
else
  "${SUDO[@]}" mkdir -p "$REGISTRY_DIR/data"
  "${SUDO[@]}" tee "$REGISTRY_DIR/config.yml" >/dev/null <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  log "starting docker-registry on $REGISTRY_ADDR"
  "${SUDO[@]}" setsid docker-registry serve "$REGISTRY_DIR/config.yml" >>"$STATE/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do registry_ok && break; sleep 0.25; done
  if registry_ok; then log "registry is up"; else log "registry did not start (tests that need it will say so)"; tail -n 5 "$STATE/registry.log" >&2 || true; fi
fi

"$DOCKER" version --format 'ci-docker: client {{.Client.Version}}, server {{.Server.Version}} (API {{.Server.APIVersion}})' >&2 || true
