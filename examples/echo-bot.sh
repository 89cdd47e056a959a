#!/usr/bin/env bash
# A chat bot in a few lines of shell, built only on a mounted room's
# `timeline` (read with tail -f) and `send` (written with printf).
#
# It answers every message that starts with "!echo " with "echo: <rest>".
#
#   bucketchat mount ~/chat
#   examples/echo-bot.sh ~/chat/by-name/lobby
#
# Ctrl-C, or `kill PID` (SIGTERM), stops it with everything it started.
#
# Timeline lines are TIME<TAB>REF<TAB>SENDER<TAB>KIND<TAB>TEXT
# (docs/timeline-format.md); TEXT is escaped, so one event is one line.
set -euo pipefail
room="${1:?usage: echo-bot.sh MOUNT/ROOM (a room folder, or MOUNT/by-name/NAME)}"
# GNU tail polls the file's size on FUSE (inotify never fires there); this is how often.
interval="${ECHO_BOT_POLL:-0.5}"
# Who we are, so the bot never answers itself.
me="$(sed -n 's/^sender_id\t//p' "$room/../me")"

# tail runs on its own, its pid known, and the loop reads it in this shell:
# so killing this script's pid (SIGTERM, Ctrl-C's SIGINT, SIGHUP) ends the
# loop and the tail with it. (In a `tail | while` pipeline both are processes
# of their own that a kill of the script leaves running, and answering.)
exec {timeline}< <(exec tail -n 0 -s "$interval" -f "$room/timeline")
tail_pid=$!
trap 'kill "$tail_pid" 2>/dev/null || true' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

while IFS=$'\t' read -r -u "$timeline" _time _ref sender kind text; do
  [ "$kind" = msg ] || continue
  case "$sender" in "$me" | "$me "*) continue ;; esac
  case "$text" in
    '!echo '*) printf 'echo: %s\n' "${text#!echo }" >"$room/send" ;;
  esac
done
