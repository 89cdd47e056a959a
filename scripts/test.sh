#!/usr/bin/env bash
# The project's test command: installs what it needs, builds, starts the test
# servers the suites talk to, runs the whole suite, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash scripts/install-deps.sh

swift build --build-tests
# Start moto_server and fake-gcs-server; their endpoints and keys go to
# .test-servers/env, which the cloud and engine suites read. Stopped on exit.
bash scripts/test-servers.sh start
trap 'bash scripts/test-servers.sh stop' EXIT
# shellcheck disable=SC1091
source .test-servers/env
swift test --skip-build
