#!/usr/bin/env bash
# Installs the system packages bucketchat builds and tests against.
# Idempotent: does nothing (and needs no network) when everything is present.
set -euo pipefail
# node-typescript type-checks the web client (tsc -p web); chromium runs its
# end-to-end tests (Tests/web, driven by Playwright for Python), with an
# emoji font so reactions render in its screenshots; tmux drives the
# terminal chat's tests.
packages=(fuse3 libfuse3-dev libsodium-dev libcurl4-openssl-dev libssl-dev pkg-config openssl curl node-typescript chromium fonts-noto-color-emoji tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The Pub/Sub emulator (GCS notification tests) comes from the Google Cloud
# CLI's apt repository, which not every machine has: installed when apt can,
# else those tests are skipped (scripts/test-servers.sh says so).
optional=(google-cloud-cli-pubsub-emulator)
optional_missing=()
for p in "${optional[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || optional_missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#optional_missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for p in "${optional_missing[@]}"; do
  if apt-cache show "$p" >/dev/null 2>&1; then
    echo "install-deps: installing $p" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$p" >/dev/null || echo "install-deps: $p did not install; its tests are skipped" >&2
  else
    echo "install-deps: $p is not in this machine's apt sources; its tests are skipped" >&2
  fi
done
