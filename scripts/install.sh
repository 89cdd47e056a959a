#!/usr/bin/env bash
# Builds bucketchat in release mode and installs it system-wide (as root):
#   /usr/local/bin/bucketchat                      the program
#   /sbin/mount.fuse.bucketchat                    the mount(8) helper (fstab, mount -t fuse.bucketchat)
#   /usr/local/share/man/man1/bucketchat*.1        man pages
#   bash, zsh and fish completions
#   /usr/local/lib/systemd/user/bucketchat-mount@.service   the user unit
# Usage: sudo scripts/install.sh [PREFIX]   (PREFIX defaults to /usr/local)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
export PATH="/opt/swift/usr/bin:$PATH"
bash scripts/install-deps.sh
swift build -c release --product bucketchat
bin=$(swift build -c release --show-bin-path)
install -D -m 0755 "$bin/bucketchat" "$prefix/bin/bucketchat"
install -D -m 0755 contrib/mount.fuse.bucketchat /sbin/mount.fuse.bucketchat
for page in contrib/man/*.1; do install -D -m 0644 "$page" "$prefix/share/man/man1/$(basename "$page")"; done
install -D -m 0644 contrib/completions/bucketchat.bash "$prefix/share/bash-completion/completions/bucketchat"
install -D -m 0644 contrib/completions/_bucketchat "$prefix/share/zsh/site-functions/_bucketchat"
install -D -m 0644 contrib/completions/bucketchat.fish "$prefix/share/fish/vendor_completions.d/bucketchat.fish"
install -D -m 0644 contrib/systemd/bucketchat-mount@.service "$prefix/lib/systemd/user/bucketchat-mount@.service"
install -D -m 0644 docs/service.md "$prefix/share/doc/bucketchat/service.md"
echo "installed bucketchat into $prefix (mount helper in /sbin); see docs/service.md"
