#!/usr/bin/env bash
# Man pages (contrib/man/) and shell completions (contrib/completions/),
# generated from the argument parser so they never drift from --help:
#   scripts/gen-manual.sh           regenerate them (commit the result)
#   scripts/gen-manual.sh --check   fail when the committed ones are stale (CI)
# Uses a debug build of bucketchat and swift-argument-parser's generate-manual tool.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build --product bucketchat >/dev/null
swift build --product generate-manual >/dev/null
bin=$(swift build --show-bin-path)

out=contrib
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d /tmp/bucketchat-manual.XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi
rm -rf "$out/man" "$out/completions"
mkdir -p "$out/man" "$out/completions"
"$bin/generate-manual" "$bin/bucketchat" --multi-page --output-directory "$out/man" >/dev/null
"$bin/bucketchat" --generate-completion-script bash > "$out/completions/bucketchat.bash"
"$bin/bucketchat" --generate-completion-script zsh > "$out/completions/_bucketchat"
"$bin/bucketchat" --generate-completion-script fish > "$out/completions/bucketchat.fish"

if [ "${1:-}" = "--check" ]; then
  # The pages carry the day they were made (.Dd): only the rest must match.
  if ! diff -r -q -I '^\.Dd ' contrib/man "$out/man" >/dev/null || ! diff -r -q contrib/completions "$out/completions" >/dev/null; then
    diff -r -I '^\.Dd ' contrib/man "$out/man" | head -40 || true
    diff -r contrib/completions "$out/completions" | head -40 || true
    echo "gen-manual: contrib/man or contrib/completions is stale; run scripts/gen-manual.sh and commit the result" >&2
    exit 1
  fi
  echo "gen-manual: man pages and completions are current"
fi
