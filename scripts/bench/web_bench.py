"""Figures of `bucketchat serve` (issue 17), driven by scripts/bench/web.sh:

1. browser-to-browser delivery latency (p50/p99): two identities, each with
   its own `serve` and page, on moto S3 when the test servers run, else a folder;
2. time to the first timeline paint of a big room (cold: the page's first
   load right after the server loaded the room; warm: later loads);
3. the server's resident memory with 10 pages open on that room;
4. live messages per second sustained to a page (the room's owner sends
   through serve's owner socket, each event a WebSocket message).

Environment: BC (the bucketchat binary), ROOMGEN, WORK (a scratch folder),
EVENTS, SAMPLES, and the test servers' variables when present.
"""
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

from playwright.sync_api import sync_playwright

BC = os.environ["BC"]
ROOMGEN = os.environ["ROOMGEN"]
WORK = os.environ["WORK"]
EVENTS = int(os.environ.get("EVENTS", "200000"))
SAMPLES = int(os.environ.get("SAMPLES", "30"))
S3 = os.environ.get("BUCKETCHAT_TEST_S3_ENDPOINT")


def env_for(name, store, extra=None):
    env = dict(os.environ)
    env["BUCKETCHAT_HOME"] = os.path.join(WORK, name)
    env["BUCKETCHAT_STORE"] = store
    env.update(extra or {})
    return env


