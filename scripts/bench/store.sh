#!/usr/bin/env bash
# Prints PUT, GET and LIST rates of the object stores, sequential vs parallel
# (32 in flight), for 1,000 objects of 1 KiB: the local folder, moto_server
# (IAM and SigV4 enforced, as in the tests), and moto behind a loopback proxy
# adding 10 ms each way, which stands in for the round trip to a real bucket;
# and fake-gcs-server.
#
#   scripts/bench/store.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
count="${1:-1000}"

bash scripts/install-deps.sh
swift build -c release --product store-bench >&2
bench="$(swift build -c release --show-bin-path)/store-bench"

export BUCKETCHAT_SERVERS_DIR="$PWD/.bench-servers"
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  bash scripts/test-servers.sh stop
  rm -rf "$work"
}
work="$(mktemp -d)"
trap cleanup EXIT
bash scripts/test-servers.sh start
# shellcheck disable=SC1091
source "$BUCKETCHAT_SERVERS_DIR/env"

echo "== local folder"
"$bench" bench "$work/store" "$count"

admin=(env AWS_ACCESS_KEY_ID="$BUCKETCHAT_TEST_S3_ADMIN_KEY" AWS_SECRET_ACCESS_KEY="$BUCKETCHAT_TEST_S3_ADMIN_SECRET")
echo "== moto_server on loopback"
"${admin[@]}" AWS_ENDPOINT_URL="$BUCKETCHAT_TEST_S3_ENDPOINT" "$bench" bench --create-bucket s3://bench-direct/chat "$count"

s3_port="${BUCKETCHAT_TEST_S3_ENDPOINT##*:}"
proxy_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 scripts/bench/latency_proxy.py "$proxy_port" "$s3_port" 10 &
proxy_pid=$!
for _ in $(seq 50); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
echo "== moto_server behind a 10 ms-each-way proxy"
"${admin[@]}" AWS_ENDPOINT_URL="http://127.0.0.1:$proxy_port" "$bench" bench --create-bucket s3://bench-latency/chat "$count"

echo "== fake-gcs-server on loopback"
STORAGE_EMULATOR_HOST="$BUCKETCHAT_TEST_GCS_ENDPOINT" "$bench" bench --create-bucket gs://bench-gcs/chat "$count"
