"""A loopback HTTP proxy that injects faults between an S3 client and a server.

    python3 fault_proxy.py UPSTREAM_PORT PORT_FILE [--seed N] [--rates KIND=P,...]

It listens on a free 127.0.0.1 port, writes that port and a newline to
PORT_FILE (a file, not a pipe: Foundation's pipe reads trap on EINTR in the
test process), and forwards each HTTP/1.1 request to 127.0.0.1:UPSTREAM_PORT
byte for byte on a fresh upstream connection, so SigV4 signatures still
verify. Client connections are kept alive as curl expects.

Each request draws at most one fault from a seeded random schedule (--rates,
probabilities per request) unless a per-request rule matches first. Kinds:

  drop_before    close the client connection without forwarding (FIN)
  reset_before   reset the client connection without forwarding (RST)
  delay          wait up to --max-delay-ms, then forward normally
  error_500      answer 500 InternalError without forwarding
  error_503      answer 503 ServiceUnavailable without forwarding
  slow_down      answer 503 SlowDown without forwarding
  lost_response  forward, let the server apply it, close without answering
  error_after    forward, let the server apply it, answer 500 InternalError
  truncate       forward, answer the head and part of the body, close

The store's clock: --date-offset-s rewrites the Date header of answers to the
proxy's clock plus that offset; --max-skew-s makes the proxy refuse, like S3
(403 RequestTimeTooSkewed, 15 minutes there), any request whose X-Amz-Date is
further than that from the skewed clock. moto checks neither.

Control, never forwarded and never faulted (bucket names cannot start "__"):

  GET  /__faults/stats    JSON: requests, forwarded, faults per kind, per method
  POST /__faults/config   JSON body, any of: rates {kind: p}, seed,
                          rules [{method, path, fault, count}], max_delay_ms,
                          date_offset_s, max_skew_s (null: no check)

A rule applies `fault` to the next `count` requests whose method equals
`method` (if given) and whose path contains `path` (if given). Runs until
killed.
"""
import argparse
import asyncio
import calendar
import email.utils
import json
import random
import socket
import struct
import sys
import time

KINDS = ["drop_before", "reset_before", "delay", "error_500", "error_503", "slow_down",
         "lost_response", "error_after", "truncate"]


class Faults:
    def __init__(self, seed, rates, max_delay_ms):
        self.rng = random.Random(seed)
        self.rates = dict(rates)
        self.rules = []
        self.max_delay_ms = max_delay_ms
        self.date_offset_s = 0.0
        self.max_skew_s = None
        self.requests = 0
        self.forwarded = 0
        self.by_kind = {kind: 0 for kind in KINDS}
        self.by_method = {}

    def configure(self, config):
        if "seed" in config:
            self.rng = random.Random(config["seed"])
        if "rates" in config:
            unknown = set(config["rates"]) - set(KINDS)
            if unknown:
                raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KINDS}")
            self.rates = dict(config["rates"])
        if "rules" in config:
            for rule in config["rules"]:
                if rule.get("fault") not in KINDS:
                    raise ValueError(f"rule fault must be one of {KINDS}")
            self.rules = [dict(rule) for rule in config["rules"]]
        if "max_delay_ms" in config:
            self.max_delay_ms = int(config["max_delay_ms"])
        if "date_offset_s" in config:
            self.date_offset_s = float(config["date_offset_s"])
        if "max_skew_s" in config:
            self.max_skew_s = None if config["max_skew_s"] is None else float(config["max_skew_s"])

    def choose(self, method, path):
        for rule in self.rules:
            if rule.get("count", 0) <= 0:
                continue
            if "method" in rule and rule["method"] != method:
                continue
            if "path" in rule and rule["path"] not in path:
                continue
            rule["count"] -= 1
            return rule["fault"]
        draw = self.rng.random()
        for kind in KINDS:
            draw -= self.rates.get(kind, 0.0)
            if draw < 0:
                return kind
        return None

    def stats(self):
        return {"requests": self.requests, "forwarded": self.forwarded,
                "faults": self.by_kind, "methods": self.by_method}


def parse_head(head):
    """The request or status line and headers (lower-cased names) of a head."""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def read_body(reader, headers, limit_to_eof):
    """The raw body bytes as sent (chunked framing kept)."""
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        raw = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            raw += size_line
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:
                    trailer = await reader.readuntil(b"\r\n")
                    raw += trailer
                    if trailer == b"\r\n":
                        return raw
            raw += await reader.readexactly(size + 2)
    return await reader.read() if limit_to_eof else b""


def s3_error(status, reason, code, message, extra="", date_offset=0.0):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message>{extra}<RequestId>faultproxy</RequestId></Error>").encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\n"
            f"Content-Length: {len(body)}\r\nDate: {email.utils.formatdate(time.time() + date_offset, usegmt=True)}\r\n\r\n").encode()
    return head + body


