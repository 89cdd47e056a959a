#!/usr/bin/env python3
"""Writes a room exactly as the public Python reference client leaves it.

The reference client is github.com/autonomouse/Bucket-Chat (src/bucket_chat,
read at commit e9ebd4d). This script is our own; it mirrors what that client
puts in a bucket, so that bucketchat can be tested against such rooms without
Python:

- metadata.json holds only room_id, created_at (local time, naive ISO 8601
  with microseconds), version "1.0" and protocol "bucket-chat-v1", written
  as json.dumps(indent=2, ensure_ascii=False) without a final newline: no
  creator, no creator_key, no signature (a "legacy" room for bucketchat).
- Every event is written alone, as one line, to
  logs/{local date}/messages_{ts}_{ts}_{client_id}.jsonl, where client_id is
  the sender's e-mail local part (alphanumerics and "_" only).
- Dates and the time part of event ids are the writer's LOCAL time, not UTC:
  event_id = room_id :: naive local isoformat() + "Z" :: uuid4. Here the
  writer's clock is UTC+10 (LOCAL_OFFSET), so events after 14:00 UTC land
  in the next day's folder.
- prev_event_hash is always null (that client never chains).
- The signature is Ed25519 over json.dumps(event minus "signature",
  sort_keys=True, separators=(",", ":")) (ensure_ascii=True), base64.
- The stored line is the event in field declaration order (event_id, room_id,
  timestamp_ms, sender_id, type, parent_event_id, prev_event_hash,
  signature, content), compact, non-ASCII as raw UTF-8: what pydantic's
  model_dump_json gives for that client's Event model.
- Senders are e-mail addresses; joins carry only membership and displayname
  (no public_key); content shapes follow that client's models for its six
  event types (message, member, redaction, edit, reaction, typing).

Keys come from fixed seeds, uuids from a fixed seed, so the output is the same
on every run. Run from this folder: python3 make_room.py
It writes rooms/reference_room/... and keys.json ({"sender_id": "base64
public key"}, the format of `bucketchat verify --trusted-keys`).
"""

import base64
import hashlib
import json
import os
import random
import shutil
import uuid
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOM_ID = "reference_room"
LOCAL_OFFSET = timedelta(hours=10)
EPOCH = datetime(1970, 1, 1)
HERE = os.path.dirname(os.path.abspath(__file__))
UUIDS = random.Random(20261130)


def key_for(sender):
    """A fixed Ed25519 key per sender, from a seed derived from its id."""
    seed = hashlib.sha256(b"bucketchat reference-room fixture " + sender.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_base64(key):
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def local_time(ts_ms):
    """The writer's naive local time for a UTC timestamp (integer arithmetic, no float rounding)."""
    return EPOCH + timedelta(milliseconds=ts_ms) + LOCAL_OFFSET


def client_id(sender):
    local = sender.split("@")[0]
    return "".join(c for c in local if c.isalnum() or c == "_")


def make_event(sender, ts_ms, type_, content, parent=None):
    event = {
        "event_id": f"{ROOM_ID}::{local_time(ts_ms).isoformat()}Z::{uuid.UUID(int=UUIDS.getrandbits(128), version=4)}",
        "room_id": ROOM_ID,
        "timestamp_ms": ts_ms,
        "sender_id": sender,
        "type": type_,
        "parent_event_id": parent,
        "prev_event_hash": None,
        "signature": "",
        "content": content,
    }
    unsigned = {k: v for k, v in event.items() if k != "signature"}
    signed_bytes = json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode("utf-8")
    event["signature"] = base64.b64encode(key_for(sender).sign(signed_bytes)).decode()
    return event


def write_event(room, event):
    folder = local_time(event["timestamp_ms"]).date().isoformat()
    ts = event["timestamp_ms"]
    path = os.path.join(room, "logs", folder, f"messages_{ts}_{ts}_{client_id(event['sender_id'])}.jsonl")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n")


def main():
    alice, bob = "alice@example.com", "bob@example.com"
    rooms = os.path.join(HERE, "rooms")
    shutil.rmtree(rooms, ignore_errors=True)
    room = os.path.join(rooms, ROOM_ID)
    os.makedirs(os.path.join(room, "logs"))

    # 2025-11-30 13:40 UTC is 23:40 on the writer's clock (UTC+10).
    t0 = 1_764_510_000_000
    created = local_time(t0 - 61_234).replace(microsecond=482113)
    metadata = {"room_id": ROOM_ID, "created_at": created.isoformat(), "version": "1.0", "protocol": "bucket-chat-v1"}
    with open(os.path.join(room, "metadata.json"), "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(metadata, indent=2, ensure_ascii=False))

    events = []
    def emit(sender, offset_ms, type_, content, parent=None):
        event = make_event(sender, t0 + offset_ms, type_, content, parent)
        events.append(event)
        write_event(room, event)
        return event

    emit(alice, 0, "m.room.member", {"membership": "join", "displayname": alice})
    hello = emit(alice, 4_321, "m.room.message", {"body": "Hello from the reference client", "msgtype": "m.text"})
    emit(bob, 600_000, "m.room.member", {"membership": "join", "displayname": bob})
    # From here on it is past midnight on the writer's clock: folder 2025-12-01, UTC date 2025-11-30.
    question = emit(bob, 1_500_000, "m.room.message", {"body": "Hi Alice — café at noon?", "msgtype": "m.text"}, parent=hello["event_id"])
    emit(alice, 1_512_345, "m.room.reaction", {"relates_to": question["event_id"], "reaction": "👍"})
    emit(bob, 1_530_007, "m.room.edit", {"replaces": question["event_id"],
                                         "new_content": {"body": "Hi Alice — café at 12:30?", "msgtype": "m.text"}})
    emit(alice, 1_540_000, "m.room.typing", {"typing": True})
    emit(alice, 1_545_678, "m.room.redaction", {"redacts": hello["event_id"], "reason": "typo"})
    emit(bob, 1_600_000, "m.room.member", {"membership": "leave", "displayname": bob})

    with open(os.path.join(HERE, "keys.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps({alice: public_base64(key_for(alice)), bob: public_base64(key_for(bob))}, indent=2) + "\n")


if __name__ == "__main__":
    main()
