#!/usr/bin/env bash
# The README's first command: installs what is needed, builds, sets up an
# identity if there is none, mounts your rooms (the embedded local store
# unless $BUCKETCHAT_STORE or config.toml names another) at FOLDER with a
# `lobby` room ready, and prints what to try.
#
#   scripts/quickstart.sh ~/chat [NAME]
set -euo pipefail
folder="${1:?usage: scripts/quickstart.sh FOLDER [NAME]   (FOLDER: where to mount your rooms)}"
name="${2:-${USER:-me}}"
cd "$(dirname "$0")/.."
bc="$PWD/scripts/bucketchat"   # runs the release build, building it first if the sources changed
step() { printf '\nquickstart: %s\n' "$*"; }
step "1/4 system packages (fuse3, libsodium, libcurl...; apt-get installs what is missing)"
bash scripts/install-deps.sh
# The first build takes minutes: its progress shows here, not hidden behind scripts/bucketchat.
step "2/4 building bucketchat (release; about 3 minutes the first time, seconds after)"
PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product bucketchat
step "3/4 your identity"
if "$bc" keys show >/dev/null 2>&1; then "$bc" keys show; else "$bc" init --name "$name"; fi
step "4/4 mounting your rooms at $folder"
"$bc" mount "$folder"
[ -e "$folder/by-name/lobby" ] || mkdir "$folder/lobby"
cat <<MSG

Your rooms are mounted at $folder. Try:

  echo hello > $folder/by-name/lobby/send          # send a message
  tail -f $folder/by-name/lobby/timeline           # watch the room (Ctrl-C stops)
  cat $folder/by-name/lobby/state                  # members, sync and upload status
  echo 'invite user:bob' > $folder/by-name/lobby/ctl
  examples/echo-bot.sh $folder/by-name/lobby       # a bot in a few lines of shell

Unmount with: $bc umount $folder
MSG
