#!/usr/bin/env python3
"""Writes the private-room test vectors from the profile extension in
docs/private-rooms.md, independently of bucketchat's Swift code.

Uses PyNaCl (libsodium's Python binding): Ed25519 signing, the Ed25519 ->
X25519 conversion, crypto_box_seal for room keys, and
XChaCha20-Poly1305-IETF for content. Canonical bytes are Python's
json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True), as in
PROTOCOL.md section 3.

Writes:
- vectors.json: AEAD cases (fixed key and nonce, so the ciphertext is exact),
  associated data bytes, sealed room keys (sealing is randomised: bucketchat
  must open these), and cases that must NOT open.
- rooms/private_room/...: a whole private room made by alice, bob and carol:
  two epochs (carol is kicked in between), encrypted messages, a reaction,
  an edit, and one event of bob's carrying a ciphertext copied from one of
  alice's (it must not open: an alarm for readers who hold the key).
- file-vector.bin: a shared file encrypted with secretstream (bucketchat
  must open it to the plaintext "file" in vectors.json describes).
- vectors.json "room": what each reader must see.

Deterministic but for the sealed boxes. Run: pip install pynacl; python3 make_private_room.py
"""

import base64
import hashlib
import json
import os
import shutil
import uuid
from datetime import datetime, timezone

import nacl.bindings as b
from nacl.public import PublicKey as CurvePublic, SealedBox
from nacl.signing import SigningKey

ROOM_ID = "private_room"
ALGORITHM = "x25519-xchacha20poly1305-v1"
HERE = os.path.dirname(os.path.abspath(__file__))


def canonical(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def b64(raw):
    return base64.b64encode(raw).decode()


def seed(name):
    return hashlib.sha256(b"bucketchat private-room fixture " + name.encode()).digest()


def device(name):
    sk = SigningKey(seed(name))
    return {"name": name, "sender_id": f"user:{name}", "sk": sk, "pk": bytes(sk.verify_key)}


def seal(room_key, ed_pk):
    curve = b.crypto_sign_ed25519_pk_to_curve25519(ed_pk)
    return SealedBox(CurvePublic(curve)).encrypt(room_key)


def associated_data(epoch, sender, event_id):
    return canonical({"algorithm": ALGORITHM, "epoch": epoch, "event_id": event_id, "room_id": ROOM_ID, "sender_id": sender})


def encrypt(inner_type, content, epoch, key, sender, event_id, nonce):
    plain = canonical({"content": content, "type": inner_type})
    ct = b.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, associated_data(epoch, sender, event_id), nonce, key)
    return {"algorithm": ALGORITHM, "epoch": epoch, "nonce": b64(nonce), "ciphertext": b64(ct)}


def event_time(ts):
    return datetime.fromtimestamp(ts / 1000, tz=timezone.utc)


class Writer:
    def __init__(self):
        self.events = []
        self.last_hash = {}
        self.counter = 0

    def event_id(self, ts):
        self.counter += 1
        u = uuid.UUID(bytes=hashlib.sha256(b"uuid %d" % self.counter).digest()[:16], version=4)
        return f"{ROOM_ID}::{event_time(ts).strftime('%Y%m%dT%H%M%S')}.{ts % 1000:03d}Z::{u}"

    def emit(self, dev, ts, type_, content, parent=None, event_id=None):
        event = {
            "event_id": event_id or self.event_id(ts), "room_id": ROOM_ID, "timestamp_ms": ts,
            "sender_id": dev["sender_id"], "type": type_, "parent_event_id": parent,
            "prev_event_hash": self.last_hash.get(dev["name"]), "content": content,
        }
        body = canonical(event)
        event["signature"] = b64(dev["sk"].sign(body).signature)
        self.last_hash[dev["name"]] = b64(hashlib.sha256(body).digest())
        self.events.append((dev, event))
        return event


