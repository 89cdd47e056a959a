#!/usr/bin/env bash
# Verification throughput: generates a signed room (default 200,000 events,
# 8 senders with 2 devices each, 100 events per object), verifies it with
# `bucketchat verify` and prints events/s and peak memory, next to the raw
# libsodium verify rate on this machine, which is the ceiling.
#
# Usage: scripts/bench/verify.sh [EVENTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
events=${1:-200000}
runs=${2:-3}
cores=$(nproc)

bash scripts/install-deps.sh
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
swift build -c release --product bucketchat >/dev/null
swift build -c release --product bucketchat-roomgen >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /tmp/bucketchat-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/sodium_baseline" scripts/bench/sodium_baseline.c -lsodium -lpthread

echo "== machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$work/sodium_baseline" "$cores"

start=$(date +%s.%N)
"$bin/bucketchat-roomgen" --out "$work/store" --events "$events" --senders 8 --devices-per-sender 2 --events-per-file 100 >/dev/null
end=$(date +%s.%N)
objects=$(find "$work/store/rooms/room_bench/logs" -type f | wc -l)
echo "generated $events events in $objects objects ($(du -sh "$work/store" | cut -f1)) in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"

best=""
for run in $(seq 1 "$runs"); do
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin/bucketchat" verify "$work/store" --room room_bench > "$work/out"
  read -r wall rss < "$work/time"
  grep -q "$events events accepted" "$work/out" || { echo "verification did not accept every event:"; cat "$work/out"; exit 1; }
  rate=$(awk "BEGIN { printf \"%d\", $events / $wall }")
  echo "run $run: verified $events events in $wall s: $rate events/s, peak memory $((rss / 1024)) MiB"
  if [ -z "$best" ] || [ "$rate" -gt "$best" ]; then best=$rate; fi
done
echo "best: $best events/s (whole command: read, parse, verify, authorise, chains, report)"
