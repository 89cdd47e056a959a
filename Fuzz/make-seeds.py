#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/corpus/ from the protocol test vectors
(Tests/ChatProtocolTests/Fixtures) and a few hand-made examples.

Run from the repository root: python3 Fuzz/make-seeds.py. The output is
committed; libFuzzer's own findings go to .build-fuzz/ and are not."""
import hashlib
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "ChatProtocolTests", "Fixtures")
OUT = os.path.join(ROOT, "Fuzz", "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def room_objects():
    base = os.path.join(FIX, "room")
    for dirpath, _, files in os.walk(os.path.join(base, "rooms")):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                yield os.path.relpath(path, base), f.read()


shutil.rmtree(OUT, ignore_errors=True)

# Event lines: canonical vectors, rejected lines, signed events, the room's lines.
for case in json.load(open(os.path.join(FIX, "canonical.json"))):
    put("fuzz-event-line", case["input"])
    put("fuzz-event-line", case["canonical"])
for case in json.load(open(os.path.join(FIX, "rejects.json"))):
    put("fuzz-event-line", case["line"])
for case in json.load(open(os.path.join(FIX, "signing.json"))):
    put("fuzz-event-line", case["canonical"])
objects = sorted(room_objects())
for key, data in objects:
    for line in data.split(b"\n"):
        if line.startswith(b"{"):
            put("fuzz-event-line", line)

# Object keys: every key of the vector room, plus near misses.
for key, _ in objects:
    put("fuzz-object-key", key)
for key in [
    "rooms/room_a/metadata.json",
    "rooms/room_a/attachments/" + "0" * 64,
    "rooms/room_a/logs/2025-09-14/messages_0_0_c.jsonl",
    "rooms/room_a/logs/2025-09-14/messages_01_2_c.jsonl",
    "rooms/room_a/logs/2025-09-14/messages_9007199254740992_9007199254740992_c.jsonl",
    "rooms/room_a/logs/2025-09-14/messages_5_4_c.jsonl",
    "rooms/../logs/2025-09-14/messages_1_2_c.jsonl",
]:
    put("fuzz-object-key", key)

# Whole rooms: the vector room as KEY NUL BYTES NUL ..., and parts of it.
def room(objs):
    return b"".join(k.encode() + b"\0" + v + b"\0" for k, v in objs)

put("fuzz-room-verify", room(objects))
put("fuzz-room-verify", room([o for o in objects if "metadata" in o[0] or "alice_a1" in o[0]]))
put("fuzz-room-verify", room([o for o in objects if "metadata" not in o[0]]))
# The vector room as a legacy one: the reference client's metadata.json (no
# creator, no creator_key), given last so a ledger reads the logs again, and
# one object moved to the next day's folder, as a writer ahead of UTC names it.
legacy_metadata = json.dumps({"room_id": "room_vectors01", "created_at": "2025-09-14T21:00:00.000000",
                              "version": "1.0", "protocol": "bucket-chat-v1"}, indent=2).encode()
logs = [o for o in objects if "metadata" not in o[0]]
put("fuzz-room-verify", room(logs + [("rooms/room_vectors01/metadata.json", legacy_metadata)]))
put("fuzz-room-verify", room([(logs[0][0].replace("/2025-09-14/", "/2025-09-15/"), logs[0][1])] + logs[1:]
                             + [("rooms/room_vectors01/metadata.json", legacy_metadata)]))

# S3 ListObjectsV2 pages.
def s3(entries, truncated=False, token=None):
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    body += "<Name>chat</Name><Prefix>team/</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys>" % len(entries)
    body += "<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false")
    for key, size in entries:
        body += '<Contents><Key>%s</Key><LastModified>2025-09-14T12:00:00.000Z</LastModified><ETag>"%s"</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>' % (key, hashlib.md5(key.encode()).hexdigest(), size)
    if token is not None:
        body += "<NextContinuationToken>%s</NextContinuationToken>" % token
    return body + "</ListBucketResult>"

keys = [(k, len(v)) for k, v in objects]
put("fuzz-s3-listing", s3([("team/" + k, n) for k, n in keys]))
put("fuzz-s3-listing", s3([("team/" + k, n) for k, n in keys[:2]], truncated=True, token="1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="))
put("fuzz-s3-listing", s3([], truncated=True, token=""))
put("fuzz-s3-listing", s3([("other/x &amp; y", 1), ("team/a&lt;b", 2)]))
put("fuzz-s3-listing", '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>')

# GCS object-list pages.
put("fuzz-gcs-listing", json.dumps({"kind": "storage#objects", "items": [{"name": "team/" + k, "size": str(n), "etag": "CJ+" + str(n)} for k, n in keys], "nextPageToken": "Cg5yb29tcy9yb29t"}))
put("fuzz-gcs-listing", json.dumps({"items": [{"name": "other/a"}, {"name": "team/b", "size": "x"}]}))
put("fuzz-gcs-listing", json.dumps({"kind": "storage#objects", "nextPageToken": ""}))
put("fuzz-gcs-listing", "{}")

# Timeline fields (sender NUL display name NUL body NUL reason NUL topic NUL other).
for fields in [
    ["user:mallory", "Mallory", "hello", "because", "topic", "alice_a2"],
    ["user:mal\nlory", "Ev\x1b[31mil\x1b[0m", "line one\nline two\r\tend", "\u202eevil\u202c", "\x1b]0;title\x07", "x.custom"],
    ["user:<script>", "\u2066name\u2069", "\u2028sep\u2029", "\x85nel\x9b", "\x7fdel\\", "m.room.message"],
    ["user:zw\u200b\u200d", "\u200eltr\u200f", "e\u0301", "\U0010ffff", "", ""],
]:
    put("fuzz-timeline", "\0".join(fields))

# ctl lines, one command per line as a write brings them; valid and refused.
for text in [
    "react f51650c3d35c \U0001f44d\nedit f51650c3d35c new  text \nredact f51650c3d35c\nredact abc spam, sorry\n",
    "reply abc sure\r\ninvite user:bob\ninvite user:bob 3q2+7w==\nkick user:bob being rude\nban user:eve\n",
    # A key the parser takes (RFC 8032's first test key); 3q2+7w== above is refused.
    "invite user:carol 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n",
    "join\nleave\nname Team plans\ntopic  Q3 \n",
    "react abc\nedit\ninvite user:bob key extra\nleave now\nname\ndance\n   \n\t\n",
    "react\tabc\t\u2764\ufe0f\ntopic \u202eevil\u202c \x1b[31m\nkick user:<b>\u200b \x85\n",
    "name \u0301x\nreact a \u0301b\ntopic e\u0301 \u00a0\n",
]:
    put("fuzz-ctl", text)

for target in sorted(os.listdir(OUT)):
    print(target, len(os.listdir(os.path.join(OUT, target))))
