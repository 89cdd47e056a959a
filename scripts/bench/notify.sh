#!/usr/bin/env bash
# Notifications against polling, the same chat in one run on moto (S3 → SNS
# → SQS delivered on every PUT, SigV4 and IAM enforced): SENDERS people send
# MESSAGES messages in all (each 1–2 s after their last) to one room while one
# reader follows it, first polling as a mount does (250 ms while active, 1 s
# idle), then following its own SQS queue (long polls of 20 s, a safety
# listing every 60 s). For each: delivery latency p50/p99 (event timestamp
# to delivery) and the reader's requests per minute by kind, while the chat
# runs and over IDLE_S seconds of silence after it (one room). Ends with one
# line: `notify: p99 N ms, LIST/min M; polling: p99 N2 ms, LIST/min M2`.
#
# Usage: scripts/bench/notify.sh [SENDERS=10] [MESSAGES=500] [IDLE_S=60]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
senders=${1:-10}
messages=${2:-500}
idle=${3:-60}

bash scripts/install-deps.sh
swift build -c release --product engine-bench >/dev/null
swift build -c release --product bucketchat >/dev/null
bin=$(swift build -c release --show-bin-path)
servers="${BUCKETCHAT_SERVERS_DIR:-$PWD/.test-servers}"
trap 'bash scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT

bash scripts/test-servers.sh start
# shellcheck disable=SC1091
source "$servers/env"
bucket="bc-notify-$RANDOM$RANDOM"
export AWS_ENDPOINT_URL_S3=$BUCKETCHAT_TEST_S3_ENDPOINT AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
  "$bin/bucketchat" store create-bucket "s3://$bucket/" >/dev/null
# The topic and the bucket's notification configuration, set up by an administrator.
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_ADMIN_SECRET \
  "$bin/bucketchat" store enable-notifications "s3://$bucket/bench/" | sed -n 1,2p

# Members (and the reader, which creates and subscribes its own queue) with the writer's key.
AWS_ACCESS_KEY_ID=$BUCKETCHAT_TEST_S3_KEY AWS_SECRET_ACCESS_KEY=$BUCKETCHAT_TEST_S3_SECRET \
  "$bin/engine-bench" notify-latency "s3://$bucket/bench/" "$senders" "$messages" "$idle"
