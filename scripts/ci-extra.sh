#!/usr/bin/env bash
# CI checks beyond the main suite (.ci/run calls this after scripts/test.sh):
#
# 1. every libFuzzer target of Fuzz/ for FUZZ_SECONDS (default 25) each,
#    failing on any crash, leak, timeout or broken invariant;
# 2. the protocol and engine tests under ThreadSanitizer, failing on any
#    report. ChatEngineTests' OutageTests need a moto server
#    (BUCKETCHAT_TEST_MOTO_SERVER) and are skipped here; they run in the main
#    suite. Nothing else in these two suites talks to a server.
#
# Prints the time each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

fuzz_seconds="${FUZZ_SECONDS:-25}"
t0=$(date +%s)
bash scripts/fuzz.sh all "$fuzz_seconds"
t1=$(date +%s)
echo "ci-extra: fuzzing took $((t1 - t0)) s (build included, ${fuzz_seconds} s per target)"

swift build --build-tests --sanitize=thread --scratch-path .build-tsan
log=$(mktemp /tmp/bucketchat-tsan.XXXXXX)
status=0
# halt_on_error=0: see every race in one run; TSan still exits non-zero
# (66) at the end when it reported any. scripts/tsan.supp lists the
# Mutex-guarded state TSan cannot see the lock of (and why); the helper
# processes the crash tests start inherit these options. BUCKETCHAT_TSAN
# relaxes the one timing bound that TSan's slowdown breaks (JournalTests).
BUCKETCHAT_TSAN=1 TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan.supp ${TSAN_OPTIONS:-}" \
  swift test --skip-build --sanitize=thread --scratch-path .build-tsan \
    --filter 'ChatEngineTests|ChatProtocolTests' 2>&1 | tee "$log" || status=$?
reports=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
failed=$(grep -cE '^✘ Test .* failed after' "$log" || true)
if [ "$reports" -ne 0 ]; then
  # Repeat the reports at the end, where a truncated CI log still shows them.
  echo "ci-extra: the ThreadSanitizer reports again:"
  awk '/^WARNING: ThreadSanitizer/{p=1} p{print} /^SUMMARY: ThreadSanitizer/{p=0}' "$log" | head -c 20000 || true
fi
rm -f "$log"
t2=$(date +%s)
echo "ci-extra: ThreadSanitizer: $reports report(s), $failed failed test(s), exit $status; took $((t2 - t1)) s"
if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
  exit 1
fi
echo "ci-extra: all extra checks passed in $((t2 - t0)) s"
