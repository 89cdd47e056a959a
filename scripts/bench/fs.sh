#!/usr/bin/env bash
# The FUSE view, measured (issue 5). Prints:
#   1. `cat timeline` throughput on a big room vs `cat` of a plain file with
#      the same bytes (ratio), and `tail -n 20 timeline` time;
#   2. the daemon's resident memory with that room mounted, and the same
#      room mounted again (opened from its ledger snapshot);
#   3. messages/s through `cat bigfile > send`;
#   4. delivery latency mount to mount (p50/p99), seen by GNU `tail -f`
#      (default 1 s polling) and by `cat follow`, through moto S3 when
#      scripts/test-servers.sh is running (its .test-servers/env), else a
#      local folder.
#
# Usage: scripts/bench/fs.sh [EVENTS] [MESSAGES] [SAMPLES]
#   EVENTS    size of the big room (default 200000; 1000000 takes ~1 min to
#             verify at first open on a 2-core machine, plus generation)
#   MESSAGES  lines written through send (default 20000)
#   SAMPLES   latency samples (default 40)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
events=${1:-200000}
messages=${2:-20000}
samples=${3:-40}

bash scripts/install-deps.sh
swift build -c release --product bucketchat >/dev/null
swift build -c release --product bucketchat-roomgen >/dev/null
bin=$(swift build -c release --show-bin-path)
bc="$bin/bucketchat"

work=$(mktemp -d /tmp/bucketchat-fsbench.XXXXXX)
cleanup() {
  for m in "$work"/mnt-*; do [ -d "$m" ] && fusermount3 -u -z "$m" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.3f\", $2 - $1 }"; }

# An identity: a BUCKETCHAT_HOME with config; $3 is an optional key seed identity (roomgen's u0).
identity() { # name store
  export BUCKETCHAT_HOME="$work/$1" BUCKETCHAT_STORE="$2"
  "$bc" init --name "$1" >/dev/null
  # Default sync and upload settings; only room discovery is quicker, so the
  # bench does not wait for the invited mount to find the room.
  printf '\n[mount]\ndiscovery_interval_ms = 500\n' >>"$work/$1/config.toml"
}
as() { local who=$1; shift; BUCKETCHAT_HOME="$work/$who" "$@"; }
daemon_pid() { cat "$work/$1"/mount*.pid 2>/dev/null | head -1; }
wait_for() { # seconds, command...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# 1-2. A big room, read through the mount by its creator (user:u0 of the generator).
t0=$(now)
"$bin/bucketchat-roomgen" --out "$work/big" --events "$events" --events-per-file 1000 >/dev/null
echo "generated a $events-event room in $(secs "$t0" "$(now)") s"
mkdir -p "$work/reader"
python3 - "$work/reader" <<'PY'
import base64, json, os, sys
seed = bytearray(32); seed[31] = 0x42          # bucketchat-roomgen's key for user:u0, device 0
home = sys.argv[1]
with open(os.path.join(home, "device-key.json"), "w") as f:
    json.dump({"sender_id": "user:u0", "private_key": base64.b64encode(bytes(seed)).decode(), "created_at": ""}, f)
os.chmod(os.path.join(home, "device-key.json"), 0o600)
with open(os.path.join(home, "config.toml"), "w") as f:
    f.write('client_id = "bench_reader"\ndisplay_name = "reader"\n[mount]\ndiscovery_interval_ms = 500\n')
PY
export BUCKETCHAT_STORE="$work/big"
t0=$(now)
as reader "$bc" mount "$work/mnt-reader" >/dev/null
loaded() { grep -q "\"events\":$events," "$work/mnt-reader/room_bench/state" 2>/dev/null; }
wait_for 1200 loaded
echo "mounted; first open verified and rendered $events events in $(secs "$t0" "$(now)") s"
tl="$work/mnt-reader/room_bench/timeline"
size=$(stat -c %s "$tl")
cp "$tl" "$work/plain.txt"
cmp -s "$tl" "$work/plain.txt" || { echo "timeline changed while copying"; exit 1; }
best() { # file: best of 5 cat runs, in MB/s
  local b=0
  for _ in 1 2 3 4 5; do
    local s; s=$(now); cat "$1" >/dev/null; local e; e=$(now)
    b=$(awk -v b="$b" -v n="$size" -v t="$(secs "$s" "$e")" 'BEGIN { r = n / t / 1e6; print (r > b ? r : b) }')
  done
  echo "$b"
}
fuse=$(best "$tl"); plain=$(best "$work/plain.txt")
printf 'cat timeline: %d lines, %.1f MB: %.0f MB/s through the mount, %.0f MB/s plain file (page cache): ratio %.2f\n' \
  "$(wc -l <"$tl")" "$(awk "BEGIN{print $size/1e6}")" "$fuse" "$plain" "$(awk "BEGIN{print $fuse/$plain}")"
s=$(now); tail -n 20 "$tl" >/dev/null; e=$(now)
echo "tail -n 20 timeline: $(awk "BEGIN { printf \"%.1f\", ($e - $s) * 1000 }") ms"
pid=$(daemon_pid reader)
echo "daemon resident memory with the room mounted: $(awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status") (peak $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status"))"
as reader "$bc" umount "$work/mnt-reader"
# The same room mounted again: the ledger snapshot the first mount wrote
# replaces verification (docs/opening.md); every line is rendered again.
t0=$(now)
as reader "$bc" mount "$work/mnt-reader" >/dev/null
wait_for 1200 loaded
echo "mounted again; second open (from the ledger snapshot) rendered $events events in $(secs "$t0" "$(now)") s"
pid=$(daemon_pid reader)
echo "daemon resident memory after the second open: $(awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status")"
cmp -s "$tl" "$work/plain.txt" && echo "timeline identical to the first open's" || { echo "timeline differs after the second open"; exit 1; }
as reader "$bc" umount "$work/mnt-reader"

