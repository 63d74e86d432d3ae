"""OAuth 1.0a signing for the X connector: the one implementation lives in
:mod:`cmis_shared.oauth1` (dashboard-api's X connect flow signs with it too)."""

from cmis_shared.oauth1 import (
    OAuth1Keys,
    authorization_header,
    encode_query,
    percent_encode,
    signature,
)

__all__ = ["OAuth1Keys", "authorization_header", "encode_query", "percent_encode", "signature"]
