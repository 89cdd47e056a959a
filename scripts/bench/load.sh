#!/usr/bin/env bash
# Load: SENDERS identities, each with its own device key, in one public room;
# each sends a message every MEAN seconds on average (exponential gaps, so
# bursts happen) for SECONDS, while one engine reader in another process and
# one FUSE mount (its own identity, a bot reading the room's `follow` file)
# follow with default settings. Prints, for each: delivery lag p50/p99 and
# whether every message arrived exactly once; for the reader its LIST and
# GET requests per minute; for both CPU and peak memory; objects written.
# READ=notify sets up the bucket's notifications (S3 → SNS → SQS on moto)
# first, and both readers are woken by them (each its own queue, a safety
# listing every 60 s) instead of polling.
#
# Usage: scripts/bench/load.sh [SENDERS=1000] [SECONDS=300] [MEAN=10] [STORE=moto|folder] [READ=poll|notify]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
senders=${1:-1000}
seconds=${2:-300}
mean=${3:-10}
kind=${4:-moto}
read=${5:-poll}
case "$read" in poll|notify) ;; *) echo "READ must be poll or notify" >&2; exit 2 ;; esac
if [ "$read" = notify ] && [ "$kind" != moto ]; then echo "READ=notify needs STORE=moto (a folder has no notifications)" >&2; exit 2; fi

bash scripts/install-deps.sh
swift build -c release --product engine-bench >/dev/null
swift build -c release --product bucketchat >/dev/null
bin=$(swift build -c release --show-bin-path)/engine-bench
bc=$(swift build -c release --show-bin-path)/bucketchat
work=$(mktemp -d /tmp/bucketchat-load.XXXXXX)
ulimit -n 65536 2>/dev/null || ulimit -n 8192
cleanup() {
  [ -n "${reader:-}" ] && kill "$reader" 2>/dev/null || true
  [ -n "${follower:-}" ] && kill "$follower" 2>/dev/null || true
  [ -d "$work/mnt" ] && { BUCKETCHAT_HOME="$work/watcher" "$bc" umount "$work/mnt" >/dev/null 2>&1 || fusermount3 -u -z "$work/mnt" 2>/dev/null || true; }
  [ "$kind" = moto ] && bash scripts/test-servers.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$kind" = moto ]; then
  bash scripts/test-servers.sh start
  # shellcheck disable=SC1091
  source "${BUCKETCHAT_SERVERS_DIR:-$PWD/.test-servers}/env"
  bucket="bc-load-$RANDOM$RANDOM"
  AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
  AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1 \
    "$(swift build -c release --show-bin-path)/bucketchat" store create-bucket "s3://$bucket/" >/dev/null
  if [ "$read" = notify ]; then
    AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
    AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1 \
      "$bc" store enable-notifications "s3://$bucket/load/" | sed -n 1,2p
  fi
  export AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_SECRET
  export AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1
  store="s3://$bucket/load/"
else
  store="$work/store"
fi

room=$("$bin" load-room "$store")
echo "== $senders senders, one message each every ${mean} s on average, for ${seconds} s, through $kind (room $room), readers: $read"
"$bin" load-read "$store" "$room" $((seconds + 180)) "$work/ids" "$read" > "$work/reader.out" 2>&1 &
reader=$!
# The mount: an identity of its own joins the (public) room and mounts with default settings.
export BUCKETCHAT_HOME="$work/watcher" BUCKETCHAT_STORE="$store"
"$bc" init --name watcher >/dev/null
[ "$read" = poll ] && printf '[sync]\nnotifications = "off"\n' >> "$work/watcher/config.toml"
"$bc" join "$room" >/dev/null
mkdir -p "$work/mnt"
"$bc" mount "$work/mnt" >/dev/null
for _ in $(seq 300); do [ -e "$work/mnt/$room/follow" ] && break; sleep 0.2; done
daemon=$(cat "$work/watcher"/mount*.pid | head -1)
python3 scripts/bench/follow-lag.py "$work/mnt/$room/follow" "$work/ids" $((seconds + 180)) "$daemon" > "$work/mount.out" 2>&1 &
follower=$!
unset BUCKETCHAT_HOME BUCKETCHAT_STORE
"$bin" load-send "$store" "$room" "$senders" "$seconds" "$work/ids" "$mean"
status=0
wait "$reader" || status=$?
reader=""
wait "$follower" || status=$?
follower=""
cat "$work/reader.out" "$work/mount.out"
if [ "$kind" = moto ]; then
  objects=$(python3 -c "
import os, boto3
c = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL_S3'], region_name='us-east-1')
n = 0
for page in c.get_paginator('list_objects_v2').paginate(Bucket='${store#s3://}'.split('/')[0], Prefix='load/rooms/'):
    n += page.get('KeyCount', 0)
print(n)")
else
  objects=$(find "$store/rooms" -type f | wc -l)
fi
echo "objects written: $objects"
if [ "$kind" = moto ]; then
  # Every client's requests, from the test server's access log (one line per request, with its time).
  python3 - "${BUCKETCHAT_SERVERS_DIR:-$PWD/.test-servers}" <<'PY'
import collections, os, re, sys
state = sys.argv[1]
counts, first, last = collections.Counter(), None, None
for line in open(os.path.join(state, "moto.log"), errors="replace"):
    m = re.match(r'([0-9.]+) "(\w+) (\S+)"', line)
    if not m:
        continue
    t = float(m.group(1))
    first, last = first or t, t
    counts["LIST" if "list-type" in m.group(3) else m.group(2)] += 1
minutes = max((last or 0) - (first or 0), 1) / 60
with open(os.path.join(state, "moto.pid")) as f:
    pid = int(f.read())
with open(f"/proc/{pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
print(f"moto, all clients: {counts['PUT'] / minutes:.0f} PUT/min, {counts['GET'] / minutes:.0f} GET/min, "
      f"{counts['LIST'] / minutes:.0f} LIST/min over {minutes:.1f} min; moto CPU {cpu:.0f} s ({cpu / minutes / 60 * 100:.0f}% of one core)")
PY
fi
exit "$status"
