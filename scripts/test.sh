#!/usr/bin/env bash
# The project's test command: installs what it needs, builds, starts the test
# servers the suites talk to, runs the whole suite, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash scripts/install-deps.sh

swift build --build-tests
swift test --skip-build
