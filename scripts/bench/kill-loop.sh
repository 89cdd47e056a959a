#!/usr/bin/env bash
# SIGKILL of the mount daemon at random moments, in a loop (issue 6, faults).
#
# Each run mounts the writer's rooms (`bucketchat mount -f`), writes messages
# into the room's `send` one write(2) each, as fast as they are accepted,
# kills the daemon with SIGKILL at a random moment (0–2.5 s into the writing,
# sometimes while the mount is still loading), cleans up the dead mount
# (fusermount3 -u -z) and goes again. A message counts as acknowledged when
# its write() returned success. At the end a clean mount uploads what is left
# and a second identity reads the room with `bucketchat log --json`: every
# acknowledged message must be there exactly once.
#
# Usage: scripts/bench/kill-loop.sh [RUNS] [folder|moto]
#   RUNS     number of kill cycles (default 50)
#   folder   a local folder store (default)
#   moto     moto S3 from scripts/test-servers.sh (.test-servers/env)
# KILL_LOOP_BIN=path/to/bucketchat uses that binary instead of building a
# release one (MountTests runs the short form with its debug build).
#
# Prints one line per run and a summary:
#   kill-loop: runs R, acknowledged A, delivered D, lost L, duplicated U, unacknowledged-but-delivered X
# and exits non-zero when L or U is not 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
runs=${1:-50}
kind=${2:-folder}
case "$runs" in ''|*[!0-9]*) echo "usage: $0 [RUNS] [folder|moto]" >&2; exit 2 ;; esac

if [ -n "${KILL_LOOP_BIN:-}" ]; then
  bc=$KILL_LOOP_BIN
else
  swift build -c release --product bucketchat >/dev/null
  bc="$(swift build -c release --show-bin-path)/bucketchat"
fi

work=$(mktemp -d /tmp/bucketchat-killloop.XXXXXX)
daemon=""
writer=""
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null || true
  [ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null || true
  fusermount3 -u -z "$work/mnt" 2>/dev/null || true
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT

case "$kind" in
  folder) store="$work/store" ;;
  moto)
    # shellcheck disable=SC1091
    [ -f .test-servers/env ] && source .test-servers/env
    [ -n "${BUCKETCHAT_TEST_S3_ENDPOINT:-}" ] || { echo "moto is not running: bash scripts/test-servers.sh start" >&2; exit 2; }
    bucket="bc-killloop-$(date +%s)-$$"
    AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
      AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1 BUCKETCHAT_HOME="$work/admin" \
      "$bc" store create-bucket "s3://$bucket" >/dev/null
    export AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_SECRET
    export AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1
    store="s3://$bucket/chat/"
    ;;
  *) echo "usage: $0 [RUNS] [folder|moto]" >&2; exit 2 ;;
esac
export BUCKETCHAT_STORE="$store"

identity() { # name
  BUCKETCHAT_HOME="$work/$1" "$bc" init --name "$1" >/dev/null
  printf '\n[sync]\nactive_interval_ms = 200\nidle_interval_ms = 400\n[mount]\ndiscovery_interval_ms = 300\n' >>"$work/$1/config.toml"
}
is_mounted() { awk -v p="$work/mnt" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo; }
wait_for() { # seconds, command...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "kill-loop: timed out waiting for: $*" >&2; return 1; }
    sleep 0.05
  done
}
mount_writer() {
  mkdir -p "$work/mnt"
  BUCKETCHAT_HOME="$work/writer" "$bc" mount "$work/mnt" -f >>"$work/mount.log" 2>&1 &
  daemon=$!
  wait_for 30 is_mounted
}

identity writer
identity reader
mount_writer
mkdir "$work/mnt/lobby"
room=$(basename "$(readlink "$work/mnt/by-name/lobby")")
metadata_up() { grep -q '"metadata_pending":false' "$work/mnt/$room/state" 2>/dev/null; }
wait_for 30 metadata_up
BUCKETCHAT_HOME="$work/writer" "$bc" umount "$work/mnt" >/dev/null
wait "$daemon" || true
daemon=""
echo "kill-loop: room $room on $kind store $store, $runs runs"

