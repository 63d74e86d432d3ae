"""Platform credentials at rest: Fernet ciphertext of a JSON object.

Stored shape (what dashboard-api writes when it connects an integration)::

    {"access_token": "...", "refresh_token": "..." | null, <other string keys>}

Other keys are platform extras (X ``token_secret``, Meta ``page_access_token``, TikTok
``creator_access_token``); a nested ``"extra": {...}`` object is read too. The expiry lives
in ``integrations.token_expires_at``, not in the ciphertext, so the scheduler and the
dashboard can read it without the key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cmis_shared.crypto import TokenCipher
from cmis_sync_worker.connectors.base import Credentials

_TOKEN_KEYS = ("access_token", "refresh_token")


class CredentialsCodec:
    def __init__(self, cipher: TokenCipher) -> None:
        self._cipher = cipher

    def decode(self, ciphertext: bytes, expires_at: datetime | None) -> Credentials:
        """Raises ``CredentialsDecryptionError`` for a foreign key or tampered ciphertext."""
        stored = self._cipher.decrypt(ciphertext)
        extra: dict[str, str] = {}
        nested = stored.get("extra")
        if isinstance(nested, dict):
            extra.update({str(k): str(v) for k, v in nested.items() if v is not None})
        extra.update(
            {
                key: str(value)
                for key, value in stored.items()
                if key not in (*_TOKEN_KEYS, "extra", "expires_at") and value is not None
            }
        )
        return Credentials(
            access_token=str(stored.get("access_token") or ""),
            refresh_token=stored.get("refresh_token") or None,
            expires_at=expires_at,
            extra=extra,
        )

    def encode(self, credentials: Credentials) -> bytes:
        stored: dict[str, Any] = dict(credentials.extra)
        stored["access_token"] = credentials.access_token
        stored["refresh_token"] = credentials.refresh_token
        return self._cipher.encrypt(stored)