# 3. Messages per second through send.
identity writer "$work/writer-store"
as writer "$bc" mount "$work/mnt-writer" >/dev/null
mkdir "$work/mnt-writer/flood"
seq -f "message %g of the flood" 1 "$messages" >"$work/bigfile"
t0=$(now)
cat "$work/bigfile" >"$work/mnt-writer/flood/send"
t1=$(now)
lines=$(grep -c "msg	message .* of the flood" "$work/mnt-writer/flood/timeline")
printf 'cat bigfile > send: %d messages journaled in %s s: %.0f messages/s (%d shown in timeline)\n' \
  "$messages" "$(secs "$t0" "$t1")" "$(awk "BEGIN{print $messages/($t1-$t0)}")" "$lines"
uploaded() { grep -q '"pending_events":0' "$work/mnt-writer/flood/state"; }
t0=$(now); wait_for 300 uploaded; echo "  ... and uploaded $(secs "$t0" "$(now)") s later"
as writer "$bc" umount "$work/mnt-writer"

# 4. Latency mount to mount.
store="$work/latency-store"; where="a local folder"
if [ -f .test-servers/env ]; then
  # shellcheck disable=SC1091
  source .test-servers/env
  bucket="bc-fsbench-$RANDOM$RANDOM"
  AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
    aws --endpoint-url "$BUCKETCHAT_TEST_S3_ENDPOINT" --region us-east-1 s3api create-bucket --bucket "$bucket" >/dev/null
  export AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_SECRET
  export AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1
  store="s3://$bucket/chat/"; where="moto S3"
fi
identity alice "$store"; identity bob "$store"
export BUCKETCHAT_STORE="$store"
as alice "$bc" mount "$work/mnt-alice" >/dev/null
as bob "$bc" mount "$work/mnt-bob" >/dev/null
mkdir "$work/mnt-alice/lat"
room=$(basename "$(readlink "$work/mnt-alice/by-name/lat")")
echo "invite user:bob" >"$work/mnt-alice/lat/ctl"
wait_for 60 test -e "$work/mnt-bob/$room/timeline"
echo join >"$work/mnt-bob/$room/ctl"
stamp() { python3 -u -c 'import sys, time
for line in sys.stdin:
    print(time.time_ns(), line.rstrip("\n"), flush=True)'; }
tail -n 0 -f "$work/mnt-alice/$room/timeline" > >(stamp >"$work/tail.lat") &
tail_pid=$!
cat "$work/mnt-alice/$room/follow" > >(stamp >"$work/follow.lat") &
follow_pid=$!
sleep 2
# One message first, not counted, so alice's room is active (polled every
# 250 ms) as in a conversation; then one every 1.2–2.2 s, a person's pace.
# Faster than one a second from one device, PROTOCOL.md §9 batches them
# into at most one file a second, which adds up to a second by design.
echo "warm-up" >"$work/mnt-bob/$room/send"
sleep 2
for i in $(seq 1 "$samples"); do
  echo "lat $(date +%s%N)" >"$work/mnt-bob/$room/send"
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 1.2 + (r % 100) / 100 }')"
done
sleep 4
report() { # file label
  awk -F'\t' -v label="$2" '$4 == "msg" && $5 ~ /^lat / { split($1, a, " "); sent = substr($5, 5); d = (a[1] - sent) / 1e6; print d }' "$1" | sort -n >"$1.ms"
  local n; n=$(wc -l <"$1.ms")
  [ "$n" -gt 0 ] || { echo "$2: no samples"; return; }
  local p50 p99
  p50=$(awk -v n="$n" 'NR == int((n - 1) * 0.50) + 1' "$1.ms"); p99=$(awk -v n="$n" 'NR == int((n - 1) * 0.99) + 1' "$1.ms")
  printf '%s: %d samples through %s: p50 %.0f ms, p99 %.0f ms\n' "$2" "$n" "$where" "$p50" "$p99"
}
kill "$tail_pid" "$follow_pid" 2>/dev/null || true
wait "$tail_pid" "$follow_pid" 2>/dev/null || true
sleep 0.5
report "$work/tail.lat" "tail -f timeline (GNU tail, 1 s polling)"
report "$work/follow.lat" "cat follow (blocking read)"
as alice "$bc" umount "$work/mnt-alice"
as bob "$bc" umount "$work/mnt-bob"
