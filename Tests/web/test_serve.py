"""End to end: `bucketchat serve` in a real headless Chromium (Debian's), driven
by Playwright for Python, against a second identity using the command line.

Alice is in the browser; Bob uses the CLI. Both share one store: moto S3 when
scripts/test-servers.sh has started it (BUCKETCHAT_TEST_S3_ENDPOINT), else a
local folder. The test starts `bucketchat serve` itself and stops it.

    BUCKETCHAT=.build/debug/bucketchat python3 -m pytest Tests/web -q

Screenshots of the desktop and phone layouts, light and dark, go to
$BUCKETCHAT_SCREENSHOTS (default .build/web-screenshots).
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUCKETCHAT = os.environ.get("BUCKETCHAT", os.path.join(ROOT, ".build", "debug", "bucketchat"))
CHROMIUM = os.environ.get("BUCKETCHAT_CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("BUCKETCHAT_SCREENSHOTS", os.path.join(ROOT, ".build", "web-screenshots"))
S3 = os.environ.get("BUCKETCHAT_TEST_S3_ENDPOINT")


def ref_of(event_id):
    """An event id's REF, as `bucketchat log` prints it (EventReference.short)."""
    last = (event_id or "").split("::")[-1]
    return "".join(c for c in last if c.isascii() and c.isalnum())[:12]


