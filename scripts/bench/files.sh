#!/usr/bin/env bash
# Large-file figures, for one file of FILE_MB (default 256) random bytes:
#  1. upload and download through moto S3 (SigV4 and IAM enforced, as in the
#     tests) with store-bench (putFileIfAbsent: 8 MiB multipart parts, 4 in
#     flight, streamed from the file), side by side with `aws s3 cp` on the
#     same moto, and the ratio bucketchat/aws each way (the goal: >= 0.8);
#  2. the same through the local folder store;
#  3. the sender's peak RSS (/usr/bin/time -f %M) for the file and for an
#     empty file, and the growth between them (the goal: < 64 MiB whatever
#     the size);
#  4. end to end through the CLI and moto: `bucketchat send ROOM --file PATH
#     --wait`, then `bucketchat download ROOM REF -o PATH` from a second
#     device (a fresh cache), and cmp of the bytes.
# TODO: `cat ROOM/files/NAME` through a real mount vs `cat` of the same bytes
#   from a plain file, once a mount shows ROOM/files/ (not in main yet).
#
# Usage: [FILE_MB=256] [RUNS=3] scripts/bench/files.sh
# moto is a Python server sharing the machine's cores: one transfer's time
# swings by 2x with other load, so part 1 alternates RUNS runs of each and
# prints medians, and each side's CPU seconds (steadier than its time).
# Figures only, never asserts on time; a wrong byte (cmp) fails the script.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
file_mb=${FILE_MB:-256}
runs=${RUNS:-3}

bash scripts/install-deps.sh >&2
swift build -c release --product store-bench >&2
swift build -c release --product bucketchat >&2
bin="$(swift build -c release --show-bin-path)"
command -v aws >/dev/null || { echo "files.sh: the aws CLI is needed for the comparison (pip install awscli)" >&2; exit 1; }

export BUCKETCHAT_SERVERS_DIR="${BUCKETCHAT_SERVERS_DIR:-$PWD/.bench-servers}"
work=$(mktemp -d "${TMPDIR:-/tmp}/bucketchat-files-bench.XXXXXX")
cleanup() {
  bash scripts/test-servers.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bash scripts/test-servers.sh start >&2
# shellcheck disable=SC1091
source "$BUCKETCHAT_SERVERS_DIR/env"

now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.3f\", $2 - $1 }"; }
rate() { awk "BEGIN { printf \"%.1f\", $file_mb / $1 }"; }      # MiB/s from seconds
ratio() { awk "BEGIN { printf \"%.2f\", $2 / $1 }"; }           # bucketchat/aws from seconds (aws, ours)
# seconds: upload U download D  →  "U D"
seconds_of() { awk '/^seconds:/ { print $3, $5 }' "$1"; }
rss_of() { awk '/^rss_kb / { print $2 }' "$1"; }
cpu_of() { awk '/^rss_kb / { printf "%.2f\n", $4 + $5 }' "$1"; }             # user + system seconds
median() { sort -g -k"$1","$1" "$2" | awk -v c="$1" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }

head -c "$((file_mb << 20))" /dev/urandom >"$work/file"
: >"$work/empty"
echo "file: $file_mb MiB of random bytes; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

admin=(env AWS_ACCESS_KEY_ID="$BUCKETCHAT_TEST_S3_ADMIN_KEY" AWS_SECRET_ACCESS_KEY="$BUCKETCHAT_TEST_S3_ADMIN_SECRET"
       AWS_ENDPOINT_URL="$BUCKETCHAT_TEST_S3_ENDPOINT" AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1)
bucket="bc-files-$RANDOM$RANDOM"

# One store-bench transfer under /usr/bin/time: its output in $1.out, its peak RSS (KiB) in it too.
transfer() { # name location path [out]
  local name=$1; shift
  "${admin[@]}" /usr/bin/time -f "rss_kb %M cpu_s %U %S" -o "$work/$name.rss" "$bin/store-bench" file "$@" >"$work/$name.out"
  cat "$work/$name.rss" >>"$work/$name.out"
}

echo "== moto S3 on loopback: bucketchat (store-bench) vs aws s3 cp, $runs runs each, alternating (medians)"
transfer s3-empty --create-bucket "s3://$bucket/bench" "$work/empty"
: >"$work/bc.times"; : >"$work/aws.times"
for run in $(seq 1 "$runs"); do
  transfer "s3-$run" "s3://$bucket/bench" "$work/file" "$work/s3-down"
  cmp "$work/file" "$work/s3-down"
  rm -f "$work/s3-down"
  seconds_of "$work/s3-$run.out" >>"$work/bc.times"
  cpu_of "$work/s3-$run.out" >>"$work/bc.cpu"
  t0=$(now)
  "${admin[@]}" /usr/bin/time -f "cpu_s %U %S" -o "$work/aws-up.cpu" aws s3 cp --only-show-errors "$work/file" "s3://$bucket/aws/file$run"
  t1=$(now)
  "${admin[@]}" /usr/bin/time -f "cpu_s %U %S" -o "$work/aws-down.cpu" aws s3 cp --only-show-errors "s3://$bucket/aws/file$run" "$work/aws-down"
  t2=$(now)
  cmp "$work/file" "$work/aws-down"
  rm -f "$work/aws-down"
  echo "$(secs "$t0" "$t1") $(secs "$t1" "$t2")" >>"$work/aws.times"
  cat "$work/aws-up.cpu" "$work/aws-down.cpu" | awk '{ s += $2 + $3 } END { printf "%.2f\n", s }' >>"$work/aws.cpu"
  printf '  run %d: bucketchat up %s s down %s s; aws up %s s down %s s\n' "$run" $(tail -1 "$work/bc.times") $(tail -1 "$work/aws.times")
