#!/usr/bin/env bash
# Idempotent install of the services the tests start themselves on free loopback ports:
# Debian's redis-server (state tests). The tests skip with a how-to when it is absent.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "services-setup: not root, skipping (redis tests will skip)" >&2
    exit 0
fi
if ! command -v redis-server >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
# The package may start a system instance on 6379; the tests never use it (free ports only).
echo "services-setup: $(redis-server --version | cut -d' ' -f1-3)"
