#!/usr/bin/env bash
# Installs the Debian packages the test suite and the local topology need, when missing:
# Chromium (web e2e), nginx (the web container's config), HAProxy (the ALB stand-in), the
# PostgreSQL server binaries (throwaway clusters), curl (the web image's health check),
# ShellCheck (the deploy script's lint), docker-compose (validates the compose file; no
# engine needed), pgBackRest (the replica's WAL archive, backups and point-in-time restore)
# and Prometheus, Alertmanager and the nginx and PostgreSQL exporters (the replica's
# monitoring). Idempotent; needs root (or sudo). The packages' own services are not needed:
# the stack starts its own processes on free ports.
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
command -v pgbackrest >/dev/null 2>&1 || packages+=(pgbackrest)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || packages+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
command -v prometheus-nginx-exporter >/dev/null 2>&1 || packages+=(prometheus-nginx-exporter)
command -v prometheus-postgres-exporter >/dev/null 2>&1 || packages+=(prometheus-postgres-exporter)
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