def write_room(alice, bob, carol):
    rooms = os.path.join(HERE, "rooms")
    shutil.rmtree(rooms, ignore_errors=True)
    room = os.path.join(rooms, ROOM_ID)
    os.makedirs(os.path.join(room, "logs"))
    metadata = {
        "room_id": ROOM_ID, "name": "Private", "description": "", "created_at": "2026-12-01T10:00:00Z",
        "version": "1.0", "protocol": "bucket-chat-v1", "creator": alice["sender_id"],
        "creator_key": b64(alice["pk"]), "join_rule": "invite", "admins": [alice["sender_id"]],
        "encryption": ALGORITHM,
    }
    metadata["signature"] = b64(alice["sk"].sign(canonical(metadata)).signature)
    with open(os.path.join(room, "metadata.json"), "wb") as f:
        f.write(canonical(metadata) + b"\n")

    w = Writer()
    t = 1_764_583_200_000  # 2025-12-01T10:00:00Z
    w.emit(alice, t + 1, "m.room.member", {"membership": "join", "public_key": b64(alice["pk"]), "displayname": "alice"})
    w.emit(alice, t + 2, "m.room.member", {"membership": "invite", "user_id": bob["sender_id"]})
    w.emit(alice, t + 3, "m.room.member", {"membership": "invite", "user_id": carol["sender_id"]})
    w.emit(bob, t + 10, "m.room.member", {"membership": "join", "public_key": b64(bob["pk"]), "displayname": "bob"})
    w.emit(carol, t + 11, "m.room.member", {"membership": "join", "public_key": b64(carol["pk"]), "displayname": "carol"})

    key1 = hashlib.sha256(b"epoch one").digest()
    e1 = w.emit(alice, t + 20, "m.room.key", {"algorithm": ALGORITHM, "epoch": None, "reason": "created", "keys": {
        b64(d["pk"]): b64(seal(key1, d["pk"])) for d in (alice, bob, carol)}})
    epoch1 = e1["event_id"]

    def secret(dev, ts, inner_type, content, epoch, key, n, parent=None):
        event_id = w.event_id(ts)
        nonce = hashlib.sha256(b"nonce %d" % n).digest()[:24]
        return w.emit(dev, ts, "m.room.encrypted", encrypt(inner_type, content, epoch, key, dev["sender_id"], event_id, nonce),
                      parent=parent, event_id=event_id)

    m1 = secret(alice, t + 30, "m.room.message", {"body": "hello, private world", "msgtype": "m.text"}, epoch1, key1, 1)
    m2 = secret(carol, t + 31, "m.room.message", {"body": "carol was here", "msgtype": "m.text"}, epoch1, key1, 2)
    r1 = secret(bob, t + 32, "m.room.reaction", {"relates_to": m1["event_id"], "reaction": "\U0001f510"}, epoch1, key1, 3)
    ed = secret(alice, t + 33, "m.room.edit", {"replaces": m1["event_id"], "new_content": {"body": "hello, private world!", "msgtype": "m.text"}}, epoch1, key1, 4)

    w.emit(alice, t + 40, "m.room.member", {"membership": "kick", "user_id": carol["sender_id"]})
    key2 = hashlib.sha256(b"epoch two").digest()
    e2 = w.emit(alice, t + 41, "m.room.key", {"algorithm": ALGORITHM, "epoch": None, "reason": "member_left", "keys": {
        b64(d["pk"]): b64(seal(key2, d["pk"])) for d in (alice, bob)}})
    epoch2 = e2["event_id"]
    m3 = secret(bob, t + 50, "m.room.message", {"body": "after carol left", "msgtype": "m.text"}, epoch2, key2, 5)
    # bob re-sends alice's ciphertext of m1 as his own event: it must not open.
    moved = w.emit(bob, t + 51, "m.room.encrypted", dict(m1["content"]))

    # One object per device, in the order each wrote.
    by_device = {}
    for dev, event in w.events:
        by_device.setdefault(dev["name"], []).append(event)
    for name, events in by_device.items():
        start, end = events[0]["timestamp_ms"], events[-1]["timestamp_ms"]
        folder = event_time(start).strftime("%Y-%m-%d")
        path = os.path.join(room, "logs", folder, f"messages_{start}_{end}_{name}.jsonl")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            for event in events:
                f.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")

    return {
        "epochs": [epoch1, epoch2],
        "current_epoch": epoch2,
        "events": len(w.events),
        "opened": {
            "bob": {m1["event_id"]: "hello, private world", m2["event_id"]: "carol was here", m3["event_id"]: "after carol left"},
            "carol": {m1["event_id"]: "hello, private world", m2["event_id"]: "carol was here"},
        },
        "sealed_from": {"carol": [m3["event_id"]]},
        "edit": {"target": m1["event_id"], "body": "hello, private world!"},
        "reaction": {"target": m1["event_id"], "reaction": "\U0001f510", "sender": bob["sender_id"]},
        "undecryptable": moved["event_id"],
    }


