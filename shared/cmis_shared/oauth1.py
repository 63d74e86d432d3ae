"""OAuth 1.0a request signing (HMAC-SHA1), as the X Ads API requires. Pure functions.

The query string is encoded here (RFC 3986) and the same encoding is signed, so the
bytes on the wire are exactly the bytes in the signature base string. Shared by the sync
worker's X connector (signed API calls) and dashboard-api's X connect flow (the
three-legged ``request_token`` / ``access_token`` steps, which add ``oauth_callback`` or
``oauth_verifier`` and, for the first step, have no token yet).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote


def percent_encode(value: str) -> str:
    return quote(value, safe="~-._")


def encode_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())


@dataclass(frozen=True)
class OAuth1Keys:
    consumer_key: str
    consumer_secret: str = field(repr=False)
    token: str = field(repr=False)
    token_secret: str = field(repr=False)


def signature(method: str, base_url: str, params: Mapping[str, str], keys: OAuth1Keys) -> str:
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base_string = "&".join([method.upper(), percent_encode(base_url), percent_encode(normalized)])
    key = f"{percent_encode(keys.consumer_secret)}&{percent_encode(keys.token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def authorization_header(
    method: str,
    base_url: str,
    query: Mapping[str, str],
    keys: OAuth1Keys,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
    oauth_extra: Mapping[str, str] | None = None,
) -> str:
    """``oauth_extra``: further ``oauth_*`` parameters (``oauth_callback``,
    ``oauth_verifier``); an empty ``keys.token`` sends no ``oauth_token`` (request_token)."""
    oauth = {
        "oauth_consumer_key": keys.consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "oauth_token": keys.token,
        "oauth_version": "1.0",
        **(oauth_extra or {}),
    }
    if not keys.token:
        del oauth["oauth_token"]
    oauth["oauth_signature"] = signature(method, base_url, {**query, **oauth}, keys)
    return "OAuth " + ", ".join(f'{k}="{percent_encode(v)}"' for k, v in sorted(oauth.items()))
