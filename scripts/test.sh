#!/usr/bin/env bash
# The project's test command: installs what it needs, builds, starts the test
# servers the suites talk to, runs the whole suite, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash scripts/install-deps.sh

# The web client embedded in the binary must match web/, and type-check.
python3 scripts/embed-web.py --check
tsc -p web

swift build --build-tests
# The man pages and completions in contrib/ must match the command line.
bash scripts/gen-manual.sh --check

# moto_server (S3 + IAM) and fake-gcs-server on 127.0.0.1, stopped on any exit.
trap 'bash scripts/test-servers.sh stop' EXIT
bash scripts/test-servers.sh start
# shellcheck disable=SC1091
source .test-servers/env

# Suites that measure time run on their own: UploaderTests times the upload
# schedule to a few hundred milliseconds, and JournalTests counts how many
# concurrent sends share one fsync, which the rest of the suite running in
# parallel on two cores starves into one send at a time; the real-mount tests
# spawn daemons and shells, and so do the chat's tmux tests (S3MultipartTests'
# progress reports failed beside them). The command-line tests wait for each
# `bucketchat` they run on a thread of Swift's cooperative pool (two threads
# on two cores): alongside the rest they held it for a minute and more, and
# suites that poll with deadlines (RoomSyncTests, RoomHostTests) timed out.
log=$(mktemp /tmp/bucketchat-test.XXXXXX)
status=0
swift test --skip-build --skip MountTests --skip UploaderTests --skip JournalTests --skip BucketChatCLITests 2>&1 | tee -a "$log" || status=$?
swift test --skip-build --filter BucketChatCLITests --skip ChatTerminalTests 2>&1 | tee -a "$log" || status=$?
swift test --skip-build --filter ChatTerminalTests 2>&1 | tee -a "$log" || status=$?
swift test --skip-build --filter 'UploaderTests|JournalTests' 2>&1 | tee -a "$log" || status=$?
swift test --skip-build --filter MountTests 2>&1 | tee -a "$log" || status=$?
# The web face end to end in Debian's headless Chromium, driven by Playwright
# for Python (its browser download is never used: the test launches
# /usr/bin/chromium). It starts `bucketchat serve` itself and stops it.
python3 -c 'import playwright, pytest' 2>/dev/null || python3 -m pip install -q playwright pytest
weblog=$(mktemp /tmp/bucketchat-webtest.XXXXXX)
BUCKETCHAT="$(swift build --show-bin-path)/bucketchat" python3 -m pytest Tests/web -q -p no:cacheprovider 2>&1 | tee "$weblog" || status=$?
# One plain closing line for the whole run: the suites use Swift Testing, and
# XCTest's own summary ("Executed 0 tests") would otherwise be the last word.
passed=$(grep -E '^✔ Test .* passed after' "$log" | grep -cv '^✔ Test run with' || true)
failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -cv '^✘ Test run with' || true)
skipped=$(grep -cE '^➜ Test .* skipped' "$log" || true)
# pytest's closing line ("N passed, M failed in Ts") adds the browser tests.
webline=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped)' "$weblog" | tail -1 || true)
webpassed=$(echo "$webline" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
webfailed=$(echo "$webline" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
webskipped=$(echo "$webline" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || echo 0)
weberrors=$(echo "$webline" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0)
webfailed=$((webfailed + weberrors))
passed=$((passed + webpassed)); failed=$((failed + webfailed)); skipped=$((skipped + webskipped))
rm -f "$log" "$weblog"
echo "swift-test: $passed passed, $failed failed, $skipped skipped"
exit "$status"
