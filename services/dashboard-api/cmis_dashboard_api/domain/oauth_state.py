"""The OAuth ``state``: an HMAC-signed, expiring claim that binds one consent round trip to
the user, organization and platform that started it, plus a nonce that makes it single-use
(the server keeps the flow under the nonce and takes it once). Pure: no I/O, ``now`` given.

Format: ``v1.<payload>.<signature>``, both base64url without padding; the payload is JSON
``{"n": nonce, "u": user id, "o": org id, "p": platform, "e": expiry epoch seconds}``; the
signature is HMAC-SHA256 over ``v1.<payload>``. The key never leaves the server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cmis_dashboard_api.domain.oauth import OAuthFailure

_VERSION = "v1"


@dataclass(frozen=True)
class StateClaims:
    nonce: str
    user_id: UUID
    org_id: UUID
    platform: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def state_key_from(encryption_key: str) -> bytes:
    """A state key derived from the first encryption key when none is configured: a
    different key for a different purpose, from a secret the server already holds."""
    return hmac.new(encryption_key.encode(), b"cmis-oauth-state-v1", hashlib.sha256).digest()


def new_claims(
    user_id: UUID, org_id: UUID, platform: str, now: datetime, lifetime: timedelta
) -> StateClaims:
    return StateClaims(secrets.token_urlsafe(24), user_id, org_id, platform, now + lifetime)


def sign_state(key: bytes, claims: StateClaims) -> str:
    payload = {
        "n": claims.nonce,
        "u": str(claims.user_id),
        "o": str(claims.org_id),
        "p": claims.platform,
        "e": int(claims.expires_at.timestamp()),
    }
    body = f"{_VERSION}.{_b64(json.dumps(payload, separators=(',', ':')).encode())}"
    return f"{body}.{_b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"


def verify_state(key: bytes, state: str | None, platform: str, now: datetime) -> StateClaims:
    """The claims of a state this server signed, for this platform, not yet expired;
    otherwise :class:`OAuthFailure` (``invalid_state`` or ``state_expired``)."""
    try:
        version, payload, signature = (state or "").split(".")
        expected = hmac.new(key, f"{version}.{payload}".encode(), hashlib.sha256).digest()
        if version != _VERSION or not hmac.compare_digest(_unb64(signature), expected):
            raise OAuthFailure("invalid_state")
        data = json.loads(_unb64(payload))
        claims = StateClaims(
            str(data["n"]),
            UUID(data["u"]),
            UUID(data["o"]),
            str(data["p"]),
            datetime.fromtimestamp(int(data["e"]), now.tzinfo),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise OAuthFailure("invalid_state") from None
    if claims.platform != platform:
        raise OAuthFailure("invalid_state")
    if now >= claims.expires_at:
        raise OAuthFailure("state_expired")
    return claims


def new_code_verifier() -> str:
    """A PKCE verifier: 64 unreserved characters (RFC 7636 allows 43 to 128)."""
    return secrets.token_urlsafe(48)


def code_challenge(verifier: str) -> str:
    """The ``S256`` challenge of a PKCE verifier."""
    return _b64(hashlib.sha256(verifier.encode()).digest())