done
bc_up=$(median 1 "$work/bc.times"); bc_down=$(median 2 "$work/bc.times")
aws_up=$(median 1 "$work/aws.times"); aws_down=$(median 2 "$work/aws.times")
printf '  %-12s upload %7.3f s = %7s MiB/s   download %7.3f s = %7s MiB/s   CPU (both ways) %s s\n' bucketchat "$bc_up" "$(rate "$bc_up")" "$bc_down" "$(rate "$bc_down")" "$(median 1 "$work/bc.cpu")"
printf '  %-12s upload %7.3f s = %7s MiB/s   download %7.3f s = %7s MiB/s   CPU (both ways) %s s\n' "aws s3 cp" "$aws_up" "$(rate "$aws_up")" "$aws_down" "$(rate "$aws_down")" "$(median 1 "$work/aws.cpu")"
printf '  bucketchat/aws: upload %s, download %s (goal >= 0.8)\n' "$(ratio "$bc_up" "$aws_up")" "$(ratio "$bc_down" "$aws_down")"
rss_empty=$(rss_of "$work/s3-empty.out"); rss_file=$(rss_of "$work/s3-1.out")
printf '  sender peak RSS: %d MiB with the file, %d MiB with an empty file: +%d MiB (goal < 64)\n' \
  "$((rss_file / 1024))" "$((rss_empty / 1024))" "$(((rss_file - rss_empty) / 1024))"

echo "== local folder store (store-bench)"
transfer local-empty "$work/store" "$work/empty"
transfer local "$work/store" "$work/file" "$work/local-down"
cmp "$work/file" "$work/local-down"
rm -f "$work/local-down"
read -r lf_up lf_down <<<"$(seconds_of "$work/local.out")"
printf '  %-12s upload %7.3f s = %7s MiB/s   download %7.3f s = %7s MiB/s\n' bucketchat "$lf_up" "$(rate "$lf_up")" "$lf_down" "$(rate "$lf_down")"
rss_empty=$(rss_of "$work/local-empty.out"); rss_file=$(rss_of "$work/local.out")
printf '  sender peak RSS: %d MiB with the file, %d MiB with an empty file: +%d MiB\n' \
  "$((rss_file / 1024))" "$((rss_empty / 1024))" "$(((rss_file - rss_empty) / 1024))"

echo "== end to end through the CLI and moto S3"
cli=(env AWS_ACCESS_KEY_ID="$BUCKETCHAT_TEST_S3_KEY" AWS_SECRET_ACCESS_KEY="$BUCKETCHAT_TEST_S3_SECRET"
     AWS_ENDPOINT_URL_S3="$BUCKETCHAT_TEST_S3_ENDPOINT" AWS_REGION=us-east-1
     BUCKETCHAT_STORE="s3://$bucket/chat/" BUCKETCHAT_MAX_FILE_MIB="$((file_mb + 1))")
"${cli[@]}" BUCKETCHAT_HOME="$work/sender" "$bin/bucketchat" init --name sender >/dev/null
"${cli[@]}" BUCKETCHAT_HOME="$work/reader" "$bin/bucketchat" init --name reader >/dev/null
room=$("${cli[@]}" BUCKETCHAT_HOME="$work/sender" "$bin/bucketchat" room create files-bench)
t0=$(now)
ref=$("${cli[@]}" BUCKETCHAT_HOME="$work/sender" /usr/bin/time -f "%M" -o "$work/send.rss" \
      "$bin/bucketchat" send "$room" --file "$work/file" --name big.bin --wait 2>/dev/null | tail -1)
t1=$(now)
"${cli[@]}" BUCKETCHAT_HOME="$work/reader" /usr/bin/time -f "%M" -o "$work/download.rss" \
  "$bin/bucketchat" download "$room" "$ref" -o "$work/cli-down" 2>/dev/null
t2=$(now)
cmp "$work/file" "$work/cli-down" && same="same bytes" || same="BYTES DIFFER"
printf '  send --file --wait: %7.3f s = %7s MiB/s (peak RSS %d MiB)\n' "$(secs "$t0" "$t1")" "$(rate "$(secs "$t0" "$t1")")" "$(($(cat "$work/send.rss") / 1024))"
printf '  download (fresh device): %7.3f s = %7s MiB/s (peak RSS %d MiB); cmp: %s\n' "$(secs "$t1" "$t2")" "$(rate "$(secs "$t1" "$t2")")" "$(($(tail -1 "$work/download.rss") / 1024))" "$same"
[ "$same" = "same bytes" ]
