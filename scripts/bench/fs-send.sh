#!/usr/bin/env bash
# Messages per second written through a mount's `send` with
# `cat bigfile > send` (issue 5's target: at least 10,000/s), repeated, with
# the time until the uploader has everything in a local folder store. The
# same measurement as part 3 of scripts/bench/fs.sh, without its big room.
#
#   scripts/bench/fs-send.sh [MESSAGES=20000] [RUNS=3]
# Each run writes to a fresh room of one mount. The state folder (journal)
# and the store live on the project's disk, so fsync costs what it costs there.
# BUCKETCHAT_BIN=path runs that binary instead of building (to compare builds).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
messages=${1:-20000}
runs=${2:-3}

if [ -n "${BUCKETCHAT_BIN:-}" ]; then
  bc=$BUCKETCHAT_BIN
else
  swift build -c release --product bucketchat >/dev/null
  bc="$(swift build -c release --show-bin-path)/bucketchat"
fi
work=$(mktemp -d "$PWD/.bench-fs-send-XXXXXX")
cleanup() {
  [ -d "$work/mnt" ] && fusermount3 -u -z "$work/mnt" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.3f\", $2 - $1 }"; }
wait_for() { # seconds, command...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.1
  done
}

export BUCKETCHAT_HOME="$work/home" BUCKETCHAT_STORE="$work/store"
"$bc" init --name writer >/dev/null
"$bc" mount "$work/mnt" >/dev/null
seq -f "message %g of the flood" 1 "$messages" >"$work/bigfile"
pid=$(cat "$work/home"/mount*.pid | head -1)
hz=$(getconf CLK_TCK)
# The daemon's CPU seconds, and seconds its threads spent runnable but waiting
# for a core: on shared cores the rate swings with other work, CPU per message barely does.
cpu() { awk -v hz="$hz" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$pid/stat"; }
waited() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $2 } END { printf "%.3f", s / 1e9 }'; }
echo "filesystem: $(df -T "$work" | awk 'NR==2 {print $2}'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
  mkdir "$work/mnt/flood$run"
  room="$work/mnt/flood$run"
  c0=$(cpu); q0=$(waited); t0=$(now)
  cat "$work/bigfile" >"$room/send"
  t1=$(now); c1=$(cpu); q1=$(waited)
  lines=$(grep -c "msg	message .* of the flood" "$room/timeline")
  uploaded() { grep -q '"pending_events":0' "$room/state"; }
  wait_for 300 uploaded
  t2=$(now)
  printf 'run %d: cat bigfile > send: %d messages journaled in %s s: %.0f messages/s (%d shown in timeline); all uploaded %s s after the start\n' \
    "$run" "$messages" "$(secs "$t0" "$t1")" "$(awk "BEGIN{print $messages/($t1-$t0)}")" "$lines" "$(secs "$t0" "$t2")"
  printf '  daemon while cat ran: %.0f µs CPU per message, threads waited %s s for a core\n' \
    "$(awk "BEGIN{print ($c1 - $c0) / $messages * 1e6}")" "$(awk "BEGIN{printf \"%.2f\", $q1 - $q0}")"
done
"$bc" umount "$work/mnt"
