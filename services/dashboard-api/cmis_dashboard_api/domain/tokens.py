"""API tokens: random, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

TOKEN_PREFIX = "cmis_"
# Every token expires; settings (api_token_lifetime_days) may shorten or lengthen it.
DEFAULT_TOKEN_LIFETIME = timedelta(days=30)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
