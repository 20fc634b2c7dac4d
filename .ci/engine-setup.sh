#!/usr/bin/env bash
# Idempotent setup of a Docker-API engine (podman) for the gateway and fleet engine tests.
# Installs podman + runc, Debian's docker-compose (1.29: a compose that speaks the Docker API,
# for the fleet's compose export) and writes /etc/containers/containers.conf for this kind of
# machine (no CAP_SYS_RESOURCE, hybrid cgroups). Starting the API service is the tests' job.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "engine-setup: not root, skipping (podman engine tests will skip)" >&2
    exit 0
fi

if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # --no-install-recommends: podman's recommends (buildah, slirp4netns, fuse-overlayfs, ...)
    # are not needed for rootful containers with the vfs/overlay driver and cost ~30 s.
    apt-get install -y -qq --no-install-recommends podman runc iptables netavark aardvark-dns \
        conmon catatonit >/dev/null
fi
if ! command -v docker-compose >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# Raising nofile above the hard limit needs CAP_SYS_RESOURCE, which this machine lacks;
# crun rejects the hybrid cgroup layout, runc with cgroupfs works.
hard_nofile=$(ulimit -Hn)
mkdir -p /etc/containers
cat > /etc/containers/containers.conf <<CONF
[containers]
default_ulimits = ["nofile=${hard_nofile}:${hard_nofile}", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
echo "engine-setup: $(podman --version); $(docker-compose version --short)"
