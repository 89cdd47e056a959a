"""A loopback HTTP server that answers from a script and records requests.

    python3 scripted_server.py SCRIPT_JSON LOG_FILE

SCRIPT_JSON is a list of answers {"status": int, "body": str, "headers": {}},
given in order, one per request; the last repeats once the list runs out.
In header values, {origin} stands for this server's http://127.0.0.1:PORT
(for Location headers that must point back here). Each request is appended to LOG_FILE as a JSON line (method, path, headers,
body). The chosen port is printed on the first line of stdout.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

script = json.loads(sys.argv[1])
log_path = sys.argv[2]
lock = threading.Lock()
served = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            index = min(served[0], len(script) - 1)
            served[0] += 1
            with open(log_path, "a") as log:
                log.write(json.dumps({
                    "method": self.command, "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8", "replace"),
                }) + "\n")
        reply = script[index]
        payload = reply.get("body", "").encode()
        self.send_response(reply["status"])
        origin = "http://127.0.0.1:%d" % self.server.server_address[1]
        for name, value in reply.get("headers", {}).items():
            self.send_header(name, value.replace("{origin}", origin))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
