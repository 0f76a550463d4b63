#!/usr/bin/env bash
# Builds both images with Docker (buildx) for linux/amd64, as the deploy command does, tagged
# cloud-todo-<image>:<short commit>. The deploy workflow runs it before anything in AWS changes,
# so that a broken Dockerfile stops the pipeline first; the deploy command's own build of the
# same commit is then served from the build cache.
# Usage: bash deploy/images/docker-build.sh   (DOCKER overrides the docker command)
set -euo pipefail
cd "$(dirname "$0")/../.."
docker_cli="${DOCKER:-docker}"
tag="$(git rev-parse --short HEAD)"
for image in api web; do
  echo "docker-build: cloud-todo-$image:$tag"
  if ! "$docker_cli" buildx build --platform linux/amd64 --load \
    -f "apps/$image/Dockerfile" \
    --build-arg "REVISION=$(git rev-parse HEAD)" \
    -t "cloud-todo-$image:$tag" .; then
    echo "docker-build: the $image image does not build (apps/$image/Dockerfile); nothing was deployed" >&2
    exit 1
  fi
done
