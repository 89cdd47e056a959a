#!/usr/bin/env python3
"""Follows a mounted room's `follow` file and measures delivery lag.

Usage: follow-lag.py FOLLOW_FILE IDS_FILE SECONDS DAEMON_PID

Reads timeline lines as they come (poll(2) on the file, as a bot would),
takes every `msg` line whose body starts with "load ", and records the lag
from the event's timestamp (the line's TIME field) to the moment the line
was read. Stops when IDS_FILE (the senders' acknowledged event ids, written
when they finish) exists and as many distinct load messages arrived, or
after SECONDS. Prints lag p50/p99, exactly-once counts, and the mount
daemon's CPU time and peak resident memory (from /proc).
"""
import datetime
import os
import select
import sys
import time


def main():
    path, ids_file, seconds, pid = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    fd = os.open(path, os.O_RDONLY)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    started = time.time()
    lags, counts, buffer, expected = [], {}, b"", None
    # A poll that times out although the file is readable right after is a
    # wakeup the mount did not deliver: it shows as up to a second of lag.
    missed = 0
    while time.time() - started < seconds:
        ready = poller.poll(1000)
        if not ready and poller.poll(0):
            missed += 1
            ready = True
        if ready:
            chunk = os.read(fd, 1 << 20)
            now_ms = time.time() * 1000
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                fields = line.decode("utf-8", "replace").split("\t")
                if len(fields) != 5 or not fields[3].startswith("msg") or not fields[4].startswith("load "):
                    continue
                stamp = datetime.datetime.strptime(fields[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
                lags.append(now_ms - stamp.timestamp() * 1000)
                counts[fields[4]] = counts.get(fields[4], 0) + 1
        if expected is None and os.path.exists(ids_file):
            with open(ids_file) as f:
                expected = sum(1 for line in f if line.strip())
        if expected is not None and len(counts) >= expected:
            break
    elapsed = time.time() - started
    lags.sort()

    def pct(p):
        return int(lags[min(len(lags) - 1, int(p * len(lags)))]) if lags else 0

    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    missing = (expected or 0) - len(counts)
    twice = sum(1 for c in counts.values() if c > 1)
    print(f"mount: {len(counts)} messages shown, {expected} acknowledged by senders, {missing} missing, {twice} shown twice")
    print(f"mount delivery lag (tail of follow): p50 {pct(0.5)} ms, p99 {pct(0.99)} ms, max {int(lags[-1]) if lags else 0} ms")
    print(f"mount follow: {missed} poll(2) timeouts with lines waiting (wakeups not delivered)")
    print(f"mount daemon: CPU {cpu:.1f} s over {elapsed:.0f} s ({cpu / elapsed * 100:.0f}% of one core), "
          f"peak memory {int(status['VmHWM'].split()[0]) // 1024} MiB")
    sys.exit(1 if missing or twice else 0)


if __name__ == "__main__":
    main()
