#!/usr/bin/env bash
# Installs the Debian packages the test suite and the local topology need, when missing:
# Chromium (web e2e), nginx (the web container's config), HAProxy (the ALB stand-in), the
# PostgreSQL server binaries (throwaway clusters), curl (the web image's health check),
# ShellCheck (the deploy script's lint) and docker-compose (validates the compose file; no
# engine needed). Idempotent; needs root (or sudo).
# With --images, also buildah and debootstrap, for deploy/images/daemonless-build.sh.
set -euo pipefail

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v nginx >/dev/null 2>&1 || packages+=(nginx-light)
command -v haproxy >/dev/null 2>&1 || packages+=(haproxy)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
command -v curl >/dev/null 2>&1 || packages+=(curl)
command -v shellcheck >/dev/null 2>&1 || packages+=(shellcheck)
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
if [ "${1:-}" = "--images" ]; then
  command -v buildah >/dev/null 2>&1 || packages+=(buildah)
  command -v debootstrap >/dev/null 2>&1 || packages+=(debootstrap)
fi

if [ ${#packages[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "system packages: installing ${packages[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
