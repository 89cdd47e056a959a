"""Runs moto's server app so that its SigV4 check sees the request URI as sent,
conditional creates are atomic, and a load of hundreds of requests a second
is served.

Usage: moto_server_raw_uri.py -H HOST -p PORT   (as moto_server)

- Raw query: moto rebuilds the URL it verifies signatures over from the
  decoded URL, so a query value holding an encoded slash (ListObjectsV2 with
  prefix=rooms%2F...) is checked as `prefix=rooms/...` and every correctly
  signed request of that shape fails with SignatureDoesNotMatch (boto3's
  too). The raw query (RAW_URI, or the undecoded QUERY_STRING) is restored
  before moto reads it.
- SQS long polls go past the lock below (they wait for messages S3 PUTs
  publish), and enough threads serve them beside everything else.
- Atomic creates: moto's conditional PUT (If-None-Match: *) checks and writes
  in two steps, so two racing creates of one key could both succeed. Real S3
  makes that check atomic; handling one request at a time restores that.
- Speed, with moto's behaviour unchanged (IAM and SigV4 enforcement
  included): moto_server's werkzeug development server closes the connection
  after every request and starts a thread per connection, so each request
  paid a TCP handshake and a thread start, all under one interpreter lock.
  The same moto app is served here by waitress (a pool of threads, HTTP/1.1
  keep-alive). And two pure look-ups moto repeats on every request are
  remembered: which backend a host name means (moto lists and stats its own
  package folder for each request to find out) and the text of a timestamp
  in a listing (parsed with dateutil for each key of each page). Both give
  the same answer for the same input; together with the server they took
  about half of moto's time per request (scripts/bench/store.sh, docs/sync.md).
"""
import argparse
import functools
import os
import sys
import threading
import time
from urllib.parse import urlparse, urlunparse

from moto.core.responses import BaseResponse

_original_setup = BaseResponse.setup_class


def _setup_with_raw_uri(self, request, full_url, headers, *args, **kwargs):
    _original_setup(self, request, full_url, headers, *args, **kwargs)
    environ = getattr(request, "environ", {}) if hasattr(request, "environ") else {}
    raw = environ.get("RAW_URI")
    query = raw.split("?", 1)[1] if raw and "?" in raw else environ.get("QUERY_STRING")
    if query:
        parsed = urlparse(self.uri)
        self.uri = urlunparse(parsed._replace(query=query))


BaseResponse.setup_class = _setup_with_raw_uri

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

_one_at_a_time = threading.Lock()
_original_call = DomainDispatcherApplication.__call__


def _serialised_call(self, environ, start_response):
    # An SQS long poll (ReceiveMessage with WaitTimeSeconds) waits for
    # messages that S3 PUTs (through SNS) put in the queue: holding the lock
    # would stop those PUTs for the whole wait. SQS's own queue lock keeps
    # receiving safe beside them.
    if environ.get("HTTP_X_AMZ_TARGET") == "AmazonSQS.ReceiveMessage":
        return list(_original_call(self, environ, start_response))
    with _one_at_a_time:
        return list(_original_call(self, environ, start_response))


DomainDispatcherApplication.__call__ = _serialised_call

# Which backend a host name means depends on the host name alone (moto's
# module list and URL patterns are fixed once it is imported).
_original_backend_for_host = DomainDispatcherApplication.get_backend_for_host
_backend_by_host = {}


def _remembered_backend_for_host(self, host):
    if host not in _backend_by_host:
        _backend_by_host[host] = _original_backend_for_host(self, host)
    return _backend_by_host[host]


DomainDispatcherApplication.get_backend_for_host = _remembered_backend_for_host

# A timestamp's text depends on the stored value and the format alone; moto
# keeps last-modified times as text and parses them again for every listing.
from moto.core.serialize import TimestampSerializer

_original_timestamp_text = TimestampSerializer._convert_timestamp_to_str
# The converters it calls use nothing of the instance but the methods.
_timestamp_serializer = TimestampSerializer(TimestampSerializer.TIMESTAMP_FORMAT_ISO8601)


@functools.lru_cache(maxsize=1 << 17)
def _timestamp_text(value, timestamp_format):
    return _original_timestamp_text(_timestamp_serializer, value, timestamp_format)


def _remembered_timestamp_text(self, value, timestamp_format):
    if isinstance(value, (str, int, float)):
        return _timestamp_text(value, timestamp_format)
    return _original_timestamp_text(self, value, timestamp_format)


TimestampSerializer._convert_timestamp_to_str = _remembered_timestamp_text


class AccessLog:
    """One line per request (time it was answered, method, path and query,
    status), as werkzeug's server wrote, so the log still shows what clients
    asked for and when (scripts/bench/load.sh counts requests from it)."""

    def __init__(self, app, stream):
        self.app = app
        self.stream = stream
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        status = []

        def recording_start_response(code, headers, *rest):
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, *rest)

        body = self.app(environ, recording_start_response)
        query = environ.get("QUERY_STRING")
        line = f'{time.time():.3f} "{environ.get("REQUEST_METHOD")} {environ.get("PATH_INFO")}{"?" + query if query else ""}" {status[0] if status else "-"}\n'
        with self.lock:
            self.stream.write(line)
            self.stream.flush()
        return body


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))

    import waitress

    app = DomainDispatcherApplication(create_backend_app)
    # Requests run one at a time (above); a few threads let the next request
    # be read and the last answer be written while one is in moto, and SQS
    # long polls (up to 20 s each, one per notified reader) hold one each.
    waitress.serve(AccessLog(app, sys.stderr), host=args.host, port=args.port, threads=16,
                   connection_limit=2000, backlog=2048, asyncore_use_poll=True,
                   channel_timeout=300, ident=None, _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1:])
