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
bc="$PWD/scripts/bucketchat"   # installs the system packages and builds (release) on first use
"$bc" keys show >/dev/null 2>&1 || "$bc" init --name "$name"
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
