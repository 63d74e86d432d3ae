"""OAuth 1.0a signing against the worked example in X's (Twitter's) developer docs
("Creating a signature")."""

from __future__ import annotations

import pytest

from cmis_sync_worker.connectors.oauth1 import OAuth1Keys, authorization_header, signature

pytestmark = pytest.mark.unit

KEYS = OAuth1Keys(
    consumer_key="xvz1evFS4wEEPTGEFPHBog",
    consumer_secret="kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    token_secret="LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
)


def test_signature_matches_the_published_example() -> None:
    params = {
        "status": "Hello Ladies + Gentlemen, a signed OAuth request!",
        "include_entities": "true",
        "oauth_consumer_key": KEYS.consumer_key,
        "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1318622958",
        "oauth_token": KEYS.token,
        "oauth_version": "1.0",
    }
    url = "https://api.twitter.com/1.1/statuses/update.json"
    assert signature("POST", url, params, KEYS) == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_header_carries_token_but_never_secrets() -> None:
    header = authorization_header(
        "GET", "https://ads-api.x.com/12/accounts", {"count": "200"}, KEYS
    )
    assert header.startswith("OAuth ") and 'oauth_token="370773112' in header
    assert KEYS.consumer_secret not in header and KEYS.token_secret not in header
    assert "secret" not in repr(KEYS).lower() or "kAcS" not in repr(KEYS)