def json_answer(status, value):
    body = json.dumps(value).encode()
    return (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def amz_date_seconds(value):
    return calendar.timegm(time.strptime(value, "%Y%m%dT%H%M%SZ"))


def with_date(head, offset):
    """The response head with its Date header set to the proxy's clock plus offset."""
    date = email.utils.formatdate(time.time() + offset, usegmt=True)
    lines = head.split(b"\r\n")
    out = [line for line in lines if not line.lower().startswith(b"date:")]
    out.insert(1, b"Date: " + date.encode())
    return b"\r\n".join(out)


def reset(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def forward(upstream_port, method, raw):
    """Sends one request upstream on its own connection; the response head and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", upstream_port)
    try:
        writer.write(raw)
        await writer.drain()
        while True:
            head = (await reader.readuntil(b"\r\n\r\n"))[:-4]
            status_line, headers = parse_head(head)
            status = int(status_line.split(" ")[1])
            if status >= 200 or status == 101:
                break
        no_body = method == "HEAD" or status in (204, 304)
        body = b"" if no_body else await read_body(reader, headers, limit_to_eof=True)
        return head, headers, body
    finally:
        writer.close()


async def serve(faults, upstream_port, client_reader, client_writer):
    try:
        while True:
            try:
                head = (await client_reader.readuntil(b"\r\n\r\n"))[:-4]
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            request_line, headers = parse_head(head)
            method, path = request_line.split(" ")[0], request_line.split(" ")[1]
            body = await read_body(client_reader, headers, limit_to_eof=False)

            if path.startswith("/__faults/"):
                try:
                    if path.startswith("/__faults/config"):
                        faults.configure(json.loads(body or b"{}"))
                    client_writer.write(json_answer(200, faults.stats()))
                except (ValueError, KeyError) as error:
                    client_writer.write(json_answer(400, {"error": str(error)}))
                await client_writer.drain()
                continue

            faults.requests += 1
            faults.by_method[method] = faults.by_method.get(method, 0) + 1
            if faults.max_skew_s is not None and "x-amz-date" in headers:
                server_now = time.time() + faults.date_offset_s
                skew = abs(amz_date_seconds(headers["x-amz-date"]) - server_now)
                if skew > faults.max_skew_s:
                    server_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(server_now))
                    answer = s3_error(403, "Forbidden", "RequestTimeTooSkewed",
                                      "The difference between the request time and the current time is too large.",
                                      f"<RequestTime>{headers['x-amz-date']}</RequestTime><ServerTime>{server_time}</ServerTime>"
                                      f"<MaxAllowedSkewMilliseconds>{int(faults.max_skew_s * 1000)}</MaxAllowedSkewMilliseconds>",
                                      date_offset=faults.date_offset_s)
                    client_writer.write(answer)
                    await client_writer.drain()
                    continue

            kind = faults.choose(method, path)
            if kind is not None:
                faults.by_kind[kind] += 1
            if kind == "drop_before":
                client_writer.close()
                return
            if kind == "reset_before":
                reset(client_writer)
                return
            if kind in ("error_500", "error_503", "slow_down"):
                answers = {"error_500": (500, "Internal Server Error", "InternalError", "We encountered an internal error. Please try again."),
                           "error_503": (503, "Service Unavailable", "ServiceUnavailable", "Please reduce your request rate."),
                           "slow_down": (503, "Slow Down", "SlowDown", "Please reduce your request rate.")}
                client_writer.write(s3_error(*answers[kind], date_offset=faults.date_offset_s))
                await client_writer.drain()
                continue
            if kind == "delay":
                await asyncio.sleep(faults.rng.uniform(0, faults.max_delay_ms / 1000))

            try:
                up_head, up_headers, up_body = await forward(upstream_port, method, head + b"\r\n\r\n" + body)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                client_writer.close()
                return
            faults.forwarded += 1
            if kind == "lost_response":
                client_writer.close()
                return
            if kind == "error_after":
                client_writer.write(s3_error(500, "Internal Server Error", "InternalError", "We encountered an internal error. Please try again."))
                await client_writer.drain()
                continue
            if faults.date_offset_s:
                up_head = with_date(up_head, faults.date_offset_s)
            if kind == "truncate":
                # Part of the body (or of the head, when there is no body), then the end.
                if up_body:
                    client_writer.write(up_head + b"\r\n\r\n" + up_body[: len(up_body) // 2])
                else:
                    client_writer.write(up_head[: len(up_head) // 2])
                await client_writer.drain()
                client_writer.close()
                return
            client_writer.write(up_head + b"\r\n\r\n" + up_body)
            await client_writer.drain()
            if up_headers.get("connection", "").lower() == "close":
                client_writer.close()
                return
    except ConnectionError:
        pass
    finally:
        client_writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream_port", type=int)
    parser.add_argument("port_file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rates", default="", help="KIND=P,... probabilities per request")
    parser.add_argument("--max-delay-ms", type=int, default=300)
    parser.add_argument("--date-offset-s", type=float, default=0)
    parser.add_argument("--max-skew-s", type=float, default=None)
    args = parser.parse_args()
    rates = {}
    for item in filter(None, args.rates.split(",")):
        kind, p = item.split("=")
        rates[kind] = float(p)
    faults = Faults(args.seed, {}, args.max_delay_ms)
    faults.configure({"rates": rates, "date_offset_s": args.date_offset_s, "max_skew_s": args.max_skew_s})

    server = await asyncio.start_server(lambda r, w: serve(faults, args.upstream_port, r, w),
                                        "127.0.0.1", 0, limit=1 << 24)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file, "w") as f:
        f.write(f"{port}\n")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
