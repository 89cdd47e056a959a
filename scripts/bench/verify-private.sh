#!/usr/bin/env bash
# What decryption costs on top of verification: generates a private room
# (default 200,000 events, 8 senders with 2 devices each, one key epoch,
# every message encrypted), then verifies it with `bucketchat verify`
# without a key (signatures, chains, rules: the content stays closed) and
# with a member's key (every ciphertext opened and held to the rules),
# alternating, and prints both rates and the overhead. The goal is under 15%.
#
# Usage: scripts/bench/verify-private.sh [EVENTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
events=${1:-200000}
runs=${2:-3}

bash scripts/install-deps.sh
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
swift build -c release --product bucketchat >/dev/null
swift build -c release --product bucketchat-roomgen >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /tmp/bucketchat-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin/bucketchat-roomgen" --out "$work/store" --events "$events" --senders 8 --devices-per-sender 2 --events-per-file 100 \
  --reactions 10 --edits 5 --private --key-out "$work/u0.key" >/dev/null
chmod 600 "$work/u0.key"
echo "generated a private room of $events events ($(du -sh "$work/store" | cut -f1))"

best_plain=0
best_keyed=0
for run in $(seq 1 "$runs"); do
  for mode in plain keyed; do
    extra=()
    [ "$mode" = keyed ] && extra=(--key "$work/u0.key")
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin/bucketchat" verify "$work/store" --room room_bench "${extra[@]}" > "$work/out"
    read -r wall rss < "$work/time"
    grep -q "$events events accepted" "$work/out" || { echo "verification did not accept every event:"; cat "$work/out"; exit 1; }
    if [ "$mode" = keyed ]; then
      grep -q " 0 did not open" "$work/out" || { echo "not every ciphertext opened:"; cat "$work/out"; exit 1; }
    fi
    rate=$(awk "BEGIN { printf \"%d\", $events / $wall }")
    echo "run $run $mode: $wall s, $rate events/s, peak memory $((rss / 1024)) MiB"
    if [ "$mode" = plain ] && [ "$rate" -gt "$best_plain" ]; then best_plain=$rate; fi
    if [ "$mode" = keyed ] && [ "$rate" -gt "$best_keyed" ]; then best_keyed=$rate; fi
  done
done
grep "private:" "$work/out" || true
overhead=$(awk "BEGIN { printf \"%.1f\", ($best_plain / $best_keyed - 1) * 100 }")
echo "verify-private: without key $best_plain events/s, with key $best_keyed events/s: decryption adds $overhead% (goal < 15%)"
