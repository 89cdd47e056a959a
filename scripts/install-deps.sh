#!/usr/bin/env bash
# Installs the system packages bucketchat builds and tests against.
# Idempotent: does nothing (and needs no network) when everything is present.
set -euo pipefail
packages=(fuse3 libfuse3-dev libsodium-dev libcurl4-openssl-dev libssl-dev pkg-config openssl curl tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
