"""Runs moto_server so that its SigV4 check sees the request URI as sent.

moto rebuilds the URL it verifies signatures over from werkzeug's decoded
URL, so a query value holding an encoded slash (ListObjectsV2 with
prefix=rooms%2F...) is checked as `prefix=rooms/...` and every correctly
signed request of that shape fails with SignatureDoesNotMatch (boto3's too).
This wrapper restores the raw URI (werkzeug's RAW_URI) before moto reads it,
and handles one request at a time so conditional creates are atomic, as on
S3; everything else is stock moto_server. Arguments are moto_server's.
"""
import sys
from urllib.parse import urlparse, urlunparse

from moto.core.responses import BaseResponse

_original_setup = BaseResponse.setup_class


def _setup_with_raw_uri(self, request, full_url, headers, *args, **kwargs):
    _original_setup(self, request, full_url, headers, *args, **kwargs)
    raw = getattr(request, "environ", {}).get("RAW_URI") if hasattr(request, "environ") else None
    if raw and "?" in raw:
        parsed = urlparse(self.uri)
        self.uri = urlunparse(parsed._replace(query=raw.split("?", 1)[1]))


BaseResponse.setup_class = _setup_with_raw_uri

# moto's conditional PUT (If-None-Match: *) checks and writes in two steps, so
# two racing creates of one key can both succeed on its threaded server. Real
# S3 makes that check atomic; one request at a time restores that here.
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_one_at_a_time = threading.Lock()
_original_call = DomainDispatcherApplication.__call__


def _serialised_call(self, environ, start_response):
    with _one_at_a_time:
        return list(_original_call(self, environ, start_response))


DomainDispatcherApplication.__call__ = _serialised_call

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