acked="$work/acked"
: >"$acked"
for run in $(seq 1 "$runs"); do
  mount_writer
  # The writer: one write(2) per message; the number is recorded only once
  # write() returned success. A write to the killed daemon fails (ENOTCONN)
  # and ends the writer.
  python3 - "$work/mnt/$room/send" "$acked" "$run" "$work/first-ack-$run" <<'PY' &
import os, sys
path, acked, run, first = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
log = open(acked, "a", buffering=1)
for _ in range(600):
    try:
        fd = os.open(path, os.O_WRONLY)
        break
    except OSError:
        import time; time.sleep(0.02)
else:
    sys.exit(0)
i = 0
while True:
    i += 1
    text = f"kill-loop {run}-{i}"
    try:
        n = os.write(fd, (text + "\n").encode())
    except OSError:
        break
    if n == len(text) + 1:
        log.write(text + "\n")
        if i == 1:
            open(first, "w").close()
PY
  writer=$!
  # A random moment. Four runs in five: 0–2.5 s after the first write was
  # acknowledged (the first write waits until the room has loaded, seconds
  # on a big room in a debug build). One in five: 0–2.5 s after the mount
  # came up, whatever it was doing.
  delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", (r % 2500) / 1000 }')
  if [ $(( RANDOM % 5 )) -ne 0 ]; then
    wait_for 60 test -e "$work/first-ack-$run" || true
    when="after the first write"
  else
    when="after the mount came up"
  fi
  sleep "$delay"
  kill -KILL "$daemon"
  wait "$daemon" 2>/dev/null || true
  daemon=""
  wait "$writer" 2>/dev/null || true
  writer=""
  fusermount3 -u -z "$work/mnt" 2>/dev/null || umount -l "$work/mnt" 2>/dev/null || true
  wait_for 10 bash -c "! awk -v p='$work/mnt' '\$5 == p { f = 1 } END { exit !f }' /proc/self/mountinfo"
  printf 'run %d: killed %s s %s, %d acknowledged so far\n' "$run" "$delay" "$when" "$(wc -l <"$acked")"
done

# A clean last mount uploads what the killed ones left in the journal.
mount_writer
BUCKETCHAT_HOME="$work/writer" "$bc" umount "$work/mnt" >/dev/null
wait "$daemon" || true
daemon=""
BUCKETCHAT_HOME="$work/writer" "$bc" flush >/dev/null
BUCKETCHAT_HOME="$work/reader" "$bc" log "$room" --json >"$work/log.jsonl"

python3 - "$acked" "$work/log.jsonl" "$runs" <<'PY'
import collections, json, sys
acked = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
bodies = collections.Counter()
for line in open(sys.argv[2]):
    event = json.loads(line)
    body = event.get("content", {}).get("body", "")
    if event.get("type") == "m.room.message" and body.startswith("kill-loop "):
        bodies[body] += 1
ackset = set(acked)
lost = [a for a in ackset if bodies[a] == 0]
dup = [b for b, n in bodies.items() if n > 1]
extra = [b for b in bodies if b not in ackset]
print(f"kill-loop: runs {sys.argv[3]}, acknowledged {len(ackset)}, delivered {sum(bodies[a] for a in ackset if bodies[a])}, "
      f"lost {len(lost)}, duplicated {len(dup)}, unacknowledged-but-delivered {len(extra)}")
if len(acked) != len(ackset):
    print("kill-loop: a message was acknowledged twice (writer bug)"); sys.exit(1)
for a in sorted(lost)[:10]: print("  lost:", a)
for d in sorted(dup)[:10]: print("  duplicated:", d, bodies[d])
sys.exit(1 if lost or dup else 0)
PY