def main():
    alice, bob, carol = device("alice"), device("bob"), device("carol")
    key = hashlib.sha256(b"vector room key").digest()
    aead = []
    cases = [
        ("m.room.message", {"body": "caf\u00e9 \U0001f600 <b>", "msgtype": "m.text"}),
        ("m.room.reaction", {"reaction": "\U0001f44d", "relates_to": "private_room::20251201T100000.030Z::x"}),
        ("m.room.redaction", {"reason": "oops", "redacts": "private_room::20251201T100000.030Z::x"}),
    ]
    for i, (inner_type, content) in enumerate(cases):
        epoch = f"{ROOM_ID}::20251201T100000.020Z::epoch"
        event_id = f"{ROOM_ID}::20251201T100000.0{40 + i}Z::event{i}"
        nonce = hashlib.sha256(b"vector nonce %d" % i).digest()[:24]
        enc = encrypt(inner_type, content, epoch, key, bob["sender_id"], event_id, nonce)
        aead.append({
            "room_id": ROOM_ID, "sender_id": bob["sender_id"], "event_id": event_id, "epoch": epoch,
            "key": b64(key), "inner_type": inner_type, "inner_content": content,
            "plaintext": b64(canonical({"content": content, "type": inner_type})),
            "associated_data": b64(associated_data(epoch, bob["sender_id"], event_id)),
            "content": enc,
        })
    sealed = [{"recipient_seed": b64(seed(d["name"])), "recipient_public_key": b64(d["pk"]),
               "room_key": b64(key), "sealed": b64(seal(key, d["pk"]))} for d in (alice, bob)]
    # A shared file: secretstream in 64 KiB chunks, header first, last chunk tagged final.
    plain = bytes(i % 251 for i in range(150_000))
    file_key = hashlib.sha256(b"vector file key").digest()
    state = b.crypto_secretstream_xchacha20poly1305_state()
    header = b.crypto_secretstream_xchacha20poly1305_init_push(state, file_key)
    out = bytearray(header)
    chunks = [plain[i:i + 65536] for i in range(0, len(plain), 65536)]
    for i, chunk in enumerate(chunks):
        tag = b.crypto_secretstream_xchacha20poly1305_TAG_FINAL if i == len(chunks) - 1 else b.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
        out += b.crypto_secretstream_xchacha20poly1305_push(state, chunk, None, tag)
    with open(os.path.join(HERE, "file-vector.bin"), "wb") as f:
        f.write(out)
    file_vector = {"key": b64(file_key), "plain_sha256": hashlib.sha256(plain).hexdigest(), "plain_size": len(plain),
                   "plain": "bytes(i % 251 for i in range(150000))",
                   "stored_sha256": hashlib.sha256(bytes(out)).hexdigest(), "stored_size": len(out)}
    vectors = {
        "algorithm": ALGORITHM,
        "file": file_vector,
        "aead": aead,
        "sealed": sealed,
        "devices": {d["name"]: {"sender_id": d["sender_id"], "seed": b64(seed(d["name"])), "public_key": b64(d["pk"])} for d in (alice, bob, carol)},
        "room": write_room(alice, bob, carol),
    }
    with open(os.path.join(HERE, "vectors.json"), "w") as f:
        json.dump(vectors, f, indent=1, ensure_ascii=True, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
