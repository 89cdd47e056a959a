#!/usr/bin/env bash
# Engine figures:
#  1. delivery latency between clients through moto S3 (SigV4 and IAM
#     enforced): SENDERS people each sending MESSAGES messages 1–2 s apart,
#     one reader with default sync settings (p50/p99, requests per minute);
#  2. the same through the local folder store;
#  3. sustained send throughput into the journal, the uploader draining to a
#     local folder store (scripts/bench/engine-send.sh, three runs);
#  4. cold and warm open of a large room from the local folder store: cold
#     (empty cache), libsodium checking the same signatures alone on every
#     core (the limit a cold open is measured against), warm from the ledger
#     snapshot the cold open wrote, in its own process three times
#     (docs/opening.md); the issue's figure is for 1,000,000 events: pass
#     ROOM_EVENTS=1000000;
#  5. the warm open of a room of the same size where 10% of the events are
#     reactions, 10% replies and 2% edits;
#  6. a first sync through moto S3 of a room of SYNC_EVENTS events (default
#     200,000): fetching alone, the first sync (which checks what it has while
#     it fetches the rest), and the signatures alone.
#
# Usage: scripts/bench/engine.sh [SENDERS] [MESSAGES] [ROOM_EVENTS] [SYNC_EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
senders=${1:-10}
messages=${2:-50}
room_events=${3:-200000}
sync_events=${4:-200000}

bash scripts/install-deps.sh
swift build -c release --product engine-bench >/dev/null
swift build -c release --product bucketchat >/dev/null
swift build -c release --product bucketchat-roomgen >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/bucketchat-engine-bench.XXXXXX)
trap 'bash scripts/test-servers.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

bash scripts/test-servers.sh start
# shellcheck disable=SC1091
source .test-servers/env
bucket="bc-bench-$RANDOM$RANDOM"
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1 \
  "$(swift build -c release --show-bin-path)/bucketchat" store create-bucket "s3://$bucket/" >/dev/null

echo "== delivery latency through moto S3"
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_SECRET \
AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1 \
  "$bin/engine-bench" latency "s3://$bucket/bench/" "$senders" "$messages"

echo "== delivery latency through the local folder store"
"$bin/engine-bench" latency "$work/folder" "$senders" "$messages"

echo "== sustained send throughput into the journal (64 senders, the uploader keeping up)"
bash scripts/bench/engine-send.sh 100000 64 3

echo "== opening a $room_events-event room from the local folder store"
"$bin/bucketchat-roomgen" --out "$work/big" --events "$room_events" >/dev/null
"$bin/engine-bench" open "$work/big" room_bench "$work/big-cache"
for run in 1 2 3; do
  echo -n "warm, own process, run $run: "
  "$bin/engine-bench" open-warm "$work/big" room_bench "$work/big-cache"
done
rm -rf "$work/big" "$work/big-cache"

echo "== a $room_events-event room with 10% reactions, 10% replies and 2% edits"
"$bin/bucketchat-roomgen" --out "$work/mix" --events "$room_events" --reactions 10 --replies 10 --edits 2 >/dev/null
echo -n "cold, filling the cache: "
"$bin/engine-bench" open-warm "$work/mix" room_bench "$work/mix-cache"
for run in 1 2 3; do
  echo -n "warm, own process, run $run: "
  "$bin/engine-bench" open-warm "$work/mix" room_bench "$work/mix-cache"
done
rm -rf "$work/mix" "$work/mix-cache"

echo "== first sync of a $sync_events-event room through moto S3"
"$bin/bucketchat-roomgen" --out "$work/s3room" --events "$sync_events" >/dev/null
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "$BUCKETCHAT_TEST_S3_ENDPOINT" s3 cp --recursive --quiet "$work/s3room/rooms" "s3://$bucket/first/rooms"
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_SECRET \
AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1 \
  "$bin/engine-bench" first-sync "s3://$bucket/first/" room_bench
