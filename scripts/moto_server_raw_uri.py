"""Runs moto_server so that its SigV4 check sees the request URI as sent.

moto rebuilds the URL it verifies signatures over from werkzeug's decoded
URL, so a query value holding an encoded slash (ListObjectsV2 with
prefix=rooms%2F...) is checked as `prefix=rooms/...` and every correctly
signed request of that shape fails with SignatureDoesNotMatch (boto3's too).
This wrapper restores the raw URI (werkzeug's RAW_URI) before moto reads it;
everything else is stock moto_server. Arguments are moto_server's.
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

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