def wait_until(what, condition, timeout=15.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class Person:
    def __init__(self, name, root, store, extra):
        self.name = name
        self.env = dict(os.environ)
        self.env["BUCKETCHAT_HOME"] = os.path.join(root, name)
        self.env["BUCKETCHAT_STORE"] = store
        self.env.update(extra)

    def run(self, *args, check=True, timeout=60):
        out = subprocess.run([BUCKETCHAT, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise AssertionError(f"{self.name}: bucketchat {' '.join(args)} exited {out.returncode}: {out.stderr}")
        return out.stdout.strip()

    def log(self, room):
        """The room's verified timeline as JSON events, as the CLI reads it."""
        return [json.loads(line) for line in self.run("log", room, "--json").splitlines() if line.strip()]


class Store:
    """The shared store: a moto bucket or a folder; raw access for forging."""

    def __init__(self, root):
        if S3:
            import boto3
            self.bucket = "bc-web-" + uuid.uuid4().hex[:8]
            self.s3 = boto3.client("s3", endpoint_url=S3, region_name="us-east-1",
                                   aws_access_key_id=os.environ["BUCKETCHAT_TEST_S3_ADMIN_KEY"],
                                   aws_secret_access_key=os.environ["BUCKETCHAT_TEST_S3_ADMIN_SECRET"])
            self.s3.create_bucket(Bucket=self.bucket)
            self.url = f"s3://{self.bucket}/chat/"
            self.extra = {
                "AWS_ACCESS_KEY_ID": os.environ["BUCKETCHAT_TEST_S3_KEY"],
                "AWS_SECRET_ACCESS_KEY": os.environ["BUCKETCHAT_TEST_S3_SECRET"],
                "AWS_ENDPOINT_URL_S3": S3, "AWS_REGION": "us-east-1",
            }
        else:
            self.folder = os.path.join(root, "store")
            os.makedirs(self.folder)
            self.url = self.folder
            self.extra = {}

    def objects(self, prefix):
        if S3:
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="chat/" + prefix)
            return [o["Key"][len("chat/"):] for page in pages for o in page.get("Contents", [])]
        base = os.path.join(self.folder, prefix)
        return [os.path.relpath(os.path.join(d, f), self.folder) for d, _, fs in os.walk(base) for f in fs]

    def get(self, key):
        if S3:
            return self.s3.get_object(Bucket=self.bucket, Key="chat/" + key)["Body"].read()
        with open(os.path.join(self.folder, key), "rb") as f:
            return f.read()

    def put(self, key, data):
        if S3:
            self.s3.put_object(Bucket=self.bucket, Key="chat/" + key, Body=data)
            return
        path = os.path.join(self.folder, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


class Server:
    """`bucketchat serve --port 0` as alice; its first stdout line is the URL."""

    def __init__(self, person):
        self.log_path = os.path.join(person.env["BUCKETCHAT_HOME"], "serve.log")
        self.log = open(self.log_path, "w+")
        self.process = subprocess.Popen([BUCKETCHAT, "serve", "--port", "0"], env=person.env,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise AssertionError(f"serve printed {self.url!r} first; stderr: {open(self.log_path).read()}")
        self.base = self.url.split("/?token=")[0]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def world():
    if not os.path.exists(BUCKETCHAT):
        pytest.skip(f"{BUCKETCHAT} is not built")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    root = tempfile.mkdtemp(prefix="bucketchat-web-")
    store = Store(root)
    alice = Person("alice", root, store.url, store.extra)
    bob = Person("bob", root, store.url, store.extra)
    alice.run("init", "--name", "alice")
    bob.run("init", "--name", "bob")
    room = alice.run("room", "create", "Plans", "--wait")
    bob_key = json.loads(bob.run("keys", "show", "--json"))["public_key"]
    alice.run("invite", room, "user:bob", "--key", bob_key, "--wait")
    bob.run("join", room, "--wait")
    bob.run("send", room, "first from bob", "--wait")
    server = Server(alice)
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # A CSP violation or a failed load shows as a console error.
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.goto(server.url)
        try:
            yield {"root": root, "store": store, "alice": alice, "bob": bob, "room": room, "server": server,
                   "browser": browser, "context": context, "page": page, "errors": errors}
        finally:
            browser.close()
            server.stop()
            shutil.rmtree(root, ignore_errors=True)


def event(page, text):
    """The timeline line whose text holds `text`."""
    return page.get_by_test_id("timeline").get_by_test_id("event").filter(has_text=text)


def open_room(w):
    page = w["page"]
    page.locator(f'[data-testid="room"][data-room-id="{w["room"]}"]').click()
    expect(page).to_have_url(f'{w["server"].base}/rooms/{w["room"]}')
    expect(event(page, "first from bob")).to_be_visible(timeout=15000)


def test_token_exchange_leaves_a_cookie_and_no_token_in_the_address(world):
    page = world["page"]
    assert "token=" not in page.url
    cookies = world["context"].cookies()
    session = [c for c in cookies if c["name"] == "bucketchat_session"]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict"
    expect(page.get_by_test_id("room-list")).to_be_visible()
    expect(page.locator(f'[data-testid="room"][data-room-id="{world["room"]}"]')).to_be_visible(timeout=15000)
    # Another browser without the cookie gets nothing.
    other = world["browser"].new_context()
    anonymous = other.new_page()
    response = anonymous.goto(world["server"].base + "/")
    assert response.status == 401
    response = anonymous.goto(world["server"].base + "/api/rooms")
    assert response.status == 401
    other.close()


def test_messages_both_ways_live(world):
    page, bob, room = world["page"], world["bob"], world["room"]
    open_room(world)
    # Bob's message shows without a reload.
    started = time.monotonic()
    bob.run("send", room, "hello alice, live", "--wait")
    expect(event(page, "hello alice, live")).to_be_visible(timeout=10000)
    delay = time.monotonic() - started
    print(f"CLI → browser: {delay:.2f} s after the send returned")
    assert delay < 2.0, f"bob's message took {delay:.2f} s to show"
    # Alice writes in the composer; Bob's CLI sees it.
    composer = page.get_by_test_id("composer")
    composer.fill("hi bob\nfrom the browser")
    composer.press("Enter")
    expect(event(page, "from the browser")).to_be_visible()
    sent = time.monotonic()
    wait_until("bob's log to show alice's message",
               lambda: any(e["content"].get("body") == "hi bob\nfrom the browser" for e in bob.log(room)), timeout=20)
    delay = time.monotonic() - sent
    print(f"browser → CLI: {delay:.2f} s")
    assert delay < 2.0, f"alice's message took {delay:.2f} s to reach bob's log"
    # Shift+Enter was a new line, not a send: one message with two lines.
    assert event(page, "from the browser").locator(".body").inner_text().startswith("hi bob\nfrom the browser")


def test_react_reply_edit_redact_from_the_browser(world):
    page, bob, room = world["page"], world["bob"], world["room"]
    target = event(page, "hello alice, live")
    ref = target.get_attribute("data-ref")
    # React with the picker, then the chip counts it; clicking the chip takes it back.
    target.hover()
    target.locator('[data-action="react"]').click()
    target.locator('[data-emoji="👍"]').click()
    chip = target.locator('[data-testid="reaction"][data-reaction="👍"]')
    expect(chip).to_contain_text("1", timeout=15000)
    expect(chip).to_have_attribute("aria-pressed", "true")
    wait_until("bob's log to show the reaction", lambda: any(
        e["type"] == "m.room.reaction" and e["content"].get("reaction") == "👍" and ref_of(e["content"].get("relates_to")) == ref
        for e in bob.log(room)))
    chip.click()
    expect(chip).to_have_count(0, timeout=15000)
    wait_until("bob's log to show the reaction redacted",
               lambda: sum(1 for e in bob.log(room) if e["type"] == "m.room.redaction") >= 1)

    # Reply: the reply bar, then Enter.
    target.hover()
    target.locator('[data-action="reply"]').click()
    expect(page.locator("#compose-mode")).to_contain_text(ref)
    page.get_by_test_id("composer").fill("a reply from the browser")
    page.get_by_test_id("composer").press("Enter")
    expect(event(page, "a reply from the browser")).to_be_visible()
    wait_until("bob's log to show the reply", lambda: any(
        e["content"].get("body") == "a reply from the browser" and ref_of(e.get("parent_event_id")) == ref for e in bob.log(room)))
    # The thread pane shows the parent and the reply.
    target.hover()
    target.locator('[data-action="thread"]').click(timeout=15000)
    expect(page.get_by_test_id("thread").get_by_test_id("event")).to_have_count(2)
    page.locator("#thread-close").click()

    # Edit one of alice's messages.
    mine = event(page, "hi bob")
    mine.hover()
    mine.locator('[data-action="edit"]').click()
    composer = page.get_by_test_id("composer")
    composer.fill("hi bob, edited in the browser")
    composer.press("Enter")
    expect(event(page, "edited in the browser").locator(".edited")).to_be_visible(timeout=15000)
    wait_until("bob's log to show the edit", lambda: any(
        e["type"] == "m.room.edit" and "edited in the browser" in json.dumps(e["content"]) for e in bob.log(room)))

    # Redact it: two clicks on delete.
    line = event(page, "edited in the browser")
    mine_ref = line.get_attribute("data-ref")
    line.hover()
    line.locator('[data-action="redact"]').click()
    line.locator('[data-action="redact"]').click()
    removed = page.locator(f'[data-testid="event"][data-ref="{mine_ref}"]')
    expect(removed.locator(".removed")).to_be_visible(timeout=15000)
    wait_until("bob's log to show the redaction", lambda: any(
        e["type"] == "m.room.redaction" and ref_of(e["content"].get("redacts")) == mine_ref for e in bob.log(room)))


def test_hostile_content_is_text(world):
    page, bob, room = world["page"], world["bob"], world["room"]
    bob.run("send", room, "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>", "--wait")
    bob.run("send", room, "click javascript:window.__pwned=3 now", "--wait")
    bob.run("send", room, "abc\u202Egnp.exe", "--wait")
    line = event(page, "<script>window.__pwned = 1</script>")
    expect(line).to_be_visible(timeout=15000)
    assert page.evaluate("window.__pwned") is None
    assert page.get_by_test_id("timeline").locator("script, img").count() == 0
    expect(event(page, "javascript:window.__pwned=3")).to_be_visible(timeout=15000)
    assert page.get_by_test_id("timeline").locator('a[href^="javascript"]').count() == 0
    bidi = event(page, "gnp.exe")
    expect(bidi).to_be_visible(timeout=15000)
    expect(bidi.locator(".esc")).to_have_text("\\u{202e}")
    assert "\u202E" not in bidi.inner_text()


def test_a_forged_event_shows_in_the_alerts_banner(world):
    page, store, room = world["page"], world["store"], world["room"]
    world["bob"].run("send", room, "pay 10 EUR", "--wait")
    expect(event(page, "pay 10 EUR")).to_be_visible(timeout=15000)
    key = wait_until("bob's object in the store", lambda: next(
        (k for k in store.objects(f"rooms/{room}/logs/") if b"pay 10 EUR" in store.get(k)), None))
    forged = key.replace("_bob_", "_mallory_")
    assert forged != key
    store.put(forged, store.get(key).replace(b"pay 10 EUR", b"pay 99 EUR"))
    alerts = page.get_by_test_id("alerts")
    expect(alerts).to_be_visible(timeout=20000)
    expect(alerts).to_contain_text("rejected")
    assert event(page, "pay 99").count() == 0


def test_a_file_uploaded_in_the_browser_downloads_equal_through_the_cli(world):
    page, bob, room, root = world["page"], world["bob"], world["room"], world["root"]
    path = os.path.join(root, "notes <b>&amp;.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(300_000))
    page.get_by_test_id("file-input").set_input_files(path)
    line = event(page, "notes <b>&amp;.bin")
    expect(line.locator(".file-link")).to_be_visible(timeout=20000)
    files = wait_until("bob to see the file", lambda: [
        f for f in (json.loads(x) for x in bob.run("files", room, "--json").splitlines() if x.strip())
        if f["name"] == "notes <b>&amp;.bin"], timeout=20)
    out = os.path.join(root, "downloaded.bin")
    bob.run("download", room, files[0]["ref"], "-o", out)
    assert subprocess.run(["cmp", path, out]).returncode == 0
    # The browser's own download link gives the same bytes.
    with page.expect_download() as info:
        line.locator(".file-link").click()
    saved = os.path.join(root, "browser.bin")
    info.value.save_as(saved)
    assert subprocess.run(["cmp", path, saved]).returncode == 0


def test_reload_keeps_the_session_and_theme_toggles(world):
    page = world["page"]
    page.reload()
    expect(page.get_by_test_id("timeline").get_by_test_id("event").first).to_be_visible(timeout=15000)
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_test_id("theme-toggle").click()
    after = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert before != after
    theme = page.evaluate("document.documentElement.dataset.theme")
    page.reload()
    expect(page.get_by_test_id("composer")).to_be_visible(timeout=15000)
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == after
    page.get_by_test_id("theme-toggle").click()


def test_phone_width_has_no_horizontal_scroll_and_screenshots(world):
    os.makedirs(SHOTS, exist_ok=True)
    # Something to show: bob's reactions to alice's reply, live in the open page.
    page, bob, room = world["page"], world["bob"], world["room"]
    reply = event(page, "a reply from the browser")
    ref = reply.get_attribute("data-ref")
    bob.run("react", room, ref, "🎉", "--wait")
    bob.run("react", room, ref, "👍", "--wait")
    expect(reply.locator('[data-testid="reaction"]')).to_have_count(2, timeout=15000)
    url = f'{world["server"].base}/rooms/{world["room"]}'
    for scheme in ("light", "dark"):
        for name, viewport in (("desktop", {"width": 1200, "height": 800}), ("phone", {"width": 375, "height": 740})):
            context = world["browser"].new_context(viewport=viewport, color_scheme=scheme)
            context.add_cookies([c for c in world["context"].cookies() if c["name"] == "bucketchat_session"])
            page = context.new_page()
            page.goto(url)
            expect(event(page, "first from bob")).to_be_visible(timeout=15000)
            expect(page.locator("#connection")).to_have_text("live", timeout=10000)
            page.get_by_test_id("alerts").evaluate("e => e.scrollTop = 0")
            if name == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 375, f"{scheme}: the page is {width}px wide at 375px"
                assert page.evaluate("document.body.scrollWidth") <= 375
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{scheme}.png"))
            context.close()


def test_alices_cli_acts_through_serve_and_a_second_owner_is_refused(world):
    page, alice, room = world["page"], world["alice"], world["room"]
    # While serve owns alice's rooms, her CLI sends through it (no journal fight).
    alice.run("send", room, "from alice's terminal", "--wait")
    expect(event(page, "from alice's terminal")).to_be_visible(timeout=15000)
    second = subprocess.run([BUCKETCHAT, "serve", "--port", "0"], env=alice.env, capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert "stop it first" in second.stderr, second.stderr


def test_members_and_unread_badges(world):
    page, bob, room = world["page"], world["bob"], world["room"]
    page.locator("#members-toggle").click()
    members = page.get_by_test_id("members")
    expect(members).to_contain_text("bob", timeout=10000)
    expect(members.locator('[data-member="user:alice"]')).to_contain_text("admin")
    page.locator("#members-toggle").click()
    # A second room, made in the browser; while alice looks at it, bob writes in Plans.
    page.locator("#new-room-name").fill("Side room")
    page.locator("#new-room").get_by_role("button").click()
    expect(page.locator("#room-name")).to_have_text("Side room", timeout=15000)
    bob.run("send", room, "are you there?", "--wait")
    badge = page.locator(f'[data-testid="room"][data-room-id="{room}"] [data-testid="unread"]')
    expect(badge).to_have_text("1", timeout=15000)
    page.locator(f'[data-testid="room"][data-room-id="{room}"]').click()
    expect(event(page, "are you there?")).to_be_visible(timeout=15000)
    expect(badge).to_have_count(0, timeout=10000)


def test_no_script_errors(world):
    assert world["errors"] == []
