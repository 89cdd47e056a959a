#!/usr/bin/env bash
# `bucketchat serve`, measured (issue 17). Prints:
#   1. browser-to-browser delivery latency p50/p99 (two identities, two
#      servers, two pages), through moto S3 when scripts/test-servers.sh is
#      running (its .test-servers/env), else a local folder;
#   2. time to the first timeline paint of a big room, first and warm loads;
#   3. the server's resident memory with 1 and 11 pages open on it;
#   4. live messages per second sustained to a page.
#
# Usage: scripts/bench/web.sh [EVENTS] [SAMPLES]   (defaults 200000, 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
bash scripts/install-deps.sh
python3 -c 'import playwright' 2>/dev/null || python3 -m pip install -q playwright
swift build -c release --product bucketchat >/dev/null
swift build -c release --product bucketchat-roomgen >/dev/null
bin=$(swift build -c release --show-bin-path)
# shellcheck disable=SC1091
[ -f .test-servers/env ] && source .test-servers/env
work=$(mktemp -d /tmp/bucketchat-webbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
BC="$bin/bucketchat" ROOMGEN="$bin/bucketchat-roomgen" WORK="$work" EVENTS="${1:-200000}" SAMPLES="${2:-30}" \
  python3 scripts/bench/web_bench.py
