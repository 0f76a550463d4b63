#!/usr/bin/env bash
# Builds and runs both images for real without a Docker engine: buildah builds apps/api/Dockerfile
# and apps/web/Dockerfile unchanged; run-built-images.ts runs them read-only, as their USER, and
# checks /healthz, the HEALTHCHECK and the drain on STOPSIGNAL.
#
# No registry of container images is reachable here, so the pinned base images are stood in
# for, under their exact names, by images made from Debian 12 with debootstrap:
#   node:<version>-bookworm-slim    debootstrap + this project's Node.js binary (the `node`
#                                   package) + the machine's npm, user node 1000:1000
#   nginxinc/nginx-unprivileged:*   debootstrap + Debian's nginx-light + curl, its nginx.conf
#                                   changed as the unprivileged image changes it (no `user`,
#                                   pid and temp files in /tmp: nginx-unprivileged.conf), user 101:101
# What it proves and what it cannot: docs/images.md. Needs root, Debian's buildah and
# debootstrap, curl, and the Debian mirror and the npm registry (the builds run npm ci).
# Usage: bash deploy/images/daemonless-build.sh   (DAEMONLESS_WORK keeps the debootstrap
# between runs; CONTEXT builds another checkout.)
set -euo pipefail
# buildah runs RUN steps in a chroot: no OCI runtime or cgroup set-up needed (this machine's
# cgroup v1/v2 hybrid is one crun refuses).
export BUILDAH_ISOLATION=chroot
cd "$(dirname "$0")/../.."
repo=$PWD
work=${DAEMONLESS_WORK:-${TMPDIR:-/tmp}/cloud-todo-daemonless}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
node_bin=$repo/node_modules/node/bin/node
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
started=$(date +%s)
# The build context: the repository root (CONTEXT overrides it, e.g. for a patched copy).
context=${CONTEXT:-$repo}
log() { echo "daemonless: $(( $(date +%s) - started ))s $*"; }

from_arg() { sed -n "s/^ARG $1=//p" "$2" | head -n1; }
node_image=$(from_arg NODE_IMAGE apps/api/Dockerfile)
nginx_image=$(from_arg NGINX_IMAGE apps/web/Dockerfile)
[ -x "$node_bin" ] || { echo "no Node.js binary at $node_bin: run npm ci first" >&2; exit 1; }

mkdir -p "$work"
if [ ! -x "$work/rootfs/bin/sh" ]; then
  log "debootstrap bookworm"
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log"
fi

if ! buildah inspect --type image localhost/cloud-todo-debian:bookworm >/dev/null 2>&1; then
  log "import the Debian root file system"
  tar -C "$work/rootfs" -c . | buildah import - localhost/cloud-todo-debian:bookworm >/dev/null 2>&1 ||
    { c=$(buildah from scratch); mnt=$(buildah mount "$c"); cp -a "$work/rootfs/." "$mnt/"; buildah umount "$c" >/dev/null;
      buildah commit -q "$c" localhost/cloud-todo-debian:bookworm >/dev/null; buildah rm "$c" >/dev/null; }
fi

have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }

if ! have_image "docker.io/library/$node_image"; then
log "stand-in for $node_image"
c=$(buildah from --pull-never localhost/cloud-todo-debian:bookworm)
mnt=$(buildah mount "$c")
install -D -m 0755 "$node_bin" "$mnt/usr/local/bin/node"
mkdir -p "$mnt/usr/local/lib/node_modules"
cp -a "$npm_dir" "$mnt/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
chroot "$mnt" sh -c 'groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node'
# The build host's trust store, so that npm inside the build trusts whatever TLS the host's
# way to the registry presents (a stand-in peculiarity: the real base image does not need it).
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$mnt/etc/ssl/certs/ca-certificates.crt"
buildah umount "$c" >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$c"
buildah commit -q --rm "$c" "docker.io/library/$node_image" >/dev/null
fi

if ! have_image "docker.io/$nginx_image"; then
log "stand-in for $nginx_image"
c=$(buildah from --pull-never localhost/cloud-todo-debian:bookworm)
buildah run --network host "$c" sh -c '
  set -e
  groupadd -g 101 nginx && useradd -u 101 -g nginx -M -d /var/cache/nginx -s /sbin/nologin nginx
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light curl ca-certificates >/dev/null
  rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/sites-available /etc/nginx/conf.d/*
  mkdir -p /usr/share/nginx/html /var/cache/nginx
  ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log'
mnt=$(buildah mount "$c")
install -m 0644 deploy/images/nginx-unprivileged.conf "$mnt/etc/nginx/nginx.conf"
buildah umount "$c" >/dev/null
buildah config --user 101 --port 8080 --stop-signal SIGQUIT --cmd '["nginx", "-g", "daemon off;"]' "$c"
buildah commit -q --rm "$c" "docker.io/$nginx_image" >/dev/null
fi

for app in api web; do
  log "build $app"
  buildah bud --pull-never --layers=false --format docker -q -f "$context/apps/$app/Dockerfile" \
    --build-arg "REVISION=$(git rev-parse HEAD)" -t "localhost/cloud-todo-$app:daemonless" "$context" >"$work/build-$app.log" 2>&1 ||
    { tail -n 40 "$work/build-$app.log" >&2; exit 1; }
done
log "built both images"

log "run both images"
"$node_bin" deploy/images/run-built-images.ts localhost/cloud-todo-api:daemonless localhost/cloud-todo-web:daemonless
log "done"