def run(env, *args):
    out = subprocess.run([BC, *args], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bucketchat {' '.join(args)}: {out.stderr}")
    return out.stdout.strip()


def serve(env):
    process = subprocess.Popen([BC, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        sys.exit(f"serve printed {url!r}")
    return process, url


def stop(process):
    process.send_signal(2)
    process.wait(timeout=60)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency(browser):
    if S3:
        import boto3
        bucket = "bc-webbench-" + uuid.uuid4().hex[:8]
        boto3.client("s3", endpoint_url=S3, region_name="us-east-1",
                     aws_access_key_id=os.environ["BUCKETCHAT_TEST_S3_ADMIN_KEY"],
                     aws_secret_access_key=os.environ["BUCKETCHAT_TEST_S3_ADMIN_SECRET"]).create_bucket(Bucket=bucket)
        store = f"s3://{bucket}/chat/"
        extra = {"AWS_ACCESS_KEY_ID": os.environ["BUCKETCHAT_TEST_S3_KEY"], "AWS_SECRET_ACCESS_KEY": os.environ["BUCKETCHAT_TEST_S3_SECRET"],
                 "AWS_ENDPOINT_URL_S3": S3, "AWS_REGION": "us-east-1"}
        where = "moto S3"
    else:
        store = os.path.join(WORK, "chat-store")
        extra = {}
        where = "a local folder (start scripts/test-servers.sh for moto)"
    alice, bob = env_for("alice", store, extra), env_for("bob", store, extra)
    run(alice, "init", "--name", "alice")
    run(bob, "init", "--name", "bob")
    room = run(alice, "room", "create", "Latency", "--wait")
    key = json.loads(run(bob, "keys", "show", "--json"))["public_key"]
    run(alice, "invite", room, "user:bob", "--key", key, "--wait")
    run(bob, "join", room, "--wait")
    servers = [serve(alice), serve(bob)]
    pages = []
    for _, url in servers:
        page = browser.new_context().new_page()
        page.goto(url)
        page.goto(url.split("/?token=")[0] + f"/rooms/{room}")
        page.locator("#connection.live").wait_for(timeout=30000)
        pages.append(page)
    delays = []
    for i in range(SAMPLES):
        sender, reader = pages[i % 2], pages[1 - i % 2]
        text = f"ping {i} {uuid.uuid4().hex[:6]}"
        composer = sender.get_by_test_id("composer")
        composer.fill(text)
        start = time.monotonic()
        composer.press("Enter")
        reader.get_by_test_id("timeline").get_by_test_id("event").filter(has_text=text).wait_for(timeout=30000)
        delays.append(time.monotonic() - start)
    for process, _ in servers:
        stop(process)
    print(f"browser → browser delivery through {where}, {SAMPLES} samples: "
          f"p50 {statistics.median(delays) * 1000:.0f} ms, p99 {percentile(delays, 99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")


def big_room(browser):
    store = os.path.join(WORK, "big")
    t0 = time.monotonic()
    subprocess.run([ROOMGEN, "--out", store, "--events", str(EVENTS), "--events-per-file", "1000"], check=True, stdout=subprocess.DEVNULL)
    print(f"generated a {EVENTS}-event room in {time.monotonic() - t0:.1f} s")
    home = os.path.join(WORK, "reader")
    os.makedirs(home)
    seed = bytearray(32)
    seed[31] = 0x42  # bucketchat-roomgen's key for user:u0, device 0
    with open(os.path.join(home, "device-key.json"), "w") as f:
        json.dump({"sender_id": "user:u0", "private_key": base64.b64encode(bytes(seed)).decode(), "created_at": ""}, f)
    os.chmod(os.path.join(home, "device-key.json"), 0o600)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write('client_id = "bench_reader"\ndisplay_name = "reader"\n')
    env = env_for("reader", store)
    t0 = time.monotonic()
    process, url = serve(env)
    base = url.split("/?token=")[0]
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.locator('[data-testid="room"][data-room-id="room_bench"]').wait_for(timeout=1200000)
    # Loaded: the room list says how many events the server holds.
    while True:
        rooms = page.evaluate("fetch('/api/rooms').then(r => r.json())")["rooms"]
        if rooms and rooms[0]["events"] >= EVENTS * 0.9:
            break
        time.sleep(0.5)
    print(f"serve started and verified the room ({rooms[0]['events']} timeline events) in {time.monotonic() - t0:.1f} s")
    paints = []
    for _ in range(6):
        start = time.monotonic()
        page.goto(f"{base}/rooms/room_bench")
        page.get_by_test_id("timeline").get_by_test_id("event").last.wait_for(timeout=60000)
        paints.append(time.monotonic() - start)
    print(f"first timeline paint of the {EVENTS}-event room: first load {paints[0] * 1000:.0f} ms, "
          f"warm median {statistics.median(paints[1:]) * 1000:.0f} ms (page load to the newest 100 events shown)")
    before = rss_mib(process.pid)
    pages = []
    for _ in range(10):
        p = context.new_page()
        p.goto(f"{base}/rooms/room_bench")
        p.get_by_test_id("timeline").get_by_test_id("event").last.wait_for(timeout=60000)
        p.locator("#connection.live").wait_for(timeout=30000)
        pages.append(p)
    print(f"server resident memory: {before:.0f} MiB with 1 page, {rss_mib(process.pid):.0f} MiB with 11 pages open")
    for p in pages:
        p.close()

    # Live throughput: the page itself sends N messages through the API, one
    # after the other; a second WebSocket counts what the server pushes (each
    # message twice: pending at once, then confirmed by a sync).
    count = 1000
    page.evaluate("""() => {
        window.__frames = 0; window.__events = 0; window.__reloads = 0;
        const socket = new WebSocket(`ws://${location.host}/api/live`);
        socket.onmessage = (m) => {
            const d = JSON.parse(m.data);
            window.__frames++;
            if (d.type === 'events') window.__events += d.events.length;
            if (d.type === 'reload') window.__reloads++;
        };
        window.__socket = socket;
    }""")
    time.sleep(1)
    start = time.monotonic()
    page.evaluate("""async (n) => {
        for (let i = 0; i < n; i++) {
            await fetch('/api/rooms/room_bench/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                             body: JSON.stringify({ body: `burst ${i}` }) });
        }
    }""", count)
    sent = time.monotonic() - start
    deadline = time.monotonic() + 120
    while page.evaluate("window.__events") < 2 * count and time.monotonic() < deadline:
        time.sleep(0.1)
    total = time.monotonic() - start
    events, frames, reloads = page.evaluate("window.__events"), page.evaluate("window.__frames"), page.evaluate("window.__reloads")
    print(f"live updates: {count} messages sent by a page through the API in {sent:.1f} s ({count / sent:.0f}/s); "
          f"another socket received {frames} WebSocket messages ({events} entries, {reloads} reloads) in {total:.1f} s: "
          f"{frames / total:.0f} messages/s, {events / total:.0f} entries/s sustained")
    stop(process)


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        latency(browser)
        big_room(browser)
        browser.close()


if __name__ == "__main__":
    main()
