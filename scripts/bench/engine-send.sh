#!/usr/bin/env bash
# Sustained send throughput into the journal (target: at least 20,000
# messages/s with concurrent senders, thanks to group commit), with the
# uploader draining to a local folder store at the same time.
#
#   scripts/bench/engine-send.sh [MESSAGES] [SENDERS] [RUNS]
# The journal and store go to a temporary folder on the same disk as the
# project (not tmpfs), so fsync costs what it costs there.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product engine-send-bench >/dev/null
work="$(mktemp -d "$PWD/.bench-engine-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "filesystem: $(df -T "$work" | awk 'NR==2 {print $2}')" >&2
bin="$(swift build -c release --show-bin-path)/engine-send-bench"
# The ceiling of one chain: signing (Ed25519 + canonical JSON) on one core.
ENGINE_BENCH_SIGN_ONLY=1 "$bin" "$work"
for _ in $(seq "${3:-1}"); do
  rm -rf "$work" && mkdir -p "$work"
  "$bin" "$work" "${1:-100000}" "${2:-64}"
done
